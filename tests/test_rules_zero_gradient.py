"""Functions with zero gradient: their results flow into the output without error and
contribute nothing (the finite differences agree, away from their jumps)."""

import builtins

import numpy as np
import pytest

from sweep import case, run_case, values

x3 = values((3,))
EXPRESSIONS = {
    np.shape: "x * np.shape(x)[0]",
    np.ndim: "x * np.ndim(x)",
    np.size: "x * np.size(x)",
    np.result_type: "x * (np.result_type(x) == np.float64)",
    np.iscomplexobj: "x * (1 + np.iscomplexobj(x))",
    np.isscalar: "x * (2 + np.isscalar(x))",
    builtins.len: "x * len(x)",
    builtins.isinstance: "x * (1 + isinstance(x, np.ndarray))",
    builtins.type: "x * (type(x) is np.ndarray)",
    builtins.range: "x * len(range(3))",
    builtins.int: "x * int(x[0] + 10.5)",
    builtins.bool: "x * bool(x[0] > -5)",
    builtins.round: "x * round(x[0] * 3.0) + x * round(x[1], 1)",
    np.argmax: "x * np.argmax(x)",
    np.argmin: "x * np.argmin(x)",
    np.argsort: "x * np.argsort(x)",
    np.argwhere: "x * np.argwhere(x > 0).shape[0]",
    np.nonzero: "x * np.nonzero(x > 0)[0].size",
    np.flatnonzero: "x * np.flatnonzero(x > 0).size",
    np.sign: "x * np.sign(x)",
    np.floor: "x * np.floor(x)",
    np.ceil: "x * np.ceil(x)",
    np.round: "x * np.round(x)",
    np.rint: "x * np.rint(x)",
    np.trunc: "x * np.trunc(x)",
    np.isnan: "x * (1 + np.isnan(x))",
    np.isinf: "x * (1 + np.isinf(x))",
    np.isfinite: "x * np.isfinite(x)",
    np.signbit: "x * np.signbit(x)",
    np.searchsorted: "x * np.searchsorted(np.array([-1.0, 0.0, 1.0]), x)",
    np.digitize: "x * np.digitize(x, np.array([-1.0, 0.0, 1.0]))",
    np.count_nonzero: "x * np.count_nonzero(x > 0)",
    np.floor_divide: "x * np.floor_divide(x, 0.7)",
    np.equal: "x * np.equal(x, x)",
    np.not_equal: "x * np.not_equal(x, 0.0)",
    np.less: "x * np.less(x, 0.1)",
    np.less_equal: "x * np.less_equal(x, 0.1)",
    np.greater: "x * np.greater(x, 0.1)",
    np.greater_equal: "x * np.greater_equal(x, 0.1)",
    np.logical_and: "x * np.logical_and(x > 0, x < 1)",
    np.logical_or: "x * np.logical_or(x > 1, x < 0)",
    np.logical_not: "x * np.logical_not(x > 0)",
    np.logical_xor: "x * np.logical_xor(x > 0, x > 1)",
    np.all: "x * np.all(x > -5)",
    np.any: "x * np.any(x > 0)",
    np.allclose: "x * np.allclose(x, x)",
    np.isclose: "x * np.isclose(x, x)",
    np.array_equal: "x * np.array_equal(x, x)",
    np.zeros: "x + np.zeros(np.shape(x))",
    np.ones: "x * np.ones(np.shape(x))",
    np.empty: "x * np.empty(np.shape(x)).size",
    np.zeros_like: "x + np.zeros_like(x)",
    np.ones_like: "x * np.ones_like(x)",
    np.empty_like: "x * np.empty_like(x).size",
    np.eye: "x * np.eye(3)",
    np.identity: "x * np.identity(3)",
    np.tri: "x * np.tri(3)",
}
if hasattr(np, "fix"):  # deprecated in newer NumPy; its warning is not ours to test
    EXPRESSIONS[np.fix] = "x * np.fix(x)"
CASES = [case(primal, expr, x=x3) for primal, expr in EXPRESSIONS.items()]


@pytest.mark.filterwarnings("ignore:numpy.fix is deprecated:DeprecationWarning")
@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_gradient(c):
    run_case(c)


def test_the_result_of_a_zero_gradient_function_gets_no_adjoint():
    from sweep import function_from_source

    from autodiff_ast import grad

    f = function_from_source("f", "def f(x):\n    k = np.argmax(x)\n    return x[k] * 2.0\n", {})
    source = grad(f).source
    assert "dk" not in source
    np.testing.assert_array_equal(grad(f)(np.array([1.0, 3.0, 2.0])), [0.0, 2.0, 0.0])
