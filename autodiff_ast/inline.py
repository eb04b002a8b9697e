"""Rule inlining: a derivative rule's body becomes generated code at one call site.

``instantiate`` takes a :class:`~autodiff_ast.rules.registry.Rule`, the adjoint ``g`` and
result ``ans`` of one primal statement and its argument atoms; it gives the statements
and the one contribution expression per rule parameter (``None`` where there is none).
The rule's parameters are replaced by the call's arguments (or the rule's defaults), its
local names by fresh ones, and what is known at compile time is evaluated: ``if axis is
None:`` picks a branch, ``x2 - 1`` with ``x2 = 2`` becomes ``1``, ``x ** 1`` becomes ``x``.
A rule whose body does not reduce to straight-line code ending in ``return`` is called
at run time instead (it is runnable NumPy).

>>> import numpy as np
>>> from autodiff_ast.context import Context
>>> from autodiff_ast.rules import lookup
>>> ctx = Context(None, "f.py", 0, 0, [])
>>> stmts, [(x1, dx1), (x2, dx2)] = instantiate(
...     lookup(np.power), ctx, _name("dq"), _name("q"), [_name("x"), ast.Constant(2)], {})
>>> ast.unparse(dx1)
'dq * 2 * x'
"""

from __future__ import annotations

import ast
import builtins
import inspect
import math

import numpy as np

from . import runtime
from .astutil import clone
from .errors import AutodiffError
from .rules.registry import given, is_display, is_literal, same


class RuleBindingError(AutodiffError, TypeError):
    """The call's arguments do not fit the rule's parameters."""


def instantiate(rule, ctx, g, ans, args, keywords):
    """``(statements, [(argument atom, contribution), ...])`` of ``rule`` at one call site,
    one pair per rule parameter; see the module docstring.

    ``args`` are the positional argument atoms, ``keywords`` maps names to atoms.
    """
    params = rule.parameters
    bound, defaulted = bind_arguments(rule, params, args, keywords)
    template = rule.template
    inlined = _inline(template, rule, ctx, g, ans, bound, defaulted) \
        if template is not None else None
    if inlined is not None:
        statements, value = inlined
        contributions = _per_parameter(value, len(params))
    else:
        statements, contributions = _call_at_run_time(rule, ctx, g, ans, params, bound)
    return statements, [(bound[p.name], c) for p, c in zip(params, contributions)]


def instantiate_value(rule, ctx, g, ans, args, keywords):
    """``(statements, returned expression, parameter name -> atom)`` of ``rule`` at one
    call site, the returned value as the rule writes it (a tuple stays a tuple): for
    tangent rules, whose tuples may be the tangents of several outputs."""
    params = rule.parameters
    bound, defaulted = bind_arguments(rule, params, args, keywords)
    template = rule.template
    inlined = _inline(template, rule, ctx, g, ans, bound, defaulted) \
        if template is not None else None
    if inlined is None:
        name = ctx.bind(rule.function, rule.function.__name__ + "_rule")
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        call = ast.Call(ast.Name(name, ast.Load()),
                        [g, ans] + [_as_value(bound[p.name]) for p in positional],
                        [ast.keyword(p.name, _as_value(bound[p.name])) for p in params
                         if p.kind == p.KEYWORD_ONLY])
        return [], call, bound
    statements, value = inlined
    return statements, value, bound


def bind_arguments(rule, params, args, keywords):
    """``(parameter name -> atom, names left at their defaults)`` for one call."""
    bound, defaulted = {}, set()
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(args) > len(positional):
        raise RuleBindingError(f"takes at most {len(positional)} positional arguments in "
                               f"differentiated code ({len(args)} given): its derivative "
                               f"rule has no more parameters")
    for param, arg in zip(positional, args):
        bound[param.name] = arg
    names = {p.name for p in params}
    for name, value in keywords.items():
        if name not in names:
            raise RuleBindingError(f"does not support the keyword argument {name}=")
        if name in bound:
            raise RuleBindingError(f"got two values for the argument {name}")
        bound[name] = value
    for param in params:
        if param.name not in bound:
            if param.default is inspect.Parameter.empty:
                raise RuleBindingError(f"is missing the argument {param.name}")
            bound[param.name] = ast.Constant(param.default)
            defaulted.add(param.name)
    return bound, defaulted


