"""Pass 5, structure: loops become counted ``range`` loops or ``while`` loops without
``break``, ``continue`` or ``return`` inside, and the function returns once, at its end.

Takes the desugared ``FunctionDef``; gives an equivalent one in which:

- ``for v in x`` walks ``range(len(x))`` and reads ``v = x[i]``; ``enumerate`` and ``zip``
  likewise (the adjoint sweep can then walk the same indices backwards);
- ``continue`` sets a flag that skips the rest of the iteration; ``break`` sets a flag
  that ends the loop (a ``for`` loop with a ``break`` becomes a ``while`` loop over its
  range); ``return`` stores the result in ``out`` and ends every enclosing loop;
- the statements after one that may leave a block are guarded by ``if not <flag>:``.

>>> import numpy as np
>>> from autodiff_ast.source import read
>>> def f(x, n):
...     s = 0.0
...     for i in range(n):
...         if s > 10.0:
...             break
...         s = s + x[i]
...     return s
>>> fn, ctx = read(f)
>>> print(ast.unparse(structure(fn, ctx)))
def f(x, n):
    s = 0.0
    _range1 = range(n)
    _k1 = 0
    _break1 = False
    while _k1 < len(_range1) and (not _break1):
        i = _range1[_k1]
        _k1 = _k1 + 1
        if s > 10.0:
            _break1 = True
        if not _break1:
            s = s + x[i]
    return s
"""

from __future__ import annotations

import ast
import builtins

from .astutil import clone


def structure(fn, ctx):
    """Rewrite loops and exits of ``fn``; see the module docstring."""
    rewriter = _Structure(ctx)
    returns = [node for stmt in fn.body for node in _walk(stmt) if isinstance(node, ast.Return)]
    if returns != [fn.body[-1]]:  # a return before the end
        rewriter.result = ctx.fresh("out")
        rewriter.returned = ctx.fresh("_returned")
        body = [_at(_assign(rewriter.returned, ast.Constant(False)), fn.body[0])]
        body += rewriter.block(fn.body, loops=[])
        body.append(_at(ast.Return(_load(rewriter.result)), fn.body[-1]))
        fn.body = body
    else:
        fn.body = rewriter.block(fn.body, loops=[])
    ast.fix_missing_locations(fn)
    return fn


class _Loop:
    """The flags of one enclosing loop: ``stop`` ends it, ``skip`` ends an iteration."""

    def __init__(self):
        self.stop = None
        self.skip = None


