"""Sweeps of differences, splitting, shifting, partitioning, polynomials, convolution and
interpolation (``autodiff_ast/rules/numpy_extra.py``) over 1-D, 2-D and 3-D inputs and
each form of their optional arguments; ``test_second_order.py`` runs these cases in
forward-over-reverse and reverse-over-reverse mode too."""

import numpy as np
import pytest

from autodiff_ast import grad, value_and_grad
from autodiff_ast.errors import AutodiffError
from autodiff_ast.testing import check_grads
from autodiff_ast.rules import numpy_extra
from autodiff_ast.transforms import jvp
from sweep import case, function_from_source, sweep_tests, values

# np.row_stack and np.trapz, where present, warn that they are deprecated at every call
pytestmark = [pytest.mark.filterwarnings("ignore:`row_stack` alias is deprecated"),
              pytest.mark.filterwarnings("ignore:`trapz` is deprecated")]



def unselected(g, conds, x, y):
    """The adjoints ``unselect`` gives two choices, joined (a list of arrays is unpacked
    into names to be differentiated)."""
    p, q = numpy_extra.unselect(g, conds, [x, y])
    return np.concatenate([p, q])


HELPERS = {name: getattr(numpy_extra, name)
           for name in ("undiff", "rediff", "full_convolution", "cut_convolution",
                        "gradient_axis", "unselect", "reselect", "unselect_default",
                        "reselect_default", "vector_norm_axis")}
HELPERS.update(unselected=unselected)
V1, V2, V3 = values((5,)), values((3, 4)), values((2, 3, 4))
A24 = values((2, 4), seed=11)
XP = np.array([-1.5, -0.5, 0.25, 1.0, 1.75])
W2, W3, W5 = values((2,), seed=9), values((3,), seed=9), values((5,), seed=8)
X_IN = np.array([-1.2, -0.3, 0.6, 1.3, 1.6])  # inside xp, away from its points
X_OUT = np.array([-2.0, -0.3, 0.6, 1.9, 2.5])  # some outside xp


