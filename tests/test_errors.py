"""Bad input gets a clear error: located at the user's line with a caret, naming the
construct or function, and saying what to do instead."""

import traceback

import numpy as np
import pytest

import autodiff_ast
from autodiff_ast import (AutodiffError, AutodiffSyntaxError, MissingRuleError,
                          NonScalarOutputError, SourceUnavailableError, WrtError, grad)
from sweep import function_from_source

THIS_FILE = __file__


def unsupported(kind, body):
    return function_from_source("f", f"def f(x):\n{body}\n", {"kind": kind})


# Each unsupported construct, the line and column (1-based) it is at, and words the
# message must contain.
UNSUPPORTED = [
    ("    for i in range(3):\n        x = x * 2\n    else:\n        x = 0.0\n    return x", 2, 5,
     "for ... else is not supported"),
    ("    while x > 0:\n        x = x - 1\n    else:\n        x = 0.0\n    return x", 2, 5,
     "while ... else is not supported"),
    ("    with open('f') as h:\n        pass\n    return x", 2, 5, "with statements"),
    ("    try:\n        y = x\n    except Exception:\n        y = 0\n    return y", 2, 5,
     "try statements"),
    ("    yield x", 2, 5, "generators"),
    ("    return (lambda v: v * 2)(x)", 2, 13, "a lambda is only supported assigned"),
    ("    global counter\n    return x", 2, 5, "global statements"),
    ("    return sum({v * 2 for v in x})", 2, 16, "set comprehensions"),
    ("    while sum([v for v in x]) > 0:\n        x = x - 1\n    return x", 2, 15,
     "a comprehension is not supported in a while loop's condition"),
    ("    g = lambda v: sum([t * 2 for t in v])\n    return g(x)", 2, 23,
     "a comprehension is not supported in a lambda"),
    ("    return sum([v for v.w in x])", 2, 23, "a comprehension's target must be a name"),
    ("    x[0] = 1.0\n    return x", 2, 5, "writing into the argument 'x' would change the "
                                          "caller's array"),
    ("    y = x\n    y[0] = 1.0\n    return y", 3, 5, "'y' may share memory"),
    ("    y = np.zeros(2)\n    z = y\n    y[0] = x\n    return z[0]", 4, 5,
     "'y' is also held by another name"),
    ("    y = x[1:]\n    y[0] = 1.0\n    return y", 3, 5, "'y' may share memory"),
    ("    x.append(1.0)\n    return x", 2, 5, "writing into the argument 'x'"),
    ("    def g(v):\n        return g(v - 1) if v > 0 else v\n    return g(x)", 3, 16,
     "g calls itself (recursion)"),
    ("    x.sort()\n    return x", 2, 5, "changes the array in place"),
    ("    return x.frobnicate()", 2, 12, "the method .frobnicate()"),
    ("    if x > 0:\n        return x\n    y = 2 * x", 4, 5, "can end without returning a value"),
    ("    return undefined_name * x", 2, 12, "name 'undefined_name' is not defined"),
]


def helper(v):
    return v * 2


@pytest.mark.parametrize("body, line, column, words", UNSUPPORTED,
                         ids=[u[3] for u in UNSUPPORTED])
def test_unsupported_syntax_is_located(body, line, column, words):
    f = function_from_source("f", f"def f(x):\n{body}\n", {"helper": helper, "np": np})
    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f)(1.0)
    error = info.value
    assert isinstance(error, SyntaxError) and isinstance(error, AutodiffError)
    assert words in error.msg
    assert error.filename == f.__code__.co_filename
    assert (error.lineno, error.offset) == (line, column), (error.lineno, error.offset)
    assert error.text.strip() == body.splitlines()[line - 2].strip()


def test_syntax_error_prints_the_line_and_a_caret():
    def f(x):
        y = {v for v in x}
        return y

    with pytest.raises(AutodiffSyntaxError) as info:
        grad(f)(np.ones(2))
    printed = "".join(traceback.format_exception_only(type(info.value), info.value))
    assert f'File "{THIS_FILE}", line' in printed
    assert "y = {v for v in x}" in printed
    assert "^^^^^^^^" in printed
    assert info.value.lineno == f.__code__.co_firstlineno + 1


def test_missing_rule_names_the_function_and_how_to_register_one():
    def f(x):
        return np.sum(np.fft.fft(x).real)

    with pytest.raises(MissingRuleError) as info:
        grad(f)(np.ones(4))
    message = str(info.value)
    assert "no derivative rule for np.fft.fft" in message
    assert "@autodiff_ast.adjoint(np.fft.fft)" in message
    assert "autodiff_ast.nondifferentiable(np.fft.fft)" in message
    assert THIS_FILE in message and "np.fft.fft(x)" in message and "^" in message


def test_a_registered_rule_removes_the_error():
    def f(x):
        return np.sum(np.fft.fft(x).real)

    @autodiff_ast.adjoint(np.fft.fft)
    def fft_adjoint(g, ans, a):
        return np.real(np.fft.ifft(g)) * np.size(g)

    try:
        np.testing.assert_allclose(grad(f)(np.arange(4.0)), [4.0, 0.0, 0.0, 0.0], atol=1e-12)
    finally:
        autodiff_ast.rules.registry.unregister(np.fft.fft)


