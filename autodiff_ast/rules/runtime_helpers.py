"""Rules of the functions that generated code calls: the helpers of ``runtime`` and the
NumPy constructors that adjoint rules use (``np.full(np.shape(a), g)``).

With them generated code is differentiable like the user's: ``hessian`` runs forward
mode over the gradient code, and ``grad(grad(f))`` reverse mode over it. Each helper
is linear in its adjoint argument, so its tangent is the helper applied to the tangents
(``linear`` and ``multilinear`` below) and its adjoint is the transposed map: summing
back to a shape is undone by broadcasting, and the adjoint of one factor of a matrix
product is again a matrix product.
"""

import numpy as np

from .. import runtime
from ..runtime import broadcast_like, matmul_lhs, matmul_rhs, sum_to_shape, unbroadcast
from .python_builtins import items_adjoint
from .registry import adjoint, linear, multilinear, nondifferentiable

nondifferentiable(runtime.zeros_like, runtime.zeros_like_items, runtime.reduced_count,
                  runtime.matmul_shape, runtime.shape, runtime.broadcast_shape)


@adjoint(runtime.unbroadcast)
def unbroadcast_(d, ans, g, like):
    """Summing back to ``like``'s shape is undone by broadcasting back to ``g``'s."""
    return broadcast_like(d, g), None


@adjoint(runtime.sum_to_shape)
def sum_to_shape_(d, ans, g, target):
    return broadcast_like(d, g), None


@adjoint(runtime.broadcast_like)
def broadcast_like_(d, ans, t, like):
    return unbroadcast(d, t), None


@adjoint(runtime.matmul_lhs)
def matmul_lhs_(d, ans, g, a, b):
    """``ans = g @ b.T`` (summed to ``a``'s shape) is the adjoint of ``a`` in ``a @ b``;
    it is linear in ``g`` and in ``b``: ``d @ b`` for ``g`` (``g`` may be larger than the
    product, so it is broadcast back), and the adjoint of ``b`` in ``d @ b`` for ``b``."""
    return broadcast_like(d @ b, g), None, matmul_rhs(g, d, b)


@adjoint(runtime.matmul_rhs)
def matmul_rhs_(d, ans, g, a, b):
    """``ans = a.T @ g`` is the adjoint of ``b`` in ``a @ b``: ``a @ d`` for ``g``, and
    the adjoint of ``a`` in ``a @ d`` for ``a``."""
    return broadcast_like(a @ d, g), matmul_lhs(g, a, d), None


@adjoint(runtime.stored_adjoint)
def stored_adjoint_(d, ans, g, index):
    """The elements read from ``g`` (where the write was not overwritten) get ``d``."""
    return runtime.scatter_adjoint(d, g, index), None


@adjoint(runtime.scatter_add)
def scatter_add_(d, ans, y, index, values):
    """Each element of ``values`` was added to one element of ``y``: it gets that one's
    adjoint (an element added twice gets it twice)."""
    return d, None, unbroadcast(d[index], values)


@adjoint(runtime.scatter_adjoint)
def scatter_adjoint_(e, ans, d, g, index):
    """``scatter_adjoint`` is the transpose of ``stored_adjoint``, and so the reverse."""
    return runtime.stored_adjoint(e, index), None, None


@adjoint(runtime.add_items)
def add_items_(d, ans, adjoints, more):
    """Each item's adjoint goes to both lists; ``more`` may be an array of them (the
    adjoint of ``np.stack(parts)``), whose adjoint is then the array of them."""
    return list(d), items_adjoint(d, more)


def picked_adjoint(d, index, g):
    """The adjoint of ``g`` in ``add_to_item(adjoints, items, index, g)``: ``d[index]``,
    made an array like ``g`` when ``index`` is a slice (``np.array(parts[::-1])``).

    >>> picked_adjoint([1.0, 2.0, 3.0], slice(None, None, -1), np.zeros(3))
    array([3., 2., 1.])
    """
    picked = d[index]
    if isinstance(index, slice):
        return items_adjoint(picked, g)
    return picked


@adjoint(runtime.add_to_item)
def add_to_item_(d, ans, adjoints, items, index, g):
    return list(d), None, None, picked_adjoint(d, index, g)


def parameter_count(result, arguments):
    """``per_parameter`` gives one value per argument: as many as ``arguments`` has."""
    return len(arguments) if isinstance(arguments, (tuple, list)) else None


@adjoint(runtime.per_parameter, outputs=parameter_count)
def per_parameter_(d, ans, result, arguments):
    """``d`` is the tuple of the contributions' adjoints: the adjoint of the rule's
    result, a tuple of them too (zeros where it gave ``None``, whose adjoint is unused)."""
    return d, None


@adjoint(np.full)
def full(g, ans, shape, fill_value, dtype=None):
    """Every element is ``fill_value``: its adjoint is the sum, back to its shape."""
    return None, sum_to_shape(g, np.shape(fill_value))


@adjoint(np.full_like)
def full_like(g, ans, a, fill_value, dtype=None):
    return None, sum_to_shape(g, np.shape(fill_value))


linear(runtime.unbroadcast, runtime.sum_to_shape, runtime.broadcast_like,
       runtime.stored_adjoint, runtime.scatter_adjoint, runtime.per_parameter)
linear(runtime.add_items, params=("adjoints", "more"))
linear(runtime.scatter_add, params=("y", "values"))
linear(runtime.add_to_item, params=("adjoints", "g"))
linear(np.full, np.full_like, params=("fill_value",))
multilinear(runtime.matmul_lhs, params=("g", "b"))
multilinear(runtime.matmul_rhs, params=("g", "a"))
