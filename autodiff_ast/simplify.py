"""Pass 8, simplify: remove what the gradient does not need, to a fixed point.

Takes the gradient ``FunctionDef`` from ``reverse``; gives it with dead statements
removed (``out = q * z`` when no adjoint reads ``out``), copies into compiler names
propagated (``d_t1 = dout`` disappears), and compiler temporaries used once folded back
into the expression that uses them, so that the forward sweep reads like the user's code
(``h = np.tanh(X @ W1 + b1)``) and its temporaries are freed as early as in the original.
Copies into the user's own names (``dx = dq``) stay: they cost nothing and help the reader.

>>> import ast
>>> fn = ast.parse('''
... def g(x, dout=1.0):
...     _t1 = x * 2
...     _t2 = np.exp(_t1)
...     y = _t2 + 1
...     d_t2 = dout
...     d_t1 = d_t2 * _t2
...     dx = d_t1 * 2 + _t2
...     return dx
... ''').body[0]
>>> print(ast.unparse(simplify(fn, None)))
def g(x, dout=1.0):
    _t2 = np.exp(x * 2)
    dx = dout * _t2 * 2 + _t2
    return dx
"""

from __future__ import annotations

import ast
import bisect
import itertools

import numpy as np

from . import runtime
from .astutil import clone
from .codegen import is_comment
from .shapes import ShapeFacts


def simplify(fn, ctx):
    """Simplify ``fn`` to a fixed point; see the module docstring."""
    facts = ShapeFacts(fn, ctx) if ctx is not None else None
    stacks = ctx.stacks if ctx is not None else set()
    rewrites = [_Negations()] + ([_UniformFactors(ctx, facts), _ProductAdjoints(ctx),
                                  _ShapesOfExpressions(ctx), _CopiesOfNewArrays(ctx)]
                                 if ctx is not None else [])
    memo = _Memo(stacks)
    changed = True
    while changed:
        fn.body = _Dead(memo).block(fn.body, set(), remove=True)[0]
        counts = _counts(fn.body, memo)
        changed = _substitute_blocks(fn.body, counts, memo)
        changed = _rewrite(fn.body, rewrites, memo) or changed
    return fn


_COMPOUND = (ast.If, ast.For, ast.While, ast.FunctionDef)


class _Memo:
    """The effects and reads (name -> count) of each simple statement, and whether the
    rewriters left it as it is, kept from one round of :func:`simplify` to the next for
    as long as the statement is unchanged: most statements do not change after the first
    round, and finding out again cost most of a round. Whatever changes a statement in
    place tells :meth:`forget` (or :meth:`remember`, with its new facts)."""

    def __init__(self, stacks):
        self.stacks = stacks
        self.known = {}  # id -> [statement, effects, loads, settled]

    def _entry(self, stmt):
        entry = self.known.get(id(stmt))
        if entry is None or entry[0] is not stmt:
            entry = [stmt, effects(stmt, self.stacks), _loads(stmt), False]
            if not isinstance(stmt, _COMPOUND):  # their inner statements change apart
                self.known[id(stmt)] = entry
        return entry

    def effects(self, stmt):
        return self._entry(stmt)[1]

    def loads(self, stmt):
        """How often ``stmt`` reads each name; the caller does not change the dict."""
        return self._entry(stmt)[2]

    def settled(self, stmt):
        """Did the rewriters leave ``stmt`` as it is, and has nothing changed it since?"""
        entry = self.known.get(id(stmt))
        return entry is not None and entry[0] is stmt and entry[3]

    def settle(self, stmt):
        if not isinstance(stmt, _COMPOUND):
            self._entry(stmt)[3] = True

    def forget(self, stmt):
        self.known.pop(id(stmt), None)

    def remember(self, stmt, stmt_effects, loads):
        if not isinstance(stmt, _COMPOUND):
            self.known[id(stmt)] = [stmt, stmt_effects, loads, False]


def is_temporary(name):
    """Names the compiler made up and the user never sees otherwise."""
    return name.startswith("_") or name.startswith("d_")


