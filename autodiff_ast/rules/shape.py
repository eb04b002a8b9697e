"""Rules of functions that move, copy or select array elements without arithmetic
(``np.reshape``, ``np.transpose``, ``np.concatenate``...): the adjoint moves the
gradient back to where each element came from.

Where one element of the argument fills several elements of the result (``np.tile``,
``np.repeat``, ``np.broadcast_to``, ``np.take`` with repeated indices, the edges of
``np.pad(..., mode="edge")``) their adjoints are added up. A function of a list of
arrays (``np.concatenate([a, b])``, ``np.stack``, ``np.array([a, b])``) gets one adjoint
per list element, which the compiler unpacks (``_r1, _r2 = unconcatenate(g, [a, b])``).

The helpers below (``unconcatenate``, ``untile``, ``unrepeat``, ``untake``,
``undiagonal``, ``unpad``, ``uncast``, ``unravel``, ``unsort``) appear by name in generated
code: each takes the result's adjoint ``g`` and gives an argument's, in ``g``'s floating
dtype (``uncast``: in the argument's). They have rules of their own (at the end), so that
generated gradient code can be differentiated again (``hessian``, ``grad(grad(f))``):
each is linear in ``g``, and its adjoint is the map it transposes (``np.tile`` for
``untile``...; ``concatenate_pieces``, ``reravel`` and ``resort`` where that map is not a
NumPy function), whose adjoint is the helper again.

``np.sort`` moves elements too: its adjoint puts each element of ``g`` back where the
sort took it from (``unsort``), and its tangent sorts the tangent the same way
(``resort``). Where elements are equal (ties) the gradient is the subgradient of the
stable order: the first of equal elements in ``a`` gets the adjoint of the first of
their places in the result.

``np.split`` and ``np.array_split`` are differentiated when their pieces are unpacked
into names (``a, b = np.split(x, [1])``), and so is ``np.meshgrid`` of one to three
arrays (``X, Y = np.meshgrid(x, y)``). Not supported yet: ``np.atleast_*d`` of several
arrays, ``np.meshgrid`` of more than three arrays, ``np.pad`` modes that compute values
(``linear_ramp``, ``mean``...) and per-side ``constant_values`` adjoints.
"""

import numpy as np

from ..runtime import unbroadcast
from .registry import (SEQUENCE, Attribute, adjoint, given, is_display, is_literal, linear,
                       tangent)

# ----- helpers called by generated code ------------------------------------------------


def unconcatenate(g, arrays, axis=0):
    """The adjoints of ``arrays`` in ``np.concatenate(arrays, axis)``: ``g`` cut along
    ``axis`` into one piece per array, each of that array's shape (``axis=None``: the
    arrays were flattened). Also serves ``np.hstack``, ``np.vstack``, ``np.column_stack``
    and ``np.dstack``: an array that they gave more dimensions (a scalar, a row) takes a
    piece one element thick, reshaped back.

    >>> a, b = unconcatenate(np.arange(5.0), [np.zeros(2), np.zeros(3)])
    >>> a, b
    (array([0., 1.]), array([2., 3., 4.]))
    >>> [p.shape for p in unconcatenate(np.ones((2, 3)), [np.zeros(3), np.zeros(3)], 0)]
    [(3,), (3,)]
    """
    if axis is None:
        g = np.reshape(g, -1)
        axis = 0
        extents = [np.size(a) for a in arrays]
    else:
        extents = [np.shape(a)[axis] if np.ndim(a) == np.ndim(g) else 1 for a in arrays]
    pieces = np.split(g, np.cumsum(extents)[:-1], axis=axis)
    return [np.reshape(piece, np.shape(a)) for piece, a in zip(pieces, arrays)]


def unjoin(g, arrays, axis=0):
    """The adjoint of ``arrays`` when the call names one variable (``np.vstack(x)``): an
    array of its shape when it holds an array (whose rows were joined), else the list of
    its items' adjoints, as :func:`unconcatenate` gives.

    >>> unjoin(np.arange(4.0), np.zeros((2, 2)))
    array([[0., 1.],
           [2., 3.]])
    >>> unjoin(np.arange(4.0), [np.zeros(2), np.zeros(2)])
    [array([0., 1.]), array([2., 3.])]
    """
    adjoints = unconcatenate(g, arrays, axis)
    if isinstance(arrays, np.ndarray):
        return np.reshape(adjoints, np.shape(arrays))
    return adjoints


