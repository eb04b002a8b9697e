"""Rules of linear algebra: products, decompositions-based functions and solvers."""

import ast

import numpy as np

from ..runtime import matmul_lhs, matmul_rhs
from .registry import adjoint


@adjoint(np.matmul, ast.MatMult)
def matmul(g, ans, x1, x2):
    """For matrices: ``g @ x2.T`` and ``x1.T @ g``; vectors and stacks of matrices too."""
    return matmul_lhs(g, x1, x2), matmul_rhs(g, x1, x2)
