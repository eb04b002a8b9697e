"""Second (and third) derivatives against closed forms and finite differences: Hessians
of the Rosenbrock function and of a logistic-regression loss, Hessian-vector products,
Hessian blocks of two parameters, ``grad`` of ``grad``, a function that calls a
generated gradient, and the Newton's-method example."""

import warnings

import numpy as np
import pytest

from autodiff_ast import grad, hessian, hvp
from sweep import load_example



# ----- Rosenbrock ----------------------------------------------------------------------


def rosenbrock(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_loop(x):
    total = 0.0
    for i in range(x.shape[0] - 1):
        total = total + 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2
    return total


def rosenbrock_hessian(x):
    """Tridiagonal: H[i, i] = 1200 x_i^2 - 400 x_{i+1} + 2 (for i < n - 1) + 200 (for
    i > 0), H[i, i+1] = H[i+1, i] = -400 x_i."""
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] = H[i + 1, i] = -400 * x[i]
    return H


ROSENBROCKS = [pytest.param(rosenbrock, id="slices"), pytest.param(rosenbrock_loop, id="loop")]


@pytest.mark.parametrize("f", ROSENBROCKS)
@pytest.mark.parametrize("n", [2, 5, 10])
def test_rosenbrock_hessian_is_the_tridiagonal_closed_form(f, n):
    x = np.random.default_rng(n).uniform(-2.0, 2.0, size=n)
    H = hessian(f)(x)
    assert H.shape == (n, n)
    expected = rosenbrock_hessian(x)
    np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-10)
    assert np.all(np.triu(H, 2) == 0) and np.all(np.tril(H, -2) == 0)
    # at the minimum x = 1: diagonal 802, 1002, ..., 1002, 200; off-diagonal -400
    ones = hessian(f)(np.ones(n))
    np.testing.assert_allclose(np.diag(ones), [802.0] + [1002.0] * (n - 2) + [200.0])
    np.testing.assert_allclose(np.diag(ones, 1), -400.0)


@pytest.mark.parametrize("f", ROSENBROCKS)
@pytest.mark.parametrize("n", [2, 5, 10])
def test_rosenbrock_hvp_is_the_closed_form_hessian_times_v(f, n):
    rng = np.random.default_rng(10 + n)
    x, v = rng.uniform(-2.0, 2.0, size=n), rng.normal(size=n)
    product = hvp(f)((x,), (v,))
    assert product.shape == (n,)
    np.testing.assert_allclose(product, rosenbrock_hessian(x) @ v, rtol=1e-12, atol=1e-9)


