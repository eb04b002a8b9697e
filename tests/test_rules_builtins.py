"""Sweeps of the Python builtins max, min, abs, sum, pow and float."""

import builtins

import numpy as np
import pytest

from autodiff_ast import grad
from sweep import case, function_from_source, sweep_tests, unary, values

CASES = [
    case(builtins.max, "max(x, y)", x=0.3, y=-0.7),
    case(builtins.max, "max(x, y)", x=-0.3, y=0.7),
    case(builtins.max, "max(x)", x=values((4,))),
    case(builtins.min, "min(x, y)", x=0.3, y=-0.7),
    case(builtins.min, "min(x, y)", x=-0.3, y=0.7),
    case(builtins.min, "min(x)", x=values((4,))),
    *unary(builtins.abs, "abs(x)"),
    case(builtins.sum, "sum([x, y, x])", x=values((3,)), y=values((3,), seed=5)),
    case(builtins.sum, "sum([x, y])", x=values((2, 3)), y=0.5),
    case(builtins.sum, "sum(x)", x=values((4, 3))),
    case(builtins.sum, "sum(x, y)", x=values((4,)), y=1.5),
    case(builtins.pow, "pow(x, y)", x=1.3, y=0.7),
    case(builtins.pow, "pow(x, 3)", x=values((3,))),
    case(builtins.float, "float(x)", x=np.array(0.7)),
    case(builtins.float, "float(np.sum(x))", x=values((2, 3))),
]


test_gradient, test_float32, test_tangent = sweep_tests(
    CASES, float32=[c for c in CASES if c.primal is not builtins.float])


@pytest.mark.parametrize("name", ["max", "min"])
def test_a_tie_splits_the_gradient_evenly(name):
    f = function_from_source("f", f"def f(a, b):\n    return {name}(a, b) * 3.0\n", {})
    assert grad(f, wrt=(0, 1))(2.0, 2.0) == (1.5, 1.5)


def test_max_gate_routes_the_gradient_to_the_winner():
    f = function_from_source("f", "def f(z, w):\n    return 2.0 * max(z, w)\n", {})
    assert grad(f, wrt=(0, 1))(2.0, -1.0) == (2.0, 0.0)
    assert "dz = " in grad(f, wrt=(0, 1)).source
