"""Sweeps of the reductions (sum, mean, prod, max/min, var/std, cumsum/cumprod, trace,
ptp, average, nansum/nanmean) over 1-D, 2-D and 3-D inputs and every form of ``axis``
and ``keepdims``, and plain tests of ties, zeros and NaNs."""

import numpy as np
import pytest

from autodiff_ast import grad, value_and_grad
from autodiff_ast.testing import check_grads
from sweep import case, function_from_source, sweep_tests, values

V1, V2, V3 = (4,), (3, 4), (2, 3, 4)

# (shape, arguments after x) of a reduction that takes ``axis`` and ``keepdims``.
AXES = [
    (V1, ""), (V2, ""), (V3, ""),
    (V1, "axis=0"), (V1, "axis=-1, keepdims=True"),
    (V2, "axis=0"), (V2, "axis=-1"), (V2, "1"), (V2, "axis=1, keepdims=True"),
    (V2, "axis=None, keepdims=True"), (V2, "axis=(0, 1)"),
    (V3, "axis=1"), (V3, "axis=-2, keepdims=False"), (V3, "axis=(0, 2)"),
    (V3, "axis=(-1, 0)"), (V3, "axis=(0, 2), keepdims=True"), (V3, "axis=None, keepdims=True"),
]
# The same for an array method (x.sum(...)).
METHOD_AXES = [(V2, ""), (V3, "axis=0"), (V3, "axis=(1, 2), keepdims=True"), (V2, "-1")]
# Reductions that take an axis but no keepdims (cumsum, cumprod).
CUMULATIVE = [(V1, ""), (V2, ""), (V3, ""), (V1, "axis=0"), (V2, "axis=0"), (V2, "axis=-1"),
              (V2, "1"), (V3, "axis=1"), (V3, "axis=-3")]


def reduction(primal, name, axes=AXES, methods=METHOD_AXES, extra="", domain=(-2.0, 2.0),
              **options):
    """Cases of ``np.<name>(x, <axes>)`` at each entry of ``axes`` and of ``x.<name>(...)``
    at each entry of ``methods``; ``extra`` is appended to the arguments."""
    out = []
    for shape, arguments in axes:
        arguments = ", ".join(p for p in (arguments, extra) if p)
        call = f"np.{name}(x, {arguments})" if arguments else f"np.{name}(x)"
        out.append(case(primal, call, x=values(shape, *domain), **options))
    for shape, arguments in methods:
        arguments = ", ".join(p for p in (arguments, extra) if p)
        out.append(case(primal, f"x.{name}({arguments})", x=values(shape, *domain), **options))
    return out


def with_zeros(shape, positions, seed=0):
    x = values(shape, 0.5, 1.5, seed=seed)
    for position in positions:
        x[position] = 0.0
    return x


def with_nans(shape, positions):
    x = values(shape)
    for position in positions:
        x[position] = np.nan
    return x


TIE_FREE = (-2.0, 2.0)

