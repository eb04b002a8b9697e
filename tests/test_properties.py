"""Property tests (hypothesis): gradients of randomly shaped and valued inputs agree with
central finite differences and with closed forms, and keep their inputs' shapes."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autodiff_ast import grad, value_and_grad
from autodiff_ast.testing import check_grads, numerical_grad

FLOATS = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False, width=64)
SETTINGS = settings(max_examples=40, deadline=None)


def arrays(shape):
    return hnp.arrays(np.float64, shape, elements=FLOATS)


def smooth(x, b):
    h = np.tanh(x * 0.5 + b)
    return np.sum(h * h) + np.mean(np.sin(x) * b) + np.sum(np.exp(-x * x))


def softmax_cross_entropy(scores, label_weights):
    shifted = scores - np.max(scores, axis=-1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return -np.sum(label_weights * logp)


def linear(a, x):
    return np.sum(a * x)


@SETTINGS
@given(st.data())
def test_broadcasting_pairs_match_finite_differences(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3))
    # b broadcasts against x: some of x's trailing axes, some of them set to 1
    tail = shape[len(shape) - data.draw(st.integers(0, len(shape))):]
    b_shape = tuple(data.draw(st.sampled_from([n, 1])) for n in tail)
    x = data.draw(arrays(shape))
    b = data.draw(arrays(b_shape))
    dx, db = check_grads(smooth, x, b, wrt=(0, 1), rtol=1e-4, atol=1e-6)
    assert np.shape(dx) == np.shape(x) and np.shape(db) == np.shape(b)


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
def test_softmax_cross_entropy_gradient_is_softmax_minus_weights(scores):
    weights = np.ones_like(scores) / scores.shape[-1]
    d = grad(softmax_cross_entropy)(scores, weights)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    softmax = e / e.sum(axis=-1, keepdims=True)
    expected = softmax * weights.sum(axis=-1, keepdims=True) - weights
    np.testing.assert_allclose(d, expected, atol=1e-10)


@SETTINGS
@given(st.data())
def test_gradient_of_a_linear_function_is_its_coefficients(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
    a, x = data.draw(arrays(shape)), data.draw(arrays(shape))
    np.testing.assert_array_equal(grad(linear, wrt=1)(a, x), a)


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
def test_float32_inputs_give_float32_gradients_close_to_float64(x):
    b = np.float64(0.3)
    g64 = grad(smooth)(x, b)
    g32 = grad(smooth)(x.astype(np.float32), b)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-4)


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)), FLOATS)
def test_value_and_grad_agrees_with_the_function_and_grad(x, b):
    value, (dx, db) = value_and_grad(smooth, wrt=(0, 1))(x, b)
    assert value == smooth(x, b)
    np.testing.assert_allclose(dx, grad(smooth)(x, b), rtol=1e-12)
    np.testing.assert_allclose(db, numerical_grad(smooth, [x, b], 1), rtol=1e-5, atol=1e-7)


@SETTINGS
@given(arrays(hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
def test_inputs_are_never_changed(x):
    before = x.copy()
    grad(smooth, wrt=(0, 1))(x, x[..., :1])
    np.testing.assert_array_equal(x, before)
