"""Shape facts known without running the code: which names surely have equal shapes,
and which are surely scalars.

Takes a normal-form ``FunctionDef``; gives a :class:`ShapeFacts`. ``reverse`` uses it to
emit ``unbroadcast`` only where an argument's shape can differ from the result's (the
``b`` of ``x @ W + b``, not the ``x`` of ``x * 2.0`` or of ``np.exp(x) / x``), and to
skip the scalar-output check when the function ends in a full reduction. When the
output is known to be a scalar (``grad`` checks it before the adjoint sweep), so are the
operands of the elementwise operations that compute it: ``q`` and ``z`` in ``q * z``.

>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.normalize import normalize
>>> def f(x, b):
...     e = np.exp(-x)
...     y = e / x + b
...     return np.sum(y)
>>> fn, ctx = read(f)
>>> facts = ShapeFacts(normalize(resolve(fn, ctx), ctx), ctx)
>>> facts.same("e", "x"), facts.same("y", "x"), facts.scalar("out")
(True, False, True)
>>> facts.representative("e")
'x'

"""

from __future__ import annotations

import ast
import builtins

import numpy as np

from .rules import registry

# Calls whose result is a scalar when no axis is given.
FULL_REDUCTIONS = {np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.var, np.std,
                   np.linalg.norm, np.vdot, np.ptp, np.median, np.average, np.nansum,
                   np.nanmean, builtins.float, builtins.len}


class ShapeFacts:
    """Equal-shape classes (union-find over names) and the set of surely scalar names."""

    def __init__(self, fn, ctx, scalar_output=False):
        self.parent: dict[str, str] = {}
        self.scalars: set[str] = set()
        self._roots = None  # (len(scalars), roots of their classes) when last computed
        self.order: dict[str, int] = {}
        args = fn.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            self.order[arg.arg] = -1
        for i, stmt in enumerate(fn.body):
            if not isinstance(stmt, ast.Assign):
                continue
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                self.order.setdefault(target.id, i)
                self._learn(target.id, stmt.value, ctx)
            elif isinstance(target, ast.Tuple):
                for element in target.elts:
                    self.order.setdefault(element.id, i)
        if scalar_output:
            self._learn_backward(fn, ctx)

    def _learn_backward(self, fn, ctx):
        """The output is a scalar (``grad`` checks it before the adjoint sweep), so every
        operand of an elementwise operation whose result is a scalar is one too."""
        returned = fn.body[-1].value
        if isinstance(returned, ast.Name):
            self.scalars.add(returned.id)
        for stmt in reversed(fn.body):
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
                continue
            if not self.scalar(stmt.targets[0].id):
                continue
            operands = _elementwise_operands(stmt.value, ctx)
            for operand in operands or ():
                if isinstance(operand, ast.Name):
                    self.scalars.add(operand.id)

    def representative(self, name):
        """The earliest-defined name with surely the same shape as ``name`` (a parameter
        if there is one): reading its shape keeps no other array alive for the adjoint
        sweep."""
        root = self._find(name)
        members = [n for n in self.order if self._find(n) == root]
        return min(members, key=lambda n: self.order[n], default=name)

    def _find(self, name):
        while self.parent.get(name, name) != name:
            name = self.parent[name]
        return name

    def _union(self, a, b):
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self.parent[ra] = rb
            self._roots = None

    def same(self, a, b):
        """Do ``a`` and ``b`` surely have the same shape?"""
        return a == b or self._find(a) == self._find(b) or (self.scalar(a) and self.scalar(b))

    def scalar(self, atom):
        """Is ``atom`` (a name or an ``ast`` node) surely a scalar?"""
        if isinstance(atom, ast.Constant):
            return isinstance(atom.value, (int, float)) and not isinstance(atom.value, bool)
        if isinstance(atom, ast.Name):
            atom = atom.id
        if not isinstance(atom, str):
            return False
        if atom in self.scalars:
            return True
        if self._roots is None or self._roots[0] != len(self.scalars):
            self._roots = (len(self.scalars), {self._find(s) for s in self.scalars})
        return self._find(atom) in self._roots[1]

    def _learn(self, target, value, ctx):
        if isinstance(value, ast.Name):
            self._union(target, value.id)
            if value.id in self.scalars:
                self.scalars.add(target)
            return
        if self.scalar(value):
            self.scalars.add(target)
            return
        if isinstance(value, ast.Call) and _callee(value, ctx) in FULL_REDUCTIONS and len(
                value.args) == 1 and not any(k.arg in ("axis", "keepdims") for k in value.keywords):
            self.scalars.add(target)
            return
        operands = _elementwise_operands(value, ctx)
        if operands is None:
            return
        names = [o.id for o in operands if isinstance(o, ast.Name)]
        others = [o for o in operands if not isinstance(o, ast.Name)]
        if not all(self.scalar(o) for o in others):
            return
        if all(self.scalar(n) for n in names):
            self.scalars.add(target)
            return
        arrays = [n for n in names if not self.scalar(n)]
        if all(self.same(arrays[0], n) for n in arrays[1:]):
            self._union(target, arrays[0])


def _elementwise_operands(value, ctx):
    """The operands of an elementwise (broadcasting) operation, else ``None``."""
    if isinstance(value, ast.BinOp) and not isinstance(value.op, ast.MatMult):
        return [value.left, value.right]
    if isinstance(value, ast.UnaryOp):
        return [value.operand]
    if isinstance(value, ast.Compare):
        return [value.left] + value.comparators
    if isinstance(value, ast.Call):
        callee = _callee(value, ctx)
        rule = registry.lookup(callee) if callee is not None else None
        if rule is not None and rule.broadcasts and not value.keywords:
            return list(value.args)
    return None


def _callee(call, ctx):
    try:
        return ctx.lookup(call.func)
    except (AttributeError, TypeError, KeyError):
        return None
