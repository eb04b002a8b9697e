"""The transforms' interfaces: jvp, vjp, jacobian, hessian and hvp with their argument
conventions, structures, generated source and error messages."""

import numpy as np
import pytest

from autodiff_ast import AutodiffError, grad, hessian, hvp, jacobian, jvp, vjp

rng = np.random.default_rng(0)


def layer(x, W, b):
    return np.tanh(W @ x + b)


def loss(params, X):
    h = np.tanh(X @ params["W"] + params["b"])
    return np.sum(h ** 2)


def pair(x):
    return x * 2.0, {"sum": np.sum(x), "sin": np.sin(x)}


def numeric_jacobian(f, x, eps=1e-6):
    columns = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        e = e.reshape(x.shape)
        columns.append(np.ravel((f(x + e) - f(x - e)) / (2 * eps)))
    return np.array(columns).T.reshape(np.shape(f(x)) + x.shape)


X3, W, B = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=4)


def test_jvp_of_several_arguments_is_the_sum_of_their_directional_derivatives():
    tx, tW = rng.normal(size=3), rng.normal(size=(4, 3))
    value, tangent = jvp(layer, wrt=(0, 1))((X3, W, B), (tx, tW))
    np.testing.assert_allclose(value, layer(X3, W, B))
    eps = 1e-6
    expected = (layer(X3 + eps * tx, W + eps * tW, B) - layer(X3 - eps * tx, W - eps * tW, B)) \
        / (2 * eps)
    np.testing.assert_allclose(tangent, expected, rtol=1e-6, atol=1e-9)


def test_jvp_called_directly_and_by_default_over_every_argument():
    tangents = (np.ones(3), np.zeros((4, 3)), np.zeros(4))
    direct = jvp(layer, (X3, W, B), tangents)
    curried = jvp(layer)((X3, W, B), tangents)
    np.testing.assert_allclose(direct[1], curried[1])
    np.testing.assert_allclose(direct[1], numeric_jacobian(lambda x: layer(x, W, B), X3).sum(1),
                               rtol=1e-6)


def test_jvp_source_has_dot_names_and_line_comments():
    j = jvp(layer, wrt=0)
    j((X3, W, B), (np.ones(3),))
    source = j.source
    assert source.startswith("def jvp_layer(x, W, b, x_dot):")
    assert "# return np.tanh(W @ x + b)" in source
    assert "W @ x_dot" in source and "return (out, out_dot)" in source


def test_jvp_of_a_dict_parameter_takes_and_gives_structures():
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    X = rng.normal(size=(5, 3))
    tangent = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    _, got = jvp(loss, wrt=0)((params, X), (tangent,))
    g = grad(loss)(params, X)
    assert got == pytest.approx(np.sum(g["W"] * tangent["W"]) + np.sum(g["b"] * tangent["b"]))


def test_jvp_errors_name_the_argument():
    with pytest.raises(AutodiffError, match="the tangent of x has shape \\(2,\\), but x has "
                                            "shape \\(3,\\)"):
        jvp(layer, wrt=0)((X3, W, B), (np.ones(2),))
    with pytest.raises(AutodiffError, match="tangents must be a tuple"):
        jvp(layer, wrt=0)((X3, W, B), np.ones(3))
    with pytest.raises(AutodiffError, match="1 tangents given for the 3 differentiated"):
        jvp(layer)((X3, W, B), (np.ones(3),))


def test_vjp_pulls_back_array_tuple_and_dict_outputs():
    value, pullback = vjp(layer, wrt=(0, 1))(X3, W, B)
    u = rng.normal(size=4)
    dx, dW = pullback(u)
    J = numeric_jacobian(lambda x: layer(x, W, B), X3)
    np.testing.assert_allclose(dx, u @ J, rtol=1e-6)
    assert dW.shape == W.shape
    x = rng.normal(size=3)
    value, pullback = vjp(pair)(x)
    cotangent = (np.ones(3), {"sum": 2.0, "sin": np.full(3, 3.0)})
    np.testing.assert_allclose(pullback(cotangent), 2.0 + 2.0 + 3.0 * np.cos(x))


def test_vjp_source_defines_a_pullback_closure():
    transform = vjp(layer)
    transform(X3, W, B)
    source = transform.source
    assert "def pullback(dout" in source and "return (out, pullback)" in source


def test_vjp_cotangent_of_the_wrong_shape_is_an_error():
    _, pullback = vjp(layer)(X3, W, B)
    with pytest.raises(AutodiffError, match="the cotangent has shape \\(3,\\), but the value "
                                            "has shape \\(4,\\)"):
        pullback(np.ones(3))


@pytest.mark.parametrize("n, m", [(3, 8), (8, 3)])
def test_jacobian_modes_agree_with_finite_differences_and_auto_picks_by_size(n, m):
    A = rng.normal(size=(m, n))

    def f(x):
        return np.sin(A @ x) * 2.0

    x = rng.normal(size=n)
    expected = numeric_jacobian(f, x)
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(jacobian(f, mode=mode)(x), expected, rtol=1e-6, atol=1e-9)
    auto = jacobian(f)
    auto(x)
    np.testing.assert_allclose(auto(x), expected, rtol=1e-6, atol=1e-9)
    assert auto.last_mode == ("forward" if 2 * n <= m else "reverse")


def test_jacobian_of_matrix_input_and_output_has_both_shapes():
    def f(M):
        return M @ M

    M = rng.normal(size=(2, 3, 3))[0]
    J = jacobian(f)(M)
    assert J.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(J, numeric_jacobian(f, M), rtol=1e-6, atol=1e-9)


def test_hessian_and_hvp_of_a_cubic():
    def f(x):
        return np.sum(x ** 3) + x[0] * x[1]

    x = np.array([1.0, 2.0, -1.0])
    H = hessian(f)(x)
    expected = np.diag(6 * x)
    expected[0, 1] = expected[1, 0] = 1.0
    np.testing.assert_allclose(H, expected)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(hvp(f)((x,), (v,)), expected @ v)
    assert "x_dot" in hessian(f).source


def test_grad_of_grad_gives_the_second_derivative():
    def f(x):
        return np.sin(x) * x ** 3

    x = 0.7
    expected = -np.sin(x) * x ** 3 + 6 * np.cos(x) * x ** 2 + 6 * np.sin(x) * x
    assert grad(grad(f))(x) == pytest.approx(expected, rel=1e-12)


def test_jacobian_of_a_dict_parameter_is_a_clear_error():
    with pytest.raises(AutodiffError, match="use jvp or vjp with dicts"):
        jacobian(loss)({"W": np.ones((3, 2)), "b": np.ones(2)}, np.ones((5, 3)))


def make_scaled(factor):
    def scaled(x):
        return factor * x
    return scaled


def test_calling_the_value_of_an_expression_is_a_located_error():
    def made_then_called(x):
        return np.sum(make_scaled(2.0)(x))

    def picked_then_called(x):
        functions = [np.sin, np.cos]
        return np.sum(functions[0](x))

    def transform_of_a_variable(x, k):
        return np.sum(grad(np.sin, wrt=k)(x))

    for f, text in ((made_then_called, "make_scaled(2.0)"), (picked_then_called, "functions[0]"),
                    (transform_of_a_variable, "grad(np.sin, wrt=k)")):
        with pytest.raises(AutodiffError) as raised:
            grad(f)(np.ones(2), 0) if f is transform_of_a_variable else grad(f)(np.ones(2))
        message = str(raised.value)
        assert f"calling the value of an expression ({text}) is not supported" in message
        assert "test_transforms_api.py" in message
        assert raised.value.text.strip().startswith("return np.sum(")
