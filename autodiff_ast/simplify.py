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
import copy


def simplify(fn, ctx):
    """Simplify ``fn``'s straight-line body to a fixed point; see the module docstring."""
    body = fn.body
    while True:
        new = _fold_single_uses(_propagate_copies(_remove_dead(body)))
        new = [_Negations().visit(stmt) for stmt in new]
        if _dump(new) == _dump(body):
            break
        body = new
    fn.body = body
    return fn


def is_temporary(name):
    """Names the compiler made up and the user never sees otherwise."""
    return name.startswith("_") or name.startswith("d_")


def effects(stmt):
    """``(reads, writes, external)`` of a straight-line statement.

    ``writes`` are names rebound or changed in place (``d[i] += g`` and
    ``np.add.at(d, i, g)`` change ``d``); ``external`` marks statements kept for their
    effect outside the function (``print``, ``assert``, the scalar-output check).
    """
    reads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    writes, external = set(), False
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            writes |= _stored(target)
    elif isinstance(stmt, ast.AugAssign):
        writes |= _stored(stmt.target)
        reads |= _stored(stmt.target)
    elif isinstance(stmt, ast.Expr) and _is_scatter(stmt.value):
        writes.add(stmt.value.args[0].id)
    elif not isinstance(stmt, ast.Return):
        external = True
    return reads, writes, external


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


def _remove_dead(body):
    live, kept = set(), []
    for stmt in reversed(body):
        reads, writes, external = effects(stmt)
        if not (external or isinstance(stmt, ast.Return) or writes & live):
            continue
        live -= _rebinds(stmt)
        live |= reads
        kept.append(stmt)
    return kept[::-1]


def _assignments(body):
    counts = {}
    for stmt in body:
        for name in effects(stmt)[1]:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _uses(body):
    counts = {}
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                counts[node.id] = counts.get(node.id, 0) + 1
    return counts


def _simple_definition(stmt):
    """``(name, value)`` of ``name = value`` with one target name, else ``None``."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(
            stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    return None


def _unchanged_between(body, start, end, sources):
    """Do the statements strictly between ``start`` and ``end`` leave ``sources`` alone?

    A statement reads its operands before it writes, so substituting an expression
    into statement ``end`` evaluates it before ``end``'s own writes.
    """
    return not any(effects(body[k])[1] & sources for k in range(start + 1, end))


def _propagate_copies(body):
    assigned = _assignments(body)
    for i, stmt in enumerate(body):
        definition = _simple_definition(stmt)
        if definition is None:
            continue
        name, value = definition
        if not (is_temporary(name) and assigned.get(name) == 1 and isinstance(value, ast.Name)):
            continue
        uses = [j for j in range(i + 1, len(body)) if name in effects(body[j])[0]]
        if not uses or _unchanged_between(body, i, uses[-1], {value.id}):
            rest = [_Replace(name, value).visit(s) for s in body[i + 1:]]
            return body[:i] + rest
    return body


def _fold_single_uses(body):
    assigned, used = _assignments(body), _uses(body)
    for i, stmt in enumerate(body):
        definition = _simple_definition(stmt)
        if definition is None:
            continue
        name, value = definition
        if not (is_temporary(name) and assigned.get(name) == 1 and used.get(name) == 1):
            continue
        sources = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
        j = next(k for k in range(i + 1, len(body)) if name in effects(body[k])[0])
        if not (_unchanged_between(body, i, j, sources) and _foldable_into(body[j], name)):
            continue
        folded = _Replace(name, value).visit(body[j])
        return body[:i] + body[i + 1:j] + [folded] + body[j + 1:]
    return body


def _foldable_into(stmt, name):
    """May ``name`` be replaced by an expression in ``stmt``? Not where it is changed in
    place (the array of ``np.add.at``) or a subscript store's base."""
    if isinstance(stmt, ast.Expr) and _is_scatter(stmt.value):
        return stmt.value.args[0].id != name
    for node in ast.walk(stmt):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == name:
                return False
    return True


class _Negations(ast.NodeTransformer):
    """``-(-a * b)`` becomes ``a * b``: two signs that folding brought together cancel.
    Only where the result is still a new array (an operation), never a bare name, so
    that no adjoint starts sharing an array it did not share before."""

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub):
            inner = _without_leading_minus(node.operand)
            if isinstance(inner, (ast.BinOp, ast.UnaryOp)):
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
    def __init__(self, name, value):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return ast.copy_location(_copy(self.value), node)
        return node


def _copy(node):
    return copy.deepcopy(node)


def _dump(body):
    return [ast.dump(s) for s in body]
