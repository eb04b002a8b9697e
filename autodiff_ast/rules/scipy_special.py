"""Rules of the ``scipy.special`` functions ML and statistics code uses: ``expit`` and
``logit``, ``erf``, ``erfc``, ``erfinv`` and ``erfcinv``, the normal distribution's
``ndtr``, ``log_ndtr`` and ``ndtri``, ``gamma``, ``gammaln``, ``digamma`` (``psi``),
``polygamma`` and ``multigammaln``, ``beta`` and ``betaln``, the regularized incomplete
functions ``gammainc``, ``gammaincc`` and ``betainc`` (in ``x`` only), ``xlogy``,
``entr``, ``rel_entr`` and ``kl_div``, the Bessel functions ``i0``, ``i1``, ``iv``,
``ive``, ``j0``, ``j1``, ``jv``, ``y0``, ``y1``, ``yv``, ``kv`` and ``kve`` (in the
argument; the order is a constant), and the reductions ``logsumexp``, ``softmax`` and
``log_softmax``.

Where a derivative has no closed form (the incomplete gamma and beta functions in their
shape parameters, a Bessel function in its order) the rule's term for that argument is
:func:`no_derivative`, which raises a ``MissingRuleError`` naming the argument when the
generated code reaches it, that is only where that argument is differentiated.

This module imports SciPy, so it is not imported with autodiff_ast: the registry imports
it the first time a rule lookup misses while ``scipy.special`` is in ``sys.modules`` (see
``registry.LAZY_RULES``). Importing it directly registers the rules too.

The elementwise functions are ufuncs (or registered with ``broadcasts=True``), so forward
mode derives their tangents from these adjoint rules; ``logsumexp``, ``softmax`` and
``log_softmax`` have tangent rules of their own. Where the forward result gives the
derivative cheaply it is reused (``expit``, ``softmax``, ``log_softmax``, ``logsumexp``).
Constants are Python floats, so float32 inputs give float32 gradients.
"""

import numpy as np
from scipy import special
from scipy.special import digamma, polygamma

from ..errors import MissingRuleError
from ..runtime import unbroadcast
from .registry import adjoint, elementwise, given, linear, tangent

TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), the scale of erf's derivative
SQRT_PI_OVER_2 = 0.886226925452758  # sqrt(pi) / 2, the scale of erfinv's derivative
SQRT_2PI = 2.5066282746310002  # sqrt(2 pi), the normal density's constant


# ----- helpers that generated code calls ------------------------------------------------

def logsumexp_weights(b):
    """The weights ``b`` of ``logsumexp(a, b=b)``, or 1.0 where ``b`` is ``None`` at run
    time (a weight passed on from a caller that may have none). Linear: its adjoint and
    tangent are the identity, so gradients through it can be differentiated again.

    >>> logsumexp_weights(None), logsumexp_weights(2.0)
    (1.0, 2.0)
    """
    return 1.0 if b is None else b


def weighted_logsumexp_tangent(g, ans, a, axis, b, keepdims):
    """The tangent terms ``(of a, None, of b, None)`` of ``logsumexp(a, axis, b,
    keepdims)`` given the tangents ``g = (a_dot, _, b_dot, _)`` (``None`` for an argument
    that does not vary).

    >>> t, _, _, _ = weighted_logsumexp_tangent((np.ones(2), None, None, None), np.log(4.0),
    ...                                         np.zeros(2), None, np.array([1.0, 3.0]), False)
    >>> float(t)
    1.0
    """
    kept = ans if axis is None or keepdims else np.expand_dims(ans, axis)
    weight = np.exp(a - kept)
    a_dot, b_dot = g[0], g[2]
    return (None if a_dot is None else np.sum(a_dot * b * weight, axis=axis, keepdims=keepdims),
            None,
            None if b_dot is None else np.sum(b_dot * weight, axis=axis, keepdims=keepdims),
            None)


