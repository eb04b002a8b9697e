"""Rules of NumPy functions for differences, splitting, shifting, partitioning,
polynomials, convolution and interpolation (``np.diff``, ``np.rollaxis``, ``np.hsplit``,
``np.fft.fftshift``, ``np.partition``, ``np.polyval``, ``np.convolve``, ``np.interp``...).

Most are linear in their array, so their tangent is the primal applied to the tangent
(:func:`linear`), and their adjoint is the transposed map written with functions that
have rules of their own, so that generated gradient code can be differentiated again.

The helpers below appear by name in generated code and have rules of their own (at the
end): ``undiff`` (the transpose of ``np.diff``, with ``rediff`` its own transpose) and
``constant_argument`` (raises where an argument that the rule treats as a constant, such
as ``np.interp``'s ``xp``, is differentiated: never a silent zero).

Not supported: ``np.interp`` with ``period``, complex ``np.convolve``/``np.correlate``.
"""

import numpy as np

from ..errors import AutodiffError
from ..runtime import unbroadcast
from .linalg import norm_input_adjoint, norm_input_tangent
from .registry import SEQUENCE, adjoint, given, linear, multilinear, nondifferentiable, tangent
from .shape import resort, split_count, unsort, untake, vstack

# ----- helpers called by generated code ------------------------------------------------


def constant_argument(function, name):
    """Raise: ``function``'s argument ``name`` is differentiated, but its derivative rule
    takes it as a constant. Generated code calls this only where that argument is
    active.

    >>> try:
    ...     constant_argument("np.interp", "xp")
    ... except AutodiffError as error:
    ...     print(str(error)[:67])
    np.interp is differentiated with respect to its values, not to 'xp'
    """
    raise AutodiffError(f"{function} is differentiated with respect to its values, not to "
                        f"{name!r}: pass {name!r} as a constant (autodiff_ast.stop_gradient) "
                        f"or write the computation out")


def _diff_margin(edge, ndim, axis):
    """How many slices along ``axis`` ``np.diff``'s ``prepend`` or ``append`` adds."""
    if edge is None:
        return 0
    return 1 if np.ndim(edge) == 0 else np.shape(edge)[axis % ndim]


def _diff_edge_shape(edge, a, axis):
    """The shape ``np.diff`` gives ``edge`` before joining it to ``a``."""
    shape = list(np.shape(a))
    shape[axis % len(shape)] = _diff_margin(edge, len(shape), axis)
    return tuple(shape) if np.ndim(edge) == 0 else np.shape(edge)


def undiff(g, a, n=1, axis=-1, prepend=None, append=None, part=0):
    """The adjoint of ``a`` (``part=0``), ``prepend`` (1) or ``append`` (2) in
    ``np.diff(a, n, axis, prepend=prepend, append=append)``: ``g`` run back through the
    ``n`` differences (each one's transpose is minus a difference of ``g`` padded with a
    zero at each end), then the part's slices, summed to a scalar ``prepend``'s shape.

    >>> undiff(np.array([1.0, 2.0]), np.zeros(3))
    array([-1., -1.,  2.])
    >>> float(undiff(np.array([1.0, 2.0, 3.0]), np.zeros(3), prepend=0.0, part=1))
    -1.0
    """
    ndim = np.ndim(g)
    full = g
    zero = np.zeros((), dtype=np.result_type(g))
    for _ in range(n):
        full = -np.diff(full, axis=axis, prepend=zero, append=zero)
    before = _diff_margin(prepend, ndim, axis)
    length = np.shape(a)[axis % ndim]
    if part == 0:
        start, stop, like = before, before + length, a
    elif part == 1:
        start, stop, like = 0, before, prepend
    else:
        start, stop, like = before + length, np.shape(full)[axis % ndim], append
    piece = np.take(full, np.arange(start, stop), axis=axis)
    if np.ndim(like) == 0:
        return np.sum(piece)
    return piece