CASES = [
    # ----- the helpers that generated code calls (linear in their first argument)
    case(numpy_extra.undiff, "undiff(g, a, 2, 1, p, q, 0)", wrt=("g",), namespace=HELPERS,
         g=values((2, 5)), a=A24, p=values((2, 1), seed=1), q=values((2, 2), seed=2)),
    case(numpy_extra.undiff, "undiff(g, a, 2, 1, p, q, 1)", wrt=("g",), namespace=HELPERS,
         g=values((2, 5)), a=A24, p=0.5, q=values((2, 2), seed=2)),
    case(numpy_extra.undiff, "undiff(g, a, 1, -1, p, q, 2)", wrt=("g",), namespace=HELPERS,
         g=values((2, 6)), a=A24, p=0.5, q=values((2, 2), seed=2)),
    case(numpy_extra.rediff, "rediff(d, g, a, 2, 1, p, q, 0)", wrt=("d",), namespace=HELPERS,
         d=A24, g=values((2, 5)), a=A24, p=values((2, 1), seed=1), q=values((2, 2), seed=2)),
    case(numpy_extra.rediff, "rediff(d, g, a, 1, 0, p, None, 1)", wrt=("d",),
         namespace=HELPERS, d=0.3, g=V2, a=V2, p=0.5),
    case(numpy_extra.full_convolution, "full_convolution(g, a, v, 'same')", wrt=("g",),
         namespace=HELPERS, g=values((5,)), a=V1, v=values((3,))),
    case(numpy_extra.full_convolution, "full_convolution(g, a, v, 'valid')", wrt=("g",),
         namespace=HELPERS, g=values((2,)), a=values((3,)), v=values((4,))),
    case(numpy_extra.cut_convolution, "cut_convolution(d, g, a, v, 'same')", wrt=("d",),
         namespace=HELPERS, d=values((7,)), g=values((5,)), a=V1, v=values((3,))),
    # ----- differences
    case(np.diff, "np.diff(x)", x=V1),
    case(np.diff, "np.diff(x, 2)", x=V1),
    case(np.diff, "np.diff(x, axis=0)", x=V2),
    case(np.diff, "np.diff(x, n=2, axis=1)", x=V3),
    case(np.diff, "np.diff(x, prepend=0.0)", x=V1),
    case(np.diff, "np.diff(x, axis=0, append=y)", x=V2, y=values((1, 4), seed=3)),
    case(np.diff, "np.diff(x, 2, prepend=y, append=z)", x=V1, y=0.5, z=values((2,), seed=4)),
    case(np.diff, "np.diff(x ** 2, axis=-1, prepend=y)", x=V2, y=values((3, 1), seed=5)),
    # ----- the trapezoidal rule
    case(np.trapezoid, "np.trapezoid(y)", y=V1),
    case(np.trapezoid, "np.trapezoid(y, dx=h)", y=V2, h=0.3),
    case(np.trapezoid, "np.trapezoid(y, dx=0.5, axis=0)", y=V3),
    case(np.trapezoid, "np.trapezoid(y, x)", y=V1, x=np.array([0.0, 0.4, 1.1, 1.5, 2.6])),
    case(np.trapezoid, "np.trapezoid(y, x, axis=1)", y=V3, x=np.array([0.0, 0.5, 1.7])),
    case(np.trapezoid, "np.trapezoid(y, x, axis=0)", y=V2, x=values((3, 4), seed=12)),
    case(np.trapezoid, "np.trapezoid(y, x=x ** 2)", y=V2, x=np.array([0.1, 0.4, 1.1, 1.5])),
    # ----- numerical gradients (one axis, a scalar spacing)
    case(numpy_extra.gradient_axis, "x * gradient_axis(np.ndim(x), 0, 1)", namespace=HELPERS,
         x=V2),
    case(np.gradient, "np.gradient(f)", f=V1),
    case(np.gradient, "np.gradient(f, 0.5)", f=V1),
    case(np.gradient, "np.gradient(f ** 2, h)", f=V1, h=0.3, wrt=("f",)),
    case(np.gradient, "np.gradient(f, axis=0)", f=V2),
    case(np.gradient, "np.gradient(f, 2.0, axis=-1)", f=V3),
    case(np.gradient, "np.gradient(f, axis=1)", f=values((3, 2))),
    # ----- moving and splitting
    case(np.rollaxis, "np.rollaxis(x, 2)", x=V3),
    case(np.rollaxis, "np.rollaxis(x, 0, 3)", x=V3),
    case(np.rollaxis, "np.rollaxis(x, -1, 1)", x=V3),
    case(np.rollaxis, "np.rollaxis(x, 1)", x=V2),
    case(np.fft.fftshift, "np.fft.fftshift(x)", x=V1),
    case(np.fft.fftshift, "np.fft.fftshift(x, axes=0)", x=V2),
    case(np.fft.fftshift, "np.fft.fftshift(x, axes=(0, 2))", x=values((3, 2, 5))),
    case(np.fft.ifftshift, "np.fft.ifftshift(x)", x=values((3, 5))),
    case(np.fft.ifftshift, "np.fft.ifftshift(x, 1)", x=V3),
    case(np.vsplit, "np.vsplit(x, 2)[1]", x=values((4, 3))),
    case(np.vsplit, "np.vsplit(x, [1])[0] * np.vsplit(x, [1])[1][0]", x=V2),
    case(np.hsplit, "np.hsplit(x, 2)[0] * np.hsplit(x, 2)[1]", x=V2),
    case(np.hsplit, "np.hsplit(x, [2, 3])[1]", x=V1),
    case(np.dsplit, "np.dsplit(x, 2)[1] ** 2", x=V3),
    case(np.dsplit, "np.dsplit(x, [1, 3])[2]", x=V3),
    # ----- partitioning (distinct values)
    case(np.partition, "np.partition(x, 2)", x=V1),
    case(np.partition, "np.partition(x, (1, 3))", x=V1),
    case(np.partition, "np.partition(x, 1, axis=0)", x=V2),
    case(np.partition, "np.partition(x ** 3, 2)", x=V3),
    case(np.partition, "np.partition(x, 4, axis=None)", x=V2),
    # ----- polynomials
    case(np.polyval, "np.polyval(p, x)", p=values((4,), seed=6), x=V1),
    case(np.polyval, "np.polyval(p, x)", p=values((3,), seed=6), x=V2),
    case(np.polyval, "np.polyval(p, x)", p=values((5,), seed=7), x=0.7),
    case(np.polyval, "np.polyval(p, x)", p=values((1,), seed=7), x=V1),
    # ----- convolution (both orders of lengths, every mode)
    case(np.convolve, "np.convolve(a, v)", a=V1, v=values((3,), seed=8)),
    case(np.convolve, "np.convolve(a, v, 'same')", a=V1, v=values((3,), seed=8)),
    case(np.convolve, "np.convolve(a, v, mode='valid')", a=V1, v=values((2,), seed=8)),
    case(np.convolve, "np.convolve(a, v, 'same')", a=W2, v=W5),
    case(np.convolve, "np.convolve(a, v, 'valid')", a=W3, v=values((6,), seed=8)),
    case(np.convolve, "np.convolve(a, v, 'same')", a=values((4,), seed=9), v=values((4,), seed=8)),
    case(np.correlate, "np.correlate(a, v)", a=V1, v=values((3,), seed=8)),
    case(np.correlate, "np.correlate(a, v, 'full')", a=V1, v=values((2,), seed=8)),
    case(np.correlate, "np.correlate(a, v, mode='same')", a=V1, v=values((4,), seed=8)),
    case(np.correlate, "np.correlate(a, v, 'full')", a=W2, v=W5),
    case(np.correlate, "np.correlate(a, v, 'same')", a=W3, v=values((6,), seed=8)),
    case(np.correlate, "np.correlate(a, v, 'valid')", a=W3, v=W5),
    # ----- norms (NumPy 2)
    case(numpy_extra.vector_norm_axis, "x * vector_norm_axis((1,))", namespace=HELPERS, x=V1),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x)", x=V1),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x)", x=V2),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x, ord=1)", x=V3),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x, ord=3, axis=0)", x=V2),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x, axis=-1, keepdims=True)", x=V3),
    case(np.linalg.vector_norm, "np.linalg.vector_norm(x, axis=(1,), ord=np.inf)", x=V2),
    case(np.linalg.matrix_norm, "np.linalg.matrix_norm(x)", x=V2),
    case(np.linalg.matrix_norm, "np.linalg.matrix_norm(x, ord=1)", x=V3),
    case(np.linalg.matrix_norm, "np.linalg.matrix_norm(x, ord='nuc')", x=V2),
    case(np.linalg.matrix_norm, "np.linalg.matrix_norm(x, ord=2, keepdims=True)", x=V3),
    # ----- selecting (conditions constant)
    case(np.select, "np.select([x > 0.5, x < -0.5], [x ** 2, y])", x=V1, y=values((5,), seed=13)),
    case(np.select, "np.select([x > 0.5, x < 0.0], [x, y * x], d)", x=V2, y=values((4,), seed=13),
         d=values((3, 1), seed=14)),
    case(np.select, "np.select([x > 0.0], [y], default=d)", x=V2, y=2.0, d=values((4,), seed=14)),
    case(np.select, "np.select(conds, [x, y])", x=V1, y=values((5,), seed=13),
         conds=[V1 > 0.0, V1 < 1.0]),
    case(numpy_extra.unselect, "unselected(g, conds, x, y)", namespace=HELPERS,
         wrt=("g",), g=V1, x=V1, y=values((5,), seed=13), conds=[V1 > 0.0, V1 < 1.0]),
    case(numpy_extra.reselect, "reselect([x, y], g, conds, [x, y])", namespace=HELPERS,
         wrt=("x", "y"), g=V1, x=V1, y=values((5,), seed=13), conds=[V1 > 0.0, V1 < 1.0]),
    case(numpy_extra.unselect_default, "unselect_default(g, conds, d)", namespace=HELPERS,
         wrt=("g",), g=V2, d=values((4,), seed=13), conds=[V2 > 0.0]),
    case(numpy_extra.reselect_default, "reselect_default(d, g, conds, d)", namespace=HELPERS,
         wrt=("d",), g=V2, d=values((4,), seed=13), conds=[V2 > 0.0]),
    # ----- interpolation (xp a constant)
    case(np.interp, "np.interp(x, xp, fp)", x=X_IN, xp=XP, fp=values((5,), seed=10),
         wrt=("x", "fp")),
    case(np.interp, "np.interp(x, xp, fp)", x=X_OUT, xp=XP, fp=values((5,), seed=10),
         wrt=("x", "fp")),
    case(np.interp, "np.interp(x, xp, fp)", x=X_IN.reshape(1, 5) * np.ones((2, 1)), xp=XP,
         fp=values((5,), seed=10), wrt=("x", "fp")),
    case(np.interp, "np.interp(x, xp, fp)", x=0.3, xp=XP, fp=values((5,), seed=10),
         wrt=("x", "fp")),
    case(np.interp, "np.interp(x, xp, fp, left=l, right=r)", x=X_OUT, xp=XP,
         fp=values((5,), seed=10), l=0.3, r=-0.7, wrt=("x", "fp", "l", "r")),
    case(np.interp, "np.interp(x, xp, fp, right=r)", x=X_OUT, xp=XP,
         fp=values((5,), seed=10), r=-0.7, wrt=("x", "fp", "r")),
]



