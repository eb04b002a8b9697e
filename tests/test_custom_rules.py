"""Custom rules: adjoint and tangent rules for any callable (a user function, a C
function), linearity declarations, zero-gradient declarations, and the errors that say
how to register a missing one. Every rule registered here is removed afterwards."""

import math

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import MissingRuleError, grad, jvp, stop_gradient, gradient_hook
from autodiff_ast.rules import registry
from autodiff_ast.testing import check_grads, numerical_grad


@pytest.fixture
def clean_rules():
    """Put the rule tables back as they were after the test."""
    saved = (dict(registry.RULES), dict(registry.TANGENTS), dict(registry.LINEAR),
             set(registry.NONDIFFERENTIABLE))
    yield
    for table, before in zip((registry.RULES, registry.TANGENTS, registry.LINEAR), saved):
        table.clear()
        table.update(before)
    registry.NONDIFFERENTIABLE.clear()
    registry.NONDIFFERENTIABLE.update(saved[3])
    registry.GENERATION[0] += 1


def uses_math_erf(x):
    return math.erf(x) * x


def cube(x):
    return x * x * x


def cube_adjoint(g, ans, x):
    return g * 3.0 * x ** 2


def cube_tangent(g, ans, x):
    return 3.0 * x ** 2 * g


@pytest.fixture
def cube_rules(clean_rules):
    """``cube``'s own adjoint and tangent rules, registered for one test."""
    autodiff_ast.adjoint(cube)(cube_adjoint)
    autodiff_ast.tangent(cube)(cube_tangent)


def uses_cube(x):
    return np.sum(cube(x) + x)


def weighted(a, b):
    return a * b + a


def uses_weighted(a, b):
    return np.sum(weighted(a, b))


def double(x):
    return x * 2.0


def uses_double(x):
    return np.sum(np.sin(double(x)))


def parity(n):
    return n % 2


def uses_parity(x):
    return x * parity(3)


def stopped(x):
    return np.sum(stop_gradient(x) * x)


def hooked(x):
    return np.sum(gradient_hook(x, np.sign) * 3.0)


def test_rules_for_a_c_function(clean_rules):
    @autodiff_ast.adjoint(math.erf)
    def erf_adjoint(g, ans, x):
        return g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)

    @autodiff_ast.tangent(math.erf)
    def erf_tangent(g, ans, x):
        return g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)

    check_grads(uses_math_erf, 0.4)
    value, tangent = jvp(uses_math_erf)((0.4,), (1.0,))
    assert tangent == pytest.approx(numerical_grad(uses_math_erf, [0.4], 0), rel=1e-7)
    assert "math.exp(-x * x)" in grad(uses_math_erf).source


def test_rules_for_a_user_function_replace_its_source(cube_rules):
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(grad(uses_cube)(x), 3 * x ** 2 + 1)
    j = jvp(uses_cube)
    _, tangent = j((x,), (np.ones(3),))
    np.testing.assert_allclose(tangent, np.sum(3 * x ** 2 + 1))
    assert "cube(x)" in j.source and "3.0 * x ** 2 * x_dot" in j.source


def test_a_tangent_rule_with_one_term_per_argument(clean_rules):
    @autodiff_ast.adjoint(weighted)
    def weighted_adjoint(g, ans, a, b):
        return g * (b + 1.0), g * a

    @autodiff_ast.tangent(weighted)
    def weighted_tangent(g, ans, a, b):
        return g[0] * (b + 1.0), g[1] * a

    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    for wrt, tangents in [((0,), (np.ones(2),)), ((1,), (np.ones(2),)),
                          ((0, 1), (np.ones(2), np.array([0.5, 2.0])))]:
        value, got = jvp(uses_weighted, wrt=wrt)((a, b), tangents)
        assert value == pytest.approx(uses_weighted(a, b), rel=1e-13)
        eps = 1e-6
        moved = [[a, b], [a, b]]
        for i, t in zip(wrt, tangents):
            moved[0][i] = moved[0][i] + eps * t
            moved[1][i] = moved[1][i] - eps * t
        expected = (uses_weighted(*moved[0]) - uses_weighted(*moved[1])) / (2 * eps)
        assert got == pytest.approx(expected, rel=1e-7)


def test_a_linear_declaration_gives_the_tangent(clean_rules):
    @autodiff_ast.adjoint(double)
    def double_adjoint(g, ans, x):
        return 2.0 * g

    autodiff_ast.linear(double)
    j = jvp(uses_double)
    x = np.array([0.1, 0.7])
    _, tangent = j((x,), (np.ones(2),))
    assert tangent == pytest.approx(np.sum(2 * np.cos(2 * x)), rel=1e-12)
    assert "double(x_dot)" in j.source


def test_nondifferentiable_user_function_has_a_zero_gradient(clean_rules):
    autodiff_ast.nondifferentiable(parity)
    assert grad(uses_parity)(2.0) == 1.0
    assert "parity(3)" in grad(uses_parity).source


def test_a_missing_tangent_rule_names_the_function_and_how_to_register_it(clean_rules):
    @autodiff_ast.adjoint(cube)
    def cube_adjoint(g, ans, x):
        return g * 3.0 * x ** 2

    with pytest.raises(MissingRuleError) as info:
        jvp(uses_cube)((np.ones(2),), (np.ones(2),))
    message = str(info.value)
    assert "no tangent (forward-mode) rule for test_custom_rules.cube" in message
    assert "@autodiff_ast.tangent(test_custom_rules.cube)" in message
    assert "autodiff_ast.linear(test_custom_rules.cube)" in message
    assert "test_custom_rules.py" in message


def test_stop_gradient_and_hooks_in_forward_mode():
    x = np.array([0.5, -2.0])
    value, tangent = jvp(stopped)((x,), (np.ones(2),))
    assert value == pytest.approx(stopped(x), rel=1e-13)
    assert tangent == pytest.approx(np.sum(x))  # only the second factor varies
    value, tangent = jvp(hooked)((x,), (np.ones(2),))
    assert value == pytest.approx(hooked(x), rel=1e-13)
    assert tangent == pytest.approx(6.0)  # hooks act on adjoints, not tangents


def test_a_transform_of_a_function_with_its_own_rules_uses_them(cube_rules):
    x = np.array([0.5, -1.0])
    np.testing.assert_allclose(grad(lambda_free_sum_of_cube)(x), 3 * x ** 2)
    g = grad(cube)
    np.testing.assert_allclose(autodiff_ast.vjp(cube)(x)[1](np.ones(2)), 3 * x ** 2)
    assert "3.0 * x ** 2" in g.source and "cube(x)" in g.source
    value, tangent = jvp(cube)((x,), (np.ones(2),))
    np.testing.assert_allclose(value, x ** 3, rtol=1e-13)
    np.testing.assert_allclose(tangent, 3 * x ** 2)
    assert "3.0 * x ** 2 * x_dot" in jvp(cube, wrt=0).source


def test_a_c_function_with_rules_can_be_transformed_directly(clean_rules):
    @autodiff_ast.adjoint(math.erf)
    def erf_adjoint(g, ans, x):
        return g * 2.0 / math.sqrt(math.pi) * math.exp(-x * x)

    assert grad(math.erf)(0.3) == pytest.approx(2 / math.sqrt(math.pi) * math.exp(-0.09))


def lambda_free_sum_of_cube(x):
    return np.sum(cube(x))