def rediff(d, g, a, n=1, axis=-1, prepend=None, append=None, part=0):
    """The transpose of :func:`undiff` (linear in ``d``): ``d``, of the part's shape, in
    its place among zeros, then differenced as ``np.diff`` does.

    >>> rediff(np.array([1.0, 0.0, 0.0]), np.zeros(2), np.zeros(3))
    array([-1.,  0.])
    """
    dtype = np.result_type(d, g, 0.0)
    pieces = [np.zeros(_diff_edge_shape(prepend, a, axis), dtype=dtype),
              np.zeros(np.shape(a), dtype=dtype),
              np.zeros(_diff_edge_shape(append, a, axis), dtype=dtype)]
    where = (1, 0, 2)[part]  # the pieces are in the order joined: prepend, a, append
    pieces[where] = np.broadcast_to(d, np.shape(pieces[where]))
    return np.diff(np.concatenate(pieces, axis=axis), n, axis)


def rollaxis_destination(ndim, axis, start=0):
    """Where ``np.rollaxis(a, axis, start)`` puts ``axis`` (``np.moveaxis``'s
    destination), for an array of ``ndim`` dimensions.

    >>> rollaxis_destination(3, 2, 0), rollaxis_destination(3, 0, 3)
    (0, 2)
    """
    axis = axis % ndim
    start = start + ndim if start < 0 else start
    return start - 1 if axis < start else start