SPLITS = {
    "vsplit": ("def f(x):\n    a, b = np.vsplit(x, [1])\n"
               "    return np.sum(a * 2.0) + np.sum(b ** 2)\n"),
    "hsplit": ("def f(x):\n    a, b, c = np.hsplit(x, [1, 3])\n"
               "    return np.sum(a) * np.sum(c ** 2)\n"),
    "dsplit": "def f(x):\n    a, b = np.dsplit(x, 2)\n    return np.sum(a * b)\n",
}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_splits_unpacked_into_names(name):
    f = function_from_source("f", SPLITS[name], {})
    x = V3 if name == "dsplit" else V2
    check_grads(f, x)


if hasattr(np, "trapz"):  # np.trapezoid's old name, removed in NumPy 2.4: where present
    CASES += [case(np.trapz, "np.trapz(y, dx=h)", y=V2, h=0.3),
              case(np.trapz, "np.trapz(y, x, axis=1)", y=V3, x=np.array([0.0, 0.5, 1.7]))]
if hasattr(np, "row_stack"):  # deprecated since NumPy 2.0: registered only where present
    CASES += [case(np.row_stack, "np.row_stack([x, y * x])", x=V1, y=values((5,), seed=2)),
              case(np.row_stack, "np.row_stack([x, y])", x=V2, y=values((4,), seed=2))]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_interp_with_respect_to_xp_is_an_error():
    f = function_from_source(
        "f", "def f(x, xp, fp):\n    return np.sum(np.interp(x, xp, fp))\n", {})
    with pytest.raises(AutodiffError, match="not to 'xp'"):
        grad(f, wrt=(1,))(X_IN, XP, values((5,)))
    with pytest.raises(AutodiffError, match="not to 'xp'"):
        jvp(f, wrt=(1,))((X_IN, XP, values((5,))), (XP,))


