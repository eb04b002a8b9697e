"""The transforms' interfaces: jvp, vjp, jacobian, hessian and hvp with their argument
conventions, structures, generated source and error messages."""

import inspect

import numpy as np
import pytest

from autodiff_ast import AutodiffError, grad, hessian, hvp, jacobian, jvp, vjp
from autodiff_ast.testing import check_grads

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
    value, got = jvp(loss, wrt=0)((params, X), (tangent,))
    assert value == pytest.approx(loss(params, X), rel=1e-13)
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


# ----- jacobian and hessian called inside differentiated functions -----------------------

def energy(x, W):
    return np.sum(np.tanh(W @ x)) + 0.25 * np.sum(x ** 4)


def model(x, W):
    return np.tanh(W @ x) * x[0]


HESSIAN_OF_ENERGY = hessian(energy)
BLOCKS_OF_ENERGY = hessian(energy, wrt=(0, 1))
JACOBIANS_OF_MODEL = jacobian(model, wrt=(0, 1))
JACOBIAN_OF_SIN = jacobian(np.sin)


def laplacian(x, W):
    return np.trace(HESSIAN_OF_ENERGY(x, W))


def uses_hessian_blocks(x, W):
    (hxx, hxW), (hWx, hWW) = BLOCKS_OF_ENERGY(x, W)
    return np.sum(hxx) + np.sum(hxW ** 2) + 0.5 * np.sum(hWx) + np.sum(np.sin(hWW))


def uses_jacobians(x, W):
    jx, jW = JACOBIANS_OF_MODEL(x, W)
    return np.sum(jx ** 2) + np.sum(jW * 0.3)


def uses_a_scalar_jacobian(t):
    return JACOBIAN_OF_SIN(t) * t


XW = (rng.normal(size=3), rng.normal(size=(2, 3)))


def test_a_hessian_called_inside_is_differentiated_third_derivatives():
    x, W = XW
    check_grads(laplacian, x, W, wrt=(0, 1))
    # d/dx_k trace(H) = sum_i d3 f / dx_i dx_i dx_k, by differences of the Hessian
    eps = 1e-5
    expected = [(np.trace(hessian(energy)(x + eps * e, W))
                 - np.trace(hessian(energy)(x - eps * e, W))) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(grad(laplacian)(x, W), expected, rtol=1e-6, atol=1e-8)
    check_grads(uses_hessian_blocks, x, W, wrt=(0, 1))


def test_jacobians_called_inside_are_differentiated_both_ways():
    x, W = XW
    check_grads(uses_jacobians, x, W, wrt=(0, 1))
    value, tangent = jvp(uses_jacobians)((x, W), (np.ones(3), np.ones((2, 3))))
    eps = 1e-6
    expected = (uses_jacobians(x + eps, W + eps) - uses_jacobians(x - eps, W - eps)) / (2 * eps)
    assert value == pytest.approx(uses_jacobians(x, W), rel=1e-12)
    assert tangent == pytest.approx(expected, rel=1e-6)
    check_grads(uses_a_scalar_jacobian, 0.7)
    assert hessian(uses_a_scalar_jacobian)(0.7) == pytest.approx(
        -2 * np.sin(0.7) - 0.7 * np.cos(0.7), rel=1e-12)


def test_jacobian_of_a_jacobian_is_the_tensor_of_third_derivatives():
    def f(x):
        return np.sum(np.sin(x) ** 3) + x[0] * x[1] ** 2

    x = np.array([0.3, -0.7, 1.1])
    got = jacobian(jacobian(grad(f)))(x)
    eps = 1e-5
    expected = np.stack([(hessian(f)(x + eps * e) - hessian(f)(x - eps * e)) / (2 * eps)
                         for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    assert "def hessian_energy(x, W):" in inspect.getsource(
        HESSIAN_OF_ENERGY.code_for_transforms())


def test_a_hessian_and_jacobian_of_a_scalar_are_scalars():
    def f(t):
        return np.sin(t) * t

    assert np.shape(hessian(f)(0.7)) == ()
    assert np.shape(jacobian(f, mode="forward")(0.7)) == ()
    assert np.shape(jacobian(f, mode="reverse")(0.7)) == ()


JVP_OF_ENERGY = jvp(energy)
JVP_OF_ENERGY_IN_X = jvp(energy, wrt=0)
HVP_OF_ENERGY = hvp(energy)


def uses_jvp(x, W):
    value, tangent = JVP_OF_ENERGY((x, W), (np.ones(3), np.ones((2, 3))))
    return value * tangent


def uses_jvp_in_x(x, W):
    _, tangent = JVP_OF_ENERGY_IN_X((x, W), (np.ones(3),))
    return tangent ** 2


def uses_hvp(x, W):
    return np.sum(HVP_OF_ENERGY((x, W), (np.ones(3),)) ** 2)


@pytest.mark.parametrize("f", [uses_jvp, uses_jvp_in_x, uses_hvp])
def test_jvp_and_hvp_called_inside_are_differentiated(f):
    x, W = XW
    check_grads(f, x, W, wrt=(0, 1))
    H = hessian(f)(x, W)
    eps = 1e-5
    expected = np.stack([(grad(f)(x + eps * e, W) - grad(f)(x - eps * e, W)) / (2 * eps)
                         for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(H, expected, rtol=1e-5, atol=1e-7)