def effects(stmt, stacks=frozenset()):
    """``(reads, writes, external)`` of a statement (a branch or loop: of all of it).

    ``writes`` are names rebound or changed in place (``d[i] += g``,
    ``np.add.at(d, i, g)`` and ``out.append(v)`` change ``d`` and ``out``); ``external``
    marks statements kept for their effect outside the function (``print``, ``assert``,
    the scalar-output check). Pushing onto a list or popping it without using the value
    does not read the list: so saves and restores whose values nothing reads are dead.
    Popping a stack of saved values (``stacks``) reads it but does not change it, so that
    such a pop lives only as long as the value it restores is needed.
    """
    if isinstance(stmt, (ast.If, ast.For, ast.While)):
        head = stmt.test if isinstance(stmt, (ast.If, ast.While)) else stmt.iter
        reads, writes, external = _names(head), set(), False
        if isinstance(stmt, ast.For):
            writes.add(stmt.target.id)
        for inner in stmt.body + stmt.orelse:
            r, w, e = effects(inner, stacks)
            reads, writes, external = reads | r, writes | w, external or e
        return reads, writes, external
    reads = _names(stmt)
    writes, external = set(), False
    if isinstance(stmt, ast.FunctionDef):
        writes.add(stmt.name)
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            writes |= _stored(target)
        popped = _method_of(stmt.value, "pop")
        if popped is not None and popped not in stacks:
            writes.add(popped)  # an adjoint list: its later pops need this one
    elif isinstance(stmt, ast.AugAssign):
        writes |= _stored(stmt.target)
        reads |= _stored(stmt.target)
    elif isinstance(stmt, ast.Expr) and _is_scatter(stmt.value):
        writes.add(stmt.value.args[0].id)
    elif isinstance(stmt, ast.Expr) and (_method_of(stmt.value, "append") is not None
                                         or _method_of(stmt.value, "pop") is not None):
        changed = _method_of(stmt.value, "append") or _method_of(stmt.value, "pop")
        writes.add(changed)
        reads.discard(changed)
    elif not isinstance(stmt, ast.Return):
        external = True
    return reads, writes, external


def _names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _method_of(call, method):
    """``x`` for a call ``x.method(...)``, else ``None``."""
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
            and call.func.attr == method and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return None


def _stored(target):
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_stored(e) for e in target.elts))
    if isinstance(target, ast.Subscript):  # d[i] = g changes d
        return {target.value.id}
    return set()


def _is_scatter(call):
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "at" and call.args and isinstance(call.args[0], ast.Name))


def _rebinds(stmt):
    """Names the statement binds anew (as opposed to changing in place)."""
    if isinstance(stmt, ast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, ast.Name)} | {
            e.id for t in stmt.targets if isinstance(t, ast.Tuple) for e in t.elts}
    return set()


class _Dead:
    """Dead-code removal by liveness, with loops iterated to a fixed point."""

    def __init__(self, memo):
        self.memo = memo

    def block(self, body, live, remove):
        """``(body without dead statements if remove, names live before it)``."""
        kept = []
        for stmt in reversed(body):
            new, live = self.statement(stmt, live, remove)
            if new is not None:
                kept.append(new)
        return kept[::-1], live

    def statement(self, stmt, live, remove):
        if isinstance(stmt, ast.If):
            body, live_b = self.block(stmt.body, set(live), remove)
            orelse, live_e = self.block(stmt.orelse, set(live), remove)
            if remove and not _real(body) and not _real(orelse):
                return None, live
            if remove:
                stmt.body, stmt.orelse = body or [ast.Pass()], orelse
            return stmt, live_b | live_e | _names(stmt.test)
        if isinstance(stmt, (ast.For, ast.While)):
            head = _names(stmt.iter if isinstance(stmt, ast.For) else stmt.test)
            target = {stmt.target.id} if isinstance(stmt, ast.For) else set()
            at_start = set()
            while True:  # live at the start of an iteration, to a fixed point
                end = set(live) | (at_start - target)
                if isinstance(stmt, ast.While):
                    end |= head
                _, start = self.block(stmt.body, end, remove=False)
                if start <= at_start:
                    break
                at_start |= start
            end = set(live) | (at_start - target) | (head if isinstance(stmt, ast.While) else set())
            body, _ = self.block(stmt.body, end, remove)
            if remove and not _real(body):
                return None, live
            if remove:
                stmt.body = body
            return stmt, set(live) | (at_start - target) | head
        reads, writes, external = self.memo.effects(stmt)
        if not (external or isinstance(stmt, ast.Return) or writes & live):
            return (None if remove else stmt), live
        return stmt, (live - _rebinds(stmt)) | reads


def _real(body):
    """Does ``body`` hold a statement other than comments?"""
    return any(not is_comment(stmt) for stmt in body)