def full_convolution(g, a, v, mode):
    """``g``, the adjoint of ``np.convolve(a, v, mode)``, zero-padded to the length of
    the full convolution (the transpose of cutting the full result down to ``mode``).

    >>> full_convolution(np.array([1.0]), np.zeros(3), np.zeros(3), "valid")
    array([0., 0., 1., 0., 0.])
    """
    n, m = np.size(a), np.size(v)
    start = {"full": 0, "same": (min(n, m) - 1) // 2, "valid": min(n, m) - 1}[mode]
    return np.pad(g, (start, n + m - 1 - start - np.size(g)))


def cut_convolution(d, g, a, v, mode):
    """The transpose of :func:`full_convolution`: the full convolution ``d`` cut to
    ``mode``'s part (``g``'s length).

    >>> cut_convolution(np.arange(5.0), np.zeros(1), np.zeros(3), np.zeros(3), "valid")
    array([2.])
    """
    n, m = np.size(a), np.size(v)
    start = {"full": 0, "same": (min(n, m) - 1) // 2, "valid": min(n, m) - 1}[mode]
    return d[start:start + np.size(g)]


def trapezoid_shape(y_shape, x_shape, axis):
    """The shape in which the weights of ``np.trapezoid``'s points (one per point of
    ``x``) multiply ``y``: ``x``'s own, or for a 1-D ``x`` its length along ``axis``.

    >>> trapezoid_shape((2, 3, 4), (3,), 1), trapezoid_shape((2, 3), (2, 3), -1)
    ((1, 3, 1), (2, 3))
    """
    if len(x_shape) != 1 or len(y_shape) == 1:
        return tuple(x_shape)
    shape = [1] * len(y_shape)
    shape[axis % len(y_shape)] = x_shape[0]
    return tuple(shape)


def gradient_axis(ndim, spacing_ndim=0, axis=None, edge_order=1):
    """The one axis along which ``np.gradient(f, spacing, axis=axis)`` differentiates
    (``f`` of ``ndim`` dimensions, ``spacing`` of ``spacing_ndim``), or an error for the
    forms whose derivative is not supported: several axes (a tuple of results), spacing
    given by coordinates, ``edge_order=2``.

    >>> gradient_axis(2, 0, -1)
    -1
    """
    if spacing_ndim != 0 or edge_order != 1:
        raise AutodiffError("the derivative of np.gradient is supported for a scalar spacing "
                            "and edge_order=1 only")
    if axis is None:
        if ndim != 1:
            raise AutodiffError("the derivative of np.gradient of an array of several "
                                "dimensions needs one axis (np.gradient(f, axis=0)): "
                                "without it the result is a tuple")
        return 0
    if not isinstance(axis, (int, np.integer)):
        raise AutodiffError("the derivative of np.gradient needs one integer axis")
    return axis


def _chosen(g, condlist):
    """For each condition of ``np.select``, where it is the first true one (in ``g``'s
    shape), and where none is."""
    shape = np.shape(g)
    taken = np.zeros(shape, dtype=bool)
    masks = []
    for cond in condlist:
        cond = np.broadcast_to(cond, shape)
        masks.append(cond & ~taken)
        taken = taken | cond
    return masks, ~taken


def unselect(g, condlist, choicelist):
    """The adjoints of ``choicelist`` in ``np.select(condlist, choicelist, default)``:
    ``g`` where that choice's condition is the first true one, zeros elsewhere, summed
    to the choice's shape.

    >>> unselect(np.array([1.0, 2.0]), [np.array([True, False])], [np.zeros(2)])
    [array([1., 0.])]
    """
    masks, _ = _chosen(g, condlist)
    return [unbroadcast(np.where(m, g, np.zeros((), dtype=np.result_type(g))), c)
            for m, c in zip(masks, choicelist)]


def reselect(d, g, condlist, choicelist):
    """The transpose of :func:`unselect`: the choices' adjoints ``d`` selected into
    ``g``'s shape as ``np.select`` selects (zeros where no condition holds).

    >>> reselect([np.array([1.0, 2.0])], np.zeros(2), [np.array([True, False])], [np.zeros(2)])
    array([1., 0.])
    """
    masks, _ = _chosen(g, condlist)
    result = np.zeros(np.shape(g), dtype=np.result_type(g, *d))
    for m, piece in zip(masks, d):
        result = result + np.where(m, piece, np.zeros((), dtype=result.dtype))
    return result


def unselect_default(g, condlist, default):
    """The adjoint of ``default`` in ``np.select``: ``g`` where no condition holds.

    >>> float(unselect_default(np.array([1.0, 2.0]), [np.array([True, False])], 0.0))
    2.0
    """
    _, none = _chosen(g, condlist)
    return unbroadcast(np.where(none, g, np.zeros((), dtype=np.result_type(g))), default)


def reselect_default(d, g, condlist, default):
    """The transpose of :func:`unselect_default`: ``d`` where no condition holds.

    >>> reselect_default(3.0, np.zeros(2), [np.array([True, False])], 0.0)
    array([0., 3.])
    """
    _, none = _chosen(g, condlist)
    return np.where(none, np.broadcast_to(d, np.shape(g)), np.zeros((), dtype=np.result_type(d, g)))


def vector_norm_axis(axis):
    """The axis of ``np.linalg.vector_norm`` as ``np.linalg.norm`` takes it for a vector
    norm: an int (a tuple of one), or an error for several axes (not supported).

    >>> vector_norm_axis((1,))
    1
    """
    if isinstance(axis, tuple):
        if len(axis) != 1:
            raise AutodiffError("the derivative of np.linalg.vector_norm over several axes is "
                                "not supported: reshape them into one axis first")
        return axis[0]
    return axis


# ----- differences ---------------------------------------------------------------------


@adjoint(np.diff)
def diff(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    """``prepend`` and ``append`` get the adjoints of the slices they added."""
    return (undiff(g, a, n, axis, prepend, append, 0), None, None,
            undiff(g, a, n, axis, prepend, append, 1), undiff(g, a, n, axis, prepend, append, 2))


@adjoint(*[f for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None)) if f])
def trapezoid(g, ans, y, x=None, dx=1.0, axis=-1):
    """The weight of point ``j`` is half the distance between its neighbours (half the
    first or last interval at the ends), ``(x[j + 1] - x[j - 1]) / 2``: ``y``'s adjoint
    is ``g`` times it. ``x``'s (1-D, or of ``y``'s shape) is the transpose of taking
    those neighbours; ``dx``'s (a scalar) is the sum of ``g`` times ``y`` times the
    weights at unit spacing."""
    n = np.shape(y)[axis]
    hi = np.minimum(np.arange(n) + 1, n - 1)
    lo = np.maximum(np.arange(n) - 1, 0)
    ga = np.expand_dims(g, axis)
    if not given(x):
        unit = np.arange(n, dtype=np.result_type(y, 0.0))
        w0 = np.reshape(np.take(unit, hi) - np.take(unit, lo),
                        trapezoid_shape(np.shape(y), (n,), axis)) / 2
        return ga * dx * w0, None, np.sum(ga * y * w0), None
    xaxis = axis if np.ndim(x) > 1 else 0
    w = np.reshape(np.take(x, hi, axis=xaxis) - np.take(x, lo, axis=xaxis),
                   trapezoid_shape(np.shape(y), np.shape(x), axis)) / 2
    c = np.reshape(unbroadcast(ga * y, w), np.shape(x)) / 2
    return ga * w, untake(c, x, hi, xaxis) - untake(c, x, lo, xaxis), None, None


@tangent(*[f for f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None)) if f])
def trapezoid_tangent(g, ans, y, x=None, dx=1.0, axis=-1):
    """Linear in ``y``, and in ``dx``; ``x``'s term moves the weights."""
    n = np.shape(y)[axis]
    if not given(x):
        return (np.trapezoid(g[0], dx=dx, axis=axis), None, g[2] * np.trapezoid(y, axis=axis),
                None)
    hi = np.minimum(np.arange(n) + 1, n - 1)
    lo = np.maximum(np.arange(n) - 1, 0)
    xaxis = axis if np.ndim(x) > 1 else 0
    return (np.trapezoid(g[0], x, axis=axis),
            np.sum(y * np.reshape(np.take(g[1], hi, axis=xaxis) - np.take(g[1], lo, axis=xaxis),
                                  trapezoid_shape(np.shape(y), np.shape(x), axis)), axis) / 2,
            None, None)


