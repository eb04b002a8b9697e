"""Sweeps of the elementwise functions (rules/elementwise.py), and the subgradients chosen
at ties and kinks."""

import numpy as np
import pytest

from autodiff_ast import grad, runtime
from autodiff_ast.rules.registry import Attribute
from sweep import UNARY_SHAPES, binary, case, function_from_source, sweep_tests, unary, values

POSITIVE = (0.3, 2.0)
UNIT = (-0.9, 0.9)
# Shapes of (condition, x, y) for np.where, each set broadcasting to a different result.
WHERE_SHAPES = [((), (), ()), ((3,), (3,), (3,)), ((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), ()),
                ((3,), (2, 3), (2, 1)), ((3, 1), (1, 4), (4,)), ((), (2, 3), (3,))]
# np.clip's min= and max= keywords are NumPy 2.1's (the suite also runs under the floor, 2.0)
CLIP_KEYWORDS = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def _clip_cases():
    cases = []
    for shape in UNARY_SHAPES:
        # Values in [-2, 2] away from the bounds +-0.5 (the kinks).
        x = values(shape, 0.6, 2.0, seed=3) * np.where(values(shape, seed=4) > 0, 1, -1)
        x = float(x) if shape == () else x
        cases += [
            case(np.clip, "np.clip(x, -0.5, 0.5)", x=x),
            case(np.clip, "np.clip(x, -0.5, None)", x=x),
            case(np.clip, "np.clip(x, None, 0.5)", x=x),
            case(np.clip, "np.clip(x, a_min=-0.5, a_max=0.5)", x=x),
            case(np.clip, "np.clip(x, lo, hi)", x=x, lo=-0.5, hi=0.5),
        ]
        if CLIP_KEYWORDS:
            cases.append(case(np.clip, "np.clip(x, min=-0.5, max=0.5)", x=x))
    # Bounds as differentiated arrays, broadcast against each other and against x.
    x = values((2, 3), -3.0, 3.0, seed=5)
    cases += [
        case(np.clip, "np.clip(x, lo, hi)", x=x, lo=np.array([-1.1, -0.2, -2.6]),
             hi=np.array([[0.9], [1.6]])),
        case(np.clip, "np.clip(x, lo, hi)", x=values((3,), -3.0, 3.0, seed=6),
             lo=np.array([[-1.1], [-0.2]]), hi=1.3),
        case(np.clip, "np.clip(x, lo, None)", x=x, lo=np.array([-1.1, 0.3, -2.6])),
        case(np.clip, "np.clip(x, None, hi)", x=x, hi=np.array([0.7, -0.3, 2.9])),
    ]
    return cases


def _where_cases():
    cases = []
    for c, a, b in WHERE_SHAPES:
        condition = values(c, seed=7) > 0 if c else True
        cases.append(case(np.where, "np.where(c, x, y)", x=values(a, seed=1),
                          y=values(b, seed=2), c=np.asarray(condition)))
    cases += unary(np.where, "np.where(x > 0, x, 2 * x)")
    return cases


def _nan_to_num_cases():
    cases = [*unary(np.nan_to_num, "np.nan_to_num(x)")]
    # Where x + z is not finite nan_to_num gives a constant, so x gets no gradient there.
    for z in [np.array([0.0, np.inf, np.nan]),
              np.array([[0.0, -np.inf, 0.0], [np.nan, 0.0, np.inf]])]:
        cases.append(case(np.nan_to_num, "np.nan_to_num(x + z, posinf=5.0, neginf=-5.0)",
                          wrt=("x",), x=values(z.shape), z=z))
    return cases


