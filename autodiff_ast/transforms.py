"""The transforms beyond ``grad``: ``jvp``, ``vjp``, ``jacobian``, ``hessian``, ``hvp``.

Each is source to source: ``jvp`` generates tangent code (forward mode, ``x_dot``
names), ``vjp`` generates the forward sweep and a ``pullback`` function holding the
adjoint sweep; ``jacobian``, ``hessian`` and ``hvp`` run those generated functions
(``hessian`` and ``hvp`` differentiate the generated gradient code in forward mode).
Every transform has ``.source``, the text of the code it runs.
"""

from __future__ import annotations

import inspect
from typing import Any, Sequence, overload

import numpy as np

from . import codegen

from .api import GradientFunction, _as_float
from .display import code_html
from .errors import AutodiffError
from .runtime import shape
from .signatures import Function, Wrt
from .source import compiled_function
from .structures import leaves as structure_leaves
from .structures import rebuild as structure_rebuild
from .structures import structure_of


@overload
def jvp(function: Function, primals: None = None, tangents: None = None, *,
        wrt: Wrt | None = None, verbose: bool = False,
        check_finite: bool = False) -> JVPFunction: ...
@overload
def jvp(function: Function, primals: Sequence[Any], tangents: Sequence[Any], *,
        wrt: Wrt | None = None, verbose: bool = False,
        check_finite: bool = False) -> tuple[Any, Any]: ...
def jvp(function: Function, primals: Sequence[Any] | None = None,
        tangents: Any = None, *, wrt: Wrt | None = None,
        verbose: bool = False, check_finite: bool = False) -> JVPFunction | tuple[Any, Any]:
    """Forward mode: the value of ``function`` and its directional derivative.

    ``jvp(f)(primals, tangents)`` (or ``jvp(f, primals, tangents)``) takes the tuple of
    ``f``'s positional arguments and the tuple of the tangents of the differentiated
    arguments (all of ``primals`` by default, or those of ``wrt``: an index, a name or a
    tuple of them; one tangent each),
    each of its argument's shape (or structure), and returns ``(value, tangent)``: ``f``
    at ``primals`` and ``J @ tangents``, of the value's shape. The generated code (see
    ``.source``) computes each value's tangent ``x_dot`` right after the value.
    Integer and boolean arrays (indices, labels, masks) have no tangent, as in JAX:
    they are passed through undifferentiated and their tangent must be ``None`` or
    zeros; a Python ``int`` is a number and is differentiated as a float.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sin(x) * x
    >>> value, tangent = jvp(f, (np.array([0.0, 1.0]),), (np.array([1.0, 1.0]),))
    >>> tangent.round(4)
    array([0.    , 1.3818])
    """
    transform = JVPFunction(function, wrt, verbose, check_finite)
    if primals is None:
        return transform
    return transform(primals, tangents)