# an integer (or an error) read from shapes and options: never a gradient
nondifferentiable(gradient_axis)


@adjoint(np.gradient)
def gradient(g, ans, f, spacing=1.0, axis=None, edge_order=1):
    """With ``edge_order=1`` point ``i``'s result is ``(f[hi] - f[lo]) / ((hi - lo) h)``
    with ``hi, lo = min(i + 1, n - 1), max(i - 1, 0)`` (central differences inside,
    one-sided at the ends): ``f``'s adjoint is the transpose of those two takes. One
    axis, a scalar spacing ``h`` (a constant)."""
    along = gradient_axis(np.ndim(f), np.ndim(spacing), axis, edge_order)
    n = np.shape(f)[along]
    hi = np.minimum(np.arange(n) + 1, n - 1)
    lo = np.maximum(np.arange(n) - 1, 0)
    steps = np.asarray(hi - lo, dtype=np.result_type(g, 0.0))
    c = g / (np.reshape(steps, trapezoid_shape(np.shape(f), (n,), along)) * spacing)
    return (untake(c, f, hi, along) - untake(c, f, lo, along),
            constant_argument("np.gradient", "spacing"), None, None)


@tangent(np.gradient)
def gradient_tangent(g, ans, f, spacing=1.0, axis=None, edge_order=1):
    along = gradient_axis(np.ndim(f), np.ndim(spacing), axis, edge_order)
    return (np.gradient(g[0], spacing, axis=along),
            constant_argument("np.gradient", "spacing"), None, None)


# ----- moving and splitting ------------------------------------------------------------


@adjoint(np.rollaxis)
def rollaxis(g, ans, a, axis, start=0):
    return np.moveaxis(g, rollaxis_destination(np.ndim(a), axis, start), axis)


@adjoint(np.vsplit, outputs=split_count)
def vsplit(g, ans, ary, indices_or_sections):
    """``g`` holds one adjoint per piece; they are joined back."""
    return np.concatenate(g, 0)


@adjoint(np.hsplit, outputs=split_count)
def hsplit(g, ans, ary, indices_or_sections):
    """Split along the second axis, or the first of a 1-D array."""
    return np.concatenate(g, 1 if np.ndim(ary) > 1 else 0)


@adjoint(np.dsplit, outputs=split_count)
def dsplit(g, ans, ary, indices_or_sections):
    return np.concatenate(g, 2)


@adjoint(np.fft.fftshift)
def fftshift(g, ans, x, axes=None):
    """``ifftshift`` undoes ``fftshift`` (they differ for odd lengths)."""
    return np.fft.ifftshift(g, axes)


@adjoint(np.fft.ifftshift)
def ifftshift(g, ans, x, axes=None):
    return np.fft.fftshift(g, axes)


# ----- partitioning --------------------------------------------------------------------


