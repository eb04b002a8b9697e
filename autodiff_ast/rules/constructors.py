"""Rules of constructors whose values depend on their (float) arguments: ``np.linspace``
(``start`` and ``stop``, scalars or arrays), ``np.arange`` (``start`` and ``step``; the
length depends on ``stop`` only, piecewise constantly) and ``np.r_`` / ``np.c_``, which
desugar rewrites into :func:`index_concatenate` (``np.r_[x, 0.0, y]`` becomes
``index_concatenate((x, 0.0, y), np.r_)``; a slice item ``a:b:c`` becomes the
``np.arange`` or ``np.linspace`` that NumPy makes of it).

Constructors whose values do not depend on the values of their arguments (``np.zeros``,
``np.ones_like``, ``np.eye``...) are in ``zero_gradient``.

The helpers below appear by name in generated code; each is linear in its first argument
and has rules of its own (its transpose), so that generated code can be differentiated
again.
"""

import numpy as np

from ..runtime import unbroadcast
from .registry import SEQUENCE, adjoint, given, linear, nondifferentiable, tangent
from .shape import uncast

# ----- np.linspace ---------------------------------------------------------------------


def linspace_weights(num, endpoint, ndim, axis, end, dtype):
    """``d ans / d stop`` (``end=1``) or ``d ans / d start`` (``end=0``) of
    ``np.linspace``: the fractions ``i / (num - 1)`` (``i / num`` without the endpoint),
    or one minus them, along the samples ``axis`` of an ``ndim``-dimensional result.

    >>> linspace_weights(3, True, 1, 0, 1, float)
    array([0. , 0.5, 1. ])
    >>> linspace_weights(2, False, 2, -1, 0, float)
    array([[1. , 0.5]])
    """
    t = np.linspace(0.0, 1.0, num, endpoint=endpoint)
    if end == 0:
        t = 1.0 - t
    shape = [1] * ndim
    shape[axis] = num
    return np.reshape(np.asarray(t, dtype=dtype), shape)


def linspace_adjoint(g, start, stop, num, endpoint, axis, end):
    """The adjoint of ``start`` (``end=0``) or ``stop`` (``end=1``) in ``np.linspace(start,
    stop, num, endpoint, axis=axis)``: ``g`` weighted by :func:`linspace_weights`,
    summed over the samples, back to the argument's shape.

    >>> linspace_adjoint(np.ones(3), 0.0, 1.0, 3, True, 0, 1)
    np.float64(1.5)
    """
    weights = linspace_weights(num, endpoint, np.ndim(g), axis, end, np.result_type(g, 0.0))
    return unbroadcast(np.sum(g * weights, axis=axis), stop if end else start)


def linspace_spread(d, start, stop, num, endpoint, axis, end):
    """The transpose of :func:`linspace_adjoint`: ``d`` (of the argument's shape) spread
    over the samples with the weights, in the result's shape.

    >>> linspace_spread(1.0, 0.0, 1.0, 3, True, 0, 1)
    array([0. , 0.5, 1. ])
    """
    shape = np.broadcast_shapes(np.shape(start), np.shape(stop))
    spread = np.expand_dims(np.broadcast_to(d, shape), axis)
    return spread * linspace_weights(num, endpoint, len(shape) + 1, axis, end,
                                     np.result_type(d, 0.0))


