"""Pass 2, fence: reject what the compiler does not support, at the user's line.

Takes the ``FunctionDef`` from ``source``; gives it back unchanged, or raises an
:class:`AutodiffSyntaxError` naming the construct, with a caret under it and a hint of
what to write instead. Later passes may then assume the supported subset.

>>> import ast
>>> from autodiff_ast.source import read
>>> def f(x):
...     return [v * 2 for v in x]
>>> fn, ctx = read(f)
>>> check(fn, ctx)
Traceback (most recent call last):
...
autodiff_ast.errors.AutodiffSyntaxError: list comprehensions are not supported: ...
"""

from __future__ import annotations

import ast

# Statement and expression node types that later passes understand.
STATEMENTS = (ast.Assign, ast.AugAssign, ast.Return, ast.Expr, ast.Pass, ast.Assert)
EXPRESSIONS = (
    ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Call, ast.Attribute, ast.Subscript,
    ast.Name, ast.Constant, ast.Tuple, ast.List, ast.Slice, ast.keyword, ast.IfExp,
)
OPERATORS = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult, ast.FloorDiv, ast.Mod,
    ast.BitAnd, ast.BitOr, ast.BitXor, ast.USub, ast.UAdd, ast.Not, ast.Invert, ast.And, ast.Or,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)

# Array methods that change the array they are called on.
MUTATING = {"sort", "fill", "resize", "put", "itemset", "setfield", "partition", "setflags"}

# What to say about each unsupported construct.
UNSUPPORTED = {
    ast.If: "if statements are not supported yet; for a value choice use np.where(cond, a, b)",
    ast.For: "for loops are not supported yet; write the computation with array operations",
    ast.While: "while loops are not supported yet",
    ast.Break: "break is not supported yet",
    ast.Continue: "continue is not supported yet",
    ast.With: "with statements are not supported: move the context manager outside "
              "the differentiated function",
    ast.Try: "try statements are not supported: handle errors outside the differentiated "
             "function",
    ast.Raise: "raise is not supported yet: validate inputs outside the differentiated "
               "function",
    ast.Yield: "generators (yield) cannot be differentiated: return an array instead",
    ast.YieldFrom: "generators (yield from) cannot be differentiated: return an array instead",
    ast.Await: "await is not supported: differentiate a synchronous function",
    ast.Lambda: "lambda is not supported yet: define a function with def at module level",
    ast.Global: "global statements are not supported: pass the value as an argument",
    ast.Nonlocal: "nonlocal statements are not supported: pass the value as an argument",
    ast.FunctionDef: "nested function definitions are not supported yet: define the "
                     "function at module level",
    ast.AsyncFunctionDef: "async functions cannot be differentiated",
    ast.ClassDef: "class definitions inside a differentiated function are not supported",
    ast.Delete: "del is not supported: let the name go out of scope instead",
    ast.Import: "import inside a differentiated function is not supported: import at "
                "module level",
    ast.ImportFrom: "import inside a differentiated function is not supported: import at "
                    "module level",
    ast.ListComp: "list comprehensions are not supported: use an array operation "
                  "(np.stack, broadcasting) instead",
    ast.SetComp: "set comprehensions are not supported",
    ast.DictComp: "dict comprehensions are not supported",
    ast.GeneratorExp: "generator expressions are not supported: use an array operation "
                      "(np.sum over an axis, broadcasting) instead",
    ast.NamedExpr: "assignment expressions (:=) are not supported: assign on a line of "
                   "its own",
    ast.Starred: "starred arguments (*args) are not supported: pass the arguments one by one",
    ast.Dict: "dict displays are not supported yet",
    ast.Set: "set displays are not supported",
    ast.JoinedStr: "f-strings are only supported as arguments of print()",
    ast.AnnAssign: "annotated assignments are not supported: drop the annotation",
    ast.Match: "match statements are not supported",
    ast.AsyncFor: "async for is not supported",
    ast.AsyncWith: "async with is not supported",
}


def check(fn, ctx):
    """Raise a located error for the first unsupported construct in ``fn``; return ``fn``."""
    if isinstance(fn, ast.AsyncFunctionDef):
        raise ctx.error(fn, "async functions cannot be differentiated")
    args = fn.args
    if args.vararg or args.kwarg:
        star = args.vararg or args.kwarg
        raise ctx.error(star, "functions with *args or **kwargs parameters are not "
                              "supported: list the parameters explicitly")
    for stmt in fn.body:
        _check_statement(stmt, ctx)
    for stmt in fn.body[:-1]:
        if isinstance(stmt, ast.Return):
            raise ctx.error(stmt, "a return before the last statement is not supported yet")
    last = fn.body[-1]
    if not isinstance(last, ast.Return) or last.value is None:
        raise ctx.error(last, "the function must end with a return statement that returns "
                              "the value to differentiate")
    return fn


def _check_statement(stmt, ctx):
    if not isinstance(stmt, STATEMENTS):
        raise ctx.error(stmt, _message(stmt))
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            _check_target(target, ctx)
    elif isinstance(stmt, ast.AugAssign):
        if not isinstance(stmt.target, ast.Name):
            raise ctx.error(stmt.target, "augmented assignment into an element or attribute "
                                         "is not supported yet: assign to a name")
    elif isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                and value.func.attr in MUTATING:
            raise ctx.error(stmt, f".{value.func.attr}() changes the array in place, which is "
                                  f"not supported: build a new array instead (np.sort, "
                                  f"np.where, np.concatenate)")
        if not _is_docstring_or_print(value):
            _check_expression(value, ctx)
            raise ctx.error(stmt, "an expression statement has no effect on the result; "
                                  "only docstrings and print(...) calls may stand alone")
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        for arg in stmt.value.args:  # print arguments may use f-strings
            if not isinstance(arg, ast.JoinedStr):
                _check_expression(arg, ctx)
        return
    for child in ast.iter_child_nodes(stmt):
        if isinstance(child, ast.expr):
            _check_expression(child, ctx)


def _check_target(target, ctx):
    if isinstance(target, ast.Name):
        return
    if isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _check_target(element, ctx)
        return
    if isinstance(target, ast.Subscript):
        raise ctx.error(target, "assignment into an array element is not supported yet: "
                                "build the array with np.where, np.concatenate or np.stack")
    if isinstance(target, ast.Starred):
        raise ctx.error(target, "starred assignment targets are not supported")
    raise ctx.error(target, "assignment to an attribute is not supported: assign to a name")


def _check_expression(expr, ctx):
    for node in ast.walk(expr):
        if isinstance(node, (ast.expr_context, ast.comprehension, ast.arguments, ast.arg)):
            continue
        if isinstance(node, ast.IfExp):
            raise ctx.error(node, "conditional expressions (a if c else b) are not supported "
                                  "yet; use np.where(c, a, b)")
        if isinstance(node, (ast.operator, ast.unaryop, ast.cmpop, ast.boolop)):
            if not isinstance(node, OPERATORS):
                raise ctx.error(expr, f"the operator {type(node).__name__} is not supported")
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, complex):
            raise ctx.error(node, "complex numbers are not supported")
        if not isinstance(node, EXPRESSIONS):
            raise ctx.error(node, _message(node))


def _is_docstring_or_print(value):
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return True
    return (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
            and value.func.id == "print")


def _message(node):
    for kind, message in UNSUPPORTED.items():
        if isinstance(node, kind):
            return message
    return f"{type(node).__name__} is not supported"
