"""Functions large or deep enough to stress the compiler: long lines, deep parentheses,
long straight-line code, and helpers whose inlining would explode. Gradients against
central finite differences (check_grads also checks the values returned beside them);
speed itself is measured by benchmarks/bench_compile.py, not here."""

import math
import time

import numpy as np
import pytest

from autodiff_ast import AutodiffError, grad
from autodiff_ast.expansion import LIMIT
from autodiff_ast.testing import check_grads
from sweep import function_from_source


def sum_of_terms(count):
    """``f(x) = sum(x*0.0 + x*1.0 + ...)``, all on one line."""
    terms = " + ".join(f"x * {i}.0" for i in range(count))
    return function_from_source("f", f"def f(x):\n    return np.sum({terms})\n", {})


@pytest.mark.parametrize("count", [400, 1000])
def test_a_sum_of_many_terms_on_one_line(count):
    x = np.array([0.5, -1.5, 2.0])
    dx = check_grads(sum_of_terms(count), x)
    np.testing.assert_allclose(dx, np.full(3, count * (count - 1) / 2))


def test_parentheses_nested_180_deep():
    f = function_from_source(
        "f", "def f(x):\n    return np.sum(" + "(" * 180 + "np.sin(x) * 2.0" + ")" * 180 + ")\n",
        {})
    x = np.array([0.3, 1.1])
    dx = check_grads(f, x)
    np.testing.assert_allclose(dx, 2.0 * np.cos(x))


def test_three_hundred_straight_line_statements():
    lines = ["def f(x):", "    y0 = x"]
    lines += [f"    y{i} = np.sin(y{i - 1}) * 0.5 + y{i - 1}" for i in range(1, 300)]
    lines.append("    return np.sum(y299)")
    f = function_from_source("f", "\n".join(lines) + "\n", {})
    source = grad(f).source
    assert source.count("\n") > 600  # every statement has its adjoint
    check_grads(f, np.array([0.2, -0.7]))


def doubling_helpers(depth):
    """``h0(x) = sin(x)``, ``h_k(x) = h_{k-1}(x) + h_{k-1}(2x)``: inlined, ``h_depth`` is
    2 ** depth copies of ``h0``."""
    lines = ["def h0(x):", "    return np.sin(x)"]
    for k in range(1, depth + 1):
        lines += [f"def h{k}(x):", f"    return h{k - 1}(x) + h{k - 1}(x * 2)"]
    return function_from_source(f"h{depth}", "\n".join(lines) + "\n", {})


def test_helpers_inlined_a_few_levels_deep():
    helper = doubling_helpers(4)  # the sum of sin(2 ** j * x), comb(4, j) times each
    f = function_from_source("f", "def f(x):\n    return np.sum(helper(x))\n",
                             {"helper": helper})
    x = np.array([0.1, 0.4])
    dx = check_grads(f, x)
    np.testing.assert_allclose(dx, sum(math.comb(4, j) * 2.0 ** j * np.cos(2.0 ** j * x)
                                       for j in range(5)))


def test_an_exploding_inline_is_an_error_at_once():
    f = doubling_helpers(20)
    start = time.perf_counter()
    with pytest.raises(AutodiffError, match=rf"inlining h19 would generate more than "
                                            rf"{LIMIT:,} statements \(about [\d,]+") as error:
        grad(f).source
    assert error.value.lineno is not None and "h19(x)" in error.value.text
    # it took minutes and gigabytes; the estimate is made before any inlining (the
    # benchmark measures the time closely, this only catches a return of the blow-up)
    assert time.perf_counter() - start < 20
