"""Checking gradients against central finite differences.

``check_grads(f, *args, wrt=...)`` compiles ``grad(f, wrt)``, evaluates it at ``args``
and compares every gradient with central differences of ``f`` in float64. Use it to test
your own functions and your own rules::

    >>> import numpy as np
    >>> def f(x, y):
    ...     return np.sum(np.sin(x) * y)
    >>> grads = check_grads(f, np.array([0.1, 0.2]), np.array([1.0, 2.0]), wrt=(0, 1))
    >>> np.round(grads[0], 4)
    array([0.995 , 1.9601])
"""

from __future__ import annotations

import numpy as np

from .api import grad

__all__ = ["check_grads", "numerical_grad"]


def numerical_grad(f, args, index, kwargs=None, step=1e-6):
    """Central-difference gradient of scalar ``f(*args, **kwargs)`` in ``args[index]``.

    Each element moves by ``step * max(1, |x|)``; the function is evaluated in float64.
    """
    kwargs = kwargs or {}
    args = [np.array(a, dtype=np.float64) if i == index else a for i, a in enumerate(args)]
    x = args[index]
    scalar_input = x.ndim == 0
    flat = x.reshape(-1)
    out = np.zeros(flat.shape)
    for i in range(flat.size):
        original = flat[i]
        h = step * max(1.0, abs(original))
        flat[i] = original + h
        up = _call(f, args, index, scalar_input, kwargs)
        flat[i] = original - h
        down = _call(f, args, index, scalar_input, kwargs)
        flat[i] = original
        out[i] = (up - down) / (2 * h)
    return out.reshape(x.shape)


def _call(f, args, index, scalar_input, kwargs):
    call_args = list(args)
    if scalar_input:
        call_args[index] = float(args[index])
    value = f(*call_args, **kwargs)
    if np.ndim(value) != 0:
        raise ValueError(f"numerical_grad needs a scalar output, got shape {np.shape(value)}")
    return float(value)


def check_grads(f, *args, wrt=0, rtol=1e-5, atol=1e-6, step=1e-6, **kwargs):
    """Compare ``grad(f, wrt)(*args, **kwargs)`` with central differences of ``f``.

    Raises ``AssertionError`` naming the parameter and the largest mismatch; returns the
    compiled gradients (one array, or a tuple when ``wrt`` is a tuple) when they agree.
    Inputs are left unchanged (a test that they are is part of the check).
    """
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    gradient = grad(f, wrt=wrt)
    computed = gradient(*args, **kwargs)
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True):
            raise AssertionError("the gradient function changed one of its input arrays")
    indices, names = gradient._indices, gradient._names
    results = (computed,) if not isinstance(wrt, (tuple, list)) else computed
    for index, name, value in zip(indices, names, results):
        expected = numerical_grad(f, list(args), index, kwargs, step)
        if np.shape(value) != np.shape(args[index]):
            raise AssertionError(f"gradient for {name} has shape {np.shape(value)}, "
                                 f"the input has shape {np.shape(args[index])}")
        if not np.allclose(value, expected, rtol=rtol, atol=atol):
            error = np.max(np.abs(np.asarray(value, dtype=np.float64) - expected))
            raise AssertionError(
                f"gradient for {name} differs from finite differences (max abs error "
                f"{error:.3g}):\ncompiled:\n{value}\nnumerical:\n{expected}\n"
                f"generated code:\n{gradient.source}")
    return computed
