"""Rules of the ``scipy.stats`` distributions as user code calls them, the methods of the
distribution objects: ``norm``, ``t``, ``gamma``, ``beta``, ``chi2`` and ``expon`` (``pdf``,
``logpdf``, ``cdf``, ``logcdf``), ``poisson`` (``pmf``, ``logpmf``), ``dirichlet`` and
``multivariate_normal`` (``pdf``, ``logpdf``), in the data and the parameters.

``scipy.stats.norm.logpdf`` is a bound method of the object ``scipy.stats.norm``: each
attribute access makes a new one, but bound methods of one object and function are equal
and hash alike, so the rule tables key them as they key functions (no special lookup).
Like ``scipy_special``, this module is registered lazily once ``scipy.stats`` is imported.

Each rule writes the derivative of the density's formula (``z = (x - loc) / scale``) with
NumPy and ``scipy.special`` functions that have rules, so the generated code can be
differentiated again. The distributions' functions broadcast their arguments, so forward
mode derives their tangents from these rules; ``dirichlet`` and ``multivariate_normal``
have tangent rules of their own. The derivatives of a CDF in a shape parameter (``t``'s
``df``, ``gamma``'s ``a``, ``beta``'s ``a`` and ``b``, ``chi2``'s ``df``) have no closed
form: differentiating one is a ``MissingRuleError`` naming it, as is differentiating a
Poisson count (a step function of an integer).
"""

import numpy as np
from scipy import special, stats
from scipy.special import digamma

from ..errors import InputError
from ..runtime import unbroadcast
from .registry import adjoint, given, tangent
from .scipy_special import no_derivative

HALF_LOG_2PI = 0.9189385332046727  # log(2 pi) / 2
SQRT_2PI = 2.5066282746310002  # sqrt(2 pi)
LOG_2 = 0.6931471805599453
COUNT = "it is a count (the function is a step function of it)"


# ----- the normal distribution ----------------------------------------------------------

@adjoint(stats.norm.logpdf, broadcasts=True)
def norm_logpdf(g, ans, x, loc=0, scale=1):
    """``-z**2 / 2 - log(scale) - log(2 pi) / 2``: ``-z / scale`` in ``x``, ``z / scale``
    in ``loc``, ``(z**2 - 1) / scale`` in ``scale``."""
    z = (x - loc) / scale
    return -g * z / scale, g * z / scale, g * (np.square(z) - 1) / scale


@adjoint(stats.norm.pdf, broadcasts=True)
def norm_pdf(g, ans, x, loc=0, scale=1):
    """The density times the log density's derivatives, from the result."""
    z = (x - loc) / scale
    return -g * ans * z / scale, g * ans * z / scale, g * ans * (np.square(z) - 1) / scale


@adjoint(stats.norm.cdf, broadcasts=True)
def norm_cdf(g, ans, x, loc=0, scale=1):
    """``ndtr(z)``: the density ``p = exp(-z**2 / 2) / (sqrt(2 pi) scale)`` in ``x``,
    ``-p`` in ``loc``, ``-p z`` in ``scale``."""
    z = (x - loc) / scale
    p = g * np.exp(-0.5 * np.square(z)) / (SQRT_2PI * scale)
    return p, -p, -p * z


@adjoint(stats.norm.logcdf, broadcasts=True)
def norm_logcdf(g, ans, x, loc=0, scale=1):
    """``log_ndtr(z)``: the density over the CDF, ``exp(-z**2 / 2 - ans)`` (in the log
    domain, finite in the lower tail), times ``1 / scale``, ``-1 / scale``, ``-z /
    scale``."""
    z = (x - loc) / scale
    r = g * np.exp(-0.5 * np.square(z) - ans) / (SQRT_2PI * scale)
    return r, -r, -r * z


# ----- the exponential distribution -----------------------------------------------------

@adjoint(stats.expon.logpdf, broadcasts=True)
def expon_logpdf(g, ans, x, loc=0, scale=1):
    """``-z - log(scale)`` on the support ``z >= 0``."""
    z = (x - loc) / scale
    return -g / scale, g / scale, g * (z - 1) / scale


@adjoint(stats.expon.pdf, broadcasts=True)
def expon_pdf(g, ans, x, loc=0, scale=1):
    """``exp(-z) / scale`` on the support (0 off it, where the result is 0 too)."""
    z = (x - loc) / scale
    return -g * ans / scale, g * ans / scale, g * ans * (z - 1) / scale


