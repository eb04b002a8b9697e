"""Rules of the arithmetic operators and their NumPy ufuncs (``x * y`` and ``np.multiply``).

Each broadcasts: a rule returns contributions of the result's shape and the compiler
sums them back to each argument's shape where the shapes may differ.
"""

import ast
import math

import numpy as np

from .registry import adjoint, is_literal, linear, same


@adjoint(np.add, ast.Add)
def add(g, ans, x1, x2):
    """The add gate distributes the gradient to both inputs."""
    return g, g


@adjoint(np.subtract, ast.Sub)
def subtract(g, ans, x1, x2):
    return g, -g


@adjoint(np.multiply, ast.Mult)
def multiply(g, ans, x1, x2):
    """The multiply gate scales the gradient by the other input (``x * x``: by ``2 x``)."""
    if same(x1, x2):
        return 2 * g * x1, None
    return g * x2, g * x1


@adjoint(np.divide, np.true_divide, ast.Div)
def divide(g, ans, x1, x2):
    """``d(x1 / x2) / dx2 = -x1 / x2**2 = -ans / x2`` reuses the forward result."""
    return g / x2, -g * ans / x2


@adjoint(np.power, ast.Pow)
def power(g, ans, x1, x2):
    """Where ``x2`` is 0 the power is 1 for every ``x1``: its gradient with respect to
    ``x1`` is 0, also at ``x1 = 0`` (the exponent ``x2 - 1 + (x2 == 0)`` is 1 there, not
    -1). Where ``x1`` is 0 the gradient with respect to the exponent is 0 (as its limit
    from the right is, and as autograd and JAX give); for a negative base it is ``nan``
    unless the power is 0. Zeros are ``0.0 * g``, not ``None``, so that forward mode,
    which derives the tangent from this rule, has a term for each argument."""
    if is_literal(x1):
        if x1 > 0:
            return None, g * ans * math.log(x1)
        if x1 == 0:
            return None, 0.0 * g
        return None, g * ans * math.nan
    if is_literal(x2):
        if x2 == 0:
            return 0.0 * g, None
        return g * x2 * x1 ** (x2 - 1), None
    return (g * x2 * x1 ** (x2 - 1 + (x2 == 0)),
            g * ans * np.log(np.where(x1 == 0, 1, x1)))


@adjoint(np.negative, ast.USub)
def negative(g, ans, x):
    return -g


@adjoint(np.positive, ast.UAdd)
def positive(g, ans, x):
    return g


@adjoint(np.mod, np.remainder, ast.Mod)
def mod(g, ans, x1, x2):
    """``x1 % x2 = x1 - x2 * floor(x1 / x2)``; the floor has no gradient."""
    return g, -g * np.floor(x1 / x2)


# ----- forward mode: the ufuncs' tangents come from their (elementwise) adjoint rules ----

linear(ast.USub, ast.UAdd)
