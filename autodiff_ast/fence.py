"""Pass 2, fence: reject what the compiler does not support, at the user's line.

Takes the ``FunctionDef`` from ``source``; gives it back unchanged, or raises an
:class:`AutodiffSyntaxError` naming the construct, with a caret under it and a hint of
what to write instead. Later passes may then assume the supported subset.

>>> import ast
>>> from autodiff_ast.source import read
>>> def f(x):
...     return sum({v * 2 for v in x})
>>> fn, ctx = read(f)
>>> check(fn, ctx)
Traceback (most recent call last):
...
autodiff_ast.errors.AutodiffSyntaxError: set comprehensions are not supported: ...
"""

from __future__ import annotations

import ast

import numpy as np

from . import runtime
from .structures import kind_name

# Statement and expression node types that later passes understand.
STATEMENTS = (ast.Assign, ast.AugAssign, ast.Return, ast.Expr, ast.Pass, ast.Assert, ast.If,
              ast.For, ast.While, ast.Break, ast.Continue, ast.FunctionDef)
EXPRESSIONS = (
    ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Call, ast.Attribute, ast.Subscript,
    ast.Name, ast.Constant, ast.Tuple, ast.List, ast.Slice, ast.keyword, ast.IfExp, ast.Dict,
    ast.ListComp, ast.GeneratorExp, ast.DictComp,  # desugar lowers them to loops or displays
)
OPERATORS = (
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.MatMult, ast.FloorDiv, ast.Mod,
    ast.BitAnd, ast.BitOr, ast.BitXor, ast.USub, ast.UAdd, ast.Not, ast.Invert, ast.And, ast.Or,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
)

# Array methods that change the array they are called on.
CHECKS = {runtime.ensure_scalar}  # runtime checks that may stand alone as statements
MUTATING = {"sort", "fill", "resize", "put", "itemset", "setfield", "partition", "setflags"}
# Methods of lists that change them in place (append and pop are supported).
LIST_METHODS = {"extend", "insert", "remove", "clear", "reverse"}

# What to say about each unsupported construct.
UNSUPPORTED = {
    ast.With: "with statements are not supported: move the context manager outside "
              "the differentiated function",
    ast.Try: "try statements are not supported: handle errors outside the differentiated "
             "function",
    ast.Raise: "raise is not supported yet: validate inputs outside the differentiated "
               "function",
    ast.Yield: "generators (yield) cannot be differentiated: return an array instead",
    ast.YieldFrom: "generators (yield from) cannot be differentiated: return an array instead",
    ast.Await: "await is not supported: differentiate a synchronous function",
    ast.Lambda: "a lambda is only supported assigned to a name (f = lambda x: ...) and "
                "called",
    ast.Global: "global statements are not supported: pass the value as an argument",
    ast.Nonlocal: "nonlocal statements are not supported: pass the value as an argument",
    ast.AsyncFunctionDef: "async functions cannot be differentiated",
    ast.ClassDef: "class definitions inside a differentiated function are not supported",
    ast.Delete: "del is not supported: let the name go out of scope instead",
    ast.Import: "import inside a differentiated function is not supported: import at "
                "module level",
    ast.ImportFrom: "import inside a differentiated function is not supported: import at "
                    "module level",
    ast.SetComp: "set comprehensions are not supported: use a list comprehension",
    ast.NamedExpr: "assignment expressions (:=) are not supported: assign on a line of "
                   "its own",
    ast.Starred: "starred arguments (*args) are not supported: pass the arguments one by one",
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
                              "supported: list the parameters explicitly (def f(x, y): ...), "
                              "or take the arrays as one list or tuple parameter (def "
                              "f(xs): ... xs[0] ...)")
    params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    _check_block(fn.body, ctx)
    if getattr(ctx.function, "__module__", None) != "autodiff_ast.generated":
        # generated gradient code writes only into adjoints it owns (reverse.py makes
        # sure), in ways this conservative check cannot follow
        _check_writes(fn, params, ctx)
    if not _always_returns(fn.body):
        last = fn.body[-1]
        raise ctx.error(last, "the function can end without returning a value: end it with "
                              "a return statement (every path must return the value to "
                              "differentiate)")
    return fn


