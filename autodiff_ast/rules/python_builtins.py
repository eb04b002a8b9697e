"""Rules of the Python builtins that numeric code uses on numbers and arrays:
``max``, ``min``, ``abs``, ``sum``, ``pow``, ``float``, ``list`` (which generated code
uses to copy lists of adjoints) and ``tuple``.

``max(a, b)`` and ``min(a, b)`` are the max and min gates on numbers: the gradient goes
to the winner (half to each on a tie, as central differences see it).
"""

import builtins

import numpy as np

from .registry import adjoint, elementwise, given, linear, tangent


@adjoint(builtins.max)
def builtin_max(g, ans, a, b=None):
    """``max(a, b)`` routes ``g`` to the larger number, half to each on a tie;
    ``max(x)`` of a 1-D array routes it to the largest elements, split evenly on ties."""
    if not given(b):
        return g * (a == ans) / int(np.count_nonzero(a == ans))
    return ((g if a > b else 0.5 * g if a == b else 0 * g),
            (g if b > a else 0.5 * g if a == b else 0 * g))


@adjoint(builtins.min)
def builtin_min(g, ans, a, b=None):
    """``min(a, b)`` routes ``g`` to the smaller number, half to each on a tie;
    ``min(x)`` of a 1-D array routes it to the smallest elements, split evenly on ties."""
    if not given(b):
        return g * (a == ans) / int(np.count_nonzero(a == ans))
    return ((g if a < b else 0.5 * g if a == b else 0 * g),
            (g if b < a else 0.5 * g if a == b else 0 * g))


@adjoint(builtins.abs)
def builtin_abs(g, ans, x):
    """The subgradient at 0 is 0."""
    return g * np.sign(x)


@adjoint(builtins.sum, broadcasts=True)
def builtin_sum(g, ans, iterable, start=0):
    """``sum([a, b, c])`` adds its items; ``sum(x)`` of an array adds its rows."""
    if isinstance(iterable, (list, tuple)):
        return [g] * len(iterable), g
    return np.full(np.shape(iterable), g), g


@adjoint(builtin_sum, outputs=2)
def builtin_sum_(d, result, g, ans, iterable, start=0):
    """``builtin_sum`` (called at run time, when the compiler cannot tell a list from an
    array) gives ``g`` to every item (row) and to ``start``: the adjoint adds up the
    items' adjoints (the rows') and ``start``'s."""
    return sum(d[0]) + d[1]


def items_adjoint(g, iterable):
    """The adjoint of ``iterable`` in ``list(iterable)`` given ``g``, the adjoints of the
    list's items: a list of them for a list or tuple, and for an array (whose items are
    its rows) the array of them.

    >>> items_adjoint([np.ones(2), np.zeros(2)], np.zeros((2, 2)))
    array([[1., 1.],
           [0., 0.]])
    """
    if isinstance(iterable, (list, tuple)):
        return list(g)
    if len(g) == 0:
        return np.zeros(np.shape(iterable), dtype=np.result_type(iterable, 0.0))
    return np.stack(list(g))


@adjoint(builtins.list)
def builtin_list(g, ans, iterable=()):
    """``list(items)``: generated code copies lists of adjoints with it (and user code may
    take the rows of an array); each item gets its own adjoint."""
    return items_adjoint(g, iterable)


@adjoint(builtins.tuple)
def builtin_tuple(g, ans, iterable=()):
    """``tuple(items)``: each item gets its own adjoint, as for ``list``."""
    return items_adjoint(g, iterable)


@adjoint(items_adjoint)
def items_adjoint_(d, ans, g, iterable):
    """The items of ``d`` (its rows, for an array) are the adjoints of ``g``'s."""
    return list(d)


@adjoint(builtins.pow, broadcasts=True)
def builtin_pow(g, ans, base, exp):
    return g * exp * base ** (exp - 1), g * ans * np.log(np.where(base == 0, 1, base))


@adjoint(builtins.float)
def builtin_float(g, ans, x=0.0):
    """``float(x)`` of a number or a one-element array passes the gradient through."""
    return np.reshape(g, np.shape(x))


# ----- forward mode ------------------------------------------------------------------

elementwise(builtins.abs)
linear(builtins.sum, params=("iterable", "start"))
linear(builtins.float, builtins.list, builtins.tuple, items_adjoint)


@tangent(builtins.max)
def builtin_max_tangent(g, ans, a, b=None):
    """``max(a, b)`` takes the tangent of the larger number, the mean of both on a tie
    (the adjoint rule gives half to each); ``max(x)`` of a 1-D array or a list takes
    the mean of the tangents of its largest elements (ties share evenly)."""
    if not given(b):
        return np.mean(g[0], where=np.asarray(a) == ans), None
    return (g[0] if a > b else 0.5 * g[0] if a == b else 0 * g[0]), (
        g[1] if b > a else 0.5 * g[1] if a == b else 0 * g[1])


@tangent(builtins.min)
def builtin_min_tangent(g, ans, a, b=None):
    """``min(a, b)`` takes the tangent of the smaller number, the mean of both on a tie;
    ``min(x)`` of a 1-D array or a list takes the mean of the tangents of its smallest
    elements (ties share evenly)."""
    if not given(b):
        return np.mean(g[0], where=np.asarray(a) == ans), None
    return (g[0] if a < b else 0.5 * g[0] if a == b else 0 * g[0]), (
        g[1] if b < a else 0.5 * g[1] if a == b else 0 * g[1])