@adjoint(stats.expon.cdf, broadcasts=True)
def expon_cdf(g, ans, x, loc=0, scale=1):
    """``1 - exp(-z)`` on the support, 0 below it: the density ``(1 - ans) / scale`` in
    ``x`` where ``z >= 0``."""
    z = (x - loc) / scale
    p = g * (1 - ans) * (z >= 0) / scale
    return p, -p, -p * z


@adjoint(stats.expon.logcdf, broadcasts=True)
def expon_logcdf(g, ans, x, loc=0, scale=1):
    """``log(1 - exp(-z))``: ``1 / expm1(z)`` in ``z``."""
    z = (x - loc) / scale
    r = g / (np.expm1(z) * scale)
    return r, -r, -r * z


# ----- the gamma and chi-squared distributions ------------------------------------------

@adjoint(stats.gamma.logpdf, broadcasts=True)
def gamma_logpdf(g, ans, x, a, loc=0, scale=1):
    """``(a - 1) log z - z - gammaln(a) - log(scale)``."""
    z = (x - loc) / scale
    dz = g * ((a - 1) / z - 1) / scale
    return dz, g * (np.log(z) - digamma(a)), -dz, -(dz * z + g / scale)


@adjoint(stats.gamma.pdf, broadcasts=True)
def gamma_pdf(g, ans, x, a, loc=0, scale=1):
    """The density times the log density's derivatives."""
    z = (x - loc) / scale
    dz = g * ans * ((a - 1) / z - 1) / scale
    return dz, g * ans * (np.log(z) - digamma(a)), -dz, -(dz * z + g * ans / scale)


@adjoint(stats.gamma.cdf, broadcasts=True)
def gamma_cdf(g, ans, x, a, loc=0, scale=1):
    """``gammainc(a, z)``: the density in ``x``; not in the shape ``a``."""
    z = (x - loc) / scale
    p = g * np.exp((a - 1) * np.log(z) - z - special.gammaln(a)) / scale
    return p, no_derivative("the shape a of scipy.stats.gamma.cdf"), -p, -p * z


@adjoint(stats.gamma.logcdf, broadcasts=True)
def gamma_logcdf(g, ans, x, a, loc=0, scale=1):
    """``log(gammainc(a, z))``: the density over the CDF (in the log domain)."""
    z = (x - loc) / scale
    r = g * np.exp((a - 1) * np.log(z) - z - special.gammaln(a) - ans) / scale
    return r, no_derivative("the shape a of scipy.stats.gamma.logcdf"), -r, -r * z


@adjoint(stats.chi2.logpdf, broadcasts=True)
def chi2_logpdf(g, ans, x, df, loc=0, scale=1):
    """The gamma density with ``a = df / 2`` and scale 2: ``(df / 2 - 1) log z - z / 2 -
    (df / 2) log 2 - gammaln(df / 2) - log(scale)``."""
    z = (x - loc) / scale
    dz = g * ((0.5 * df - 1) / z - 0.5) / scale
    return dz, 0.5 * g * (np.log(z) - LOG_2 - digamma(0.5 * df)), -dz, -(dz * z + g / scale)


@adjoint(stats.chi2.pdf, broadcasts=True)
def chi2_pdf(g, ans, x, df, loc=0, scale=1):
    """The density times the log density's derivatives."""
    z = (x - loc) / scale
    dz = g * ans * ((0.5 * df - 1) / z - 0.5) / scale
    return (dz, 0.5 * g * ans * (np.log(z) - LOG_2 - digamma(0.5 * df)), -dz,
            -(dz * z + g * ans / scale))


@adjoint(stats.chi2.cdf, broadcasts=True)
def chi2_cdf(g, ans, x, df, loc=0, scale=1):
    """``gammainc(df / 2, z / 2)``: the density in ``x``; not in ``df``."""
    z = (x - loc) / scale
    p = g * np.exp((0.5 * df - 1) * np.log(0.5 * z) - 0.5 * z - special.gammaln(0.5 * df)) \
        / (2 * scale)
    return p, no_derivative("the degrees of freedom df of scipy.stats.chi2.cdf"), -p, -p * z