def _counts(body, memo):
    """How often each name is assigned and read, in all of ``body``."""
    assigned, used = {}, {}
    for stmt in _all_statements(body):
        if isinstance(stmt, (ast.If, ast.For, ast.While)):
            if isinstance(stmt, ast.For):
                assigned[stmt.target.id] = assigned.get(stmt.target.id, 0) + 2
            loads = _loads(stmt.iter if isinstance(stmt, ast.For) else stmt.test)
        else:
            for name in memo.effects(stmt)[1]:
                assigned[name] = assigned.get(name, 0) + 1
            loads = memo.loads(stmt)
        for name, count in loads.items():
            used[name] = used.get(name, 0) + count
    return assigned, used


def _all_statements(body):
    for stmt in body:
        yield stmt
        if not isinstance(stmt, ast.FunctionDef):
            for field in ("body", "orelse"):
                yield from _all_statements(getattr(stmt, field, []))


def _substitute_blocks(body, counts, memo):
    """Copy propagation and single-use folding in ``body`` and every nested block (a
    name is only ever replaced within the block that assigns it)."""
    block = _Body(body, counts, memo)
    changed = block.propagate_copies()
    changed = block.fold_single_uses() or changed
    body[:] = block.statements
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef):
            continue
        for field in ("body", "orelse"):
            inner = getattr(stmt, field, None)
            if inner:
                changed = _substitute_blocks(inner, counts, memo) or changed
    return changed


def _rewrite(body, rewriters, memo):
    """Apply expression rewriters to every statement (those of nested blocks one by one,
    and the heads of branches and loops); say whether any changed. A statement they
    left as it is, unchanged since, is not visited again."""
    changed = False
    for stmt in body:
        if isinstance(stmt, _COMPOUND):
            head = "iter" if isinstance(stmt, ast.For) else "test"
            if hasattr(stmt, head):
                value = getattr(stmt, head)
                for rewriter in rewriters:
                    value = rewriter.rewrite(value)
                changed = changed or any(r.changed for r in rewriters)
                setattr(stmt, head, value)
            for field in ("body", "orelse"):
                changed = _rewrite(getattr(stmt, field, []), rewriters, memo) or changed
            continue
        if memo.settled(stmt):
            continue
        nodes = list(ast.walk(stmt))
        active = [r for r in rewriters if any(r.may_apply(node) for node in nodes)]
        for rewriter in active:
            rewriter.rewrite(stmt)  # statements are changed in place, never replaced
        if any(r.changed for r in active):
            memo.forget(stmt)
            changed = True
        else:
            memo.settle(stmt)
    return changed


