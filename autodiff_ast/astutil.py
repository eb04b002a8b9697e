"""Small helpers on ``ast`` trees shared by the passes."""

from __future__ import annotations

import ast
import contextlib
import re
import sys

_LOCATION = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def clone(node):
    """A deep copy of an ``ast`` tree (several times faster than ``copy.deepcopy``).

    >>> tree = ast.parse("x + f(y, k=1)", mode="eval").body
    >>> copy = clone(tree)
    >>> copy is not tree and ast.dump(copy) == ast.dump(tree)
    True
    """
    if isinstance(node, ast.AST):
        new = type(node)(**{f: clone(getattr(node, f)) for f in node._fields if hasattr(node, f)})
        for attr in _LOCATION:
            if hasattr(node, attr):
                setattr(new, attr, getattr(node, attr))
        return new
    if isinstance(node, list):
        return [clone(item) for item in node]
    return node


def local_names(fn):
    """Names a function assigns or takes as parameters, its nested functions' and
    lambdas' too, and the names of the functions it defines.

    >>> sorted(local_names(ast.parse("def f(x):\\n    y = x\\n    def g(z): pass").body[0]))
    ['g', 'x', 'y', 'z']
    """
    names = {a.arg for a in ast.walk(fn) if isinstance(a, ast.arg)}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef) and node is not fn:
            names.add(node.name)
    return names


def literal(node):
    """The value of a literal atom (a number, string, None, or a list/tuple of them), or
    ``None`` when it is not one.

    >>> literal(ast.parse("[1, 3]", mode="eval").body), literal(ast.Name("n", ast.Load()))
    ([1, 3], None)
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [literal(e) for e in node.elts]
        if any(v is None for v in values):
            return None
        return values if isinstance(node, ast.List) else tuple(values)
    return None


def unparse(node):
    """``ast.unparse`` with the same text on every supported Python: 3.10 prints a tuple
    target as ``(a, b) = ...``, later versions as ``a, b = ...``. A negative number as
    the base of a power (folded from ``(-2.0) ** y``) keeps its parentheses: ``ast``
    prints ``Constant(-2.0) ** y`` as ``-2.0 ** y``, which is ``-(2.0 ** y)``.

    >>> unparse(ast.parse("a, b = f(x)"))
    'a, b = f(x)'
    >>> unparse(ast.BinOp(ast.Constant(-2.0), ast.Pow(), ast.Name("y")))
    '(-2.0) ** y'
    """
    for power in ast.walk(node):
        if isinstance(power, ast.BinOp) and isinstance(power.op, ast.Pow) \
                and isinstance(power.left, ast.Constant) \
                and type(power.left.value) in (int, float) and power.left.value < 0:
            power.left = ast.UnaryOp(ast.USub(), ast.Constant(-power.left.value))
    return re.sub(r"^(\s*)\(([\w, ]+)\) = ", r"\1\2 = ", ast.unparse(node), flags=re.M)


# Python frames the passes may nest: ``ast.unparse`` and the ``NodeTransformer`` passes
# recurse several frames per level of an expression, and a one-line sum of a thousand
# terms is a tree a thousand levels deep. From Python 3.11 a Python call takes no C
# stack, so the bound can be high; before, it stays where an 8 MB stack is safe.
RECURSION_LIMIT = 20_000 if sys.version_info >= (3, 11) else 8_000


@contextlib.contextmanager
def deep_recursion(limit=RECURSION_LIMIT):
    """Let the code in the ``with`` block recurse up to ``limit`` frames (never fewer
    than the interpreter allows already), and restore the limit after it."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)
