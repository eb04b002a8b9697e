"""Pass 4, desugar: rewrite conveniences into the small core the later passes know.

Takes the resolved ``FunctionDef``; gives it with augmented assignments spelled out
(``s += x`` becomes ``s = s + x``), array methods turned into NumPy calls
(``x.sum(axis=0)`` becomes ``np.sum(x, axis=0)``, ``x.reshape(2, 3)`` becomes
``np.reshape(x, (2, 3))``), the logistic function ``1 / (1 + np.exp(-z))`` named
``sigmoid(z)`` (so that its adjoint reuses its value), ``np.add.at(y, i, v)`` written as
``y = scatter_add(y, i, v)``, ``max(a, b, c)`` as ``max(max(a, b), c)``, ``pass`` and
the docstring dropped. Methods that mutate
(``x.sort()``, ``x.fill(0)``) and unknown methods are located errors.

>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> def f(x, W):
...     "Docstring."
...     s = x.dot(W).T
...     s += x.sum(axis=0)
...     return s.reshape(2, -1).mean()
>>> fn, ctx = read(f)
>>> print(ast.unparse(desugar(resolve(fn, ctx), ctx)))
def f(x, W):
    s = np.dot(x, W).T
    s = s + np.sum(x, axis=0)
    return np.mean(np.reshape(s, (2, -1)))
"""

from __future__ import annotations

import ast
import builtins
import types

import numpy as np

from . import runtime
from .fence import MUTATING
from .structures import field_index

# Methods of dicts, refused with a hint to read values by key.
DICT_METHODS = {"items", "keys", "values", "get", "update", "setdefault", "pop", "copy"}

# Array methods that are the NumPy function of the same name applied to the array.
SAME_NAME = {
    "sum", "mean", "max", "min", "prod", "var", "std", "cumsum", "cumprod", "trace",
    "dot", "take", "repeat", "round", "argmax", "argmin", "all", "any", "nonzero",
    "argsort", "diagonal", "conj", "conjugate", "squeeze", "swapaxes", "ravel", "clip",
    "copy",
}
# Array methods whose NumPy function has another name.
RENAMED = {"flatten": "ravel", "astype": "asarray"}
# Array methods that take a shape or axes either as one tuple or spread out.
SPREAD = {"reshape": "reshape", "transpose": "transpose"}


