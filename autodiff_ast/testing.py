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

import copy
from typing import Any, Mapping, Sequence

import numpy as np

from .api import grad, value_and_grad
from .signatures import Function, Wrt
from .structures import leaves, rebuild, structure_of
from .transforms import vjp

__all__ = ["check_grads", "numerical_grad"]


def numerical_grad(f: Function, args: Sequence[Any], index: int,
                   kwargs: Mapping[str, Any] | None = None, step: float = 1e-6) -> np.ndarray:
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


def check_grads(f: Function, *args: Any, wrt: Wrt = 0, rtol: float = 1e-5,
                atol: float = 1e-6, step: float = 1e-6, **kwargs: Any) -> Any:
    """Compare ``grad(f, wrt)(*args, **kwargs)`` with central differences of ``f``.

    Also checks what is returned beside a gradient: the value of
    ``value_and_grad(f, wrt)`` and the primal of ``vjp(f, wrt)`` must equal ``f`` run
    directly, and their gradients the ones of ``grad``. A differentiated argument may be
    a dict, list or tuple of arrays (each leaf is checked). Raises ``AssertionError``
    naming the parameter and the largest mismatch; returns the compiled gradients (one
    array, or a tuple when ``wrt`` is a tuple) when they agree. Inputs are left
    unchanged (a test that they are is part of the check).
    """
    before = copy.deepcopy(args)
    gradient = grad(f, wrt=wrt)
    computed = gradient(*args, **kwargs)
    if not _same(args, before):
        raise AssertionError("the gradient function changed one of its input arrays")
    expected_value = f(*copy.deepcopy(args), **kwargs)
    _check_beside(f, args, kwargs, wrt, computed, expected_value, gradient.source, rtol, atol)
    indices, names = gradient._indices, gradient._names
    results = (computed,) if not isinstance(wrt, (tuple, list)) else computed
    for index, name, value in zip(indices, names, results):
        structure = structure_of(args[index])
        got = leaves(value, structure_of(value)) if structure is not None else [value]
        inputs = leaves(args[index], structure) if structure is not None else [args[index]]
        if len(got) != len(inputs):
            raise AssertionError(f"gradient for {name} has {len(got)} leaves, the input has "
                                 f"{len(inputs)}")
        for leaf, (part, part_value) in enumerate(zip(inputs, got)):
            label = name if structure is None else f"{name} (leaf {leaf})"
            expected = numerical_grad(_leaf_function(f, args, index, structure, leaf),
                                      [part], 0, kwargs, step)
            if np.shape(part_value) != np.shape(part):
                raise AssertionError(f"gradient for {label} has shape {np.shape(part_value)}, "
                                     f"the input has shape {np.shape(part)}")
            if not np.allclose(part_value, expected, rtol=rtol, atol=atol):
                error = np.max(np.abs(np.asarray(part_value, dtype=np.float64) - expected))
                raise AssertionError(
                    f"gradient for {label} differs from finite differences (max abs error "
                    f"{error:.3g}):\ncompiled:\n{part_value}\nnumerical:\n{expected}\n"
                    f"generated code:\n{gradient.source}")
    return computed


def _check_beside(f, args, kwargs, wrt, computed, expected_value, source, rtol, atol):
    """``value_and_grad`` and ``vjp`` give ``f``'s value and ``grad``'s gradients."""
    value, grads = value_and_grad(f, wrt=wrt)(*args, **kwargs)
    primal, pullback = vjp(f, *args, wrt=wrt, **kwargs)
    for kind, got in (("value_and_grad's value", value), ("vjp's primal", primal)):
        if not _close(got, expected_value, rtol, atol):
            raise AssertionError(f"{kind} is {got}, but the function returns "
                                 f"{expected_value}:\n{source}")
    pulled = pullback(np.ones_like(np.asarray(expected_value, dtype=np.float64)))
    for kind, got in (("value_and_grad's gradient", grads), ("vjp's pullback", pulled)):
        if not _close(got, computed, rtol, atol):
            raise AssertionError(f"{kind} is {got}, but grad gives {computed}")


def _leaf_function(f, args, index, structure, leaf):
    """``f`` as a function of one leaf of the structure ``args[index]``."""
    if structure is None:
        return lambda x, **kw: f(*args[:index], x, *args[index + 1:], **kw)

    def of_leaf(x, **kw):
        parts = leaves(args[index], structure)
        parts[leaf] = x
        value = rebuild(structure, iter(parts))
        return f(*args[:index], value, *args[index + 1:], **kw)
    return of_leaf


def _close(a, b, rtol, atol):
    """Equal containers (dicts, lists, tuples) of arrays, close leaf by leaf."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() \
            and all(_close(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rtol, atol) for x, y in zip(a, b))
    if np.shape(a) != np.shape(b):
        return False
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _same(a, b):
    """Byte-identical structures of arrays (for the check that inputs are unchanged)."""
    sa = structure_of(a)
    if sa is None:
        return not isinstance(a, np.ndarray) or np.array_equal(a, b, equal_nan=True)
    return sa == structure_of(b) and all(_same(x, y) for x, y in zip(leaves(a, sa),
                                                                    leaves(b, sa)))
