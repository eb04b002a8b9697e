"""autodiff_ast: source-to-source automatic differentiation for NumPy.

``grad`` reads a Python function's source, rewrites it in a normal form of one
operation per statement, writes the adjoint statements in reverse order by the chain
rule, and compiles the result into a plain NumPy function that you can print, read,
step through with pdb and export.

Vocabulary used throughout:

- *primal*: the user's function and its values; ``ans`` is a primal operation's result.
- *adjoint*: the gradient of the output with respect to a value, named ``dx`` for ``x``;
  ``g`` is the adjoint of a rule's result, ``dout`` that of the function's output.
- *active*: a value that depends on a differentiated input and that the output depends
  on; only active values get adjoints.
- *normal form*: one operation per statement, operands are names or constants
  (see ``normal_form``).
- *rule*: a function ``(g, ans, *args) -> one contribution per argument`` registered
  with ``adjoint``; the compiler inlines its body. A *tangent rule* (``tangent``) has the
  same shape and gives forward mode the tangent of the result.
- *tangent*: the directional derivative of a value, named ``x_dot`` for ``x``.
"""

from .api import GradientFunction, grad, value_and_grad
from .gradients import gradient_hook, print_gradient, stop_gradient
from .errors import (AutodiffError, AutodiffSyntaxError, InputError, MissingRuleError,
                     NonFiniteError, NonScalarOutputError, SourceUnavailableError, WrtError)
from .export import export
from .circuit import Circuit, circuit
from .rules import adjoint, elementwise, linear, multilinear, nondifferentiable, tangent
from .transforms import (HessianFunction, HVPFunction, JacobianFunction, JVPFunction,
                         VJPFunction, hessian, hvp, jacobian, jvp, vjp)

__all__ = [
    "grad", "value_and_grad", "jvp", "vjp", "jacobian", "hessian", "hvp",
    "GradientFunction", "JVPFunction", "VJPFunction", "JacobianFunction", "HessianFunction",
    "HVPFunction",
    "adjoint", "tangent", "linear", "multilinear", "elementwise", "nondifferentiable",
    "stop_gradient", "gradient_hook", "print_gradient", "export", "circuit", "Circuit",
    "AutodiffError", "AutodiffSyntaxError", "InputError", "MissingRuleError", "NonFiniteError",
    "NonScalarOutputError", "SourceUnavailableError", "WrtError",
]
__version__ = "0.1.0"