def concatenate_pieces(pieces, g, arrays, axis=0):
    """The inverse of :func:`unconcatenate`: ``pieces`` (one of each array's shape)
    joined back into ``g``'s shape, as ``np.concatenate`` (``np.hstack``...) joined the
    arrays. It is the transpose of ``unconcatenate`` (each is linear in its first
    argument and the adjoint of the other).

    >>> concatenate_pieces([np.zeros(2), np.ones(3)], np.zeros(5), [np.zeros(2), np.zeros(3)])
    array([0., 0., 1., 1., 1.])
    >>> concatenate_pieces([np.ones(3), np.full(3, 2.0)], np.zeros((3, 2)),
    ...                    [np.zeros(3), np.zeros(3)], 1)
    array([[1., 2.],
           [1., 2.],
           [1., 2.]])
    """
    g_shape = np.shape(g)
    if axis is None:
        flat = [np.reshape(piece, -1) for piece in pieces]
        return np.reshape(np.concatenate(flat), g_shape)
    axis = axis % len(g_shape)
    parts = []
    for piece, a in zip(pieces, arrays):
        extent = np.shape(a)[axis] if np.ndim(a) == len(g_shape) else 1
        parts.append(np.reshape(piece, g_shape[:axis] + (extent,) + g_shape[axis + 1:]))
    return np.concatenate(parts, axis)


def unconcatenate_piece(g, arrays, axis, index):
    """The adjoint of ``arrays[index]`` alone: ``unconcatenate(g, arrays, axis)[index]``.

    >>> unconcatenate_piece(np.arange(5.0), (np.zeros(2), np.zeros(3)), None, 1)
    array([2., 3., 4.])
    """
    return unconcatenate(g, arrays, axis)[index]


def concatenate_piece(d, g, arrays, axis, index):
    """The transpose of :func:`unconcatenate_piece`: ``d`` (of ``arrays[index]``'s shape)
    in its place in ``g``'s shape, zeros elsewhere.

    >>> concatenate_piece(np.ones(3), np.zeros(5), (np.zeros(2), np.zeros(3)), None, 1)
    array([0., 0., 1., 1., 1.])
    """
    dtype = np.result_type(d, g, 0.0)
    pieces = [np.zeros(np.shape(a), dtype=dtype) for a in arrays]
    pieces[index] = d
    return concatenate_pieces(pieces, g, arrays, axis)


def untile(g, A, reps):
    """The adjoint of ``A`` in ``np.tile(A, reps)``: the sum of ``g`` over the tiles.

    >>> untile(np.arange(6.0), np.zeros(2), 3)
    array([6., 9.])
    """
    shape = np.shape(A)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    ndim = max(len(shape), len(reps))
    padded_shape = (1,) * (ndim - len(shape)) + tuple(shape)
    padded_reps = (1,) * (ndim - len(reps)) + reps
    # axis 2k counts the tiles along axis k, axis 2k + 1 the elements of A
    tiles = np.reshape(g, [n for pair in zip(padded_reps, padded_shape) for n in pair])
    return np.reshape(np.sum(tiles, axis=tuple(range(0, 2 * ndim, 2))), shape)


def unrepeat(g, a, repeats, axis=None):
    """The adjoint of ``a`` in ``np.repeat(a, repeats, axis)``: for each element of ``a``
    the sum of ``g`` over its copies.

    >>> unrepeat(np.arange(6.0), np.zeros(3), 2)
    array([1., 5., 9.])
    >>> unrepeat(np.arange(3.0), np.zeros(2), [2, 1])
    array([1., 2.])
    """
    shape = np.shape(a)
    if axis is None:
        g, axis, length = np.reshape(g, -1), 0, int(np.size(a))
        summed_shape = (length,)
    else:
        axis = axis % len(shape)
        length = shape[axis]
        summed_shape = shape
    g_shape = np.shape(g)
    if np.size(repeats) == 1:  # every element repeated the same number of times
        count = int(np.reshape(repeats, -1)[0])
        copies = np.reshape(g, g_shape[:axis] + (length, count) + g_shape[axis + 1:])
        return np.reshape(np.sum(copies, axis=axis + 1), shape)
    owner = np.repeat(np.arange(length), repeats)  # the element each copy came from
    summed = np.zeros(summed_shape, dtype=np.result_type(g))
    np.add.at(np.moveaxis(summed, axis, 0), owner, np.moveaxis(g, axis, 0))
    return np.reshape(summed, shape)


