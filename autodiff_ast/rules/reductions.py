"""Rules of reductions (``np.sum``, ``np.mean``, ``np.max``, ``np.var``...) and of the
cumulative and diagonal sums, with ``axis`` as an int, a negative int, a tuple or None,
and ``keepdims``.

The adjoint of a reduction is the result's adjoint spread back over the reduced axes
(``np.full(np.shape(a), np.expand_dims(g, axis))``: a new array of ``a``'s shape, made
faster than ``np.broadcast_to`` makes its read-only view), times the
derivative of the result with respect to each element of its slice. When ``axis`` and
``keepdims`` are written as constants (or left out), the rules inline into one or two
lines of NumPy; when they are run-time values the rule is called as a function (the
rules of ``np.average`` and ``np.cumprod`` inline either way).

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

Last come the rules of what generated code calls: the helpers (``product_of_others``,
``cumprod_adjoint``...) and the rules called as functions (``sum_``, ``amax``...), so that
gradient code can be differentiated again, to any order. The derivatives of products
stay exact where the array has zeros: second derivatives by recurrences along the axis
(as cheap as the gradient), higher ones by giving each element a row of its own in which
it is replaced by 1 (``n`` times the memory for slices of ``n`` elements, ``n * n`` for
the third derivatives of ``np.cumprod``).
"""

import numpy as np

from ..runtime import reduced_count, unbroadcast
from .registry import adjoint, given, linear, multilinear, nondifferentiable, tangent

# ----- helpers that generated code calls ------------------------------------------------

def to_rows(x, axis):
    """``x`` with the axes a reduction over ``axis`` keeps first (in order) and the
    reduced ones flattened into one last axis: each slice of the reduction in one row.
    For ``axis=None`` the flattened ``x``; for one axis, that axis moved last.

    >>> to_rows(np.arange(24).reshape(2, 3, 4), (0, 2)).shape
    (3, 8)
    """
    x = np.asarray(x)
    axes = _axes(axis, x.ndim)
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, kept + list(axes))
    return np.reshape(moved, moved.shape[:len(kept)] + (reduced_count(x, axes),))


def from_rows(r, a, axis):
    """The inverse of :func:`to_rows`: rows ``r`` (of ``to_rows(a, axis)``'s shape) back
    in ``a``'s layout. Each is linear and the adjoint of the other.

    >>> x = np.arange(24.0).reshape(2, 3, 4)
    >>> bool(np.all(from_rows(to_rows(x, (2, 0)), x, (2, 0)) == x))
    True
    """
    shape = np.shape(a)
    axes = _axes(axis, len(shape))
    order = [i for i in range(len(shape)) if i not in axes] + list(axes)
    moved = np.reshape(r, [shape[i] for i in order])
    return np.transpose(moved, np.argsort(order)) if order else moved


def reduced_shape(a, axis):
    """The shape of a reduction of ``a`` over ``axis`` with ``keepdims=True``: ``a``'s
    with the reduced axes of length 1. A reduction's result or adjoint, with or without
    ``keepdims``, reshapes to it to broadcast against ``a``.

    >>> reduced_shape(np.zeros((2, 3, 4)), (0, -1))
    (1, 3, 1)
    """
    shape = np.shape(a)
    axes = _axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


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
    a = _floats(a)
    if a.ndim == 0 or np.size(a) == 0:
        return np.ones_like(a)
    before, after = _exclusive_products(to_rows(a, axis))
    return from_rows(before * after, a, axis)


def product_of_others_tangent(t, a, axis):
    """For every element ``j`` of ``a``: the sum over the other elements ``i`` of its
    slice of ``t[i]`` times the product of the slice's elements other than ``i`` and
    ``j``. It is the tangent of ``product_of_others(a, axis)`` along ``t`` and, the
    Hessian of ``np.prod`` being symmetric, its adjoint given ``t``.

    Made of the products before and after ``j`` and their tangents along ``t``, so it is
    exact where ``a`` has zeros (see :func:`_prefix_tangents`).

    >>> product_of_others_tangent(np.ones(3), np.array([2.0, 0.0, 3.0]), None)
    array([3., 5., 2.])
    """
    a = _floats(a)
    if a.ndim == 0 or np.size(a) == 0:
        return np.zeros_like(np.broadcast_to(t, a.shape), dtype=np.result_type(t, a))
    rows = to_rows(a, axis)
    t_rows = to_rows(np.broadcast_to(t, a.shape), axis)
    before, after = _exclusive_products(rows)
    # the tangents of before (the elements left of j) and of after (those right of j)
    before_dot = _shift_right(_prefix_tangents(t_rows, rows))
    after_dot = np.flip(_shift_right(_prefix_tangents(np.flip(t_rows, -1), np.flip(rows, -1))),
                        -1)
    return from_rows(before_dot * after + before * after_dot, a, axis)


