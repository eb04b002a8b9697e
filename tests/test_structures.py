"""Parameters held in dicts, lists and tuples: gradients of the same structure, each
leaf checked against central finite differences."""

import numpy as np
import pytest

from autodiff_ast import AutodiffSyntaxError, grad, value_and_grad, vjp
from autodiff_ast.structures import leaves, rebuild, structure_of
from autodiff_ast.testing import numerical_grad


def mlp(params, X, y):
    h = np.tanh(X @ params["W1"] + params["b1"])
    out = h @ params["layers"][0] + params["layers"][1]
    return np.mean((out - y) ** 2)


def tuple_params(weights, x):
    W, b = weights
    return np.sum(np.sin(W @ x + b))


def nested(p, x):
    inner = p["inner"]
    return np.sum(inner["a"] * x) + p["scale"] * np.sum(inner["b"] ** 2)


def layer(params, x):
    return np.tanh(x @ params["W"] + params["b"])


def passes_structure_on(params, x):
    return np.sum(layer(params, x) ** 2)


def builds_a_dict(W, x):
    params = {"W": W * 2.0, "b": np.ones(W.shape[1])}
    return np.sum(layer(params, x))


rng = np.random.default_rng(0)
X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
CASES = [
    (mlp, ({"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4),
            "layers": [rng.normal(size=(4, 2)), 0.1]}, X, Y)),
    (tuple_params, ((rng.normal(size=(2, 3)), rng.normal(size=2)), rng.normal(size=3))),
    (nested, ({"inner": {"a": rng.normal(size=3), "b": rng.normal(size=2)}, "scale": 0.5},
              rng.normal(size=3))),
    (passes_structure_on, ({"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}, X)),
]


def _numerical_leaves(f, args):
    structure = structure_of(args[0])
    values = leaves(args[0], structure)
    found = []
    for i, value in enumerate(values):
        def of_leaf(v, i=i):
            changed = list(values)
            changed[i] = v
            return f(rebuild(structure, iter(changed)), *args[1:])
        found.append(numerical_grad(of_leaf, [value], 0))
    return found


@pytest.mark.parametrize("f, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_has_the_structure_and_matches_finite_differences(f, args):
    g = grad(f)(*args)
    structure = structure_of(args[0])
    assert structure_of(g) == structure
    for got, want, leaf in zip(leaves(g, structure), _numerical_leaves(f, args),
                               leaves(args[0], structure)):
        assert np.shape(got) == np.shape(leaf)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7)


def test_value_and_grad_and_float32_leaves():
    params = {"W1": rng.normal(size=(3, 4)).astype(np.float32), "b1": np.zeros(4, np.float32),
              "layers": [rng.normal(size=(4, 2)).astype(np.float32), 0.1]}
    value, g = value_and_grad(mlp)(params, X.astype(np.float32), Y.astype(np.float32))
    assert value == pytest.approx(mlp(params, X, Y), rel=1e-4)
    assert g["W1"].dtype == np.float32 and g["layers"][0].dtype == np.float32


def test_a_dict_built_in_the_function_and_passed_to_another():
    W = rng.normal(size=(3, 2))
    dW = grad(builds_a_dict)(W, X)
    np.testing.assert_allclose(dW, numerical_grad(builds_a_dict, [W, X], 0), rtol=1e-5)


def test_the_generated_code_names_each_leaf():
    params = CASES[0][1][0]
    g = grad(mlp)
    g(params, X, Y)
    source = g.source
    assert "params_W1 = params['W1']" in source
    assert "return {'W1': dparams_W1, 'b1': dparams_b1, 'layers': [dparams_layers_0" in source


def stacks_a_list(p, x):
    return np.sum(np.stack(p) * x)


def reads_a_missing_key(p):
    return np.sum(p["missing"])


def reads_by_a_variable_key(p, k):
    return np.sum(p[k])


def test_a_list_of_arrays_passed_to_a_numpy_function():
    p = [rng.normal(size=2), rng.normal(size=2)]
    g = grad(stacks_a_list)(p, 3.0)
    assert isinstance(g, list) and len(g) == 2
    for leaf in g:
        np.testing.assert_allclose(leaf, [3.0, 3.0])


@pytest.mark.parametrize("f, args, says", [
    (reads_a_missing_key, ({"a": np.ones(2)},), "the dict has no key 'missing'; its keys are 'a'"),
    (reads_by_a_variable_key, ({"a": np.ones(2)}, "a"),
     "a dict of arrays is read with a key known when the code is compiled")])
def test_a_dict_read_by_a_key_it_does_not_have_is_a_located_error(f, args, says):
    with pytest.raises(AutodiffSyntaxError) as caught:
        grad(f)(*args)
    message = str(caught.value)
    assert says in message
    assert "test_structures.py" in message


def penalty_over_keys(params):
    total = 0.0
    for key in ("W1", "W2"):
        total += np.sum(params[key] ** 2)
    for W in (params["W1"], params["b"]):
        total += np.sum(np.sin(W))
    return total


def test_loops_over_written_out_tuples_are_unrolled_for_dict_keys_and_arrays():
    params = {"W1": rng.normal(size=(2, 3)), "W2": rng.normal(size=3), "b": rng.normal(size=2)}
    g = grad(penalty_over_keys)(params)
    np.testing.assert_allclose(g["W1"], 2 * params["W1"] + np.cos(params["W1"]))
    np.testing.assert_allclose(g["W2"], 2 * params["W2"])
    np.testing.assert_allclose(g["b"], np.cos(params["b"]))


def _layer_loss(params, x):
    W, b = params
    return np.sum(np.tanh(x @ W + b) ** 2)


def test_reverse_over_reverse_through_a_list_of_differently_shaped_arrays():
    """``vjp(grad(f))`` differentiates the gradient code made for the call's structures
    (it was the code for an array, and np.zeros_like of the list failed)."""
    rng = np.random.default_rng(4)
    params = [rng.normal(size=(3, 2)) * 0.5, rng.normal(size=2) * 0.5]
    x = rng.normal(size=3)
    gradient, pullback = vjp(grad(_layer_loss))(params, x)
    want = grad(_layer_loss)(params, x)
    for got, expected in zip(gradient, want):
        np.testing.assert_allclose(got, expected, rtol=1e-14)
    vectors = [rng.normal(size=(3, 2)), rng.normal(size=2)]
    products = pullback(vectors)
    eps = 1e-6
    up = grad(_layer_loss)([p + eps * v for p, v in zip(params, vectors)], x)
    down = grad(_layer_loss)([p - eps * v for p, v in zip(params, vectors)], x)
    assert isinstance(products, list) and len(products) == 2
    for product, u, d in zip(products, up, down):
        np.testing.assert_allclose(product, (u - d) / (2 * eps), rtol=1e-5, atol=1e-7)
