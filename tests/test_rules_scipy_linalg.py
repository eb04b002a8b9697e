"""Sweeps of the scipy.linalg rules (rules/scipy_linalg.py): the Cholesky factor (upper by
default), triangular solves in every form, ``cho_solve`` and ``expm``, against finite
differences; and the rules are found lazily once scipy.linalg is imported."""

import numpy as np
import scipy
import scipy.linalg
from scipy import linalg
from sweep import case, sweep_tests, values

import autodiff_ast
from autodiff_ast.testing import check_grads

NS = {"linalg": linalg}


def symmetric_positive(n, seed=0):
    a = values((n, n), seed=seed)
    return a @ a.T + n * np.eye(n)


def both_triangles(n, seed=0):
    """A matrix whose triangles are both well conditioned, and both set: a triangular
    solve reads one of them only."""
    return values((n, n), seed=seed) + 4 * np.eye(n)


def _cholesky_cases():
    x = values((3, 3), seed=1) + 4 * np.eye(3)  # x @ x.T is well conditioned
    return [
        case(linalg.cholesky, "linalg.cholesky(x @ x.T)", x=x, namespace=NS),
        case(linalg.cholesky, "linalg.cholesky(x @ x.T, lower=True)", x=x,
             namespace=NS),
        case(linalg.cholesky, "linalg.cholesky((x + x.T) / 2, lower=False)",
             x=symmetric_positive(4), namespace=NS),
        case(linalg.cholesky, "linalg.cholesky((x + x.T) / 2, True)", x=symmetric_positive(2),
             namespace=NS),
    ]


def _solve_triangular_cases():
    cases = []
    for options in ("", "lower=True", "trans=1", "trans='T', lower=True",
                    "lower=True, unit_diagonal=True", "trans=1, unit_diagonal=True",
                    "trans='N'", "trans=2, lower=False"):
        call = f"linalg.solve_triangular(a, b, {options})" if options else \
            "linalg.solve_triangular(a, b)"
        for b_shape in ((3,), (3, 2)):
            cases.append(case(linalg.solve_triangular, call, a=both_triangles(3),
                              b=values(b_shape, seed=2), namespace=NS))
    cases.append(case(linalg.solve_triangular, "linalg.solve_triangular(a, b, lower=True)",
                      wrt=("b",), a=both_triangles(4), b=values((4, 3), seed=3), namespace=NS))
    return cases


def _cho_solve_cases():
    c = values((3, 3), seed=4) + 4 * np.eye(3)  # both triangles set: one is read
    return [
        case(linalg.cho_solve, "linalg.cho_solve((c, True), b)", c=c, b=values((3,), seed=5),
             namespace=NS),
        case(linalg.cho_solve, "linalg.cho_solve((c, False), b)", c=c, b=values((3, 2), seed=5),
             namespace=NS),
        case(linalg.cho_solve, "linalg.cho_solve((c, True), b)", wrt=("c",), c=c,
             b=values((3, 2), seed=6), namespace=NS),
        # the factor of a matrix made in the function, as users write it
        case(linalg.cho_solve,
             "linalg.cho_solve((linalg.cholesky(x @ x.T + np.outer(y, y)), False), y)",
             x=values((3, 3), seed=1) + 4 * np.eye(3), y=values((3,), seed=7), namespace=NS),
    ]


def _expm_cases():
    return [
        case(linalg.expm, "linalg.expm(x)", x=values((1, 1), seed=1), namespace=NS),
        case(linalg.expm, "linalg.expm(x)", x=values((3, 3), -1.0, 1.0, seed=1), namespace=NS),
        case(linalg.expm, "linalg.expm(x - x.T)", x=values((4, 4), seed=2), namespace=NS),
        case(linalg.expm, "linalg.expm(x)", x=values((2, 3, 3), -1.0, 1.0, seed=3), namespace=NS),
        case(linalg.expm, "linalg.expm(x * t)", wrt=("t",), x=values((3, 3), -1.0, 1.0, seed=4),
             t=0.7, namespace=NS),
    ]