def cumprod_adjoint(g, a, axis):
    """The adjoint of ``a`` in ``np.cumprod(a, axis)`` given the adjoint ``g`` of the
    result: ``sum over j >= i of g[j] * prod(a[k] for k <= j if k != i)`` along ``axis``
    (the flattened ``a`` for None).

    Without zeros in ``a`` it is the reverse cumulative sum of ``g * ans`` divided by
    ``a``. With zeros it is computed without dividing, by a recurrence along the axis
    (one vectorized step per element of the axis).

    >>> cumprod_adjoint(np.ones(3), np.array([2.0, 0.0, 5.0]), 0)
    array([ 1., 12.,  0.])
    """
    a, g_rows, rows = _cumulative_rows(g, a, axis)
    if rows.shape[-1] == 0:
        return np.zeros_like(a, dtype=np.result_type(g, a))
    if np.all(rows != 0):
        result = _reverse_cumsum(g_rows * np.cumprod(rows, -1)) / rows
    else:
        result = _exclusive_products(rows)[0] * _later_sums(g_rows, rows)
    return from_rows(result, a, axis)


def cumprod_input_tangent(t, a, axis):
    """The tangent of ``np.cumprod(a, axis)`` given ``a``'s tangent ``t``: ``sum over j
    <= i of t[j] * prod(a[k] for k <= i if k != j)`` along ``axis`` (the flattened ``a``
    for None).

    Without zeros in ``a`` it is ``ans`` times the cumulative sum of ``t / a``. With
    zeros it is computed without dividing, by the recurrence ``T[i] = T[i-1] * a[i] +
    ans[i-1] * t[i]`` along the axis (one vectorized step per element of the axis).

    >>> cumprod_input_tangent(np.ones(3), np.array([2.0, 0.0, 5.0]), 0)
    array([ 1.,  2., 10.])
    """
    a, t_rows, rows = _cumulative_rows(np.broadcast_to(t, np.shape(a)), a, axis, flat=False)
    return _cumulative_result(_prefix_tangents(t_rows, rows), a, axis)


def cumprod_adjoint_tangent(g, s, a, axis):
    """The tangent of ``cumprod_adjoint(g, a, axis)`` along ``s`` for ``a``: for every
    element ``m``, ``sum over i of g[i] * sum over j of s[j] * d2 cumprod(a)[i] / (da[m]
    da[j])``. Bilinear in ``g`` and ``s``; exact where ``a`` has zeros (by recurrences
    along the axis there, and where an element is tiny: see :func:`_may_divide`).

    >>> cumprod_adjoint_tangent(np.ones(3), np.ones(3), np.array([2.0, 0.0, 5.0]), 0)
    array([6., 8., 2.])
    """
    a, g_rows, rows = _cumulative_rows(g, a, axis)
    s_rows = to_rows(np.broadcast_to(s, a.shape), axis)
    if rows.shape[-1] == 0:
        return np.zeros_like(a, dtype=np.result_type(g, s, a))
    if _may_divide(rows):
        weighted = g_rows * np.cumprod(rows, -1)
        ratio = s_rows / rows
        result = (_reverse_cumsum(weighted * np.cumsum(ratio, -1))
                  - ratio * _reverse_cumsum(weighted)) / rows
        return from_rows(result, a, axis)
    before = _exclusive_products(rows)[0]
    later = _later_sums(g_rows, rows)
    # later_dot[i]: the tangent of later[i] along s, by the same recurrence
    later_dot = np.zeros(later.shape, dtype=np.result_type(later, s_rows))
    for i in range(rows.shape[-1] - 2, -1, -1):
        later_dot[..., i] = (s_rows[..., i + 1] * later[..., i + 1]
                             + rows[..., i + 1] * later_dot[..., i + 1])
    before_dot = _shift_right(_prefix_tangents(s_rows, rows))
    return from_rows(before_dot * later + before * later_dot, a, axis)


