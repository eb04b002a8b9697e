"""Sweeps of the arithmetic operators and their ufuncs."""

import ast

import numpy as np
import pytest

from autodiff_ast import jvp, value_and_grad

from sweep import binary, case, sweep_tests, unary, values

CASES = [
    *binary(ast.Add, "x + y"),
    *binary(ast.Sub, "x - y"),
    *binary(ast.Mult, "x * y"),
    *binary(ast.Div, "x / y", domain2=(0.5, 2.0)),
    *binary(ast.Pow, "x ** y", domain=(0.5, 2.0)),
    *unary(ast.Pow, "x ** 2"),
    *unary(ast.Pow, "x ** 3.5", domain=(0.5, 2.0)),
    *unary(ast.Pow, "2.0 ** x"),
    # zero exponents and zero bases: x ** 0 is 1 everywhere, 0 ** y is 0 for y > 0
    *unary(ast.Pow, "x ** 0.0", domain=(-1.0, 1.0)),
    case(ast.Pow, "x ** 0.0", x=np.array([0.0, 1.5, -2.0])),
    case(ast.Pow, "x ** 0.0", x=0.0),
    *unary(ast.Pow, "0.0 ** x", domain=(0.5, 2.0)),
    *unary(ast.USub, "-x"),
    *unary(ast.UAdd, "+x"),
    *binary(ast.Mod, "x % y", domain=(0.1, 0.9), domain2=(1.0, 2.0)),
    *binary(np.add, "np.add(x, y)"),
    *binary(np.subtract, "np.subtract(x, y)"),
    *binary(np.multiply, "np.multiply(x, y)"),
    *binary(np.divide, "np.divide(x, y)", domain2=(0.5, 2.0)),
    *binary(np.true_divide, "np.true_divide(x, y)", domain2=(0.5, 2.0)),
    *binary(np.power, "np.power(x, y)", domain=(0.5, 2.0)),
    case(np.power, "np.power(x, 0.0)", x=np.array([0.0, 1.5, -2.0])),
    case(np.power, "np.power(x, 0.0)", x=0.0),
    *unary(np.power, "np.power(0.0, x)", domain=(0.5, 2.0)),
    case(np.power, "np.power(x, y)", x=np.array([0.0, 2.0, 0.0]), y=np.array([0.0, 0.0, 2.0]),
         wrt=("x",)),
    *unary(np.negative, "np.negative(x)"),
    *unary(np.positive, "np.positive(x)"),
    *binary(np.mod, "np.mod(x, y)", domain=(0.1, 0.9), domain2=(1.0, 2.0)),
    *binary(np.remainder, "np.remainder(x, y)", domain=(0.1, 0.9), domain2=(1.0, 2.0)),
    case(ast.MatMult, "x @ y", x=values((2, 3)), y=values((3, 4), seed=3)),
    case(ast.MatMult, "x @ y", x=values((3,)), y=values((3, 4), seed=3)),
    case(ast.MatMult, "x @ y", x=values((2, 3)), y=values((3,), seed=3)),
    case(ast.MatMult, "x @ y", x=values((3,)), y=values((3,), seed=3)),
    case(ast.MatMult, "x @ y", x=values((5, 2, 3)), y=values((3, 4), seed=3)),
    case(ast.MatMult, "x @ y", x=values((2, 3)), y=values((5, 3, 4), seed=3)),
    case(np.matmul, "np.matmul(x, y)", x=values((2, 3)), y=values((3, 4), seed=3)),
]


test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_power_at_a_zero_base_and_a_zero_exponent():
    """d/dx x ** y is 0 where y is 0 (x ** 0 is 1, also at x = 0); d/dy x ** y is 0
    where x is 0 (the limit from y > 0), where the finite differences are infinite."""
    def f(x, y):
        return np.sum(x ** y)

    x, y = np.array([0.0, 2.0, 0.0, 3.0]), np.array([0.0, 0.0, 2.0, 1.5])
    value, (dx, dy) = value_and_grad(f, wrt=(0, 1))(x, y)
    assert value == f(x, y)
    np.testing.assert_allclose(dx, [0.0, 0.0, 0.0, 1.5 * 3.0 ** 0.5])
    np.testing.assert_allclose(dy, [0.0, np.log(2.0), 0.0, np.log(3.0) * 3.0 ** 1.5])
    value, tangent = jvp(f, wrt=(0, 1))((x, y), (np.ones(4), np.ones(4)))
    assert value == f(x, y)
    np.testing.assert_allclose(tangent, np.sum(dx) + np.sum(dy))
    assert value_and_grad(f, wrt=(0, 1))(0.0, 0.0) == (1.0, (0.0, 0.0))


def f_negative_base(y):
    return np.power(-2.0, y)


def f_negative_base_operator(y):
    return (-2.0) ** y  # printed as -2.0 ** y, which is -(2.0 ** y), before the fix


@pytest.mark.parametrize("f", [f_negative_base, f_negative_base_operator])
def test_power_of_a_negative_literal_base_has_a_nan_exponent_gradient(f):
    value, dy = value_and_grad(f)(2.0)
    assert value == 4.0 and np.isnan(dy)
    value, tangent = jvp(f)((3.0,), (1.0,))
    assert value == -8.0 and np.isnan(tangent)
