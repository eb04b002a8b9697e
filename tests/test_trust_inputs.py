"""Inputs that crashed or gave wrong results, now right: integer labels in ``jvp``,
parameters reassigned in a branch with a subset differentiated, lists of lists,
namedtuple and dict parameters, callable defaults, masked arrays without a mask.
(Inputs that must give an error are in ``test_bad_inputs.py``.)"""

from collections import namedtuple
from typing import NamedTuple

import numpy as np
import pytest

from autodiff_ast import AutodiffError, grad, jvp, value_and_grad, vjp
from autodiff_ast.testing import check_grads


def directional(f, primals, tangents, step=1e-6):
    """Central difference of ``f`` along ``tangents`` (``None`` for no tangent)."""
    up = [p if t is None else p + step * np.asarray(t, dtype=float)
          for p, t in zip(primals, tangents)]
    down = [p if t is None else p - step * np.asarray(t, dtype=float)
            for p, t in zip(primals, tangents)]
    return (f(*up) - f(*down)) / (2 * step)


# ----- jvp with integer arrays (no tangent) ------------------------------------------


def index_loss(W, X, y):
    return np.sum(W[y] * X)


def masked_sum(x, keep):
    return np.sum(np.where(keep, x, 0.0) ** 2)


@pytest.mark.parametrize("label_tangent", [np.array([0, 0]), None])
def test_jvp_passes_integer_labels_through(label_tangent):
    W, X, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0]), np.array([0, 2])
    tW, tX = np.array([0.3, -0.2, 0.7]), np.array([1.0, 2.0])
    value, tangent = jvp(index_loss)((W, X, y), (tW, tX, label_tangent))
    assert value == pytest.approx(index_loss(W, X, y))
    assert tangent == pytest.approx(directional(index_loss, (W, X, y), (tW, tX, None)))


def test_jvp_passes_boolean_masks_through_with_wrt_naming_them():
    x, keep = np.array([1.0, -2.0, 3.0]), np.array([True, False, True])
    t = np.array([1.0, 1.0, -1.0])
    value, tangent = jvp(masked_sum, wrt=(0, 1))((x, keep), (t, np.zeros(3)))
    assert value == pytest.approx(masked_sum(x, keep))
    assert tangent == pytest.approx(directional(masked_sum, (x, keep), (t, None)))


def test_jvp_still_differentiates_python_ints_as_floats():
    value, tangent = jvp(index_loss, wrt=1)((np.ones(3), 2, np.array([1])), (1.0,))
    assert (value, tangent) == (2.0, 1.0)


# ----- a parameter without a tangent, reassigned in a branch or loop ------------------


def branch(a, b):
    if a > 0:
        a = a * b
    return a * 2.0


def loop(a, b, n):
    for i in range(n):
        a = a * b
    return a * 2.0


def until(a, b):
    while a < 10.0:
        a = a * b
    return a * 2.0


@pytest.mark.parametrize("f, args", [
    (branch, (2.0, 3.0)), (branch, (-2.0, 3.0)), (loop, (2.0, 3.0, 2)), (loop, (2.0, 3.0, 0)),
    (until, (2.0, 3.0)), (until, (20.0, 3.0)),
], ids=["branch taken", "branch not taken", "loop", "loop of no trips", "while",
        "while of no trips"])
def test_reassigned_parameter_without_tangent(f, args):
    value, tangent = jvp(f, wrt=1)(args, (1.0,))
    assert value == pytest.approx(f(*args))
    tangents = tuple(1.0 if i == 1 else None for i in range(len(args)))
    assert tangent == pytest.approx(directional(f, args, tangents))
    check_grads(f, *args, wrt=1)  # reverse mode: value_and_grad and vjp too


def test_the_issue_example():
    assert jvp(branch, wrt=1)((2.0, 3.0), (1.0,)) == (12.0, 4.0)


# ----- lists of lists -------------------------------------------------------------------


def corner_product(x):
    return x[0][0] * x[1][1]


def squares_as_array(x):
    return np.sum(np.array(x) ** 2)


def first_row(x):
    return np.sum(np.asarray(x[0]) ** 2)


@pytest.mark.parametrize("f", [corner_product, squares_as_array, first_row])
def test_a_list_of_lists_is_a_matrix(f):
    x = [[1.0, 2.0], [3.0, 4.0]]
    gradient = check_grads(f, x)
    assert isinstance(gradient, np.ndarray) and gradient.shape == (2, 2)
    value, same = value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    np.testing.assert_allclose(same, check_grads(f, np.array(x)))


def test_a_list_of_integer_lists_is_a_float_matrix():
    value, gradient = value_and_grad(corner_product)([[1, 2], [3, 4]])
    assert value == 4.0
    np.testing.assert_array_equal(gradient, [[4.0, 0.0], [0.0, 1.0]])


