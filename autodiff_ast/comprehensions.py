"""Comprehensions and loops over parameter structures, for desugar.

A comprehension whose iterables are known when the code is generated (a parameter
structure, its ``.items()``, ``.keys()`` or ``.values()``, ``range`` of constants or of
``len`` of a structure, a tuple written out, ``enumerate``, ``zip``, slices and sums of
those), and whose filters then are constants, becomes the display of its items; any other
list comprehension or generator expression becomes the loops that build its list (or add
its items, under ``sum``), put before the statement that holds it. A ``for`` loop over a
parameter structure is unrolled, constant indices written into its body.

>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.desugar import desugar
>>> from autodiff_ast.structures import structure_of
>>> import numpy as np
>>> def f(Ws, h, n):
...     a = np.stack([np.tanh(W @ h) for W in Ws])
...     return np.sum(a) + sum(h[i] ** 2 for i in range(n) if i != 1)
>>> fn, ctx = read(f)
>>> ctx.structures = {"Ws": structure_of([np.eye(2), np.eye(2)])}
>>> print(ast.unparse(desugar(resolve(fn, ctx), ctx)))
def f(Ws, h, n):
    a = np.stack([np.tanh(Ws[0] @ h), np.tanh(Ws[1] @ h)])
    _total1 = 0
    for i in range(n):
        if i != 1:
            _total1 = _total1 + h[i] ** 2
    return np.sum(a) + _total1
"""

from __future__ import annotations

import ast
import builtins

from .astutil import clone

COMPREHENSIONS = (ast.ListComp, ast.GeneratorExp, ast.DictComp)
# At most this many items are written out when a comprehension or loop is unrolled.
UNROLL_LIMIT = 64