def untake(g, a, indices, axis=None, mode="raise"):
    """The adjoint of ``a`` in ``np.take(a, indices, axis)``: ``g`` added into zeros at
    ``indices`` (an index taken twice gets both adjoints).

    >>> untake(np.array([1.0, 2.0, 4.0]), np.zeros(3), np.array([0, 2, 0]))
    array([5., 0., 2.])
    """
    summed = np.zeros_like(a, dtype=np.result_type(a, g))
    if axis is None:
        target, length = np.reshape(summed, -1), np.size(a)  # a view: summed is new
    else:
        axis = axis % np.ndim(a)
        target, length = summed, np.shape(a)[axis]
    if mode == "wrap":
        indices = np.mod(indices, length)
    elif mode == "clip":
        indices = np.clip(indices, 0, length - 1)
    where = indices if axis is None else (slice(None),) * axis + (indices,)
    np.add.at(target, where, g)
    return summed


def undiagonal(g, a, offset=0, axis1=0, axis2=1):
    """The adjoint of ``a`` in ``np.diagonal(a, offset, axis1, axis2)``: zeros of ``a``'s
    shape with ``g`` on that diagonal.

    >>> undiagonal(np.array([1.0, 2.0]), np.zeros((2, 3)), 1)
    array([[0., 1., 0.],
           [0., 0., 2.]])
    """
    result = np.zeros_like(a, dtype=np.result_type(a, g))
    planes = np.moveaxis(result, (axis1, axis2), (-2, -1))  # a view of result
    position = np.arange(np.shape(g)[-1])
    planes[..., position + max(-offset, 0), position + max(offset, 0)] = g
    return result


def unpad(g, array, pad_width, mode="constant"):
    """The adjoint of ``array`` in ``np.pad(array, pad_width, mode)``: for the constant
    mode the part of ``g`` inside the padding; for ``edge``, ``reflect``, ``symmetric``
    and ``wrap`` also the adjoints of the padding, each added to the element it copies.

    >>> unpad(np.arange(5.0), np.zeros(3), 1)
    array([1., 2., 3.])
    >>> unpad(np.arange(5.0), np.zeros(3), 1, "edge")
    array([1., 2., 7.])
    """
    shape = np.shape(array)
    if mode == "constant":
        widths = np.broadcast_to(pad_width, (len(shape), 2))
        return g[tuple(slice(int(before), int(before) + n)
                       for (before, _), n in zip(widths, shape))]
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise NotImplementedError(f"the gradient of np.pad with mode={mode!r} is not "
                                  f"supported (constant, edge, reflect, symmetric, wrap are)")
    # pad the flat positions of array's elements the same way: where each element came from
    source = np.pad(np.reshape(np.arange(np.size(array)), shape), pad_width, mode)
    summed = np.zeros(np.size(array), dtype=np.result_type(g))
    np.add.at(summed, np.reshape(source, -1), np.reshape(g, -1))
    return np.reshape(summed, shape)


def uncast(g, a, dtype):
    """The adjoint of ``a`` through its conversion to ``dtype`` (``np.asarray(a, dtype)``,
    ``a.astype(dtype)``): ``g`` back in ``a``'s floating dtype, or zeros when ``dtype`` is
    an integer or boolean one (rounding has no gradient). ``a`` may be a list of arrays.

    >>> uncast(np.ones(2), np.ones(2, dtype=np.float32), np.float64).dtype
    dtype('float32')
    >>> uncast(np.ones(2), np.ones(2), int)
    array([0., 0.])
    """
    source = np.result_type(*a) if isinstance(a, (list, tuple)) else np.result_type(a)
    if source.kind not in "fc":
        source = np.result_type(g)
    if not np.issubdtype(dtype, np.inexact):
        return np.zeros_like(g, dtype=source)
    return np.asarray(g, dtype=source)