@adjoint(stats.chi2.logcdf, broadcasts=True)
def chi2_logcdf(g, ans, x, df, loc=0, scale=1):
    """The density over the CDF (in the log domain); not in ``df``."""
    z = (x - loc) / scale
    r = g * np.exp((0.5 * df - 1) * np.log(0.5 * z) - 0.5 * z - special.gammaln(0.5 * df)
                   - ans) / (2 * scale)
    return r, no_derivative("the degrees of freedom df of scipy.stats.chi2.logcdf"), -r, -r * z


# ----- Student's t ----------------------------------------------------------------------

@adjoint(stats.t.logpdf, broadcasts=True)
def t_logpdf(g, ans, x, df, loc=0, scale=1):
    """``log t(z; df) - log(scale)``: ``-(df + 1) z / (df + z**2)`` in ``z``, and in ``df``
    ``(digamma((df + 1) / 2) - digamma(df / 2) - 1 / df - log1p(z**2 / df) + (df + 1)
    z**2 / (df (df + z**2))) / 2``."""
    z = (x - loc) / scale
    z2 = np.square(z)
    dz = -g * (df + 1) * z / ((df + z2) * scale)
    ddf = 0.5 * g * (digamma(0.5 * (df + 1)) - digamma(0.5 * df) - 1 / df
                     - np.log1p(z2 / df) + (df + 1) * z2 / (df * (df + z2)))
    return dz, ddf, -dz, -(dz * z + g / scale)


@adjoint(stats.t.pdf, broadcasts=True)
def t_pdf(g, ans, x, df, loc=0, scale=1):
    """The density times the log density's derivatives."""
    z = (x - loc) / scale
    z2 = np.square(z)
    dz = -g * ans * (df + 1) * z / ((df + z2) * scale)
    ddf = 0.5 * g * ans * (digamma(0.5 * (df + 1)) - digamma(0.5 * df) - 1 / df
                           - np.log1p(z2 / df) + (df + 1) * z2 / (df * (df + z2)))
    return dz, ddf, -dz, -(dz * z + g * ans / scale)


@adjoint(stats.t.cdf, broadcasts=True)
def t_cdf(g, ans, x, df, loc=0, scale=1):
    """The density in ``x``; not in ``df``."""
    z = (x - loc) / scale
    log_density = (special.gammaln(0.5 * (df + 1)) - special.gammaln(0.5 * df)
                   - 0.5 * np.log(np.pi * df) - 0.5 * (df + 1) * np.log1p(np.square(z) / df))
    p = g * np.exp(log_density) / scale
    return p, no_derivative("the degrees of freedom df of scipy.stats.t.cdf"), -p, -p * z


@adjoint(stats.t.logcdf, broadcasts=True)
def t_logcdf(g, ans, x, df, loc=0, scale=1):
    """The density over the CDF (in the log domain); not in ``df``."""
    z = (x - loc) / scale
    log_density = (special.gammaln(0.5 * (df + 1)) - special.gammaln(0.5 * df)
                   - 0.5 * np.log(np.pi * df) - 0.5 * (df + 1) * np.log1p(np.square(z) / df))
    r = g * np.exp(log_density - ans) / scale
    return r, no_derivative("the degrees of freedom df of scipy.stats.t.logcdf"), -r, -r * z


# ----- the beta distribution ------------------------------------------------------------

@adjoint(stats.beta.logpdf, broadcasts=True)
def beta_logpdf(g, ans, x, a, b, loc=0, scale=1):
    """``(a - 1) log z + (b - 1) log(1 - z) - betaln(a, b) - log(scale)``."""
    z = (x - loc) / scale
    dz = g * ((a - 1) / z - (b - 1) / (1 - z)) / scale
    both = digamma(a + b)
    return (dz, g * (np.log(z) - digamma(a) + both), g * (np.log1p(-z) - digamma(b) + both),
            -dz, -(dz * z + g / scale))


@adjoint(stats.beta.pdf, broadcasts=True)
def beta_pdf(g, ans, x, a, b, loc=0, scale=1):
    """The density times the log density's derivatives."""
    z = (x - loc) / scale
    dz = g * ans * ((a - 1) / z - (b - 1) / (1 - z)) / scale
    both = digamma(a + b)
    return (dz, g * ans * (np.log(z) - digamma(a) + both),
            g * ans * (np.log1p(-z) - digamma(b) + both), -dz, -(dz * z + g * ans / scale))