def cumprod_second_tangent(t, s, a, axis):
    """The second tangent of ``np.cumprod(a, axis)`` along ``t`` and ``s``: ``sum over
    j != k, both <= i, of t[j] s[k] prod(a[l] for l <= i if l not in (j, k))``; the
    tangent of :func:`cumprod_input_tangent` ``(t, a, axis)`` along ``s`` for ``a``.
    Exact where ``a`` has zeros (see :func:`_may_divide`).

    >>> cumprod_second_tangent(np.ones(3), np.ones(3), np.array([2.0, 0.0, 5.0]), 0)
    array([ 0.,  2., 14.])
    """
    a, t_rows, rows = _cumulative_rows(np.broadcast_to(t, np.shape(a)), a, axis, flat=False)
    s_rows = to_rows(np.broadcast_to(s, a.shape), axis)
    if rows.shape[-1] == 0:
        return _cumulative_result(np.zeros_like(rows), a, axis)
    if _may_divide(rows):
        second = np.cumprod(rows, -1) * (
            np.cumsum(t_rows / rows, -1) * np.cumsum(s_rows / rows, -1)
            - np.cumsum(t_rows * s_rows / rows ** 2, -1))
        return _cumulative_result(second, a, axis)
    # the product rule along the axis: P[i] = P[i-1] a[i]
    t_dot = _prefix_tangents(t_rows, rows)
    s_dot = _prefix_tangents(s_rows, rows)
    second = np.zeros(rows.shape, dtype=np.result_type(t_dot, s_dot))
    for i in range(1, rows.shape[-1]):
        second[..., i] = (second[..., i - 1] * rows[..., i] + s_dot[..., i - 1] * t_rows[..., i]
                          + t_dot[..., i - 1] * s_rows[..., i])
    return _cumulative_result(second, a, axis)


def _may_divide(rows):
    """May second derivatives of products divide by the elements? Not where one is 0,
    nor where one is so much smaller than the largest (by 1e4) that the terms the
    division makes large would cancel with a loss of precision; the recurrences are
    exact there."""
    magnitude = np.abs(rows)
    return bool(np.all(magnitude > 1e-4 * np.max(magnitude)))


def _floats(a):
    a = np.asarray(a)
    return a if a.dtype.kind in "fc" else a.astype(np.float64)


def _shift_right(x):
    """``x`` moved one place right along the last axis, a zero first."""
    return np.concatenate([np.zeros_like(x[..., :1]), x[..., :-1]], axis=-1)


def _reverse_cumsum(x):
    return np.flip(np.cumsum(np.flip(x, -1), -1), -1)