def test_interp_with_a_period_is_an_error():
    f = function_from_source(
        "f", "def f(x, fp):\n    return np.sum(np.interp(x, XP, fp, period=4.0))\n", {"XP": XP})
    with pytest.raises(AutodiffError, match="period"):
        grad(f, wrt=(1,))(X_IN, values((5,)))


def test_diff_known_values():
    f = function_from_source(
        "f", "def f(x):\n    return np.sum(np.diff(x, 2) * np.array([1.0, 10.0]))\n", {})
    value, gradient = value_and_grad(f)(np.array([1.0, 2.0, 4.0, 8.0]))
    assert value == 1.0 + 10.0 * 2.0
    np.testing.assert_allclose(gradient, [1.0, -2.0 + 10.0, 1.0 - 20.0, 10.0])



@pytest.mark.parametrize("call, message", [
    ("np.gradient(x)[0]", "needs one axis"),
    ("np.gradient(x, np.array([0.0, 1.0, 3.0]), axis=0)", "scalar spacing"),
    ("np.gradient(x, axis=0, edge_order=2)", "edge_order=1"),
])
def test_unsupported_gradient_forms_are_errors(call, message):
    f = function_from_source("f", f"def f(x):\n    return np.sum({call} ** 2)\n", {})
    with pytest.raises(AutodiffError, match=message):
        grad(f)(values((3, 4)))
    with pytest.raises(AutodiffError, match=message):
        jvp(f)((values((3, 4)),), (np.ones((3, 4)),))


def test_gradient_with_respect_to_the_spacing_is_an_error():
    f = function_from_source("f", "def f(x, h):\n    return np.sum(np.gradient(x, h))\n", {})
    with pytest.raises(AutodiffError, match="not to 'spacing'"):
        grad(f, wrt=(1,))(V1, 0.5)


def test_vector_norm_over_several_axes_is_an_error():
    f = function_from_source(
        "f", "def f(x):\n    return np.sum(np.linalg.vector_norm(x, axis=(0, 1)))\n", {})
    with pytest.raises(AutodiffError, match="several axes"):
        grad(f)(V3)