class _Body:
    """The statements of one block being simplified, with each one's effects, and which
    statements read and write each name (kept up to date as statements change), so that
    finding a name's readers or writers after a statement costs no scan of the block."""

    def __init__(self, statements, counts, memo):
        self.statements = list(statements)
        self.memo, self.stacks = memo, memo.stacks
        self.effects = [memo.effects(s) for s in self.statements]
        self.loads = [memo.loads(s) for s in self.statements]  # name -> reads, per statement
        self.assigned, self.used = counts
        self._reindex()

    def _reindex(self):
        self.readers_of, self.writers_of = {}, {}  # name -> sorted statement indices
        for index in range(len(self.statements)):
            self._index(index, add=True)

    def _index(self, index, add):
        reads, writes = self.effects[index][:2]
        for table, names in ((self.readers_of, reads), (self.writers_of, writes)):
            for name in names:
                indices = table.setdefault(name, [])
                if add:
                    bisect.insort(indices, index)
                else:
                    indices.remove(index)

    def _replace(self, index, name, value, loads, reuse):
        """Put ``value`` (whose reads are ``loads``) for ``name`` in statement ``index``
        (``value`` itself, not a copy, if ``reuse``). A plain assignment's reads are
        updated from the counts, without walking the statement: a temporary folded into
        the next one along a long chain (a sum of many terms) costs its own size, not the
        size of all it has grown to."""
        stmt = _Replace(name, value, reuse).visit(self.statements[index])
        self.statements[index] = stmt
        self._index(index, add=False)
        reads = dict(self.loads[index])
        count = reads.pop(name, 0)
        for source, n in loads.items():
            reads[source] = reads.get(source, 0) + n * count
        self.loads[index] = reads
        if isinstance(stmt, ast.Assign) and _method_of(stmt.value, "pop") is None:
            self.effects[index] = (set(reads),) + self.effects[index][1:]
        else:
            self.effects[index] = effects(stmt, self.stacks)
        self.memo.remember(stmt, self.effects[index], reads)
        self._index(index, add=True)

    def _compact(self, deleted):
        if deleted:
            keep = [i for i in range(len(self.statements)) if i not in deleted]
            self.statements = [self.statements[i] for i in keep]
            self.effects = [self.effects[i] for i in keep]
            self.loads = [self.loads[i] for i in keep]
            self._reindex()

    @staticmethod
    def _after(indices, start, end, deleted):
        """The indices strictly between ``start`` and ``end`` that are not ``deleted``."""
        for k in itertools.islice(indices, bisect.bisect_right(indices, start), None):
            if k >= end:
                return
            if k not in deleted:
                yield k

    def _unchanged_between(self, start, end, sources, deleted):
        """Do the statements strictly between ``start`` and ``end`` leave ``sources`` alone?

        A statement reads its operands before it writes, so an expression substituted
        into statement ``end`` is evaluated before ``end``'s own writes.
        """
        return not any(next(self._after(self.writers_of.get(name, ()), start, end, deleted),
                            None) is not None for name in sources)

    def _readers(self, start, name, deleted):
        return list(self._after(self.readers_of.get(name, ()), start, len(self.statements),
                                deleted))

    def propagate_copies(self):
        """``_t = a`` into the compiler's own names: later reads of ``_t`` read ``a``
        (and a copy back, ``a = _t``, which changes nothing, goes)."""
        changed = self._drop_copies_back()
        return self._substitute(lambda value, uses: isinstance(value, ast.Name)) or changed

    def _drop_copies_back(self):
        deleted = set()
        end = len(self.statements)
        for i, stmt in enumerate(self.statements):
            definition = _simple_definition(stmt)
            if definition is None or not isinstance(definition[1], ast.Name) \
                    or not is_temporary(definition[0]):
                continue
            temp, source = definition[0], definition[1].id
            # the first later statement that writes either name: a copy back writes source
            writers = [next(self._after(self.writers_of.get(name, ()), i, end, ()), end)
                       for name in (source, temp)]
            j = min(writers)
            later = _simple_definition(self.statements[j]) if j < end else None
            if later and later[0] == source and isinstance(later[1], ast.Name) \
                    and later[1].id == temp:
                deleted.add(j)
        self._compact(deleted)
        return bool(deleted)

    def fold_single_uses(self):
        """A temporary read once is replaced by its expression where it is read; so is
        a negation or transpose of a name wherever it is read (computing ``-y`` twice
        costs less than keeping a second array alive through the adjoint sweep)."""
        return self._substitute(lambda value, uses: uses == 1 or _cheap_to_repeat(value),
                                repeatable=True)

    def _substitute(self, eligible, repeatable=False):
        """Replace each temporary assigned once, for which ``eligible(value, uses)``, by
        its value in the statements of this block that read it, when nothing its value
        reads changes in between; say whether any was replaced."""
        deleted = set()
        for i, stmt in enumerate(self.statements):
            definition = _simple_definition(stmt)
            if definition is None:
                continue
            name, value = definition
            if not (is_temporary(name) and self.assigned.get(name) == 1
                    and eligible(value, self.used.get(name, 0))):
                continue
            if repeatable and self.used.get(name, 0) > 1 and not name.startswith("_t"):
                continue  # repeat only values of the forward sweep, kept alive otherwise
            readers = self._readers(i, name, deleted)
            sources = set(self.loads[i])
            reads_here = sum(self.loads[j].get(name, 0) for j in readers)
            if not readers or reads_here != self.used.get(name, 0):
                continue  # read elsewhere too (after this block, or before: a loop)
            if not self._unchanged_between(i, readers[-1], sources, deleted) \
                    or not all(_foldable_into(self.statements[j], name) for j in readers):
                continue
            for j in readers:
                self._replace(j, name, value, self.loads[i], reuse=reads_here == 1)
            deleted.add(i)
        self._compact(deleted)
        return bool(deleted)


def _simple_definition(stmt):
    """``(name, value)`` of ``name = value`` with one target name, else ``None``."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    return None


def _cheap_to_repeat(value):
    return isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub) and isinstance(
        value.operand, ast.Name) or isinstance(value, ast.Attribute) and value.attr == "T" \
        and isinstance(value.value, ast.Name)


def _loads(stmt):
    """How often ``stmt`` reads each name (a dict)."""
    counts = {}
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _foldable_into(stmt, name):
    """May ``name`` be replaced by an expression in ``stmt``? Not inside a branch or loop
    (it would run there, perhaps many times), nor where it is changed in place (the
    array of ``np.add.at``) or a subscript store's base."""
    if isinstance(stmt, (ast.If, ast.For, ast.While)):
        return False
    if isinstance(stmt, ast.Expr) and _is_scatter(stmt.value):
        return stmt.value.args[0].id != name
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt]
    for node in (n for target in targets for n in ast.walk(target)):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return False
    return True


