"""Rules of ``scipy.linalg``: ``cholesky`` (upper triangular by default), ``cho_solve``,
``solve_triangular``, ``expm`` (by the block-matrix Fréchet derivative), ``sqrtm`` and the
``solve_sylvester`` its derivative solves.

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


# ----- solves with a Cholesky factor ----------------------------------------------------

@adjoint(linalg.cho_solve)
def cho_solve(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    """``ans = solve(a, b)`` with ``a = l @ l.T`` (``lower``) or ``u.T @ u``, the factor
    the triangle of ``c`` that is read: ``b``'s adjoint is ``gb = cho_solve(c_and_lower,
    g)`` (``a`` is symmetric), ``a``'s is ``ga = -gb @ ans.T``, and the factor's is
    ``tril((ga + ga.T) @ l)`` (or ``triu(u @ (ga + ga.T))``). The pair is written out in
    the call (``cho_solve((c, True), b)``): its factor gets that adjoint, the flag none."""
    c = c_and_lower[0]
    gb = linalg.cho_solve(c_and_lower, g)
    ga = -matmul_lhs(gb, c, ans)
    both = ga + np.swapaxes(ga, -1, -2)
    if c_and_lower[1]:
        return (np.tril(both @ np.tril(c)), None), gb, None, None
    return (np.triu(np.triu(c) @ both), None), gb, None, None


@tangent(linalg.cho_solve)
def cho_solve_tangent(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    """``a @ ans = b``: ``d ans = solve(a, db - da @ ans)`` with ``da = dl @ l.T + l @
    dl.T`` from the factor's tangent on the triangle that is read."""
    c = c_and_lower[0]
    if c_and_lower[1]:
        factor = np.tril(c)
        factor_dot = np.tril(g[0][0])
        da = factor_dot @ np.swapaxes(factor, -1, -2) + factor @ np.swapaxes(factor_dot, -1, -2)
    else:
        factor = np.triu(c)
        factor_dot = np.triu(g[0][0])
        da = np.swapaxes(factor_dot, -1, -2) @ factor + np.swapaxes(factor, -1, -2) @ factor_dot
    return (-linalg.cho_solve(c_and_lower, da @ ans), linalg.cho_solve(c_and_lower, g[1]),
            None, None)


# ----- the matrix exponential -----------------------------------------------------------

@adjoint(linalg.expm)
def expm(g, ans, A):
    """The Fréchet derivative ``L(A, E)`` of ``expm`` is the upper right block of
    ``expm([[A, E], [0, A]])``, and the adjoint is ``L(A.T, g)``: one exponential of a
    matrix twice the size (stacks of matrices too)."""
    a_t = np.swapaxes(A, -1, -2)
    n = np.shape(A)[-1]
    top = np.concatenate([a_t, g], axis=-1)
    bottom = np.concatenate([np.zeros_like(A), a_t], axis=-1)
    return linalg.expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


@tangent(linalg.expm)
def expm_tangent(g, ans, A):
    """``L(A, A_dot)``: the upper right block of ``expm([[A, A_dot], [0, A]])``."""
    n = np.shape(A)[-1]
    top = np.concatenate([A, g], axis=-1)
    bottom = np.concatenate([np.zeros_like(A), A], axis=-1)
    return linalg.expm(np.concatenate([top, bottom], axis=-2))[..., :n, n:]


# ----- the matrix square root and the Sylvester equation it differentiates by ------------

@adjoint(linalg.solve_sylvester)
def solve_sylvester(g, ans, a, b, q):
    """``ans = x`` solves ``a @ x + x @ b = q``: ``q``'s adjoint ``gq`` solves the
    transposed equation ``a.T @ gq + gq @ b.T = g``, and ``a``'s and ``b``'s are those of
    the products: ``-gq @ x.T`` and ``-x.T @ gq``."""
    gq = linalg.solve_sylvester(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), g)
    return -gq @ np.swapaxes(ans, -1, -2), -np.swapaxes(ans, -1, -2) @ gq, gq


@tangent(linalg.solve_sylvester)
def solve_sylvester_tangent(g, ans, a, b, q):
    """``da @ x + a @ dx + dx @ b + x @ db = dq``: ``dx`` solves ``a @ dx + dx @ b = dq -
    da @ x - x @ db``, one term per argument."""
    return (-linalg.solve_sylvester(a, b, g[0] @ ans), -linalg.solve_sylvester(a, b, ans @ g[1]),
            linalg.solve_sylvester(a, b, g[2]))


@adjoint(linalg.sqrtm)
def sqrtm(g, ans, A, disp=None, blocksize=None):
    """``x = sqrtm(A)`` satisfies ``x @ x = A``, so ``x @ dx + dx @ x = dA``: the adjoint
    solves the transposed Sylvester equation ``x.T @ gA + gA @ x.T = g`` (for real
    square roots: ``A`` without eigenvalues on the negative real axis)."""
    x_t = np.swapaxes(ans, -1, -2)
    return linalg.solve_sylvester(x_t, x_t, g), None, None


@tangent(linalg.sqrtm)
def sqrtm_tangent(g, ans, A, disp=None, blocksize=None):
    """``dx`` solves ``x @ dx + dx @ x = dA``."""
    return linalg.solve_sylvester(ans, ans, g)
