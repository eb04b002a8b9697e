"""The public API is annotated (``py.typed`` ships), and the typed usage file that mypy
checks in CI (``tests/typing_check.py``) runs and gets what its annotations say."""

import inspect

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import testing
from autodiff_ast.transforms import Pullback

import typing_check

PUBLIC = [getattr(autodiff_ast, name) for name in autodiff_ast.__all__] + [
    testing.check_grads, testing.numerical_grad, Pullback]


def callables(item):
    """The functions a user calls: a function itself, or a class's constructor, call
    and properties."""
    if not inspect.isclass(item):
        return [item]
    found = []
    for name in ("__init__", "__call__", "source", "generated_function"):
        member = item.__dict__.get(name)
        if isinstance(member, property):
            member = member.fget
        if inspect.isfunction(member):
            found.append(member)
    return found


@pytest.mark.parametrize("function", [f for item in PUBLIC for f in callables(item)],
                         ids=lambda f: f.__qualname__)
def test_public_signatures_are_annotated(function):
    signature = inspect.signature(function)
    missing = [p.name for p in signature.parameters.values()
               if p.name != "self" and p.annotation is inspect.Parameter.empty]
    assert not missing, f"{function.__qualname__}: parameters without a type: {missing}"
    assert signature.return_annotation is not inspect.Signature.empty, \
        f"{function.__qualname__} has no return type"


def test_public_classes_are_covered():
    classes = [item for item in PUBLIC if inspect.isclass(item)
               and not issubclass(item, autodiff_ast.AutodiffError)]
    assert {c.__name__ for c in classes} >= {"GradientFunction", "JVPFunction",
                                             "VJPFunction", "HessianFunction"}
    for item in classes:
        assert callables(item), item


def test_py_typed_ships():
    import pathlib
    package = pathlib.Path(autodiff_ast.__file__).parent
    assert (package / "py.typed").is_file()
    pyproject = (package.parent / "pyproject.toml").read_text()
    assert 'autodiff_ast = ["py.typed"]' in pyproject


def test_typed_usage_runs_and_gets_its_declared_values():
    got = typing_check.main()
    w, x = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    expected = testing.numerical_grad(typing_check.loss, [w, x], 0)
    np.testing.assert_allclose(got["gradient"], expected, rtol=1e-6)
    np.testing.assert_allclose(got["checked"], expected, rtol=1e-6)
    np.testing.assert_allclose(got["numerical"], expected)
    value, gradient = got["valued"]
    assert value == pytest.approx(typing_check.loss(w, x))
    np.testing.assert_allclose(gradient, expected, rtol=1e-6)
    assert got["primal"] == pytest.approx(typing_check.loss(w, x))
    np.testing.assert_allclose(got["pulled"], expected, rtol=1e-6)
    value, tangent = got["jvp"]
    assert value == pytest.approx(typing_check.loss(w, x))
    assert tangent == pytest.approx(np.sum(expected))
    np.testing.assert_allclose(got["jacobian"], np.diag(1 - np.tanh(w) ** 2))
    assert got["hessian"].shape == (2, 2)
    np.testing.assert_allclose(got["hvp"], got["hessian"] @ w)
    np.testing.assert_array_equal(got["stopped"], w)
    assert "grad_loss" in got["text"] and "import numpy as np" in got["text"]
    assert "no parameter named 'nothing'" in got["message"]