def reravel(d, a, order, shape):
    """The transpose of :func:`unravel`: ``d`` (of ``a``'s shape) read in the order in
    which ``np.ravel(a, order)`` or ``np.reshape(a, shape, order)`` reads ``a`` (for the
    orders ``"A"`` and ``"K"``, which depend on ``a``'s memory layout), in ``shape``.

    >>> reravel(np.arange(6.0).reshape(2, 3), np.zeros((3, 2)).T, "K", (6,))
    array([0., 3., 1., 4., 2., 5.])
    """
    if order == "A":
        return np.reshape(d, shape, order="F" if np.isfortran(a) else "C")
    position = np.empty_like(a, dtype=np.intp)
    position[...] = np.reshape(np.arange(np.size(a)), np.shape(a))
    return np.reshape(np.reshape(d, -1)[np.ravel(position, order="K")], shape)


def unravel(g, a, order):
    """The adjoint of ``a`` in ``np.ravel(a, order)`` or ``np.reshape(a, shape, order)``
    for the orders that depend on ``a``'s memory layout: ``"A"`` (Fortran order if ``a``
    is Fortran-contiguous) and ``"K"`` (memory order, only for ``ravel``).

    >>> unravel(np.arange(6.0), np.zeros((3, 2)).T, "K")
    array([[0., 2., 4.],
           [1., 3., 5.]])
    """
    shape = np.shape(a)
    if order == "A":
        return np.reshape(g, shape, order="F" if np.isfortran(a) else "C")
    # where each element of a is in memory: an array laid out like a, holding C positions
    position = np.empty_like(a, dtype=np.intp)
    position[...] = np.reshape(np.arange(np.size(a)), shape)
    result = np.empty(np.size(a), dtype=np.result_type(g))
    result[np.ravel(position, order="K")] = np.reshape(g, -1)
    return np.reshape(result, shape)


def resort(t, a, axis=-1):
    """``t`` (of ``a``'s shape) rearranged as ``np.sort(a, axis)`` rearranges ``a``: the
    tangent of ``np.sort(a, axis)`` given ``a``'s tangent ``t`` (``axis=None``: ``a`` is
    flattened first). Equal elements of ``a`` keep their order (a stable sort), so at
    ties this is the tangent of the subgradient that :func:`unsort` picks. It is the
    transpose of ``unsort`` (each is linear in its first argument and the adjoint of the
    other).

    >>> resort(np.array([10.0, 20.0, 30.0]), np.array([3.0, 1.0, 2.0]))
    array([20., 30., 10.])
    >>> resort(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 0.0], [1.0, 1.0]]), None)
    array([2., 3., 4., 1.])
    """
    t = np.broadcast_to(t, np.shape(a))
    order = np.argsort(a, axis=axis, kind="stable")
    if axis is None:
        return np.reshape(t, -1)[order]
    return np.take_along_axis(t, order, axis)


def unsort(g, a, axis=-1):
    """The adjoint of ``a`` in ``np.sort(a, axis)``: each element of ``g`` put back where
    the sort took it from (``axis=None``: ``g`` is flat, the result has ``a``'s shape).

    ``np.sort`` is differentiable where the elements of each sorted slice differ. Where
    some are equal (ties) this returns the subgradient of the stable order: the first of
    equal elements (in ``a``'s order along ``axis``) gets the adjoint of the first of
    their places in the sorted result, the next one the next place, and so on.

    >>> unsort(np.array([10.0, 20.0, 30.0]), np.array([3.0, 1.0, 2.0]))
    array([30., 10., 20.])
    >>> unsort(np.array([10.0, 20.0, 30.0]), np.array([1.0, 0.0, 1.0]))  # a tie
    array([20., 10., 30.])
    >>> unsort(np.arange(4.0), np.array([[5.0, 0.0], [1.0, 1.0]]), None)
    array([[3., 0.],
           [1., 2.]])
    """
    order = np.argsort(a, axis=axis, kind="stable")
    if axis is None:
        flat = np.zeros(np.size(a), dtype=np.result_type(g))
        flat[order] = np.reshape(g, -1)
        return np.reshape(flat, np.shape(a))
    result = np.zeros(np.shape(a), dtype=np.result_type(g))
    np.put_along_axis(result, order, g, axis)
    return result


