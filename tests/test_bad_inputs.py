"""The catalogue of bad inputs: each input beside the error it must give.

One row per bad input: an id, the call that must fail, the exception type and a regex
its message must match. One parametrized test runs them all; an error about the user's
source must also point at this file. Constructs the compiler refuses (``for ... else``,
``try``, comprehensions, writes into arguments...) have their own table with line and
column checks in ``test_errors.py`` (``UNSUPPORTED``); they are not repeated here.
"""

import dataclasses
from collections import namedtuple

import numpy as np
import pytest

from autodiff_ast import (AutodiffError, AutodiffSyntaxError, InputError,
                          NonScalarOutputError, grad, jvp, value_and_grad, vjp)


def square_sum(x):
    return np.sum(x ** 2)


def leaf_sum(p):
    return np.sum(p["W"] ** 2) + p["b"]


def returns_none(x):
    return None


def returns_none_by_name(x):
    y = None
    return y


def returns_none_when_negative(x):
    return x if x > 0 else None


def index_loss(W, X, y):
    return np.sum(W[y] * X)


def pick(x, y):
    return np.sum(x[y])


def corner_product(x):
    return x[0][0] * x[1][1]


def activation(x, act=np.tanh):
    return act(x)


class Layer:
    def __init__(self):
        self.W = np.ones(2)

    def forward(self, x):
        return np.sum(self.W * x)

    def loss(self, x):
        return np.sum(x ** 2)

    @classmethod
    def class_loss(cls, x):
        return np.sum(x ** 2)


LAYER = Layer()
RNG = np.random.default_rng(0)


def calls_object_method(x):
    return LAYER.forward(x)


def calls_parameter_method(x, layer):
    return layer.forward(x)


def draws_random(x):
    return np.sum(x * RNG.normal())


def numpy_function_as_method(x):
    return np.sum(x.gradient())


def dict_items(x):
    d = {"a": x}
    d = {"a": x, "b": 2.0 * x}  # assigned twice: its keys are not known to the compiler
    total = 0.0
    for key, value in d.items():
        total = total + np.sum(value)
    return total


def writes_dict_argument(p):
    p["W"] = p["W"] * 2.0
    return np.sum(p["W"])


def writes_new_dict(p):
    q = {"W": p["W"], "b": p["b"]}
    q["W"] = q["W"] * 2.0
    return np.sum(q["W"])


def writes_list_argument(p):
    p[0] = p[0] * 2.0
    return np.sum(p[0])


Params = namedtuple("Params", "W b")


def namedtuple_by_key(p):
    return np.sum(p["W"] ** 2) + p["b"]


@dataclasses.dataclass
class DataParams:
    W: np.ndarray
    b: float


def dataclass_loss(p):
    return np.sum(p.W) + p.b


X = np.array([1.0, 2.0])
COMPLEX = np.array([1.0 + 1.0j, 2.0])
MASKED = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
COMPLEX_HINT = r"x is complex: complex inputs are not supported.*real and imaginary parts"
MASK_HINT = r"x is a masked array with masked elements.*x\.filled\(fill_value\).*np\.ma\.getdata"
NONE_HINT = r"the function returns None, not a value to differentiate"
INTEGER_TANGENT = r"jvp: y is an array of int64 \(indices, labels or a mask\), which has no " \
                  r"tangent: give None or zeros"
METHOD_HINT = r"methods are not supported yet: differentiate a plain function"
OBJECT_METHOD = r"LAYER\.forward\(\) is a method of a Layer object; methods of objects are " \
                r"not supported: call a function"
ANY_TYPE = r"which cannot be differentiated: pass an array or a number, or a dict, list, " \
           r"tuple or namedtuple"