def _check_block(body, ctx):
    for stmt in body:
        _check_statement(stmt, ctx)
        if isinstance(stmt, (ast.For, ast.While)):
            if stmt.orelse:
                raise ctx.error(stmt, f"{'for' if isinstance(stmt, ast.For) else 'while'} ... "
                                      f"else is not supported: set a flag where the loop "
                                      f"breaks and test it after the loop")
            if isinstance(stmt, ast.For):
                _check_loop_target(stmt.target, ctx)
                _check_expression(stmt.iter, ctx)
            else:
                _check_expression(stmt.test, ctx)
                _no_comprehension(stmt.test, ctx, "a while loop's condition (it is evaluated "
                                                  "again at every step): compute it into a "
                                                  "name before the loop and at the end of its "
                                                  "body")
            _check_block(stmt.body, ctx)
        elif isinstance(stmt, ast.If):
            _check_expression(stmt.test, ctx)
            _check_block(stmt.body, ctx)
            _check_block(stmt.orelse, ctx)
        elif isinstance(stmt, ast.Return) and stmt.value is None:
            raise ctx.error(stmt, "return without a value: return the value to differentiate")
        elif isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant) \
                and stmt.value.value is None:
            raise ctx.error(stmt.value, "the function returns None, not a value to "
                                        "differentiate: return the value (a scalar for "
                                        "grad)")
        elif isinstance(stmt, ast.FunctionDef):
            _check_local_function(stmt, ctx)


def _check_local_function(fn, ctx):
    """A function defined inside the differentiated one is inlined where it is called."""
    if fn.decorator_list:
        raise ctx.error(fn.decorator_list[0], "decorators on a nested function are not supported")
    if fn.args.vararg or fn.args.kwarg:
        raise ctx.error(fn, "nested functions with *args or **kwargs are not supported")
    _check_block(fn.body, ctx)
    if not _always_returns(fn.body):
        raise ctx.error(fn.body[-1], f"{fn.name} can end without returning a value: every "
                                     f"path must return one")


def _check_loop_target(target, ctx):
    """A name, or a tuple of names and such tuples (``for i, (a, b) in
    enumerate(zip(x, y))``)."""
    if _names_only(target):
        return
    raise ctx.error(target, "a for loop's target must be a name or a tuple of names")


def _names_only(target):
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, ast.Tuple) and all(_names_only(e) for e in target.elts)


def _always_returns(body):
    """Does every path through ``body`` end in a return?"""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, ast.Return):
        return True
    if isinstance(last, ast.If):
        return _always_returns(last.body) and _always_returns(last.orelse)
    return False


# Calls whose results are new arrays, so that writing into them changes nothing else.
FRESH_CALLS = {
    "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like",
    "copy", "array", "arange", "eye", "identity", "linspace", "concatenate", "stack",
    "hstack", "vstack", "tile", "repeat", "outer", "dot", "matmul", "where", "clip", "exp",
    "log", "sqrt", "tanh", "sin", "cos", "abs", "maximum", "minimum", "sum", "mean",
    "cumsum", "cumprod", "diag", "pad",
}


