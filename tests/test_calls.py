"""Calls into the user's Python functions, end to end: gradients against central finite
differences for every call form, inputs left unchanged."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.testing import check_grads
from corpus_calls import CORPUS

IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CORPUS)]


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_gradient_matches_finite_differences(f, args, wrt):
    check_grads(f, *args, wrt=wrt)


def test_the_callee_is_inlined_with_its_own_line_comments():
    from corpus_calls import calls_a_module_function

    source = grad(calls_a_module_function).source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert not any("square(" in line for line in code)
    assert "# return v * v" in source


def test_a_callee_reads_its_own_module_globals():
    from corpus_calls import calls_another_module
    import corpus_calls_helpers

    x, W, b = np.ones((2, 3)) * 0.1, np.ones((3, 2)) * 0.2, np.zeros(2)
    before = grad(calls_another_module, wrt=2)(x, W, b)
    corpus_calls_helpers.SCALE = 6.0
    try:
        after = grad(calls_another_module, wrt=2)(x, W, b)
    finally:
        corpus_calls_helpers.SCALE = 3.0
    np.testing.assert_allclose(after, 2 * before)


def test_a_rule_registered_for_a_user_function_replaces_its_source():
    import autodiff_ast
    from corpus_calls import calls_a_module_function, square

    @autodiff_ast.adjoint(square)
    def square_adjoint(g, ans, v):
        return 10.0 * g  # deliberately not the derivative: shows the rule is used

    try:
        g = grad(calls_a_module_function)(np.ones(2))
    finally:
        autodiff_ast.rules.registry.unregister(square)
    np.testing.assert_allclose(g, [30.0, 30.0])  # 10 + 10 * 2