# (id, call, exception type, message regex)
CATALOGUE = [
    # complex inputs, in every transform
    ("complex array, grad", lambda: grad(square_sum)(COMPLEX), InputError, COMPLEX_HINT),
    ("complex number, grad", lambda: grad(square_sum)(1.0 + 2.0j), InputError, COMPLEX_HINT),
    ("complex list, grad", lambda: grad(square_sum)([1j, 2.0]), InputError, COMPLEX_HINT),
    ("complex array, value_and_grad", lambda: value_and_grad(square_sum)(COMPLEX), InputError,
     COMPLEX_HINT),
    ("complex array, vjp", lambda: vjp(square_sum)(COMPLEX), InputError, COMPLEX_HINT),
    ("complex array, jvp", lambda: jvp(square_sum)((COMPLEX,), (np.ones(2),)), InputError,
     COMPLEX_HINT),
    ("complex leaf of a dict", lambda: grad(leaf_sum)({"W": COMPLEX, "b": 1.0}), InputError,
     r"an element of p is complex"),
    # masked arrays with masked elements
    ("masked array, grad", lambda: grad(square_sum)(MASKED), InputError, MASK_HINT),
    ("masked array, value_and_grad", lambda: value_and_grad(square_sum)(MASKED), InputError,
     MASK_HINT),
    ("masked array, vjp", lambda: vjp(square_sum)(MASKED), InputError, MASK_HINT),
    ("masked array, jvp", lambda: jvp(square_sum)((MASKED,), (np.ones(3),)), InputError,
     MASK_HINT),
    ("complex tangent, jvp", lambda: jvp(square_sum)((X,), (COMPLEX,)), AutodiffError,
     r"jvp: the tangent of x is complex or masked: give a float array"),
    ("complex cotangent, vjp", lambda: vjp(square_sum)(X)[1](1j), AutodiffError,
     r"vjp: the cotangent is complex or masked: give a float array"),
    # a function returning None
    ("returns None, grad", lambda: grad(returns_none)(1.0), AutodiffSyntaxError, NONE_HINT),
    ("returns None, value_and_grad", lambda: value_and_grad(returns_none)(1.0),
     AutodiffSyntaxError, NONE_HINT),
    ("returns None, vjp", lambda: vjp(returns_none)(1.0), AutodiffSyntaxError, NONE_HINT),
    ("returns None, jvp", lambda: jvp(returns_none)((1.0,), (1.0,)), AutodiffSyntaxError,
     NONE_HINT),
    ("returns a name holding None, grad", lambda: grad(returns_none_by_name)(1.0),
     NonScalarOutputError, r"returns_none_by_name returned None, not a scalar"),
    ("returns None on one path, value_and_grad",
     lambda: value_and_grad(returns_none_when_negative)(-1.0), NonScalarOutputError,
     r"returns_none_when_negative returned None, not a scalar"),
    ("returns None on one path, vjp", lambda: vjp(returns_none_when_negative)(-1.0),
     AutodiffError, r"vjp: returns_none_when_negative returned None, not a value"),
    ("returns None on one path, jvp",
     lambda: jvp(returns_none_when_negative)((-1.0,), (1.0,)), AutodiffError,
     r"jvp: returns_none_when_negative returned None, not a value"),
    # integer arrays in jvp: no tangent
    ("jvp, a nonzero tangent for integer labels",
     lambda: jvp(index_loss)((np.ones(3), np.ones(2), np.array([0, 2])),
                             (np.ones(3), np.ones(2), np.array([1, 0]))),
     AutodiffError, INTEGER_TANGENT),
    ("jvp, only integer arguments",
     lambda: jvp(pick, wrt=1)((np.ones(3), np.array([0, 2])), (None,)),
     AutodiffError, r"every differentiated argument \(y\) is an integer or boolean array"),
    # tangents and arguments of the wrong kind
    ("jvp, a ragged list as a tangent",
     lambda: jvp(corner_product)(([[1.0, 2.0], [3.0, 4.0]],), ([[1.0, 2.0], [3.0]],)),
     AutodiffError, r"the tangent of x must be an array of its shape \(2, 2\)"),
    ("a dataclass argument", lambda: grad(dataclass_loss)(DataParams(X, 1.0)), InputError,
     ANY_TYPE + r".*dataclasses\.asdict\(p\)"),
    ("None as a differentiated argument", lambda: grad(square_sum)(None), InputError,
     r"x is a NoneType, " + ANY_TYPE),
    ("a string as a differentiated argument", lambda: grad(square_sum)("abc"), InputError,
     r"x is a str, " + ANY_TYPE),
    ("p['W'] of a namedtuple", lambda: grad(namedtuple_by_key)(Params(X, 1.0)),
     AutodiffSyntaxError, r"p is a namedtuple Params, which is indexed by position: read the "
                          r"field as p\.W"),
    # a callable default replaced by the caller
    ("another callable for a callable default", lambda: grad(activation)(0.5, np.sin),
     AutodiffError, r"the parameter act defaults to <ufunc 'tanh'>, which the gradient code "
                    r"calls; passing another callable \(<ufunc 'sin'>\) is not supported"),
    ("another callable for a callable default, by keyword",
     lambda: value_and_grad(activation)(0.5, act=np.cos), AutodiffError,
     r"passing another callable \(<ufunc 'cos'>\)"),
    # methods
    ("a bound method", lambda: grad(LAYER.loss)(X), AutodiffError,
     r"Layer\.loss is a bound method; " + METHOD_HINT),
    ("a classmethod", lambda: grad(Layer.class_loss)(X), AutodiffError,
     r"Layer\.class_loss is a bound classmethod; " + METHOD_HINT),
    ("a bound method, jvp", lambda: jvp(LAYER.loss)((X,), (X,)), AutodiffError,
     r"jvp: Layer\.loss is a bound method"),
    ("a method of a global object", lambda: grad(calls_object_method)(X),
     AutodiffSyntaxError, OBJECT_METHOD),
    ("a method of an argument", lambda: grad(calls_parameter_method)(X, LAYER),
     AutodiffSyntaxError, r"the method \.forward\(\) is not supported: methods of objects "
                          r"\(a layer's \.forward\(\)\) cannot be differentiated"),
    ("a random generator's method", lambda: grad(draws_random)(X), AutodiffSyntaxError,
     r"RNG\.normal\(\) draws random numbers, which are not differentiable: draw them outside "
     r"the function and pass them in"),
    ("a NumPy function called as a method", lambda: grad(numpy_function_as_method)(X),
     AutodiffSyntaxError, r"the method \.gradient\(\) is not supported: call the NumPy "
                          r"function np\.gradient\(x, \.\.\.\) instead"),
    ("dict.items() of a dict assigned twice", lambda: grad(dict_items)(X),
     AutodiffSyntaxError, r"the method \.items\(\) is only supported on a dict parameter "
                          r"\(a structure differentiated\) or a dict display assigned once "
                          r"to a name: read each value by its key \(d\['W'\]\)"),
    # writes into dicts and lists
    ("writing into a dict argument", lambda: grad(writes_dict_argument)({"W": X}),
     AutodiffSyntaxError, r"writing into the dict 'p' is not supported: build a new dict"),
    ("writing into a new dict", lambda: grad(writes_new_dict)({"W": X, "b": 1.0}),
     AutodiffSyntaxError, r"writing into the dict 'q' is not supported: build a new dict"),
    ("writing into a list argument", lambda: grad(writes_list_argument)([X, X]),
     AutodiffSyntaxError, r"writing into the argument 'p' \(a list of arrays\) would change "
                          r"the caller's list: build a new one"),
]


@pytest.mark.parametrize("call, kind, pattern", [row[1:] for row in CATALOGUE],
                         ids=[row[0] for row in CATALOGUE])
def test_bad_input_gives_its_error(call, kind, pattern):
    with pytest.raises(kind, match=pattern) as info:
        call()
    assert isinstance(info.value, AutodiffError)
    if isinstance(info.value, AutodiffSyntaxError):  # located at the user's line
        assert info.value.filename == __file__
        assert info.value.lineno is not None and info.value.text


def test_the_catalogue_ids_are_unique():
    ids = [row[0] for row in CATALOGUE]
    assert len(ids) == len(set(ids))