CASES = [
    # exponentials and logarithms
    *unary(np.exp, "np.exp(x)"),
    *unary(np.exp2, "np.exp2(x)"),
    *unary(np.expm1, "np.expm1(x)"),
    *unary(np.log, "np.log(x)", domain=POSITIVE),
    *unary(np.log2, "np.log2(x)", domain=POSITIVE),
    *unary(np.log10, "np.log10(x)", domain=POSITIVE),
    *unary(np.log1p, "np.log1p(x)", domain=(-0.7, 2.0)),
    *binary(np.logaddexp, "np.logaddexp(x, y)"),
    *binary(np.logaddexp2, "np.logaddexp2(x, y)"),
    case(np.logaddexp, "np.logaddexp(x, y)", x=values((3,), 700.0, 710.0), y=values((3,))),
    # powers and roots
    *unary(np.sqrt, "np.sqrt(x)", domain=POSITIVE),
    *unary(np.cbrt, "np.cbrt(x)", domain=POSITIVE),
    *unary(np.cbrt, "np.cbrt(x)", domain=(-2.0, -0.3)),
    *unary(np.square, "np.square(x)"),
    *unary(np.reciprocal, "np.reciprocal(x)", domain=POSITIVE),
    *unary(np.reciprocal, "np.reciprocal(x)", domain=(-2.0, -0.3)),
    *binary(np.hypot, "np.hypot(x, y)", domain=POSITIVE, domain2=(-2.0, -0.3)),
    # trigonometric functions
    *unary(np.sin, "np.sin(x)"),
    *unary(np.cos, "np.cos(x)"),
    *unary(np.tan, "np.tan(x)", domain=(-1.3, 1.3)),
    *unary(np.arcsin, "np.arcsin(x)", domain=UNIT),
    *unary(np.arccos, "np.arccos(x)", domain=UNIT),
    *unary(np.arctan, "np.arctan(x)"),
    *binary(np.arctan2, "np.arctan2(x, y)", domain2=POSITIVE),
    *binary(np.arctan2, "np.arctan2(x, y)", domain=POSITIVE),
    *unary(np.deg2rad, "np.deg2rad(x)"),
    *unary(np.radians, "np.radians(x)"),
    *unary(np.rad2deg, "np.rad2deg(x)"),
    *unary(np.degrees, "np.degrees(x)"),
    *unary(np.sinc, "np.sinc(x)"),
    case(np.sinc, "np.sinc(x)", x=np.array([0.0, 1.0, -1.0, 2.5])),
    # hyperbolic functions
    *unary(np.sinh, "np.sinh(x)"),
    *unary(np.cosh, "np.cosh(x)"),
    *unary(np.tanh, "np.tanh(x)"),
    *unary(np.arcsinh, "np.arcsinh(x)"),
    *unary(np.arccosh, "np.arccosh(x)", domain=(1.1, 3.0)),
    *unary(np.arctanh, "np.arctanh(x)", domain=UNIT),
    # kinks (the sweep values are away from them)
    *unary(np.abs, "np.abs(x)"),
    *unary(np.absolute, "np.absolute(x)"),
    *unary(np.fabs, "np.fabs(x)"),
    *binary(np.maximum, "np.maximum(x, y)"),
    *binary(np.minimum, "np.minimum(x, y)"),
    *binary(np.fmax, "np.fmax(x, y)"),
    *binary(np.fmin, "np.fmin(x, y)"),
    *unary(np.maximum, "np.maximum(x, 0.1)"),
    *unary(np.minimum, "np.minimum(0.1, x)"),
    *_clip_cases(),
    *_where_cases(),
    # identities for real inputs
    *unary(runtime.sigmoid, "1 / (1 + np.exp(-x))"),
    *unary(runtime.sigmoid, "1.0 / (np.exp(-x) + 1)"),
    *unary(np.real, "np.real(x)"),
    *unary(Attribute("real"), "x.real"),
    *unary(np.conjugate, "np.conjugate(x)"),
    *unary(np.conj, "np.conj(x)"),
    *_nan_to_num_cases(),
]


test_gradient, test_float32, test_tangent = sweep_tests(CASES)
# logaddexp's adjoint is a sigmoid of x1 - x2, whose exp overflows float32 near 89: NumPy
# warns, and the weight is then exactly 0 (checked by the comparison itself).
test_float32 = pytest.mark.filterwarnings(
    "ignore:overflow encountered in exp:RuntimeWarning")(test_float32)


def _define(expr, names="x, y"):
    return function_from_source("f", f"def f({names}):\n    return np.sum({expr})\n", {})


@pytest.mark.parametrize("function", [np.maximum, np.minimum, np.fmax, np.fmin])
def test_ties_split_the_gradient_evenly(function):
    f = _define(f"np.{function.__name__}(x, y)")
    x = np.array([1.0, 2.0, -3.0])
    y = np.array([1.0, 0.0, -3.0])
    dx, dy = grad(f, wrt=(0, 1))(x, y)
    larger = (x > y) if function in (np.maximum, np.fmax) else (x < y)
    np.testing.assert_array_equal(dx, [0.5, 1.0 * larger[1], 0.5])
    np.testing.assert_array_equal(dy, [0.5, 1.0 - larger[1], 0.5])
    dx, dy = grad(f, wrt=(0, 1))(2.0, 2.0)
    assert (dx, dy) == (0.5, 0.5)


def test_relu_tie_at_zero():
    f = _define("np.maximum(x, 0.0)", "x")
    np.testing.assert_array_equal(grad(f)(np.array([-1.0, 0.0, 2.0])), [0.0, 0.5, 1.0])


@pytest.mark.parametrize("function", [np.fmax, np.fmin])
def test_fmax_fmin_give_the_gradient_to_the_non_nan_argument(function):
    f = _define(f"np.{function.__name__}(x, y)")
    dx, dy = grad(f, wrt=(0, 1))(np.array([np.nan, 1.0, np.nan]), np.array([2.0, np.nan, np.nan]))
    np.testing.assert_array_equal(dx, [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(dy, [1.0, 0.0, 0.0])


def test_abs_at_zero_is_zero():
    f = _define("np.abs(x) + np.fabs(x)", "x")
    np.testing.assert_array_equal(grad(f)(np.array([-2.0, 0.0, 3.0])), [-2.0, 0.0, 2.0])


def test_clip_bounds_are_inclusive():
    f = _define("np.clip(x, lo, hi)", "x, lo, hi")
    dx, dlo, dhi = grad(f, wrt=(0, 1, 2))(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), -1.0, 1.0)
    np.testing.assert_array_equal(dx, [0.0, 1.0, 1.0, 1.0, 0.0])
    assert (dlo, dhi) == (1.0, 1.0)


def test_sinc_at_zero():
    f = _define("np.sinc(x)", "x")
    assert grad(f)(0.0) == 0.0
