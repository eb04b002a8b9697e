"""Sweeps of the scipy.linalg rules (rules/scipy_linalg.py): the Cholesky factor (upper by
default), triangular solves in every form, ``cho_solve`` and ``expm``, against finite
differences; and the rules are found lazily once scipy.linalg is imported."""

import numpy as np
import pytest
import scipy.linalg
from scipy import linalg
from sweep import case, sweep_tests, values

import autodiff_ast
from autodiff_ast.testing import check_grads

NS = {"linalg": linalg}


def symmetric_positive(n, seed=0):
    a = values((n, n), seed=seed)
    return a @ a.T + n * np.eye(n)


def triangular(n, lower, seed=0):
    """A well-conditioned triangular matrix (with noise in the other triangle, which the
    solves do not read)."""
    a = values((n, n), seed=seed) + 4 * np.eye(n)
    return a


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
            cases.append(case(linalg.solve_triangular, call, a=triangular(3, True),
                              b=values(b_shape, seed=2), namespace=NS))
    cases.append(case(linalg.solve_triangular, "linalg.solve_triangular(a, b, lower=True)",
                      wrt=("b",), a=triangular(4, True), b=values((4, 3), seed=3), namespace=NS))
    return cases


CASES = [
    *_cholesky_cases(),
    *_solve_triangular_cases(),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)
