"""Python that numeric code writes: comprehensions and generator expressions, dict
methods and containers on parameter structures, loops over them. Each function is
checked through grad, value_and_grad and vjp (``check_grads``: gradients against central
differences, the values beside them), jvp against a directional difference and, where
the arguments are arrays, hvp and reverse over reverse; the corpus entries in
``corpus_control`` go through every transform as well."""

import ast
import functools
import operator

import numpy as np
import pytest

from autodiff_ast import AutodiffSyntaxError, grad, jvp, value_and_grad
from autodiff_ast.structures import leaves, rebuild, structure_of
from autodiff_ast.testing import check_grads
from autodiff_ast.transforms import hvp, vjp

RNG = np.random.default_rng(7)
H = RNG.uniform(-1, 1, 3)
WS = [RNG.uniform(-1, 1, (3, 3)) for _ in range(3)]
P = {"W": RNG.uniform(-1, 1, (2, 3)), "b": RNG.uniform(-1, 1, 2)}
G = {"W": RNG.uniform(-1, 1, (2, 3)), "b": RNG.uniform(-1, 1, 2)}


# ----- comprehensions over parameter structures (written out as displays) ----------------

def layers_comprehension(Ws, h):
    return np.sum(np.stack([np.tanh(W @ h) for W in Ws]) ** 2)


def sgd_step_dict_comprehension(p, g):
    lr = 0.1
    new = {k: v - lr * g[k] for k, v in p.items()}
    return np.sum(np.tanh(new["W"]) ** 2) + np.sum(new["b"] ** 3)


def generator_over_zip_of_lists(ws, xs):
    return np.sum(sum(w * x for w, x in zip(ws, xs)) ** 2)


def comprehension_indexing_with_range_len(Ws, h):
    return sum(np.sum(np.sin(Ws[i] @ h) * (i + 1)) for i in range(len(Ws)) if i != 1)


def keys_comprehension_filtered(p):
    return sum(np.sum(p[k] ** 2) for k in p if k != "b") + np.sum(np.exp(p["b"]))


def filtered_by_a_string_method(p):
    return np.sum(np.stack([np.sum(p[k] ** 2) for k in p.keys() if k.startswith("W")]))  # noqa: SIM118 - .keys() is tested


def nested_structure_comprehension(Ws, h):
    return np.sum(np.array([[np.sum(W[r] * h) for r in range(2)] for W in Ws]) ** 2)


# ----- dict methods, containers and loops over structures --------------------------------

def dict_methods(p, bn_param):
    eps = bn_param.get("eps", 1e-5)
    scale = p.get("gamma", 2.0)  # a key the parameters do not have: the default
    total = sum(np.sum(v ** 2) for v in p.values()) * scale / (1.0 + eps)
    for k, v in p.items():
        total = total + np.sum(np.sin(v)) * (2.0 if k == "W" else 1.0)
    return total + len(p.keys()) + np.sum(p.get("b") ** 3)


def containers_of_structures(Ws, p, h):
    t = tuple(Ws)
    d = dict(a=t[0] @ h, b=t[1] @ h)  # noqa: C408 - dict(...) is what is tested
    q = dict(p)
    return np.sum(d["a"] * d["b"]) + np.sum(q["W"] @ h) + np.sum(list(Ws)[2])


def loops_over_a_list_of_layers(Ws, h):
    for i in range(len(Ws)):
        h = np.tanh(Ws[i] @ h)
    for i, W in enumerate(Ws):
        h = h + (i + 1) * W[0]
    for W, V in zip(Ws, Ws[1:] + Ws[:1]):
        h = np.sin(W @ h) + V[1]
    return np.sum(h ** 2)


STRUCTURED = [
    (layers_comprehension, (WS, H), (0, 1)),
    (sgd_step_dict_comprehension, (P, G), (0, 1)),
    (generator_over_zip_of_lists, ([H, 2 * H], [H + 1, H - 1]), (0, 1)),
    (comprehension_indexing_with_range_len, (WS, H), (0, 1)),
    (keys_comprehension_filtered, (P,), 0),
    (nested_structure_comprehension, (WS, H), (0, 1)),
    (filtered_by_a_string_method, ({"W1": WS[0], "W2": H, "b": H + 1.0},), 0),
    (dict_methods, (P, {"eps": 1e-3}), 0),
    (containers_of_structures, (WS, P, H), (0, 1, 2)),
]
IDS = [f.__name__ for f, _, _ in STRUCTURED]


@pytest.mark.parametrize("f, args, wrt", STRUCTURED, ids=IDS)
def test_gradients_and_values_match_finite_differences(f, args, wrt):
    check_grads(f, *args, wrt=wrt)


def _moved(args, indices, directions, step):
    moved = list(args)
    for i, d in zip(indices, directions):
        layout = structure_of(args[i])
        if layout is None:
            moved[i] = args[i] + step * d
        else:
            parts = [a + step * b for a, b in zip(leaves(args[i], layout), leaves(d, layout))]
            moved[i] = rebuild(layout, iter(parts))
    return moved