def desugar(fn, ctx):
    """Rewrite conveniences of ``fn``; see the module docstring."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and len(body) > 1:
        body = body[1:]  # docstring
    fn.body = _block(body, ctx)
    ast.fix_missing_locations(fn)
    return fn


def _block(body, ctx):
    out = []
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            target = ast.Name(stmt.target.id, ast.Load())
            stmt = ast.copy_location(ast.Assign(
                [stmt.target], ast.copy_location(ast.BinOp(target, stmt.op, stmt.value), stmt)),
                stmt)
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _block(getattr(stmt, field), ctx) or [
                    ast.copy_location(ast.Pass(), stmt)])
        if isinstance(stmt, ast.Expr) and _is_scatter_add(stmt.value, ctx):
            call = stmt.value
            target = call.args[0]
            stmt = ast.copy_location(ast.Assign(
                [ast.Name(target.id, ast.Store())],
                ast.copy_location(ast.Call(ast.Name(ctx.bind(runtime.scatter_add, "scatter_add"),
                                                    ast.Load()),
                                           [ast.Name(target.id, ast.Load())] + call.args[1:],
                                           []), call)), stmt)
        out.append(_Methods(ctx).visit(stmt))
    return out


def _is_scatter_add(call, ctx):
    """``np.add.at(y, index, values)``, which becomes ``y = scatter_add(y, index, values)``
    (a new array: the fence made sure that no other name holds ``y``)."""
    func = call.func if isinstance(call, ast.Call) else None
    return (isinstance(func, ast.Attribute) and func.attr == "at"
            and isinstance(func.value, ast.Attribute) and func.value.attr == "add"
            and isinstance(func.value.value, ast.Name)
            and ctx.namespace.get(func.value.value.id) is np and len(call.args) == 3
            and isinstance(call.args[0], ast.Name))


class _Methods(ast.NodeTransformer):
    def __init__(self, ctx):
        self.ctx = ctx

    def visit_BinOp(self, node):
        self.generic_visit(node)
        argument = self._sigmoid_argument(node)
        if argument is None:
            return node
        name = self.ctx.bind(runtime.sigmoid, "sigmoid")
        return ast.copy_location(ast.Call(ast.Name(name, ast.Load()), [argument], []), node)

    def _sigmoid_argument(self, node):
        """``z`` when ``node`` is ``1 / (1 + np.exp(-z))`` (either order of the sum)."""
        if not (isinstance(node.op, ast.Div) and _is_number(node.left, 1)
                and isinstance(node.right, ast.BinOp) and isinstance(node.right.op, ast.Add)):
            return None
        for one, call in ((node.right.left, node.right.right), (node.right.right, node.right.left)):
            if _is_number(one, 1) and isinstance(call, ast.Call) and len(call.args) == 1 \
                    and not call.keywords and self._is_numpy(call.func, "exp"):
                negated = call.args[0]
                if isinstance(negated, ast.UnaryOp) and isinstance(negated.op, ast.USub):
                    return negated.operand
        return None

    def _is_numpy(self, func, name):
        return (isinstance(func, ast.Attribute) and func.attr == name
                and isinstance(func.value, ast.Name)
                and self.ctx.namespace.get(func.value.id) is np)

    def visit_Attribute(self, node):
        """``p.W`` of a namedtuple parameter ``p`` is ``p[0]``: read like a tuple's item
        (each field is a leaf of the parameter's structure)."""
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            index = field_index(self._structure(node.value), node.attr)
            if index is not None:
                return ast.copy_location(
                    ast.Subscript(node.value, ast.Constant(index), ast.Load()), node)
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        structure = self._structure(node.value)
        if structure is not None and not isinstance(structure[0], str) \
                and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            text = ast.unparse(node.value)
            raise self.ctx.error(node, f"{text} is a namedtuple {structure[0].__name__}, "
                                       f"which is indexed by position: read the field as "
                                       f"{text}.{node.slice.value} ({text}[...] with a string "
                                       f"is for dicts)")
        return node

    def _structure(self, expr):
        """The structure of the parameter (or part of one) that ``expr`` reads, if any."""
        if isinstance(expr, ast.Name):
            return self.ctx.structures.get(expr.id)
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
            outer = self._structure(expr.value)
            if outer is not None and expr.slice.value in outer[1]:
                return outer[2][outer[1].index(expr.slice.value)]
        return None

    def visit_If(self, node):  # nested blocks are visited by _block
        node.test = self.visit(node.test)
        return node

    def visit_For(self, node):
        node.iter = self.visit(node.iter)
        return node

    def visit_While(self, node):
        node.test = self.visit(node.test)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("max", "min") and len(node.args) > 2 \
                and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args) \
                and self.ctx.namespace.get(func.id, getattr(builtins, func.id)) \
                is getattr(builtins, func.id):
            # max(a, b, c) is max(max(a, b), c): a chain of two-argument gates
            chained = node.args[0]
            for arg in node.args[1:]:
                chained = ast.copy_location(ast.Call(ast.Name(func.id, ast.Load()),
                                                     [chained, arg], []), node)
            return chained
        if not isinstance(func, ast.Attribute) or self._is_reference(func.value):
            return node
        if func.attr == "append" or (func.attr == "pop" and not node.args):
            return node  # list.append and list.pop stay method calls
        name, receiver = func.attr, func.value
        np_name = self.ctx.numpy()
        if name in MUTATING:
            raise self.ctx.error(node, f".{name}() changes the array in place, which is not "
                                       f"supported: use np.{name}(...) if NumPy has it, or "
                                       f"build a new array")
        if name in SAME_NAME or name in RENAMED:
            call = ast.Call(_attr(np_name, RENAMED.get(name, name)), [receiver] + node.args,
                            node.keywords)
        elif name in SPREAD:
            args = node.args
            if len(args) > 1:
                args = [ast.Tuple(list(args), ast.Load())]
            call = ast.Call(_attr(np_name, SPREAD[name]), [receiver] + args, node.keywords)
        else:
            raise self.ctx.error(func, self._method_message(name, receiver))
        return ast.copy_location(call, node)

    def _method_message(self, name, receiver):
        """Why ``receiver.name(...)`` is refused, and what to do, by what the receiver
        is when that is known (a global object), else by the method's name."""
        text = ast.unparse(receiver)
        known = isinstance(receiver, ast.Name) and receiver.id in self.ctx.namespace
        held = self.ctx.namespace.get(receiver.id) if known else None
        if isinstance(held, (np.random.Generator, np.random.RandomState)) or (
                known and type(held).__module__ == "random"):
            return (f"{text}.{name}() draws random numbers, which are not differentiable: "
                    f"draw them outside the function and pass them in as an argument")
        if known and not isinstance(held, np.ndarray):
            return (f"{text}.{name}() is a method of a {type(held).__name__} object; methods "
                    f"of objects are not supported: call a function that takes the arrays "
                    f"it uses as arguments")
        if name in DICT_METHODS:
            return (f"the method .{name}() is not supported (dict methods are not): read "
                    f"each value by its key ({text}['W'])")
        if hasattr(np, name):
            return (f"the method .{name}() is not supported: call the NumPy function "
                    f"np.{name}({text}, ...) instead")
        return (f"the method .{name}() is not supported: methods of objects (a layer's "
                f".forward()) cannot be differentiated: call a function taking the arrays it "
                f"uses as arguments")

    def _is_reference(self, node):
        """Is ``node`` a module reference such as ``np`` or ``np.linalg``?"""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and isinstance(
            self.ctx.namespace.get(node.id), types.ModuleType)


def _is_number(node, value):
    return (isinstance(node, ast.Constant) and type(node.value) in (int, float)
            and node.value == value)


def _attr(module_name, name):
    return ast.Attribute(ast.Name(module_name, ast.Load()), name, ast.Load())