def _inline(template, rule, ctx, g, ans, bound, defaulted):
    body = clone(template.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    argnames = [a.arg for a in template.args.args + template.args.kwonlyargs]
    substitutions = dict(bound)
    substitutions[argnames[0]] = g
    substitutions[argnames[1]] = ans
    local = {n.id for stmt in body for n in ast.walk(stmt)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for name in sorted(local):
        substitutions[name] = ast.Name(ctx.fresh("_r", numbered=True), ast.Load())
    renamer = _Substitute(substitutions, defaulted, rule, ctx)
    body = [renamer.visit(stmt) for stmt in body]
    return _evaluate(body)


def _evaluate(body):
    """Straight-line statements and the returned expression of ``body`` after evaluating
    what is constant, or ``None`` if a branch or loop depends on run-time values."""
    out = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            test = fold(stmt.test)
            if not isinstance(test, ast.Constant):
                return None
            rest = _evaluate((stmt.body if test.value else stmt.orelse))
            if rest is None:
                return None
            statements, value = rest
            out.extend(statements)
            if value is not None:
                return out, value
            continue
        if isinstance(stmt, ast.Return):
            return out, fold(stmt.value) if stmt.value is not None else ast.Constant(None)
        if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            stmt.value = fold(stmt.value)
            out.append(stmt)
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            out.append(stmt)  # a call made for its effect: print(label, g)
            continue
        return None
    return out, None


def _per_parameter(value, count):
    if value is None:
        return [None] * count
    if isinstance(value, ast.Tuple):
        parts = [None if _is_none(v) else v for v in value.elts]
    else:
        parts = [None if _is_none(value) else value]
    return parts + [None] * (count - len(parts))


def _is_none(node):
    return isinstance(node, ast.Constant) and node.value is None


def _call_at_run_time(rule, ctx, g, ans, params, bound):
    """``_r1 = rule(g, ans, args...)`` and one contribution per parameter.

    When the rule's source shows how many values it returns they are indexed directly;
    otherwise ``per_parameter`` checks the result's length at run time and turns each
    ``None`` into zeros of its argument's shape.
    """
    name = ctx.bind(rule.function, rule.function.__name__ + "_adjoint")
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    args = [g, ans] + [_as_value(bound[p.name]) for p in positional]
    kwargs = [ast.keyword(p.name, _as_value(bound[p.name])) for p in params
              if p.kind == p.KEYWORD_ONLY]
    result = ctx.fresh("_r", numbered=True)
    call = ast.Call(ast.Name(name, ast.Load()), args, kwargs)
    returns = _return_values(rule.template)
    if returns is None or returns > 1:
        helper = ctx.bind(runtime.per_parameter, "per_parameter")
        call = ast.Call(ast.Name(helper, ast.Load()),
                        [call, ast.Tuple([_as_value(bound[p.name]) for p in params],
                                         ast.Load())], [])
        returns = len(params)
    stmt = ast.Assign([ast.Name(result, ast.Store())], call)
    if returns == 1:
        return [stmt], [ast.Name(result, ast.Load())] + [None] * (len(params) - 1)
    parts = [ast.Subscript(ast.Name(result, ast.Load()), ast.Constant(i), ast.Load())
             for i in range(returns)]
    return [stmt], parts + [None] * (len(params) - returns)


def _return_values(template):
    """How many values the rule returns (the length of its longest returned tuple, or 1),
    or ``None`` when its source cannot be read; ``per_parameter`` pads shorter ones."""
    if template is None:
        return None
    lengths = [len(node.value.elts) for node in ast.walk(template)
               if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple)]
    return max(lengths, default=1)


def _as_value(node):
    """An index atom as a run-time value: ``1:3`` becomes ``slice(1, 3)``."""
    if isinstance(node, ast.Slice):
        parts = [p if p is not None else ast.Constant(None)
                 for p in (node.lower, node.upper, node.step)]
        return ast.Call(ast.Name("slice", ast.Load()), parts, [])
    if isinstance(node, ast.Tuple):
        return ast.Tuple([_as_value(e) for e in node.elts], ast.Load())
    return node


class _Substitute(ast.NodeTransformer):
    """Parameters and locals to their atoms; the rule module's globals to namespace names;
    the compile-time questions ``is_literal(x)``, ``given(x)``, ``is_display(x)`` and
    ``same(x1, x2)`` answered."""

    def __init__(self, substitutions, defaulted, rule, ctx):
        self.substitutions, self.defaulted = substitutions, defaulted
        self.rule, self.ctx = rule, ctx

    def visit_Call(self, node):
        func = node.func
        question = self.rule.function.__globals__.get(func.id) if isinstance(
            func, ast.Name) else None
        if question is same and len(node.args) == 2:
            a, b = (self.substitutions.get(getattr(n, "id", None), n) for n in node.args)
            return ast.Constant(isinstance(a, ast.Name) and isinstance(b, ast.Name)
                                and a.id == b.id)
        if question is is_display and len(node.args) == 1:
            arg = self.substitutions.get(getattr(node.args[0], "id", None), node.args[0])
            return ast.Constant(isinstance(arg, (ast.List, ast.Tuple)))
        if question in (is_literal, given) and len(node.args) == 1:
            name = getattr(node.args[0], "id", None)
            if question is given:
                return ast.Constant(name not in self.defaulted)
            arg = self.substitutions.get(name, node.args[0])
            return ast.Constant(isinstance(arg, ast.Constant) and type(arg.value) in (int, float))
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.substitutions:
            new = clone(self.substitutions[node.id])
            if isinstance(node.ctx, ast.Store):
                new.ctx = ast.Store()
            return new
        scope = self.rule.function.__globals__
        if node.id in scope:
            value = scope[node.id]
        elif hasattr(builtins, node.id):
            if node.id not in self.ctx.names:
                return node
            value = getattr(builtins, node.id)
        else:
            return node
        if value is np:
            return ast.Name(self.ctx.numpy(), ast.Load())
        return ast.Name(self.ctx.bind(value, node.id), ast.Load())


# ----- compile-time evaluation ----------------------------------------------------------

_SAFE_CALLS = {
    "isinstance": isinstance, "len": len, "tuple": tuple, "int": int, "float": float,
    "abs": abs, "min": min, "max": max, "range": range, "sorted": sorted, "list": list,
}
_SAFE_TYPES = {"int": int, "float": float, "tuple": tuple, "list": list, "bool": bool,
               "str": str, "type(None)": type(None)}


def fold(node):
    """``node`` with constant subexpressions evaluated and trivial arithmetic removed.

    >>> ast.unparse(fold(ast.parse("g * (2 - 1) * x ** (3 - 2) + 0", mode="eval").body))
    'g * x'
    >>> ast.unparse(fold(ast.parse("None is None or k", mode="eval").body))
    'True'
    >>> ast.unparse(fold(ast.parse("(a, b)[1]", mode="eval").body))
    'b'
    """
    return _Fold().visit(node)


def _constant(node):
    """The Python value of a constant expression node, or raise ``ValueError``."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple):
        return tuple(_constant(e) for e in node.elts)
    raise ValueError


def _is_const(node):
    try:
        _constant(node)
        return True
    except ValueError:
        return False


def _number(node, value):
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) \
        and node.value == value


class _Fold(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right, op = node.left, node.right, node.op
        if isinstance(op, ast.Mult) and isinstance(left, (ast.List, ast.Tuple)) and isinstance(
                right, ast.Constant) and type(right.value) is int:
            return type(left)([clone(e) for _ in range(right.value) for e in left.elts],
                              ast.Load())
        if _is_const(left) and _is_const(right):
            try:
                return _const(_binary(op, _constant(left), _constant(right)), node)
            except Exception:  # leave it to run time (e.g. division by zero)
                return node
        if isinstance(op, ast.Mult):
            if _number(left, 1):
                return right
            if _number(right, 1):
                return left
            if _number(left, -1):
                return ast.UnaryOp(ast.USub(), right)
            if _number(right, -1):
                return ast.UnaryOp(ast.USub(), left)
        if isinstance(op, ast.Div) and _number(right, 1):
            return left
        if isinstance(op, ast.Add):
            if _number(left, 0):
                return right
            if _number(right, 0):
                return left
        if isinstance(op, ast.Sub):
            if _number(right, 0):
                return left
            if _number(left, 0):
                return ast.UnaryOp(ast.USub(), right)
        if isinstance(op, ast.Pow) and _number(right, 1):
            return left
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if _is_const(node.operand):
            try:
                return _const(_unary(node.op, _constant(node.operand)), node)
            except Exception:
                return node
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.UnaryOp) \
                and isinstance(node.operand.op, ast.USub):
            return node.operand.operand
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        values = [node.left] + node.comparators
        if all(_is_const(v) for v in values):
            try:
                left = _constant(node.left)
                for op, right in zip(node.ops, node.comparators):
                    right = _constant(right)
                    if not _compare(op, left, right):
                        return ast.Constant(False)
                    left = right
                return ast.Constant(True)
            except Exception:
                return node
        return node

    def visit_BoolOp(self, node):
        self.generic_visit(node)
        values = []
        for value in node.values:
            if _is_const(value):
                truth = bool(_constant(value))
                if isinstance(node.op, ast.Or) and truth:
                    return value if not values else ast.BoolOp(node.op, values + [value])
                if isinstance(node.op, ast.And) and not truth:
                    return value if not values else ast.BoolOp(node.op, values + [value])
                continue  # a neutral operand
            values.append(value)
        if not values:
            return node.values[-1]
        return values[0] if len(values) == 1 else ast.BoolOp(node.op, values)

    def visit_IfExp(self, node):
        self.generic_visit(node)
        if _is_const(node.test):
            return node.body if _constant(node.test) else node.orelse
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in _SAFE_CALLS and not node.keywords:
            if func.id == "isinstance" and len(node.args) == 2:
                kind = _static_type(node.args[0])
                types_ = _type_tuple(node.args[1])
                if kind is not None and types_ is not None:
                    return ast.Constant(issubclass(kind, types_))
                return node
            if func.id == "len" and len(node.args) == 1 and isinstance(
                    node.args[0], (ast.List, ast.Tuple)):
                return ast.Constant(len(node.args[0].elts))
            if all(_is_const(a) for a in node.args):
                try:
                    return _const(_SAFE_CALLS[func.id](*[_constant(a) for a in node.args]), node)
                except Exception:
                    return node
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.value, ast.Tuple) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, int):
            try:
                return node.value.elts[node.slice.value]
            except IndexError:
                return node
        return node


def _static_type(node):
    """The Python type of an expression known at compile time: constants and displays."""
    if isinstance(node, ast.List):
        return list
    if isinstance(node, ast.Tuple):
        return tuple
    if isinstance(node, ast.Constant):
        return type(node.value)
    return None


def _type_tuple(node):
    names = node.elts if isinstance(node, ast.Tuple) else [node]
    found = []
    for name in names:
        if isinstance(name, ast.Name) and name.id in _SAFE_TYPES:
            found.append(_SAFE_TYPES[name.id])
        else:
            return None
    return tuple(found)


def _const(value, like):
    if isinstance(value, (bool, int, float, str, type(None))) and not (
            isinstance(value, float) and not math.isfinite(value)):
        return ast.Constant(value)
    if isinstance(value, tuple) and all(isinstance(v, (bool, int, float, str, type(None)))
                                        for v in value):
        return ast.Tuple([ast.Constant(v) for v in value], ast.Load())
    return like


_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a ** b,
}
_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def _binary(op, a, b):
    return _BINARY[type(op)](a, b)


def _unary(op, a):
    if isinstance(op, ast.USub):
        return -a
    if isinstance(op, ast.UAdd):
        return +a
    if isinstance(op, ast.Not):
        return not a
    raise ValueError


def _compare(op, a, b):
    return _COMPARE[type(op)](a, b)


def _name(identifier):
    return ast.Name(identifier, ast.Load())