# ----- reshaping -----------------------------------------------------------------------


@adjoint(np.reshape)
def reshape(g, ans, a, shape, order="C", *, copy=None):
    if order == "C":
        return np.reshape(g, np.shape(a))
    if order == "F":
        return np.reshape(g, np.shape(a), order="F")
    return unravel(g, a, order)


@adjoint(np.ravel)
def ravel(g, ans, a, order="C"):
    """``x.flatten()`` is ``np.ravel(x)`` too."""
    if order == "C":
        return np.reshape(g, np.shape(a))
    if order == "F":
        return np.reshape(g, np.shape(a), order="F")
    return unravel(g, a, order)


@adjoint(np.squeeze)
def squeeze(g, ans, a, axis=None):
    return np.reshape(g, np.shape(a))


@adjoint(np.expand_dims)
def expand_dims(g, ans, a, axis):
    return np.reshape(g, np.shape(a))


@adjoint(np.atleast_1d, np.atleast_2d, np.atleast_3d)
def atleast_nd(g, ans, a):
    """One array only (several arrays give a tuple of results)."""
    return np.reshape(g, np.shape(a))


# ----- permuting axes ------------------------------------------------------------------


@adjoint(np.transpose)
def transpose(g, ans, a, axes=None):
    """The inverse permutation of ``axes`` is ``np.argsort(axes)``."""
    if not given(axes):
        return np.transpose(g)
    if min(axes) >= 0:
        return np.transpose(g, np.argsort(axes))
    return np.transpose(g, np.argsort(np.mod(axes, np.ndim(a))))


@adjoint(Attribute("T"))
def T(g, ans, a):
    return g.T


@adjoint(Attribute("mT"))
def mT(g, ans, a):
    """The transpose of the last two axes (NumPy 2)."""
    return np.swapaxes(g, -1, -2)


