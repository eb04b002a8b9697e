"""Pass 6, activity: which values need an adjoint.

Takes a normal-form ``FunctionDef`` and the indices of the parameters to differentiate;
gives the set of *active* names: those that depend on a differentiated parameter
(forward) and that the returned value depends on (backward), both through
differentiable operations. Only active names get adjoints, so a data matrix ``X`` never
gets a ``dX``, and nothing flows through ``np.argmax``, ``x.shape`` or a comparison.

>>> import numpy as np
>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.normalize import normalize
>>> def f(W, X):
...     n = X.shape[0]
...     s = X @ W
...     return np.sum(s) / n
>>> fn, ctx = read(f)
>>> fn = normalize(resolve(fn, ctx), ctx)
>>> sorted(active_names(fn, ctx, ["W"]))
['W', '_t2', 'out', 's']
"""

from __future__ import annotations

import ast

from .normal_form import is_pop, statements
from .rules import registry

# Attributes of arrays whose values carry no gradient.
INACTIVE_ATTRIBUTES = {"shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "flags"}
INACTIVE_OPERATORS = (ast.FloorDiv, ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift,
                      ast.Not, ast.Invert)


def targets(stmt):
    """Names a simple normal-form statement assigns or changes (``y`` of ``y[i] = v`` and
    of ``y.append(v)``; ``t`` and ``y`` of ``t = y.pop()``)."""
    if isinstance(stmt, ast.Assign) and is_pop(stmt.value) \
            and isinstance(stmt.targets[0], ast.Name):
        return [stmt.targets[0].id, stmt.value.func.value.id]
    if isinstance(stmt, ast.Expr) and is_pop(stmt.value):
        return [stmt.value.func.value.id]
    if isinstance(stmt, ast.Assign):
        target = stmt.targets[0]
        if isinstance(target, ast.Tuple):
            return [e.id for e in target.elts]
        if isinstance(target, ast.Subscript):
            return [target.value.id]
        return [target.id]
    if _is_append(stmt):
        return [stmt.value.func.value.id]
    return []


def _is_append(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "append")


def operands(stmt, ctx):
    """Names whose adjoints the statement's value can contribute to (differentiable
    operand positions only): ``x`` in ``x[i]`` but not ``i``; nothing for ``x.shape``,
    comparisons or calls of non-differentiable functions."""
    if _is_append(stmt):
        return [n.id for n in (stmt.value.func.value, stmt.value.args[0])
                if isinstance(n, ast.Name)]
    if isinstance(stmt, (ast.Assign, ast.Expr)) and is_pop(stmt.value):
        return [stmt.value.func.value.id]
    if not isinstance(stmt, ast.Assign):
        return []
    value = stmt.value
    if isinstance(stmt.targets[0], ast.Subscript):  # y[i] = v: the new y holds old y and v
        return [n.id for n in (stmt.targets[0].value, value) if isinstance(n, ast.Name)]
    if isinstance(value, (ast.Compare, ast.BoolOp)):
        return []
    if isinstance(value, (ast.BinOp, ast.UnaryOp)) and isinstance(value.op, INACTIVE_OPERATORS):
        return []
    if isinstance(value, ast.Subscript):
        return [value.value.id]
    if isinstance(value, ast.Attribute):
        if value.attr in INACTIVE_ATTRIBUTES or not isinstance(value.value, ast.Name):
            return []
        return [value.value.id]
    if isinstance(value, ast.Call):
        try:
            callee = ctx.lookup(value.func)
        except (AttributeError, TypeError, KeyError):
            callee = None
        if callee is not None and registry.is_nondifferentiable(callee):
            return []
        nodes = value.args + [k.value for k in value.keywords]
    else:
        nodes = [value]
    return [n.id for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            and n.id not in ctx.namespace]


def active_names(fn, ctx, wrt_names):
    """The names of ``fn`` that need an adjoint; see the module docstring.

    Flow-insensitive over branches and loops (a name is varied if any assignment to it
    may be), repeated until nothing changes.
    """
    flows = _flows(fn, ctx)
    varied = vary(flows, wrt_names)
    returned = fn.body[-1].value
    useful = {returned.id} if isinstance(returned, ast.Name) else set()
    changed = True
    while changed:
        changed = False
        for assigned, read in reversed(flows):
            if any(name in useful for name in assigned) and not useful.issuperset(read):
                useful.update(read)
                changed = True
    return varied & useful


def varied_names(fn, ctx, wrt_names):
    """The names of ``fn`` that depend on a differentiated parameter through
    differentiable operations: those that get a tangent in forward mode."""
    return vary(_flows(fn, ctx), wrt_names)


def _flows(fn, ctx):
    simple = [s for s in statements(fn.body) if not isinstance(s, (ast.If, ast.For, ast.While))]
    return [(targets(s), operands(s, ctx)) for s in simple]


def vary(flows, wrt_names):
    """The names varied from ``wrt_names`` through ``flows``, a list of ``(names a
    statement assigns, names whose values flow into them)``, to a fixed point."""
    varied = set(wrt_names)
    changed = True
    while changed:
        changed = False
        for assigned, read in flows:
            if any(name in varied for name in read) and not varied.issuperset(assigned):
                varied.update(assigned)
                changed = True
    return varied
