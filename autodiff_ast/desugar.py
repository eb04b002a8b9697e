"""Pass 4, desugar: rewrite conveniences into the small core the later passes know.

Takes the resolved ``FunctionDef``; gives it with augmented assignments spelled out
(``s += x`` becomes ``s = s + x``), array methods turned into NumPy calls
(``x.sum(axis=0)`` becomes ``np.sum(x, axis=0)``, ``x.reshape(2, 3)`` becomes
``np.reshape(x, (2, 3))``), the logistic function ``1 / (1 + np.exp(-z))`` named
``sigmoid(z)`` (so that its adjoint reuses its value), ``np.add.at(y, i, v)`` written as
``y = scatter_add(y, i, v)``, ``max(a, b, c)`` as ``max(max(a, b), c)``, ``np.r_[...]``
and ``np.c_[...]`` as ``index_concatenate(...)``, ``np.mgrid[...]`` and ``np.ogrid[...]``
with ``np.linspace`` / ``np.arange``, einsum's sublist form with a subscripts string,
``pass`` and the docstring dropped; comprehensions as displays or loops, ``for`` loops over
parameter structures unrolled, dict methods of parameters, ``operator.add(a, b)`` as
``a + b`` and ``functools.reduce`` unrolled (see :mod:`~autodiff_ast.comprehensions` and
:meth:`_Methods.visit_Call`). Methods that mutate
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
import copy
import functools
import operator
import string
import types

import numpy as np

from . import runtime
from .astutil import clone
from .comprehensions import Comprehensions
from .fence import MUTATING
from .structures import field_index

# Methods of dicts, refused with a hint to read values by key.
DICT_METHODS = {"items", "keys", "values", "get", "update", "setdefault", "pop", "copy"}

# Functions of the operator module, written as the operators they are.
BINARY_OPERATORS = {
    operator.add: ast.Add, operator.sub: ast.Sub, operator.mul: ast.Mult,
    operator.truediv: ast.Div, operator.pow: ast.Pow, operator.matmul: ast.MatMult,
    operator.floordiv: ast.FloorDiv, operator.mod: ast.Mod,
}
UNARY_OPERATORS = {operator.neg: ast.USub, operator.pos: ast.UAdd}

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
    lowering = Comprehensions(ctx, fn)
    fn.body = _block(body, ctx, lowering)
    ast.fix_missing_locations(fn)
    return fn


def _block(body, ctx, lowering=None):
    out = []
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            target = ast.Name(stmt.target.id, ast.Load())
            stmt = ast.copy_location(ast.Assign(
                [stmt.target], ast.copy_location(ast.BinOp(target, stmt.op, stmt.value), stmt)),
                stmt)
        if lowering is not None:
            before, stmt = lowering.statement(stmt)
            if before:  # the loops that build a comprehension's list, desugared in turn
                out.extend(_block(before, ctx, lowering))
            if stmt is None:  # a loop unrolled into ``before``
                continue
        for field in ("body", "orelse"):
            if getattr(stmt, field, None):
                setattr(stmt, field, _block(getattr(stmt, field), ctx, lowering) or [
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
        out.append(_Methods(ctx, lowering).visit(stmt))
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
    def __init__(self, ctx, lowering=None):
        self.ctx = ctx
        self.lowering = lowering

    def _parameter(self, expr):
        """The structure of the parameter ``expr`` reads, if the function never rebinds
        that parameter (its keys are then the ones it was called with)."""
        if self.lowering is None:
            return None
        return self.lowering.structure(expr)

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
        if self._refers_to(node.value, np.r_) or self._refers_to(node.value, np.c_):
            return ast.copy_location(_index_concatenate(node, self.ctx), node)
        if self._refers_to(node.value, np.mgrid) or self._refers_to(node.value, np.ogrid):
            return ast.copy_location(_index_grid(node, self._refers_to(node.value, np.ogrid),
                                                 self.ctx), node)
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
        written = self._operator(func, node.args, node.keywords)
        if written is not None:
            return ast.copy_location(written, node)
        if self._refers_to(func, functools.reduce) and not node.keywords \
                and 2 <= len(node.args) <= 3:
            return ast.copy_location(self._reduce(node), node)
        if self._refers_to(func, np.einsum) and _has_sublists(node, self.ctx):
            return ast.copy_location(_einsum_with_subscripts(node, self.ctx), node)
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
        if isinstance(func, ast.Name) and func.id in ("dict", "tuple", "list") \
                and self.ctx.namespace.get(func.id, getattr(builtins, func.id)) \
                is getattr(builtins, func.id):
            written = self._display(func.id, node)
            if written is not None:
                return ast.copy_location(written, node)
        if not isinstance(func, ast.Attribute) or self._is_reference(func.value):
            return node
        if func.attr in ("get", "items", "keys", "values") and not node.keywords:
            read = self._dict_method(func.attr, func.value, node.args)
            if read is not None:
                return ast.copy_location(read, node)
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

    def _operator(self, func, args, keywords):
        """``operator.add(a, b)`` as ``a + b`` (``operator.neg(a)`` as ``-a``...), or
        ``None`` when ``func`` is not such a function."""
        if keywords or any(isinstance(a, ast.Starred) for a in args):
            return None
        for function, op in BINARY_OPERATORS.items():
            if len(args) == 2 and self._refers_to(func, function):
                return ast.BinOp(args[0], op(), args[1])
        for function, op in UNARY_OPERATORS.items():
            if len(args) == 1 and self._refers_to(func, function):
                return ast.UnaryOp(op(), args[0])
        return None

    def _reduce(self, call):
        """``functools.reduce(f, [a, b, c])`` as ``f(f(a, b), c)`` (an operator function
        as its operator): the sequence a list or tuple written out or a list or tuple
        parameter, ``f`` a function's name (``operator.mul``, ``np.dot``)."""
        func, sequence = call.args[0], call.args[1]
        items = None
        if isinstance(sequence, (ast.List, ast.Tuple)) \
                and not any(isinstance(e, ast.Starred) for e in sequence.elts):
            items = list(sequence.elts)
        else:
            structure = self._parameter(sequence)
            if structure is not None and structure[0] != "dict":
                items = [ast.Subscript(clone(sequence), ast.Constant(k), ast.Load())
                         for k in structure[1]]
        if items is None or not isinstance(func, (ast.Name, ast.Attribute)):
            raise self.ctx.error(call, "functools.reduce is supported over a list or tuple "
                                       "written out or a list or tuple parameter, with a "
                                       "function named directly (operator.add, np.dot): "
                                       "write the loop instead")
        if len(call.args) == 3:
            items.insert(0, call.args[2])
        if not items:
            raise self.ctx.error(call, "functools.reduce of an empty sequence with no initial "
                                       "value")
        result = items[0]
        for item in items[1:]:
            result = self._operator(func, [result, item], []) or ast.Call(
                clone(func), [result, item], [])
        return result

    def _dict_method(self, name, receiver, args):
        """``p.get('eps', 1e-5)``, ``p.items()``, ``p.keys()``, ``p.values()`` of a dict
        parameter (its keys are known): the value read by its key (or the default), and
        tuples of the keys, values or pairs. ``d.get(key, default)`` of any other dict
        (data, such as a layer's settings) is ``dict.get`` called at run time."""
        structure = self._parameter(receiver)
        if structure is not None and structure[0] == "dict":
            keys = structure[1]
            if name == "get" and 1 <= len(args) <= 2 and isinstance(args[0], ast.Constant):
                if args[0].value in keys:
                    return ast.Subscript(receiver, args[0], ast.Load())
                return args[1] if len(args) == 2 else ast.Constant(None)
            if name != "get" and not args:
                values = {k: ast.Subscript(clone(receiver), ast.Constant(k), ast.Load())
                          for k in keys}
                parts = {"keys": [ast.Constant(k) for k in keys],
                         "values": list(values.values()),
                         "items": [ast.Tuple([ast.Constant(k), v], ast.Load())
                                   for k, v in values.items()]}[name]
                return ast.Tuple(parts, ast.Load())
            return None
        if name == "get" and 1 <= len(args) <= 2 and structure is None:
            func = ast.Name(self.ctx.bind(runtime.dict_get, "dict_get"), ast.Load())
            return ast.Call(func, [receiver] + list(args), [])
        return None

    def _display(self, kind, call):
        """``dict(W=W, b=b)`` as ``{'W': W, 'b': b}``; ``dict(p)``, ``tuple(p)`` and
        ``list(p)`` of a parameter structure as the display of its items; else ``None``
        (``tuple(x)`` of an array keeps its rule)."""
        args = call.args
        if kind == "dict" and not args and call.keywords \
                and all(k.arg is not None for k in call.keywords):
            return ast.Dict([ast.Constant(k.arg) for k in call.keywords],
                            [k.value for k in call.keywords])
        if len(args) != 1 or call.keywords:
            return None
        structure = self._parameter(args[0])
        if structure is None:
            return None
        items = [ast.Subscript(clone(args[0]), ast.Constant(k), ast.Load())
                 for k in structure[1]]
        if kind == "dict":
            if structure[0] != "dict":
                return None
            return ast.Dict([ast.Constant(k) for k in structure[1]], items)
        if structure[0] == "dict":
            items = [ast.Constant(k) for k in structure[1]]  # iterating a dict: its keys
        return (ast.Tuple if kind == "tuple" else ast.List)(items, ast.Load())

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
            return (f"the method .{name}() is only supported on a dict parameter (a "
                    f"structure differentiated) or a dict display assigned once to a name: "
                    f"read each value by its key ({text}['W'])")
        if hasattr(np, name):
            return (f"the method .{name}() is not supported: call the NumPy function "
                    f"np.{name}({text}, ...) instead")
        return (f"the method .{name}() is not supported: methods of objects (a layer's "
                f".forward()) cannot be differentiated: call a function taking the arrays it "
                f"uses as arguments")

    def _refers_to(self, node, function):
        """Is ``node`` a reference (``np.einsum``, an imported name) to ``function``?"""
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return False
        try:
            return self.ctx.lookup(node) is function
        except (AttributeError, KeyError, TypeError):
            return False

    def _is_reference(self, node):
        """Is ``node`` a module reference such as ``np`` or ``np.linalg``?"""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and isinstance(
            self.ctx.namespace.get(node.id), types.ModuleType)


