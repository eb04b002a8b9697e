"""Rules of the ``scipy.special`` functions ML code uses: ``expit`` and ``logit``, ``erf``
and ``erfc``, ``gammaln``, ``digamma`` (``psi``) and ``polygamma``, ``xlogy``, and the
reductions ``logsumexp``, ``softmax`` and ``log_softmax``.

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

from ..runtime import unbroadcast
from .registry import adjoint, given, linear, tangent

TWO_OVER_SQRT_PI = 1.1283791670955126  # 2 / sqrt(pi), the scale of erf's derivative


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