class _Tracked(ast.NodeTransformer):
    """An expression rewriter that says whether it changed anything (``changed``): it
    sets the flag wherever it returns or puts in a node other than the one it visited."""

    changed = False

    @staticmethod
    def may_apply(node):
        """Could a statement holding ``node`` be rewritten (a cheap test, so that the
        rewriter visits only such statements)? Rewriters say; by default, yes."""
        return True

    def rewrite(self, node):
        """``node`` rewritten (a statement: in place)."""
        self.changed = False
        return self.visit(node)


class _ProductAdjoints(_Tracked):
    """``matmul_rhs(unbroadcast(g, t), a, b)`` becomes ``matmul_rhs(g, a, b)``: ``t`` is the
    product ``a @ b`` (or has its shape), which the helper sums ``g`` back to by itself,
    so ``t`` need not be kept alive for its shape."""

    def __init__(self, ctx):
        self.ctx = ctx

    @staticmethod
    def may_apply(node):
        return isinstance(node, ast.Call) and len(node.args) == 3 \
            and isinstance(node.args[0], ast.Call)

    def visit_Call(self, node):
        self.generic_visit(node)
        if node.args and isinstance(node.args[0], ast.Call) and len(node.args) == 3:
            try:
                outer, inner = self.ctx.lookup(node.func), self.ctx.lookup(node.args[0].func)
            except (AttributeError, TypeError, KeyError):
                return node
            if outer in (runtime.matmul_lhs, runtime.matmul_rhs) and inner is runtime.unbroadcast:
                node.args[0] = node.args[0].args[0]
                self.changed = True
        return node


class _Rewriter(_Tracked):
    """An expression rewriter that looks up what the calls it sees call."""

    def __init__(self, ctx):
        self.ctx = ctx

    def _callee(self, node):
        try:
            return self.ctx.lookup(node.func) if isinstance(node, ast.Call) else None
        except (AttributeError, TypeError, KeyError):
            return None


class _UniformFactors(_Rewriter):
    """In a product, ``np.full(np.shape(a), s) * e`` becomes ``s * e`` when another factor
    ``e`` surely has ``a``'s shape: the product has that shape either way, and no array
    of ``s`` is filled (the adjoint of ``np.sum(f(x))`` reads ``dout * f'(x)``)."""

    def __init__(self, ctx, facts):
        super().__init__(ctx)
        self.facts = facts

    @staticmethod
    def may_apply(node):
        return isinstance(node, ast.Call) and len(node.args) == 2 and not node.keywords

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if not isinstance(node.op, (ast.Mult, ast.Div)):
            return node
        factors = _factors(node)
        for i, factor in enumerate(factors):
            shaped = self._full_of_shape(factor)
            if shaped is None:
                continue
            name, fill = shaped
            if any(j != i and self._has_shape_of(other, name) for j, other in enumerate(factors)):
                self.changed = True
                return _replace_factor(node, factor, fill)
        return node

    def _full_of_shape(self, node):
        """``(a, s)`` for ``np.full(np.shape(a), s)``, else ``None``."""
        if self._callee(node) is np.full and len(node.args) == 2 and not node.keywords:
            shape_call = node.args[0]
            if self._callee(shape_call) is np.shape and isinstance(shape_call.args[0], ast.Name):
                return shape_call.args[0].id, node.args[1]
        return None

    def _has_shape_of(self, expr, name):
        root = _elementwise_root(expr, self)
        return root is not None and self.facts.same(root, name)


