"""Rules of reductions (``np.sum``, ``np.mean``, ``np.max``, ``np.var``...) and of the
cumulative and diagonal sums, with ``axis`` as an int, a negative int, a tuple or None,
and ``keepdims``.

The adjoint of a reduction is the result's adjoint spread back over the reduced axes
(``np.full(np.shape(a), np.expand_dims(g, axis))``: a new array of ``a``'s shape, made
faster than ``np.broadcast_to`` makes its read-only view), times the
derivative of the result with respect to each element of its slice. When ``axis`` and
``keepdims`` are written as constants (or left out), the rules inline into one or two
lines of NumPy; when they are run-time values the rule is called as a function.

Keywords NumPy has but these rules do not support (``out=``, ``where=``, ``initial=``,
``mean=``, ``returned=``) are left out of the signatures, so using them is reported as
an error. Parameters that NumPy places after ``out`` (``keepdims``, ``ddof``) are
keyword-only here, so that a positional ``out`` is never mistaken for them.

Counts are Python ints or are summed in the adjoint's dtype, so float32 inputs give
float32 gradients. The rules are for real inputs (the ``var`` and ``std`` rules do not
conjugate).

The tangent (forward-mode) rules at the end reduce the argument's tangent the way the
primal reduces the argument, weighted by the same derivatives, and pick the same
derivative where there is a kink or a tie. Like the adjoint rules they ignore ``dtype=``:
a tangent has the dtype of the tangent it is computed from.
"""

import numpy as np

from ..runtime import reduced_count
from .registry import adjoint, linear, tangent


# ----- helpers that generated code calls ------------------------------------------------

