"""stop_gradient, gradient_hook and print_gradient inside differentiated code."""

import numpy as np

from autodiff_ast import grad, gradient_hook, print_gradient, stop_gradient


def stopped(x, y):
    target = stop_gradient(x * 2.0)
    return np.sum((x - target) ** 2 + x * y)


def clipped(x):
    clip = lambda g: np.clip(g, -1.0, 1.0)  # noqa: E731
    h = gradient_hook(x * 3.0, clip)
    return np.sum(h ** 2)


def printed(x):
    h = print_gradient(np.sin(x), "dh")
    return np.sum(h * 2.0)


def test_no_gradient_flows_through_stop_gradient():
    x, y = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    dx, dy = grad(stopped, wrt=(0, 1))(x, y)
    np.testing.assert_allclose(dx, 2 * (x - 2 * x) + y)  # the target counts as a constant
    np.testing.assert_allclose(dy, x)


def test_a_hook_changes_the_adjoint_and_shows_in_the_code():
    x = np.array([0.1, 2.0])
    np.testing.assert_allclose(grad(clipped)(x), 3.0 * np.clip(2 * 3.0 * x, -1, 1))
    assert "clip(d" in grad(clipped).source


def test_print_gradient_prints_the_adjoint(capsys):
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(grad(printed)(x), 2.0 * np.cos(x))
    assert capsys.readouterr().out.startswith("dh [2. 2.]")
