"""The ``check_finite`` pass: generated code that stops at the first NaN or infinity.

Runs after ``simplify`` (and ``split``) when a transform is made with
``check_finite=True``; without it the pipeline never calls it and the generated code is
the same text as ever. Takes the finished ``FunctionDef``; gives it back with a call of
:func:`check_finite` after every assignment (the values it bound, and the operands it
read) and a call of :func:`check_arguments` before every statement that reads a value
no checked statement made (an argument, the seed ``dout``, a global array), in the
forward sweep, the adjoint sweep and a ``vjp``'s pullback alike. Each call names a
:class:`Site`: the generated statement's text and the user's line it comes from, so the
:class:`~autodiff_ast.errors.NonFiniteError` it raises points at the user's line with a
caret and says whether the value was born there (finite operands) or carried in.

>>> import ast
>>> from autodiff_ast.context import Context
>>> fn = ast.parse("def grad_f(x, dout=1.0):\\n    dx = dout / x\\n    return dx").body[0]
>>> checked = instrument(fn, Context(None, "f.py", 0, 0, ["return 1 / x"]))
>>> print(ast.unparse(checked))  # doctest: +ELLIPSIS
def grad_f(x, dout=1.0):
    check_arguments(..., dout, x)
    dx = dout / x
    check_finite(..., dx, dout, x)
    return dx

The numbers name the sites (one table for the process: each compile adds its own).
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import math
import types

import numpy as np

from . import errors, fence
from .astutil import clone, unparse
from .codegen import is_comment

_SITES: dict[int, "Site"] = {}
_NUMBERS = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Site:
    """A checked statement: its generated text, the names of the operands passed with it
    (after the value, for :func:`check_finite`; all of them, for
    :func:`check_arguments`), what those names are (``"an argument"``), the user's
    source location (``Context.location``'s tuple) and the transform (``"grad of f"``)."""

    statement: str
    operands: tuple
    kinds: tuple
    location: tuple
    function: str


def check_finite(site, value, *operands):
    """``None`` when every number in ``value`` (an array, a number, or a list, tuple or
    dict of them) is finite; else raise :class:`~autodiff_ast.errors.NonFiniteError` for
    the statement ``site`` that made it: carried in when one of ``operands`` (its
    inputs, read after it ran) is already non-finite, else born there."""
    if _finite(value):
        return
    record = _SITES.get(site)
    if record is None:  # code exported and run elsewhere: no table of sites
        raise errors.NonFiniteError(f"a non-finite value ({_describe(value)}) was made")
    for name, operand in zip(record.operands, operands):
        if not _finite(operand):
            raise _error(record, f"`{record.statement}` gave {_describe(value)}: carried "
                                 f"in, its operand {name} was already {_describe(operand)}")
    read, many = ", ".join(record.operands), len(record.operands) > 1
    reads = f" (its operand{'s' * many} {read} {'were' if many else 'was'} finite)" if read else ""
    raise _error(record, f"`{record.statement}` gave {_describe(value)}: born here{reads}")


def check_arguments(site, *values):
    """``None`` when the values that statement ``site`` reads from outside the checked
    code (arguments, the seed, globals) are finite; else raise
    :class:`~autodiff_ast.errors.NonFiniteError`: the non-finite value was carried in."""
    for index, value in enumerate(values):
        if not _finite(value):
            record = _SITES.get(site)
            if record is None:  # code exported and run elsewhere: no table of sites
                raise errors.NonFiniteError(f"a non-finite value ({_describe(value)}) was "
                                            f"read")
            raise _error(record, f"`{record.statement}` reads {record.operands[index]} "
                                 f"({record.kinds[index]}), which is {_describe(value)}: "
                                 f"carried in, not born here")


# Checked code may be differentiated again (grad(grad(f, check_finite=True))): the checks
# stand alone as statements there, forward only, like ensure_scalar.
fence.CHECKS.update((check_finite, check_arguments))


def instrument(fn, ctx):
    """Insert the checks into ``fn`` (changed in place and returned); see the module
    docstring."""
    finite = ctx.bind(check_finite, "check_finite")
    arguments = ctx.bind(check_arguments, "check_arguments")
    _Instrumenter(ctx, finite, arguments).function(fn, checked=set())
    return fn


class _Instrumenter:
    def __init__(self, ctx, finite, arguments):
        self.ctx, self.finite, self.arguments = ctx, finite, arguments

    def function(self, fn, checked):
        """Instrument the body of ``fn``, whose enclosing functions checked the names
        ``checked`` when they bound them."""
        parameters = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
        bound = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Store)}
        defined = {n.name for n in ast.walk(fn) if isinstance(n, ast.FunctionDef)}
        self.outside = {}  # name -> what it is, for names read but bound by no check
        seed, tangents = getattr(self.ctx, "seed", None), getattr(self.ctx, "tangent_names", ())
        for name in parameters - checked:
            self.outside[name] = ("the cotangent" if checked else "the adjoint's seed") \
                if name == seed else "a tangent" if name in tangents else "an argument"
        namespace = self.ctx.namespace
        self.code = {name for name, value in namespace.items() if not _may_be_data(value)}
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) \
                    and node.id not in bound | parameters | defined | checked \
                    and node.id in namespace and node.id not in self.code:
                self.outside[node.id] = "a global"
        function = getattr(self.ctx.function, "__qualname__", fn.name)
        self.name = f"{self.ctx.mode} of {function}"
        # reverse puts comments above adjoint statements only: the adjoint sweep starts at
        # the first comment (statements simplify folded into it run there too)
        self.sweep = "the tangent code" if self.ctx.mode == "jvp" else \
            "the adjoint sweep" if checked else "the forward sweep"
        outside = self.outside
        fn.body = self.block(fn.body, fn, top=self.ctx.mode != "jvp" and not checked)
        for stmt in fn.body:
            if isinstance(stmt, ast.FunctionDef):  # vjp's pullback
                self.function(stmt, checked | bound | parameters)
                self.outside = outside

    def block(self, body, parent, top=False):
        out = []
        origin = parent
        for stmt in body:
            if top and is_comment(stmt):
                self.sweep = "the adjoint sweep"
            if is_comment(stmt) or isinstance(stmt, ast.FunctionDef):
                out.append(stmt)
                continue
            if getattr(stmt, "lineno", None) is not None:
                origin = stmt
            read = [n for n in _reads(stmt) if n not in self.code]
            outside = [n for n in read if n in self.outside]
            if outside:
                site = self.site(_header(stmt), outside,
                                 [self.outside[n] for n in outside], origin)
                out.append(self.call(self.arguments, site, [], outside, origin))
            if isinstance(stmt, (ast.If, ast.For, ast.While)):
                stmt.body = self.block(stmt.body, origin) or [ast.Pass()]
                stmt.orelse = self.block(stmt.orelse, origin)
            out.append(stmt)
            targets = _targets(stmt)
            if targets is not None:
                stored = {n.id for t in targets for n in ast.walk(t)
                          if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                operands = [n for n in read if n not in stored]
                site = self.site(_header(stmt), operands, (), origin)
                values = [_load(t) for t in targets]
                value = values[0] if len(values) == 1 else ast.Tuple(values, ast.Load())
                out.append(self.call(self.finite, site, [value], operands, origin))
        return out

    def site(self, statement, operands, kinds, origin):
        number = next(_NUMBERS)
        _SITES[number] = Site(statement, tuple(operands), tuple(kinds),
                              self.ctx.location(origin), f"{self.name}, in {self.sweep}")
        return number

    @staticmethod
    def call(function, site, values, names, origin):
        arguments = [ast.Constant(site)] + values + [ast.Name(n, ast.Load()) for n in names]
        stmt = ast.Expr(ast.Call(ast.Name(function, ast.Load()), arguments, []))
        return ast.copy_location(stmt, origin)


def _targets(stmt):
    """The expressions an assignment binds or writes (``None`` for other statements)."""
    if isinstance(stmt, ast.Assign):
        found = []
        for target in stmt.targets:
            found += target.elts if isinstance(target, ast.Tuple) else [target]
        return [t for t in found if isinstance(t, (ast.Name, ast.Subscript))] or None
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, (ast.Name, ast.Subscript)):
        return [stmt.target]
    return None