class Comprehensions:
    """Comprehensions lowered to what the later passes know, and loops over parameter
    structures unrolled (see the module docstring). For example
    ``[np.tanh(W @ h) for W in Ws]`` is ``[np.tanh(Ws[0] @ h), np.tanh(Ws[1] @ h)]`` and
    ``{k: v - lr * g[k] for k, v in p.items()}`` is ``{'W': p['W'] - lr * g['W'], ...}``.
    Any other list comprehension or generator expression becomes the loops that build its
    list (``_items1 = []``, ``for ...: if ...: _items1.append(...)``) before the statement
    that uses it; under ``sum(...)`` the loops add the items instead (``_total1 = 0``,
    ``_total1 = _total1 + ...``). A ``for`` loop over a parameter structure (``for W in
    Ws``, ``for k, v in p.items()``, ``for i in range(len(Ws))``) is unrolled: the target
    assigned each item, then the body (``Ws[i]`` read as ``Ws[0]``...)."""

    def __init__(self, ctx, fn):
        self.ctx = ctx
        self.assigned = {n.id for n in ast.walk(fn)
                         if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        self.outside = set()
        self.targets = {}  # name -> how many comprehension generators bind it
        self._outside(fn)
        self.displays = _dict_displays(fn)

    def _outside(self, node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, COMPREHENSIONS + (ast.SetComp,)):
                for gen in child.generators:
                    for name in _target_names(gen.target):
                        self.targets[name] = self.targets.get(name, 0) + 1
                self._outside_comprehension(child)
            elif isinstance(child, ast.Name):
                self.outside.add(child.id)
            else:
                self._outside(child)

    def _outside_comprehension(self, node):
        for gen in node.generators:
            self._inside(gen.iter)
            for cond in gen.ifs:
                self._inside(cond)
        for field in ("elt", "key", "value"):
            if hasattr(node, field):
                self._inside(getattr(node, field))

    def _inside(self, node):
        if isinstance(node, COMPREHENSIONS + (ast.SetComp,)):
            for gen in node.generators:
                for name in _target_names(gen.target):
                    self.targets[name] = self.targets.get(name, 0) + 1
            self._outside_comprehension(node)
        else:
            for child in ast.iter_child_nodes(node):
                self._inside(child)

    # ----- statements --------------------------------------------------------------

    def statement(self, stmt):
        """``(statements to run first, stmt)`` with the comprehensions of ``stmt``'s own
        expressions lowered (a nested block's are lowered with the block)."""
        before = []
        hoist = _Hoist(self, before)
        if isinstance(stmt, ast.For):
            stmt.iter = hoist.visit(stmt.iter)
            items = self.items(stmt.iter, structures_only=True)
            if items is not None and not any(
                    isinstance(n, (ast.Break, ast.Continue, ast.Return))
                    for s in stmt.body for n in ast.walk(s)):
                written = {n.id for s in stmt.body for n in ast.walk(s)
                           if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
                for item in items:  # the target assigned each item, then the body
                    bound = self.bind(stmt.target, item)
                    pairs = bound.items() if bound is not None else [(stmt.target, item)]
                    constants = {}
                    for target, value in pairs:
                        if isinstance(target, str):
                            if isinstance(value, ast.Constant) and target not in written:
                                constants[target] = value  # Ws[i] reads Ws[0]
                            target = ast.Name(target, ast.Store())
                        before.append(ast.Assign([clone(target)], clone(value)))
                    before.extend(_Substitute(constants).visit(s) for s in clone(stmt.body))
                for new in before:
                    _locate(new, stmt)
                return before, None
        elif isinstance(stmt, ast.If):
            stmt.test = hoist.visit(stmt.test)
        elif isinstance(stmt, (ast.Assign, ast.Return, ast.Expr)) and stmt.value is not None:
            stmt.value = hoist.visit(stmt.value)
        for new in before:
            _locate(new, stmt)
        return before, stmt

    # ----- what is known when the code is generated --------------------------------

    def structure(self, expr):
        """The structure of the parameter (or part of one) ``expr`` reads, if the
        function never rebinds that parameter, or the keys of a dict display that a local
        name is assigned once (dicts are not written into, so their keys stay)."""
        if isinstance(expr, ast.Name):
            if expr.id in self.displays:
                return self.displays[expr.id]
            return None if expr.id in self.assigned else self.ctx.structures.get(expr.id)
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant):
            outer = self.structure(expr.value)
            if outer is not None and expr.slice.value in outer[1]:
                return outer[2][outer[1].index(expr.slice.value)]
        return None

    def _builtin(self, node, name):
        return (isinstance(node, ast.Name) and node.id == name
                and self.ctx.namespace.get(name, getattr(builtins, name))
                is getattr(builtins, name))

    def items(self, expr, structures_only=False):
        """The expressions of the items that iterating over ``expr`` gives, when they are
        known now, else ``None``. With ``structures_only``, only for iterations that
        involve a parameter structure (others are left to ``structure``)."""
        found = self._items(expr)
        if found is None or len(found[0]) > UNROLL_LIMIT or (structures_only and not found[1]):
            return None
        return found[0]

    def _items(self, expr):
        """``(items, whether a structure is involved)`` or ``None``."""
        if isinstance(expr, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in expr.elts):
                return None
            return list(expr.elts), False
        structure = self.structure(expr)
        if structure is not None:
            if structure[0] == "dict":
                return [ast.Constant(k) for k in structure[1]], True
            return [ast.Subscript(clone(expr), ast.Constant(k), ast.Load())
                    for k in structure[1]], True
        if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Slice):
            outer = self.structure(expr.value)  # Ws[1:] of a list or tuple
            bounds = [_constant(b) if b is not None else (None,)
                      for b in (expr.slice.lower, expr.slice.upper, expr.slice.step)]
            if outer is None or outer[0] == "dict" or None in bounds:
                return None
            keys = outer[1][slice(*(b[0] for b in bounds))]
            return [ast.Subscript(clone(expr.value), ast.Constant(k), ast.Load())
                    for k in keys], True
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self._items(expr.left), self._items(expr.right)
            if left is None or right is None:  # Ws[1:] + Ws[:1]
                return None
            return left[0] + right[0], left[1] or right[1]
        if not isinstance(expr, ast.Call) or expr.keywords:
            return None
        func, args = expr.func, expr.args
        if isinstance(func, ast.Attribute) and func.attr in ("items", "keys", "values") \
                and not args:
            structure = self.structure(func.value)
            if structure is None or structure[0] != "dict":
                return None
            keys = [ast.Constant(k) for k in structure[1]]
            values = [ast.Subscript(clone(func.value), ast.Constant(k), ast.Load())
                      for k in structure[1]]
            chosen = {"keys": keys, "values": values,
                      "items": [ast.Tuple([k, v], ast.Load()) for k, v in zip(keys, values)]}
            return chosen[func.attr], True
        if self._builtin(func, "range") and 1 <= len(args) <= 3:
            bounds, involved = [], False
            for arg in args:
                if isinstance(arg, ast.Call) and self._builtin(arg.func, "len") \
                        and len(arg.args) == 1 and not arg.keywords \
                        and self.structure(arg.args[0]) is not None:
                    bounds.append(len(self.structure(arg.args[0])[1]))
                    involved = True
                elif isinstance(arg, ast.Constant) and type(arg.value) is int:
                    bounds.append(arg.value)
                else:
                    return None
            values = range(*bounds)
            if len(values) > UNROLL_LIMIT:
                return None
            return [ast.Constant(i) for i in values], involved
        if self._builtin(func, "enumerate") and len(args) == 1:
            inner = self._items(args[0])
            if inner is None:
                return None
            return [ast.Tuple([ast.Constant(i), item], ast.Load())
                    for i, item in enumerate(inner[0])], inner[1]
        if self._builtin(func, "zip") and args:
            inner = [self._items(a) for a in args]
            if any(i is None for i in inner):
                return None
            return [ast.Tuple(list(items), ast.Load()) for items in zip(*(i[0] for i in inner))], \
                any(i[1] for i in inner)
        return None

    def bind(self, target, item):
        """name -> expression for assigning ``item`` to the loop target ``target``, or
        ``None`` when it cannot be told apart now."""
        if isinstance(target, ast.Name):
            return {target.id: item}
        if not isinstance(target, ast.Tuple):
            return None
        if isinstance(item, ast.Tuple) and len(item.elts) == len(target.elts):
            parts = list(item.elts)
        else:
            structure = self.structure(item)
            if structure is None or len(structure[1]) != len(target.elts):
                return None
            parts = [ast.Subscript(clone(item), ast.Constant(k), ast.Load())
                     for k in structure[1]]
        bound = {}
        for element, part in zip(target.elts, parts):
            inner = self.bind(element, part)
            if inner is None:
                return None
            bound.update(inner)
        return bound

    def expand(self, generators, env):
        """The bindings of the targets, one dict per item the comprehension makes, when
        they are known now (and every filter is a constant then), else ``None``."""
        if not generators:
            return [env]
        gen = generators[0]
        items = self.items(_Substitute(env).visit(clone(gen.iter)))
        if items is None:
            return None
        out = []
        for item in items:
            bound = self.bind(gen.target, item)
            if bound is None:
                return None
            inner = {**env, **bound}
            keep = True
            for cond in gen.ifs:
                value = _constant(_Substitute(inner).visit(clone(cond)))
                if value is None:
                    return None
                if not value[0]:
                    keep = False
                    break
            if keep:
                rest = self.expand(generators[1:], inner)
                if rest is None:
                    return None
                out.extend(rest)
            if len(out) > UNROLL_LIMIT:
                return None
        return out

    # ----- lowering ----------------------------------------------------------------

    def display(self, node):
        """The display of ``node``'s items, or ``None`` when they are not known now."""
        envs = self.expand(node.generators, {})
        if envs is None:
            return None
        if isinstance(node, ast.DictComp):
            keys, values = [], []
            for env in envs:
                key = _Substitute(env).visit(clone(node.key))
                value = _constant(key)
                if value is None:
                    raise self.ctx.error(node.key, "a dict comprehension's keys must be known "
                                                   "when the code is generated: iterate over "
                                                   "a parameter dict's .items() or keys")
                keys.append(ast.Constant(value[0]))
                values.append(_Substitute(env).visit(clone(node.value)))
            return ast.copy_location(ast.Dict(keys, values), node)
        elts = [_Substitute(env).visit(clone(node.elt)) for env in envs]
        return ast.copy_location(ast.List(elts, ast.Load()), node)

    def loops(self, node, before, summed):
        """The name of the list (or, ``summed``, the sum) that loops appended to
        ``before`` build for the comprehension ``node``."""
        if isinstance(node, ast.DictComp):
            raise self.ctx.error(node, "a dict comprehension is only supported where its "
                                       "items are known when the code is generated: over a "
                                       "parameter dict's .items(), .keys() or .values(), or "
                                       "a tuple of keys written out (its filters constants)")
        mapping, generators = {}, []
        for gen in node.generators:
            iterable = _Substitute(mapping).visit(clone(gen.iter))
            for name in _target_names(gen.target):
                new = name
                if name in self.outside or self.targets.get(name, 0) > 1:
                    new = self.ctx.fresh(name)
                mapping[name] = ast.Name(new, ast.Load())
            target = _rename_target(clone(gen.target), mapping)
            conditions = [_Substitute(mapping).visit(clone(c)) for c in gen.ifs]
            generators.append((target, iterable, conditions))
        elt = _Substitute(mapping).visit(clone(node.elt))
        name = self.ctx.fresh("_total" if summed else "_items", numbered=True)
        if summed:
            body = [ast.Assign([ast.Name(name, ast.Store())],
                               ast.BinOp(ast.Name(name, ast.Load()), ast.Add(), elt))]
            start = ast.Constant(0)
        else:
            append = ast.Attribute(ast.Name(name, ast.Load()), "append", ast.Load())
            body = [ast.Expr(ast.Call(append, [elt], []))]
            start = ast.List([], ast.Load())
        for target, iterable, conditions in reversed(generators):
            if conditions:
                test = conditions[0] if len(conditions) == 1 else ast.BoolOp(ast.And(),
                                                                            conditions)
                body = [ast.If(test, body, [])]
            body = [ast.For(target, iterable, body, [])]
        before.append(ast.Assign([ast.Name(name, ast.Store())], start))
        before.extend(body)
        return ast.copy_location(ast.Name(name, ast.Load()), node)


