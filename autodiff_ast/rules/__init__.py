"""The derivative rule table. Importing this package registers every built-in rule.

See ``registry`` for the rule shape and ``adjoint`` / ``nondifferentiable`` for adding
rules; each other module holds one family of rules.
"""

from . import (arithmetic, constructors, elementwise, gradient_control, linalg,  # noqa: F401
               linalg_decompositions, numpy_extra, python_builtins, reductions,
               runtime_helpers, shape, zero_gradient)
# ``elementwise`` here is the declaration function, not the module of elementwise rules
# (import that as ``autodiff_ast.rules.elementwise`` through ``sys.modules``)
from .registry import (NONDIFFERENTIABLE, RULES, TANGENTS, Rule, adjoint, elementwise,  # noqa: F811
                       is_nondifferentiable, linear, lookup, multilinear, nondifferentiable,
                       tangent)

__all__ = ["RULES", "TANGENTS", "NONDIFFERENTIABLE", "Rule", "adjoint", "tangent", "linear",
           "multilinear", "elementwise", "nondifferentiable", "lookup", "is_nondifferentiable"]
