"""check_finite=True: the generated code stops at the first NaN or infinity, naming the
user's line (with a caret), the generated statement, and whether the value was born
there or carried in; without the option the generated code is unchanged."""

import inspect

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import (NonFiniteError, grad, hessian, hvp, jacobian, jvp, value_and_grad,
                          vjp)
from autodiff_ast.testing import check_grads

DATA = np.array([1.0, np.nan])


def log_of_difference(x, y):
    d = x - y
    z = np.log(d)
    return np.sum(z * x)


def sqrt_times(x, y):
    return np.sum(np.sqrt(x) * y)


def log_sum(x, n):
    s = 0.0
    for i in range(n):
        s = s + np.log(x - i)
    return s


def reads_data(x):
    return np.sum(x * DATA)


def where(function, text):
    """``(file, line number, line)`` of the first line of ``function`` holding ``text``."""
    lines, first = inspect.getsourcelines(function)
    number = next(i for i, line in enumerate(lines) if text in line)
    return inspect.getsourcefile(function), first + number, lines[number]


def raised(call, *args):
    with pytest.raises(NonFiniteError) as info, np.errstate(all="ignore"):
        call(*args)
    return str(info.value)


def test_non_finite_error_is_an_autodiff_error():
    assert issubclass(NonFiniteError, autodiff_ast.AutodiffError)
    assert "NonFiniteError" in autodiff_ast.__all__


def test_log_of_a_negative_is_born_in_the_forward_sweep_at_the_users_line():
    message = raised(grad(log_of_difference, check_finite=True),
                     np.array([3.0, 1.0]), np.array([1.0, 2.0]))
    filename, line, _ = where(log_of_difference, "z = np.log(d)")
    assert message.startswith("grad of log_of_difference, in the forward sweep: "
                              "`z = np.log(d)` gave nan at index (1,) (1 of 2 elements not "
                              "finite): born here (its operand d was finite)")
    assert message.endswith(f'\n  File "{filename}", line {line}\n'
                            f'        z = np.log(d)\n'
                            f'        ^^^^^^^^^^^^^')


def test_zero_over_zero_is_born_in_the_adjoint_sweep():
    # d/dx sqrt(x) * y = y / (2 sqrt(x)): 0 / 0 at x = 0, y = 0, while the value is 0
    x, y = np.array([4.0, 0.0]), np.array([1.0, 0.0])
    assert sqrt_times(x, y) == 2.0
    message = raised(grad(sqrt_times, check_finite=True), x, y)
    filename, line, text = where(sqrt_times, "np.sqrt(x) * y")
    assert message.startswith("grad of sqrt_times, in the adjoint sweep: `dx = ")
    assert "gave nan at index (1,) (1 of 2 elements not finite): born here" in message
    assert f'File "{filename}", line {line}\n    {text.rstrip()}\n' in message
    with np.errstate(all="ignore"):  # without the check: the NaN comes back silently
        assert np.isnan(grad(sqrt_times)(x, y)[1])


def test_infinity_in_a_loop_names_the_loop_body_line():
    message = raised(grad(log_sum, check_finite=True), 2.5, 4)  # log(2.5 - 3) at i = 3
    filename, line, _ = where(log_sum, "s = s + np.log(x - i)")
    assert "in the forward sweep: `s = s + np.log(_t1)` gave nan: born here" in message
    assert f'File "{filename}", line {line}\n            s = s + np.log(x - i)\n' \
           f'            ^^^^^^^^^^^^^^^^^^^^^' in message
    message = raised(grad(log_sum, check_finite=True), 2.0, 3)  # log(0) = -inf at i = 2
    assert "gave -inf: born here" in message


def test_nan_carried_in_from_an_argument():
    message = raised(grad(log_of_difference, check_finite=True),
                     np.array([3.0, 4.0, np.nan]), np.array([1.0, 2.0, 0.0]))
    filename, line, _ = where(log_of_difference, "d = x - y")
    assert message.startswith("grad of log_of_difference, in the forward sweep: `d = x - y` "
                              "reads x (an argument), which is nan at index (2,) (1 of 3 "
                              "elements not finite): carried in, not born here")
    assert message.endswith(f'line {line}\n        d = x - y\n        ^^^^^^^^^')


