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

from .activity import targets
from .normal_form import statements
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
        self.single = _single_valued(fn)
        self.accumulated: set[str] = set()
        args = fn.args
        for arg in args.posonlyargs + args.args + args.kwonlyargs:
            if arg.arg in self.single:
                self.order[arg.arg] = -1
        for i, stmt in enumerate(fn.body):
            if not isinstance(stmt, ast.Assign):
                continue
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and target.id in self.single:
                self.order.setdefault(target.id, i)
                self._learn(target.id, stmt.value, ctx)
            elif isinstance(target, ast.Tuple):
                for element in target.elts:
                    if element.id in self.single:
                        self.order.setdefault(element.id, i)
        if scalar_output:
            self._learn_backward(fn, ctx)

    def _learn_backward(self, fn, ctx):
        """The output is a scalar (``grad`` checks it before the adjoint sweep), so every
        operand of an elementwise operation whose result is a scalar is one too.

        Broadcasting never shrinks a shape, so this also holds through names assigned
        many times, when each assignment is elementwise and continues the name's previous
        value (``s = s + x * x`` in a loop, after ``s = 0.0``): the final value's shape
        includes every operand's on the way. Such names are ``self.accumulated``."""
        returned = fn.body[-1].value
        if not isinstance(returned, ast.Name):
            return
        definitions = _definitions(fn)
        scalar, todo = set(), [returned.id]
        while todo:
            name = todo.pop()
            if name in scalar:
                continue
            defs = definitions.get(name, [])
            if len(defs) > 1 and not _continued(name, defs, definitions, ctx):
                continue
            scalar.add(name)
            for value, _, _ in defs:
                for operand in (_elementwise_operands(value, ctx) or
                                ([value] if isinstance(value, ast.Name) else [])):
                    if isinstance(operand, ast.Name):
                        todo.append(operand.id)
        self.accumulated = {n for n in scalar if n not in self.single}
        self.scalars |= {n for n in scalar if n in self.single}

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
        """Do ``a`` and ``b`` surely have the same shape? (Facts are kept only about names
        that hold one value: assigned once, outside loops.)"""
        if a == b or (self.scalar(a) and self.scalar(b)):
            return True
        if a not in self.single or b not in self.single:
            return False
        return self._find(a) == self._find(b) or (self.scalar(a) and self.scalar(b))

    def scalar(self, atom):
        """Is ``atom`` (a name or an ``ast`` node) surely a scalar?"""
        if isinstance(atom, ast.Constant):
            return isinstance(atom.value, (int, float)) and not isinstance(atom.value, bool)
        if isinstance(atom, ast.Name):
            atom = atom.id
        if not isinstance(atom, str):
            return False
        if atom in self.accumulated:
            return True
        if atom not in self.single:
            return False
        if atom in self.scalars:
            return True
        if self._roots is None or self._roots[0] != len(self.scalars):
            self._roots = (len(self.scalars), {self._find(s) for s in self.scalars})
        return self._find(atom) in self._roots[1]

    def _learn(self, target, value, ctx):
        if isinstance(value, ast.Name) and value.id not in self.single:
            return
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
        if any(n not in self.single for n in names):
            return
        if not all(self.scalar(o) for o in others):
            return
        if all(self.scalar(n) for n in names):
            self.scalars.add(target)
            return
        arrays = [n for n in names if not self.scalar(n)]
        if all(self.same(arrays[0], n) for n in arrays[1:]):
            self._union(target, arrays[0])


def _definitions(fn):
    """name -> [(value, position of its top-level statement, in a branch or loop)]."""
    found = {}
    for position, top in enumerate(fn.body):
        nested = isinstance(top, (ast.If, ast.For, ast.While))
        for stmt in statements([top]):
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                found.setdefault(stmt.targets[0].id, []).append((stmt.value, position, nested))
            elif isinstance(stmt, ast.For):
                found.setdefault(stmt.target.id, []).append((None, position, True))
            else:
                for name in targets(stmt):
                    found.setdefault(name, []).append((None, position, nested))
    return found


def _continued(name, defs, definitions, ctx):
    """Do the many assignments of ``name`` form one chain: first assignments at the top
    level, then elementwise ones that read the previous value (through temporaries)?"""
    later = [d for d in defs if d[2]]
    first = [d for d in defs if not d[2]]
    if not later or any(p >= min(q for _, q, _ in later) for _, p, _ in first):
        return False
    for value, _, _ in later:
        if value is None or (_elementwise_operands(value, ctx) is None
                             and not isinstance(value, ast.Name)):
            return False
        if name not in _reads_through_temporaries(value, definitions, ctx, set()):
            return False
    return True


def _reads_through_temporaries(value, definitions, ctx, seen):
    names = set()
    operands = _elementwise_operands(value, ctx) or (
        [value] if isinstance(value, ast.Name) else [])
    for operand in operands:
        if not isinstance(operand, ast.Name) or operand.id in seen:
            continue
        names.add(operand.id)
        defs = definitions.get(operand.id, [])
        if operand.id.startswith("_t") and len(defs) == 1 and defs[0][0] is not None:
            seen.add(operand.id)
            names |= _reads_through_temporaries(defs[0][0], definitions, ctx, seen)
    return names


def _single_valued(fn):
    """Names that hold one value for the whole call: parameters never assigned, and
    names assigned once by a top-level statement (not in a branch or loop)."""
    counts = {}
    for stmt in statements(fn.body):
        for name in targets(stmt):
            counts[name] = counts.get(name, 0) + 1
        if isinstance(stmt, ast.For):
            counts[stmt.target.id] = counts.get(stmt.target.id, 0) + 2
    top = {name for stmt in fn.body if not isinstance(stmt, (ast.If, ast.For, ast.While))
           for name in targets(stmt)}
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    return {n for n in params if n not in counts} | {n for n in top if counts.get(n) == 1}


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
