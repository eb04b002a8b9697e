"""Rules of matrix decompositions beyond ``np.linalg.eigh`` and ``cholesky`` (in
``linalg.py``): ``np.linalg.svd`` and ``np.linalg.svdvals`` (NumPy 2; the derivative of
``svd(a, compute_uv=False)`` is reported, pointing to it).

The rules are written with NumPy functions that have rules of their own (products,
transposes, ``np.where``), so generated gradient code is differentiated again without
helpers. The singular values must be distinct and nonzero (where two are equal their
singular vectors are not unique and the pair contributes nothing, as for ``eigh``).

``full_matrices=True`` (NumPy's default) with a non-square matrix: the columns of ``u``
(rows of ``vh``) beyond the first ``min(m, n)`` are not unique; the gradient is supported
when nothing depends on them (their adjoints are zero), else it is a clear error, and
the tangent is an error (use ``full_matrices=False``).

``np.linalg.qr``: reduced mode, square or tall matrices of full rank (other modes and
wide matrices are reported).

``np.linalg.lstsq``: through the solution only, for matrices of full column rank.

``np.linalg.eig``/``eigvals``: where the eigenvalues are real and distinct (complex ones
are reported at run time).
"""

import numpy as np

from ..errors import AutodiffError
from .registry import adjoint, nondifferentiable, tangent


def svd_count(a, full_matrices=True, compute_uv=True, hermitian=False):
    """``np.linalg.svd`` gives three values; ``compute_uv=False`` (one array) is reported
    when the code is generated, with the function to call instead."""
    if compute_uv is False:
        raise AutodiffError("the derivative of np.linalg.svd(a, compute_uv=False) is not "
                            "supported: call np.linalg.svdvals(a) for the singular values")
    return 3


def svd_reduced_check(g_u, g_vh, k):
    """1.0, or an error where the adjoints of the columns of ``u`` (rows of ``vh``)
    beyond the first ``k`` are not zero (``full_matrices=True`` of a non-square matrix:
    those singular vectors are not unique).

    >>> svd_reduced_check(np.zeros((3, 3)), np.zeros((2, 2)), 2)
    1.0
    """
    if np.any(np.asarray(g_u)[..., k:] != 0) or np.any(np.asarray(g_vh)[..., k:, :] != 0):
        raise AutodiffError("np.linalg.svd(a) of a non-square matrix (full_matrices=True): "
                            "the result depends on singular vectors beyond min(m, n), which "
                            "are not unique; use full_matrices=False")
    return 1.0


def svd_tangent_check(shape, full_matrices):
    """1.0, or an error for the tangent of ``full_matrices=True`` of a non-square matrix.

    >>> svd_tangent_check((2, 2), True)
    1.0
    """
    if full_matrices and shape[-1] != shape[-2]:
        raise AutodiffError("the tangent of np.linalg.svd(a) of a non-square matrix with "
                            "full_matrices=True is not supported (the extra singular vectors "
                            "are not unique); use full_matrices=False")
    return 1.0


nondifferentiable(svd_reduced_check, svd_tangent_check)