def test_a_ragged_list_stays_a_list_of_arrays():
    x = [[1.0, 2.0], [3.0]]
    gradient = check_grads(first_row, x)
    assert isinstance(gradient, list) and [np.shape(g) for g in gradient] == [(2,), (1,)]


def test_jvp_of_a_list_of_lists():
    x, t = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.5], [0.0, 2.0]]
    value, tangent = jvp(corner_product)((x,), (t,))
    assert value == 4.0
    assert tangent == pytest.approx(
        directional(corner_product, (np.array(x),), (np.array(t),)))


# ----- dict and namedtuple parameters -------------------------------------------------

Params = namedtuple("Params", "W b")


class TypedParams(NamedTuple):
    W: np.ndarray
    b: float


def by_key(p):
    return np.sum(p["W"] ** 2) + p["b"]


def by_field(p):
    return np.sum(p.W ** 2) * p.b


def by_index(p):
    return np.sum(p[0] ** 2) * p[1]


def nested_fields(params):
    return np.sum(params["layer"].W * params["layer"].b)


def model(p, X):
    return np.sum(np.tanh(X @ p.W + p.b) ** 2)


def test_check_grads_with_a_dict():
    gradient = check_grads(by_key, {"W": np.array([1.0, -2.0]), "b": 0.5})
    assert set(gradient) == {"W", "b"}


@pytest.mark.parametrize("f", [by_field, by_index])
@pytest.mark.parametrize("kind", [Params, TypedParams])
def test_namedtuple_parameter(f, kind):
    p = kind(np.array([1.0, -2.0]), 0.5)
    gradient = check_grads(f, p)  # value_and_grad and vjp too
    assert type(gradient) is kind
    np.testing.assert_allclose(gradient.W, 2 * p.W * p.b)
    assert gradient.b == pytest.approx(np.sum(p.W ** 2))


def test_namedtuple_inside_a_dict_and_beside_data():
    gradient = check_grads(nested_fields, {"layer": Params(np.array([1.0, 2.0]), 3.0)})
    assert type(gradient["layer"]) is Params
    X = np.arange(6.0).reshape(3, 2) / 5
    p = Params(np.array([0.1, -0.2]), 0.3)
    assert type(check_grads(model, p, X)) is Params


def test_jvp_and_vjp_of_a_namedtuple():
    p, t = Params(np.array([1.0, -2.0]), 0.5), Params(np.array([0.5, 1.0]), -1.0)
    value, tangent = jvp(by_field)((p,), (t,))
    assert value == pytest.approx(by_field(p))
    shifted = [Params(p.W + s * t.W, p.b + s * t.b) for s in (1e-6, -1e-6)]
    assert tangent == pytest.approx((by_field(shifted[0]) - by_field(shifted[1])) / 2e-6)
    primal, pullback = vjp(by_field)(p)
    assert primal == pytest.approx(by_field(p))
    assert type(pullback(1.0)) is Params


# ----- a callable held in a default argument -------------------------------------------


def activation(x, act=np.tanh):
    return act(x)


def relu(z):
    return np.maximum(z, 0.0)


def user_activation(x, act=relu):
    return act(x) * 2.0


def keyword_activation(x, *, act=np.sin):
    return np.sum(act(x))


@pytest.mark.parametrize("f, x", [
    (activation, 0.5), (user_activation, 0.5), (keyword_activation, np.array([0.5, 1.0])),
])
def test_a_callable_default_is_called(f, x):
    check_grads(f, x)
    value, tangent = jvp(f)((x,), (np.ones_like(x),))
    assert value == pytest.approx(f(x))
    assert tangent == pytest.approx(directional(f, (x,), (np.ones_like(x),)))


def test_passing_the_default_itself_is_fine_and_another_is_refused():
    assert grad(activation)(0.5, np.tanh) == pytest.approx(1 - np.tanh(0.5) ** 2)
    assert "np.tanh(x)" in grad(activation).source
    with pytest.raises(AutodiffError, match="passing another callable"):
        grad(activation)(0.5, np.sin)


# ----- masked arrays without a mask ---------------------------------------------------


def square_sum(x):
    return np.sum(x ** 2)


def test_a_masked_array_with_nothing_masked_is_its_data():
    x = np.ma.array([1.0, 2.0, 3.0], mask=[0, 0, 0])
    value, gradient = value_and_grad(square_sum)(x)
    assert value == 14.0
    assert type(gradient) is np.ndarray
    np.testing.assert_array_equal(gradient, [2.0, 4.0, 6.0])
    value, gradient = value_and_grad(square_sum)(np.ma.array([1.0, 2.0]))  # no mask at all
    assert value == 5.0 and list(gradient) == [2.0, 4.0]