def no_derivative(what, why="it has no closed form here"):
    """Raise the error that says the derivative in ``what`` (an argument of a SciPy
    function) has no rule, because ``why``. A rule returns this call as the term of such
    an argument: the compiler emits a term only for an argument that is differentiated, so
    the error is raised exactly when one is.

    >>> try:
    ...     no_derivative("the order v of scipy.special.jv")
    ... except MissingRuleError as error:
    ...     for part in str(error).split("; "):
    ...         print(part)
    no derivative rule for the order v of scipy.special.jv: it has no closed form here
    pass it as a constant (not differentiated)
    """
    raise MissingRuleError(f"no derivative rule for {what}: {why}; "
                           "pass it as a constant (not differentiated)")


# ----- logistic functions ---------------------------------------------------------------

@adjoint(special.expit)
def expit(g, ans, x):
    """The logistic sigmoid reuses its output: ``d expit(x) = s * (1 - s)``."""
    return g * ans * (1 - ans)


@adjoint(special.logit)
def logit(g, ans, x):
    """``logit(p) = log(p / (1 - p))``, so ``d logit(p) = 1 / (p * (1 - p))``; infinite at
    0 and 1."""
    return g / (x * (1 - x))


# ----- error functions ------------------------------------------------------------------

@adjoint(special.erf)
def erf(g, ans, x):
    """``d erf(x) = 2 / sqrt(pi) * exp(-x**2)``."""
    return g * TWO_OVER_SQRT_PI * np.exp(-np.square(x))


@adjoint(special.erfc)
def erfc(g, ans, x):
    """``erfc = 1 - erf``: ``d erfc(x) = -2 / sqrt(pi) * exp(-x**2)``."""
    return -g * TWO_OVER_SQRT_PI * np.exp(-np.square(x))


@adjoint(special.erfinv)
def erfinv(g, ans, y):
    """The inverse's derivative ``1 / erf'(ans) = sqrt(pi) / 2 * exp(ans**2)``, from the
    result."""
    return g * SQRT_PI_OVER_2 * np.exp(np.square(ans))


@adjoint(special.erfcinv)
def erfcinv(g, ans, y):
    """``1 / erfc'(ans) = -sqrt(pi) / 2 * exp(ans**2)``, from the result."""
    return -g * SQRT_PI_OVER_2 * np.exp(np.square(ans))


# ----- the normal distribution ----------------------------------------------------------

@adjoint(special.ndtr)
def ndtr(g, ans, x):
    """The standard normal CDF's derivative is its density ``exp(-x**2 / 2) / sqrt(2 pi)``."""
    return g * np.exp(-0.5 * np.square(x)) / SQRT_2PI


@adjoint(special.log_ndtr)
def log_ndtr(g, ans, x):
    """``pdf(x) / cdf(x) = exp(-x**2 / 2 - log_ndtr(x)) / sqrt(2 pi)``: from the result in
    the log domain, so it stays finite far in the lower tail (where ``ndtr`` underflows)."""
    return g * np.exp(-0.5 * np.square(x) - ans) / SQRT_2PI


@adjoint(special.ndtri)
def ndtri(g, ans, y):
    """The inverse CDF: ``1 / pdf(ans) = sqrt(2 pi) * exp(ans**2 / 2)``, from the result."""
    return g * SQRT_2PI * np.exp(0.5 * np.square(ans))


# ----- gamma family ---------------------------------------------------------------------

@adjoint(special.gammaln)
def gammaln(g, ans, x):
    """``gammaln(x) = log|Gamma(x)|``, so its derivative is ``digamma(x)`` (also where
    ``Gamma(x) < 0``); not finite at the poles ``0, -1, -2, ...``."""
    return g * digamma(x)


@adjoint(special.digamma)  # special.psi is special.digamma
def digamma_(g, ans, x):
    """``d digamma(x) = polygamma(1, x)`` (the trigamma function), in ``x``'s floating
    dtype: SciPy's ``polygamma`` computes in float64 whatever its input. The generated code
    calls ``polygamma``, whose own rule makes second derivatives work."""
    return g * np.asarray(polygamma(1, x), dtype=np.result_type(x, 1.0))


