"""Every transform over every corpus function (straight-line code, control flow, calls):
``jvp`` against central differences of the function along a random direction, ``vjp``
against ``grad`` and against finite differences for a random cotangent, and ``hvp`` (forward
mode over the generated gradient code) against central differences of the gradient."""

import numpy as np
import pytest

from autodiff_ast import grad, jvp
from autodiff_ast.transforms import hvp, jacobian, vjp
from corpus import CORPUS as STRAIGHT
from corpus_calls import CORPUS as CALLS
from corpus_control import CORPUS as CONTROL

CORPUS = STRAIGHT + CONTROL + CALLS
IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CORPUS)]


def _indices(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


def _floats(args, indices):
    return [np.asarray(a, dtype=np.float64) if i in indices and isinstance(a, np.ndarray)
            else float(a) if i in indices else a for i, a in enumerate(args)]


def _directions(args, indices, seed):
    rng = np.random.default_rng(seed)
    found = []
    for i in indices:
        d = rng.uniform(-1.0, 1.0, size=np.shape(args[i]))
        found.append(float(d) if np.ndim(args[i]) == 0 else d)
    return found


def _moved(args, indices, directions, step):
    moved = list(args)
    for i, d in zip(indices, directions):
        moved[i] = args[i] + step * d
    return moved


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_jvp_matches_the_directional_derivative(f, args, wrt):
    indices = _indices(wrt)
    args = _floats(args, indices)
    directions = _directions(args, indices, seed=1)
    copies = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    value, tangent = jvp(f, wrt=indices)(args, directions)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    eps = 1e-6
    expected = (f(*_moved(args, indices, directions, eps))
                - f(*_moved(args, indices, directions, -eps))) / (2 * eps)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6)
    for before, after in zip(copies, args):  # the inputs are left as they were
        if isinstance(before, np.ndarray):
            assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_vjp_pulls_back_like_grad_and_can_pull_back_twice(f, args, wrt):
    indices = _indices(wrt)
    args = _floats(args, indices)
    value, pullback = vjp(f, wrt=wrt)(*args)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    want = grad(f, wrt=wrt)(*args)
    for _ in range(2):
        got = pullback(1.0)
        for g, w in zip(*(((got,), (want,)) if not isinstance(wrt, tuple) else (got, want))):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-15)
    scaled = pullback(-2.5)
    for g, w in zip(*(((scaled,), (want,)) if not isinstance(wrt, tuple) else (scaled, want))):
        np.testing.assert_allclose(g, -2.5 * np.asarray(w), rtol=1e-12, atol=1e-15)


def _check_against_the_gradient(products, f, args, wrt, indices, directions):
    """Hessian-vector ``products`` against central differences of the gradient."""
    g = grad(f, wrt=wrt)
    eps = 1e-5
    above = g(*_moved(args, indices, directions, eps))
    below = g(*_moved(args, indices, directions, -eps))
    if not isinstance(wrt, tuple):
        products, above, below = (products,), (above,), (below,)
    for product, a, b in zip(products, above, below):
        expected = (np.asarray(a) - np.asarray(b)) / (2 * eps)
        np.testing.assert_allclose(product, expected, rtol=1e-4,
                                   atol=1e-5 * (1 + np.max(np.abs(expected), initial=0)))


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_hvp_matches_differences_of_the_gradient(f, args, wrt):
    """Forward mode over the generated gradient code."""
    indices = _indices(wrt)
    args = _floats(args, indices)
    directions = _directions(args, indices, seed=2)
    products = hvp(f, wrt=wrt)(args, directions)
    _check_against_the_gradient(products, f, args, wrt, indices, directions)


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_reverse_over_reverse_matches_differences_of_the_gradient(f, args, wrt):
    """vjp of the generated gradient code (reverse mode over reverse mode, through the
    gradient code's stacks of saved values) gives H @ v for a cotangent v."""
    indices = _indices(wrt)
    args = _floats(args, indices)
    directions = _directions(args, indices, seed=3)
    gradient, pullback = vjp(grad(f, wrt=wrt), wrt=wrt)(*args)
    want = grad(f, wrt=wrt)(*args)  # the primal beside the pullback
    for got, expected in zip(*(((gradient,), (want,)) if not isinstance(wrt, tuple)
                               else (gradient, want))):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    products = pullback(directions[0] if not isinstance(wrt, tuple) else tuple(directions))
    _check_against_the_gradient(products, f, args, wrt, indices, directions)


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_jacobian_in_both_modes_is_the_gradient_of_a_scalar_function(f, args, wrt):
    indices = _indices(wrt)
    args = _floats(args, indices)
    want = grad(f, wrt=wrt)(*args)
    for mode in ("forward", "reverse"):
        got = jacobian(f, wrt=wrt, mode=mode)(*args)
        for g, w in zip(*(((got,), (want,)) if not isinstance(wrt, tuple) else (got, want))):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
