"""Sweeps of ``np.linalg.svd`` (``autodiff_ast/rules/linalg_decompositions.py``): reduced
and full (square) decompositions, singular values alone, tall and wide matrices, stacks;
``test_second_order.py`` runs these cases in forward-over-reverse and reverse-over-reverse
mode too. Functions of the singular vectors are chosen invariant to their signs."""

import numpy as np
import pytest

from autodiff_ast import grad, value_and_grad
from autodiff_ast.errors import AutodiffError
from autodiff_ast.rules import linalg_decompositions
from autodiff_ast.transforms import jvp
from sweep import case, function_from_source, run_case, run_float32, sweep_tests, values

HELPERS = {"eig_real_check": linalg_decompositions.eig_real_check,
           "lstsq_check": linalg_decompositions.lstsq_check,
           "qr_check": linalg_decompositions.qr_check,
           "svd_reduced_check": linalg_decompositions.svd_reduced_check,
           "svd_tangent_check": linalg_decompositions.svd_tangent_check}
# real, distinct eigenvalues (a diagonal of 1, 2.5, 4 moved a little)
REAL_EIG = np.diag([1.0, 2.5, 4.0]) + 0.3 * np.random.default_rng(0).uniform(-1, 1, (3, 3))
TALL, WIDE, SQUARE = values((4, 3), seed=1), values((3, 5), seed=2), values((3, 3), seed=3)

CASES = [
    case(linalg_decompositions.svd_reduced_check,
         "x * svd_reduced_check(np.zeros((2, 2)), np.zeros((2, 2)), 2)", namespace=HELPERS,
         x=values((3,))),
    case(linalg_decompositions.svd_tangent_check, "x * svd_tangent_check((2, 2), True)",
         namespace=HELPERS, x=values((3,))),
    case(linalg_decompositions.qr_check, "x * qr_check((3, 2))", namespace=HELPERS,
         x=values((3,))),
    case(np.linalg.qr, "np.linalg.qr(x)[0] * np.sign(np.diag(np.linalg.qr(x)[1]))", x=SQUARE),
    case(np.linalg.qr, "np.linalg.qr(x)[1]", x=TALL),
    case(np.linalg.qr, "np.linalg.qr(x)[0]", x=TALL),
    case(np.linalg.qr, "np.linalg.qr(x, mode='reduced')[0] @ np.linalg.qr(x)[1] ** 2", x=TALL),
    case(linalg_decompositions.lstsq_check,
         "x * lstsq_check(np.zeros((3, 2)), np.zeros(1), np.zeros(2))", namespace=HELPERS,
         x=values((3,))),
    case(np.linalg.lstsq, "np.linalg.lstsq(a, b)[0]", a=TALL, b=values((4,), seed=6),
         wrt=("a",)),
    case(np.linalg.lstsq, "np.linalg.lstsq(a, b, rcond=None)[0]", a=TALL,
         b=values((4, 2), seed=6), wrt=("a",)),
    case(np.linalg.lstsq, "np.linalg.lstsq(a, b)[0] ** 2", a=SQUARE, b=values((3,), seed=6),
         wrt=("a",)),
    case(linalg_decompositions.eig_real_check, "x * eig_real_check(np.ones(2))",
         namespace=HELPERS, x=values((3,))),
    case(np.linalg.svdvals, "np.linalg.svdvals(x)", x=TALL),
    case(np.linalg.svdvals, "np.linalg.svdvals(x) ** 2", x=WIDE),
    case(np.linalg.svdvals, "np.linalg.svdvals(x)", x=values((2, 3, 2), seed=4)),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[1]", x=TALL),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[0] ** 2", x=TALL),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[2] ** 2", x=TALL),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[0] ** 2", x=WIDE),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[2] ** 2", x=WIDE),
    case(np.linalg.svd, "np.linalg.svd(x)[0] ** 2", x=SQUARE),
    case(np.linalg.svd, "np.linalg.svd(x)[2] ** 2 + np.linalg.svd(x)[1][:, None]", x=SQUARE),
    case(np.linalg.svd, "np.linalg.svd(x, full_matrices=False)[0] ** 2",
         x=values((2, 4, 3), seed=5)),
]

