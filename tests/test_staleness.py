"""A gradient is always the gradient of the code that runs now: cached code is generated
again when a helper it inlined, a default it folded in, the function's own code or a name
it resolved changes; the source read from disk must be the code that runs; a decorator's
wrapper is what is differentiated; transforms pickle and copy."""

import copy
import functools
import sys
import itertools
import linecache
import multiprocessing
import os
import pickle
import textwrap
import unittest.mock

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import (AutodiffSyntaxError, SourceUnavailableError, grad, hessian, hvp,
                          jacobian, jvp, pipeline, value_and_grad, vjp)
from autodiff_ast.testing import check_grads
from sweep import load_file

import staleness_helpers

_CELLS = itertools.count(1)

MODULE = """
import numpy as np

SCALE = 2.0


def act(x):
    return x * x


def scaled(x, k=2.0):
    return x * k


def keyword_scaled(x, *, k=2.0):
    return x * k


def f(x):
    return act(x) * SCALE


def with_default(x):
    return scaled(x)


def with_keyword_default(x):
    return keyword_scaled(x)


def absolute(x):
    return abs(x) * x
"""


def write_module(tmp_path, text, name="user_module"):
    """Write ``text`` to ``tmp_path/name.py`` and import it."""
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    return load_file(path)


def define_in(module, text):
    """Run ``text`` in ``module``'s namespace as a notebook cell does: its source kept in
    ``linecache`` under a name of its own; give what the last ``def`` defined."""
    filename = f"<cell {next(_CELLS)}>"
    text = textwrap.dedent(text)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    exec(compile(text, filename, "exec"), module.__dict__)
    return module.__dict__[text.split("def ")[-1].split("(")[0]]


@pytest.fixture
def module(tmp_path):
    return write_module(tmp_path, MODULE)


@pytest.fixture
def compiles(monkeypatch):
    """The functions compiled from now on (pipeline.compile_gradient's calls)."""
    calls = []
    original = pipeline.compile_gradient

    def counting(function, *args, **kwargs):
        calls.append(function)
        return original(function, *args, **kwargs)

    monkeypatch.setattr(pipeline, "compile_gradient", counting)
    return calls


def cube(x):
    return x * x * x


# ----- stale code --------------------------------------------------------------------


def test_a_helper_patched_with_mock_is_differentiated(module):
    g, vg = grad(module.f), value_and_grad(module.f)
    assert g(3.0) == 12.0 and vg(3.0) == (18.0, 12.0)
    with unittest.mock.patch.object(module, "act", cube):
        assert g(3.0) == 54.0  # 3 x^2 * SCALE
        assert vg(3.0) == (54.0, 54.0)
        assert grad(module.f)(3.0) == 54.0  # a new grad(f): not the cached code of act
        check_grads(module.f, 1.5)
    assert g(3.0) == 12.0 and grad(module.f)(3.0) == 12.0


def test_a_helper_redefined_in_a_notebook_cell_is_differentiated(module):
    g = grad(module.f)
    assert g(3.0) == 12.0
    define_in(module, """
        def act(x):
            return np.sin(x)
    """)
    np.testing.assert_allclose(g(0.5), 2.0 * np.cos(0.5))
    check_grads(module.f, 0.5)
    assert value_and_grad(module.f)(0.5) == (2.0 * np.sin(0.5), 2.0 * np.cos(0.5))


def test_a_helper_rebound_in_a_closure_cell_is_differentiated():
    def helper(x):
        return x * x

    def f(x):
        return helper(x) * 2.0

    g = grad(f)
    assert g(3.0) == 12.0
    helper = cube  # noqa: F811, F841 (rebinds the cell f reads)
    assert g(3.0) == 54.0 and grad(f)(3.0) == 54.0
    check_grads(f, 1.5)


def test_the_function_s_own_code_replaced():
    def f(x):
        return x * x

    g = grad(f)
    assert g(3.0) == 6.0
    f.__code__ = cube.__code__
    assert g(3.0) == 27.0 and value_and_grad(f)(3.0) == (27.0, 27.0)


def test_defaults_folded_in_are_checked(module):
    g, gk, gf = grad(module.with_default), grad(module.with_keyword_default), grad(module.scaled)
    assert g(1.0) == 2.0 and gk(1.0) == 2.0 and gf(1.0) == 2.0
    module.scaled.__defaults__ = (5.0,)
    assert g(1.0) == 5.0 and gf(1.0) == 5.0
    assert value_and_grad(module.with_default)(1.0) == (5.0, 5.0)
    module.keyword_scaled.__kwdefaults__["k"] = 7.0  # changed in place
    assert gk(1.0) == 7.0 and value_and_grad(module.with_keyword_default)(1.0) == (7.0, 7.0)