@adjoint(stats.beta.cdf, broadcasts=True)
def beta_cdf(g, ans, x, a, b, loc=0, scale=1):
    """``betainc(a, b, z)``: the density in ``x``; not in ``a`` or ``b``."""
    z = (x - loc) / scale
    p = g * np.exp((a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - special.betaln(a, b)) / scale
    return (p, no_derivative("the shape a of scipy.stats.beta.cdf"),
            no_derivative("the shape b of scipy.stats.beta.cdf"), -p, -p * z)


@adjoint(stats.beta.logcdf, broadcasts=True)
def beta_logcdf(g, ans, x, a, b, loc=0, scale=1):
    """The density over the CDF (in the log domain); not in ``a`` or ``b``."""
    z = (x - loc) / scale
    r = g * np.exp((a - 1) * np.log(z) + (b - 1) * np.log1p(-z) - special.betaln(a, b)
                   - ans) / scale
    return (r, no_derivative("the shape a of scipy.stats.beta.logcdf"),
            no_derivative("the shape b of scipy.stats.beta.logcdf"), -r, -r * z)


# ----- the Poisson distribution ---------------------------------------------------------

@adjoint(stats.poisson.logpmf, broadcasts=True)
def poisson_logpmf(g, ans, k, mu, loc=0):
    """``k log mu - mu - gammaln(k + 1)`` (``k`` less ``loc``): ``k / mu - 1`` in ``mu``."""
    return (no_derivative("the count k of scipy.stats.poisson.logpmf", COUNT),
            g * ((k - loc) / mu - 1),
            no_derivative("the shift loc of scipy.stats.poisson.logpmf", COUNT))


@adjoint(stats.poisson.pmf, broadcasts=True)
def poisson_pmf(g, ans, k, mu, loc=0):
    """The mass times ``k / mu - 1``."""
    return (no_derivative("the count k of scipy.stats.poisson.pmf", COUNT),
            g * ans * ((k - loc) / mu - 1),
            no_derivative("the shift loc of scipy.stats.poisson.pmf", COUNT))


# ----- the Dirichlet distribution -------------------------------------------------------
# x holds the quantiles along its first axis (K, or K by samples); alpha is (K,).

@adjoint(stats.dirichlet.logpdf)
def dirichlet_logpdf(g, ans, x, alpha):
    """``sum((alpha - 1) log x) + gammaln(sum(alpha)) - sum(gammaln(alpha))`` along the
    first axis: ``(alpha - 1) / x`` in ``x``, ``log x - digamma(alpha) +
    digamma(sum(alpha))`` in ``alpha`` (summed over the samples). The gradient in ``x``
    is that of the formula: ``x`` is on the simplex, so use it through a parametrization
    that keeps it there (a softmax)."""
    xt = np.moveaxis(x, 0, -1)
    gk = np.expand_dims(g, -1)
    return (np.moveaxis(gk * (alpha - 1) / xt, -1, 0),
            unbroadcast(gk * (np.log(xt) - digamma(alpha) + digamma(np.sum(alpha))), alpha))


@adjoint(stats.dirichlet.pdf)
def dirichlet_pdf(g, ans, x, alpha):
    """The density times the log density's derivatives."""
    xt = np.moveaxis(x, 0, -1)
    gk = np.expand_dims(g * ans, -1)
    return (np.moveaxis(gk * (alpha - 1) / xt, -1, 0),
            unbroadcast(gk * (np.log(xt) - digamma(alpha) + digamma(np.sum(alpha))), alpha))


@tangent(stats.dirichlet.logpdf)
def dirichlet_logpdf_tangent(g, ans, x, alpha):
    """The log density's derivatives against the tangents, summed along ``x``'s first
    axis."""
    xt = np.moveaxis(x, 0, -1)
    return (np.sum((alpha - 1) / xt * np.moveaxis(g[0], 0, -1), axis=-1),
            np.sum(g[1] * (np.log(xt) - digamma(alpha) + digamma(np.sum(alpha))), axis=-1))


@tangent(stats.dirichlet.pdf)
def dirichlet_pdf_tangent(g, ans, x, alpha):
    """The density times the log density's tangent."""
    xt = np.moveaxis(x, 0, -1)
    return (ans * np.sum((alpha - 1) / xt * np.moveaxis(g[0], 0, -1), axis=-1),
            ans * np.sum(g[1] * (np.log(xt) - digamma(alpha) + digamma(np.sum(alpha))),
                         axis=-1))


# ----- the multivariate normal distribution ---------------------------------------------
# x is (d,) or (n, d), mean (d,) and cov a (d, d) matrix (not a scalar or a diagonal).

def precision_matrix(cov):
    """``inv(cov)`` of a covariance matrix; a scalar or a diagonal ``cov`` (which SciPy
    also takes) is an ``InputError``.

    >>> precision_matrix(np.diag([2.0, 4.0]))
    array([[0.5 , 0.  ],
           [0.  , 0.25]])
    """
    if np.ndim(cov) != 2:
        raise InputError(
            f"the gradient of scipy.stats.multivariate_normal needs cov as a (d, d) matrix, not "
            f"an array of shape {np.shape(cov)}: pass np.diag(cov) or cov * np.eye(d)")
    return np.linalg.inv(cov)


@adjoint(precision_matrix)
def precision_matrix_(g, ans, cov):
    """As ``np.linalg.inv``: ``-inv.T @ g @ inv.T``."""
    return -np.swapaxes(ans, -1, -2) @ g @ np.swapaxes(ans, -1, -2)


@tangent(precision_matrix)
def precision_matrix_tangent(g, ans, cov):
    """As ``np.linalg.inv``: ``-inv @ cov_dot @ inv``."""
    return -ans @ g @ ans


@adjoint(stats.multivariate_normal.logpdf)
def multivariate_normal_logpdf(g, ans, x, mean=None, cov=1, allow_singular=False):
    """``-(d log(2 pi) + log det(cov) + r @ inv(cov) @ r) / 2`` with ``r = x - mean``:
    with ``s = inv(cov) @ r``, ``-s`` in ``x``, ``s`` in ``mean``, and ``(s s^T -
    inv(cov)) / 2`` in ``cov`` (each summed over the samples; symmetric, as for a
    Cholesky factor: use it through a symmetric matrix)."""
    precision = precision_matrix(cov)
    if given(mean):
        s = (x - mean) @ precision
    else:
        s = x @ precision
    gs = np.expand_dims(g, -1) * s
    rows = (-1, np.shape(cov)[-1])  # the samples as rows
    outer = np.swapaxes(np.reshape(gs, rows), 0, 1) @ np.reshape(s, rows)
    return -gs, unbroadcast(gs, mean), 0.5 * (outer - np.sum(g) * precision), None


@adjoint(stats.multivariate_normal.pdf)
def multivariate_normal_pdf(g, ans, x, mean=None, cov=1, allow_singular=False):
    """The density times the log density's derivatives."""
    precision = precision_matrix(cov)
    if given(mean):
        s = (x - mean) @ precision
    else:
        s = x @ precision
    gs = np.expand_dims(g * ans, -1) * s
    rows = (-1, np.shape(cov)[-1])  # the samples as rows
    outer = np.swapaxes(np.reshape(gs, rows), 0, 1) @ np.reshape(s, rows)
    return -gs, unbroadcast(gs, mean), 0.5 * (outer - np.sum(g * ans) * precision), None


@tangent(stats.multivariate_normal.logpdf)
def multivariate_normal_logpdf_tangent(g, ans, x, mean=None, cov=1, allow_singular=False):
    """``-s . x_dot``, ``s . mean_dot`` and ``(s @ cov_dot @ s - trace(inv(cov) @
    cov_dot)) / 2``."""
    precision = precision_matrix(cov)
    if given(mean):
        s = (x - mean) @ precision
    else:
        s = x @ precision
    return (-np.sum(s * g[0], axis=-1), np.sum(s * g[1], axis=-1),
            0.5 * (np.einsum("...i,ij,...j->...", s, g[2], s) - np.sum(precision * g[2])),
            None)


@tangent(stats.multivariate_normal.pdf)
def multivariate_normal_pdf_tangent(g, ans, x, mean=None, cov=1, allow_singular=False):
    """The density times the log density's tangent."""
    precision = precision_matrix(cov)
    if given(mean):
        s = (x - mean) @ precision
    else:
        s = x @ precision
    return (-ans * np.sum(s * g[0], axis=-1), ans * np.sum(s * g[1], axis=-1),
            0.5 * ans * (np.einsum("...i,ij,...j->...", s, g[2], s)
                         - np.sum(precision * g[2])),
            None)