if linalg_decompositions.EIG_IS_REAL:  # the rules exist where NumPy's eig is real
    CASES += [
        case(np.linalg.eigvals, "np.linalg.eigvals(x)", x=REAL_EIG),
        case(np.linalg.eigvals, "np.linalg.eigvals(x) ** 2", x=REAL_EIG),
        case(np.linalg.eig, "np.linalg.eig(x)[0]", x=REAL_EIG),
        case(np.linalg.eig, "np.linalg.eig(x)[1] ** 2", x=REAL_EIG),
        case(np.linalg.eig, "np.linalg.eig(x)[1] ** 2 + np.linalg.eig(x)[0]", x=REAL_EIG),
    ]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)

# np.linalg.lstsq with respect to b: reverse mode (forward mode takes the tangents of a
# function of several results with respect to its first argument only)
LSTSQ_B = [
    case(np.linalg.lstsq, "np.linalg.lstsq(a, b)[0]", a=TALL, b=values((4,), seed=6)),
    case(np.linalg.lstsq, "np.linalg.lstsq(a, b)[0] ** 2", a=TALL, b=values((4, 2), seed=6),
         wrt=("b",)),
]


@pytest.mark.parametrize("c", LSTSQ_B, ids=lambda c: c.id)
def test_lstsq_gradient_with_respect_to_b(c):
    run_case(c)
    run_float32(c)


def test_full_matrices_of_a_non_square_matrix():
    """Only the singular values used: fine; the extra singular vectors used: an error."""
    values_only = function_from_source(
        "f", "def f(x):\n    u, s, vh = np.linalg.svd(x)\n    return np.sum(s ** 2)\n", {})
    value, gradient = value_and_grad(values_only)(TALL)
    np.testing.assert_allclose(value, np.sum(TALL ** 2), rtol=1e-10)
    np.testing.assert_allclose(gradient, 2 * TALL, rtol=1e-10)
    extra = function_from_source(
        "f", "def f(x):\n    u, s, vh = np.linalg.svd(x)\n"
             "    return np.sum(u ** 2 * np.arange(16.0).reshape(4, 4))\n", {})
    with pytest.raises(AutodiffError, match="full_matrices=False"):
        grad(extra)(TALL)
    with pytest.raises(AutodiffError, match="full_matrices=False"):
        jvp(values_only)((TALL,), (np.ones((4, 3)),))


def test_svd_without_singular_vectors_points_to_svdvals():
    f = function_from_source(
        "f", "def f(x):\n    return np.sum(np.linalg.svd(x, compute_uv=False))\n", {})
    with pytest.raises(AutodiffError, match="svdvals"):
        grad(f)(TALL)


@pytest.mark.parametrize("call, message", [
    ("np.linalg.qr(x, mode='complete')[0]", "mode='complete'"),
    ("np.linalg.qr(x.T)[1]", "more columns than rows"),
])
def test_unsupported_qr_forms_are_errors(call, message):
    f = function_from_source("f", f"def f(x):\n    return np.sum({call} ** 2)\n", {})
    with pytest.raises(AutodiffError, match=message):
        grad(f)(TALL)


def test_lstsq_through_the_residuals_is_an_error():
    f = function_from_source(
        "f", "def f(a, b):\n    x, res, rank, s = np.linalg.lstsq(a, b)\n"
             "    return np.sum(res) + np.sum(x)\n", {})
    with pytest.raises(AutodiffError, match="solution"):
        grad(f)(TALL, values((4,), seed=6))
    with pytest.raises(AutodiffError, match="solution"):
        jvp(f, wrt=(0,))((TALL, values((4,), seed=6)), (np.ones((4, 3)),))


@pytest.mark.skipif(not linalg_decompositions.EIG_IS_REAL,
                    reason="this NumPy's eig is complex for every matrix: no eig rules")
@pytest.mark.parametrize("call", ["np.linalg.eigvals(x)", "np.linalg.eig(x)[0]"])
def test_complex_eigenvalues_are_an_error(call):
    f = function_from_source("f", f"def f(x):\n    return np.sum(np.real({call}))\n", {})
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    with pytest.raises(AutodiffError, match="complex"):
        grad(f)(rotation)
