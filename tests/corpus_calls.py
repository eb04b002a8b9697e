"""A corpus of functions that call other Python functions, one per call form:
``(function, args, wrt)`` entries in ``CORPUS``."""

import numpy as np

from autodiff_ast import grad, value_and_grad, vjp

import corpus_calls_helpers as helpers
from corpus_calls_helpers import dense, scaled_softplus

SCALE = 0.5


def rng_array(*shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed + 10 * sum(shape)).uniform(low, high, size=shape)


def square(v):
    return v * v


def affine(x, w, b=0.5, *, power=1):
    return (x * w + b) ** power


def two_results(x):
    return np.sin(x), np.cos(x)


def early_exit(x, limit):
    for i in range(3):
        if x * i > limit:
            return x * i
    return x


def calls_a_module_function(x):
    return np.sum(square(x) + square(2.0 * x))


def positional_keyword_and_default(x, w):
    return np.sum(affine(x, w) + affine(x, w, b=1.5) + affine(x, w, 0.1, power=2))


def calls_another_module(x, W, b):
    h = dense(x, W, b)
    return np.sum(scaled_softplus(h, beta=2.0)) + np.sum(helpers.scaled_softplus(x)) * SCALE


def nested_levels(x):
    def inner(v):
        return square(v) + v

    def outer(v):
        return inner(inner(v) * 0.5)

    return np.sum(outer(x))


def closure_over_locals(x, w):
    k = 2.0

    def scaled(v):
        return v * k * w

    k = 3.0  # a closure reads the value at the call
    return np.sum(scaled(x))


def local_lambda(x):
    double = lambda v: v * 2.0  # noqa: E731
    return np.sum(double(x) * double(x + 1.0))


cube = lambda v: v * v * v  # noqa: E731


def module_lambda(x):
    return np.sum(cube(x))


def tuple_result(x):
    s, c = two_results(x)
    return np.sum(s * c)


def call_with_control_flow(x, limit):
    return early_exit(x, limit) * 2.0


def call_in_a_loop(x):
    total = 0.0
    for i in range(3):
        total = total + helpers.clipped_square(x * (i + 1))
    return total


def make_scaled(factor):
    def scaled_loss(x):
        return np.sum((x * factor) ** 2)
    return scaled_loss


closure_from_factory = make_scaled(1.5)


def cubic_energy(x, y):
    return np.sum(x ** 3 * y)


def transform_made_inside(x, y):
    """``grad(f)(x)`` written inside, JAX style: made once when the code is generated."""
    return np.sum(grad(cubic_energy)(x, y) * x)


def tanh_layer_energy(x, W):
    return np.sum(np.tanh(W @ x) * x[0])


GRADIENT_OF_ENERGY = grad(tanh_layer_energy, wrt=(0, 1))


def energy_gradient(a, b):
    return GRADIENT_OF_ENERGY(a, b)


def gradient_code_with_computed_arguments(x, W):
    """Arguments held in temporaries (_t1, _t2) passed on into generated code whose own
    temporaries have the same names: each keeps its own."""
    gx, gW = energy_gradient(x * 0.5, W * 2.0)
    return np.sum(gx ** 2) + np.sum(gW * W)


def tanh_layer(x, W):
    return np.tanh(W @ x)


PULLBACK_OF_LAYER = vjp(tanh_layer, wrt=(0, 1))


def vjp_called_inside(x, W):
    """vjp's code inlined: its pullback, a function it defines and returns, is called."""
    value, pullback = PULLBACK_OF_LAYER(x, W)
    dx, dW = pullback(value * 2.0)
    return np.sum(dx ** 2) + np.sum(dW * W)


def loop_over_tuple_results(x):
    """A function returning a tuple, called in a loop and read by index there."""
    s = 0.0
    for i in range(3):
        pair = two_results(x * (i + 1))
        s = s + np.sum(pair[0] * pair[1] ** 2)
    return s


def value_and_grads_indexed(x, y):
    value, grads = value_and_grad(cubic_energy, wrt=(0, 1))(x, y)
    return value + np.sum(grads[0] * grads[1])


def apply_twice(f, v):
    return f(f(v)) * 0.5


def passes_functions(x):
    """Functions passed as arguments: a NumPy function, one of the user's, a lambda."""
    return np.sum(apply_twice(np.tanh, x) + apply_twice(square, x) + apply_twice(SIN, x))


SIN = np.sin


CORPUS = [
    (calls_a_module_function, (rng_array(3),), 0),
    (positional_keyword_and_default, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (calls_another_module, (rng_array(4, 3), rng_array(3, 2, seed=1), rng_array(2, seed=2)),
     (0, 1, 2)),
    (nested_levels, (rng_array(3),), 0),
    (closure_over_locals, (rng_array(3), 0.7), (0, 1)),
    (local_lambda, (rng_array(3),), 0),
    (module_lambda, (rng_array(3),), 0),
    (tuple_result, (rng_array(3),), 0),
    (call_with_control_flow, (0.8, 1.0), 0),
    (call_with_control_flow, (0.3, 1.0), 0),
    (call_in_a_loop, (0.4,), 0),
    (closure_from_factory, (rng_array(3),), 0),
    (transform_made_inside, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (value_and_grads_indexed, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (loop_over_tuple_results, (rng_array(3),), 0),
    (vjp_called_inside, (rng_array(3), rng_array(2, 3, seed=1)), (0, 1)),
    (gradient_code_with_computed_arguments, (rng_array(3), rng_array(2, 3, seed=1)), (0, 1)),
    (passes_functions, (rng_array(3),), 0),
]