def _load(target):
    """``target`` (a name or a subscript written to) read back."""
    node = clone(target)
    for part in ast.walk(node):
        if hasattr(part, "ctx"):
            part.ctx = ast.Load()
    return node


def _reads(stmt):
    """The names ``stmt`` reads, in order, once each (a compound statement's header
    only: its test or iterable)."""
    parts = [stmt]
    if isinstance(stmt, (ast.If, ast.While)):
        parts = [stmt.test]
    elif isinstance(stmt, ast.For):
        parts = [stmt.iter]
    names = [n.id for part in parts for n in ast.walk(part)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        names.insert(0, stmt.target.id)  # x += v reads x
    return list(dict.fromkeys(names))


def _header(stmt):
    """The text of ``stmt``, or of a compound statement's first line."""
    if isinstance(stmt, (ast.If, ast.While)):
        return f"{'if' if isinstance(stmt, ast.If) else 'while'} {unparse(stmt.test)}:"
    if isinstance(stmt, ast.For):
        return f"for {unparse(stmt.target)} in {unparse(stmt.iter)}:"
    return unparse(stmt)


def _may_be_data(value):
    """Could a global of this value hold numbers (not a module, function or class)?"""
    return not isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
                                  type, np.ufunc)) and not callable(value)


def _finite(value):
    kind = type(value)
    if kind is float:
        return math.isfinite(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.isfinite(value).all())
    if isinstance(value, (np.floating, np.complexfloating)):
        return bool(np.isfinite(value))
    if kind is complex:
        return math.isfinite(value.real) and math.isfinite(value.imag)
    if kind is list or kind is tuple:
        return all(_finite(v) for v in value)
    if kind is dict:
        return all(_finite(v) for v in value.values())
    return True


def _describe(value):
    """``nan``, ``inf``, or for an array which elements are not finite."""
    if isinstance(value, (list, tuple)):
        return next(f"{_describe(v)} in item {i}" for i, v in enumerate(value)
                    if not _finite(v))
    if isinstance(value, dict):
        return next(f"{_describe(v)} in [{k!r}]" for k, v in value.items() if not _finite(v))
    array = np.asarray(value)
    bad = ~np.isfinite(array)
    first = array[bad].flat[0] if array.ndim else array[()]
    if array.ndim == 0:
        return str(float(first)) if not np.iscomplexobj(first) else str(first)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (f"{float(first) if not np.iscomplexobj(first) else first} at index {index} "
            f"({int(bad.sum())} of {array.size} elements not finite)")


def _error(record, message):
    return errors.NonFiniteError(f"{record.function}: {message}"
                                 f"{errors.where(*record.location)}")
