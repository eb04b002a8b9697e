"""The corpus differentiated by HIPS autograd (a tracing tool) as a second oracle."""

import types

import numpy as np
import pytest

from autodiff_ast import grad
from corpus import CORPUS

autograd = pytest.importorskip("autograd")
anp = pytest.importorskip("autograd.numpy")

# Corpus functions that autograd itself cannot differentiate, and why.
AUTOGRAD_CANNOT = {
    "methods": "autograd's traced arrays have no .dot method",
    "float_conversion": "autograd cannot convert a traced value with float()",
}


def with_autograd_numpy(f):
    """``f`` with ``np`` bound to autograd.numpy in its globals."""
    namespace = dict(f.__globals__)
    namespace["np"] = anp
    copy = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    copy.__kwdefaults__ = f.__kwdefaults__
    return copy


CASES = [(f, args, wrt) for f, args, wrt in CORPUS if f.__name__ not in AUTOGRAD_CANNOT]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_same_gradient_as_autograd(f, args, wrt):
    ours = grad(f, wrt=wrt)(*args)
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    reference = autograd.grad(with_autograd_numpy(f), indices)(
        *[float(a) if isinstance(a, int) and i in indices else a for i, a in enumerate(args)])
    ours = ours if isinstance(wrt, tuple) else (ours,)
    for mine, theirs in zip(ours, reference):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
