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
    """Where ``x1`` is 0 the gradient with respect to the exponent is 0 (as its limit
    from the right is); for a negative base it is ``nan`` unless the power is 0."""
    if is_literal(x1):
        return None, g * ans * math.log(x1)
    return g * x2 * x1 ** (x2 - 1), g * ans * np.log(np.where(x1 == 0, 1, x1))


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