@adjoint(np.swapaxes)
def swapaxes(g, ans, a, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


@adjoint(np.moveaxis)
def moveaxis(g, ans, a, source, destination):
    return np.moveaxis(g, destination, source)


@adjoint(np.rot90)
def rot90(g, ans, m, k=1, axes=(0, 1)):
    if axes == (0, 1):
        return np.rot90(g, -k)
    return np.rot90(g, -k, axes)


# ----- reversing and rolling -----------------------------------------------------------


@adjoint(np.flip)
def flip(g, ans, m, axis=None):
    if not given(axis):
        return np.flip(g)
    return np.flip(g, axis)


@adjoint(np.fliplr)
def fliplr(g, ans, m):
    return np.fliplr(g)


@adjoint(np.flipud)
def flipud(g, ans, m):
    return np.flipud(g)


@adjoint(np.roll)
def roll(g, ans, a, shift, axis=None):
    """Rolled back by ``-shift`` (``np.negative`` also negates a tuple of shifts)."""
    if not given(axis):
        return np.roll(g, -shift if is_literal(shift) else np.negative(shift))
    return np.roll(g, -shift if is_literal(shift) else np.negative(shift), axis)


# ----- joining -------------------------------------------------------------------------


@adjoint(np.concatenate)
def concatenate(g, ans, arrays, axis=0):
    """``arrays`` written out (``[a, b]``) gets one adjoint per element; one variable
    gets one adjoint (an array of its shape when it holds an array: its rows were
    joined)."""
    if not is_display(arrays):
        return unjoin(g, arrays, axis)
    if not given(axis):
        return unconcatenate(g, arrays)
    return unconcatenate(g, arrays, axis)


@adjoint(np.stack)
def stack(g, ans, arrays, axis=0):
    """The adjoint of the ``i``-th array is ``g``'s ``i``-th slice along ``axis``:
    iterating over ``g`` (``_r1, _r2 = g``) gives them for ``axis=0``."""
    if is_literal(axis) and axis == 0:
        return g
    return np.moveaxis(g, axis, 0)


@adjoint(np.hstack)
def hstack(g, ans, tup):
    """Joined along the first axis for 1-D arrays, else along the second."""
    if not is_display(tup):
        return unjoin(g, tup, 0 if np.ndim(ans) == 1 else 1)
    return unconcatenate(g, tup, 0 if np.ndim(ans) == 1 else 1)


@adjoint(np.vstack)
def vstack(g, ans, tup):
    if not is_display(tup):
        return unjoin(g, tup, 0)
    return unconcatenate(g, tup, 0)


@adjoint(np.column_stack)
def column_stack(g, ans, tup):
    if not is_display(tup):
        return unjoin(g, tup, 1)
    return unconcatenate(g, tup, 1)


@adjoint(np.dstack)
def dstack(g, ans, tup):
    if not is_display(tup):
        return unjoin(g, tup, 2)
    return unconcatenate(g, tup, 2)


@adjoint(np.append)
def append(g, ans, arr, values, axis=None):
    return (unconcatenate_piece(g, (arr, values), axis, 0),
            unconcatenate_piece(g, (arr, values), axis, 1))


def split_count(ary, indices_or_sections, axis=0):
    """How many pieces ``np.split`` gives, when its sections are written as literals."""
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    if isinstance(indices_or_sections, (list, tuple)):
        return len(indices_or_sections) + 1
    return None


@adjoint(np.split, np.array_split, outputs=split_count)
def split(g, ans, ary, indices_or_sections, axis=0):
    """``g`` holds one adjoint per piece (``a, b = np.split(x, [1])``); they are joined
    back, whatever the pieces' sizes."""
    return np.concatenate(g, axis)


def meshgrid_count(*xi, copy=True, sparse=False, indexing="xy"):
    """How many arrays ``np.meshgrid`` gives: one per array argument."""
    return len(xi)


@adjoint(np.meshgrid, outputs=meshgrid_count)
def meshgrid(g, ans, x1, x2=None, x3=None, *, copy=True, sparse=False, indexing="xy"):
    """One to three arrays (``X, Y = np.meshgrid(x, y)``); more are not supported. ``g``
    holds one adjoint per grid. Grid ``k`` repeats the (flattened) ``k``-th array along
    every other axis, so its adjoint is that grid's adjoint summed over those axes; its
    own axis is ``k``, except that ``indexing='xy'`` (the default) swaps the first two
    (``X`` varies along axis 1). The sums also serve ``sparse=True``, whose grids have
    length 1 along the other axes. The choice of axes is an expression, so that the rule
    inlines even when ``indexing`` is known at run time only."""
    if not given(x2):
        return np.reshape(g[0], np.shape(x1))
    if not given(x3):
        return (np.reshape(np.sum(g[0], axis=0 if indexing == "xy" else 1), np.shape(x1)),
                np.reshape(np.sum(g[1], axis=1 if indexing == "xy" else 0), np.shape(x2)))
    return (np.reshape(np.sum(g[0], axis=(0, 2) if indexing == "xy" else (1, 2)), np.shape(x1)),
            np.reshape(np.sum(g[1], axis=(1, 2) if indexing == "xy" else (0, 2)), np.shape(x2)),
            np.reshape(np.sum(g[2], axis=(0, 1)), np.shape(x3)))


# ----- copies and conversions ----------------------------------------------------------


@adjoint(np.array)
def array(g, ans, object, dtype=None, *, copy=True, order="K", ndmin=0):
    """The identity; for a list of arrays or numbers (``np.array([a, b])``) the adjoint
    of the ``i``-th is ``g[i]`` (``_r1, _r2 = g``)."""
    if ndmin != 0:
        return np.reshape(g, np.shape(object))
    if not given(dtype):
        return g
    return uncast(g, object, dtype)


@adjoint(np.asarray, np.asanyarray)
def asarray(g, ans, a, dtype=None, order=None, *, copy=None):
    """``x.astype(dtype)`` is ``np.asarray(x, dtype)`` too."""
    if not given(dtype):
        return g
    return uncast(g, a, dtype)


@adjoint(np.copy)
def copy(g, ans, a, order="K", subok=False):
    return g


@adjoint(np.broadcast_to)
def broadcast_to(g, ans, array, shape, subok=False):
    """Summed over the axes that broadcasting added or stretched."""
    return unbroadcast(g, array)


@adjoint(np.tile)
def tile(g, ans, A, reps):
    return untile(g, A, reps)


@adjoint(np.repeat)
def repeat(g, ans, a, repeats, axis=None):
    if not given(axis):
        return unrepeat(g, a, repeats)
    return unrepeat(g, a, repeats, axis)


@adjoint(np.pad)
def pad(g, ans, array, pad_width, mode="constant", *, constant_values=0):
    """Modes ``constant``, ``edge``, ``reflect``, ``symmetric`` and ``wrap``. A scalar
    ``constant_values`` gets the adjoints of the padding (per-side constants are not
    supported)."""
    if mode == "constant":
        return (unpad(g, array, pad_width), None, None,
                np.sum(g) - np.sum(unpad(g, array, pad_width)))
    return unpad(g, array, pad_width, mode)


# ----- selecting -----------------------------------------------------------------------


@adjoint(np.take)
def take(g, ans, a, indices, axis=None, *, mode="raise"):
    """Repeated indices add up (``np.add.at``)."""
    if given(mode):
        return untake(g, a, indices, axis, mode)
    if given(axis):
        return untake(g, a, indices, axis)
    return untake(g, a, indices)


@adjoint(np.diagonal)
def diagonal(g, ans, a, offset=0, axis1=0, axis2=1):
    if given(axis1) or given(axis2):
        return undiagonal(g, a, offset, axis1, axis2)
    if given(offset):
        return undiagonal(g, a, offset)
    return undiagonal(g, a)


@adjoint(np.diag)
def diag(g, ans, v, k=0):
    """For a vector ``v`` the result is a matrix, whose diagonal ``k`` is ``v``'s
    adjoint; for a matrix the result is its diagonal ``k``."""
    if not given(k):
        return np.diagonal(g) if np.ndim(v) == 1 else undiagonal(g, v)
    return np.diagonal(g, k) if np.ndim(v) == 1 else undiagonal(g, v, k)


@adjoint(np.triu)
def triu(g, ans, m, k=0):
    if not given(k):
        return np.triu(g)
    return np.triu(g, k)


@adjoint(np.tril)
def tril(g, ans, m, k=0):
    if not given(k):
        return np.tril(g)
    return np.tril(g, k)


# ----- sorting -------------------------------------------------------------------------


@adjoint(np.sort)
def sort(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    """Each element of ``g`` goes back where the sort took it from; at ties, the
    subgradient of the stable order (see :func:`unsort`), whatever ``kind`` sorted."""
    return unsort(g, a, axis)


@tangent(np.sort)
def sort_tangent(g, ans, a, axis=-1, kind=None, order=None, *, stable=None):
    """The tangent sorted as ``a`` is (see :func:`resort`), the transpose of the
    gradient, at ties too."""
    return resort(g, a, axis)


# ----- forward mode: each of these is linear in its array -----------------------------

linear(np.reshape, np.ravel, np.squeeze, np.expand_dims, np.atleast_1d, np.atleast_2d,
       np.atleast_3d, np.transpose, Attribute("T"), Attribute("mT"), np.swapaxes, np.moveaxis,
       np.rot90, np.flip, np.fliplr, np.flipud, np.roll, np.concatenate, np.stack, np.hstack,
       np.vstack, np.column_stack, np.dstack, np.split, np.array_split, np.array, np.asarray,
       np.asanyarray, np.copy, np.broadcast_to, np.tile, np.repeat, np.take, np.diagonal,
       np.diag, np.triu, np.tril)
linear(np.append, params=("arr", "values"))
linear(np.meshgrid, params=("x1", "x2", "x3"))  # jointly: meshgrid of the tangents


def unsupported_pad_mode(mode):
    """Raise for an ``np.pad`` mode whose tangent is not supported: those that compute
    values (``maximum``, ``mean``, ``linear_ramp``...), as for the gradient."""
    raise NotImplementedError(f"the tangent of np.pad with mode={mode!r} is not supported "
                              f"(constant, edge, reflect, symmetric, wrap are)")


@tangent(np.pad)
def pad_tangent(g, ans, array, pad_width, mode="constant", *, constant_values=0):
    """The modes that copy elements are linear in ``array``: its term is its tangent padded
    the same way, with zeros for ``constant``. The term of ``constant_values`` (given only
    with ``constant``) is zero inside and its tangent in the padding; per-side constants
    are supported here. The choice of mode is an expression, so that the rule inlines
    even when ``mode`` is only known at run time (a rule called at run time would get
    None for the tangent of an argument that is not differentiated)."""
    return (np.pad(g[0], pad_width,
                   mode if mode in ("constant", "edge", "reflect", "symmetric", "wrap")
                   else unsupported_pad_mode(mode)),
            None, None,
            np.pad(np.zeros_like(array, dtype=np.result_type(array, 0.0)), pad_width,
                   constant_values=g[3]))


# ----- the helpers' own rules: each is linear in its first argument, and its adjoint is
# the map it transposes (the primal whose adjoint it computes), so that generated gradient
# code can be differentiated again (``hessian``, ``grad(grad(f))``) ----------------------


@adjoint(unconcatenate, outputs=SEQUENCE)
def unconcatenate_(d, ans, g, arrays, axis=0):
    """``d`` holds one adjoint per piece; they are joined back into ``g``'s shape."""
    return concatenate_pieces(d, g, arrays, axis)


@adjoint(unjoin)
def unjoin_(d, ans, g, arrays, axis=0):
    """``d`` is an array of ``arrays``' shape or a list of its items' adjoints: joined
    back into ``g``'s shape either way."""
    return concatenate_pieces(d, g, arrays, axis)


@adjoint(concatenate_pieces)
def concatenate_pieces_(d, ans, pieces, g, arrays, axis=0):
    return unconcatenate(d, arrays, axis)


@adjoint(unconcatenate_piece)
def unconcatenate_piece_(d, ans, g, arrays, axis, index):
    return concatenate_piece(d, g, arrays, axis, index)


@adjoint(concatenate_piece)
def concatenate_piece_(e, ans, d, g, arrays, axis, index):
    return unconcatenate_piece(e, arrays, axis, index)


@adjoint(untile)
def untile_(d, ans, g, A, reps):
    return np.tile(d, reps)


@adjoint(unrepeat)
def unrepeat_(d, ans, g, a, repeats, axis=None):
    return np.repeat(d, repeats, axis)


@adjoint(untake)
def untake_(d, ans, g, a, indices, axis=None, mode="raise"):
    return np.take(d, indices, axis, mode=mode)


@adjoint(undiagonal)
def undiagonal_(d, ans, g, a, offset=0, axis1=0, axis2=1):
    return np.diagonal(d, offset, axis1, axis2)


@adjoint(unpad)
def unpad_(d, ans, g, array, pad_width, mode="constant"):
    """The padding copied (or, for ``constant``, zeroed) the way ``np.pad`` does."""
    return np.pad(d, pad_width, mode)


@adjoint(uncast)
def uncast_(d, ans, g, a, dtype):
    """Back to ``g``'s dtype (zeros where ``dtype`` rounds)."""
    return uncast(d, g, dtype)


@adjoint(unravel)
def unravel_(d, ans, g, a, order):
    return reravel(d, a, order, np.shape(g))


@adjoint(reravel)
def reravel_(e, ans, d, a, order, shape):
    return unravel(e, a, order)


@adjoint(unsort)
def unsort_(d, ans, g, a, axis=-1):
    """The order is piecewise constant in ``a``: no gradient for it."""
    return resort(d, a, axis)


@adjoint(resort)
def resort_(e, ans, t, a, axis=-1):
    return unsort(e, a, axis)


linear(unconcatenate, unjoin, concatenate_pieces, unconcatenate_piece, concatenate_piece, untile,
       unrepeat, untake, undiagonal, unpad, uncast, unravel, reravel, unsort, resort)


# ----- rules called at run time (their arguments known only then) ----------------------


@adjoint(transpose)
def transpose_(d, result, g, ans, a, axes=None):
    """``transpose(g, ...)`` (called when ``axes`` is known at run time only) transposes
    back; its adjoint transposes forward again."""
    if not given(axes):
        return np.transpose(d)
    return np.transpose(d, axes)