class JVPFunction:
    """``jvp(f)``: call it with ``(primals, tangents)``; ``.source`` is the tangent code."""

    def __init__(self, function: Function, wrt: Wrt | None = None,
                 verbose: bool = False, check_finite: bool = False) -> None:
        self._arguments = (function, wrt, verbose, check_finite)
        self.__wrapped__ = function
        self._wrt, self._verbose, self._check_finite = wrt, verbose, check_finite
        self._by_count: dict = {}
        self._last = None

    def _inner(self, count, passive=()):
        """The tangent code for ``count`` primals, the parameters at the indices
        ``passive`` (integer arrays) left out of the differentiated ones."""
        wrt = self._wrt
        if wrt is None:
            if count == 0:
                raise AutodiffError("jvp: give at least one primal argument")
            wrt = tuple(range(count))
        if passive:
            wrt = tuple(i for i in self._inner(count)._indices if i not in passive)
        inner = self._by_count.get(wrt)
        if inner is None:
            inner = self._by_count[wrt] = GradientFunction(self.__wrapped__, wrt, "jvp",
                                                           self._verbose, self._check_finite)
        self._last = inner
        return inner

    def __call__(self, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
        primals = tuple(primals)
        inner = self._inner(len(primals))
        if not isinstance(tangents, (tuple, list)):
            raise AutodiffError("jvp: tangents must be a tuple (or list) with one tangent per "
                                "differentiated argument, as primals is a tuple of arguments")
        tangents = tuple(tangents)
        if len(tangents) != len(inner._indices):
            raise AutodiffError(f"jvp: {len(tangents)} tangents given for the "
                                f"{len(inner._indices)} differentiated arguments "
                                f"({', '.join(inner._names)})")
        passive = _integer_arrays(primals, inner, tangents)
        if passive:
            tangents = tuple(t for i, t in zip(inner._indices, tangents) if i not in passive)
            inner = self._inner(len(primals), passive)
        generated, args, kwargs, inputs, _ = inner._prepare(primals, {})
        for name, tangent, x, param in zip(generated.context.tangent_names, tangents, inputs,
                                           inner._names):
            kwargs[name] = _tangent_like(tangent, x, param)
        value, tangent = generated.function(*args, **kwargs)
        if value is None:
            raise AutodiffError(_returned_none("jvp", self.__wrapped__))
        return value, tangent

    @property
    def source(self) -> str:
        """The generated code of the latest call (or, before any call, for tangents of
        every parameter of ``f`` or of those of ``wrt``)."""
        inner = self._last
        if inner is None:
            count = self.__wrapped__.__code__.co_argcount
            inner = self._inner(count)
        return inner.source

    @property
    def generated_function(self) -> Function:
        return (self._last or self._inner(self.__wrapped__.__code__.co_argcount)) \
            ._generate(self._last and self._last._shapes).function

    def code_for_transforms(self):
        """A Python function ``jvp_f(primals, tangents)`` calling the tangent code with
        the elements of the two tuples (every positional parameter of ``f`` given), so
        that a transform of a function calling this one differentiates it."""
        compiled = compiled_function(self.__wrapped__)  # as GradientFunction
        inner = self._inner(len(_positional(compiled)))
        return _written_out(self, inner._generate(None), lambda generated: _call_code(
            "jvp", inner.__wrapped__, generated, part=None))

    def __reduce__(self):  # the function and options: generated code is made anew
        return type(self), self._arguments

    def __repr__(self) -> str:
        return f"<jvp of {self.__wrapped__.__qualname__}>"

    def _repr_html_(self):
        """Jupyter shows the generated code, highlighted (see ``display``)."""
        return code_html(self)


def _complex_or_masked(value):
    """Is ``value`` (a tangent or cotangent) complex or a masked array?"""
    if isinstance(value, np.ma.MaskedArray):
        return True
    try:
        return np.iscomplexobj(value)
    except (ValueError, TypeError):  # a ragged list: refused for its shape
        return False


def _returned_none(kind, function):
    return (f"{kind}: {getattr(function, '__qualname__', function)} returned None, not a "
            f"value to differentiate: return the value")


def _integer_arrays(primals, inner, tangents):
    """The indices of the differentiated primals that are integer or boolean arrays
    (indices, labels, masks): as in JAX they have no tangent, so they are passed through
    undifferentiated, and their tangent must be ``None`` or zeros. (A Python ``int`` is
    a number, differentiated as a float, as by ``grad``.)"""
    passive = set()
    for index, name, tangent in zip(inner._indices, inner._names, tangents):
        x = primals[index] if index < len(primals) else None
        if not (isinstance(x, np.ndarray) and x.dtype.kind in "biu"):
            continue
        if tangent is not None and np.any(np.asarray(tangent) != 0):
            raise AutodiffError(
                f"jvp: {name} is an array of {x.dtype} (indices, labels or a mask), which has "
                f"no tangent: give None or zeros as its tangent, or pass it as a float "
                f"array (np.asarray({name}, dtype=float)) to differentiate with respect to it")
        passive.add(index)
    if passive and len(passive) == len(inner._indices):
        raise AutodiffError(
            f"jvp: every differentiated argument ({', '.join(inner._names)}) is an integer or "
            f"boolean array, which has no tangent: pass floats to differentiate")
    return passive


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
    if _complex_or_masked(tangent):
        raise AutodiffError(f"jvp: the tangent of {name} is complex or masked: give a float "
                            f"array")
    try:
        tangent = _as_float(tangent)
        same = shape(tangent) == shape(x)
    except (ValueError, TypeError, AttributeError):  # a ragged list, not a number
        same = False
    if not same and not isinstance(tangent, np.ndarray):
        raise AutodiffError(f"jvp: the tangent of {name} must be an array of its shape "
                            f"{np.shape(x)}; got {type(tangent).__name__} {tangent!r:.60}")
    if not same:
        raise AutodiffError(f"jvp: the tangent of {name} has shape {np.shape(tangent)}, "
                            f"but {name} has shape {np.shape(x)}")
    if isinstance(x, np.ndarray) and isinstance(tangent, np.ndarray) \
            and tangent.dtype != x.dtype and x.dtype.kind == "f":
        tangent = tangent.astype(x.dtype)
    return tangent




@overload
def vjp(function: Function, *, wrt: Wrt = 0, verbose: bool = False,
        check_finite: bool = False) -> VJPFunction: ...
@overload
def vjp(function: Function, *args: Any, wrt: Wrt = 0, verbose: bool = False,
        check_finite: bool = False, **kwargs: Any) -> tuple[Any, Pullback]: ...
def vjp(function: Function, *args: Any, wrt: Wrt = 0, verbose: bool = False,
        check_finite: bool = False, **kwargs: Any) -> VJPFunction | tuple[Any, Pullback]:
    """Reverse mode for any output: the value of ``function`` and its pullback.

    ``vjp(f)(*args)`` (or ``vjp(f, *args)``) runs the forward sweep once and returns
    ``(value, pullback)``; ``pullback(cotangent)``, for a cotangent of the value's shape
    (or structure, for a tuple or dict of results), returns the gradient of
    ``sum(cotangent * value)`` with respect to the parameters of ``wrt`` (an index, a
    name or a tuple of them, as for :func:`grad`), and may be called many times. The
    generated code (``.source``) is the forward sweep with the adjoint sweep in a
    ``pullback`` function defined inside it.

    >>> import numpy as np
    >>> def f(x):
    ...     return x * x
    >>> value, pullback = vjp(f, np.array([1.0, 2.0]))
    >>> pullback(np.array([1.0, 10.0]))
    array([ 2., 40.])
    """
    transform = VJPFunction(function, wrt, verbose, check_finite)
    if args or kwargs:
        return transform(*args, **kwargs)
    return transform


class VJPFunction(GradientFunction):
    """``vjp(f)``: callable with ``f``'s signature, returning ``(value, pullback)``."""

    def __init__(self, function: Function, wrt: Wrt = 0, verbose: bool = False,
                 check_finite: bool = False) -> None:
        super().__init__(function, wrt, "vjp", verbose, check_finite)

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[Any, Pullback]:
        generated, args, kwargs, inputs, _ = self._prepare(args, kwargs)
        value, pullback = generated.function(*args, **kwargs)
        if value is None:
            raise AutodiffError(_returned_none("vjp", self.__wrapped__))
        return value, Pullback(pullback, value, inputs, self)

    def __repr__(self) -> str:
        return f"<vjp of {self.__wrapped__.__qualname__} wrt {self._names}>"


class Pullback:
    """The pullback of one ``vjp`` call: ``pullback(cotangent)`` gives the gradients.
    ``.function`` is the generated ``pullback`` function itself."""

    def __init__(self, function: Function, value: Any, inputs: list[Any],
                 transform: VJPFunction) -> None:
        self.function, self._value, self._inputs = function, value, inputs
        self._transform = transform

    def __call__(self, cotangent: Any) -> Any:
        cotangent = _cotangent_like(cotangent, self._value)
        return self._transform._finish(self.function(cotangent), self._inputs)


def _cotangent_like(cotangent, value):
    if isinstance(value, (tuple, list, dict)) and not (
            isinstance(value, (tuple, list)) and structure_of(value) is None):
        same = isinstance(cotangent, dict) if isinstance(value, dict) else isinstance(
            cotangent, (tuple, list))
        if not same or len(cotangent) != len(value) or (
                isinstance(value, dict) and set(cotangent) != set(value)):
            raise AutodiffError("vjp: the cotangent must have the structure of the value "
                                "(the same keys and lengths)")
        if isinstance(value, dict):
            return {k: _cotangent_like(cotangent[k], v) for k, v in value.items()}
        return type(value)(_cotangent_like(c, v) for c, v in zip(cotangent, value))
    if _complex_or_masked(cotangent):
        raise AutodiffError("vjp: the cotangent is complex or masked: give a float array")
    cotangent = _as_float(cotangent)
    if shape(cotangent) != shape(value):
        raise AutodiffError(f"vjp: the cotangent has shape {np.shape(cotangent)}, but the "
                            f"value has shape {np.shape(value)}")
    return cotangent


# ----- Jacobians ----------------------------------------------------------------------


def jacobian(function: Function, wrt: Wrt = 0, *, mode: str | None = None,
             verbose: bool = False, check_finite: bool = False) -> JacobianFunction:
    """The Jacobian of ``function`` with respect to the parameters of ``wrt``.

    ``jacobian(f)(*args)`` has shape ``value.shape + x.shape`` (a tuple of such arrays
    for a tuple ``wrt``). ``mode="forward"`` builds it a column at a time with ``jvp``
    (one run of the tangent code per input element), ``mode="reverse"`` a row at a time
    with ``vjp`` (one forward sweep, then one pullback per output element); by default
    the cheaper is chosen from the sizes, forward when the output has at least twice as
    many elements as the inputs (a tangent run costs about two pullbacks). ``.source`` is
    the code of the mode used last.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.array([x[0] * x[1], np.sin(x[0])])
    >>> jacobian(f)(np.array([0.0, 2.0]))
    array([[2., 0.],
           [1., 0.]])
    """
    return JacobianFunction(function, wrt, mode, verbose, check_finite)


class JacobianFunction:
    """``jacobian(f)``: callable with ``f``'s signature."""

    def __init__(self, function: Function, wrt: Wrt = 0, mode: str | None = None,
                 verbose: bool = False, check_finite: bool = False) -> None:
        if mode not in (None, "forward", "reverse"):
            raise AutodiffError(f"jacobian: mode must be 'forward', 'reverse' or None "
                                f"(choose by shape), not {mode!r}")
        self._arguments = (function, wrt, mode, verbose, check_finite)
        self.__wrapped__ = function
        self._mode = mode
        self._reverse = VJPFunction(function, wrt, verbose, check_finite)
        self._single, self._indices = self._reverse._single, self._reverse._indices
        self._forward = JVPFunction(function, self._indices, verbose, check_finite)
        self._sizes: dict = {}  # shapes of the inputs -> size of the output
        self.last_mode: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise AutodiffError("jacobian: pass the arguments by position")
        inputs = [_as_float(args[i]) for i in self._indices]
        for x in inputs:
            if structure_of(x) is not None:
                raise AutodiffError("jacobian: differentiated arguments must be arrays or "
                                    "numbers (use jvp or vjp with dicts, lists and tuples)")
        n = sum(int(np.size(x)) for x in inputs)
        key = tuple(shape(x) for x in inputs)
        mode = self._mode
        if mode is None:
            m = self._sizes.get(key)
            mode = "forward" if m is not None and _forward_is_cheaper(n, m) else "reverse"
        if mode == "reverse":
            value, pullback = self._reverse(*args)
            self._sizes[key] = m = int(np.size(value))
            if self._mode is None and _forward_is_cheaper(n, m):  # learnt the output's size
                mode = "forward"
            else:
                self.last_mode = "reverse"
                return self._by_rows(value, pullback, inputs)
        self.last_mode = "forward"
        return self._by_columns(args, inputs)

    def _by_rows(self, value, pullback, inputs):
        out_shape = shape(value)
        rows = [[] for _ in inputs]
        basis = np.zeros(int(np.prod(out_shape, dtype=np.int64)))
        for k in range(basis.size):
            basis[k] = 1.0
            grads = pullback(basis.reshape(out_shape) if out_shape else float(basis[0]))
            basis[k] = 0.0
            for row, g in zip(rows, (grads,) if self._single else grads):
                row.append(np.ravel(g))
        found = [np.array(row).reshape(out_shape + shape(x)) for row, x in zip(rows, inputs)]
        return found[0] if self._single else tuple(found)

    def _by_columns(self, args, inputs):
        columns = [[] for _ in inputs]
        out_shape = None
        for j, _, (value, tangent) in _basis_runs(self._forward, args, inputs):
            out_shape = shape(value)
            columns[j].append(np.array(tangent, dtype=float).ravel())
        found = []
        for column, x in zip(columns, inputs):
            if out_shape is None:  # an empty input
                out_shape = shape(self.__wrapped__(*args))
            matrix = np.array(column).reshape(shape(x) + out_shape)
            axes = tuple(range(np.ndim(x), np.ndim(x) + len(out_shape))) + tuple(
                range(np.ndim(x)))
            found.append(np.transpose(matrix, axes).copy(order="C"))
        return found[0] if self._single else tuple(found)

    @property
    def source(self) -> str:
        if self.last_mode == "forward":
            return self._forward.source
        return self._reverse.source

    def code_for_transforms(self):
        """A Python function with ``f``'s positional parameters that builds the Jacobian
        column by column with the tangent code, written out (``jacobian_f``), so that a
        transform of a function calling this one, or of this one, differentiates it
        (forward mode, whatever ``mode``)."""
        inner = self._forward._inner(0)  # of f, or of a caller of f's rules
        return _written_out(self, inner._generate(None), lambda generated: _column_code(
            "jacobian", inner.__wrapped__, self._indices, self._single, generated,
            per_column=1))

    def __reduce__(self):  # the function and options: generated code is made anew
        return type(self), self._arguments

    def __repr__(self) -> str:
        return f"<jacobian of {self.__wrapped__.__qualname__}>"

    def _repr_html_(self):
        """Jupyter shows the generated code, highlighted (see ``display``)."""
        return code_html(self)


def _basis_runs(transform, args, inputs):
    """Run ``transform``'s (a :class:`JVPFunction`) tangent code once per element of
    ``inputs``, the tangent a one there and zeros elsewhere; yield ``(input index, element
    index, (value, tangent))``. The call is prepared once (the column loop of a Jacobian
    or Hessian pays no wrapper work per column)."""
    inner = transform._inner(len(args))
    generated, call_args, kwargs, prepared, _ = inner._prepare(tuple(args), {})
    names = generated.context.tangent_names
    function = generated.function
    zeros = [np.zeros(shape(x), dtype=getattr(x, "dtype", np.float64)) if np.ndim(x) else 0.0
             for x in prepared]
    for name, zero in zip(names, zeros):
        kwargs[name] = zero
    for j, x in enumerate(prepared):
        if not np.ndim(x):
            kwargs[names[j]] = 1.0
            yield j, 0, function(*call_args, **kwargs)
            kwargs[names[j]] = 0.0
            continue
        for k in range(int(np.size(x))):
            basis = np.zeros(shape(x), dtype=zeros[j].dtype)
            basis.flat[k] = 1.0
            kwargs[names[j]] = basis
            yield j, k, function(*call_args, **kwargs)
        kwargs[names[j]] = zeros[j]


def _forward_is_cheaper(n, m):
    """n columns by forward mode, each a run of the function with its tangent code, or m
    rows by reverse mode, each a run of the pullback after one forward sweep? A tangent
    run costs about twice a pullback (benchmarks/bench_transforms.py measures 1.6 to 1.9
    at n = m), so forward mode wins once the output has twice the inputs' elements."""
    return 2 * n <= m


# ----- second derivatives ---------------------------------------------------------------


def hvp(function: Function, wrt: Wrt = 0, *, verbose: bool = False,
        check_finite: bool = False) -> HVPFunction:
    """Hessian-vector products of a scalar-valued ``function``, forward over reverse.

    ``hvp(f)(primals, vectors)`` takes the tuple of ``f``'s positional arguments and the
    tuple of one vector per parameter of ``wrt`` (each of its parameter's shape), and
    returns ``H @ v``: the directional derivative of the gradient, computed by the
    forward-mode code (``jvp``) of the generated gradient code (``.source``). It costs
    a few gradient evaluations, whatever the number of parameters.

    >>> import numpy as np
    >>> def f(x):
    ...     return np.sum(x ** 3)
    >>> hvp(f)((np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    array([6., 0.])
    """
    return HVPFunction(function, wrt, verbose, check_finite)


class HVPFunction:
    """``hvp(f)``: ``(primals, vectors) -> H @ vectors``."""

    def __init__(self, function: Function, wrt: Wrt = 0, verbose: bool = False,
                 check_finite: bool = False) -> None:
        self._arguments = (function, wrt, verbose, check_finite)
        self.__wrapped__ = function
        self._grad = GradientFunction(function, wrt, "grad")
        self._single, self._indices = self._grad._single, self._grad._indices
        self._verbose, self._check_finite = verbose, check_finite
        self._tangents = None  # JVPFunction of the generated gradient function

    def _jvp(self):
        generated = self._grad.generated_function
        if self._tangents is None or self._tangents.__wrapped__ is not generated:
            self._tangents = JVPFunction(generated, self._indices, self._verbose,
                                         self._check_finite)
        return self._tangents

    def __call__(self, primals: Sequence[Any], vectors: Sequence[Any]) -> Any:
        primals = tuple(primals)
        for i in self._indices:
            if i < len(primals) and structure_of(primals[i]) is not None:
                raise AutodiffError("hvp and hessian: differentiated arguments must be arrays "
                                    "or numbers")
        primals = tuple(_as_float(p) if i in self._indices else p
                        for i, p in enumerate(primals))
        _, tangent = self._jvp()(primals, vectors)
        inputs = [primals[i] for i in self._indices]
        return self._grad._finish(tangent, inputs)

    @property
    def source(self) -> str:
        """The forward-mode code of the generated gradient code."""
        return self._jvp().source

    def code_for_transforms(self):
        """``hvp_f(primals, vectors)``: the forward-mode code of the gradient code called
        with the elements of the two tuples, its tangent returned."""
        inner = self._jvp()._inner(0)
        return _written_out(self, inner._generate(None), lambda generated: _call_code(
            "hvp", self._grad.__wrapped__, generated, part=1))

    def __reduce__(self):  # the function and options: generated code is made anew
        return type(self), self._arguments

    def __repr__(self) -> str:
        return f"<hvp of {self.__wrapped__.__qualname__}>"

    def _repr_html_(self):
        """Jupyter shows the generated code, highlighted (see ``display``)."""
        return code_html(self)


def hessian(function: Function, wrt: Wrt = 0, *, verbose: bool = False,
            check_finite: bool = False) -> HessianFunction:
    """The Hessian of a scalar-valued ``function``, forward over reverse.

    ``hessian(f)(*args)`` has shape ``x.shape + x.shape`` for one parameter, and is a
    tuple of tuples of blocks ``H[i][j]`` of shape ``xi.shape + xj.shape`` for a tuple
    ``wrt``. Column by column, each is one Hessian-vector product (:func:`hvp`): one run
    of the forward-mode code of the generated gradient code per input element.

    >>> import numpy as np
    >>> def f(x):
    ...     return x[0] ** 2 * x[1]
    >>> hessian(f)(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """
    return HessianFunction(function, wrt, verbose, check_finite)


class HessianFunction:
    """``hessian(f)``: callable with ``f``'s signature."""

    def __init__(self, function: Function, wrt: Wrt = 0, verbose: bool = False,
                 check_finite: bool = False) -> None:
        self._arguments = (function, wrt, verbose, check_finite)
        self.__wrapped__ = function
        self._hvp = HVPFunction(function, wrt, verbose, check_finite)
        self._single, self._indices = self._hvp._single, self._hvp._indices

    def __call__(self, *args: Any) -> Any:
        args = tuple(_as_float(a) if i in self._indices else a for i, a in enumerate(args))
        for i in self._indices:
            if structure_of(args[i]) is not None:
                raise AutodiffError("hvp and hessian: differentiated arguments must be arrays "
                                    "or numbers")
        inputs = [args[i] for i in self._indices]
        columns: list = [[[] for _ in inputs] for _ in inputs]  # [i][j]: columns of block H_ij
        for j, _, (_, products) in _basis_runs(self._hvp._jvp(), args, inputs):
            for i, product in enumerate((products,) if self._single else products):
                columns[i][j].append(np.array(product, dtype=float).ravel())
        blocks = []
        for i, xi in enumerate(inputs):
            row = []
            for j, xj in enumerate(inputs):
                block = np.array(columns[i][j]).reshape(shape(xj) + shape(xi))
                axes = tuple(range(np.ndim(xj), np.ndim(xj) + np.ndim(xi))) + tuple(
                    range(np.ndim(xj)))
                row.append(np.transpose(block, axes).copy(order="C"))
            blocks.append(tuple(row))
        return blocks[0][0] if self._single else tuple(blocks)

    @property
    def source(self) -> str:
        return self._hvp.source

    def code_for_transforms(self):
        """Like :meth:`JacobianFunction.code_for_transforms`, with the forward-mode code
        of the gradient code (``hessian_f``): a transform of a function calling this one
        gives third derivatives."""
        return _written_out(self, self._hvp._jvp()._inner(0)._generate(None),
                            lambda generated: _column_code(
                                "hessian", self._hvp._grad.__wrapped__, self._indices,
                                self._single, generated, per_column=len(self._indices)))

    def __reduce__(self):  # the function and options: generated code is made anew
        return type(self), self._arguments

    def __repr__(self) -> str:
        return f"<hessian of {self.__wrapped__.__qualname__}>"

    def _repr_html_(self):
        """Jupyter shows the generated code, highlighted (see ``display``)."""
        return code_html(self)


def _written_out(transform, generated, write):
    """``write(generated)`` (a function written out over the generated code, for
    ``code_for_transforms``), written again only when ``generated`` is new: a transform
    of ``transform`` compiles the same function while nothing changed."""
    held = getattr(transform, "_written", None)
    if held is None or held[0] is not generated:
        held = transform._written = (generated, write(generated))
    return held[1]


def _positional(function):
    return [p for p in inspect.signature(function, follow_wrapped=False).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _call_code(kind, function, generated, part):
    """Compile ``kind_f(primals, tangents)``: ``generated`` (tangent code returning
    ``(value, tangent)``) called with ``primals[i]`` for each positional parameter of
    ``function`` and ``tangents[j]`` for each tangent it takes; the pair, or its element
    ``part``."""
    names = [p.name for p in _positional(function)]
    arguments = [f"primals[{i}]" for i in range(len(names))] + [
        f"{t}=tangents[{j}]" for j, t in enumerate(generated.context.tangent_names)]
    call = f"tangent_code({', '.join(arguments)})"
    body = f"    return {call}" if part is None else f"    return {call}[{part}]"
    return _compile_code(kind, function, f"(primals, tangents):\n{body}\n", generated, None)


def _compile_code(kind, function, text, generated, defaults):
    """Compile ``def kind_f`` + ``text`` (its parameters and body) calling ``generated``'s
    function as ``tangent_code``, registered in ``linecache`` like generated code (so that
    the compiler reads and inlines it)."""
    name = f"{kind}_{getattr(function, '__name__', 'f')}"
    if not name.isidentifier():
        name = kind
    scope = {"np": np, "tangent_code": generated.function, "__name__": "autodiff_ast.generated"}
    made = codegen.define(f"def {name}{text}", name, scope)[name]
    made.__defaults__ = defaults
    return made


def _column_code(kind, function, indices, single, generated, per_column):
    """Compile ``kind_f(<f's positional parameters>)``: for each differentiated parameter,
    one run of ``generated`` (tangent code returning ``(value, tangent)``, the tangent a
    tuple of ``per_column`` parts for a Hessian of several parameters) per element of
    it, the tangent a one there and zeros elsewhere; the columns stacked into blocks of
    shape ``part.shape + parameter.shape``."""
    parameters = _positional(function)
    names = [p.name for p in parameters]
    taken = set(names) | {"np", "tangent_code"}

    def local(name):
        while name in taken:
            name += "_"
        taken.add(name)
        return name

    k, basis, value, size = local("k"), local("basis"), local("value"), local("size")
    parts = [local(f"part{i}") for i in range(per_column)]
    tangent_names = generated.context.tangent_names
    blocks = {}
    lines = []
    for j, index in enumerate(indices):
        x = names[index]
        columns = [local(f"columns{i}_{j}") for i in range(per_column)]
        tangents = ", ".join(
            f"{t}=np.reshape({basis}, np.shape({x}))" if i == j
            else f"{t}=np.zeros_like({names[other]})"
            for i, (t, other) in enumerate(zip(tangent_names, indices)))
        target = parts[0] if per_column == 1 else "(" + ", ".join(parts) + ",)"
        lines += [f"    {size} = np.size({x})"]
        lines += [f"    {c} = []" for c in columns]
        lines += [f"    for {k} in range({size}):",
                  f"        {basis} = np.zeros({size})",
                  f"        {basis}[{k}] = 1.0",
                  f"        {value}, {target} = tangent_code({', '.join(names)}, {tangents})"]
        lines += [f"        {c}.append(np.ravel({part}))" for c, part in zip(columns, parts)]
        for i, c in enumerate(columns):
            block = local(f"block{i}_{j}")
            rows = f"np.shape({value})" if kind == "jacobian" else f"np.shape({names[indices[i]]})"
            lines.append(f"    {block} = np.reshape(np.stack({c}, axis=-1), {rows} + "
                         f"np.shape({x}))")
            blocks[i, j] = block
    if kind == "jacobian":
        result = blocks[0, 0] if single else "(" + ", ".join(
            blocks[0, j] for j in range(len(indices))) + ",)"
    else:
        result = blocks[0, 0] if single else "(" + ", ".join(
            "(" + ", ".join(blocks[i, j] for j in range(len(indices))) + ",)"
            for i in range(len(indices))) + ",)"
    defaults = tuple(p.default for p in parameters if p.default is not p.empty) or None
    signature = ", ".join(n if p.default is p.empty else f"{n}=None"
                          for n, p in zip(names, parameters))
    text = "\n".join([f"({signature}):"] + lines + [f"    return {result}"]) + "\n"
    return _compile_code(kind, function, text, generated, defaults)
