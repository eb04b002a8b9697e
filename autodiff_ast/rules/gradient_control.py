"""Rules of the functions that steer gradients (``autodiff_ast.gradients``)."""

from ..gradients import gradient_hook, print_gradient, stop_gradient
from .registry import adjoint, linear, nondifferentiable

nondifferentiable(stop_gradient)


@adjoint(gradient_hook)
def gradient_hook_adjoint(g, ans, x, hook):
    """The adjoint passes through ``hook``."""
    return hook(g), None


@adjoint(print_gradient)
def print_gradient_adjoint(g, ans, x, label="gradient"):
    """The adjoint is printed on its way through."""
    print(label, g)
    return g, None


# Forward mode: the identity (the hooks act on adjoints only).
linear(gradient_hook, print_gradient)