def _sqrtm_cases():
    a, b = values((3, 3), seed=12) + 4 * np.eye(3), values((3, 3), seed=13) + 3 * np.eye(3)
    return [
        case(linalg.sqrtm, "linalg.sqrtm(x)", x=symmetric_positive(3, seed=14), namespace=NS),
        case(linalg.sqrtm, "linalg.sqrtm(x @ x.T)", x=values((2, 2), seed=15) + 3 * np.eye(2),
             namespace=NS),
        case(linalg.sqrtm, "linalg.sqrtm(x)", x=a, namespace=NS),  # not symmetric
        case(linalg.solve_sylvester, "linalg.solve_sylvester(a, b, q)", a=a, b=b,
             q=values((3, 3), seed=16), namespace=NS),
        case(linalg.solve_sylvester, "linalg.solve_sylvester(a, b, q)", wrt=("q",),
             a=a[:2, :2], b=b, q=values((2, 3), seed=17), namespace=NS),
    ]


CASES = [
    *_cholesky_cases(),
    *_sqrtm_cases(),
    *_cho_solve_cases(),
    *_expm_cases(),
    *_solve_triangular_cases(),
]

# With SciPy before 1.16 (what Python 3.10 installs) sqrtm's gradient of a float32
# matrix that is not symmetric comes out complex64 (noted as a known gap): sqrtm's
# float32 cases run with SciPy 1.16 and newer
SQRTM_KEEPS_FLOAT32 = tuple(int(p) for p in scipy.__version__.split(".")[:2]) >= (1, 16)
FLOAT32 = [c for c in CASES if SQRTM_KEEPS_FLOAT32 or c.primal is not linalg.sqrtm]
test_gradient, test_float32, test_tangent = sweep_tests(CASES, float32=FLOAT32)


# ----- how user code calls them, against known values -----------------------------------

def trace_of_flow(t, x):
    return np.trace(scipy.linalg.expm(t * x))


def test_expm_gradient_in_time_is_the_trace_of_x_times_the_flow():
    x = values((3, 3), -1.0, 1.0, seed=9)
    dt = check_grads(trace_of_flow, 0.4, x, wrt=0)
    np.testing.assert_allclose(dt, np.trace(x @ linalg.expm(0.4 * x)), rtol=1e-10)
    value, dt2 = autodiff_ast.value_and_grad(trace_of_flow)(0.4, x)
    np.testing.assert_allclose(value, np.trace(linalg.expm(0.4 * x)), rtol=1e-12)
    np.testing.assert_allclose(dt2, dt, rtol=1e-12)


def upper_factor_entry(a):
    return scipy.linalg.cholesky(a)[0, 0]  # sqrt(a[0, 0]): lower=False by default


def test_cholesky_is_upper_by_default():
    a = symmetric_positive(3)
    value, da = autodiff_ast.value_and_grad(upper_factor_entry)(a)
    np.testing.assert_allclose(value, np.sqrt(a[0, 0]), rtol=1e-12)
    expected = np.zeros((3, 3))
    expected[0, 0] = 0.5 / np.sqrt(a[0, 0])
    np.testing.assert_allclose(da, expected, atol=1e-12)


def gaussian_quadratic(x, y):
    a = x @ x.T + np.eye(3)
    return y @ linalg.cho_solve((linalg.cholesky(a, lower=True), True), y)


def test_cho_solve_of_a_factor_matches_solve():
    x, y = values((3, 3), seed=10), values((3,), seed=11)
    a = x @ x.T + np.eye(3)
    dx, dy = check_grads(gaussian_quadratic, x, y, wrt=(0, 1))
    np.testing.assert_allclose(dy, 2 * np.linalg.solve(a, y), rtol=1e-10)
    z = np.linalg.solve(a, y)
    np.testing.assert_allclose(dx, -2 * np.outer(z, z) @ x, rtol=1e-10)