def test_rosenbrock_slices_and_loop_agree_and_the_gradient_is_right():
    x = np.random.default_rng(3).uniform(-2.0, 2.0, size=7)
    expected = np.zeros(7)
    expected[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    expected[1:] += 200 * (x[1:] - x[:-1] ** 2)
    np.testing.assert_allclose(grad(rosenbrock)(x), expected, rtol=1e-12)
    np.testing.assert_allclose(grad(rosenbrock_loop)(x), expected, rtol=1e-12)


# ----- logistic regression -------------------------------------------------------------


def logistic_loss(w, X, y, lam):
    """Mean log-loss, log(1 + e^z) - y z = -log sigmoid(+-z), plus lam / 2 ||w||^2."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w ** 2)


def logistic_loss_stable(w, X, y, lam):
    """The same loss with log(1 + e^z) written as max(z, 0) + log1p(e^-|z|)."""
    z = X @ w
    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return np.mean(softplus - y * z) + 0.5 * lam * np.sum(w ** 2)


def logistic_hessian(w, X, lam):
    z = X @ w
    p = np.exp(-np.logaddexp(0.0, -z))   # sigmoid, without overflow
    return X.T @ (X * (p * (1 - p))[:, None]) / len(X) + lam * np.eye(len(w))


def logistic_data(seed, n=60, d=5, scale=1.0):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.normal(size=(n, d - 1)), np.ones((n, 1))])
    y = (rng.uniform(size=n) < 0.5).astype(float)
    w = scale * rng.normal(size=d)
    return w, X, y


LOSSES = [pytest.param(logistic_loss, id="logaddexp"),
          pytest.param(logistic_loss_stable, id="max_log1p")]


@pytest.mark.parametrize("f", LOSSES)
@pytest.mark.parametrize("seed", [0, 1])
def test_logistic_hessian_is_xt_diag_p_1mp_x_over_n_plus_lam_i(f, seed):
    w, X, y = logistic_data(seed)
    lam = 0.3
    H = hessian(f)(w, X, y, lam)
    expected = logistic_hessian(w, X, lam)
    np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=1e-15)
    assert np.all(np.linalg.eigvalsh(H) >= lam - 1e-12)   # convex, lam-strongly


@pytest.mark.parametrize("f", LOSSES)
def test_logistic_hvp_is_the_closed_form_hessian_times_v(f):
    w, X, y = logistic_data(2)
    v = np.random.default_rng(7).normal(size=w.shape)
    product = hvp(f)((w, X, y, 0.05), (v,))
    np.testing.assert_allclose(product, logistic_hessian(w, X, 0.05) @ v, rtol=1e-12,
                               atol=1e-15)


def test_stable_logistic_hessian_at_logits_in_the_hundreds():
    # logits beyond +-710 (where e^|z| overflows): p (1 - p) underflows to 0 for most rows;
    # the Hessian is finite and equals the closed form (lam I plus the moderate rows)
    w, X, y = logistic_data(4, n=40, d=4, scale=500.0)
    w[-1] = 0.0
    X[:10, :-1] *= 0.004   # a few rows with moderate logits
    z = X @ w
    assert np.max(np.abs(z)) > 710 and np.sum(np.abs(z) < 5) >= 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow anywhere in the generated code
        H = hessian(logistic_loss_stable)(w, X, y, 0.1)
    np.testing.assert_allclose(H, logistic_hessian(w, X, 0.1), rtol=1e-10, atol=1e-15)


# ----- two parameters ------------------------------------------------------------------


def two_parameter_loss(W, b, X, y):
    h = np.tanh(X @ W + b)
    return np.mean((np.sum(h, axis=1) - y) ** 2) + 0.1 * np.sum(W * W) * np.sum(b ** 2)


def test_hessian_blocks_of_two_parameters_match_differences_of_the_gradient():
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=7)
    H = hessian(two_parameter_loss, wrt=(0, 1))(W, b, X, y)
    params = (W, b)
    assert [[block.shape for block in row] for row in H] == [
        [(3, 2, 3, 2), (3, 2, 2)], [(2, 3, 2), (2, 2)]]
    gradient = grad(two_parameter_loss, wrt=(0, 1))
    eps = 1e-6
    for j, x in enumerate(params):
        for k in range(x.size):
            index = np.unravel_index(k, x.shape)
            above, below = [p.copy() for p in params], [p.copy() for p in params]
            above[j][index] += eps
            below[j][index] -= eps
            g_above, g_below = gradient(*above, X, y), gradient(*below, X, y)
            for i in range(2):
                column = (g_above[i] - g_below[i]) / (2 * eps)
                np.testing.assert_allclose(H[i][j][(Ellipsis,) + index], column,
                                           rtol=1e-6, atol=1e-8)
    # symmetric: H[0][1][a, b, c] == H[1][0][c, a, b]
    np.testing.assert_allclose(H[0][1], np.transpose(H[1][0], (1, 2, 0)), rtol=1e-12,
                               atol=1e-14)


def test_two_parameter_hvp_is_the_blocks_times_the_vectors():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    X, y = rng.normal(size=(7, 3)), rng.normal(size=7)
    vW, vb = rng.normal(size=W.shape), rng.normal(size=b.shape)
    H = hessian(two_parameter_loss, wrt=(0, 1))(W, b, X, y)
    pW, pb = hvp(two_parameter_loss, wrt=(0, 1))((W, b, X, y), (vW, vb))
    np.testing.assert_allclose(pW, np.tensordot(H[0][0], vW, 2) + H[0][1] @ vb, rtol=1e-12)
    np.testing.assert_allclose(pb, np.tensordot(H[1][0], vW, 2) + H[1][1] @ vb, rtol=1e-12)


# ----- grad of grad, and a function calling a gradient ---------------------------------


def cubic_sine(x):
    return np.sin(x) * x ** 3


def cubic_sine_sum(x):
    return np.sum(np.sin(x) * x ** 3)


def first(x):    # d/dx sin(x) x^3
    return np.cos(x) * x ** 3 + 3 * np.sin(x) * x ** 2


def second(x):
    return -np.sin(x) * x ** 3 + 6 * np.cos(x) * x ** 2 + 6 * np.sin(x) * x


def third(x):
    return -np.cos(x) * x ** 3 - 9 * np.sin(x) * x ** 2 + 18 * np.cos(x) * x + 6 * np.sin(x)


@pytest.mark.parametrize("x", [-2.3, -0.4, 0.0, 0.7, 3.1])
def test_grad_of_grad_is_the_second_derivative(x):
    df = grad(cubic_sine)
    ddf = grad(df)
    assert df(x) == pytest.approx(first(x), rel=1e-13, abs=1e-15)
    assert ddf(x) == pytest.approx(second(x), rel=1e-13, abs=1e-15)
    assert grad(ddf)(x) == pytest.approx(third(x), rel=1e-13, abs=1e-15)


cubic_sine_sum_grad = grad(cubic_sine_sum)


def squared_gradient(x):
    """Calls a generated gradient: sum_i f'(x_i)^2."""
    return np.sum(cubic_sine_sum_grad(x) ** 2)


def test_grad_of_a_function_calling_grad_matches_differences_and_closed_form():
    x = np.array([0.3, -1.2, 2.0, 0.0, 2.7])
    g = grad(squared_gradient)(x)
    eps = 1e-6
    numeric = np.array([(squared_gradient(x + eps * e) - squared_gradient(x - eps * e))
                        / (2 * eps) for e in np.eye(len(x))])
    np.testing.assert_allclose(g, numeric, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(g, 2 * first(x) * second(x), rtol=1e-12, atol=1e-14)


def test_hessian_of_a_function_calling_grad_is_diagonal_third_order():
    x = np.array([0.3, -1.2, 2.0, 2.7])
    H = hessian(squared_gradient)(x)
    expected = np.diag(2 * (second(x) ** 2 + first(x) * third(x)))
    np.testing.assert_allclose(H, expected, rtol=1e-12, atol=1e-12)
    eps = 1e-5
    g = grad(squared_gradient)
    numeric = np.array([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(4)])
    np.testing.assert_allclose(H, numeric.T, rtol=1e-6, atol=1e-6)


# ----- the Newton's-method example -----------------------------------------------------


def test_newton_logistic_example_converges_quadratically(capsys):
    example = load_example("newton_logistic")
    result = example.main(lam=1e-2, seed=0, max_iterations=10)
    printed = capsys.readouterr().out

    norms = result["grad_norms"]
    assert result["iterations"] <= 10
    assert norms[-1] < 1e-8
    assert result["closed_grad_norm"] < 1e-8   # the hand-written gradient is 0 there too
    assert all(step == 1.0 for step in result["steps"])   # pure Newton steps
    assert all(b < a for a, b in zip(result["losses"], result["losses"][1:]))
    # quadratic convergence: |g_{k+1}| <= C |g_k|^2 once |g_k| is small
    tail = [(a, b) for a, b in zip(norms, norms[1:]) if a < 1e-2]
    assert len(tail) >= 2
    assert all(b < 100 * a ** 2 for a, b in tail), tail

    assert result["hessian_error"] < 1e-12
    assert result["gradient_error"] < 1e-12
    assert result["sklearn_difference"] < 1e-6
    assert result["train_accuracy"] > 0.97
    assert result["test_accuracy"] > 0.93

    assert "def jvp_grad_loss(w, X, y, lam, dout=1.0, *, w_dot):" in printed
    assert "w_dot" in result["source"] and "z_dot = X @ w_dot" in result["source"]
    assert "accuracy: train" in printed