def test_global_data_is_read_at_each_call_without_compiling_again(module, compiles):
    g = grad(module.f)
    assert g(3.0) == 12.0
    for scale in (3.0, 4.0, np.float64(5.0)):
        module.SCALE = scale
        assert g(3.0) == 6.0 * scale
        assert value_and_grad(module.f)(3.0) == (9.0 * scale, 6.0 * scale)
    assert compiles == [module.f, module.f]  # grad's and value_and_grad's, once each


def test_unchanged_code_is_compiled_once(module, compiles):
    for _ in range(3):
        assert grad(module.f)(3.0) == 12.0
    assert compiles == [module.f]
    module.act = module.act  # the same function: nothing to do
    assert grad(module.f)(3.0) == 12.0 and len(compiles) == 1
    module.act = cube
    assert grad(module.f)(3.0) == 54.0 and len(compiles) == 2


def test_a_builtin_shadowed_by_a_global(module):
    g = grad(module.absolute)
    assert g(-3.0) == 6.0  # d/dx |x| x = 2|x|
    module.abs = cube
    assert g(-3.0) == -108.0  # d/dx x^4 = 4 x^3
    del module.abs
    assert g(-3.0) == 6.0


def test_a_helper_reached_as_a_module_attribute(tmp_path):
    helpers = write_module(tmp_path, """
        def act(x):
            return x * x
    """, name="helpers_for_attribute")
    caller = write_module(tmp_path, """
        def f(x):
            return helpers.act(x) + x
    """, name="caller_of_attribute")
    caller.helpers = helpers
    g = grad(caller.f)
    assert g(3.0) == 7.0
    with unittest.mock.patch.object(helpers, "act", cube):
        assert g(3.0) == 28.0
    assert g(3.0) == 7.0


def test_transforms_of_transforms_follow_the_change(module):
    second = grad(grad(module.f))
    assert second(3.0) == 4.0
    jv, vj, hv = jvp(module.f), vjp(module.f), hvp(module.f)
    assert jv((3.0,), (1.0,)) == (18.0, 12.0)
    module.act = cube
    assert second(3.0) == 36.0  # 6 x * SCALE
    assert jv((3.0,), (1.0,)) == (54.0, 54.0)
    value, pullback = vj(3.0)
    assert value == 54.0 and pullback(1.0) == 54.0
    assert hv((3.0,), (1.0,)) == 36.0
    assert hessian(module.f)(3.0) == 36.0
    np.testing.assert_allclose(jacobian(module.f)(np.array([1.0, 2.0])), np.diag([6.0, 24.0]))


def test_a_rule_registered_later_reaches_a_transform_of_a_transform(module):
    second = grad(grad(module.f))
    assert second(3.0) == 4.0  # (x^2 * SCALE)'' = 2 * SCALE

    def act_adjoint(g, ans, x):  # as if act were x^3: the rule, not act's body, is used
        return g * 3.0 * x * x

    autodiff_ast.adjoint(module.act)(act_adjoint)
    try:
        assert second(3.0) == 36.0  # (3 x^2 * SCALE)' = 6 x * SCALE
    finally:
        autodiff_ast.rules.registry.unregister(module.act)
    assert second(3.0) == 4.0


def test_a_grad_made_inside_the_function_follows_its_helper(module):
    text = """
        def outer(x):
            return grad(act)(x) * x
    """
    module.grad = grad
    outer = define_in(module, text)
    g = grad(outer)
    assert g(3.0) == 12.0  # d/dx 2x^2
    module.act = cube
    assert g(3.0) == 81.0  # d/dx 3x^3 = 9 x^2
    assert value_and_grad(outer)(3.0) == (81.0, 81.0)


# ----- decorators --------------------------------------------------------------------