def _index_concatenate(node, ctx):
    """``np.r_[x, 0:1:5j, y]`` as ``index_concatenate((x, np.linspace(0, 1, 5), y),
    np.r_)`` (``np.c_`` alike): a call whose rules follow every item, with each slice
    item as the array NumPy makes of it (``np.arange``, or ``np.linspace`` for a
    complex step), so that its bounds are differentiated too."""
    from .rules.constructors import index_concatenate

    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    items = [_slice_values(item, ctx) if isinstance(item, ast.Slice) else item
             for item in items]
    func = ast.Name(ctx.bind(index_concatenate, "index_concatenate"), ast.Load())
    return ast.Call(func, [ast.Tuple(items, ast.Load()), node.value], [])


def _index_grid(node, sparse, ctx):
    """``np.mgrid[a:b:3j, 0:n]`` as NumPy functions with rules, so that the bounds are
    differentiated: each slice as the vector NumPy makes of it (see
    :func:`_slice_values`), the ``k``-th reshaped to lie along axis ``k`` and, for
    ``np.mgrid``, broadcast to the grid's shape and stacked (``np.ogrid`` gives the tuple
    of the reshaped vectors, in their common dtype). A vector is written again where it
    is needed again (its size): it is cheap, and desugar writes expressions only. One
    slice (not a tuple) gives its vector."""
    np_name = ctx.numpy()
    if not isinstance(node.slice, ast.Tuple):
        return _slice_values(node.slice, ctx) if isinstance(node.slice, ast.Slice) else node
    items = node.slice.elts
    if not all(isinstance(item, ast.Slice) for item in items):
        raise ctx.error(node, "np.mgrid and np.ogrid take slices only (start:stop:step)")
    def vector(k):  # a new node at each use
        return _slice_values(copy.deepcopy(items[k]), ctx)

    count = len(items)
    grids = []
    for k in range(count):
        grid = vector(k)
        if sparse:  # np.mgrid's np.stack promotes the dtypes itself
            dtype = ast.Call(_attr(np_name, "result_type"), [vector(j) for j in range(count)],
                             [])
            grid = ast.Call(_attr(np_name, "asarray"), [grid], [ast.keyword("dtype", dtype)])
        shape = ast.Tuple([ast.Constant(-1 if j == k else 1) for j in range(count)], ast.Load())
        grid = ast.Call(_attr(np_name, "reshape"), [grid, shape], [])
        if not sparse:
            sizes = ast.Tuple([ast.Call(_attr(np_name, "size"), [vector(j)], [])
                               for j in range(count)], ast.Load())
            grid = ast.Call(_attr(np_name, "broadcast_to"), [grid, sizes], [])
        grids.append(grid)
    if sparse:
        return ast.Tuple(grids, ast.Load())
    return ast.Call(_attr(np_name, "stack"), [ast.List(grids, ast.Load())], [])