def _direction(x, rng):
    layout = structure_of(x)
    if layout is None:
        return rng.uniform(-1, 1, np.shape(x))
    return rebuild(layout, iter([rng.uniform(-1, 1, np.shape(a)) for a in leaves(x, layout)]))


@pytest.mark.parametrize("f, args, wrt", STRUCTURED, ids=IDS)
def test_jvp_matches_the_directional_derivative(f, args, wrt):
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    rng = np.random.default_rng(3)
    directions = [_direction(args[i], rng) for i in indices]
    value, tangent = jvp(f, wrt=indices)(args, directions)
    np.testing.assert_allclose(value, f(*args), rtol=1e-12)
    eps = 1e-6
    expected = (f(*_moved(args, indices, directions, eps))
                - f(*_moved(args, indices, directions, -eps))) / (2 * eps)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6)


def _loops(source):
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.For, ast.While))]


def test_a_loop_over_a_list_of_layers_is_unrolled_and_differentiated():
    check_grads(loops_over_a_list_of_layers, WS, H, wrt=(0, 1))
    source = grad(loops_over_a_list_of_layers, wrt=(0, 1))
    source(WS, H)
    assert not _loops(source.source)  # three loops over three layers, written out
    value, tangent = jvp(loops_over_a_list_of_layers, wrt=(1,))((WS, H), (H,))
    eps = 1e-6
    expected = (loops_over_a_list_of_layers(WS, H + eps * H)
                - loops_over_a_list_of_layers(WS, H - eps * H)) / (2 * eps)
    np.testing.assert_allclose(value, loops_over_a_list_of_layers(WS, H), rtol=1e-12)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-6)


def test_a_comprehension_over_a_structure_is_written_out_as_a_display():
    g = grad(layers_comprehension, wrt=(0, 1))
    g(WS, H)
    assert not _loops(g.source)
    g = grad(sgd_step_dict_comprehension, wrt=0)
    g(P, G)
    assert not _loops(g.source)


@pytest.mark.parametrize("f, args", [(layers_comprehension, (WS, H)),
                                     (nested_structure_comprehension, (WS, H))])
def test_second_order_through_a_structure_comprehension_in_the_array_argument(f, args):
    """hvp (forward over reverse) and reverse over reverse w.r.t. ``h`` (hvp takes arrays
    only), against differences of the gradient."""
    v = np.array([0.3, -0.2, 0.5])
    g = grad(f, wrt=1)
    eps = 1e-5
    expected = (g(args[0], H + eps * v) - g(args[0], H - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hvp(f, wrt=1)(args, (v,)), expected, rtol=1e-5, atol=1e-7)
    gradient, pullback = vjp(grad(f, wrt=1), wrt=1)(*args)
    np.testing.assert_allclose(gradient, g(*args), rtol=1e-12)
    np.testing.assert_allclose(pullback(v), expected, rtol=1e-5, atol=1e-7)


def test_a_dict_comprehension_whose_keys_are_not_known_is_a_located_error():
    def f(x, names):
        d = {name: x * 2.0 for name in names}
        return np.sum(d["a"])

    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f)(H, ["a"])
    assert "a dict comprehension is only supported where its items are known" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 1


def test_comprehension_variables_do_not_leak_into_the_function():
    def f(x):
        i = 2.0
        s = sum(x[i] * 3.0 for i in range(len(x)))
        return s * i

    check_grads(f, H)
    np.testing.assert_allclose(grad(f)(H), np.full(3, 6.0))


def product_of_layers(Ws, h):
    return np.sum(functools.reduce(operator.matmul, Ws) @ h)


def test_reduce_over_a_list_parameter_is_written_out():
    check_grads(product_of_layers, WS, H, wrt=(0, 1))
    g = grad(product_of_layers, wrt=0)
    g(WS, H)
    assert "Ws_0 @ Ws_1" in g.source.replace("(", "").replace(")", "")


def test_reduce_over_a_sequence_known_only_at_run_time_is_a_located_error():
    def f(x, n):
        return np.sum(functools.reduce(operator.add, [x * k for k in range(n)]))

    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f)(H, 3)
    assert "functools.reduce is supported over a list or tuple written out" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 1


# ----- outputs of one element -------------------------------------------------------------

W1 = np.array([[0.3, -0.5, 0.8]])


def one_element_vector(W, x):
    return np.tanh(W @ x)  # shape (1,)


def one_element_matrix(W, x):
    return np.sin(W @ x[:, None]) * np.sum(x)  # shape (1, 1)