class _Structure:
    def __init__(self, ctx):
        self.ctx = ctx
        self.result = None
        self.returned = None
        # builtins the rewritten loops call, under names the user's code does not use
        self.builtin = {name: ctx.builtin(name) for name in ("range", "len", "min")}

    def call(self, name, args):
        return _call(self.builtin[name], args)

    # ----- blocks --------------------------------------------------------------------

    def block(self, body, loops):
        """``body`` with its exits turned into flags; statements after a statement that
        may exit are guarded by a test of the flags it may set."""
        out = []
        for i, stmt in enumerate(body):
            new, flags = self.statement(stmt, loops)
            out.extend(new)
            rest = body[i + 1:]
            if flags and rest:
                guarded = self.block(rest, loops)
                if guarded:
                    test = _not_any(flags)
                    out.append(_at(ast.If(test, guarded, []), rest[0]))
                return out
        return out

    def statement(self, stmt, loops):
        """``(statements, flags it may set that end the enclosing block)``."""
        if isinstance(stmt, ast.Return):
            if self.result is None:  # the single, final return
                return [stmt], []
            new = [_at(_assign(self.result, stmt.value), stmt),
                   _at(_assign(self.returned, ast.Constant(True)), stmt)]
            return new, [self.returned]
        if isinstance(stmt, ast.Break):
            loop = loops[-1]
            loop.stop = loop.stop or self.ctx.fresh("_break", numbered=True)
            return [_at(_assign(loop.stop, ast.Constant(True)), stmt)], [loop.stop]
        if isinstance(stmt, ast.Continue):
            loop = loops[-1]
            loop.skip = loop.skip or self.ctx.fresh("_continue", numbered=True)
            return [_at(_assign(loop.skip, ast.Constant(True)), stmt)], [loop.skip]
        if isinstance(stmt, ast.If):
            body, orelse = self.block(stmt.body, loops), self.block(stmt.orelse, loops)
            stmt.body, stmt.orelse = body or [_at(ast.Pass(), stmt)], orelse
            return [stmt], self._flags_set(body + orelse, loops)
        if isinstance(stmt, ast.For) and self._unrollable(stmt):
            return self.unrolled(stmt, loops)
        if isinstance(stmt, ast.For):
            return self.for_loop(stmt, loops)
        if isinstance(stmt, ast.While):
            return self.while_loop(stmt, loops)
        return [stmt], []

    def _flags_set(self, statements, loops):
        """The flags of the enclosing loops (and the return flag) that ``statements`` set."""
        names = {node.targets[0].id for stmt in statements for node in _walk(stmt)
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
        flags = [self.returned] if self.returned in names else []
        for loop in loops:
            flags += [f for f in (loop.stop, loop.skip) if f in names]
        return flags

    # ----- loops ---------------------------------------------------------------------

    @staticmethod
    def _unrollable(stmt):
        """A loop over a tuple or list written out in the source (``for key in ("W1",
        "W2")``, ``for W in (W1, W2)``), with no ``break``, ``continue`` or ``return``."""
        return isinstance(stmt.iter, (ast.Tuple, ast.List)) and len(stmt.iter.elts) <= 64 \
            and not any(isinstance(n, (ast.Break, ast.Continue, ast.Return))
                        for s in stmt.body for n in _walk(s))

    def unrolled(self, stmt, loops):
        """The body once per item, the target assigned the item first: each item may be
        of its own kind (a key of a dict of arrays, an array of its own shape)."""
        out = []
        for item in stmt.iter.elts:
            out.append(_at(ast.Assign([_store(clone(stmt.target))], clone(item)), stmt))
            out += self.block(clone(stmt.body), loops)
        return out, []

    def for_loop(self, stmt, loops):
        setup, index, reads, bounds = self._counted(stmt)
        loop = _Loop()
        body = reads + self.block(stmt.body, loops + [loop])
        if loop.skip:
            body.insert(0, _at(_assign(loop.skip, ast.Constant(False)), stmt))
        ends = [f for f in (loop.stop, self._return_flag(body)) if f]
        if not ends:
            stmt.target = ast.Name(index, ast.Store())
            stmt.iter = bounds
            stmt.body = body
            return setup + [stmt], []
        # A loop that can end early counts its steps through its range in a while loop.
        counter = self.ctx.fresh("_k", numbered=True)
        rng = self.ctx.fresh("_range", numbered=True)
        init = [_at(_assign(rng, bounds), stmt), _at(_assign(counter, ast.Constant(0)), stmt)]
        init += [_at(_assign(f, ast.Constant(False)), stmt) for f in (loop.stop,) if f]
        test = ast.BoolOp(ast.And(), [
            ast.Compare(_load(counter), [ast.Lt()], [self.call("len", [_load(rng)])])] +
            [ast.UnaryOp(ast.Not(), _load(f)) for f in ends])
        step = [_at(_assign(index, ast.Subscript(_load(rng), _load(counter), ast.Load())), stmt),
                _at(_assign(counter, ast.BinOp(_load(counter), ast.Add(), ast.Constant(1))),
                    stmt)]
        loop_stmt = _at(ast.While(test, step + body, []), stmt)
        return setup + init + [loop_stmt], ([self.returned] if self.returned in ends else [])

    def while_loop(self, stmt, loops):
        loop = _Loop()
        body = self.block(stmt.body, loops + [loop])
        if loop.skip:
            body.insert(0, _at(_assign(loop.skip, ast.Constant(False)), stmt))
        ends = [f for f in (loop.stop, self._return_flag(body)) if f]
        init = [_at(_assign(loop.stop, ast.Constant(False)), stmt)] if loop.stop else []
        if ends:
            stmt.test = ast.BoolOp(ast.And(), [ast.UnaryOp(ast.Not(), _load(f)) for f in ends]
                                   + [stmt.test])
        stmt.body = body
        return init + [stmt], ([self.returned] if self.returned in ends else [])

    def _return_flag(self, body):
        if self.returned is None:
            return None
        return self.returned if any(
            isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == self.returned for s in body for node in _walk(s)) \
            else None

    def _counted(self, stmt):
        """``(setup, index name, statements reading the items, range expression)`` of a
        ``for`` loop over ``range``, a sequence, ``enumerate`` or ``zip``."""
        target, iterable = stmt.target, stmt.iter
        call = iterable if isinstance(iterable, ast.Call) and isinstance(
            iterable.func, ast.Name) else None
        kind = call.func.id if call is not None else None
        if call is not None and self.ctx.namespace.get(call.func.id, getattr(
                builtins, call.func.id, None)) is not getattr(builtins, kind, None):
            kind = None  # a user's function that happens to be called range, zip...
        if kind == "range" and isinstance(target, ast.Name):
            return [], target.id, [], iterable
        if kind == "reversed" and len(call.args) == 1 and not call.keywords:
            return self._reversed(target, call.args[0], stmt)
        setup, reads = [], []
        if kind == "enumerate" and len(call.args) == 1 and not call.keywords \
                and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            counter, item = target.elts
            index = counter.id if isinstance(counter, ast.Name) else self.ctx.fresh(
                "_i", numbered=True)
            zipped = self._zipped(item, call.args[0], index, stmt, setup)
            if zipped is not None:  # for i, (a, b) in enumerate(zip(x, y))
                return zipped
            sequence = self._sequence(call.args[0], stmt, setup)
            reads.append(self._read(item, sequence, index, stmt))
            return setup, index, reads, self.call("range", [self.call("len", [sequence])])
        if kind == "zip":
            zipped = self._zipped(target, call, self.ctx.fresh("_i", numbered=True), stmt, setup)
            if zipped is not None:
                return zipped
        if kind in ("enumerate", "zip", "reversed"):
            raise self.ctx.error(iterable, f"this form of for ... in {kind}(...) is not "
                                           f"supported: loop over range(...) and index")
        sequence = self._sequence(iterable, stmt, setup)
        index = self.ctx.fresh("_i", numbered=True)
        reads = [self._read(target, sequence, index, stmt)]
        return setup, index, reads, self.call("range", [self.call("len", [sequence])])

    def _zipped(self, target, call, index, stmt, setup):
        """The loop of ``for a, b in zip(x, y)`` counting with ``index``, as ``_counted``
        gives it, or ``None`` when ``call`` is not such a ``zip``."""
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                and call.func.id == "zip" and not call.keywords
                and self.ctx.namespace.get("zip", builtins.zip) is builtins.zip
                and isinstance(target, ast.Tuple) and len(target.elts) == len(call.args)):
            return None
        sequences = [self._sequence(a, stmt, setup) for a in call.args]
        reads = [self._read(t, s, index, stmt) for t, s in zip(target.elts, sequences)]
        lengths = [self.call("len", [s]) for s in sequences]
        length = self.call("min", lengths) if len(lengths) > 1 else lengths[0]
        return setup, index, reads, self.call("range", [length])

    def _reversed(self, target, sequence, stmt):
        """``for t in reversed(range(a, b))`` counts down, ``range(b - 1, a - 1, -1)``;
        any other ``reversed(seq)`` walks ``seq``'s indices from the last."""
        inner = sequence if isinstance(sequence, ast.Call) and isinstance(
            sequence.func, ast.Name) and sequence.func.id == "range" and not sequence.keywords \
            and self.ctx.namespace.get("range", builtins.range) is builtins.range else None
        one = ast.Constant(1)
        if inner is not None and isinstance(target, ast.Name) and len(inner.args) <= 2:
            start, stop = ([ast.Constant(0)] + inner.args)[-2:]
            bounds = self.call("range", [ast.BinOp(stop, ast.Sub(), one),
                                         ast.BinOp(start, ast.Sub(), one), ast.Constant(-1)])
            return [], target.id, [], bounds
        setup = []
        sequence = self._sequence(sequence, stmt, setup)
        index = self.ctx.fresh("_i", numbered=True)
        last = ast.BinOp(self.call("len", [sequence]), ast.Sub(), one)
        bounds = self.call("range", [last, ast.Constant(-1), ast.Constant(-1)])
        return setup, index, [self._read(target, sequence, index, stmt)], bounds

    def _sequence(self, expr, stmt, setup):
        """A name for the iterated sequence: the user's own name, or a new one."""
        if isinstance(expr, ast.Name) and not _assigned_in(expr.id, stmt.body):
            return _load(expr.id)
        name = self.ctx.fresh("_seq", numbered=True)
        setup.append(_at(_assign(name, expr), stmt))
        return _load(name)

    def _read(self, target, sequence, index, stmt):
        item = ast.Subscript(sequence, _load(index), ast.Load())
        target = _store(target)
        return _at(ast.Assign([target], item), stmt)


def _walk(node):
    """``ast.walk`` that does not enter nested function definitions (depth first, in
    source order; with a stack, not nested generators, which cost the depth of a node to
    reach it: a sum of a thousand terms is a thousand deep)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed([child for child in ast.iter_child_nodes(node)
                               if not isinstance(child, (ast.FunctionDef, ast.Lambda))]))


def _assigned_in(name, body):
    return any(isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id == name
               for stmt in body for node in ast.walk(stmt))


def _not_any(flags):
    if len(flags) == 1:
        return ast.UnaryOp(ast.Not(), _load(flags[0]))
    return ast.UnaryOp(ast.Not(), ast.BoolOp(ast.Or(), [_load(f) for f in flags]))


def _call(name, args):
    return ast.Call(ast.Name(name, ast.Load()), args, [])


def _assign(name, value):
    return ast.Assign([ast.Name(name, ast.Store())], value)


def _load(name):
    return ast.Name(name, ast.Load())


def _store(target):
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Store())
    return ast.Tuple([_store(e) for e in target.elts], ast.Store())


def _at(node, origin):
    return ast.copy_location(node, origin)