@adjoint(special.polygamma, broadcasts=True)
def polygamma_(g, ans, n, x):
    """``d polygamma(n, x) / dx = polygamma(n + 1, x)``, in ``x``'s floating dtype; the
    order ``n`` is an integer and has no gradient."""
    return None, g * np.asarray(polygamma(n + 1, x), dtype=np.result_type(x, 1.0))


@adjoint(special.gamma)
def gamma(g, ans, x):
    """``d Gamma(x) = Gamma(x) * digamma(x)``, from the result."""
    return g * ans * digamma(x)


@adjoint(special.multigammaln)
def multigammaln(g, ans, a, d):
    """``multigammaln(a, d) = c(d) + sum_j gammaln(a + (1 - j) / 2)`` over ``j = 1..d``,
    so its derivative in ``a`` is the sum of ``digamma`` at those points; the dimension
    ``d`` is an integer and has no gradient."""
    offsets = np.asarray((1 - np.arange(1, d + 1)) / 2, dtype=np.result_type(a, 1.0))
    return g * np.sum(digamma(np.expand_dims(a, -1) + offsets), axis=-1), None


elementwise(special.multigammaln)


@adjoint(special.beta)
def beta(g, ans, a, b):
    """``B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b)``: ``d / da = B * (digamma(a) -
    digamma(a + b))``, and likewise in ``b``; from the result."""
    both = digamma(a + b)
    return g * ans * (digamma(a) - both), g * ans * (digamma(b) - both)


@adjoint(special.betaln)
def betaln(g, ans, a, b):
    """``d log B(a, b) / da = digamma(a) - digamma(a + b)``, likewise in ``b``."""
    both = digamma(a + b)
    return g * (digamma(a) - both), g * (digamma(b) - both)


@adjoint(special.gammainc)
def gammainc(g, ans, a, x):
    """The regularized lower incomplete gamma ``P(a, x)``: ``d / dx = x**(a - 1) *
    exp(-x) / Gamma(a)`` (in the log domain; ``gammaln`` in the dtype of ``a`` and ``x``
    together, as SciPy gives a Python float's in float64). Its derivative in the shape
    ``a`` has no closed form: differentiating ``a`` is an error."""
    log_gamma = np.asarray(special.gammaln(a), dtype=np.result_type(a, x, 1.0))
    return (no_derivative("the shape a of scipy.special.gammainc"),
            g * np.exp((a - 1) * np.log(x) - x - log_gamma))


@adjoint(special.gammaincc)
def gammaincc(g, ans, a, x):
    """``Q(a, x) = 1 - P(a, x)``: ``d / dx = -x**(a - 1) * exp(-x) / Gamma(a)``; not in
    ``a``."""
    log_gamma = np.asarray(special.gammaln(a), dtype=np.result_type(a, x, 1.0))
    return (no_derivative("the shape a of scipy.special.gammaincc"),
            -g * np.exp((a - 1) * np.log(x) - x - log_gamma))


@adjoint(special.betainc)
def betainc(g, ans, a, b, x):
    """The regularized incomplete beta ``I_x(a, b)``: ``d / dx = x**(a - 1) * (1 -
    x)**(b - 1) / B(a, b)`` (in the log domain). Its derivatives in ``a`` and ``b`` have no
    closed form (they are hypergeometric series): differentiating them is an error."""
    log_beta = np.asarray(special.betaln(a, b), dtype=np.result_type(a, b, x, 1.0))
    return (no_derivative("the shape a of scipy.special.betainc"),
            no_derivative("the shape b of scipy.special.betainc"),
            g * np.exp((a - 1) * np.log(x) + (b - 1) * np.log1p(-x) - log_beta))


# ----- entropies ------------------------------------------------------------------------

@adjoint(special.entr)
def entr(g, ans, x):
    """``entr(x) = -x log x``: ``d = -(log x + 1)``."""
    return -g * (np.log(x) + 1)


@adjoint(special.rel_entr)
def rel_entr(g, ans, x, y):
    """``rel_entr(x, y) = x log(x / y)``: ``log(x / y) + 1`` in ``x``, ``-x / y`` in ``y``."""
    return g * (np.log(x / y) + 1), -g * x / y


