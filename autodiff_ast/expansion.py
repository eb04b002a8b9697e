"""How many statements inlining a user's function would make, estimated from its source.

``normalize`` inlines every call of the user's own functions at its call site, so a
helper that calls the next one twice, twenty deep, would become a million statements.
:func:`estimate` predicts the size before any of that work, from the source of the
function and of the functions it calls (each read once): the operations of its body
(about one statement of normal form each) plus the estimate of each callee at each of
its call sites. Loops are counted once, as they are inlined once.

>>> def h0(x):
...     return np.sin(x)
>>> def h1(x):
...     return h0(x) + h0(x * 2)
>>> estimate(h1, lambda value: value if value in (h0, h1) else None, {})  # 4 + 2 * 2
8
"""

from __future__ import annotations

import ast
import inspect
import textwrap

# Inlining more than this many statements of normal form is an error, not a minutes-
# and gigabytes-long compile: 2,000 straight-line statements of the user's make about
# 6,000, and each inlined statement costs about a millisecond to compile.
LIMIT = 20_000


def estimate(function, inlinable, memo):
    """Statements of normal form that inlining ``function`` (with what it calls) makes,
    about. ``inlinable(value)`` gives the function to inline for a value a call refers
    to, else ``None``; ``memo`` (function -> estimate) is kept by the caller for one
    compile. A function that cannot be read, or that calls itself, counts its own
    operations only (the inliner reports those cases itself)."""
    if function in memo:
        return memo[function]
    memo[function] = 0  # a call of itself, found while counting, adds nothing
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return 0
    size = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare,
                             ast.Subscript, ast.Attribute)):
            size += 1
        if isinstance(node, ast.Call):
            value = _referenced(function, node.func)
            # plain functions only: looking into a transform (grad(f)) would compile it
            callee = inlinable(value) if inspect.isfunction(value) else None
            if callee is not None:
                size += estimate(callee, inlinable, memo)
    memo[function] = size
    return size


def _referenced(function, node):
    """The value a name or dotted name refers to in ``function``'s scope, else ``None``."""
    chain = []
    while isinstance(node, ast.Attribute):
        chain.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    code = function.__code__
    if node.id in code.co_freevars:
        try:
            value = function.__closure__[code.co_freevars.index(node.id)].cell_contents
        except ValueError:  # an empty cell
            return None
    elif node.id in function.__globals__:
        value = function.__globals__[node.id]
    else:
        return None
    for attr in reversed(chain):
        value = getattr(value, attr, None)
    return value
