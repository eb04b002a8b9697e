"""Sweeps of stop_gradient, gradient_hook (with an identity hook, so that finite
differences apply) and print_gradient."""

import numpy as np

from autodiff_ast import gradient_hook, print_gradient, stop_gradient
from sweep import case, sweep_tests, unary

NAMESPACE = {"stop_gradient": stop_gradient, "gradient_hook": gradient_hook,
             "print_gradient": print_gradient}
CASES = [
    # finite differences see through stop_gradient: only a zero factor makes them agree
    *unary(stop_gradient, "np.sin(x) + 0.0 * stop_gradient(x)", namespace=NAMESPACE),
    *unary(gradient_hook, "np.sin(gradient_hook(x, np.positive))", namespace=NAMESPACE),
    case(print_gradient, "print_gradient(x * x, 'g')", x=np.array([0.5, -1.0]),
         namespace=NAMESPACE),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)