@adjoint(special.kl_div)
def kl_div(g, ans, x, y):
    """``kl_div(x, y) = x log(x / y) - x + y``: ``log(x / y)`` in ``x``, ``1 - x / y`` in
    ``y``."""
    return g * np.log(x / y), g * (1 - x / y)


# ----- Bessel functions (in the argument; the order is a constant) ----------------------

@adjoint(special.i0)
def i0(g, ans, x):
    """``i0' = i1``."""
    return g * special.i1(x)


@adjoint(special.i1)
def i1(g, ans, x):
    """``i1' = (i0 + iv(2, x)) / 2`` (no division by ``x``, finite at 0)."""
    return g * 0.5 * (special.i0(x) + special.iv(2, x))


@adjoint(special.j0)
def j0(g, ans, x):
    """``j0' = -j1``."""
    return -g * special.j1(x)


@adjoint(special.j1)
def j1(g, ans, x):
    """``j1' = (j0 - jv(2, x)) / 2``."""
    return g * 0.5 * (special.j0(x) - special.jv(2, x))


@adjoint(special.y0)
def y0(g, ans, x):
    """``y0' = -y1``."""
    return -g * special.y1(x)


@adjoint(special.y1)
def y1(g, ans, x):
    """``y1' = (y0 - yv(2, x)) / 2``."""
    return g * 0.5 * (special.y0(x) - special.yv(2, x))


@adjoint(special.iv)
def iv(g, ans, v, z):
    """``d iv(v, z) / dz = (iv(v - 1, z) + iv(v + 1, z)) / 2``; not in the order ``v``."""
    return (no_derivative("the order v of scipy.special.iv"),
            g * 0.5 * (special.iv(v - 1, z) + special.iv(v + 1, z)))


@adjoint(special.ive)
def ive(g, ans, v, z):
    """``ive(v, z) = iv(v, z) * exp(-|z|)``: ``(ive(v - 1, z) + ive(v + 1, z)) / 2 -
    sign(z) * ive(v, z)``; not in ``v``."""
    return (no_derivative("the order v of scipy.special.ive"),
            g * (0.5 * (special.ive(v - 1, z) + special.ive(v + 1, z)) - np.sign(z) * ans))


@adjoint(special.jv)
def jv(g, ans, v, z):
    """``d jv(v, z) / dz = (jv(v - 1, z) - jv(v + 1, z)) / 2``; not in ``v``."""
    return (no_derivative("the order v of scipy.special.jv"),
            g * 0.5 * (special.jv(v - 1, z) - special.jv(v + 1, z)))


@adjoint(special.yv)
def yv(g, ans, v, z):
    """``d yv(v, z) / dz = (yv(v - 1, z) - yv(v + 1, z)) / 2``; not in ``v``."""
    return (no_derivative("the order v of scipy.special.yv"),
            g * 0.5 * (special.yv(v - 1, z) - special.yv(v + 1, z)))


@adjoint(special.kv)
def kv(g, ans, v, z):
    """``d kv(v, z) / dz = -(kv(v - 1, z) + kv(v + 1, z)) / 2``; not in ``v``."""
    return (no_derivative("the order v of scipy.special.kv"),
            -g * 0.5 * (special.kv(v - 1, z) + special.kv(v + 1, z)))


@adjoint(special.kve)
def kve(g, ans, v, z):
    """``kve(v, z) = kv(v, z) * exp(z)``: ``-(kve(v - 1, z) + kve(v + 1, z)) / 2 +
    kve(v, z)``; not in ``v``."""
    return (no_derivative("the order v of scipy.special.kve"),
            g * (ans - 0.5 * (special.kve(v - 1, z) + special.kve(v + 1, z))))


# ----- xlogy ----------------------------------------------------------------------------

