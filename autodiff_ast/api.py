"""The public transforms: ``grad`` and ``value_and_grad``.

Both return a callable with the user's signature that runs the generated gradient code
(plain NumPy; no tape, no tracing). The code is generated on first use (or when
``.source`` is read) and cached per function and options.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import weakref
from typing import Any, Callable, overload

import numpy as np

from . import pipeline
from .display import code_html
from .rules import registry
from .source import compiled_function, is_transform, require_python_function
from .errors import AutodiffError, InputError, NonScalarOutputError, WrtError
from .runtime import shape
from .signatures import Function, Wrt
from .structures import as_float as structures_as_float
from .structures import leaves as structure_leaves
from .structures import rebuild as structure_rebuild
from .structures import structure_of

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@overload
def grad(function: Function, wrt: Wrt = 0, *, verbose: bool = False,
         check_finite: bool = False) -> GradientFunction: ...
@overload
def grad(function: None = None, wrt: Wrt = 0, *, verbose: bool = False,
         check_finite: bool = False) -> Callable[[Function], GradientFunction]: ...
def grad(function: Function | None = None, wrt: Wrt = 0, *, verbose: bool = False,
         check_finite: bool = False) -> GradientFunction | Callable[[Function], GradientFunction]:
    """The gradient of a scalar-valued ``function`` with respect to some of its parameters.

    Use it as ``@grad``, ``@grad(wrt=...)`` or ``grad(f, wrt=...)``. ``wrt`` is a
    parameter index or name, or a tuple of them: one gives one gradient, a tuple gives a
    tuple. Each gradient has the shape (and floating dtype) of its parameter; integer
    arguments are differentiated as floats. ``verbose=True`` prints the code after every
    compiler pass when the gradient is generated. ``check_finite=True`` makes code that
    checks every value of both sweeps and raises
    :class:`~autodiff_ast.errors.NonFiniteError` at the first NaN or infinity, naming
    your line and whether the value was born there or carried in (every transform takes
    it; without it the code has no checks).

    >>> import numpy as np
    >>> @grad(wrt=(0, 1))
    ... def f(x, y):
    ...     return np.sum(x * y)
    >>> f(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    (array([3., 4.]), array([1., 2.]))
    """
    if function is None:
        return lambda f: GradientFunction(f, wrt, "grad", verbose, check_finite)
    return GradientFunction(function, wrt, "grad", verbose, check_finite)


@overload
def value_and_grad(function: Function, wrt: Wrt = 0, *, verbose: bool = False,
                   check_finite: bool = False) -> GradientFunction: ...
@overload
def value_and_grad(function: None = None, wrt: Wrt = 0, *, verbose: bool = False,
                   check_finite: bool = False) -> Callable[[Function], GradientFunction]: ...
def value_and_grad(function: Function | None = None, wrt: Wrt = 0, *, verbose: bool = False,
                   check_finite: bool = False
                   ) -> GradientFunction | Callable[[Function], GradientFunction]:
    """Like :func:`grad`, but the call returns ``(value, gradients)``, computing the value
    once (it is the forward sweep of the gradient code).

    >>> import numpy as np
    >>> @value_and_grad
    ... def f(x):
    ...     return np.sum(x ** 2)
    >>> f(np.array([1.0, 2.0]))
    (np.float64(5.0), array([2., 4.]))
    """
    if function is None:
        return lambda f: GradientFunction(f, wrt, "value_and_grad", verbose, check_finite)
    return GradientFunction(function, wrt, "value_and_grad", verbose, check_finite)


class GradientFunction:
    """A function's gradient: callable with the function's signature.

    ``.source`` is the generated Python text, ``.generated_function`` the plain function
    that runs (for ``pdb`` and ``inspect``), ``.__wrapped__`` the original function.

    The generated code is checked at each call against what its compile read (the
    function's code and defaults, the helpers it inlined, the functions and modules its
    names referred to; see :mod:`~autodiff_ast.captured`) and generated again when any
    of them changed: it is always the gradient of the code that runs now. A transform is
    pickled and copied as the function and options it was made from, and generates its
    code again when first used.
    """

    __wrapped__: Function  # set by functools.update_wrapper

    def __init__(self, function: Function, wrt: Wrt, mode: str, verbose: bool = False,
                 check_finite: bool = False) -> None:
        self._arguments = (function, wrt, mode, verbose, check_finite)  # a copy's makings
        self._target = function
        function = compiled_function(function)  # grad(grad(f)): through grad(f)'s code
        functools.update_wrapper(self, function)
        self._mode, self._verbose, self._wrt = mode, verbose, wrt
        self._check_finite = check_finite
        self._indices, self._single, self._names = _normalize_wrt(function, wrt, mode)
        self._plan = tuple(zip(self._indices, self._names))
        self._generated = None
        self._generation = None
        self._shapes = None  # the parameter structures of the latest call, if any

    def __reduce__(self):
        return type(self)._from_arguments, (self._arguments,)

    @classmethod
    def _from_arguments(cls, arguments):
        made = cls.__new__(cls)
        GradientFunction.__init__(made, *arguments)
        return made

    # ----- the generated code --------------------------------------------------------

    def _generate(self, shapes=None):
        """The generated code, for arguments whose dict/list/tuple structures are
        ``shapes`` (one per differentiated parameter; ``None`` for arrays), generated
        anew when rules were registered since or what its compile read has changed."""
        generated = self._generated
        generation = registry.GENERATION[0]
        if shapes is None and generated is not None and self._generation == generation \
                and generated.current():
            return generated
        key = (self._indices, self._single, self._mode, generation, shapes,
               self._check_finite)
        before = self.__wrapped__
        generated = None if self._verbose else self._cached(before, key)
        if generated is None:
            function = self._function()
            if function is not before:  # the inner transform's code, generated anew
                key = (self._indices, self._single, self._mode, generation, shapes,
                       self._check_finite)
                generated = None if self._verbose else self._cached(function, key)
        if generated is None:
            named = dict(zip(self._names, shapes)) if shapes else None
            generated = pipeline.compile_gradient(
                function, self._indices, self._mode, self._single, self._verbose, named,
                check_finite=self._check_finite)
            try:
                _CACHE.setdefault(function, {})[key] = generated
            except TypeError:  # not weak-referenceable
                pass
        if shapes is None:
            self._generated, self._generation = generated, generation
        self._shapes = shapes
        return generated

    @staticmethod
    def _cached(function, key):
        """The code generated for ``function`` and ``key`` (by any transform of it), if it
        is still current."""
        try:
            generated = _CACHE.get(function, {}).get(key)
        except TypeError:  # not weak-referenceable
            return None
        return generated if generated is not None and generated.current() else None

    def _function(self):
        """The function to compile now: for a transform of a transform (``grad(grad(f))``,
        ``grad(jacobian(f))``), the inner one's generated code as it is now, which it
        may have generated anew; else the function given."""
        if not is_transform(self._target):
            return self.__wrapped__
        function = compiled_function(self._target)
        if function is not self.__wrapped__:
            self.__wrapped__ = function
            self._indices, self._single, self._names = _normalize_wrt(
                function, self._wrt, self._mode)
            self._plan = tuple(zip(self._indices, self._names))
        return function

    @property
    def source(self) -> str:
        """The generated gradient function's Python source (for the parameter
        structures of the latest call, when it had dicts, lists or tuples of arrays)."""
        return self._generate(self._shapes).source

    @property
    def generated_function(self) -> Function:
        """The generated gradient function itself (plain Python; takes ``dout=1.0``)."""
        return self._generate(self._shapes).function

    # ----- calling ---------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        generated, args, kwargs, inputs, seed = self._prepare(args, kwargs)
        function = generated.function
        if seed is not None:
            # The adjoint sweep starts from a one of the inputs' (lower) precision, so
            # that float32 inputs give float32 adjoints all the way through.
            kwargs[generated.context.seed] = seed.type(1.0)
        try:
            result = function(*args, **kwargs)
        except NonScalarOutputError as error:
            if not getattr(error, "one_element", False) or type(self) is not GradientFunction:
                raise
            kwargs.pop(generated.context.seed, None)  # vjp's code takes no seed
            return self._one_element(args, kwargs, inputs)
        if self._mode == "value_and_grad":
            value, grads = result
            return value, self._finish(grads, inputs)
        return self._finish(result, inputs)

    def _prepare(self, args, kwargs):
        """The generated code for this call, its arguments (differentiated integers as
        floats), the differentiated inputs and the dtype to seed with; the user's global
        data names the code reads are read afresh."""
        if isinstance(self._target, GradientFunction) and self._target.specialise(args, kwargs):
            self._generated = None  # the inner gradient's code changed with the structures
        args, kwargs, inputs, seed, shapes = self._inputs(args, kwargs)
        generated = self._generated
        if shapes is not None or generated is None \
                or self._generation != registry.GENERATION[0] or not generated.current():
            generated = self._generate(shapes)
        if generated.context.called_defaults:
            _check_called_defaults(self.__wrapped__, generated.context.called_defaults,
                                   args, kwargs)
        refresh = generated.context.refresh
        if refresh:
            namespace = generated.function.__globals__
            for name, (kind, source, original) in refresh.items():
                namespace[name] = source[original] if kind == "global" else source.cell_contents
        return generated, args, kwargs, inputs, seed

    def specialise(self, args, kwargs):
        """Make ``.generated_function`` the code for the parameter structures of this
        call's arguments, as a call would (a transform of this one, ``vjp(grad(f))(params,
        X)`` with a dict ``params``, differentiates that code). Did it change?"""
        shapes = self._inputs(args, dict(kwargs))[4]
        if shapes == self._shapes:
            return False
        self._generate(shapes)
        return True

    def _inputs(self, args, kwargs):
        """The call's arguments with differentiated integers as floats; the inputs being
        differentiated; the dtype to seed the sweep with; their structures (``None``
        when all are arrays or numbers)."""
        inputs = []
        seed = None
        shapes = None
        count = len(args)
        for position, (index, name) in enumerate(self._plan):
            if index < count:
                value = args[index]
            elif name in kwargs:
                value = kwargs[name]
            else:
                value = _default(self.__wrapped__, name)
            kind = type(value)
            if kind is dict or kind is list or isinstance(value, tuple):
                shape = structure_of(value)
                if shape is not None:
                    shapes = shapes or [None] * len(self._plan)
                    shapes[position] = shape
                    floating = structures_as_float(value, shape)
                    leaves = structure_leaves(floating, shape)
                    for leaf in leaves:
                        _check_input(leaf, f"an element of {name}", self._mode)
                else:
                    floating = _check_input(_as_float(value), name, self._mode)
                    leaves = [floating]
            else:
                floating = value if kind is float else _as_float(value)
                if type(floating) is not float and (type(floating) is not np.ndarray
                                                    or floating.dtype.kind != "f"):
                    floating = _check_input(floating, name, self._mode)
                leaves = (floating,)
            if floating is not value:
                if index < count:
                    args = args[:index] + (floating,) + args[index + 1:]
                else:
                    kwargs[name] = floating
            inputs.append(floating)
            for leaf in leaves:
                if type(leaf) is np.ndarray and leaf.dtype.char in "fe":
                    seed = leaf.dtype if seed is None else np.promote_types(seed, leaf.dtype)
        return args, kwargs, inputs, seed, tuple(shapes) if shapes else None

    def _one_element(self, args, kwargs, inputs):
        """An output of shape (1,) or (1, 1) is taken as a scalar, as autograd does: the
        gradient is the pullback of ones (the value is returned as it is)."""
        from .transforms import vjp

        wrt = self._names[0] if self._single else tuple(self._names)
        value, pullback = vjp(self.__wrapped__, wrt=wrt)(*args, **kwargs)
        grads = self._finish(pullback(np.ones_like(value)), inputs)
        return (value, grads) if self._mode == "value_and_grad" else grads

    def _finish(self, grads, inputs):
        if self._single:
            return _finish_one(grads, inputs[0], ())
        done = []
        for g, x in zip(grads, inputs):
            done.append(_finish_one(g, x, done))
        return tuple(done)

    def __repr__(self) -> str:
        return f"<{self._mode} of {self.__wrapped__.__qualname__} wrt {self._names}>"

    def _repr_html_(self):
        """Jupyter shows the generated code, highlighted (see ``display``)."""
        return code_html(self)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return functools.partial(self, instance)


def _finish_one(g, x, earlier):
    """Give the gradient ``g`` of input ``x`` the input's shape, kind and floating dtype,
    as an array of its own (not a read-only view, not shared with another gradient)."""
    kind = type(g)
    if isinstance(x, (dict, list, tuple)) and isinstance(g, (dict, list, tuple)):
        layout = structure_of(x)
        if layout is not None:
            done = list(earlier)
            for g_leaf, x_leaf in zip(structure_leaves(g, layout), structure_leaves(x, layout)):
                done.append(_finish_one(g_leaf, x_leaf, done))
            return structure_rebuild(layout, iter(done[len(earlier):]))
    if kind is np.ndarray and type(x) is np.ndarray:  # the common cases, checked quickly
        if g.shape == x.shape and g.dtype == x.dtype and (g.base is None or g.flags.writeable):
            for e in earlier:
                if e is g:
                    break
            else:
                return g
    elif type(x) is float and (kind is float or kind is np.float64):
        return g
    if isinstance(g, np.ndarray):
        if not g.flags.writeable or any(g is e for e in earlier):
            g = g.copy()
        if not isinstance(x, np.ndarray) and g.ndim == 0:
            g = g[()]
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" \
            and getattr(g, "dtype", x.dtype) != x.dtype:
        g = np.asarray(g, dtype=x.dtype) if np.ndim(g) else x.dtype.type(g)
    if shape(g) != shape(x):
        raise AutodiffError(
            f"internal error: a gradient of shape {np.shape(g)} was computed for an input of "
            f"shape {np.shape(x)}; please report this with the generated source (.source)")
    return g


def _variadic_error(function, message):
    """A :class:`WrtError` pointing at the ``*args`` (or ``**kwargs``) parameter of
    ``function`` in its source, when the source can be read."""
    from .errors import located
    from .source import read

    try:
        fn, ctx = read(function)
    except AutodiffError:
        return WrtError(message)
    return located(WrtError, message, ctx, fn.args.vararg or fn.args.kwarg or fn)


def _as_float(value):
    """Differentiated integer (and boolean) inputs are treated as floats."""
    kind = type(value)
    if kind is float or kind is np.ndarray and value.dtype.kind == "f":
        return value
    if kind is bool or kind is int:
        return float(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biu":
            return value.astype(np.float64)
        return value
    if isinstance(value, (list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind in "biuf":
            return array.astype(np.float64) if array.dtype.kind != "f" else array
    return value


def _check_input(value, name, mode):
    """``value``, a differentiated input, if it can be differentiated (a masked array
    with no element masked as its data); else an :class:`InputError` saying what to do."""
    if isinstance(value, np.ma.MaskedArray):
        if np.ma.getmask(value) is np.ma.nomask or not np.any(np.ma.getmaskarray(value)):
            return np.ma.getdata(value)
        raise InputError(
            f"{mode}: {name} is a masked array with masked elements: its value would honour "
            f"the mask but its gradient would not. Pass {name}.filled(fill_value) or "
            f"np.ma.getdata({name}) and apply the mask explicitly in the function (for "
            f"example np.where(mask, 0.0, {name}) or a sum weighted by ~mask)")
    if np.iscomplexobj(value):
        raise InputError(
            f"{mode}: {name} is complex: complex inputs are not supported. Differentiate "
            f"with respect to its real and imaginary parts, passed as two float arrays "
            f"({name}.real and {name}.imag), and build the complex value inside the function")
    if not isinstance(value, (np.ndarray, np.number, np.bool_, float, int)):
        hint = (f" (a dataclass: pass dataclasses.asdict({name}) and read {name}['W'])"
                if dataclasses.is_dataclass(value) else "")
        raise InputError(
            f"{mode}: {name} is a {type(value).__name__}, which cannot be differentiated: "
            f"pass an array or a number, or a dict, list, tuple or namedtuple of them{hint}")
    return value


@functools.lru_cache(maxsize=256)
def _positional_names(function):
    """The names of ``function``'s parameters that may be passed by position."""
    return tuple(p.name for p in inspect.signature(function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _check_called_defaults(function, defaults, args, kwargs):
    """The generated code calls the callable defaults of ``defaults`` (name -> default)
    itself: a call passing another callable for one of them is an error, not a gradient
    of the default."""
    positional = _positional_names(function)
    for name, default in defaults.items():
        index = positional.index(name) if name in positional else len(args)
        value = args[index] if index < len(args) else kwargs.get(name, default)
        if value is not default:
            raise AutodiffError(
                f"{function.__qualname__}: the parameter {name} defaults to {default!r}, which "
                f"the gradient code calls; passing another callable ({value!r}) is not "
                f"supported: differentiate a function that calls the one you want "
                f"directly (or has it as its default)")


def _default(function, name):
    parameter = inspect.signature(function).parameters[name]
    if parameter.default is inspect.Parameter.empty:
        raise TypeError(f"{function.__qualname__}() missing argument '{name}'")
    return parameter.default


def _normalize_wrt(function, wrt, mode):
    """``(indices, single, names)`` for a ``wrt`` of indices and/or names."""
    if inspect.ismethod(function):
        kind = "classmethod" if isinstance(function.__self__, type) else "method"
        raise AutodiffError(
            f"{mode}: {function.__qualname__} is a bound {kind}; methods are not supported "
            f"yet: differentiate a plain function that takes the parameters explicitly "
            f"(def loss(W, b, x): ...), called from the method if you like")
    require_python_function(function)
    signature = inspect.signature(function, follow_wrapped=False)  # a decorator's wrapper's
    parameters = [p for p in signature.parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names = [p.name for p in parameters]
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    if not items:
        raise WrtError(f"{mode}: wrt is empty; give at least one parameter index or name")
    indices = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise WrtError(f"{mode}: wrt must hold parameter indices or names, got {item!r}")
        if isinstance(item, str):
            if item not in names:
                raise WrtError(f"{mode}: {function.__qualname__} has no parameter named "
                               f"{item!r}; its parameters are {', '.join(names) or 'none'}")
            index = names.index(item)
        else:
            index = item + len(names) if item < 0 else item
            if not 0 <= index < len(names):
                variadic = [p for p in signature.parameters.values()
                            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
                message = (f"{mode}: wrt={item} is out of range: {function.__qualname__} "
                           f"has {len(names)} parameter{'s' if len(names) != 1 else ''} "
                           f"({', '.join(names) or 'none'})")
                if variadic:
                    raise _variadic_error(function, message + (
                        "; *args and **kwargs parameters cannot be differentiated: list the "
                        "parameters explicitly (def f(x, y): ...), or take the arrays as one "
                        "list or tuple parameter (def f(xs): ... xs[0] ...) and differentiate "
                        "it, which gives a gradient of the same structure"))
                raise WrtError(message)
        if index in indices:
            raise WrtError(f"{mode}: parameter {names[index]!r} is listed twice in wrt")
        indices.append(index)
    return tuple(indices), single, tuple(names[i] for i in indices)