class _Hoist(ast.NodeTransformer):
    """Replaces each comprehension of an expression by its display or by the name its
    loops (appended to ``before``) build."""

    def __init__(self, lowering, before):
        self.lowering, self.before = lowering, before
        self.conditional = 0  # inside a branch of ``a if c else b``, or after ``and``/``or``

    def visit_Lambda(self, node):
        return node  # the fence refuses comprehensions in lambdas

    def visit_IfExp(self, node):
        node.test = self.visit(node.test)
        self.conditional += 1
        node.body, node.orelse = self.visit(node.body), self.visit(node.orelse)
        self.conditional -= 1
        return node

    def visit_BoolOp(self, node):
        first, *rest = node.values
        first = self.visit(first)
        self.conditional += 1
        node.values = [first] + [self.visit(v) for v in rest]
        self.conditional -= 1
        return node

    def _loops(self, node, summed):
        if self.conditional:
            raise self.lowering.ctx.error(
                node, "a comprehension evaluated only under a condition (in a if c else b, "
                      "or after and/or) is not supported: compute it into a name first, "
                      "under an if statement")
        return self.lowering.loops(node, self.before, summed=summed)

    def visit_Call(self, node):
        lowering = self.lowering
        if lowering._builtin(node.func, "sum") and len(node.args) == 1 and not node.keywords \
                and isinstance(node.args[0], (ast.ListComp, ast.GeneratorExp)):
            comprehension = node.args[0]
            shown = lowering.display(comprehension)
            if shown is not None:
                node.args = [self.visit(shown)]
                return node
            return self._loops(comprehension, summed=True)
        return self.generic_visit(node)

    def _comprehension(self, node):
        shown = self.lowering.display(node)
        if shown is not None:
            return self.visit(shown)
        return self._loops(node, summed=False)

    visit_ListComp = visit_GeneratorExp = visit_DictComp = _comprehension


