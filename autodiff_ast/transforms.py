"""The transforms beyond ``grad``: ``jvp``, ``vjp``, ``jacobian``, ``hessian``, ``hvp``.

Each is source to source: ``jvp`` generates tangent code (forward mode, ``x_dot``
names), ``vjp`` generates the forward sweep and a ``pullback`` function holding the
adjoint sweep; ``jacobian``, ``hessian`` and ``hvp`` run those generated functions
(``hessian`` and ``hvp`` differentiate the generated gradient code in forward mode).
Every transform has ``.source``, the text of the code it runs.
"""

from __future__ import annotations

import numpy as np

from .api import GradientFunction, _as_float, _finish_one
from .errors import AutodiffError
from .runtime import shape
from .structures import leaves as structure_leaves
from .structures import rebuild as structure_rebuild
from .structures import structure_of


def jvp(function, primals=None, tangents=None, *, wrt=None, verbose=False):
    """Forward mode: the value of ``function`` and its directional derivative.

    ``jvp(f)(primals, tangents)`` (or ``jvp(f, primals, tangents)``) takes the tuple of
    ``f``'s positional arguments and one tangent per differentiated argument (all of
    ``primals`` by default, or those of ``wrt``: an index, a name or a tuple of them),
    each of its argument's shape (or structure), and returns ``(value, tangent)``: ``f``
    at ``primals`` and ``J @ tangents``, of the value's shape. The generated code (see
    ``.source``) computes each value's tangent ``x_dot`` right after the value.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sin(x) * x
    >>> value, tangent = jvp(f, (np.array([0.0, 1.0]),), (np.array([1.0, 1.0]),))
    >>> tangent.round(4)
    array([0.    , 1.3818])
    """
    transform = JVPFunction(function, wrt, verbose)
    if primals is None:
        return transform
    return transform(primals, tangents)


class JVPFunction:
    """``jvp(f)``: call it with ``(primals, tangents)``; ``.source`` is the tangent code."""

    def __init__(self, function, wrt=None, verbose=False):
        self.__wrapped__ = function
        self._wrt, self._verbose = wrt, verbose
        self._by_count: dict = {}
        self._last = None

    def _inner(self, count):
        wrt = self._wrt
        if wrt is None:
            if count == 0:
                raise AutodiffError("jvp: give at least one primal argument")
            wrt = tuple(range(count))
        inner = self._by_count.get(wrt)
        if inner is None:
            inner = self._by_count[wrt] = GradientFunction(self.__wrapped__, wrt, "jvp",
                                                           self._verbose)
        self._last = inner
        return inner

    def __call__(self, primals, tangents):
        primals = tuple(primals)
        inner = self._inner(len(primals))
        tangents = (tangents,) if inner._single and self._wrt is not None else tuple(tangents)
        if len(tangents) != len(inner._indices):
            raise AutodiffError(f"jvp: {len(tangents)} tangents given for the "
                                f"{len(inner._indices)} differentiated arguments "
                                f"({', '.join(inner._names)})")
        generated, args, kwargs, inputs, _ = inner._prepare(primals, {})
        for name, tangent, x, param in zip(generated.context.tangent_names, tangents, inputs,
                                           inner._names):
            kwargs[name] = _tangent_like(tangent, x, param)
        return generated.function(*args, **kwargs)

    @property
    def source(self):
        """The generated code of the latest call (or, before any call, for tangents of
        every parameter of ``f`` or of those of ``wrt``)."""
        inner = self._last
        if inner is None:
            count = self.__wrapped__.__code__.co_argcount
            inner = self._inner(count)
        return inner.source

    @property
    def generated_function(self):
        return (self._last or self._inner(self.__wrapped__.__code__.co_argcount)) \
            ._generate(self._last and self._last._shapes).function

    def __repr__(self):
        return f"<jvp of {self.__wrapped__.__qualname__}>"


def _tangent_like(tangent, x, name):
    """A tangent for the input ``x`` (same structure, each leaf of its leaf's shape and
    floating dtype)."""
    layout = structure_of(x)
    if layout is not None:
        if structure_of(tangent) != layout:
            raise AutodiffError(f"jvp: the tangent of {name} must have the structure of "
                                f"{name} (the same keys and lengths)")
        parts = [_tangent_like(t, leaf, name) for t, leaf in
                 zip(structure_leaves(tangent, layout), structure_leaves(x, layout))]
        return structure_rebuild(layout, iter(parts))
    tangent = _as_float(tangent)
    if shape(tangent) != shape(x):
        raise AutodiffError(f"jvp: the tangent of {name} has shape {np.shape(tangent)}, "
                            f"but {name} has shape {np.shape(x)}")
    if isinstance(x, np.ndarray) and isinstance(tangent, np.ndarray) \
            and tangent.dtype != x.dtype and x.dtype.kind == "f":
        tangent = tangent.astype(x.dtype)
    return tangent


__all__ = ["jvp", "JVPFunction", "_finish_one"]
