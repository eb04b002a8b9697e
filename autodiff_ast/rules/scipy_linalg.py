"""Rules of ``scipy.linalg``: ``cholesky`` (upper triangular by default), ``cho_solve``,
``solve_triangular`` and ``expm``.

Like ``scipy_special``, this module imports SciPy and is registered lazily, the first
time a rule lookup misses once ``scipy.linalg`` is imported (``registry.LAZY_RULES``).

The factor and the solves read one triangle of their matrix argument only, so their
gradients in it are of that triangle (the other is zero), except ``cholesky``'s, which is
the symmetric gradient as for ``np.linalg.cholesky`` (use it through a symmetric matrix).
Every rule is written with NumPy and SciPy functions that have rules themselves, so the
generated code can be differentiated again.
"""

import numpy as np
from scipy import linalg

from ..runtime import matmul_lhs
from .registry import adjoint, tangent


# ----- the Cholesky factor --------------------------------------------------------------

@adjoint(linalg.cholesky)
def cholesky(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    """``a = l @ l.T`` with ``ans = l`` (``lower=True``) or ``l.T`` (the default): ``a``'s
    adjoint is ``s = inv(l).T @ phi(l.T @ g_l) @ inv(l)`` with ``phi`` keeping the lower
    triangle and halving the diagonal, made symmetric (as ``np.linalg.cholesky``'s)."""
    if lower:
        l_inv_t = np.swapaxes(np.linalg.inv(ans), -1, -2)
        lower_t_g = np.swapaxes(ans, -1, -2) @ g
    else:  # ans = l.T
        l_inv_t = np.linalg.inv(ans)
        lower_t_g = ans @ np.swapaxes(g, -1, -2)
    phi = 0.5 * (np.tril(lower_t_g) + np.tril(lower_t_g, -1))
    s = l_inv_t @ phi @ np.swapaxes(l_inv_t, -1, -2)
    return 0.5 * (s + np.swapaxes(s, -1, -2)), None, None


@tangent(linalg.cholesky)
def cholesky_tangent(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    """``dl = l @ phi(inv(l) @ da @ inv(l).T)`` for the symmetric part of ``da``,
    transposed for the upper factor."""
    if lower:
        factor = ans
    else:
        factor = np.swapaxes(ans, -1, -2)
    m = np.linalg.solve(factor, np.swapaxes(np.linalg.solve(factor, g), -1, -2))
    dl = factor @ (0.5 * (np.tril(m) + np.tril(np.swapaxes(m, -1, -2), -1)))
    if lower:
        return dl
    return np.swapaxes(dl, -1, -2)


# ----- triangular solves ----------------------------------------------------------------

@adjoint(linalg.solve_triangular)
def solve_triangular(g, ans, a, b, trans=0, lower=False, unit_diagonal=False,
                     overwrite_b=False, check_finite=True):
    """``ans = solve(op(a), b)`` with ``op(a)`` the triangle of ``a`` that is read
    (transposed for ``trans``): ``b``'s adjoint is ``gb = solve(op(a).T, g)``, and
    ``op(a)``'s is ``-gb @ ans.T``, kept on the triangle (strictly below or above the
    diagonal with ``unit_diagonal``)."""
    if trans in (1, 2, "T", "C"):
        gb = linalg.solve_triangular(a, g, trans=0, lower=lower, unit_diagonal=unit_diagonal)
        ga = -np.swapaxes(matmul_lhs(gb, a, ans), -1, -2)
    else:
        gb = linalg.solve_triangular(a, g, trans=1, lower=lower, unit_diagonal=unit_diagonal)
        ga = -matmul_lhs(gb, a, ans)
    if lower:
        return np.tril(ga, -1 if unit_diagonal else 0), gb, None, None, None, None, None
    return np.triu(ga, 1 if unit_diagonal else 0), gb, None, None, None, None, None


@tangent(linalg.solve_triangular)
def solve_triangular_tangent(g, ans, a, b, trans=0, lower=False, unit_diagonal=False,
                             overwrite_b=False, check_finite=True):
    """``op(a) @ ans = b``: ``d ans = solve(op(a), db - op(da) @ ans)``, ``da`` on the
    triangle that is read."""
    if lower:
        da = np.tril(g[0], -1 if unit_diagonal else 0)
    else:
        da = np.triu(g[0], 1 if unit_diagonal else 0)
    if trans in (1, 2, "T", "C"):
        da = np.swapaxes(da, -1, -2)
    return (-linalg.solve_triangular(a, da @ ans, trans=trans, lower=lower,
                                     unit_diagonal=unit_diagonal),
            linalg.solve_triangular(a, g[1], trans=trans, lower=lower,
                                    unit_diagonal=unit_diagonal),
            None, None, None, None, None)