@pytest.mark.parametrize("f", [one_element_vector, one_element_matrix])
def test_an_output_of_one_element_is_taken_as_a_scalar_by_grad(f):
    from autodiff_ast.testing import numerical_grad

    def scalar(W, x):
        return f(W, x).item()

    value, (dW, dx) = value_and_grad(f, wrt=(0, 1))(W1, H)
    np.testing.assert_array_equal(value, f(W1, H))  # the value as it is, of shape (1,)...
    assert np.shape(value) == np.shape(f(W1, H))
    np.testing.assert_allclose(dW, numerical_grad(scalar, [W1, H], 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dx, numerical_grad(scalar, [W1, H], 1), rtol=1e-6, atol=1e-8)
    g = grad(f, wrt=1)(W1, H)
    np.testing.assert_allclose(g, dx, rtol=1e-12)
    value, tangent = jvp(f, wrt=1)((W1, H), (H,))
    np.testing.assert_allclose(tangent, np.reshape(np.sum(dx * H), np.shape(value)), rtol=1e-10)
    # float32 inputs: the sweep is seeded in float32 (the pullback takes no seed)
    value32, dx32 = value_and_grad(f, wrt=1)(W1.astype(np.float32), H.astype(np.float32))
    assert value32.dtype == np.float32 and dx32.dtype == np.float32
    np.testing.assert_allclose(dx32, dx, rtol=1e-4, atol=1e-5)


def test_an_output_of_one_element_under_hvp_says_it_needs_a_scalar():
    from autodiff_ast import NonScalarOutputError

    with pytest.raises(NonScalarOutputError, match=r"one_element_vector returned an array of "
                                                   r"shape \(1,\), one element: grad and "
                                                   r"value_and_grad take it as a scalar, but "
                                                   r"hvp"):
        hvp(one_element_vector, wrt=1)((W1, H), (H,))


def test_an_output_of_two_elements_is_still_an_error():
    from autodiff_ast import NonScalarOutputError

    with pytest.raises(NonScalarOutputError, match=r"returned an array of shape \(2,\); grad"):
        grad(one_element_vector, wrt=1)(np.vstack([W1, W1]), H)


# ----- *args: a located error saying what to write ----------------------------------------

def variadic(*args):
    return np.sum(args[0] ** 2)


def test_differentiating_into_star_args_is_a_located_error_saying_what_to_write():
    from autodiff_ast import WrtError

    with pytest.raises(WrtError) as info:
        grad(variadic)(H)
    message = str(info.value)
    assert "*args and **kwargs parameters cannot be differentiated" in message
    assert "take the arrays as one list or tuple parameter (def f(xs): ... xs[0] ...)" in message
    assert f'line {variadic.__code__.co_firstlineno}' in message
    assert "def variadic(*args):" in message


def test_the_list_parameter_that_error_suggests_works():
    def packed(xs):
        return np.sum(xs[0] ** 2) + np.sum(xs[1] * xs[0])

    grads = check_grads(packed, [H, 2 * H])
    np.testing.assert_allclose(grads[0], 2 * H + 2 * H)
    np.testing.assert_allclose(grads[1], H)


def test_a_comprehension_under_a_condition_is_a_located_error():
    def f(x, n):
        return np.sum(x) if n == 0 else sum(x[i] ** 2 for i in range(n))

    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f)(H, 2)
    assert "a comprehension evaluated only under a condition" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 1


def test_a_comprehension_written_out_may_stand_under_a_condition():
    def f(Ws, h, use):
        return np.sum(h) if use else sum(np.sum(W @ h) for W in Ws)

    check_grads(f, WS, H, False, wrt=(0, 1))
    check_grads(f, WS, H, True, wrt=(0, 1))


@pytest.mark.parametrize("wrt", [0, 1])
def test_get_on_a_rebound_parameter_dict_is_not_read_by_the_old_keys(wrt):
    """``p`` rebound to a dict with a key the parameter has not: ``.get`` cannot be read
    by the parameter's keys (which would give the default): a located error."""
    def f(p, x):
        p = {"W": p["W"] * 2.0, "c": x}
        return np.sum(p.get("c", 0.0) * 3.0) + np.sum(p["W"])

    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f, wrt=wrt)(P, H)
    assert "a dict of arrays can be read by its keys" in str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + 2


def test_a_list_made_by_a_comprehension_may_be_appended_to():
    def f(x):
        ys = [x * k for k in range(1, 3)]
        ys.append(np.sin(x))
        return np.sum(np.stack(ys) ** 2)

    check_grads(f, H)


def local_dict_display(x):
    d = {"a": x, "b": 2.0 * x}
    total = 0.0
    for key, value in d.items():
        total = total + np.sum(np.sin(value)) * (1.0 if key == "a" else 3.0)
    return total + np.sum(d.get("c", 1.0) * x) + sum(np.sum(v ** 2) for v in d.values())


def test_dict_methods_and_loops_on_a_dict_display_assigned_once():
    check_grads(local_dict_display, H)
    value, tangent = jvp(local_dict_display)((H,), (H,))
    eps = 1e-6
    expected = (local_dict_display(H + eps * H) - local_dict_display(H - eps * H)) / (2 * eps)
    np.testing.assert_allclose(value, local_dict_display(H), rtol=1e-12)
    np.testing.assert_allclose(tangent, expected, rtol=1e-5, atol=1e-7)
    v = np.array([0.3, -0.2, 0.5])
    g = grad(local_dict_display)
    expected = (g(H + 1e-5 * v) - g(H - 1e-5 * v)) / 2e-5
    np.testing.assert_allclose(hvp(local_dict_display)((H,), (v,)), expected, rtol=1e-5,
                               atol=1e-7)