def doubling(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return 2.0 * fn(*args)
    return wrapper


def doubling_by_name(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)
    return wrapper


def test_a_decorator_that_forwards_star_args_is_an_error():
    @doubling
    def f(x):
        return x * x

    assert f(3.0) == 18.0
    with pytest.raises(SourceUnavailableError, match=r"wrapped by a decorator.*\*args.*"
                                                     r"f\.__wrapped__"):
        grad(f)
    assert grad(f.__wrapped__)(3.0) == 6.0  # the undecorated function, asked for


def test_a_decorated_helper_that_forwards_star_args_is_an_error():
    @doubling
    def helper(x):
        return x * x

    def f(x):
        return helper(x) + x

    with pytest.raises(SourceUnavailableError, match="helper: it is wrapped by a decorator"):
        grad(f)(3.0)


def test_a_decorator_s_wrapper_is_differentiated():
    @doubling_by_name
    def f(x):
        return x * x

    def g(x):
        return f(x) + x

    assert value_and_grad(f)(3.0) == (18.0, 12.0)  # not 6.0, the inner function's
    assert value_and_grad(g)(3.0) == (21.0, 13.0)
    check_grads(f, 1.5)
    check_grads(g, 1.5)


def logged(fn):
    @functools.wraps(fn)
    def wrapper(x):
        try:
            return fn(x)
        except FloatingPointError:
            return 0.0
    return wrapper


def test_a_wrapper_that_cannot_be_differentiated_says_it_is_a_decorator_s():
    @logged
    def f(x):
        return x * x

    with pytest.raises(AutodiffSyntaxError, match="try statements are not supported") as error:
        grad(f)(2.0)
    if sys.version_info >= (3, 11):  # exception notes (add_note) are Python 3.11's
        assert any("f is wrapped by a decorator" in note and "f.__wrapped__" in note
                   for note in error.value.__notes__)


def with_default(k):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(x, scale=k):
            return fn(x, scale)
        return wrapper
    return decorate


def test_a_wrapper_s_own_defaults_are_used():
    @with_default(3.0)
    def scaled(x, scale=2.0):
        return x * x * scale

    def f(x):
        return scaled(x) + x

    assert value_and_grad(scaled)(2.0) == (12.0, 12.0)
    assert value_and_grad(f)(2.0) == (14.0, 13.0)


class Wrapping:
    def __init__(self, fn):
        functools.update_wrapper(self, fn)

    def __call__(self, x):
        return 2.0 * self.__wrapped__(x)


def test_a_callable_object_made_by_a_decorator_is_an_error_naming_what_it_wraps():
    @Wrapping
    def f(x):
        return x * x

    with pytest.raises(SourceUnavailableError, match=r"callable object.*It wraps .*f \(its "
                                                     r"__wrapped__\)"):
        grad(f)


def test_value_preserving_caches_are_followed():
    @functools.lru_cache(maxsize=None)
    def f(x):
        return x * x

    @functools.cache
    def h(x):
        return x * x * x

    def uses_both(x):
        return f(x) + h(x)

    assert value_and_grad(f)(3.0) == (9.0, 6.0)
    assert value_and_grad(h)(2.0) == (8.0, 12.0)
    assert value_and_grad(uses_both)(2.0) == (12.0, 16.0)


def test_transforms_of_transforms_are_not_taken_for_decorators():
    def f(x):
        return x ** 3

    assert grad(grad(f))(2.0) == 12.0
    assert grad(grad(grad(f)))(2.0) == 6.0
    assert hessian(grad(f))(2.0) == 6.0


# ----- source on disk ----------------------------------------------------------------


def rewrite(path, text):
    """Change the file (and its time stamp, so that ``linecache`` sees the change)."""
    stat = path.stat()
    path.write_text(textwrap.dedent(text))
    os.utime(path, (stat.st_atime + 10, stat.st_mtime + 10))


def test_a_function_whose_file_changed_after_import_is_an_error(tmp_path):
    module = write_module(tmp_path, """
        def f(x):
            return x * x
    """, name="changed_body")
    rewrite(tmp_path / "changed_body.py", """
        def f(x):
            return x * x * x
    """)
    with pytest.raises(SourceUnavailableError, match=r"the source of f in .*changed_body\.py "
                                                     r"\(line 2\) does not match the loaded "
                                                     r"function.*[Rr]eload"):
        grad(module.f)(2.0)
    reloaded = load_file(tmp_path / "changed_body.py")
    assert value_and_grad(reloaded.f)(2.0) == (8.0, 12.0)


def test_another_def_now_on_the_function_s_line_is_an_error(tmp_path):
    module = write_module(tmp_path, """
        def f(x):
            return x * x
    """, name="other_def")
    rewrite(tmp_path / "other_def.py", """
        def g(x):
            return x * x
    """)
    with pytest.raises(SourceUnavailableError, match="does not match the loaded function"):
        grad(module.f)(2.0)


def test_an_inlined_helper_whose_file_changed_is_an_error(tmp_path):
    helpers = write_module(tmp_path, """
        def act(x):
            return x * x
    """, name="changed_helper")

    def f(x):
        return helpers.act(x) + x

    rewrite(tmp_path / "changed_helper.py", """
        def act(x):
            return x + x
    """)
    with pytest.raises(SourceUnavailableError, match=r"act in .*changed_helper\.py"):
        grad(f)(2.0)


def test_lines_added_below_the_function_change_nothing(tmp_path):
    module = write_module(tmp_path, """
        def f(x):
            return x * x
    """, name="grown")
    rewrite(tmp_path / "grown.py", """
        def f(x):
            return x * x


        def g(x):
            return x
    """)
    assert value_and_grad(module.f)(2.0) == (4.0, 4.0)


def test_stale_text_in_linecache_is_not_taken_for_the_code(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.dont_write_bytecode", True)
    path = tmp_path / "same_size.py"
    first = write_module(tmp_path, "def f(x):\n    return x * 2.0\n", name="same_size")
    assert grad(first.f)(1.0) == 2.0  # linecache now holds this text
    stat = path.stat()
    path.write_text("def f(x):\n    return x * 3.0\n")  # the same size and time stamp
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = load_file(path)
    assert second.f(1.0) == 3.0
    with pytest.raises(SourceUnavailableError, match="does not match the loaded function"):
        grad(second.f)(1.0)


def test_methods_and_closures_from_files_are_read(tmp_path):
    module = write_module(tmp_path, """
        import numpy as np


        class Model:
            def __init__(self):
                self.scale = 3.0

            def loss(self, x):
                return np.sum(x * x) * self.scale


        def make(c):
            def inner(x):
                return np.sum(x) * c
            return inner
    """, name="methods_and_closures")
    model = module.Model()
    value, dx = value_and_grad(module.Model.loss, wrt=1)(model, np.array([1.0, 2.0]))
    assert value == 15.0
    np.testing.assert_array_equal(dx, [6.0, 12.0])
    assert value_and_grad(module.make(4.0))(np.array([1.0, 2.0]))[1].tolist() == [4.0, 4.0]


# ----- pickling and copying ----------------------------------------------------------


def same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for u, v in zip(a, b):
            same(u, v)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("copier", [lambda t: pickle.loads(pickle.dumps(t)), copy.deepcopy,
                                    copy.copy], ids=["pickle", "deepcopy", "copy"])
def test_transforms_pickle_and_copy_before_and_after_a_call(copier):
    x = np.array([0.3, -0.7])
    made = [
        (grad(staleness_helpers.loss), (x, 2.0)),
        (value_and_grad(staleness_helpers.loss, wrt=(0, 1)), (x, 2.0)),
        (grad(grad(staleness_helpers.cubic_scalar)), (1.5,)),
        (jacobian(staleness_helpers.vector_field), (x,)),
        (hessian(staleness_helpers.cubic), (x,)),
        (hvp(staleness_helpers.cubic), ((x,), (np.ones(2),))),
        (jvp(staleness_helpers.cubic), ((x,), (np.ones(2),))),
    ]
    for transform, args in made:
        fresh = copier(transform)  # before any call
        expected = transform(*args)
        same(fresh(*args), expected)
        again = copier(transform)  # after one: its generated code is not copied
        assert type(again) is type(transform)
        same(again(*args), expected)
    vj = vjp(staleness_helpers.loss)
    value, pullback = vj(x, 2.0)
    value2, pullback2 = copier(vj)(x, 2.0)
    assert value2 == value
    same(pullback2(1.0), pullback(1.0))


def test_a_gradient_pickled_after_a_call_is_the_gradient():
    x = np.array([0.3, -0.7])
    g = grad(staleness_helpers.loss)
    g(x, 2.0)
    g = pickle.loads(pickle.dumps(g))
    check_grads(staleness_helpers.loss, x, 2.0)
    np.testing.assert_allclose(g(x, 2.0), 4.0 * np.tanh(2.0 * x) * (1 - np.tanh(2.0 * x) ** 2))


def test_a_gradient_maps_over_a_process_pool():
    g = grad(staleness_helpers.loss)
    inputs = [np.array([0.1 * k, -0.2 * k]) for k in range(6)]
    expected = [g(x) for x in inputs]  # called (and compiled) before it is sent
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        found = pool.map(g, inputs)
    for a, b in zip(found, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)