@adjoint(np.partition)
def partition(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    """Each element of ``g`` goes back to the element of ``a`` that the partition put in
    its place. Elements are matched by value (the sorted order of ``ans`` and of ``a``,
    see :func:`~autodiff_ast.rules.shape.unsort`), which at ties gives a subgradient."""
    return unsort(resort(g, ans, axis), a, axis)


@tangent(np.partition)
def partition_tangent(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    """The transpose of the adjoint: the tangent in ``a``'s sorted order, then placed as
    the sorted order of ``ans``."""
    return unsort(resort(g, a, axis), ans, axis)


# ----- polynomials ---------------------------------------------------------------------


@adjoint(np.polyval)
def polyval(g, ans, p, x):
    """``p``'s adjoint is ``g`` times the powers of ``x`` (highest first) summed over
    ``x``'s elements; ``x``'s is ``g`` times the derivative polynomial at ``x``."""
    dtype = np.result_type(p, x, 0.0)
    powers = np.expand_dims(x, -1) ** np.arange(np.size(p) - 1, -1, -1, dtype=dtype)
    return (np.sum(np.reshape(np.expand_dims(g, -1) * powers, (np.size(g), np.size(p))), axis=0),
            g * np.polyval(p[:-1] * np.arange(np.size(p) - 1, 0, -1, dtype=dtype), x))


@tangent(np.polyval)
def polyval_tangent(g, ans, p, x):
    dtype = np.result_type(p, x, 0.0)
    return (np.polyval(g[0], x),
            g[1] * np.polyval(p[:-1] * np.arange(np.size(p) - 1, 0, -1, dtype=dtype), x))


# ----- convolution ---------------------------------------------------------------------


@adjoint(np.convolve)
def convolve(g, ans, a, v, mode="full"):
    """1-D, real: each argument's adjoint is the full-length ``g`` correlated with the
    other argument."""
    return (np.correlate(full_convolution(g, a, v, mode), v, "valid"),
            np.correlate(full_convolution(g, a, v, mode), a, "valid"))


@adjoint(np.correlate)
def correlate(g, ans, a, v, mode="valid"):
    """Real ``np.correlate(a, v, mode)`` is ``np.convolve(a, v[::-1], mode)``."""
    return (np.correlate(full_convolution(g, a, v, mode), v[::-1], "valid"),
            np.correlate(full_convolution(g, a, v, mode), a, "valid")[::-1])


# ----- norms (NumPy 2) ------------------------------------------------------------------

if hasattr(np.linalg, "vector_norm"):

    @adjoint(np.linalg.vector_norm)
    def vector_norm(g, ans, x, *, axis=None, keepdims=False, ord=2):
        """``np.linalg.norm``'s vector norms (over all elements, flattened, when ``axis``
        is None): see ``norm_input_adjoint``. One axis at most."""
        if not given(axis):
            return np.reshape(norm_input_adjoint(np.reshape(g, ()), np.reshape(ans, ()),
                                                 np.reshape(x, -1), ord), np.shape(x))
        return norm_input_adjoint(g, ans, x, ord, vector_norm_axis(axis), keepdims)

    @tangent(np.linalg.vector_norm)
    def vector_norm_tangent(g, ans, x, *, axis=None, keepdims=False, ord=2):
        if not given(axis):
            return np.reshape(norm_input_tangent(np.reshape(g, -1), np.reshape(ans, ()),
                                                 np.reshape(x, -1), ord), np.shape(ans))
        return norm_input_tangent(g, ans, x, ord, vector_norm_axis(axis), keepdims)

    nondifferentiable(vector_norm_axis)

if hasattr(np.linalg, "matrix_norm"):

    @adjoint(np.linalg.matrix_norm)
    def matrix_norm(g, ans, x, *, keepdims=False, ord="fro"):
        """``np.linalg.norm``'s matrix norms over the last two axes."""
        return norm_input_adjoint(g, ans, x, ord, (-2, -1), keepdims)

    @tangent(np.linalg.matrix_norm)
    def matrix_norm_tangent(g, ans, x, *, keepdims=False, ord="fro"):
        return norm_input_tangent(g, ans, x, ord, (-2, -1), keepdims)


# ----- selecting ---------------------------------------------------------------------


@adjoint(np.select)
def select(g, ans, condlist, choicelist, default=0):
    """The conditions are constants (booleans); each choice gets ``g`` where its
    condition is the first true one, ``default`` where none is. A list of choices written
    out in the call gets one adjoint each."""
    return None, unselect(g, condlist, choicelist), unselect_default(g, condlist, default)


# ----- interpolation -------------------------------------------------------------------


def _interp_unsupported_period():
    raise AutodiffError("the derivative of np.interp with period= is not supported")


@adjoint(np.interp)
def interp(g, ans, x, xp, fp, left=None, right=None, period=None):
    """Piecewise linear: in segment ``k`` (``xp[k] <= x < xp[k + 1]``, the first or last
    segment outside ``xp``) the value is ``(1 - t) fp[k] + t fp[k + 1]`` with ``t`` the
    position in the segment clipped to ``[0, 1]``, so outside ``xp`` the value is an end
    of ``fp`` (or ``left``/``right``, which then get those elements' adjoints). ``x``'s
    adjoint is zero outside ``xp`` and at its points takes the right segment's slope.
    ``xp`` is a constant; ``period`` is not supported."""
    if given(period):
        return (_interp_unsupported_period(), None, _interp_unsupported_period(), None, None,
                None)
    k = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, np.size(xp) - 2)
    t = np.clip((x - np.take(xp, k)) / np.take(np.diff(xp), k), 0.0, 1.0)
    below = np.logical_and(np.less(x, xp[0]), left is not None)
    above = np.logical_and(np.greater(x, xp[-1]), right is not None)
    kept = np.logical_not(np.logical_or(below, above))
    return (g * np.logical_and(np.greater_equal(x, xp[0]), np.less(x, xp[-1]))
            * (np.take(fp, k + 1) - np.take(fp, k)) / np.take(np.diff(xp), k),
            constant_argument("np.interp", "xp"),
            untake(g * (1.0 - t) * kept, fp, k) + untake(g * t * kept, fp, k + 1),
            np.sum(g * below), np.sum(g * above), None)


@tangent(np.interp)
def interp_tangent(g, ans, x, xp, fp, left=None, right=None, period=None):
    if given(period):
        return (_interp_unsupported_period(), None, _interp_unsupported_period(), None, None,
                None)
    k = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, np.size(xp) - 2)
    t = np.clip((x - np.take(xp, k)) / np.take(np.diff(xp), k), 0.0, 1.0)
    below = np.logical_and(np.less(x, xp[0]), left is not None)
    above = np.logical_and(np.greater(x, xp[-1]), right is not None)
    kept = np.logical_not(np.logical_or(below, above))
    return (g[0] * np.logical_and(np.greater_equal(x, xp[0]), np.less(x, xp[-1]))
            * (np.take(fp, k + 1) - np.take(fp, k)) / np.take(np.diff(xp), k),
            constant_argument("np.interp", "xp"),
            ((1.0 - t) * np.take(g[2], k) + t * np.take(g[2], k + 1)) * kept,
            g[3] * below, g[4] * above, None)


