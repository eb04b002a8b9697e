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


# ----- every zero-gradient entry is right to be one ----------------------------------
# A function registered as non-differentiable gets no adjoint, so if its output moved
# with a float input the gradient would be silently wrong. Each entry is called here on
# float inputs x, y (no integers or ties among them: a generic point) and is either
# independent of their values, or a step function (piecewise constant, integer or
# boolean valued: locally constant at a generic point), or declared by the user.

def _runtime(name):
    from autodiff_ast import runtime

    return getattr(runtime, name)


def _helper(module, name):
    import importlib

    return getattr(importlib.import_module(f"autodiff_ast.rules.{module}"), name)


VALUE_INDEPENDENT = {  # the output depends on shapes and types only
    np.shape: "np.shape(x)", np.ndim: "np.ndim(x)", np.size: "np.size(x)",
    np.result_type: "np.result_type(x, y)", np.iscomplexobj: "np.iscomplexobj(x)",
    np.isscalar: "np.isscalar(x[0])", builtins.len: "len(x)",
    builtins.isinstance: "isinstance(x, np.ndarray)", builtins.type: "type(x[0])",
    builtins.range: "range(len(x))", np.zeros: "np.zeros(np.shape(x))",
    np.ones: "np.ones(np.shape(x))", np.empty: "np.empty(np.shape(x)).shape",
    np.zeros_like: "np.zeros_like(x)", np.ones_like: "np.ones_like(x)",
    np.empty_like: "np.empty_like(x).shape", np.eye: "np.eye(len(x))",
    np.identity: "np.identity(len(x))", np.tri: "np.tri(len(x))",
    _runtime("zeros_like"): "rt.zeros_like(x)", _runtime("zeros_like_items"):
        "rt.zeros_like_items([x, y])", _runtime("reduced_count"): "rt.reduced_count(m, 1)",
    _runtime("matmul_shape"): "rt.matmul_shape(m, x)", _runtime("shape"): "rt.shape(m)",
    _runtime("broadcast_shape"): "rt.broadcast_shape(m, x)",
    _helper("reductions", "diagonal_mask"): "diagonal_mask(m, 0, 0, 1)",
    _helper("reductions", "reduced_shape"): "reduced_shape(m, 0)",
    _helper("constructors", "linspace_weights"): "linspace_weights(3, True, 1, 0, 1, x.dtype)",
    _helper("constructors", "arange_positions"): "arange_positions(x)",
    _helper("numpy_extra", "gradient_axis"): "gradient_axis(np.ndim(x), 0, None, 1)",
    _helper("numpy_extra", "vector_norm_axis"): "vector_norm_axis((1,))",
    _helper("linalg_decompositions", "eig_real_check"): "eig_real_check(x)",
    _helper("linalg_decompositions", "qr_check"): "qr_check(np.shape(m.T))",
    _helper("linalg_decompositions", "lstsq_check"): "lstsq_check(m.T, x * 0.0, y * 0.0)",
    _helper("linalg_decompositions", "svd_reduced_check"): "svd_reduced_check(m, m * 0.0, 3)",
    _helper("linalg_decompositions", "svd_tangent_check"): "svd_tangent_check(np.shape(m), 0)",
    _helper("constructors", "index_positions"): "index_positions((x, y[0]), np.r_)",
}
STEP_FUNCTIONS = {  # piecewise constant: integer or boolean values, or a rounding
    builtins.int: "int(x[0] * 10)", builtins.bool: "bool(x[0] > 0)",
    builtins.round: "round(x[0] * 10)", np.argmax: "np.argmax(x)", np.argmin: "np.argmin(x)",
    np.argsort: "np.argsort(x)", np.argwhere: "np.argwhere(x > 0)",
    np.nonzero: "np.nonzero(x > 0)", np.flatnonzero: "np.flatnonzero(x > 0)",
    np.sign: "np.sign(x)", np.floor: "np.floor(x * 10)", np.ceil: "np.ceil(x * 10)",
    np.round: "np.round(x * 10)", np.rint: "np.rint(x * 10)", np.trunc: "np.trunc(x * 10)",
    np.isnan: "np.isnan(x)", np.isinf: "np.isinf(x)", np.isfinite: "np.isfinite(x)",
    np.signbit: "np.signbit(x)", np.searchsorted: "np.searchsorted(np.sort(y), x)",
    np.digitize: "np.digitize(x, np.sort(y))", np.count_nonzero: "np.count_nonzero(x > 0)",
    np.floor_divide: "np.floor_divide(x, y)", np.equal: "np.equal(x, y)",
    np.not_equal: "np.not_equal(x, y)", np.less: "np.less(x, y)",
    np.less_equal: "np.less_equal(x, y)", np.greater: "np.greater(x, y)",
    np.greater_equal: "np.greater_equal(x, y)", np.logical_and: "np.logical_and(x, y > 0)",
    np.logical_or: "np.logical_or(x > 0, y)", np.logical_not: "np.logical_not(x > 0)",
    np.logical_xor: "np.logical_xor(x > 0, y > 0)", np.all: "np.all(x > 0)",
    np.any: "np.any(x > 0)", np.allclose: "np.allclose(x, y)",
    np.isclose: "np.isclose(x, y)", np.array_equal: "np.array_equal(x, y)",
}
if hasattr(np, "fix"):
    STEP_FUNCTIONS[np.fix] = "np.fix(x * 10)"
