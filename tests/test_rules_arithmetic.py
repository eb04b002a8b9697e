"""Sweeps of the arithmetic operators and their ufuncs."""

import ast

import numpy as np

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
    *unary(ast.USub, "-x"),
    *unary(ast.UAdd, "+x"),
    *binary(ast.Mod, "x % y", domain=(0.1, 0.9), domain2=(1.0, 2.0)),
    *binary(np.add, "np.add(x, y)"),
    *binary(np.subtract, "np.subtract(x, y)"),
    *binary(np.multiply, "np.multiply(x, y)"),
    *binary(np.divide, "np.divide(x, y)", domain2=(0.5, 2.0)),
    *binary(np.true_divide, "np.true_divide(x, y)", domain2=(0.5, 2.0)),
    *binary(np.power, "np.power(x, y)", domain=(0.5, 2.0)),
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