def test_inactive_calls_need_no_rule():
    def f(x, data):
        spectrum = np.abs(np.fft.fft(data))
        return np.sum(x * spectrum)

    data = np.arange(4.0)
    np.testing.assert_allclose(grad(f)(np.ones(4), data), np.abs(np.fft.fft(data)))


def test_a_list_of_unknown_length_must_be_unpacked():
    def f(x, n):
        pieces = np.split(x, n)
        return np.sum(pieces[0])

    with pytest.raises(AutodiffSyntaxError, match=r"np.split returns a list of arrays: unpack "
                                                  r"it into names \(a, b = np.split"):
        grad(f)(np.ones(4), 2)


def test_a_list_indexed_by_a_variable_is_located():
    def f(x, y, i):
        pair = [x, y]
        return np.sum(pair[i])

    with pytest.raises(AutodiffSyntaxError, match="only supported with a constant index"):
        grad(f)(np.ones(2), np.ones(2), 1)


def test_non_scalar_output_says_to_use_a_vector_jacobian_product():
    def f(x):
        return np.sin(x)

    with pytest.raises(NonScalarOutputError) as info:
        grad(f)(np.ones(3))
    assert "f returned an array of shape (3,)" in str(info.value)
    assert "vector-Jacobian product (vjp)" in str(info.value)


def test_wrt_out_of_range():
    def f(x, y):
        return x * y

    with pytest.raises(WrtError, match=r"wrt=2 is out of range: .*f has 2 parameters \(x, y\)"):
        grad(f, wrt=2)


def test_wrt_out_of_range_of_star_args_says_to_list_the_parameters():
    def f(*xs):
        return xs[0] * 2.0

    with pytest.raises(WrtError, match=r"wrt=0 is out of range: .*f has 0 parameters \(none\); "
                                       r"\*args and \*\*kwargs parameters cannot be "
                                       r"differentiated: list the parameters explicitly"):
        grad(f)


def test_wrt_names_no_parameter():
    def f(x, y):
        return x * y

    with pytest.raises(WrtError, match=r"has no parameter named 'z'; its parameters are x, y"):
        grad(f, wrt="z")


def test_wrt_by_name_and_negative_index():
    def f(x, y):
        return x * y

    assert grad(f, wrt="y")(2.0, 3.0) == 2.0
    assert grad(f, wrt=-1)(2.0, 3.0) == 2.0
    assert grad(f, wrt=("y", 0))(2.0, 3.0) == (2.0, 3.0)


def test_function_without_source():
    f = function_from_source("f", "def f(x):\n    return x * 2\n", {})
    import linecache

    linecache.cache.pop(f.__code__.co_filename)
    with pytest.raises(SourceUnavailableError, match="cannot read the source of f"):
        grad(f)(1.0)


def test_builtin_function_without_a_rule_cannot_be_differentiated_from_source():
    with pytest.raises(SourceUnavailableError, match="not a Python function with source"):
        grad(np.fft.fft)


def test_builtin_function_with_a_rule_is_differentiated_through_it():
    assert grad(np.sin)(0.5) == pytest.approx(np.cos(0.5))
    assert "np.cos(x)" in grad(np.sin).source


def test_unsupported_keyword_is_located():
    def f(x):
        return np.sum(np.tanh(x), dtype=np.float32, where=x > 0)

    with pytest.raises(AutodiffSyntaxError, match="np.sum does not support the keyword "
                                                  "argument where="):
        grad(f)(np.ones(3))


def test_traceback_inside_generated_code_shows_its_lines():
    def f(x, y):
        return np.sum(x * y)

    with pytest.raises(ValueError) as info:
        grad(f)(np.ones(3), np.ones(4))
    text = "".join(traceback.format_exception(info.value))
    assert "<autodiff_ast grad_f" in text
    # the generated line that failed (the shape of x * y, from the shapes of x and y)
    assert "np.full(broadcast_shape(x, y), dout)" in text


def test_more_arguments_than_a_rule_takes_is_a_located_error():
    def f(x):
        return np.einsum("i,i,i,i,i,i,i,i,i->", x, x, x, x, x, x, x, x, x)

    with pytest.raises(AutodiffSyntaxError, match=r"np.einsum takes at most 9 positional "
                                                  r"arguments in differentiated code \(10 "
                                                  r"given\): its derivative rule has no more"):
        grad(f)(np.ones(3))


@pytest.mark.parametrize("line, construct, message", [
    ("    out.extend([x, x])", "out.extend([x, x])", ".extend() changes a list in place"),
    ("    out.insert(0, x)", "out.insert(0, x)", ".insert() changes a list in place"),
    ("    np.multiply(x, 2.0, out=y)", "np.multiply(x, 2.0, out=y)",
     "out= writes the result into an existing array"),
])
def test_statements_that_change_a_list_or_array_in_place_say_what_to_write(line, construct,
                                                                           message):
    source = ("def f(x):\n    out = [x]\n    y = np.zeros(3)\n" + line +
              "\n    return np.sum(y) + np.sum(np.stack(out))\n")
    f = function_from_source("f", source, {"np": np})
    with pytest.raises(AutodiffSyntaxError) as raised:
        grad(f)(np.ones(3))
    error = raised.value
    assert message in error.msg
    assert error.lineno == 4
    assert error.text[error.offset - 1:].startswith(construct)