DECLARED = {  # the user asks for a zero gradient
    _helper("gradient_control", "stop_gradient"): "the user's own cut of the gradient",
}


def _evaluate(expr, x, y, m):
    from autodiff_ast import runtime
    from autodiff_ast.rules import constructors, linalg_decompositions, numpy_extra, reductions

    scope = {"np": np, "builtins": builtins, "rt": runtime, "x": x, "y": y, "m": m,
             **vars(constructors), **vars(reductions), **vars(numpy_extra),
             **vars(linalg_decompositions)}
    return eval(expr, scope)


def _same(a, b):
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype \
            and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def _integral(value):
    if isinstance(value, (tuple, list)):
        return all(_integral(v) for v in value)
    array = np.asarray(value)
    return array.dtype.kind in "biu" or bool(np.all(array == np.round(array)))


def _point(seed):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-2.0, 2.0, 3), rng.uniform(-2.0, 2.0, 3), rng.uniform(-2.0, 2.0, (2, 3)))


def test_every_zero_gradient_entry_is_justified():
    from autodiff_ast.rules import NONDIFFERENTIABLE

    listed = set(VALUE_INDEPENDENT) | set(STEP_FUNCTIONS) | set(DECLARED)
    missing = sorted(getattr(p, "__name__", repr(p)) for p in NONDIFFERENTIABLE
                     if p not in listed)
    assert not missing, f"zero-gradient functions not checked for independence: {missing}"


@pytest.mark.parametrize("primal, expr", list(VALUE_INDEPENDENT.items()),
                         ids=lambda p: p if isinstance(p, str) else "")
def test_a_value_independent_function_ignores_its_float_inputs(primal, expr):
    """Any change of the float values (shapes kept) leaves the output as it was."""
    x, y, m = _point(0)
    before = _evaluate(expr, x, y, m)
    for seed in (1, 2):
        assert _same(before, _evaluate(expr, *_point(seed))), expr


@pytest.mark.filterwarnings("ignore:numpy.fix is deprecated:DeprecationWarning")
@pytest.mark.parametrize("primal, expr", list(STEP_FUNCTIONS.items()),
                         ids=lambda p: p if isinstance(p, str) else "")
def test_a_step_function_is_locally_constant_and_integer_valued(primal, expr):
    """At generic points a small change of every float input leaves the output as it
    was (its gradient is zero there), and the output is integer or boolean valued: only
    a jump can change it."""
    for seed in range(4):
        x, y, m = _point(seed)
        value = _evaluate(expr, x, y, m)
        assert _integral(value), f"{expr} = {value!r} is not integer or boolean valued"
        for direction in range(3):
            dx, dy, dm = _point(100 + direction)
            moved = _evaluate(expr, x + 1e-9 * dx, y + 1e-9 * dy, m + 1e-9 * dm)
            assert _same(value, moved), f"{expr} moved with its float inputs"


def test_inactive_attributes_and_operators_are_justified():
    """What activity treats as inactive besides the table: attributes that describe the
    layout (unchanged by any change of the values), floor division (a step function)
    and the bitwise and logical operators (integer or boolean operands only)."""
    import ast

    from autodiff_ast.activity import INACTIVE_ATTRIBUTES, INACTIVE_OPERATORS

    x, y, m = _point(0)
    for name in INACTIVE_ATTRIBUTES:
        before = getattr(x, name)
        for seed in (1, 2):
            after = getattr(_point(seed)[0], name)
            assert before == after if name != "flags" else str(before) == str(after), name
    steps = {ast.FloorDiv: "x // y"}
    integral_only = {ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.Not,
                     ast.Invert}
    assert set(INACTIVE_OPERATORS) == set(steps) | integral_only
    for operator in integral_only:  # NumPy refuses float operands
        symbol = {ast.BitAnd: "x & y", ast.BitOr: "x | y", ast.BitXor: "x ^ y",
                  ast.LShift: "x << y", ast.RShift: "x >> y", ast.Invert: "~x"}.get(operator)
        if symbol is not None:
            with pytest.raises(TypeError):
                _evaluate(symbol, x, y, m)
    for expr in steps.values():
        value = _evaluate(expr, x, y, m)
        assert _integral(value)
        assert _same(value, _evaluate(expr, x + 1e-9, y - 1e-9, m))