if hasattr(np, "row_stack"):  # deprecated in NumPy 2.0 (an alias of np.vstack that warns)
    adjoint(np.row_stack)(vstack)
    linear(np.row_stack)


# ----- forward mode --------------------------------------------------------------------

linear(np.diff, params=("a", "prepend", "append"))
linear(np.select, params=("choicelist", "default"))
linear(np.rollaxis, np.vsplit, np.hsplit, np.dsplit, np.fft.fftshift, np.fft.ifftshift)
multilinear(np.convolve, np.correlate, params=("a", "v"))


# ----- the helpers' own rules ----------------------------------------------------------


@adjoint(undiff)
def undiff_(d, ans, g, a, n=1, axis=-1, prepend=None, append=None, part=0):
    return rediff(d, g, a, n, axis, prepend, append, part)


@adjoint(rediff)
def rediff_(e, ans, d, g, a, n=1, axis=-1, prepend=None, append=None, part=0):
    return undiff(e, a, n, axis, prepend, append, part)


@adjoint(full_convolution)
def full_convolution_(d, ans, g, a, v, mode):
    return cut_convolution(d, g, a, v, mode)


@adjoint(cut_convolution)
def cut_convolution_(e, ans, d, g, a, v, mode):
    return full_convolution(e, a, v, mode)


@adjoint(unselect, outputs=SEQUENCE)
def unselect_(d, ans, g, condlist, choicelist):
    return reselect(d, g, condlist, choicelist)


@adjoint(reselect)
def reselect_(e, ans, d, g, condlist, choicelist):
    return unselect(e, condlist, choicelist)


@adjoint(unselect_default)
def unselect_default_(d, ans, g, condlist, default):
    return reselect_default(d, g, condlist, default)


@adjoint(reselect_default)
def reselect_default_(e, ans, d, g, condlist, default):
    return unselect_default(e, condlist, default)


linear(unselect, reselect, unselect_default, reselect_default)
linear(undiff, rediff, full_convolution, cut_convolution)