CASES = [
    # sums and means
    *reduction(np.sum, "sum"),
    *reduction(np.mean, "mean"),
    case(np.sum, "np.sum(x, axis=k)", x=values(V3), k=1),  # axis known at run time
    case(np.sum, "np.sum(x, axis=k, keepdims=True)", x=values(V3), k=(0, 2)),
    case(np.mean, "np.mean(x, axis=k, keepdims=kd)", x=values(V3), k=-1, kd=False),
    case(np.sum, "np.sum(x, dtype=np.float64)", x=values(V2)),
    *reduction(np.nansum, "nansum", methods=[]),
    case(np.nansum, "np.nansum(x)", x=with_nans(V2, [(0, 1), (2, 3)])),
    case(np.nansum, "np.nansum(x, axis=0)", x=with_nans(V2, [(0, 1), (2, 3)])),
    case(np.nansum, "np.nansum(x, axis=(0, 2), keepdims=True)",
         x=with_nans(V3, [(0, 1, 1), (1, 2, 3)])),
    *reduction(np.nanmean, "nanmean", methods=[]),
    case(np.nanmean, "np.nanmean(x)", x=with_nans(V2, [(0, 1), (2, 3)])),
    case(np.nanmean, "np.nanmean(x, axis=1)", x=with_nans(V2, [(0, 1), (0, 2), (2, 3)])),
    case(np.nanmean, "np.nanmean(x, axis=(-1, 0), keepdims=True)",
         x=with_nans(V3, [(0, 1, 1), (1, 2, 3)])),
    *reduction(np.average, "average", methods=[]),
    case(np.average, "np.average(x, weights=v)", x=values(V2), v=values(V2, 0.5, 2.0, seed=5)),
    case(np.average, "np.average(x, axis=0, weights=v)", x=values(V2),
         v=values(V2, 0.5, 2.0, seed=5)),
    case(np.average, "np.average(x, 1, v)", x=values(V2), v=values((4,), 0.5, 2.0, seed=5)),
    case(np.average, "np.average(x, axis=-1, weights=v, keepdims=True)", x=values(V3),
         v=values((4,), 0.5, 2.0, seed=5)),
    case(np.average, "np.average(x, axis=(2, 0), weights=v)", x=values(V3),
         v=values((4, 2), 0.5, 2.0, seed=5)),
    case(np.average, "np.average(x, axis=(0, 2), weights=v, keepdims=True)", x=values(V3),
         v=values(V3, 0.5, 2.0, seed=5)),
    # products
    *reduction(np.prod, "prod", domain=(0.5, 1.5)),
    *reduction(np.prod, "prod", axes=[(V2, ""), (V2, "axis=0"), (V3, "axis=(0, 2)")],
               methods=[], domain=(-1.5, -0.5)),
    case(np.prod, "np.prod(x)", x=with_zeros(V2, [(1, 2)])),
    case(np.prod, "np.prod(x)", x=with_zeros(V2, [(1, 2), (0, 0)])),
    case(np.prod, "np.prod(x, axis=1)", x=with_zeros(V2, [(0, 1), (1, 0), (1, 3), (2, 0)])),
    case(np.prod, "np.prod(x, axis=(0, 2), keepdims=True)",
         x=with_zeros(V3, [(0, 1, 1), (1, 1, 1), (0, 2, 0)])),
    *reduction(np.cumsum, "cumsum", axes=CUMULATIVE, methods=[(V2, ""), (V2, "axis=1")]),
    *reduction(np.cumprod, "cumprod", axes=CUMULATIVE, methods=[(V2, ""), (V2, "axis=1")],
               domain=(0.5, 1.5)),
    case(np.cumprod, "np.cumprod(x, axis=-1)", x=values(V2, -1.5, -0.5)),
    case(np.cumprod, "np.cumprod(x)", x=with_zeros(V2, [(1, 1)])),
    case(np.cumprod, "np.cumprod(x, axis=1)", x=with_zeros(V2, [(0, 1), (1, 0), (1, 2), (2, 3)])),
    case(np.cumprod, "np.cumprod(x, axis=0)", x=with_zeros(V3, [(0, 1, 1), (1, 1, 1), (1, 2, 0)])),
    # diagonals
    case(np.trace, "np.trace(x)", x=values((3, 3))),
    case(np.trace, "np.trace(x)", x=values((3, 4))),
    case(np.trace, "np.trace(x, offset=1)", x=values((3, 4))),
    case(np.trace, "np.trace(x, -1)", x=values((4, 3))),
    case(np.trace, "np.trace(x)", x=values(V3)),
    case(np.trace, "np.trace(x, axis1=1, axis2=2)", x=values(V3)),
    case(np.trace, "np.trace(x, offset=1, axis1=2, axis2=0)", x=values(V3)),
    case(np.trace, "np.trace(x, 0, -1, -2)", x=values(V3)),
    case(np.trace, "x.trace()", x=values((3, 3))),
    case(np.trace, "x.trace(offset=-1, axis1=1, axis2=2)", x=values(V3)),
    # extrema
    *reduction(np.max, "max", domain=TIE_FREE),
    *reduction(np.amax, "amax", methods=[], domain=TIE_FREE),
    *reduction(np.min, "min", domain=TIE_FREE),
    *reduction(np.amin, "amin", methods=[], domain=TIE_FREE),
    case(np.max, "np.max(x, axis=k)", x=values(V3), k=(0, 1)),
    # NumPy 2 arrays have no .ptp() method
    *reduction(np.ptp, "ptp", axes=[a for a in AXES if a[0] != V1], methods=[]),
    # variance and standard deviation
    *reduction(np.var, "var"),
    *reduction(np.var, "var", axes=[(V1, ""), (V2, "axis=0"), (V3, "axis=(0, 2), keepdims=True"),
                                    (V3, "axis=None, keepdims=True")],
               methods=[(V2, ""), (V3, "axis=-1")], extra="ddof=1"),
    case(np.var, "np.var(x, axis=1, correction=1)", x=values(V2)),
    case(np.var, "np.var(x, axis=1, ddof=d)", x=values(V2), d=1),
    *reduction(np.std, "std"),
    *reduction(np.std, "std", axes=[(V1, ""), (V2, "axis=0"), (V3, "axis=(0, 2), keepdims=True"),
                                    (V3, "axis=None, keepdims=True")],
               methods=[(V2, ""), (V3, "axis=-1")], extra="ddof=1"),
    case(np.std, "np.std(x, correction=1)", x=values(V2)),
    # slices of one element: the standard deviation is 0 whatever they hold
    case(np.std, "np.std(x)", x=np.array([3.0])),
    case(np.std, "np.std(x)", x=3.0),
    case(np.std, "np.std(x, axis=1)", x=values((3, 1))),
    case(np.std, "np.std(x, axis=1, keepdims=True)", x=values((3, 1))),
    case(np.std, "np.std(x, axis=(0, 2))", x=values((1, 3, 1))),
    case(np.var, "np.var(x)", x=np.array([3.0])),
    case(np.var, "np.var(x, axis=1, keepdims=True)", x=values((3, 1))),
]