@adjoint(np.linalg.svd, outputs=svd_count)
def svd(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """For ``a = u @ diag(s) @ vh`` (reduced, ``k = min(m, n)``) and ``f[i, j] = 1 /
    (s[j]**2 - s[i]**2)`` off the diagonal: ``u @ (J s + diag(g_s) + s K) @ vh`` with
    ``J = f * (u.T g_u - g_u.T u)`` and ``K = f * (v.T g_v - g_v.T v)``, plus the parts
    of ``g_u`` and ``g_v`` outside the spans of ``u`` and ``v``."""
    s = ans[1]
    k = np.shape(s)[-1]
    u = ans[0][..., :k]
    vh = ans[2][..., :k, :]
    ut = np.swapaxes(u, -1, -2)
    v = np.swapaxes(vh, -1, -2)
    g_u = g[0][..., :k] * svd_reduced_check(g[0], g[2], k)
    g_v = np.swapaxes(g[2][..., :k, :], -1, -2)
    squares = s ** 2
    gaps = squares[..., None, :] - squares[..., :, None]
    f = 1.0 / np.where(gaps == 0, np.inf, gaps)
    j = f * (ut @ g_u - np.swapaxes(g_u, -1, -2) @ u)
    kk = f * (vh @ g_v - np.swapaxes(g_v, -1, -2) @ v)
    eye = np.eye(k, dtype=np.result_type(s))
    middle = j * s[..., None, :] + s[..., :, None] * kk + g[1][..., :, None] * eye
    return (u @ middle @ vh
            + (g_u - u @ (ut @ g_u)) / s[..., None, :] @ vh
            + u @ ((np.swapaxes(g_v, -1, -2) - (np.swapaxes(g_v, -1, -2) @ v) @ vh)
                   / s[..., :, None]))


@tangent(np.linalg.svd, outputs=3)
def svd_tangent(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    """With ``p = u.T @ da @ v``: ``ds = diag(p)``, ``du = u (f * (p s + s p.T)) + (da
    v - u p) / s`` and ``dv = v (f * (s p + p.T s)) + (da.T u - v p.T) / s``."""
    s = ans[1]
    k = np.shape(s)[-1]
    u = ans[0][..., :k]
    vh = ans[2][..., :k, :]
    ut = np.swapaxes(u, -1, -2)
    v = np.swapaxes(vh, -1, -2)
    da = g * svd_tangent_check(np.shape(a), full_matrices)
    p = ut @ da @ v
    pt = np.swapaxes(p, -1, -2)
    squares = s ** 2
    gaps = squares[..., None, :] - squares[..., :, None]
    f = 1.0 / np.where(gaps == 0, np.inf, gaps)
    du = (u @ (f * (p * s[..., None, :] + s[..., :, None] * pt))
          + (da @ v - u @ p) / s[..., None, :])
    dv = (v @ (f * (s[..., :, None] * p + pt * s[..., None, :]))
          + (np.swapaxes(da, -1, -2) @ u - v @ pt) / s[..., None, :])
    return du, np.diagonal(p, axis1=-2, axis2=-1).copy(), np.swapaxes(dv, -1, -2)


# ----- QR -------------------------------------------------------------------------------


def qr_count(a, mode="reduced"):
    """``np.linalg.qr`` gives ``(q, r)``; other modes are reported when the code is
    generated."""
    if mode not in ("reduced", None):
        raise AutodiffError(f"the derivative of np.linalg.qr with mode={mode!r} is not "
                            f"supported (mode='reduced' is)")
    return 2


def qr_check(shape):
    """1.0, or an error for a wide matrix (more columns than rows: its ``r`` is not
    square, the rule needs it invertible).

    >>> qr_check((3, 2))
    1.0
    """
    if shape[-2] < shape[-1]:
        raise AutodiffError("the derivative of np.linalg.qr of a matrix with more columns "
                            "than rows is not supported")
    return 1.0


nondifferentiable(qr_check)


@adjoint(np.linalg.qr, outputs=qr_count)
def qr(g, ans, a, mode="reduced"):
    """Reduced QR of a square or tall ``a`` of full rank: with ``m = r @ g_r.T - g_q.T @
    q`` made symmetric from its lower triangle, ``(g_q + q @ m) @ inv(r).T``."""
    q = ans[0]
    r = ans[1] * qr_check(np.shape(a))
    m = r @ np.swapaxes(g[1], -1, -2) - np.swapaxes(g[0], -1, -2) @ q
    m = np.tril(m) + np.swapaxes(np.tril(m, -1), -1, -2)
    return np.swapaxes(np.linalg.solve(r, np.swapaxes(g[0] + q @ m, -1, -2)), -1, -2)


@tangent(np.linalg.qr, outputs=2)
def qr_tangent(g, ans, a, mode="reduced"):
    """With ``x = q.T @ da @ inv(r)`` and ``w`` its strictly lower part minus that
    part's transpose: ``dq = q @ w + (da @ inv(r) - q @ x)`` and ``dr = (x - w) @ r``."""
    q = ans[0]
    r = ans[1] * qr_check(np.shape(a))
    da_r = np.swapaxes(np.linalg.solve(np.swapaxes(r, -1, -2), np.swapaxes(g, -1, -2)), -1, -2)
    x = np.swapaxes(q, -1, -2) @ da_r
    w = np.tril(x, -1) - np.swapaxes(np.tril(x, -1), -1, -2)
    return q @ w + da_r - q @ x, (x - w) @ r


# ----- least squares --------------------------------------------------------------------


def lstsq_check(a, g_residuals, g_s):
    """1.0, or an error where the result depends on more than the solution (the
    residuals or the singular values are differentiated) or ``a`` has more columns
    than rows.

    >>> lstsq_check(np.zeros((3, 2)), np.zeros(1), np.zeros(2))
    1.0
    """
    if np.shape(a)[-2] < np.shape(a)[-1]:
        raise AutodiffError("the derivative of np.linalg.lstsq is supported for a matrix "
                            "with at least as many rows as columns (of full column rank)")
    if np.any(np.asarray(g_residuals) != 0) or np.any(np.asarray(g_s) != 0):
        raise AutodiffError("the derivative of np.linalg.lstsq is supported through the "
                            "solution (its first result) only, not the residuals or the "
                            "singular values")
    return 1.0


nondifferentiable(lstsq_check)


@adjoint(np.linalg.lstsq, outputs=4)
def lstsq(g, ans, a, b, rcond=None):
    """Through the solution ``x`` only, for ``a`` of full column rank: with ``z =
    solve(a.T a, g_x)`` and ``r = b - a x``, ``a``'s adjoint is ``r z.T - (a z) x.T`` and
    ``b``'s is ``a z``. ``rcond`` is a constant."""
    n = np.shape(a)[-1]
    x = np.reshape(ans[0], (n, -1))
    z = np.linalg.solve(a.T @ a, np.reshape(g[0], (n, -1))) * lstsq_check(a, g[1], g[3])
    r = np.reshape(b, (np.shape(a)[0], -1)) - a @ x
    return r @ z.T - (a @ z) @ x.T, np.reshape(a @ z, np.shape(b)), None


@tangent(np.linalg.lstsq, outputs=4)
def lstsq_tangent(g, ans, a, b, rcond=None):
    """With respect to ``a`` (forward mode takes the tangents of a function of several
    results with respect to its first argument only; ``b``'s is reported), of the
    solution only (the residuals' and singular values' are reported where used): from
    the normal equations, ``dx = solve(a.T a, da.T r - a.T da x)``."""
    n = np.shape(a)[-1]
    x = np.reshape(ans[0], (n, -1))
    r = np.reshape(b, (np.shape(a)[0], -1)) - a @ x
    dx = np.linalg.solve(a.T @ a, g.T @ r - a.T @ (g @ x))
    return (np.reshape(dx, np.shape(ans[0])),
            np.zeros_like(ans[1]) * lstsq_check(a, 1.0, 0.0),
            None, np.zeros_like(ans[3]) * lstsq_check(a, 1.0, 0.0))


# ----- eigendecomposition of a general matrix (real eigenvalues) ------------------------

# NumPy releases after 2.4 give complex arrays from eig/eigvals even for a real spectrum:
# the rules below are registered only where a real spectrum comes back real
EIG_IS_REAL = not np.iscomplexobj(np.linalg.eigvals(np.array([[2.0, 0.0], [0.0, 1.0]])))


def _where_eig_is_real(register):
    """``register`` where NumPy's eig gives real arrays for a real spectrum, else a
    decorator that leaves the rule unregistered (a missing-rule error names eig)."""
    return register if EIG_IS_REAL else (lambda *args, **kwargs: (lambda rule: rule))



def eig_real_check(w):
    """1.0, or an error where ``np.linalg.eig`` gave complex eigenvalues.

    >>> eig_real_check(np.array([1.0, 2.0]))
    1.0
    """
    if np.iscomplexobj(w):
        raise AutodiffError("the derivative of np.linalg.eig and np.linalg.eigvals is "
                            "supported where the eigenvalues are real; these are complex")
    return 1.0


nondifferentiable(eig_real_check)


@_where_eig_is_real(adjoint)(np.linalg.eig, outputs=2)
def eig(g, ans, a):
    """Real, distinct eigenvalues ``w`` and unit eigenvectors ``v`` (``a v = v
    diag(w)``): with ``f[i, j] = 1 / (w[j] - w[i])`` off the diagonal and ``d`` the
    column sums of ``g_v * v`` (the unit norms), ``inv(v).T @ (diag(g_w) + f * (v.T @
    (g_v - v * d))) @ v.T``."""
    w = ans[0] * eig_real_check(ans[0])
    v = ans[1]
    gaps = w[..., None, :] - w[..., :, None]
    f = 1.0 / np.where(gaps == 0, np.inf, gaps)
    g_p = g[1] - v * np.sum(g[1] * v, axis=-2, keepdims=True)
    eye = np.eye(np.shape(w)[-1], dtype=np.result_type(v))
    middle = f * (np.swapaxes(v, -1, -2) @ g_p) + g[0][..., :, None] * eye
    return np.linalg.solve(np.swapaxes(v, -1, -2), middle @ np.swapaxes(v, -1, -2))


@_where_eig_is_real(tangent)(np.linalg.eig, outputs=2)
def eig_tangent(g, ans, a):
    """With ``m = inv(v) @ da @ v``: ``dw = diag(m)`` and ``dv = p - v * colsum(v * p)``
    for ``p = v @ (f * m)`` (keeping the eigenvectors' unit norms)."""
    w = ans[0] * eig_real_check(ans[0])
    v = ans[1]
    gaps = w[..., None, :] - w[..., :, None]
    f = 1.0 / np.where(gaps == 0, np.inf, gaps)
    m = np.linalg.solve(v, g @ v)
    p = v @ (f * m)
    return (np.diagonal(m, axis1=-2, axis2=-1).copy(),
            p - v * np.sum(v * p, axis=-2, keepdims=True))


@_where_eig_is_real(adjoint)(np.linalg.eigvals)
def eigvals(g, ans, a):
    """``inv(v).T @ diag(g) @ v.T`` with ``v`` the eigenvectors (real eigenvalues)."""
    return np.linalg.solve(np.swapaxes(np.linalg.eig(a)[1], -1, -2),
                           (g * eig_real_check(ans))[..., :, None]
                           * np.swapaxes(np.linalg.eig(a)[1], -1, -2))


@_where_eig_is_real(tangent)(np.linalg.eigvals)
def eigvals_tangent(g, ans, a):
    """``diag(inv(v) @ da @ v)``."""
    return np.diagonal(np.linalg.solve(np.linalg.eig(a)[1], g @ np.linalg.eig(a)[1]),
                       axis1=-2, axis2=-1).copy() * eig_real_check(ans)


if hasattr(np.linalg, "svdvals"):  # NumPy 2

    @adjoint(np.linalg.svdvals)
    def svdvals(g, ans, x):
        """The singular values alone: ``u @ diag(g) @ vh`` of the reduced SVD."""
        return ((np.linalg.svd(x, full_matrices=False)[0] * g[..., None, :])
                @ np.linalg.svd(x, full_matrices=False)[2])

    @tangent(np.linalg.svdvals)
    def svdvals_tangent(g, ans, x):
        """``diag(u.T @ dx @ v)``."""
        return np.sum((np.swapaxes(np.linalg.svd(x, full_matrices=False)[0], -1, -2) @ g)
                      * np.linalg.svd(x, full_matrices=False)[2], axis=-1)