def _slice_values(item, ctx):
    """The array ``np.r_`` makes of the slice ``start:stop:step``: ``np.linspace(start,
    stop, n)`` for a complex literal step ``nj``, else ``np.arange(start, stop, step)``."""
    np_name = ctx.numpy()
    start = item.lower or ast.Constant(0)
    stop = item.upper or ast.Constant(None)
    step = item.step
    if isinstance(step, ast.Constant) and isinstance(step.value, complex):
        count = ast.Constant(int(abs(step.value)))
        return ast.Call(_attr(np_name, "linspace"), [start, stop, count], [])
    return ast.Call(_attr(np_name, "arange"), [start, stop] + ([step] if step else []), [])


def _has_sublists(call, ctx):
    """Is ``call`` an einsum in the sublist form, ``np.einsum(a, [0, 1], b, [1, 2])``: a
    display in the second place that holds no numbers but integers (an operand written
    as ``[1.0, 2.0]`` is not a sublist), and no subscripts string in the first?"""
    args = call.args
    return (len(args) > 1 and isinstance(args[1], (ast.List, ast.Tuple))
            and not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str))
            and not any(isinstance(e, ast.Constant) and _label(e, ctx) is None
                        for e in args[1].elts))


def _einsum_with_subscripts(call, ctx):
    """``np.einsum(a, [0, 1], b, [1, 2], [0, 2])`` as ``np.einsum('AB,BC->AC', a, b)``:
    the subscripts as the string NumPy makes of the sublists (label ``k`` is the
    ``k``-th of ``A..Za..z``, so an implicit result keeps its order), which the rules
    read. Every sublist must be written out, with integer labels and ``...``."""
    args = call.args
    operands, sublists = args[0::2], args[1::2]
    if len(args) % 2:  # the result's sublist last
        operands, sublists = operands[:-1], sublists + [args[-1]]
    parts = []
    for sublist in sublists:
        labels = sublist.elts if isinstance(sublist, (ast.List, ast.Tuple)) else None
        labels = labels and [_label(label, ctx) for label in labels]
        if labels is None or None in labels:
            raise ctx.error(sublist, "np.einsum's sublists must be written out as lists of "
                                     "integer labels (or ...) to be differentiated: or pass "
                                     "the subscripts as a string such as 'ij,jk->ik'")
        parts.append("".join("..." if label is Ellipsis else string.ascii_letters[
            (label + 26) % 52] for label in labels))
    subscripts = ",".join(parts[:len(operands)])
    if len(parts) > len(operands):
        subscripts += "->" + parts[-1]
    if any(isinstance(a, ast.Starred) for a in operands):
        raise ctx.error(call, "np.einsum's sublist form with *operands is not supported: "
                              "pass the subscripts as a string such as 'ij,jk->ik'")
    return ast.Call(call.func, [ast.Constant(subscripts)] + list(operands), call.keywords)


def _label(node, ctx):
    """The label ``node`` writes in a sublist (an int from 0 to 51, or ``Ellipsis``), or
    ``None``."""
    if isinstance(node, ast.Constant) and (node.value is Ellipsis or type(node.value) is int
                                           and 0 <= node.value < 52):
        return node.value
    if isinstance(node, ast.Name) and node.id == "Ellipsis" \
            and ctx.namespace.get(node.id, Ellipsis) is Ellipsis:
        return Ellipsis
    return None


def _is_number(node, value):
    return (isinstance(node, ast.Constant) and type(node.value) in (int, float)
            and node.value == value)


def _attr(module_name, name):
    return ast.Attribute(ast.Name(module_name, ast.Load()), name, ast.Load())