class _Substitute(ast.NodeTransformer):
    """Replaces the names of ``mapping`` read in an expression by (copies of) their
    expressions, except where a comprehension inside binds the name again."""

    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.mapping:
            return ast.copy_location(clone(self.mapping[node.id]), node)
        return node

    def _comprehension(self, node):
        mapping = dict(self.mapping)
        for gen in node.generators:
            gen.iter = _Substitute(mapping).visit(gen.iter)
            for name in _target_names(gen.target):
                mapping.pop(name, None)
            gen.ifs = [_Substitute(mapping).visit(c) for c in gen.ifs]
        for field in ("elt", "key", "value"):
            if hasattr(node, field):
                setattr(node, field, _Substitute(mapping).visit(getattr(node, field)))
        return node

    visit_ListComp = visit_GeneratorExp = visit_DictComp = visit_SetComp = _comprehension

    def visit_Lambda(self, node):
        names = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        node.body = _Substitute({k: v for k, v in self.mapping.items()
                                 if k not in names}).visit(node.body)
        return node


def _dict_displays(fn):
    """name -> ``('dict', keys, leaves)`` of the local names (not parameters) assigned
    exactly once, to a dict display with constant keys."""
    parameters = {a.arg for a in ast.walk(fn.args) if isinstance(a, ast.arg)}
    counts, values = {}, {}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            counts[node.id] = counts.get(node.id, 0) + 1
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Dict):
            values[node.targets[0].id] = node.value
    found = {}
    for name, display in values.items():
        if counts.get(name) == 1 and name not in parameters and all(
                isinstance(k, ast.Constant) for k in display.keys):
            keys = tuple(k.value for k in display.keys)
            if len(set(keys)) == len(keys):
                found[name] = ("dict", keys, (None,) * len(keys))
    return found


def _rename_target(target, mapping):
    for node in ast.walk(target):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id].id
    return target


def _target_names(target):
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _constant(expr):
    """``(value,)`` of an expression made of constants only (``'W' != 'b'``, also calling
    a string's methods: ``'W1'.startswith('W')``), else ``None``."""
    methods = {id(n.func) for n in ast.walk(expr) if isinstance(n, ast.Call)
               and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Constant)
               and isinstance(n.func.value.value, str) and not n.func.attr.startswith("_")
               and hasattr(str, n.func.attr)}
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and id(node.func) in methods:
            continue
        if isinstance(node, ast.Attribute) and id(node) in methods:
            continue
        if isinstance(node, (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.Lambda)
                      + COMPREHENSIONS):
            return None
    try:
        return (eval(compile(ast.fix_missing_locations(ast.Expression(expr)), "<key>", "eval"),
                     {"__builtins__": {}}),)
    except Exception:  # noqa: BLE001 - not a constant after all
        return None


def _locate(node, origin):
    for child in ast.walk(node):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            ast.copy_location(child, origin)
