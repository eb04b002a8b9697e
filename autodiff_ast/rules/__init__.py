"""The derivative rule table. Importing this package registers every built-in rule.

See ``registry`` for the rule shape and ``adjoint`` / ``nondifferentiable`` for adding
rules; each other module holds one family of rules.
"""

from . import (arithmetic, elementwise, gradient_control, linalg,  # noqa: F401
               python_builtins, reductions, shape, zero_gradient)
from .registry import (NONDIFFERENTIABLE, RULES, Rule, adjoint, is_nondifferentiable, lookup,
                       nondifferentiable)

__all__ = ["RULES", "NONDIFFERENTIABLE", "Rule", "adjoint", "nondifferentiable", "lookup",
           "is_nondifferentiable"]
