"""The derivative rule table. Importing this package registers every built-in rule.

See ``registry`` for the rule shape and ``adjoint`` / ``nondifferentiable`` for adding
rules; each other module holds one family of rules.
"""

from . import (arithmetic, elementwise, linalg, python_builtins, reductions,  # noqa: F401
               shape, zero_gradient)
from .registry import (NONDIFFERENTIABLE, RULES, Rule, adjoint, is_nondifferentiable, lookup,
                       nondifferentiable)

__all__ = ["RULES", "NONDIFFERENTIABLE", "Rule", "adjoint", "nondifferentiable", "lookup",
           "is_nondifferentiable"]