test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_std_of_one_element_has_a_zero_gradient():
    """Was nan (0/0): the standard deviation of one element is 0 whatever it holds."""
    def f(x):
        return np.std(x) + np.sum(np.std(x * x, axis=0))

    x = np.array([3.0])
    value, dx = value_and_grad(f)(x)
    assert value == 0.0
    np.testing.assert_array_equal(dx, [0.0])
    value, dx = value_and_grad(f)(np.array([[3.0]]))
    assert value == 0.0
    np.testing.assert_array_equal(dx, [[0.0]])


def test_std_of_a_constant_slice_has_the_zero_subgradient():
    """At a constant slice the standard deviation is a norm at 0 (not differentiable):
    its gradient is the subgradient 0, which central differences (|h| - |-h|) / 2h
    agree with; the other slice's gradient is the usual one."""
    def f(x):
        return np.sum(np.std(x, axis=0, ddof=1) * np.array([1.0, 2.0]))

    x = np.array([[1.0, 2.0], [1.0, 5.0], [1.0, -2.0]])
    dx = check_grads(f, x)
    np.testing.assert_array_equal(dx[:, 0], 0.0)
    assert np.all(dx[:, 1] != 0.0)


# ----- plain tests ----------------------------------------------------------------------

def _grad_of(expr, **namespace):
    f = function_from_source("f", f"def f(x):\n    return {expr}\n", namespace)
    return grad(f)


@pytest.mark.parametrize("expr", ["np.max(x)", "np.amax(x)", "x.max()", "np.min(-x)",
                                  "np.amin(-x)", "np.sum(np.max(x, axis=0))",
                                  "np.sum(np.max(x, axis=0, keepdims=True))"])
def test_ties_share_the_gradient_evenly(expr):
    x = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    expected = np.array([0.0, 1.0, 1.0, 0.0, 1.0]) / 3
    if "min(-x)" in expr:
        expected = -expected
    np.testing.assert_allclose(_grad_of(expr)(x), expected)


def test_ties_along_an_axis():
    x = np.array([[1.0, 2.0, 2.0], [5.0, 4.0, 3.0], [0.0, 0.0, 0.0]])
    got = _grad_of("np.sum(np.max(x, axis=1) * np.array([1.0, 2.0, 3.0]))")(x)
    np.testing.assert_allclose(got, [[0, 0.5, 0.5], [2, 0, 0], [1, 1, 1]])


def test_ptp_ties_and_constant_slices():
    x = np.array([[1.0, 3.0, 3.0, 1.0], [2.0, 2.0, 2.0, 2.0]])
    got = _grad_of("np.sum(np.ptp(x, axis=1))")(x)
    np.testing.assert_allclose(got, [[-0.5, 0.5, 0.5, -0.5], [0, 0, 0, 0]])


def test_ties_float32():
    x = np.array([3.0, 1.0, 3.0], dtype=np.float32)
    got = _grad_of("np.max(x)").generated_function(x, np.float32(1.0))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [0.5, 0.0, 0.5])


def test_prod_with_zeros_is_the_product_of_the_others():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]])
    got = _grad_of("np.sum(np.prod(x, axis=1))")(x)
    np.testing.assert_array_equal(got, [[0, 6, 0], [0, 0, 0], [6, 3, 2]])
    np.testing.assert_array_equal(_grad_of("np.prod(x)")(np.array([2.0, 0.0, 3.0])), [0, 6, 0])


def test_cumprod_with_zeros():
    x = np.array([2.0, 0.0, 5.0, 3.0])
    # d/dx1 of 2 + 0 + 0 + 0 = 2 + 2*5 + 2*5*3 = 42; every other element multiplies a 0
    np.testing.assert_array_equal(_grad_of("np.sum(np.cumprod(x))")(x), [1, 42, 0, 0])


def test_nan_elements_get_zero_gradient():
    x = np.array([1.0, np.nan, 3.0, 4.0])
    np.testing.assert_array_equal(_grad_of("np.nansum(x)")(x), [1, 0, 1, 1])
    np.testing.assert_allclose(_grad_of("np.nanmean(x)")(x), [1 / 3, 0, 1 / 3, 1 / 3])


def test_rule_source_inlines_for_literal_axes():
    """Constant axis and keepdims inline into short NumPy, without calling the rule."""
    for expr in ["np.sum(np.max(x, axis=1))", "np.sum(np.var(x, axis=0, ddof=1))",
                 "np.sum(np.mean(x, axis=(0, 1), keepdims=True))", "np.std(x)",
                 "np.sum(np.cumsum(x, axis=-1))", "np.prod(x)", "np.trace(x)",
                 "np.sum(np.nanmean(x, axis=0))", "np.ptp(x)", "np.average(x, axis=1)[0]"]:
        source = _grad_of(expr).source
        assert "_adjoint(" not in source, source


def test_unsupported_keyword_is_reported():
    from autodiff_ast.errors import AutodiffError
    with pytest.raises(AutodiffError):
        _grad_of("np.sum(x, where=x > 0)").source
