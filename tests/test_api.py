"""The public interface: grad and value_and_grad forms, what the returned object keeps of
the function, caching, readable and deterministic source, inspect/traceback support."""

import inspect
import linecache
import pdb
import sys

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import GradientFunction, api, grad, pipeline, value_and_grad
from sweep import function_from_source


def loss(W, b, X, y):
    """Mean squared error of a linear model."""
    scores = X @ W + b
    return np.mean((scores - y) ** 2)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(5, 3)),
            rng.normal(size=(5, 2)))


def expected_loss_grads(W, b, X, y):
    r = X @ W + b - y
    return 2 * X.T @ r / r.size, 2 * r.sum(axis=0) / r.size


def test_decorator_forms(data):
    dW, db = expected_loss_grads(*data)

    @grad
    def plain(W, b, X, y):
        return np.mean((X @ W + b - y) ** 2)

    @grad(wrt=(0, 1))
    def called(W, b, X, y):
        return np.mean((X @ W + b - y) ** 2)

    np.testing.assert_allclose(plain(*data), dW)
    got_W, got_b = called(*data)
    np.testing.assert_allclose(got_W, dW)
    np.testing.assert_allclose(got_b, db)
    np.testing.assert_allclose(grad(loss, wrt=1)(*data), db)
    np.testing.assert_allclose(grad(loss, (0, 1))(*data)[0], dW)


def test_single_wrt_gives_one_gradient_and_tuple_gives_tuple(data):
    assert isinstance(grad(loss, wrt=0)(*data), np.ndarray)
    assert isinstance(grad(loss, wrt=(0,))(*data), tuple)
    assert len(grad(loss, wrt=(0,))(*data)) == 1


def test_gradients_have_the_shapes_of_their_parameters(data):
    grads = grad(loss, wrt=(0, 1, 2, 3))(*data)
    assert [g.shape for g in grads] == [a.shape for a in data]


def test_value_and_grad_runs_the_forward_sweep_once(data):
    value, (dW, db) = value_and_grad(loss, wrt=(0, 1))(*data)
    assert value == pytest.approx(loss(*data))
    np.testing.assert_allclose(dW, expected_loss_grads(*data)[0])
    source = value_and_grad(loss, wrt=(0, 1)).source
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert sum("X @ W" in line for line in code) == 1
    assert "return (out, (dW, db))" in source


def test_keeps_name_doc_wrapped_and_signature():
    g = grad(loss)
    assert isinstance(g, GradientFunction)
    assert g.__name__ == "loss" and g.__doc__ == loss.__doc__
    assert g.__wrapped__ is loss
    assert str(inspect.signature(g)) == "(W, b, X, y)"


def test_keyword_arguments_and_defaults():
    def f(x, scale=2.0, *, shift=1.0):
        return np.sum(x * scale + shift)

    x = np.ones(3)
    np.testing.assert_allclose(grad(f)(x), 2.0)
    np.testing.assert_allclose(grad(f)(x, 3.0), 3.0)
    np.testing.assert_allclose(grad(f)(x=x, scale=4.0), 4.0)
    assert grad(f, wrt="scale")(x, scale=4.0) == 3.0
    assert grad(f, wrt="shift")(x, shift=0.0) == 3.0


def test_source_reads_like_a_hand_written_backward_pass():
    def f(x, y, z):
        q = x + y
        return q * z

    source = grad(f, wrt=(0, 1, 2)).source
    assert "    # return q * z\n    dq = dout * z\n    dz = dout * q\n" in source
    assert "    # q = x + y\n    dx = dq\n    dy = dq\n" in source


def test_inspect_getsource_of_the_generated_function(data):
    g = grad(loss, wrt=(0, 1))
    text = inspect.getsource(g.generated_function)
    assert text == g.source
    filename = g.generated_function.__code__.co_filename
    assert linecache.getlines(filename) == g.source.splitlines(True)


def test_pdb_can_list_the_generated_code(data, capsys):
    g = grad(loss)
    debugger = pdb.Pdb(nosigint=True)
    lines = inspect.getsourcelines(g.generated_function)[0]
    assert lines[0].startswith("def grad_loss(")
    assert debugger.canonic(g.generated_function.__code__.co_filename).startswith("<autodiff_ast")


def test_generation_is_cached_per_function_and_options(monkeypatch, data):
    calls = []
    original = pipeline.compile_gradient

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    def fresh(W, b, X, y):
        return np.sum((X @ W + b) ** 2)

    monkeypatch.setattr(pipeline, "compile_gradient", counting)
    for _ in range(3):
        grad(fresh)(*data)
        grad(fresh, wrt=0)(*data)
    assert len(calls) == 1
    grad(fresh, wrt=(0, 1))(*data)
    value_and_grad(fresh)(*data)
    assert len(calls) == 3


