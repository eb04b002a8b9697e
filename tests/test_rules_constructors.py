"""Sweeps of the constructors whose values depend on float arguments: ``np.linspace``,
``np.arange``, ``np.r_`` and ``np.c_`` (all gave zero gradients before), and of the
helpers their gradient code calls."""

import numpy as np
import pytest

from autodiff_ast import jvp, value_and_grad
from autodiff_ast.rules import constructors
from autodiff_ast.testing import check_grads
from sweep import case, function_from_source, sweep_tests, values

HELPERS = {name: getattr(constructors, name) for name in (
    "linspace_adjoint", "linspace_spread", "linspace_weights", "arange_positions",
    "index_concatenate", "index_positions", "index_unconcatenate", "index_reconcatenate")}


def unconcatenated(g, a, b):
    """The adjoints of ``a`` and ``b`` in ``np.r_[a, b]``, joined (a list of arrays is
    unpacked into names to be differentiated)."""
    p, q = constructors.index_unconcatenate(g, (a, b), np.r_)
    return np.concatenate([np.ravel(p), np.ravel(q)])


HELPERS.update(unconcatenated=unconcatenated)


def helper(name, expr, wrt, **args):
    return case(HELPERS[name], expr, wrt=wrt, namespace=HELPERS, **args)


S, V, M = values(()), values((3,)), values((2, 3))
S2, V2 = values((), seed=1), values((3,), seed=1)