def _exclusive_products(rows):
    """For each element of each row the product of the elements before it, and of those
    after it (cumulative products, without dividing)."""
    one = np.ones(rows.shape[:-1] + (1,), dtype=rows.dtype)
    before = np.cumprod(np.concatenate([one, rows[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([one, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return before, after


def _prefix_tangents(t, rows):
    """The tangents along ``t`` of the cumulative products of ``rows`` (along the last
    axis): ``sum over j <= i of t[j] prod(rows[k] for k <= i if k != j)``. Divides only
    where no row has a zero; else the recurrence ``T[i] = T[i-1] rows[i] + P[i-1] t[i]``."""
    if rows.shape[-1] == 0:
        return np.zeros(np.broadcast_shapes(np.shape(t), rows.shape), np.result_type(t, rows))
    if np.all(rows != 0):
        return np.cumprod(rows, -1) * np.cumsum(t / rows, -1)
    t = np.broadcast_to(t, rows.shape)
    products = np.cumprod(rows, -1)
    result = np.zeros(rows.shape, dtype=np.result_type(t, rows))
    result[..., 0] = t[..., 0]
    for i in range(1, rows.shape[-1]):
        result[..., i] = result[..., i - 1] * rows[..., i] + products[..., i - 1] * t[..., i]
    return result


def _later_sums(g, rows):
    """``later[i] = sum over j >= i of g[j] * prod(rows[k] for i < k <= j)`` along the
    last axis, by the recurrence ``later[i] = g[i] + rows[i+1] later[i+1]``."""
    later = np.zeros(np.broadcast_shapes(g.shape, rows.shape), dtype=np.result_type(g, rows))
    n = rows.shape[-1]
    later[..., n - 1] = g[..., n - 1]
    for i in range(n - 2, -1, -1):
        later[..., i] = g[..., i] + rows[..., i + 1] * later[..., i + 1]
    return later


def _cumulative_rows(g, a, axis, flat=True):
    """``(a, g's rows, a's rows)`` for the cumulative product of ``a`` along ``axis``:
    ``g`` has the result's shape (``a`` flattened for None) when ``flat``, else ``a``'s."""
    a = _floats(a)
    rows = to_rows(a, axis)
    if flat and axis is None:
        return a, np.broadcast_to(g, rows.shape), rows
    return a, to_rows(np.broadcast_to(g, a.shape), axis), rows


def _cumulative_result(rows, a, axis):
    """Rows of a cumulative result back in its layout: ``a``'s, or flat for None."""
    return rows if axis is None else from_rows(rows, a, axis)


def centred(x, axis):
    """``x`` minus its mean over ``axis`` (each slice's elements minus their mean). The
    projection is linear and symmetric: its own adjoint.

    >>> centred(np.array([[1.0, 3.0], [2.0, 6.0]]), 1)
    array([[-1.,  1.],
           [-2.,  2.]])
    """
    return x - np.mean(x, axis=axis, keepdims=True)


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


def aligned_weights(weights, a, axis):
    """The weights of ``np.average(a, axis, weights)`` broadcastable against ``a``: as
    they are when of ``a``'s shape; when of the shape of the reduced axes (in the order
    of ``axis``, as NumPy allows), with length 1 along the other axes; ones for None.
    Linear in ``weights``; :func:`unaligned_weights` is its inverse and adjoint.

    >>> aligned_weights(np.arange(8.0).reshape(4, 2), np.zeros((2, 3, 4)), (2, 0)).shape
    (2, 1, 4)
    """
    shape = np.shape(a)
    axes = _axes(axis, len(shape))
    if weights is None:
        return np.ones([n if i in axes else 1 for i, n in enumerate(shape)],
                       dtype=np.result_type(a, 1.0))
    if np.shape(weights) == shape:
        return weights
    return np.reshape(np.transpose(weights, np.argsort(axes)),
                      [n if i in axes else 1 for i, n in enumerate(shape)])


def unaligned_weights(w, weights, a, axis):
    """The inverse of :func:`aligned_weights`: ``w`` (of the aligned weights' shape) in
    the shape and axis order of ``weights``.

    >>> unaligned_weights(np.zeros((2, 1, 4)), np.zeros((4, 2)), np.zeros((2, 3, 4)),
    ...                   (2, 0)).shape
    (4, 2)
    """
    shape = np.shape(a)
    if np.shape(weights) == shape:
        return w
    axes = _axes(axis, len(shape))
    order = np.argsort(axes)
    return np.transpose(np.reshape(w, [shape[i] for i in sorted(axes)]), np.argsort(order))


def _axes(axis, ndim):
    """``axis`` (an int, a tuple or None) as a tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
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
    shape of the reduced axes, as NumPy allows; see :func:`aligned_weights`),
    ``avg = sum(a * w) / sum(w)``: ``d avg / d a = w / sum(w)`` and ``d avg / d w =
    (a - avg) / sum(w)``, summed back to the weights' shape. ``g`` and ``ans`` reshape to
    :func:`reduced_shape` (with or without ``keepdims``), so that the rule inlines
    whether ``axis`` is known when the code is compiled or only at run time."""
    if not given(weights):
        return np.full(np.shape(a), np.reshape(g, reduced_shape(a, axis))
                       / reduced_count(a, axis)), None, None
    w = aligned_weights(weights, a, axis)
    total = np.sum(w, axis=axis, keepdims=True)
    g_kept = np.reshape(g, reduced_shape(a, axis))
    return (np.full(np.shape(a), g_kept * w / total), None,
            unaligned_weights(unbroadcast(
                g_kept * (a - np.reshape(ans, reduced_shape(a, axis))) / total, w),
                weights, a, axis))


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
    return cumprod_adjoint(g, a, axis)


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
    """``d std / d a = (a - mean) / ((n - ddof) std)`` reuses the result. Where the
    standard deviation is 0 (a slice of one element, whose standard deviation is 0
    whatever it holds, or a constant slice, where 0 is the subgradient of least norm)
    ``a - mean`` is 0 and so is the gradient: the divisor's 0 is replaced by 1 (0/0 was
    ``nan``)."""
    if axis is None:
        return g * (a - np.mean(a)) / (
            (np.size(a) - (ddof if correction is None else correction))
            * np.where(ans == 0, 1, ans))
    if keepdims:
        return g * (a - np.mean(a, axis=axis, keepdims=True)) / (
            (reduced_count(a, axis) - (ddof if correction is None else correction))
            * np.where(ans == 0, 1, ans))
    return np.expand_dims(g / np.where(ans == 0, 1, ans), axis) * (
        a - np.mean(a, axis=axis, keepdims=True)) / (
        reduced_count(a, axis) - (ddof if correction is None else correction))


# ----- forward mode ------------------------------------------------------------------

linear(np.sum, np.mean, np.cumsum, np.trace)


def weighted_average_tangents(g, ans, a, axis, weights, keepdims):
    """The terms ``(a's, None, weights', None)`` of the tangent of ``ans = np.average(a,
    axis, weights, keepdims=keepdims)``, given the tangents ``g = (da, _, dweights, _)``
    (``None`` for an argument that is not differentiated, whose term is then ``None``).

    With ``w`` aligned to ``a`` (:func:`aligned_weights`), the terms are
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
    w = aligned_weights(weights, a, axis)
    total = np.sum(w, axis=axis, keepdims=keepdims)
    da = dw = None
    if g[0] is not None:
        da = np.sum(g[0] * w, axis=axis, keepdims=keepdims) / total
    if g[2] is not None:
        mean_kept = ans if axis is None or keepdims else np.expand_dims(ans, axis)
        dw = np.sum(aligned_weights(g[2], a, axis) * (a - mean_kept), axis=axis,
                    keepdims=keepdims) / total
    return da, None, dw, None


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
    return cumprod_input_tangent(g, a, axis)


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
    """``d std = sum((a - mean) da) / ((n - ddof) std)`` reuses the result; 0 where the
    standard deviation is 0, as the gradient."""
    if axis is None:
        return np.sum((a - np.mean(a)) * g, keepdims=keepdims) / (
            (np.size(a) - (ddof if correction is None else correction))
            * np.where(ans == 0, 1, ans))
    return np.sum((a - np.mean(a, axis=axis, keepdims=True)) * g, axis=axis,
                  keepdims=keepdims) / (
        (reduced_count(a, axis) - (ddof if correction is None else correction))
        * np.where(ans == 0, 1, ans))


# ----- the rules of the helpers above and of rules that generated code calls ----------
# Generated gradient code calls the helpers (and a rule itself where an argument such as
# ``axis`` is known only at run time); with these rules it can be differentiated again
# (``hessian``, ``grad(grad(f))``). The adjoint rules use only functions that have rules
# of their own, so that any order of derivative can be taken; the tangent rules may use
# the cheaper helpers that have none.

nondifferentiable(diagonal_mask, reduced_shape)


@adjoint(to_rows)
def to_rows_(d, ans, x, axis):
    return from_rows(d, x, axis)


@adjoint(from_rows)
def from_rows_(d, ans, r, a, axis):
    return to_rows(d, axis)


@adjoint(aligned_weights)
def aligned_weights_(d, ans, weights, a, axis):
    return unaligned_weights(d, weights, a, axis)


@adjoint(unaligned_weights)
def unaligned_weights_(d, ans, w, weights, a, axis):
    return aligned_weights(d, a, axis)


@adjoint(centred)
def centred_(d, ans, x, axis):
    return centred(d, axis)


linear(to_rows, from_rows, aligned_weights, unaligned_weights, centred)


@tangent(product_of_others)
def product_of_others_tangent_rule(g, ans, a, axis):
    return product_of_others_tangent(g, a, axis)


@adjoint(product_of_others)
def product_of_others_(d, ans, a, axis):
    """The Hessian of ``np.prod`` is symmetric: the adjoint is the tangent along ``d``."""
    return product_of_others_tangent(d, a, axis)


@tangent(product_of_others_tangent)
def product_of_others_tangent_tangent(g, ans, t, a, axis):
    """See the adjoint rule below (the derivative for ``a`` is symmetric in ``t`` and
    the direction ``g[1]``)."""
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    others = product_of_others_tangent(
        np.where(excluded, 0, np.expand_dims(to_rows(t, axis), -2)),
        np.where(excluded, 1, np.expand_dims(to_rows(a, axis), -2)), -1)
    return (product_of_others_tangent(g[0], a, axis),
            from_rows(np.sum(np.where(excluded, 0, np.expand_dims(to_rows(g[1], axis), -2))
                             * others, axis=-1), a, axis))


@adjoint(product_of_others_tangent)
def product_of_others_tangent_(d, ans, t, a, axis):
    """Linear in ``t`` and symmetric: ``product_of_others_tangent(d, a, axis)``. For
    ``a``, the third derivatives of ``np.prod``: for every element ``j``, the sum over
    distinct others ``i``, ``k`` of ``t[i] d[k]`` times the product of the elements
    other than ``i``, ``j``, ``k``. Each element ``j`` gets a row of its own in which it
    is replaced by 1 (and ``t`` and ``d`` by 0), and this is
    ``product_of_others_tangent`` of those rows (``n`` times the memory of ``a`` for
    slices of ``n``; exact where ``a`` has zeros), written in functions that have rules
    so that it can be differentiated again."""
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    others = product_of_others_tangent(
        np.where(excluded, 0, np.expand_dims(to_rows(t, axis), -2)),
        np.where(excluded, 1, np.expand_dims(to_rows(a, axis), -2)), -1)
    return (product_of_others_tangent(d, a, axis),
            from_rows(np.sum(np.where(excluded, 0, np.expand_dims(to_rows(d, axis), -2))
                             * others, axis=-1), a, axis))


@tangent(cumprod_adjoint)
def cumprod_adjoint_tangent_rule(g, ans, g_, a, axis):
    return cumprod_adjoint(g[0], a, axis), cumprod_adjoint_tangent(g_, g[1], a, axis)


@adjoint(cumprod_adjoint)
def cumprod_adjoint_(d, ans, g, a, axis):
    """``cumprod_adjoint(g, a)`` is ``J.T @ g`` with ``J`` the Jacobian of ``np.cumprod``:
    ``J @ d`` for ``g``; for ``a`` the second derivatives of ``np.cumprod`` weighted by
    ``g`` along ``d`` (they are symmetric)."""
    return cumprod_input_tangent(d, a, axis), cumprod_adjoint_tangent(g, d, a, axis)


@tangent(cumprod_input_tangent)
def cumprod_input_tangent_tangent(g, ans, t, a, axis):
    return cumprod_input_tangent(g[0], a, axis), cumprod_second_tangent(t, g[1], a, axis)


@adjoint(cumprod_input_tangent)
def cumprod_input_tangent_(d, ans, t, a, axis):
    """``J @ t``: ``J.T @ d`` for ``t``; for ``a`` the second derivatives of
    ``np.cumprod`` weighted by ``d`` along ``t``."""
    return cumprod_adjoint(d, a, axis), cumprod_adjoint_tangent(d, t, a, axis)


# The second derivatives of np.cumprod are bilinear in their two directions; their
# derivatives for ``a`` are the third derivatives. ``cumprod(a)[i]`` is the product of row
# ``i`` of a square of rows (``a[k]`` for ``k <= i``, 1 after), and the third derivatives
# of a product are ``product_of_others_tangent`` of rows in which one more element is
# replaced by 1: the rules below write them so, in functions that have rules (``n * n``
# times the memory of ``a`` for an axis of ``n`` elements; exact where ``a`` has zeros).

@tangent(cumprod_adjoint_tangent)
def cumprod_adjoint_tangent_tangent(dots, ans, g, s, a, axis):
    lower = np.tri(reduced_count(a, axis), dtype=bool)  # [i, k]: k <= i
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    third = np.sum(
        np.where(excluded, 0, np.expand_dims(
            np.where(lower, np.expand_dims(to_rows(dots[2], axis), -2), 0), -2))
        * product_of_others_tangent(
            np.where(excluded, 0, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(s, axis), -2), 0), -2)),
            np.where(excluded, 1, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(a, axis), -2), 1), -2)), -1),
        axis=-1)
    return (cumprod_adjoint_tangent(dots[0], s, a, axis),
            cumprod_adjoint_tangent(g, dots[1], a, axis),
            from_rows(np.sum(np.where(lower, np.expand_dims(to_rows(g, axis), -1) * third, 0),
                             axis=-2), a, axis))


@adjoint(cumprod_adjoint_tangent)
def cumprod_adjoint_tangent_(e, ans, g, s, a, axis):
    """``cumprod_adjoint_tangent(g, s, a)[m]`` is ``sum over i, j of g[i] s[j] d2
    cumprod(a)[i] / (da[m] da[j])``: ``cumprod_second_tangent(e, s)`` for ``g``, itself
    with ``e`` for ``s``, and the third derivatives for ``a``."""
    lower = np.tri(reduced_count(a, axis), dtype=bool)
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    third = np.sum(
        np.where(excluded, 0, np.expand_dims(
            np.where(lower, np.expand_dims(to_rows(e, axis), -2), 0), -2))
        * product_of_others_tangent(
            np.where(excluded, 0, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(s, axis), -2), 0), -2)),
            np.where(excluded, 1, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(a, axis), -2), 1), -2)), -1),
        axis=-1)
    return (cumprod_second_tangent(e, s, a, axis), cumprod_adjoint_tangent(g, e, a, axis),
            from_rows(np.sum(np.where(lower, np.expand_dims(to_rows(g, axis), -1) * third, 0),
                             axis=-2), a, axis))


@tangent(cumprod_second_tangent)
def cumprod_second_tangent_tangent(dots, ans, t, s, a, axis):
    lower = np.tri(reduced_count(a, axis), dtype=bool)
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    third = np.sum(
        np.where(lower, np.expand_dims(to_rows(s, axis), -2), 0) * np.sum(
            np.where(excluded, 0, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(dots[2], axis), -2), 0), -2))
            * product_of_others_tangent(
                np.where(excluded, 0, np.expand_dims(
                    np.where(lower, np.expand_dims(to_rows(t, axis), -2), 0), -2)),
                np.where(excluded, 1, np.expand_dims(
                    np.where(lower, np.expand_dims(to_rows(a, axis), -2), 1), -2)), -1),
            axis=-1), axis=-1)
    if axis is None:
        return (cumprod_second_tangent(dots[0], s, a, axis),
                cumprod_second_tangent(t, dots[1], a, axis), third)
    return (cumprod_second_tangent(dots[0], s, a, axis),
            cumprod_second_tangent(t, dots[1], a, axis), from_rows(third, a, axis))


@adjoint(cumprod_second_tangent)
def cumprod_second_tangent_(e, ans, t, s, a, axis):
    """``cumprod_second_tangent(t, s, a)[i]`` is ``sum over j, k of t[j] s[k] d2
    cumprod(a)[i] / (da[j] da[k])``: ``cumprod_adjoint_tangent(e, s)`` for ``t``, ``(e,
    t)`` for ``s``, and the third derivatives for ``a``."""
    lower = np.tri(reduced_count(a, axis), dtype=bool)
    excluded = np.eye(reduced_count(a, axis), dtype=bool)
    third = np.sum(
        np.where(excluded, 0, np.expand_dims(
            np.where(lower, np.expand_dims(to_rows(s, axis), -2), 0), -2))
        * product_of_others_tangent(
            np.where(excluded, 0, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(t, axis), -2), 0), -2)),
            np.where(excluded, 1, np.expand_dims(
                np.where(lower, np.expand_dims(to_rows(a, axis), -2), 1), -2)), -1),
        axis=-1)
    return (cumprod_adjoint_tangent(e, s, a, axis), cumprod_adjoint_tangent(e, t, a, axis),
            from_rows(np.sum(np.where(lower, np.expand_dims(to_rows(e, axis), -1) * third, 0),
                             axis=-2), a, axis))


# Rules that generated code calls as functions where ``axis`` or ``keepdims`` is known
# only at run time. Each is linear in ``g`` (the others enter through masks, which are
# constant almost everywhere), and the adjoint of the rule of a reduction is the tangent
# rule of the reduction (its transpose), and the reverse.

@adjoint(sum_)
def sum__(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """``sum_`` spreads ``g`` over the reduced axes; its adjoint sums back."""
    return np.sum(d, axis=axis, keepdims=keepdims)


@adjoint(mean)
def mean_(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return np.mean(d, axis=axis, keepdims=keepdims)


@adjoint(cumsum)
def cumsum_(d, result, g, ans, a, axis=None, dtype=None):
    return np.cumsum(d, axis)


@adjoint(amax)
def amax_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return amax_tangent(d, ans, a, axis, keepdims=keepdims)


@adjoint(amax_tangent)
def amax_tangent_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return amax(d, ans, a, axis, keepdims=keepdims)


@adjoint(amin)
def amin_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return amin_tangent(d, ans, a, axis, keepdims=keepdims)


@adjoint(amin_tangent)
def amin_tangent_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return amin(d, ans, a, axis, keepdims=keepdims)


@adjoint(ptp)
def ptp_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return ptp_tangent(d, ans, a, axis, keepdims=keepdims)


@adjoint(ptp_tangent)
def ptp_tangent_(d, result, g, ans, a, axis=None, *, keepdims=False):
    return ptp(d, ans, a, axis, keepdims=keepdims)


@adjoint(nansum)
def nansum_(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return nansum_tangent(d, ans, a, axis, dtype, keepdims=keepdims)


@adjoint(nansum_tangent)
def nansum_tangent_(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return nansum(d, ans, a, axis, dtype, keepdims=keepdims)


@adjoint(nanmean)
def nanmean_(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return nanmean_tangent(d, ans, a, axis, dtype, keepdims=keepdims)


@adjoint(nanmean_tangent)
def nanmean_tangent_(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return nanmean(d, ans, a, axis, dtype, keepdims=keepdims)


linear(amax, amax_tangent, amin, amin_tangent, ptp, ptp_tangent, nansum, nansum_tangent,
       nanmean, nanmean_tangent, params=("g",))


# The rules of np.prod, np.var and np.std, called with an axis known at run time, are
# linear in ``g`` but not in ``a`` (nor, for ``std``, in ``ans``): each has a tangent rule
# and an adjoint rule, made of the rules themselves and their tangent rules (their
# transposes in ``g``), which have rules in turn. ``g`` and ``ans`` reshape to
# :func:`reduced_shape` to broadcast against ``a``.

@tangent(prod)
def prod_rule_tangent(dots, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    """``prod(g, ans, a)`` is ``g * product_of_others(a)`` spread over the slices (it does
    not read ``ans``, whose term is 0)."""
    return (prod(dots[0], ans, a, axis, dtype, keepdims=keepdims), 0.0,
            np.reshape(g, reduced_shape(a, axis)) * product_of_others_tangent(dots[2], a, axis))


@adjoint(prod)
def prod_rule_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return (prod_tangent(d, ans, a, axis, dtype, keepdims=keepdims), None,
            product_of_others_tangent(np.reshape(g, reduced_shape(a, axis)) * d, a, axis))


@tangent(prod_tangent)
def prod_tangent_tangent(dots, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return (prod_tangent(dots[0], ans, a, axis, dtype, keepdims=keepdims), 0.0,
            np.sum(g * product_of_others_tangent(dots[2], a, axis), axis=axis,
                   keepdims=keepdims))


@adjoint(prod_tangent)
def prod_tangent_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, keepdims=False):
    return (prod(d, ans, a, axis, dtype, keepdims=keepdims), None,
            product_of_others_tangent(np.reshape(d, reduced_shape(a, axis)) * g, a, axis))


@adjoint(var)
def var_rule_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False,
                     correction=None):
    """``var(g, ans, a) = 2 g (a - mean(a)) / (n - ddof)`` is bilinear in ``g`` and
    ``a`` (it does not read ``ans``); centring is its own transpose."""
    return (var_tangent(d, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                        correction=correction), None,
            centred(np.reshape(g, reduced_shape(a, axis)) * d, axis)
            * 2 / (reduced_count(a, axis) - (ddof if correction is None else correction)))


@adjoint(var_tangent)
def var_tangent_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, ddof=0,
                        keepdims=False, correction=None):
    return (var(d, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims, correction=correction),
            None,
            centred(np.reshape(d, reduced_shape(a, axis)) * g, axis)
            * 2 / (reduced_count(a, axis) - (ddof if correction is None else correction)))


multilinear(var, var_tangent, params=("g", "a"))


@tangent(std)
def std_rule_tangent(dots, result, g, ans, a, axis=None, dtype=None, *, ddof=0,
                     keepdims=False, correction=None):
    """``std(g, ans, a) = g (a - mean(a)) / ((n - ddof) ans)``: linear in ``g`` and in
    ``a``, and ``ans``'s term is ``g``'s with ``g`` replaced by ``-g dans / ans``."""
    return (std(dots[0], ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                correction=correction),
            std(-g * dots[1] / ans, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                correction=correction),
            std(g, ans, dots[2], axis, dtype, ddof=ddof, keepdims=keepdims,
                correction=correction))


@adjoint(std)
def std_rule_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, ddof=0, keepdims=False,
                     correction=None):
    return (std_tangent(d, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                        correction=correction),
            -g * std_tangent(d, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                             correction=correction) / ans,
            centred(np.reshape(g / ans, reduced_shape(a, axis)) * d, axis)
            / (reduced_count(a, axis) - (ddof if correction is None else correction)))


@tangent(std_tangent)
def std_tangent_tangent(dots, result, g, ans, a, axis=None, dtype=None, *, ddof=0,
                        keepdims=False, correction=None):
    return (std_tangent(dots[0], ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                        correction=correction),
            -std_tangent(g, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                         correction=correction) * dots[1] / ans,
            std_tangent(g, ans, dots[2], axis, dtype, ddof=ddof, keepdims=keepdims,
                        correction=correction))


@adjoint(std_tangent)
def std_tangent_adjoint(d, result, g, ans, a, axis=None, dtype=None, *, ddof=0,
                        keepdims=False, correction=None):
    return (std(d, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims, correction=correction),
            -d * std_tangent(g, ans, a, axis, dtype, ddof=ddof, keepdims=keepdims,
                             correction=correction) / ans,
            centred(np.reshape(d / ans, reduced_shape(a, axis)) * g, axis)
            / (reduced_count(a, axis) - (ddof if correction is None else correction)))
