"""Rules of reductions (``np.sum``, ``np.mean``...), with ``axis`` (an int, a tuple,
negative, or None) and ``keepdims``. The adjoint of a reduction is the result's adjoint
broadcast back over the reduced axes.
"""

import numpy as np

from ..runtime import reduced_count, sum_to_axis
from .registry import adjoint


@adjoint(np.sum)
def sum_(g, ans, a, axis=None, dtype=None, keepdims=False):
    if axis is None or keepdims:
        return np.broadcast_to(g, np.shape(a))
    return sum_to_axis(g, a, axis, keepdims)


@adjoint(np.mean)
def mean(g, ans, a, axis=None, dtype=None, keepdims=False):
    if axis is None:
        return np.broadcast_to(g / np.size(a), np.shape(a))
    if keepdims:
        return np.broadcast_to(g / reduced_count(a, axis), np.shape(a))
    return sum_to_axis(g / reduced_count(a, axis), a, axis, keepdims)