def test_nan_carried_in_from_a_global_and_from_a_cotangent():
    message = raised(grad(reads_data, check_finite=True), np.ones(2))
    assert "reads DATA (a global), which is nan at index (1,)" in message
    value, pullback = vjp(sqrt_times, np.array([4.0, 1.0]), np.ones(2), check_finite=True)
    assert value == 3.0
    message = raised(pullback, np.float64(np.inf))
    assert message.startswith("vjp of sqrt_times, in the adjoint sweep: ")
    assert "reads dout (the cotangent), which is inf: carried in" in message


def dict_loss(params, x):
    h = np.tanh(x @ params["W"] + params["b"])
    return np.sum(h ** 2)


def reciprocals(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = 1.0 / x[i]
    return np.sum(y)


def test_nan_carried_in_by_a_leaf_of_a_dict_argument():
    params = {"W": np.ones((2, 2)), "b": np.array([0.0, np.inf])}
    message = raised(grad(dict_loss, check_finite=True), params, np.ones((1, 2)))
    filename, line, _ = where(dict_loss, "h = np.tanh")
    assert "reads params (an argument), which is inf at index (1,) (1 of 2 elements not " \
           "finite) in ['b']: carried in" in message
    assert f'File "{filename}", line {line}' in message


def test_infinity_written_into_an_array_is_born_at_the_write():
    message = raised(grad(reciprocals, check_finite=True), np.array([1.0, 0.0, 2.0]))
    filename, line, _ = where(reciprocals, "y[i] = 1.0 / x[i]")
    assert "in the forward sweep: `_t2 = 1.0 / _t1` gave inf: born here" in message
    assert f'File "{filename}", line {line}\n            y[i] = 1.0 / x[i]\n' in message
    gradient = grad(reciprocals, check_finite=True)(np.array([1.0, 4.0, 2.0]))
    np.testing.assert_allclose(gradient, -1 / np.array([1.0, 4.0, 2.0]) ** 2)
    value, _ = value_and_grad(reciprocals, check_finite=True)(np.array([1.0, 4.0, 2.0]))
    assert value == pytest.approx(1.75)


BAD = (np.array([3.0, 1.0]), np.array([1.0, 2.0]))  # log(1 - 2) in log_of_difference
CALLS = {
    "value_and_grad": lambda: value_and_grad(log_of_difference, check_finite=True)(*BAD),
    "jvp": lambda: jvp(log_of_difference, check_finite=True)(BAD, (np.ones(2), np.ones(2))),
    "vjp": lambda: vjp(log_of_difference, *BAD, check_finite=True),
    "hvp": lambda: hvp(log_of_difference, check_finite=True)(BAD, (np.ones(2),)),
    "hessian": lambda: hessian(log_of_difference, check_finite=True)(*BAD),
    "jacobian forward": lambda: jacobian(log_of_difference, mode="forward",
                                         check_finite=True)(*BAD),
    "jacobian reverse": lambda: jacobian(log_of_difference, mode="reverse",
                                         check_finite=True)(*BAD),
}


@pytest.mark.parametrize("name", CALLS)
def test_every_transform_checks(name):
    message = raised(CALLS[name])
    assert "gave nan at index (1,) (1 of 2 elements not finite): born here" in message
    if name in ("hvp", "hessian"):  # forward mode over the gradient code: its lines
        assert "jvp of grad_log_of_difference, in the tangent code" in message
        assert 'File "<autodiff_ast grad_log_of_difference' in message
    else:
        filename, line, _ = where(log_of_difference, "z = np.log(d)")
        assert "`z = np.log(d)` gave nan" in message
        assert f'File "{filename}", line {line}' in message


MAKERS = {
    "grad": lambda f, **k: grad(f, wrt=(0, 1), **k),
    "value_and_grad": lambda f, **k: value_and_grad(f, **k),
    "vjp": lambda f, **k: vjp(f, **k),
    "jvp": lambda f, **k: jvp(f, **k),
    "hvp": lambda f, **k: hvp(f, **k),
    "hessian": lambda f, **k: hessian(f, **k),
    "jacobian": lambda f, **k: jacobian(f, mode="reverse", **k),
}


@pytest.mark.parametrize("name", MAKERS)
@pytest.mark.parametrize("function", [log_of_difference, log_sum, sqrt_times])
def test_without_the_option_the_code_is_unchanged(name, function):
    make = MAKERS[name]
    plain = make(function).source
    assert make(function, check_finite=False).source == plain
    assert "check_finite" not in plain and "check_arguments" not in plain
    checked = make(function, check_finite=True).source
    assert "check_finite(" in checked
    added = ("check_finite(", "check_arguments(")
    # the checked code is the plain code with the checks' lines added, nothing else
    assert [line for line in checked.splitlines()
            if not line.lstrip().startswith(added)] == plain.splitlines()
    assert make(function).source == plain  # the checked code was cached apart


def test_checked_code_computes_what_the_plain_code_does():
    x, y = np.array([3.0, 4.0]), np.array([1.0, 2.0])
    expected = check_grads(log_of_difference, x, y, wrt=(0, 1))
    value, grads = value_and_grad(log_of_difference, wrt=(0, 1), check_finite=True)(x, y)
    assert value == pytest.approx(log_of_difference(x, y))
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want)
    primal, tangent = jvp(log_of_difference, check_finite=True)((x, y), (np.ones(2),
                                                                         np.zeros(2)))
    assert primal == pytest.approx(log_of_difference(x, y))
    assert tangent == pytest.approx(np.sum(expected[0]))
    primal, pullback = vjp(log_of_difference, x, y, wrt=(0, 1), check_finite=True)
    assert primal == pytest.approx(log_of_difference(x, y))
    for got, want in zip(pullback(1.0), expected):
        np.testing.assert_allclose(got, want)
    v = np.array([1.0, -2.0])
    np.testing.assert_allclose(hvp(log_of_difference, check_finite=True)((x, y), (v,)),
                               hessian(log_of_difference)(x, y) @ v)
    np.testing.assert_allclose(hessian(log_of_difference, check_finite=True)(x, y),
                               hessian(log_of_difference)(x, y))
    assert grad(log_sum, check_finite=True)(5.5, 4) == pytest.approx(
        sum(1 / (5.5 - i) for i in range(4)))