def _factors(node):
    """The operands of a chain of ``*`` and ``/``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        return _factors(node.left) + [node.right]
    return [node]


def _replace_factor(node, old, new):
    if node is old:
        return new
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        if node.right is old:
            return ast.BinOp(node.left, node.op, new)
        return ast.BinOp(_replace_factor(node.left, old, new), node.op, node.right)
    return node


class _ShapesOfExpressions(_Rewriter):
    """``np.shape(100.0 * a ** 2 + b ** 2)``, where folding put an elementwise expression
    whose value nothing else needs (``np.sum``'s result, when only the gradient is
    returned), becomes ``broadcast_shape(a, b)``: the shape without the arithmetic."""

    @staticmethod
    def may_apply(node):
        return isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords \
            and not isinstance(node.args[0], ast.Name)

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._callee(node) not in (np.shape, runtime.shape) or len(node.args) != 1 \
                or node.keywords or isinstance(node.args[0], ast.Name):
            return node
        leaves = _elementwise_leaves(node.args[0], self)
        if leaves is None:
            return node
        self.changed = True
        names = sorted({leaf.id for leaf in leaves}, key=[leaf.id for leaf in leaves].index)
        if not names:
            return ast.Tuple([], ast.Load())
        if len(names) == 1:
            return ast.Call(node.func, [ast.Name(names[0], ast.Load())], [])
        helper = self.ctx.bind(runtime.broadcast_shape, "broadcast_shape")
        return ast.Call(ast.Name(helper, ast.Load()), [ast.Name(n, ast.Load()) for n in names],
                        [])


class _CopiesOfNewArrays(_Rewriter):
    """``np.copy(a + b)`` is ``a + b``: an operation's result is a new array already
    (folding a temporary into a copy made for an array the code writes into gives it)."""

    @staticmethod
    def may_apply(node):
        return isinstance(node, ast.Call) and len(node.args) == 1 \
            and isinstance(node.args[0], (ast.BinOp, ast.UnaryOp))

    def visit_Call(self, node):
        self.generic_visit(node)
        if self._callee(node) is np.copy and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], (ast.BinOp, ast.UnaryOp)):
            self.changed = True
            return node.args[0]
        return node


def _elementwise_leaves(expr, rewriter):
    """The names an elementwise expression of names and numbers combines, else ``None``."""
    if isinstance(expr, ast.Name):
        return [expr]
    if isinstance(expr, ast.Constant):
        return [] if type(expr.value) in (int, float) else None
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        return _elementwise_leaves(expr.operand, rewriter)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Sub, ast.Mult,
                                                            ast.Div, ast.Pow, ast.Mod)):
        operands = [expr.left, expr.right]
    elif isinstance(expr, ast.Call) and not expr.keywords and (
            isinstance(rewriter._callee(expr), np.ufunc)
            and rewriter._callee(expr).signature is None  # not np.matmul, a gufunc
            and rewriter._callee(expr).nin == len(expr.args) and rewriter._callee(expr).nout == 1
            or rewriter._callee(expr) is runtime.sigmoid):
        operands = expr.args
    else:
        return None
    found = []
    for operand in operands:
        leaves = _elementwise_leaves(operand, rewriter)
        if leaves is None:
            return None
        found += leaves
    return found


def _elementwise_root(expr, rewriter):
    """The one name whose shape ``expr`` has, when ``expr`` is made of that name and
    numbers by elementwise operations (``1 - np.tanh(h) ** 2``), else ``None``."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Constant):
        return ""
    if isinstance(expr, ast.UnaryOp):
        return _elementwise_root(expr.operand, rewriter)
    operands = None
    if isinstance(expr, ast.BinOp) and not isinstance(expr.op, ast.MatMult):
        operands = [expr.left, expr.right]
    elif isinstance(expr, ast.Call) and not expr.keywords and (
            isinstance(rewriter._callee(expr), np.ufunc)
            and rewriter._callee(expr).signature is None
            or rewriter._callee(expr) is runtime.sigmoid):
        operands = expr.args
    if operands is None:
        return None
    roots = {_elementwise_root(o, rewriter) for o in operands} - {""}
    if None in roots or len(roots) != 1:
        return None
    return roots.pop()


class _Negations(_Tracked):
    """``-(-a * b)`` becomes ``a * b``: two signs that folding brought together cancel.
    Only where the result is still a new array (an operation), never a bare name, so
    that no adjoint starts sharing an array it did not share before."""

    @staticmethod
    def may_apply(node):
        return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub):
            inner = _without_leading_minus(node.operand)
            if isinstance(inner, (ast.BinOp, ast.UnaryOp)):
                self.changed = True
                return inner
        return node


def _without_leading_minus(expr):
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return expr.operand
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.Div)):
        left = _without_leading_minus(expr.left)
        if left is not None:
            return ast.BinOp(left, expr.op, expr.right)
    return None


class _Replace(ast.NodeTransformer):
    """Put a copy of ``value`` for each read of ``name`` (``value`` itself if ``reuse``:
    it is read once and its own statement goes)."""

    def __init__(self, name, value, reuse=False):
        self.name, self.value, self.reuse = name, value, reuse

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            value = self.value if self.reuse else clone(self.value)
            return ast.copy_location(value, node)
        return node