@adjoint(np.linspace)
def linspace(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """Each sample is ``start + (stop - start) t`` with ``t`` in ``[0, 1]``; an integer
    ``dtype`` rounds the samples (no gradient, see :func:`uncast`). ``retstep=True`` is
    not supported."""
    if not given(dtype):
        return (linspace_adjoint(g, start, stop, num, endpoint, axis, 0),
                linspace_adjoint(g, start, stop, num, endpoint, axis, 1))
    return (uncast(linspace_adjoint(g, start, stop, num, endpoint, axis, 0), start, dtype),
            uncast(linspace_adjoint(g, start, stop, num, endpoint, axis, 1), stop, dtype))


@tangent(np.linspace)
def linspace_tangent(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None,
                     axis=0):
    """The samples of the tangents: ``np.linspace`` is linear in ``start`` and ``stop``
    jointly (the tangent of one not differentiated is 0)."""
    if not given(dtype):
        return (linspace_spread(g[0], start, stop, num, endpoint, axis, 0),
                linspace_spread(g[1], start, stop, num, endpoint, axis, 1))
    return (uncast(linspace_spread(g[0], start, stop, num, endpoint, axis, 0), ans, dtype),
            uncast(linspace_spread(g[1], start, stop, num, endpoint, axis, 1), ans, dtype))


@adjoint(linspace_adjoint)
def linspace_adjoint_(d, ans, g, start, stop, num, endpoint, axis, end):
    return linspace_spread(d, start, stop, num, endpoint, axis, end)


@adjoint(linspace_spread)
def linspace_spread_(e, ans, d, start, stop, num, endpoint, axis, end):
    return linspace_adjoint(e, start, stop, num, endpoint, axis, end)


linear(linspace_adjoint, linspace_spread)


# ----- np.arange -----------------------------------------------------------------------


def arange_positions(g):
    """``0, 1, 2...`` in ``g``'s floating dtype: ``d ans / d step`` of ``np.arange``.

    >>> arange_positions(np.ones(3, dtype=np.float32))
    array([0., 1., 2.], dtype=float32)
    """
    return np.arange(np.size(g), dtype=np.result_type(g, 0.0))


@adjoint(np.arange)
def arange(g, ans, start, stop=None, step=None, dtype=None):
    """``ans[i] = start + i step``: ``start`` gets the sum of ``g``, ``step`` the sum
    weighted by ``i``. ``stop`` decides the length only (piecewise constant: no
    gradient), and so does the single argument of ``np.arange(stop)``. An integer
    ``dtype`` rounds (no gradient)."""
    if not given(stop):
        return 0.0 * np.sum(g)
    if not given(dtype):
        return np.sum(g), 0.0 * np.sum(g), np.sum(g * arange_positions(g))
    return (uncast(np.sum(g), start, dtype), 0.0 * np.sum(g),
            uncast(np.sum(g * arange_positions(g)), step, dtype))


@tangent(np.arange)
def arange_tangent(g, ans, start, stop=None, step=None, dtype=None):
    if not given(stop):
        return 0.0 * ans, None, None, None
    if not given(dtype):
        return g[0] + 0.0 * ans, 0.0 * ans, g[2] * arange_positions(ans), None
    return (uncast(g[0] + 0.0 * ans, ans, dtype), 0.0 * ans,
            uncast(g[2] * arange_positions(ans), ans, dtype), None)


nondifferentiable(linspace_weights, arange_positions)


# ----- np.r_ and np.c_ -----------------------------------------------------------------


def index_concatenate(items, maker):
    """``maker[items]``: what ``np.r_[a, b]`` (``maker`` is ``np.r_`` or ``np.c_``) gives,
    with ``items`` the tuple of what the brackets hold. Desugar writes the calls, with
    slice items already turned into the arrays NumPy makes of them.

    >>> index_concatenate((np.array([1.0, 2.0]), 3.0), np.r_)
    array([1., 2., 3.])
    """
    return maker[tuple(items)]


def index_positions(items, maker):
    """For each element of ``maker[items]``: the position of the element of ``items`` that
    it copies, counting the elements of the items in order (each item flattened; a
    directive string such as ``'0,2'`` has none), or -1 for an element copied from none.

    Found by making the same call with each item replaced by complex labels of its shape
    (a number by a number), which ``np.r_`` and ``np.c_`` move as they move the items, so
    every layout NumPy supports is followed exactly.

    >>> index_positions((np.zeros(2), 5.0), np.r_)
    array([0, 1, 2])
    >>> index_positions((np.zeros(2), np.zeros(2)), np.c_)
    array([[0, 2],
           [1, 3]])
    """
    labelled, count = [], 0
    for item in items:
        if isinstance(item, str):
            labelled.append(item)
            continue
        labels = 1j * (count + 1 + np.arange(np.size(item)))
        labelled.append(complex(labels[0]) if type(item) in np.ScalarType
                        else np.reshape(labels, np.shape(item)))
        count += np.size(item)
    return np.asarray(np.imag(maker[tuple(labelled)]), dtype=np.intp) - 1


def index_unconcatenate(g, items, maker):
    """The adjoints of ``items`` in ``index_concatenate(items, maker)``: each element of
    ``g`` back to the item element it copies; one adjoint per item, of its shape (None
    for a directive string).

    >>> index_unconcatenate(np.arange(3.0), (np.zeros(2), 5.0), np.r_)
    [array([0., 1.]), array(2.)]
    """
    positions = index_positions(items, maker)
    copied = positions >= 0
    flat = np.zeros(sum(np.size(item) for item in items if not isinstance(item, str)),
                    dtype=np.result_type(g, 0.0))
    flat[positions[copied]] = np.asarray(g)[copied]
    adjoints, start = [], 0
    for item in items:
        if isinstance(item, str):
            adjoints.append(None)
            continue
        adjoints.append(np.reshape(flat[start:start + np.size(item)], np.shape(item)))
        start += np.size(item)
    return adjoints


def index_reconcatenate(tangents, items, maker):
    """The transpose of :func:`index_unconcatenate`: ``tangents`` (one per item, of its
    shape or a number; ignored for a directive string) in the places of the result that
    copy their items, zeros elsewhere. The tangent of ``index_concatenate``.

    >>> index_reconcatenate((np.ones(2), 2.0), (np.zeros(2), 5.0), np.r_)
    array([1., 1., 2.])
    """
    positions = index_positions(items, maker)
    parts = [np.reshape(np.broadcast_to(t, np.shape(item)), -1)
             for t, item in zip(tangents, items) if not isinstance(item, str)]
    flat = np.concatenate(parts) if parts else np.zeros(0)
    result = np.zeros(np.shape(positions), dtype=np.result_type(flat, 0.0))
    copied = positions >= 0
    result[copied] = flat[positions[copied]]
    return result


@adjoint(index_concatenate)
def index_concatenate_(g, ans, items, maker):
    """One adjoint per item (``items`` is a display: the compiler unpacks them)."""
    return index_unconcatenate(g, items, maker)


@tangent(index_concatenate)
def index_concatenate_tangent(g, ans, items, maker):
    """``g`` is the tuple of the items' tangents."""
    return index_reconcatenate(g, items, maker)


@adjoint(index_unconcatenate, outputs=SEQUENCE)
def index_unconcatenate_(d, ans, g, items, maker):
    return index_reconcatenate(d, items, maker)


@adjoint(index_reconcatenate)
def index_reconcatenate_(e, ans, tangents, items, maker):
    return index_unconcatenate(e, items, maker)


nondifferentiable(index_positions)
linear(index_unconcatenate, index_reconcatenate)
