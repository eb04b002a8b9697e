"""Helpers that generated gradient code calls at run time.

Each is small, plain NumPy, and documented by what it returns, so that a reader of
generated code can look it up. The compiler emits a helper only where the code it
would otherwise write is long or depends on shapes it cannot know in advance.
"""

from __future__ import annotations

import numpy as np

from .errors import NonScalarOutputError


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``. The compiler writes the user's
    ``1 / (1 + np.exp(-x))`` as ``sigmoid(x)`` so that its adjoint can reuse the result:
    ``g * s * (1 - s)``.

    Accurate in both tails and quiet for any ``x``: for an array, ``exp(-x)`` overflows
    to ``inf`` only where ``x`` is below about -709 (-88 in float32), where
    ``1 / (1 + inf) = 0`` is the sigmoid to within the smallest float, and that overflow
    is not reported (one new array, worked on in place); a number exponentiates
    ``-|x|`` only (``e / (1 + e)`` for negative ``x``).

    >>> float(sigmoid(0.0)), float(sigmoid(-800.0)), float(sigmoid(800.0))
    (0.5, 0.0, 1.0)
    >>> sigmoid(np.array([-800.0, -30.0, 0.0, 800.0]))
    array([0.00000000e+00, 9.35762297e-14, 5.00000000e-01, 1.00000000e+00])
    """
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.ndim:
        with np.errstate(over="ignore"):
            out = np.negative(x)
            np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)
        return out
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def shape(x):
    """``np.shape(x)`` without its conversion cost for arrays and numbers."""
    result = getattr(x, "shape", None)
    if result is not None:
        return result
    return () if isinstance(x, (float, int)) else np.shape(x)


def broadcast_shape(*values):
    """The shape of an elementwise operation's result on ``values`` (computed from their
    shapes, without the operation).

    >>> broadcast_shape(np.zeros((2, 1)), np.zeros(3), 1.0)
    (2, 3)
    """
    return np.broadcast_shapes(*(shape(v) for v in values))


def unbroadcast(g, like):
    """Sum ``g`` over the axes that broadcasting added to ``like``, giving ``like``'s shape.

    The adjoint of an argument always has the argument's shape: where ``x + b`` broadcast
    a bias ``b`` of shape ``(n,)`` over rows, ``db`` is ``dout`` summed over the rows.

    >>> unbroadcast(np.ones((2, 3)), np.zeros(3))
    array([2., 2., 2.])
    >>> unbroadcast(np.ones((2, 3)), np.zeros((2, 1)))
    array([[3.],
           [3.]])
    >>> float(unbroadcast(np.ones((2, 3)), 5.0))
    6.0
    """
    return sum_to_shape(g, shape(like))


def sum_to_shape(g, target):
    """Sum ``g`` over the axes that broadcasting added to an array of shape ``target``.

    >>> sum_to_shape(np.ones((2, 3)), (3,))
    array([2., 2., 2.])
    """
    have = shape(g)
    if have == target:
        return g
    if not target:
        return g.sum() if type(g) is np.ndarray else np.sum(g)
    extra = len(have) - len(target)
    if extra < 0:  # g is smaller: a scalar adjoint of an array value
        return np.broadcast_to(g, target)
    kept = tuple(extra + i for i, n in enumerate(target) if n == 1 and have[extra + i] != 1)
    g = np.asarray(g)
    if not kept:  # only leading axes were added: the common bias case
        return g.sum(axis=tuple(range(extra)) if extra > 1 else 0)
    summed = g.sum(axis=tuple(range(extra)) + kept, keepdims=True)
    return summed.reshape(target) if extra else summed


def broadcast_like(t, like):
    """The tangent ``t`` of an elementwise result at the result's shape (``like``'s), as
    an array of its own where broadcasting had to enlarge it: a tangent has the shape of
    its value, as an adjoint does.

    >>> broadcast_like(np.ones(3), np.zeros((2, 3)))
    array([[1., 1., 1.],
           [1., 1., 1.]])
    """
    target = shape(like)
    if shape(t) == target:
        return t
    return np.array(np.broadcast_to(t, target))


def zeros_like(x):
    """A zero gradient for ``x``: ``0.0`` for a Python number, else float zeros of its shape
    (for a tuple, list or dict of values: the same of zeros).

    >>> zeros_like(3)
    0.0
    >>> zeros_like(np.arange(3))
    array([0., 0., 0.])
    >>> zeros_like(np.ones(2, dtype=np.float32)).dtype
    dtype('float32')
    """
    if x is None or isinstance(x, (int, float)):
        return 0.0
    if isinstance(x, (tuple, list)):  # a tuple of results: a tuple of zeros
        return type(x)(zeros_like(item) for item in x)
    if isinstance(x, dict):
        return {key: zeros_like(item) for key, item in x.items()}
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind in "fc" else np.float64
    return np.zeros(x.shape, dtype=dtype)


def zeros_like_items(items):
    """Zero adjoints for the items of a list: ``[zeros_like(item) for item in items]``."""
    return [zeros_like(item) for item in items]


def add_items(adjoints, more):
    """Two lists of adjoints added item by item.

    >>> add_items([1.0, 2.0], (10.0, 20.0))
    [11.0, 22.0]
    """
    return [a + b for a, b in zip(adjoints, more)]


def add_to_item(adjoints, items, index, g):
    """The list of adjoints of ``items`` with ``g`` added at ``index`` (zeros if there was
    no list yet): the adjoint of reading ``items[index]``.

    >>> add_to_item(None, [1.0, 2.0], -1, 5.0)
    [0.0, 5.0]
    """
    adjoints = zeros_like_items(items) if adjoints is None else list(adjoints)
    adjoints[index] = adjoints[index] + g
    return adjoints


def stored_adjoint(g, index):
    """The adjoint of ``value`` in ``y[index] = value``, given ``y``'s adjoint ``g`` and
    an index that may repeat elements: ``g[index]`` where the value was written, 0 where
    a later repeat of the same element overwrote it (found by repeating the write).

    >>> stored_adjoint(np.array([10.0, 20.0]), np.array([0, 0, 1]))
    array([ 0., 10., 20.])
    """
    piece = g[index]
    positions = np.arange(piece.size).reshape(piece.shape)
    written = np.full(np.shape(g), -1, dtype=np.intp)
    written[index] = positions
    return np.where(written[index] == positions, piece, 0)


def scatter_add(y, index, values):
    """A copy of ``y`` with ``values`` added at ``index`` (repeated elements add up):
    the compiler's functional spelling of ``np.add.at(y, index, values)``.

    >>> scatter_add(np.zeros(2), np.array([0, 0, 1]), 1.0)
    array([2., 1.])
    """
    out = np.array(y, dtype=np.result_type(y, values))
    np.add.at(out, index, values)
    return out


def scatter_adjoint(d, g, index):
    """The adjoint of ``g`` in ``stored_adjoint(g, index)`` given the result's adjoint
    ``d``: ``d`` written back where it was read (where an element repeats, the last
    write, the one whose value was kept, wins).

    >>> scatter_adjoint(np.array([1.0, 2.0, 3.0]), np.zeros(2), np.array([0, 0, 1]))
    array([2., 3.])
    """
    out = zeros_like(g)
    out[index] = d
    return out


def dict_get(d, key, default=None):
    """``d.get(key, default)`` of a dict of data that is not differentiated (a layer's
    settings), as generated code writes it.

    >>> dict_get({"eps": 1e-3}, "eps", 1e-5), dict_get({}, "eps", 1e-5)
    (0.001, 1e-05)
    """
    return d.get(key, default)


def ensure_scalar(out, name):
    """Return ``out`` if it is a scalar; otherwise say that ``grad`` needs a scalar output.

    >>> ensure_scalar(2.0, 'f')
    2.0
    """
    if out is None:
        raise NonScalarOutputError(f"{name} returned None, not a scalar: return the value "
                                   f"to differentiate")
    if np.ndim(out) != 0 or isinstance(out, (tuple, list, dict)):
        what = f"an array of shape {np.shape(out)}" if hasattr(out, "shape") else \
            f"a {type(out).__name__}"
        if hasattr(out, "shape") and np.size(out) == 1:
            # grad and value_and_grad take it as a scalar (through vjp); other callers of
            # the gradient code (hvp, grad of grad) see this error
            error = NonScalarOutputError(
                f"{name} returned {what}, one element: grad and value_and_grad take it as a "
                f"scalar, but hvp, hessian and derivatives of the gradient need a scalar "
                f"output: return np.sum(...) of it, or its element")
            error.one_element = True
            raise error
        raise NonScalarOutputError(
            f"{name} returned {what}; grad and value_and_grad need a scalar output. "
            f"For the gradient of a weighted sum of the outputs use a vector-Jacobian "
            f"product (vjp), or reduce the output to a scalar (np.sum, np.mean) first.")
    return out


def per_parameter(result, arguments):
    """The result of a rule called at run time, one contribution per parameter: a single
    value is the first parameter's, and ``None`` becomes zeros of the argument's shape.

    >>> per_parameter((None, 2.0), (np.ones(2), 3.0))
    (array([0., 0.]), 2.0)
    """
    parts = result if isinstance(result, tuple) else (result,)
    if len(parts) > len(arguments):
        raise ValueError(f"a derivative rule returned {len(parts)} values for "
                         f"{len(arguments)} parameters")
    parts = parts + (None,) * (len(arguments) - len(parts))
    return tuple(zeros_like(a) if p is None else p for p, a in zip(parts, arguments))


def reduced_count(like, axis):
    """How many elements of ``like`` each result of a reduction over ``axis`` combines.

    >>> reduced_count(np.zeros((2, 3, 4)), (0, 2))
    8
    """
    dims = shape(like)
    if axis is None:
        return int(np.prod(dims, dtype=np.int64))
    axes = axis if isinstance(axis, tuple) else (axis,)
    count = 1
    for a in axes:
        count *= dims[a]
    return count


def _ndim(x):
    result = getattr(x, "ndim", None)
    return np.ndim(x) if result is None else result


def matmul_shape(a, b):
    """The shape of ``a @ b``.

    >>> matmul_shape(np.zeros((5, 2, 3)), np.zeros(3))
    (5, 2)
    """
    a_shape, b_shape = shape(a), shape(b)
    if len(a_shape) == 2 and len(b_shape) == 2:
        return (a_shape[0], b_shape[1])
    if len(b_shape) == 1:
        return a_shape[:-1]
    if len(a_shape) == 1:
        return b_shape[:-2] + b_shape[-1:]
    batch = np.broadcast_shapes(a_shape[:-2], b_shape[:-2])
    return tuple(batch) + (a_shape[-2], b_shape[-1])


def matmul_lhs(g, a, b):
    """The adjoint of ``a`` in ``a @ b`` given the adjoint ``g`` of the product (or of a
    sum the product was broadcast into, such as ``a @ b + bias``: it is summed back to
    the product's shape first, so the product need not be kept for its shape).

    For matrices this is ``g @ b.T``; vectors and stacks of matrices follow NumPy's
    promotion rules of ``matmul`` and any broadcast batch axes are summed away.

    >>> matmul_lhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((3, 4))).shape
    (2, 3)
    >>> matmul_lhs(np.ones(4), np.zeros(3), np.ones((3, 4))).shape
    (3,)
    >>> matmul_lhs(np.ones((5, 2, 4)), np.zeros((2, 3)), np.ones((5, 3, 4))).shape
    (2, 3)
    >>> matmul_lhs(np.ones((3, 4)), np.zeros((1, 2)), np.ones((2, 4))).shape  # + a (3, 4) bias
    (1, 2)
    """
    a_nd, b_nd = _ndim(a), _ndim(b)
    if a_nd == 2 and b_nd == 2 and shape(g) == (a.shape[0], b.shape[1]):  # matrices first
        return g @ b.T
    g = sum_to_shape(g, matmul_shape(a, b))
    if b_nd == 2 and a_nd <= 2:
        return g @ b.T if a_nd == 2 else b @ g
    if b_nd == 1:
        if a_nd == 1:
            return g * b
        return unbroadcast(np.expand_dims(g, -1) * b, a)
    bt = np.swapaxes(b, -1, -2)
    if a_nd == 1:
        return unbroadcast(np.expand_dims(g, -2) @ bt, a[np.newaxis]).reshape(shape(a))
    return unbroadcast(g @ bt, a)


def matmul_rhs(g, a, b):
    """The adjoint of ``b`` in ``a @ b`` given the adjoint ``g`` of the product (or of a sum
    it was broadcast into; see :func:`matmul_lhs`).

    For matrices this is ``a.T @ g``; see :func:`matmul_lhs` for the other shapes.

    >>> matmul_rhs(np.ones((2, 4)), np.zeros((2, 3)), np.ones((3, 4))).shape
    (3, 4)
    >>> matmul_rhs(np.ones(2), np.ones((2, 3)), np.zeros(3)).shape
    (3,)
    >>> matmul_rhs(np.ones((5, 2, 4)), np.zeros((5, 2, 3)), np.ones((3, 4))).shape
    (3, 4)
    """
    a_nd, b_nd = _ndim(a), _ndim(b)
    if a_nd == 2 and b_nd == 2 and shape(g) == (a.shape[0], b.shape[1]):  # matrices first
        return a.T @ g
    g = sum_to_shape(g, matmul_shape(a, b))
    if a_nd == 2 and b_nd <= 2:
        return a.T @ g
    if a_nd == 1:
        if b_nd == 1:
            return g * a
        if b_nd == 2:
            return np.outer(a, g)
        return unbroadcast(np.expand_dims(a, -1) * np.expand_dims(g, -2), b)
    at = np.swapaxes(a, -1, -2)
    if b_nd == 1:
        return unbroadcast(at @ np.expand_dims(g, -1), b[:, np.newaxis]).reshape(shape(b))
    return unbroadcast(at @ g, b)