def product_of_others(a, axis):
    """For every element of ``a``, the product of the other elements of its slice along
    ``axis`` (a tuple of axes, or all of ``a`` for None); the shape of ``a``.

    It is the derivative of ``np.prod(a, axis)`` with respect to each element. It is made
    of products before and after the element, never by dividing by it, so it is exact
    where ``a`` has zeros.

    >>> product_of_others(np.array([2.0, 0.0, 3.0]), None)
    array([0., 6., 0.])
    >>> product_of_others(np.array([[1.0, 2.0], [3.0, 4.0]]), 0)
    array([[3., 4.],
           [1., 2.]])
    """
    a = np.asarray(a)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    axes = _axes(axis, a.ndim)
    kept = [i for i in range(a.ndim) if i not in axes]
    count = reduced_count(a, axes)
    if a.ndim == 0 or count == 0:
        return np.ones_like(a)
    moved = np.transpose(a, kept + list(axes))
    rows = moved.reshape(moved.shape[:len(kept)] + (count,))  # each slice in one row
    one = np.ones(rows.shape[:-1] + (1,), dtype=rows.dtype)
    before = np.cumprod(np.concatenate([one, rows[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([one, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (before * after).reshape(moved.shape)
    return np.transpose(others, np.argsort(kept + list(axes)))


def cumprod_adjoint(g, ans, a, axis):
    """The adjoint of ``a`` in ``ans = np.cumprod(a, axis)`` given the adjoint ``g`` of
    ``ans``: ``sum over j >= i of g[j] * prod(a[k] for k <= j if k != i)`` along ``axis``
    (the flattened ``a`` for None).

    Without zeros in ``a`` it is the reverse cumulative sum of ``g * ans`` divided by
    ``a``. With zeros it is computed without dividing, by a recurrence along the axis
    (one vectorized step per element of the axis).

    >>> cumprod_adjoint(np.ones(3), np.array([2.0, 0.0, 0.0]), np.array([2.0, 0.0, 5.0]), 0)
    array([ 1., 12.,  0.])
    """
    a = np.asarray(a)
    if axis is None:
        flat = cumprod_adjoint(g, ans, np.ravel(a), 0)
        return np.reshape(flat, np.shape(a))
    g = np.broadcast_to(g, np.shape(ans))
    if np.all(a != 0):
        return np.flip(np.cumsum(np.flip(g * ans, axis), axis), axis) / a
    g_rows = np.moveaxis(g, axis, -1)
    a_rows = np.moveaxis(a, axis, -1)
    n = a_rows.shape[-1]
    one = np.ones(a_rows.shape[:-1] + (1,), dtype=a_rows.dtype)
    before = np.cumprod(np.concatenate([one, a_rows[..., :-1]], axis=-1), axis=-1)
    # later[..., i] = sum over j >= i of g[j] * prod(a[i+1..j]) = g[i] + a[i+1] * later[i+1]
    later = np.zeros(np.broadcast_shapes(g_rows.shape, a_rows.shape),
                     dtype=np.result_type(g_rows, a_rows))
    later[..., n - 1] = g_rows[..., n - 1]
    for i in range(n - 2, -1, -1):
        later[..., i] = g_rows[..., i] + a_rows[..., i + 1] * later[..., i + 1]
    return np.moveaxis(before * later, -1, axis)


def diagonal_mask(a, offset, axis1, axis2):
    """True on the diagonal that ``np.trace(a, offset, axis1, axis2)`` sums, as a boolean
    array of ``a``'s shape along ``axis1`` and ``axis2`` and of length 1 along the others
    (it broadcasts against ``a``).

    >>> diagonal_mask(np.zeros((2, 3)), 1, 0, 1)
    array([[False,  True, False],
           [False, False,  True]])
    """
    shape = np.shape(a)
    axis1, axis2 = axis1 % len(shape), axis2 % len(shape)
    eye = np.eye(shape[axis1], shape[axis2], k=offset, dtype=bool)
    if axis1 > axis2:
        eye = eye.T
    mask_shape = [1] * len(shape)
    mask_shape[axis1], mask_shape[axis2] = shape[axis1], shape[axis2]
    return eye.reshape(mask_shape)


def weighted_average_adjoint(g, ans, a, axis, weights, keepdims):
    """The adjoints ``(da, None, dweights)`` of ``ans = np.average(a, axis, weights)``.

    ``weights`` has ``a``'s shape or (as NumPy allows) the shape of the reduced axes;
    with ``w`` aligned to ``a``, ``d ans / d a = w / sum(w)`` and
    ``d ans / d w = (a - ans) / sum(w)``, the latter summed back to ``weights``' shape.

    >>> da, _, dw = weighted_average_adjoint(1.0, 2.5, np.array([1.0, 3.0]), None,
    ...                                      np.array([1.0, 3.0]), False)
    >>> da, dw
    (array([0.25, 0.75]), array([-0.375,  0.125]))
    """
    a = np.asarray(a)
    w = np.asarray(weights)
    axes = _axes(axis, a.ndim)
    order = np.argsort(axes)
    if w.shape != a.shape:  # the weights of one slice, along the reduced axes
        w = np.transpose(w, order).reshape(
            [n if i in axes else 1 for i, n in enumerate(a.shape)])
    total = np.sum(w, axis=axis, keepdims=True)
    g_kept = g if axis is None or keepdims else np.expand_dims(g, axis)
    mean_kept = ans if axis is None or keepdims else np.expand_dims(ans, axis)
    da = np.broadcast_to(g_kept * w / total, a.shape)
    dw = g_kept * (a - mean_kept) / total
    if w.shape != np.shape(weights):
        kept = tuple(i for i in range(a.ndim) if i not in axes)
        dw = np.sum(dw, axis=kept).reshape([a.shape[i] for i in sorted(axes)])
        dw = np.transpose(dw, np.argsort(order))
    return da, None, dw


def _axes(axis, ndim):
    """``axis`` (an int, a tuple or None) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(i % ndim for i in axes) if ndim else ()


# ----- sums and means -------------------------------------------------------------------

@adjoint(np.sum)
def sum_(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """Every element of a slice gets the slice's adjoint."""
    if axis is None or keepdims:
        return np.full(np.shape(a), g)
    return np.full(np.shape(a), np.expand_dims(g, axis))


@adjoint(np.mean)
def mean(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """Every element of a slice gets the slice's adjoint over the slice's length."""
    if axis is None:
        return np.full(np.shape(a), g / np.size(a))
    if keepdims:
        return np.full(np.shape(a), g / reduced_count(a, axis))
    return np.full(np.shape(a), np.expand_dims(g, axis) / reduced_count(a, axis))


@adjoint(np.nansum)
def nansum(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """As ``np.sum``, with a zero gradient for the NaN elements it skipped."""
    if axis is None or keepdims:
        return g * ~np.isnan(a)
    return np.expand_dims(g, axis) * ~np.isnan(a)


@adjoint(np.nanmean)
def nanmean(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """As ``np.mean`` over the elements that are not NaN; a NaN element's gradient is
    zero. A slice of NaNs only (whose mean is NaN) gives NaN gradients."""
    if axis is None or keepdims:
        counted = ~np.isnan(a)
        return g * counted / np.sum(counted, axis=axis, keepdims=True, dtype=np.result_type(g))
    counted = ~np.isnan(a)
    return np.expand_dims(g, axis) * counted / np.sum(
        counted, axis=axis, keepdims=True, dtype=np.result_type(g))


@adjoint(np.average)
def average(g, ans, a, axis=None, weights=None, *, keepdims=False):
    """Without weights as ``np.mean``. With weights ``w`` (of ``a``'s shape, or of the
    shape of the reduced axes, as NumPy allows), ``avg = sum(a * w) / sum(w)``:
    ``d avg / d a = w / sum(w)`` and ``d avg / d w = (a - avg) / sum(w)``. Whether the
    weights are None is only known at run time, so a weighted average calls this rule
    as a function."""
    if weights is None:
        if axis is None:
            return np.full(np.shape(a), g / np.size(a)), None, None
        if keepdims:
            return np.full(np.shape(a), g / reduced_count(a, axis)), None, None
        return np.full(np.shape(a), np.expand_dims(g, axis) / reduced_count(a, axis)), None, None
    return weighted_average_adjoint(g, ans, a, axis, weights, keepdims)


# ----- products -------------------------------------------------------------------------

@adjoint(np.prod)
def prod(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """Each element's gradient is the product of the other elements of its slice,
    computed without dividing by the element, so it is exact where ``a`` has zeros."""
    if axis is None or keepdims:
        return g * product_of_others(a, axis)
    return np.expand_dims(g, axis) * product_of_others(a, axis)


@adjoint(np.cumprod)
def cumprod(g, ans, a, axis=None, dtype=None):
    """See :func:`cumprod_adjoint`; exact where ``a`` has zeros."""
    return cumprod_adjoint(g, ans, a, axis)


@adjoint(np.cumsum)
def cumsum(g, ans, a, axis=None, dtype=None):
    """An element is in every later partial sum: its gradient is the reverse cumulative
    sum of the adjoint (over the flattened array when ``axis`` is None)."""
    if axis is None:
        return np.reshape(np.flip(np.cumsum(np.flip(g))), np.shape(a))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


@adjoint(np.trace)
def trace(g, ans, a, offset=0, axis1=0, axis2=1, dtype=None):
    """The adjoint goes to the summed diagonal, zero elsewhere."""
    return np.expand_dims(g, (axis1, axis2)) * diagonal_mask(a, offset, axis1, axis2)


# ----- extrema --------------------------------------------------------------------------

@adjoint(np.max, np.amax)
def amax(g, ans, a, axis=None, *, keepdims=False):
    """The adjoint goes to the maximal elements of each slice. When several elements tie
    for the maximum they share it evenly (as autograd and JAX do), so the gradient is
    the average of the one-sided ones."""
    if axis is None or keepdims:
        at_max = a == ans
        return g * at_max / np.sum(at_max, axis=axis, keepdims=True, dtype=np.result_type(g))
    at_max = a == np.expand_dims(ans, axis)
    return np.expand_dims(g, axis) * at_max / np.sum(
        at_max, axis=axis, keepdims=True, dtype=np.result_type(g))


@adjoint(np.min, np.amin)
def amin(g, ans, a, axis=None, *, keepdims=False):
    """The adjoint goes to the minimal elements of each slice; ties share it evenly
    (as autograd and JAX do)."""
    if axis is None or keepdims:
        at_min = a == ans
        return g * at_min / np.sum(at_min, axis=axis, keepdims=True, dtype=np.result_type(g))
    at_min = a == np.expand_dims(ans, axis)
    return np.expand_dims(g, axis) * at_min / np.sum(
        at_min, axis=axis, keepdims=True, dtype=np.result_type(g))


@adjoint(np.ptp)
def ptp(g, ans, a, axis=None, *, keepdims=False):
    """``max - min``: the adjoint goes to the maximal elements and its negative to the
    minimal ones, tied elements sharing evenly. A constant slice gets zero."""
    at_max = a == np.max(a, axis=axis, keepdims=True)
    at_min = a == np.min(a, axis=axis, keepdims=True)
    if axis is None or keepdims:
        return g * (at_max / np.sum(at_max, axis=axis, keepdims=True, dtype=np.result_type(g))
                    - at_min / np.sum(at_min, axis=axis, keepdims=True, dtype=np.result_type(g)))
    return np.expand_dims(g, axis) * (
        at_max / np.sum(at_max, axis=axis, keepdims=True, dtype=np.result_type(g))
        - at_min / np.sum(at_min, axis=axis, keepdims=True, dtype=np.result_type(g)))


# ----- variance and standard deviation --------------------------------------------------

@adjoint(np.var)
def var(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False, correction=None):
    """``d var / d a = 2 (a - mean) / (n - ddof)`` with ``n`` the slice's length;
    ``correction`` is NumPy's other name for ``ddof``."""
    if axis is None:
        return 2 * g * (a - np.mean(a)) / (
            np.size(a) - (ddof if correction is None else correction))
    if keepdims:
        return 2 * g * (a - np.mean(a, axis=axis, keepdims=True)) / (
            reduced_count(a, axis) - (ddof if correction is None else correction))
    return 2 * np.expand_dims(g, axis) * (a - np.mean(a, axis=axis, keepdims=True)) / (
        reduced_count(a, axis) - (ddof if correction is None else correction))


@adjoint(np.std)
def std(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False, correction=None):
    """``d std / d a = (a - mean) / ((n - ddof) std)`` reuses the result; where the
    standard deviation is 0 (a constant slice) the gradient is not finite."""
    if axis is None:
        return g * (a - np.mean(a)) / (
            (np.size(a) - (ddof if correction is None else correction)) * ans)
    if keepdims:
        return g * (a - np.mean(a, axis=axis, keepdims=True)) / (
            (reduced_count(a, axis) - (ddof if correction is None else correction)) * ans)
    return np.expand_dims(g / ans, axis) * (a - np.mean(a, axis=axis, keepdims=True)) / (
        reduced_count(a, axis) - (ddof if correction is None else correction))


# ----- forward mode ------------------------------------------------------------------

linear(np.sum, np.mean, np.cumsum, np.trace)


def cumprod_input_tangent(g, ans, a, axis):
    """The tangent of ``ans = np.cumprod(a, axis)`` given ``a``'s tangent ``g``:
    ``sum over j <= i of g[j] * prod(a[k] for k <= i if k != j)`` along ``axis`` (the
    flattened ``a`` for None).

    Without zeros in ``a`` it is ``ans`` times the cumulative sum of ``g / a``. With zeros
    it is computed without dividing, by the recurrence ``t[i] = t[i-1] * a[i] + ans[i-1]
    * g[i]`` along the axis (one vectorized step per element of the axis).

    >>> cumprod_input_tangent(np.ones(3), np.array([2.0, 0.0, 0.0]), np.array([2.0, 0.0, 5.0]), 0)
    array([ 1.,  2., 10.])
    """
    a = np.asarray(a)
    if axis is None:
        return cumprod_input_tangent(np.ravel(np.broadcast_to(g, a.shape)), ans, np.ravel(a), 0)
    g = np.broadcast_to(g, a.shape)
    if np.all(a != 0):
        return ans * np.cumsum(g / a, axis)
    g_rows = np.moveaxis(g, axis, -1)
    a_rows = np.moveaxis(a, axis, -1)
    ans_rows = np.moveaxis(ans, axis, -1)
    t = np.zeros(g_rows.shape, dtype=np.result_type(g_rows, a_rows))
    t[..., 0] = g_rows[..., 0]
    for i in range(1, t.shape[-1]):
        t[..., i] = t[..., i - 1] * a_rows[..., i] + ans_rows[..., i - 1] * g_rows[..., i]
    return np.moveaxis(t, -1, axis)


def weighted_average_tangents(g, ans, a, axis, weights, keepdims):
    """The terms ``(a's, None, weights', None)`` of the tangent of ``ans = np.average(a,
    axis, weights, keepdims=keepdims)``, given the tangents ``g = (da, _, dweights, _)``
    (``None`` for an argument that is not differentiated, whose term is then ``None``).

    With ``w`` aligned to ``a`` as in :func:`weighted_average_adjoint`, the terms are
    ``sum(da * w) / sum(w)`` and ``sum(dw * (a - ans)) / sum(w)`` over the reduced axes.
    Weights of None are an average without weights.

    >>> da, _, dw, _ = weighted_average_tangents((np.ones(2), None, np.array([1.0, 0.0]),
    ...                                           None), 2.5, np.array([1.0, 3.0]), None,
    ...                                          np.array([1.0, 3.0]), False)
    >>> float(da), float(dw)
    (1.0, -0.375)
    """
    if weights is None:
        return np.mean(g[0], axis=axis, keepdims=keepdims), None, None, None
    a = np.asarray(a)
    axes = _axes(axis, a.ndim)
    w = _aligned_weights(weights, a.shape, axes)
    total = np.sum(w, axis=axis, keepdims=keepdims)
    da = dw = None
    if g[0] is not None:
        da = np.sum(g[0] * w, axis=axis, keepdims=keepdims) / total
    if g[2] is not None:
        mean_kept = ans if axis is None or keepdims else np.expand_dims(ans, axis)
        dw = np.sum(_aligned_weights(g[2], a.shape, axes) * (a - mean_kept), axis=axis,
                    keepdims=keepdims) / total
    return da, None, dw, None


def _aligned_weights(w, shape, axes):
    """Weights (or their tangents) of ``np.average`` broadcastable against the array of
    ``shape``: those of the shape of the reduced ``axes`` (in the order of ``axes``, as
    NumPy allows) get length 1 along the other axes."""
    w = np.asarray(w)
    if w.shape == tuple(shape):
        return w
    return np.transpose(w, np.argsort(axes)).reshape(
        [n if i in axes else 1 for i, n in enumerate(shape)])


@tangent(np.nansum)
def nansum_tangent(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """The sum of the tangent over the elements that are not NaN (the NaN elements are
    skipped, whatever their tangent)."""
    return np.sum(g, axis=axis, keepdims=keepdims, where=~np.isnan(a))


@tangent(np.nanmean)
def nanmean_tangent(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """The mean of the tangent over the elements that are not NaN; NaN for a slice of
    NaNs only (whose mean is NaN)."""
    return np.mean(g, axis=axis, keepdims=keepdims, where=~np.isnan(a))


@tangent(np.average)
def average_tangent(g, ans, a, axis=None, weights=None, *, keepdims=False):
    """Without weights the mean of the tangent. With weights see
    :func:`weighted_average_tangents`; whether the weights are None is only known at run
    time, so a weighted average calls this rule as a function."""
    if weights is None:
        return np.mean(g[0], axis=axis, keepdims=keepdims), None, None, None
    return weighted_average_tangents(g, ans, a, axis, weights, keepdims)


@tangent(np.prod)
def prod_tangent(g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """The tangent of each element times the product of the other elements of its slice,
    summed over the slice: exact where ``a`` has zeros (see :func:`product_of_others`)."""
    return np.sum(g * product_of_others(a, axis), axis=axis, keepdims=keepdims)


@tangent(np.cumprod)
def cumprod_tangent(g, ans, a, axis=None, dtype=None):
    """See :func:`cumprod_input_tangent`; exact where ``a`` has zeros."""
    return cumprod_input_tangent(g, ans, a, axis)


@tangent(np.max, np.amax)
def amax_tangent(g, ans, a, axis=None, *, keepdims=False):
    """The tangent of the maximal element of each slice; where several elements tie for
    the maximum, the mean of their tangents (the adjoint rule shares evenly between
    them), that is the average of the one-sided derivatives."""
    if axis is None or keepdims:
        return np.mean(g, axis=axis, keepdims=keepdims, where=a == ans)
    return np.mean(g, axis=axis, keepdims=keepdims, where=a == np.expand_dims(ans, axis))


@tangent(np.min, np.amin)
def amin_tangent(g, ans, a, axis=None, *, keepdims=False):
    """The tangent of the minimal element of each slice; the mean of the tangents of
    tied elements (as the adjoint rule shares evenly between them)."""
    if axis is None or keepdims:
        return np.mean(g, axis=axis, keepdims=keepdims, where=a == ans)
    return np.mean(g, axis=axis, keepdims=keepdims, where=a == np.expand_dims(ans, axis))


@tangent(np.ptp)
def ptp_tangent(g, ans, a, axis=None, *, keepdims=False):
    """The tangent of the maximum minus that of the minimum, each the mean over its tied
    elements (as the adjoint rule shares evenly); zero for a constant slice."""
    return (np.mean(g, axis=axis, keepdims=keepdims, where=a == np.max(a, axis=axis,
                                                                      keepdims=True))
            - np.mean(g, axis=axis, keepdims=keepdims, where=a == np.min(a, axis=axis,
                                                                        keepdims=True)))


@tangent(np.var)
def var_tangent(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False, correction=None):
    """``d var = 2 sum((a - mean) da) / (n - ddof)`` over each slice of length ``n``."""
    if axis is None:
        return 2 * np.sum((a - np.mean(a)) * g, keepdims=keepdims) / (
            np.size(a) - (ddof if correction is None else correction))
    return 2 * np.sum((a - np.mean(a, axis=axis, keepdims=True)) * g, axis=axis,
                      keepdims=keepdims) / (
        reduced_count(a, axis) - (ddof if correction is None else correction))


@tangent(np.std)
def std_tangent(g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False, correction=None):
    """``d std = sum((a - mean) da) / ((n - ddof) std)`` reuses the result; not finite
    where the standard deviation is 0 (a constant slice), as the gradient."""
    if axis is None:
        return np.sum((a - np.mean(a)) * g, keepdims=keepdims) / (
            (np.size(a) - (ddof if correction is None else correction)) * ans)
    return np.sum((a - np.mean(a, axis=axis, keepdims=True)) * g, axis=axis,
                  keepdims=keepdims) / (
        (reduced_count(a, axis) - (ddof if correction is None else correction)) * ans)