@adjoint(special.xlogy)
def xlogy(g, ans, x, y):
    """``xlogy(x, y) = x * log(y)``, and 0 where ``x == 0`` (even where ``y == 0``).

    ``d / dx = log(y)`` everywhere, also at ``x = 0`` (it is ``-inf`` where ``y`` is 0 as
    well); ``d / dy = x / y``, which is 0 at ``x = 0``, also where ``y`` is 0 (``xlogy``
    is 0 all along ``x = 0``), not ``nan``. Only that point (``x = y = 0``) divides by 1
    instead of ``y``: elsewhere ``x / y`` keeps its derivatives (``1 / y`` in ``x``, also
    at ``x = 0``), for second derivatives.
    """
    return g * np.log(y), g * x / np.where((x == 0) & (y == 0), 1, y)


# ----- log-sum-exp and softmax ------------------------------------------------------------

@adjoint(special.logsumexp)
def logsumexp(g, ans, a, axis=None, b=None, keepdims=False):
    """``ans = log(sum(exp(a)))`` over ``axis``: ``d ans / d a = exp(a - ans)`` (the
    softmax of the slice, from the result). With weights ``b`` (``log(sum(b * exp(a)))``)
    ``d ans / d a = b * exp(a - ans)`` and ``d ans / d b = exp(a - ans)``; ``a`` and ``b``
    broadcast against each other, so each adjoint is summed back to its argument's shape.
    Whether ``b`` is passed is known at compile time, so with literal ``axis`` and
    ``keepdims`` every case is written out with NumPy functions (which can be
    differentiated again). ``return_sign=`` is not supported."""
    if not given(b):
        if axis is None or keepdims:
            return g * np.exp(a - ans), None, None, None
        return np.expand_dims(g, axis) * np.exp(a - np.expand_dims(ans, axis)), None, None, None
    weights = logsumexp_weights(b)
    if axis is None or keepdims:
        weight = np.exp(a - ans)
        return unbroadcast(g * weights * weight, a), None, unbroadcast(g * weight, b), None
    weight = np.exp(a - np.expand_dims(ans, axis))
    kept = np.expand_dims(g, axis)
    return unbroadcast(kept * weights * weight, a), None, unbroadcast(kept * weight, b), None


@tangent(special.logsumexp)
def logsumexp_tangent(g, ans, a, axis=None, b=None, keepdims=False):
    """``sum(a_dot * exp(a - ans))`` over ``axis``, the softmax-weighted sum of the
    tangent; with weights ``b`` see :func:`weighted_logsumexp_tangent`."""
    if b is None:
        if axis is None or keepdims:
            return np.sum(g[0] * np.exp(a - ans), axis=axis, keepdims=keepdims), None, None, None
        return np.sum(g[0] * np.exp(a - np.expand_dims(ans, axis)), axis=axis), None, None, None
    return weighted_logsumexp_tangent(g, ans, a, axis, b, keepdims)


@tangent(special.softmax)
@adjoint(special.softmax)
def softmax(g, ans, x, axis=None):
    """The Jacobian of ``s = softmax(x)`` along a slice is ``diag(s) - s s^T``, so the
    adjoint is ``s * (g - sum(g * s))`` over ``axis`` (all of ``x`` for None). The Jacobian
    is symmetric: the same expression with the tangent for ``g`` is the tangent."""
    return ans * (g - np.sum(g * ans, axis=axis, keepdims=True))


@adjoint(special.log_softmax)
def log_softmax(g, ans, x, axis=None):
    """``ans = x - logsumexp(x)`` along ``axis``, so the adjoint is ``g - s * sum(g)``
    with ``s = exp(ans)`` the softmax (from the result)."""
    return g - np.exp(ans) * np.sum(g, axis=axis, keepdims=True)


@tangent(special.log_softmax)
def log_softmax_tangent(g, ans, x, axis=None):
    """``x_dot - sum(s * x_dot)`` along ``axis``, with ``s = exp(ans)`` the softmax."""
    return g - np.sum(np.exp(ans) * g, axis=axis, keepdims=True)


# ----- second order: the helper gradient code calls ---------------------------------------

@adjoint(logsumexp_weights)
def logsumexp_weights_(d, ans, b):
    """The identity (on weights that are given)."""
    return d


linear(logsumexp_weights)