def x_log_x(x):
    return x * np.log(x)


def test_checked_gradient_code_can_be_differentiated_again():
    # d/dx (x log x) = log x + 1, d2/dx2 = 1 / x; the checks have a zero gradient
    first = grad(x_log_x, check_finite=True)
    assert first(2.0) == pytest.approx(np.log(2.0) + 1)
    second = grad(first)
    assert "check_finite(" in first.source
    assert second(2.0) == pytest.approx(0.5)
    value, tangent = jvp(first)((2.0,), (1.0,))
    assert (value, tangent) == (pytest.approx(np.log(2.0) + 1), pytest.approx(0.5))
    assert "born here" in raised(first, -1.0)


def _corpus():
    import corpus
    import corpus_calls
    import corpus_control
    return [entry for module in (corpus, corpus_control, corpus_calls) for entry in module.CORPUS]


CORPUS = _corpus()


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return np.array_equal(a, b, equal_nan=True) and np.shape(a) == np.shape(b)


@pytest.mark.parametrize("f, args, wrt", CORPUS,
                         ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CORPUS)])
def test_checked_code_of_every_corpus_function_gives_the_same_values(f, args, wrt):
    """Values and gradients (value_and_grad), primal and pullback (vjp) and primal and
    tangent (jvp) equal, bit for bit, those of the code without checks."""
    value, grads = value_and_grad(f, wrt=wrt, check_finite=True)(*args)
    plain_value, plain_grads = value_and_grad(f, wrt=wrt)(*args)
    assert _same(value, plain_value) and _same(grads, plain_grads)
    primal, pullback = vjp(f, *args, wrt=wrt, check_finite=True)
    plain_primal, plain_pullback = vjp(f, *args, wrt=wrt)
    assert _same(primal, plain_primal) and _same(pullback(1.0), plain_pullback(1.0))
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = tuple(np.ones_like(args[i], dtype=float) if isinstance(args[i], np.ndarray)
                     else 1.0 for i in indices)
    if all(not isinstance(args[i], (dict, list, tuple)) for i in indices):
        got = jvp(f, wrt=wrt, check_finite=True)(args, tangents)
        assert _same(got, jvp(f, wrt=wrt)(args, tangents))