def test_generated_source_is_deterministic():
    def f(x, W):
        h = np.tanh(x @ W)
        return np.sum(h * h)

    first = pipeline.compile_gradient(f, (0, 1), single=False).source
    second = pipeline.compile_gradient(f, (0, 1), single=False).source
    assert first == second


def test_verbose_prints_every_pass(capsys):
    def f(x):
        return np.sum(np.exp(x))

    grad(f, verbose=True).source
    printed = capsys.readouterr().out
    for name, _ in pipeline.PASSES:
        assert f"# ---- after {name} ----" in printed


def test_gradient_returns_fresh_writable_arrays():
    def f(x, y):
        return np.sum(x) + np.sum(y)

    dx, dy = grad(f, wrt=(0, 1))(np.ones(3), np.ones(3))
    dx[0] = 5.0
    assert dy[0] == 1.0


def test_python_float_inputs_give_python_like_scalars():
    def f(x):
        return np.sum(x * np.ones(3))

    g = grad(f)(2.0)
    assert np.ndim(g) == 0 and not isinstance(g, np.ndarray)
    assert g == 3.0


def test_unused_parameter_gets_zeros_of_its_shape():
    def f(x, y):
        return np.sum(x * 2.0)

    dx, dy = grad(f, wrt=(0, 1))(np.ones(2), np.ones((2, 3)))
    np.testing.assert_array_equal(dy, np.zeros((2, 3)))
    np.testing.assert_array_equal(dx, [2.0, 2.0])


def test_a_custom_rule_without_readable_source_is_called_at_run_time():
    namespace = {}
    exec("def rule(g, ans, x1, x2):\n    return g * (x1 > x2), g * (x2 > x1)\n", namespace)
    f = function_from_source("f", "def f(x, y):\n    return np.sum(my_max(x, y))\n",
                             {"my_max": np.fmax})
    original = autodiff_ast.rules.RULES[np.fmax]
    autodiff_ast.adjoint(np.fmax)(namespace["rule"])
    try:
        dx, dy = grad(f, wrt=(0, 1))(np.array([1.0, 3.0]), 2.0)
    finally:
        autodiff_ast.rules.registry.unregister(np.fmax, original)
    np.testing.assert_array_equal(dx, [0.0, 1.0])
    assert dy == 1.0


def test_method_decorated_with_grad_binds_self():
    class Model:
        scale = 3.0

        @grad(wrt=1)
        def loss(self, x):
            return np.sum(x * 2.0)

    np.testing.assert_allclose(Model().loss(np.ones(2)), [2.0, 2.0])


def test_api_module_exports():
    assert set(autodiff_ast.__all__) >= {"grad", "value_and_grad", "adjoint",
                                         "nondifferentiable", "AutodiffError"}
    assert api.grad is grad


# ----- lambdas: found in their file, also inside displays and beside other lambdas ------

LAMBDAS = {
    "sin": lambda v: np.sum(np.sin(v)),
    "cube": lambda w: np.sum(w ** 3),
    "bad": lambda v: np.sum({t * 2.0 for t in v}),
}
PAIR = [lambda v: np.sum(v), lambda v: np.sum(2.0 * v)]
X3 = np.array([0.3, -0.7, 1.1])


def test_a_lambda_inside_a_display_of_several_lines_is_differentiated():
    np.testing.assert_allclose(grad(LAMBDAS["sin"])(X3), np.cos(X3))
    np.testing.assert_allclose(grad(LAMBDAS["cube"])(X3), 3 * X3 ** 2)
    assert "def grad_lambda_(w, dout=1.0):" in grad(LAMBDAS["cube"]).source


def test_an_error_in_a_lambda_inside_a_display_points_at_its_line():
    with pytest.raises(autodiff_ast.AutodiffSyntaxError) as raised:
        grad(LAMBDAS["bad"])(X3)
    error = raised.value
    assert error.msg.startswith("set comprehensions are not supported")
    assert error.text.strip() == '"bad": lambda v: np.sum({t * 2.0 for t in v}),'
    assert error.text[error.offset - 1:].startswith("{t * 2.0 for t in v}")


def test_a_lambda_written_inside_another_lambda():
    outer = lambda: grad(lambda v: np.sum(v ** 2))(X3)  # noqa: E731
    np.testing.assert_allclose(outer(), 2 * X3)


def test_two_lambdas_on_one_line_are_told_apart_by_position_where_python_records_it():
    if sys.version_info >= (3, 11):  # code objects know their columns
        np.testing.assert_allclose(grad(PAIR[0])(X3), np.ones(3))
        np.testing.assert_allclose(grad(PAIR[1])(X3), np.full(3, 2.0))
    else:
        with pytest.raises(autodiff_ast.SourceUnavailableError,
                           match="cannot tell which lambda of .*test_api.py, line"):
            grad(PAIR[1])(X3)
