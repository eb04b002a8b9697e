"""Analysis, tape: which values the forward sweep must save for the adjoint sweep.

Takes a normal-form ``FunctionDef``; gives a :class:`Tape`. The adjoint sweep walks the
statements backwards and, after reversing an assignment, puts back the value the
assignment overwrote, so that every statement is reversed with the values it saw.
Only assignments that may overwrite a value get a save: names assigned in a loop, in a
branch after an earlier assignment, or loop variables defined before their loop; in
straight-line code ``normalize`` gave each assignment a new name, so nothing is saved
there. Inside loops the saved values go on a stack (a list), outside loops into one
variable. A cheap assignment whose inputs the loop does not change (``x_t = x[t]``) is
not saved but computed again at the top of the reversed loop body; one whose inputs no
iteration changes (``_t1 = a * c``) is the same in every iteration and not saved at all.
The reverse pass
emits every save and restore this plan lists; ``simplify`` then deletes the restores
whose value no adjoint statement reads, and with them their saves, so that only values
an adjoint needs are kept (the to-be-recorded values).

>>> import numpy as np
>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.structure import structure
>>> from autodiff_ast.normalize import normalize
>>> def f(x, W, T):
...     h = x
...     for t in range(T):
...         h = np.tanh(W @ h)
...     return np.sum(h)
>>> fn, ctx = read(f)
>>> fn = normalize(structure(resolve(fn, ctx), ctx), ctx)
>>> tape = plan(fn, ctx)
>>> sorted((s.name, s.stack is not None) for saves in tape.saves.values() for s in saves)
[('_t1', True), ('h', True)]
"""

from __future__ import annotations

import ast
import dataclasses

from .activity import targets
from .normal_form import is_pop, statements


@dataclasses.dataclass
class Save:
    """One saved value: ``name`` before the assignment overwrites it (``index``: only
    the elements ``name[index]`` that a write into the array overwrites)."""

    name: str
    stack: str | None  # the list the values go on, inside loops
    copy: str | None   # the variable the value goes into, outside loops
    index: ast.AST | None = None


@dataclasses.dataclass
class Tape:
    saves: dict          # id(statement) -> [Save] made just before it
    recompute: dict      # id(loop) -> [statements computed again atop its reversed body]
    recomputed: set      # ids of the statements in ``recompute`` (they save nothing)
    undefined: list      # names that may be unbound when first saved: set to None first


def plan(fn, ctx):
    """The :class:`Tape` of ``fn``; see the module docstring."""
    planner = _Planner(ctx)
    for stmt in statements(fn.body):
        for name in _assigned(stmt):
            planner.assignments[name] = planner.assignments.get(name, 0) + 1
    args = fn.args
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    planner.block(fn.body[:-1], set(params), set(params), [])
    return Tape(planner.saves, planner.recompute, planner.recomputed, sorted(planner.undefined))


class _Planner:
    def __init__(self, ctx):
        self.ctx = ctx
        self.saves = {}
        self.recompute = {}
        self.recomputed = set()
        self.undefined = set()
        self.invariant = set()     # ids of assignments whose value no iteration changes
        self.assignments = {}      # name -> how many statements assign it

    def block(self, body, may, must, loops):
        """Plan ``body``; give the names (may, must) be defined after it."""
        for stmt in body:
            may, must = self.statement(stmt, may, must, loops)
        return may, must

    def statement(self, stmt, may, must, loops):
        if isinstance(stmt, ast.If):
            may_b, must_b = self.block(stmt.body, set(may), set(must), loops)
            may_e, must_e = self.block(stmt.orelse, set(may), set(must), loops)
            return may_b | may_e, must_b & must_e
        if isinstance(stmt, (ast.For, ast.While)):
            if isinstance(stmt, ast.For) and stmt.target.id in may:
                self._save(stmt, stmt.target.id, loops, must)
            # what one iteration assigns may be defined when the next one starts
            entry_may = set(may) | {n for s in statements([stmt]) for n in _assigned(s)}
            entry_must = set(must) | ({stmt.target.id} if isinstance(stmt, ast.For) else set())
            self._plan_recompute(stmt, outermost=not loops)
            after_may, _ = self.block(stmt.body, entry_may, entry_must, loops + [stmt])
            return may | after_may, must
        assigned = targets(stmt)
        if isinstance(stmt, ast.Assign) and is_pop(stmt.value):
            assigned = assigned[:1]  # the list changes in place; reversing pushes back
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
            self._save(stmt, assigned[0], loops, must, index=stmt.targets[0].slice)
        elif id(stmt) not in self.recomputed and isinstance(stmt, ast.Assign) \
                and id(stmt) not in self.invariant:
            for name in assigned:
                if name in may:
                    self._save(stmt, name, loops, must)
        return may | set(assigned), must | set(assigned)

    def _save(self, stmt, name, loops, must, index=None):
        if loops:
            stack = self.ctx.fresh(f"saved_{name.lstrip('_')}")
            what = f"{name}[{ast.unparse(index)}]" if index is not None else name
            text = self.ctx.statements.get(stmt.lineno, ast.unparse(stmt).splitlines()[0])
            self.ctx.stacks[stack] = f"{what} before each '{text}' changes it"
            save = Save(name, stack, None, index)
            if name not in must and index is None:
                self.undefined.add(name)
        else:
            save = Save(name, None, self.ctx.fresh(f"saved_{name.lstrip('_')}"), index)
            if name not in must and index is None:
                self.undefined.add(name)
        self.saves.setdefault(id(stmt), []).append(save)

    def _plan_recompute(self, loop, outermost):
        """Cheap top-level assignments of ``loop``'s body whose inputs the loop does not
        change are computed again in the reversed body instead of saved; assignments
        anywhere in an outermost loop whose inputs no loop changes are not saved."""
        changed = {n for s in statements([loop]) for n in _assigned(s)}
        index = loop.target.id if isinstance(loop, ast.For) else None
        counts = {}
        for s in statements(loop.body):
            for name in targets(s):
                counts[name] = counts.get(name, 0) + 1
        chosen = []
        for stmt in statements(loop.body) if outermost else ():
            # a value computed in the loops from inputs no loop changes is the same in
            # every iteration: it is still there, unsaved, for the whole adjoint sweep
            if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
                reads = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
                name = stmt.targets[0].id
                if not reads & changed and self.assignments.get(name) == 1:
                    self.invariant.add(id(stmt))
        for stmt in loop.body:
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)):
                continue
            name = stmt.targets[0].id
            reads = {n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name)}
            inputs_fixed = all(r not in changed or r == index for r in reads)  # t: recomputed
            if counts.get(name) == 1 and _cheap(stmt.value) and inputs_fixed \
                    and id(stmt) not in self.invariant:
                chosen.append(stmt)
                self.recomputed.add(id(stmt))
        if chosen:
            self.recompute[id(loop)] = chosen


def _assigned(stmt):
    if isinstance(stmt, ast.For):
        return [stmt.target.id]
    return targets(stmt)


def _cheap(value):
    """An operation that costs about as much as reading a saved value: an element or
    slice of an array, ``x.T``, a copy."""
    return isinstance(value, (ast.Subscript, ast.Name)) or (
        isinstance(value, ast.Attribute) and value.attr == "T")