def _check_writes(fn, params, ctx):
    """Writes into an array (``y[i] = v``, ``out.append(v)``) must go to an array or list
    the function made itself: never an argument's (the caller's data must not change),
    and never one that another name may share."""
    written = {}
    for node in ast.walk(fn):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript):
                    written.setdefault(_base_name(target, ctx), target)
        elif isinstance(node, ast.Expr) and (_is_append(node.value) or _is_pop(node.value)):
            written.setdefault(node.value.func.value.id, node.value)
        elif isinstance(node, ast.Expr) and _is_scatter_add(node.value, ctx):
            written.setdefault(node.value.args[0].id, node.value)
        elif isinstance(node, ast.Assign) and _is_pop(node.value):
            written.setdefault(node.value.func.value.id, node.value)
    if not written:
        return
    definitions = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store) \
                            and target is name:
                        definitions.setdefault(name.id, []).append(node.value)
        elif isinstance(node, ast.For):
            for name in ast.walk(node.target):
                if isinstance(name, ast.Name):
                    definitions.setdefault(name.id, []).append(None)
    copies = {v.id for node in ast.walk(fn) if isinstance(node, ast.Assign)
              for v in [node.value] if isinstance(v, ast.Name)}
    for name, where in written.items():
        if _is_item_write(where):
            raise ctx.error(where, f"writing into the dict '{name}' is not supported: "
                                   f"build a new dict holding the new values instead "
                                   f"({{'W': W2, 'b': {name}['b']}})")
        if name in params and ctx.structures.get(name) is not None:
            kind = kind_name(ctx.structures[name])
            raise ctx.error(where, f"writing into the argument '{name}' (a {kind} of "
                                   f"arrays) would change the caller's {kind}: build a new "
                                   f"one holding the new values instead")
        if name in params and not _copied_first(fn.body, name, where, definitions):
            raise ctx.error(where, f"writing into the argument '{name}' would change the "
                                   f"caller's array: write into a copy ({name} = "
                                   f"np.copy({name}) first)")
        if name in copies:
            raise ctx.error(where, f"'{name}' is also held by another name, so writing into "
                                   f"it would change that one too: make a copy with "
                                   f"np.copy(...)")
        for value in definitions.get(name, [None]):
            if not _fresh(value):
                raise ctx.error(where, f"'{name}' may share memory with another array, so "
                                       f"writing into it could change that one too: make it "
                                       f"a new array (np.copy(...), np.zeros(...), [] ...)")


def _copied_first(body, name, write, definitions):
    """Is the argument ``name`` bound to a new array (``x = np.copy(x)``) by a statement
    of the function's own block before the one that holds the first ``write``, and only
    ever to new arrays? Then the write goes to that copy, not to the caller's array."""
    if not all(_fresh(value) for value in definitions.get(name, [None])):
        return False
    for stmt in body:
        if any(node is write for node in ast.walk(stmt)):
            return False
        if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            return True
    return False


def _is_item_write(where):
    """``d["key"] = v``: a write into a dict (an array is not indexed by a string)."""
    return isinstance(where, ast.Subscript) and isinstance(where.slice, ast.Constant) \
        and isinstance(where.slice.value, str)


def _base_name(target, ctx):
    base = target.value
    if not isinstance(base, ast.Name):
        raise ctx.error(target, "assignment into an element of an expression is not "
                                "supported: assign into an element of a name")
    return base.id


def _is_pop(call):
    """``stack.pop()``: the last item of a list the function made, removed."""
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "pop" and isinstance(call.func.value, ast.Name)
            and not call.args and not call.keywords)


def _is_scatter_add(call, ctx):
    """``np.add.at(y, index, values)``: adds ``values`` into ``y`` at ``index``."""
    func = call.func if isinstance(call, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == "at"
            and isinstance(func.value, ast.Attribute) and func.value.attr == "add"
            and isinstance(func.value.value, ast.Name)
            and _global(func.value.value.id, ctx) is np and len(call.args) == 3
            and isinstance(call.args[0], ast.Name) and not call.keywords)


def _is_check(call, ctx):
    """A call of a runtime check that generated code makes (``ensure_scalar(out, 'f')``)."""
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and _global(call.func.id, ctx) in CHECKS)


def _global(name, ctx):
    scope = getattr(ctx.function, "__globals__", None) or {}
    return scope.get(name)


def _is_append(call):
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "append" and isinstance(call.func.value, ast.Name)
            and len(call.args) == 1 and not call.keywords)


