"""The normal form: one operation per statement, written down as data and checked.

After ``normalize`` a function body holds only these statements, whose operands are
*atoms*: names, constants, references to module members (``np.pi``, ``np.float32``)
and list/tuple displays of atoms (``np.stack([a, b])``, ``np.reshape(x, (n, -1))``)::

    t = a                       copy
    t = a OP b                  binary operator (also comparisons and and/or of atoms)
    t = OP a                    unary operator
    t = f(a, ..., k=c)          call of a reference (np.exp) or builtin (max)
    a, b = f(...)               call of a function that returns a tuple
    t = a[i]                    subscript; i is atoms, slices of atoms, None, Ellipsis
    t = a.attr                  attribute of a value (x.T, x.shape)
    a[i] = b                    write into an array the function made
    a.append(b)                 append to a list the function made
    t = a.pop()  /  a.pop()     take the last item off a list the function made
    if a: ... else: ...         a is an atom; the branches are normal form
    for i in range(a, b, c): ...
    while a: ...                a is recomputed at the end of the body
    print(...)  /  assert ...   forward-only statements, kept as written (also a def or
                                a lambda defined in the function, used as a value)
    return a                    once, as the last statement

``validate(fn, ctx)`` raises ``AssertionError`` naming the first statement that is
not in this grammar; tests run it after ``normalize``.
"""

from __future__ import annotations

import ast
import types

# statement kind -> the shape of its value (checked by the functions below)
GRAMMAR = {
    "copy": "t = a",
    "binary": "t = a OP b",
    "unary": "t = OP a",
    "call": "t = f(a, ..., k=c)",
    "unpack": "a, b = f(...)",
    "subscript": "t = a[i]",
    "attribute": "t = a.attr",
    "store": "a[i] = b",
    "append": "a.append(b)",
    "pop": "t = a.pop() | a.pop()",
    "if": "if a: ... else: ...",
    "for": "for i in range(a, b, c): ...",
    "while": "while a: ...",
    "forward_only": "print(...) | assert ... | pass | def f(...): ... | f = lambda ...: ...",
    "return": "return a",
}


def is_reference(node, ctx):
    """Is ``node`` a name or attribute chain rooted at a module of the namespace, or a
    builtin name (``np.exp``, ``np.linalg.norm``, ``max``)?"""
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if not isinstance(root, ast.Name):
        return False
    if root is node:
        return root.id in ctx.namespace and callable(ctx.namespace[root.id])
    return isinstance(ctx.namespace.get(root.id), types.ModuleType)


def is_atom(node, ctx):
    if isinstance(node, (ast.Name, ast.Constant)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(is_atom(e, ctx) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys) and all(
            is_atom(v, ctx) for v in node.values)
    return isinstance(node, ast.Attribute) and is_reference(node, ctx)


def is_index(node, ctx):
    if isinstance(node, ast.Slice):
        return all(part is None or is_atom(part, ctx)
                   for part in (node.lower, node.upper, node.step))
    if isinstance(node, ast.Tuple):
        return all(is_index(e, ctx) for e in node.elts)
    return is_atom(node, ctx)


def kind(stmt, ctx):
    """The ``GRAMMAR`` key of ``stmt``, or ``None`` if it is not in normal form."""
    if isinstance(stmt, ast.Return):
        return "return" if stmt.value is not None and is_atom(stmt.value, ctx) else None
    if isinstance(stmt, (ast.FunctionDef, ast.Pass)) or (
            isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda)):
        return "forward_only"  # no adjoint (a pass: an empty branch or loop)
    if isinstance(stmt, ast.If):
        return "if" if is_atom(stmt.test, ctx) else None
    if isinstance(stmt, ast.While):
        return "while" if is_atom(stmt.test, ctx) else None
    if isinstance(stmt, ast.For):
        it = stmt.iter
        ok = (isinstance(stmt.target, ast.Name) and isinstance(it, ast.Call)
              and isinstance(it.func, ast.Name) and 1 <= len(it.args) <= 3
              and not it.keywords and all(is_atom(a, ctx) for a in it.args))
        return "for" if ok else None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "append":
        call = stmt.value
        ok = isinstance(call.func.value, ast.Name) and len(call.args) == 1 \
            and is_atom(call.args[0], ctx)
        return "append" if ok else None
    if isinstance(stmt, ast.Expr) and is_pop(stmt.value):
        return "pop"
    if isinstance(stmt, ast.Assert) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
        return "forward_only"
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target, value = stmt.targets[0], stmt.value
    if isinstance(target, ast.Subscript):
        ok = isinstance(target.value, ast.Name) and is_index(target.slice, ctx) \
            and is_atom(value, ctx)
        return "store" if ok else None
    if isinstance(target, ast.Name) and is_pop(value):
        return "pop"
    if isinstance(target, ast.Tuple):
        ok = all(isinstance(e, ast.Name) for e in target.elts) and isinstance(value, ast.Call)
        return "unpack" if ok and _is_call(value, ctx) else None
    if not isinstance(target, ast.Name):
        return None
    if is_atom(value, ctx):
        return "copy"
    if isinstance(value, ast.BinOp):
        return "binary" if is_atom(value.left, ctx) and is_atom(value.right, ctx) else None
    if isinstance(value, ast.BoolOp):
        return "binary" if all(is_atom(v, ctx) for v in value.values) else None
    if isinstance(value, ast.Compare):
        atoms = [value.left] + value.comparators
        return "binary" if all(is_atom(v, ctx) for v in atoms) else None
    if isinstance(value, ast.UnaryOp):
        return "unary" if is_atom(value.operand, ctx) else None
    if isinstance(value, ast.Call):
        return "call" if _is_call(value, ctx) else None
    if isinstance(value, ast.Subscript):
        ok = isinstance(value.value, ast.Name) and is_index(value.slice, ctx)
        return "subscript" if ok else None
    if isinstance(value, ast.Attribute):
        return "attribute" if isinstance(value.value, ast.Name) else None
    return None


def is_pop(value):
    """``a.pop()`` of a list name."""
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
            and value.func.attr == "pop" and isinstance(value.func.value, ast.Name)
            and not value.args and not value.keywords)


def _is_call(value, ctx):
    return (is_reference(value.func, ctx) or isinstance(value.func, ast.Name)) and all(
        is_atom(a, ctx) for a in value.args) and all(
        is_atom(k.value, ctx) and k.arg is not None for k in value.keywords)


def validate(fn, ctx):
    """Raise ``AssertionError`` at the first statement of ``fn`` outside ``GRAMMAR``."""
    _validate_block(fn.body, ctx)
    assert isinstance(fn.body[-1], ast.Return), "normal form ends with return"
    assert not any(isinstance(s, ast.Return) for s in statements(fn.body[:-1])), \
        "normal form returns once"
    return fn


def _validate_block(body, ctx):
    for stmt in body:
        assert kind(stmt, ctx) is not None, \
            f"not in normal form (line {getattr(stmt, 'lineno', '?')}): {ast.unparse(stmt)}"
        if not isinstance(stmt, ast.FunctionDef):
            for field in ("body", "orelse"):
                _validate_block(getattr(stmt, field, []), ctx)


def statements(body):
    """Every statement of ``body``, nested ones included (not those of a function defined
    in it: it was inlined where called), in source order."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, ast.FunctionDef):
            for field in ("body", "orelse"):
                yield from statements(getattr(stmt, field, []))
