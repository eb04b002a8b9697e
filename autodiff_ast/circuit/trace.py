"""Trace: run a function's normal form and its adjoint sweep once, keeping every value.

Takes a Python function, example arguments and the indices of the parameters to
differentiate; gives a :class:`Trace`: the normal-form statements (one operation each,
see ``normal_form``), the value every name had after the forward sweep and its adjoint
after the adjoint sweep (``None`` for inactive names), and the compile context (for the
user's lines and files). The adjoints are those of the compiler's own reverse pass: the
normal form's locals are renamed ``v1, v2, ...`` first, so that the reverse pass names
the adjoint of ``v3`` exactly ``dv3``, and the unsimplified gradient function is run
with its ``return`` replaced by ``return locals()``.

>>> def f(x, y, z):
...     q = x + y
...     return q * z
>>> t = trace(f, (-2.0, 5.0, -4.0), (0, 1, 2))
>>> [(t.display[n], t.values[n], t.adjoints[n]) for n in t.params]
[('x', -2.0, -4.0), ('y', 5.0, -4.0), ('z', -4.0, 3.0)]
"""

from __future__ import annotations

import ast
import dataclasses
import inspect

import numpy as np

from .. import codegen, normal_form, pipeline, source
from ..astutil import clone, local_names
from ..errors import AutodiffError, NonScalarOutputError
from ..reverse import parameter_names, reverse

# what a circuit cannot draw: normal-form statement kinds that are not one gate
UNDRAWABLE = {
    "if": "a branch (if)",
    "for": "a loop (for)",
    "while": "a loop (while)",
    "store": "a write into an array (a[i] = ...)",
    "append": "a list append",
    "pop": "a list pop",
}


class CircuitError(AutodiffError):
    """A function (or an argument) that a circuit cannot be drawn for."""


@dataclasses.dataclass
class Trace:
    """One run of a function's normal form and adjoint sweep (see the module docstring).

    ``statements`` are the normal-form statements in order (names renamed), ``params``
    the renamed parameters, ``result`` the name returned, ``display`` maps each renamed
    name to the user's (or compiler's) name, ``values``/``adjoints`` map it to its value
    and adjoint, ``data`` maps the global data names the code reads to their values."""

    statements: list
    params: list
    result: str
    display: dict
    values: dict
    adjoints: dict
    data: dict
    context: object


def trace(function, args, wrt):
    """The :class:`Trace` of ``function`` called with ``args``, differentiated with
    respect to the parameters at indices ``wrt``."""
    fn, ctx = source.read(function, tuple(wrt), "grad", False)
    for name, run in pipeline.PASSES:
        if name == "reverse":
            break
        fn = run(fn, ctx)
    _check_drawable(fn.body, ctx)
    display = _rename(fn, ctx)
    # gates: not prints, asserts or functions defined in the function (they still run)
    statements = [clone(s) for s in fn.body[:-1]  # clones: reverse changes fn's
                  if normal_form.kind(s, ctx) != "forward_only"]
    result = fn.body[-1].value.id if isinstance(fn.body[-1].value, ast.Name) else None
    params = parameter_names(fn)
    snapshot = _run_sweeps(reverse(fn, ctx), ctx, function, args, params)
    values = {name: snapshot[name] for name in display if name in snapshot}
    adjoints = {name: snapshot.get("d" + name) for name in display}
    if result is not None:
        adjoints[result] = 1.0  # the seed: the adjoint sweep starts from dout = 1
    data = {n.id: ctx.namespace[n.id] for s in statements for n in ast.walk(s)
            if isinstance(n, ast.Name) and n.id not in display and _is_data(n.id, ctx)}
    return Trace(statements, params, result, display, values, adjoints, data, ctx)


def as_differentiable(value):
    """A differentiated argument as the gradient transforms take it: integers as floats,
    lists and tuples of numbers as float arrays; a dict is a :class:`CircuitError`."""
    if isinstance(value, (bool, int)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":
        return value.astype(np.float64)
    if isinstance(value, dict):
        raise CircuitError("circuit: differentiated arguments must be numbers or arrays, "
                           "not dicts")
    return value


def _check_drawable(body, ctx):
    """Raise a located :class:`CircuitError` at the first statement that is not one gate."""
    for stmt in normal_form.statements(body):
        what = UNDRAWABLE.get(normal_form.kind(stmt, ctx))
        if what is not None:
            raise ctx.error(stmt, f"circuit: cannot draw {what}: a circuit is drawn for "
                                  f"straight-line code (one gate per operation)", CircuitError)


def _rename(fn, ctx):
    """Rename every local of ``fn`` (parameters too) to ``v1, v2, ...``, names that
    neither they nor ``d`` + they are in use; give new name -> old name."""
    old_names = sorted(local_names(fn), key=_first_use(fn))
    mapping, number = {}, 0
    for old in old_names:
        while True:
            number += 1
            new = f"v{number}"
            if new not in ctx.names and "d" + new not in ctx.names:
                break
        mapping[old] = new
        ctx.names.add(new)
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id]
        elif isinstance(node, ast.arg) and node.arg in mapping:
            node.arg = mapping[node.arg]
    return {new: old for old, new in mapping.items()}


def _first_use(fn):
    """A sort key: names in the order the function first mentions them."""
    order = {}
    for arg in parameter_names(fn):
        order.setdefault(arg, len(order))
    for stmt in fn.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name):
                order.setdefault(node.id, len(order))
    return lambda name: (order.get(name, len(order)), name)


def _run_sweeps(fn, ctx, function, args, params):
    """Run the unsimplified gradient function ``fn`` on ``args`` (bound to ``function``'s
    signature); give its locals at the end of the adjoint sweep."""
    body = [s for s in fn.body if not codegen.is_comment(s)]
    body[-1] = ast.Return(ast.Call(ast.Name("locals", ast.Load()), [], []))
    fn.body = body
    fn.decorator_list = []
    # every argument is passed (defaults applied below): no default is evaluated here
    fn.args.defaults = [ast.Constant(None) for _ in fn.args.defaults]
    fn.args.kw_defaults = [None if d is None else ast.Constant(None)
                           for d in fn.args.kw_defaults]
    text = ast.unparse(ast.fix_missing_locations(fn))
    scope = codegen.define(text, f"circuit of {fn.name}", dict(ctx.namespace))
    try:
        bound = inspect.signature(function).bind(*args)
    except TypeError as exc:
        raise CircuitError(f"circuit: the arguments do not fit "
                           f"{function.__qualname__}: {exc}") from None
    bound.apply_defaults()
    values = [as_differentiable(v) if i in ctx.wrt else v
              for i, v in enumerate(bound.arguments.values())]
    count = len(fn.args.posonlyargs) + len(fn.args.args)
    keywords = dict(zip(params[count:], values[count:]))  # keyword-only, renamed
    keywords[ctx.seed] = 1.0
    try:
        return scope[fn.name](*values[:count], **keywords)
    except NonScalarOutputError as error:
        raise NonScalarOutputError(
            f"circuit: {error} A circuit draws the gradient of a scalar: draw the "
            f"reduced output (np.sum of it, say).") from None


def _is_data(name, ctx):
    """A global value the code reads (an array, a number), not a function or module."""
    value = ctx.namespace.get(name)
    return name in ctx.namespace and not callable(value) and not inspect.ismodule(value)