def _fresh(value):
    """Does ``value`` surely make a new array or list?"""
    if isinstance(value, (ast.List, ast.ListComp, ast.BinOp, ast.UnaryOp)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in FRESH_CALLS
    return False


def _check_statement(stmt, ctx):
    if not isinstance(stmt, STATEMENTS):
        raise ctx.error(stmt, _message(stmt))
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            _check_target(target, ctx)
    elif isinstance(stmt, ast.AugAssign):
        _check_target(stmt.target, ctx)
    elif isinstance(stmt, ast.Expr):
        value = stmt.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                and value.func.attr in MUTATING:
            raise ctx.error(stmt, f".{value.func.attr}() changes the array in place, which is "
                                  f"not supported: build a new array instead (np.sort, "
                                  f"np.where, np.concatenate)")
        if not (_is_docstring_or_print(value) or _is_append(value) or _is_pop(value)
                or _is_scatter_add(value, ctx) or _is_check(value, ctx)):
            _check_expression(value, ctx)
            if isinstance(value, ast.Call) and any(k.arg == "out" for k in value.keywords):
                raise ctx.error(value, "out= writes the result into an existing array, which "
                                       "is not supported: assign it to a name instead "
                                       "(y = np.multiply(a, b))")
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                    and value.func.attr in LIST_METHODS:
                raise ctx.error(value, f".{value.func.attr}() changes a list in place, which is "
                                       f"not supported: build the list with append(...) (one "
                                       f"item at a time) or write a new list")
            raise ctx.error(stmt, "an expression statement has no effect on the result; "
                                  "only docstrings, print(...), list.append(...), "
                                  "list.pop() and np.add.at(...) calls may stand alone")
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        for arg in stmt.value.args:  # print arguments may use f-strings
            if not isinstance(arg, ast.JoinedStr):
                _check_expression(arg, ctx)
        return
    if isinstance(stmt, (ast.If, ast.For, ast.While, ast.FunctionDef)):
        return  # their parts are checked by _check_block
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise ctx.error(stmt.value, "a lambda is only supported assigned to one name")
        _check_expression(stmt.value.body, ctx)
        _no_comprehension(stmt.value.body, ctx, "a lambda: write a nested function (def) "
                                                "instead")
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
        _base_name(target, ctx)
        return
    if isinstance(target, ast.Starred):
        raise ctx.error(target, "starred assignment targets are not supported")
    raise ctx.error(target, "assignment to an attribute is not supported: assign to a name")


def _check_expression(expr, ctx):
    # a complex step counts samples, as in np.r_[0:1:5j] (desugar writes np.linspace)
    steps = {id(n.step) for n in ast.walk(expr) if isinstance(n, ast.Slice)}
    for node in ast.walk(expr):
        if isinstance(node, (ast.expr_context, ast.comprehension, ast.arguments, ast.arg)):
            continue
        if isinstance(node, (ast.operator, ast.unaryop, ast.cmpop, ast.boolop)):
            if not isinstance(node, OPERATORS):
                raise ctx.error(expr, f"the operator {type(node).__name__} is not supported")
            continue
        if isinstance(node, ast.Dict) and not all(
                isinstance(k, ast.Constant) for k in node.keys):
            raise ctx.error(node, "a dict display needs constant keys ({'W': W, 'b': b})")
        if isinstance(node, ast.Constant) and isinstance(node.value, complex) \
                and id(node) not in steps:
            raise ctx.error(node, "complex numbers are not supported")
        if not isinstance(node, EXPRESSIONS):
            raise ctx.error(node, _message(node))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp)):
            _check_comprehension(node, ctx)


def _no_comprehension(expr, ctx, where):
    """Comprehensions are lowered to statements before the one that holds them, which
    ``where`` cannot have."""
    for node in ast.walk(expr):
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp)):
            raise ctx.error(node, f"a comprehension is not supported in {where}")


def _check_comprehension(node, ctx):
    for gen in node.generators:
        if not _names_only(gen.target):
            raise ctx.error(gen.target, "a comprehension's target must be a name or a tuple "
                                        "of names")


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