CASES = [
    # np.linspace: samples start + (stop - start) t, start and stop scalars or arrays
    case(np.linspace, "np.linspace(a, b, 5)", a=S, b=S2),
    case(np.linspace, "np.linspace(a, 2.0, 4, endpoint=False)", a=S),
    case(np.linspace, "np.linspace(-1.0, b, 1)", b=S2),
    case(np.linspace, "np.linspace(a, b, 3)", a=V, b=S2),
    case(np.linspace, "np.linspace(a, b, 4, axis=-1)", a=M, b=V2),
    case(np.linspace, "np.linspace(a, b, 2, axis=1)", a=M, b=values((2, 3), seed=1)),
    case(np.linspace, "np.linspace(a, b, n, endpoint=e)", a=V, b=V2, n=3, e=False),
    case(np.linspace, "np.linspace(a, b, 3, dtype=int)", a=S, b=S2),  # rounded: 0
    # np.arange: start + i step; the length is piecewise constant in stop
    case(np.arange, "np.arange(a, 3.0)", a=S),
    case(np.arange, "np.arange(a, 4.0, s)", a=S, s=0.7),
    case(np.arange, "np.arange(0.5, b, 0.5)", b=2.3),
    case(np.arange, "np.arange(b)", b=3.5),
    case(np.arange, "np.arange(a, 3.0, dtype=int)", a=S),
    # np.r_ and np.c_, and their slices
    case(constructors.index_concatenate, "np.r_[x, x]", x=V),
    case(constructors.index_concatenate, "np.r_[x]", x=M),
    case(constructors.index_concatenate, "np.r_[x, a, y[::-1]]", x=V, a=S, y=V2),
    case(constructors.index_concatenate, "np.r_[x, 1:4, a:3.0, 0.0:a:4j]", x=V, a=S),
    case(constructors.index_concatenate, "np.r_[x, x]", x=M),
    case(constructors.index_concatenate, "np.r_['-1', x, x]", x=M),
    case(constructors.index_concatenate, "np.r_['0,2', x, y]", x=V, y=V2),
    case(constructors.index_concatenate, "np.r_['0,2,0', x, y]", x=V, y=V2),
    case(constructors.index_concatenate, "np.c_[x, y, x * y]", x=V, y=V2),
    case(constructors.index_concatenate, "np.c_[m, y]", m=values((3, 2)), y=V2),
    case(constructors.index_concatenate, "np.c_[x, 0.0:1.0:3j]", x=V),
    # np.mgrid, which desugar writes with np.linspace / np.arange, reshaped and broadcast
    case(np.linspace, "np.mgrid[a:b:4j]", a=S, b=S2),
    case(np.linspace, "np.mgrid[a:b:3j, 0:2]", a=S, b=S2),
    case(np.arange, "np.mgrid[0:2, a:3.0]", a=S),
    # the helpers of their gradient code (second derivatives)
    helper("linspace_adjoint", "linspace_adjoint(g, a, b, 4, True, 0, 1)", ("g",),
           g=values((4, 3)), a=np.zeros(3), b=0.0),
    helper("linspace_adjoint", "linspace_adjoint(g, a, b, 4, False, -1, 0)", ("g",),
           g=values((2, 4)), a=np.zeros(2), b=0.0),
    helper("linspace_spread", "linspace_spread(d, a, b, 4, True, 0, 0)", ("d",),
           d=V, a=np.zeros(3), b=0.0),
    helper("linspace_spread", "linspace_spread(d, a, b, 3, False, 1, 1)", ("d",),
           d=S, a=np.zeros(2), b=0.0),
    helper("linspace_weights", "x * linspace_weights(3, True, 1, 0, 0, x.dtype)", ("x",), x=V),
    helper("arange_positions", "x * arange_positions(x)", ("x",), x=V),
    helper("index_positions", "x * index_positions((x, 1.0), np.r_)[:3].astype(x.dtype)", ("x",),
           x=V),
    helper("index_unconcatenate", "unconcatenated(g, a, b)", ("g",), g=values((5,)),
           a=np.zeros(2), b=np.zeros(3)),
    helper("index_reconcatenate", "index_reconcatenate((p, q), (a, b), np.c_)", ("p", "q"),
           p=V, q=V2, a=np.zeros(3), b=np.zeros(3)),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_r_and_c_of_one_vector_were_zero():
    """The issue's examples: gradients against finite differences and known values."""
    r = function_from_source("r", "def r(x):\n    return np.sum(np.r_[x, x] ** 2)\n", {})
    c = function_from_source("c", "def c(x):\n    return np.sum(np.c_[x, x] ** 2)\n", {})
    x = np.array([1.0, 2.0])
    for f in (r, c):
        value, dx = value_and_grad(f)(x)
        assert value == 10.0
        np.testing.assert_allclose(dx, 4 * x)
        np.testing.assert_allclose(check_grads(f, x), 4 * x)


def test_linspace_gradients_with_respect_to_start_and_stop():
    f = function_from_source("f", "def f(a, b):\n    return np.sum(np.linspace(a, b, 5) ** 2)\n",
                             {})
    value, (da, db) = value_and_grad(f, wrt=(0, 1))(1.0, 2.0)
    t = np.linspace(0.0, 1.0, 5)
    samples = 1.0 + t
    assert value == pytest.approx(np.sum(samples ** 2))
    assert da == pytest.approx(np.sum(2 * samples * (1 - t)))
    assert db == pytest.approx(np.sum(2 * samples * t))
    check_grads(f, 1.0, 2.0, wrt=(0, 1))
    value, tangent = jvp(f, wrt=(0, 1))((1.0, 2.0), (1.0, 1.0))
    assert value == pytest.approx(np.sum(samples ** 2))
    assert tangent == pytest.approx(da + db)


def test_a_slice_of_r_is_differentiated_through_its_bounds():
    f = function_from_source("f", "def f(a):\n    return np.sum(np.r_[0.0:a:3j] ** 2)\n", {})
    value, da = value_and_grad(f)(2.0)
    assert value == pytest.approx(0.0 + 1.0 + 4.0)
    assert da == pytest.approx(2 * (1.0 * 0.5 + 2.0 * 1.0))
    check_grads(f, 2.0)


def test_ogrid_bounds_are_differentiated():
    f = function_from_source(
        "f", "def f(a, b):\n    u, v = np.ogrid[a:b:3j, 0.5:2]\n    return np.sum((u * v) ** 2)\n",
        {})
    u, v = np.ogrid[0.3:1.7:3j, 0.5:2]
    value, (da, db) = value_and_grad(f, wrt=(0, 1))(0.3, 1.7)
    assert value == pytest.approx(np.sum((u * v) ** 2))
    t = np.linspace(0.0, 1.0, 3)[:, None]
    assert da == pytest.approx(np.sum(2 * u * v ** 2 * (1 - t)))
    assert db == pytest.approx(np.sum(2 * u * v ** 2 * t))
    check_grads(f, 0.3, 1.7, wrt=(0, 1))
