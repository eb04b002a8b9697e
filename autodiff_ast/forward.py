"""Pass 7 in forward mode (``jvp``): the tangent of each value, computed beside it.

Takes a normal-form ``FunctionDef`` and the indices of the parameters whose tangents are
given; gives the function that returns ``(value, tangent of the value)``: the user's
statements, each followed by the statements that compute the tangent ``y_dot`` of what
it assigned, by the tangent of its operation (see ``rules/registry.py`` for how a
tangent is found: a tangent rule, a linearity declaration, or an elementwise adjoint
rule). Branches and loops stay as they are, with tangent statements inside; nothing is
saved and nothing runs backwards. Only names that depend on a differentiated parameter
(``activity.varied_names``) get tangents; a value that is overwritten has its tangent
overwritten beside it.

>>> import numpy as np
>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.normalize import normalize
>>> def f(x, W):
...     h = np.tanh(W @ x)
...     y = h * h
...     return np.sum(y)
>>> fn, ctx = read(f, wrt=(0,), mode="jvp")
>>> print(ast.unparse(forward(normalize(resolve(fn, ctx), ctx), ctx)))
def f(x, W, x_dot):
    __autodiff_ast_comment__('h = np.tanh(W @ x)')
    _t1 = W @ x
    _t1_dot = W @ x_dot
    h = np.tanh(_t1)
    h_dot = _t1_dot * (1 - h * h)
    __autodiff_ast_comment__('y = h * h')
    y = h * h
    y_dot = 2 * h_dot * h
    __autodiff_ast_comment__('return np.sum(y)')
    out = np.sum(y)
    out_dot = np.sum(y_dot)
    return (out, out_dot)
"""

from __future__ import annotations

import ast
import inspect

from . import activity, inline, normal_form, runtime
from .astutil import clone
from .codegen import comment
from .errors import MissingRuleError
from .reverse import _describe, _identifier, is_view_of_written, parameter_names, primal_of
from .rules import registry
from .shapes import ShapeFacts


def forward(fn, ctx):
    """Interleave tangent statements with ``fn``'s; see the module docstring."""
    return _Forward(fn, ctx).run()


class _Forward:
    def __init__(self, fn, ctx):
        self.fn, self.ctx = fn, ctx
        params = parameter_names(fn)
        self.wrt = [params[i] for i in ctx.wrt]
        self.varied = self._varied_names(fn)
        self.facts = ShapeFacts(fn, ctx)
        simple = list(normal_form.statements(fn.body))
        self.lists = {activity.targets(s)[-1] for s in simple
                      if normal_form.kind(s, ctx) in ("append", "pop")}
        self.written = {activity.targets(s)[0] for s in simple
                        if normal_form.kind(s, ctx) == "store"}
        self.dots: dict[str, str] = {}
        self.out: list[ast.stmt] = []
        self.origin = None
        self.commented = None

    def run(self):
        *body, ret = self.fn.body
        args = self.fn.args
        positional = not (args.defaults or args.kw_defaults or args.kwonlyargs or args.vararg
                          or args.kwarg)
        self.ctx.tangent_names = []
        for name in self.wrt:
            dot = self._dot_name(name)
            self.ctx.tangent_names.append(dot)
            (args.args if positional else args.kwonlyargs).append(ast.arg(dot))
            if not positional:
                args.kw_defaults.append(None)
        self.out = []
        self._zero_passive_parameters()
        self._block(body)
        self.origin = ret
        tangent = self._tangent_of(ret.value)
        self.out.append(self._at(ast.Return(ast.Tuple([ret.value, tangent], ast.Load())), ret))
        self.fn.body = self.out
        return self.fn

    def _zero_passive_parameters(self):
        """A parameter given no tangent that a branch or loop may make varied
        (``if a > 0: a = a * b`` with only ``b`` differentiated) starts with a zero
        tangent: on the path that leaves it as it was, its tangent is read unset."""
        self.origin = self.fn
        for name in parameter_names(self.fn):
            if name in self.varied and name not in self.wrt:
                self._assign_dot(name, self._zeros(_load(name)))

    def _varied_names(self, fn):
        """``activity.varied_names``, where a linear primal's other arguments (``like`` in
        ``unbroadcast(g, like)``: only its shape is read) carry no tangent."""
        flows = []
        for stmt in normal_form.statements(fn.body):
            if isinstance(stmt, (ast.If, ast.For, ast.While)):
                continue
            flows.append((activity.targets(stmt), self._operands(stmt)))
        return activity.vary(flows, self.wrt)

    def _operands(self, stmt):
        names = activity.operands(stmt, self.ctx)
        value = getattr(stmt, "value", None)
        if not names or normal_form.kind(stmt, self.ctx) not in ("call", "unpack"):
            return names
        key, args, keywords = primal_of(value, self.ctx)
        declared = registry.linear_lookup(key)
        if declared is None or registry.tangent_lookup(key) is not None:
            return names
        try:
            rule = self._signature(key, value)
        except MissingRuleError:
            return names
        try:
            bound, _ = inline.bind_arguments(rule, rule.parameters, args, keywords)
        except inline.RuleBindingError:
            return names
        linear = declared.params or [p.name for p in rule.parameters][
            :2 if declared.separately else 1]
        return [n.id for p in linear if p in bound for n in ast.walk(bound[p])
                if isinstance(n, ast.Name) and n.id in names]

    # ----- blocks --------------------------------------------------------------------

    def _block(self, body):
        for stmt in body:
            self.origin = stmt
            if isinstance(stmt, (ast.If, ast.For, ast.While)):
                saved, self.out = self.out, []
                self._block(stmt.body)
                inner, self.out = self.out, saved
                if isinstance(stmt, ast.If):
                    saved, self.out = self.out, []
                    self._block(stmt.orelse)
                    orelse, self.out = self.out, saved
                    new = ast.If(stmt.test, inner or [ast.Pass()], orelse)
                elif isinstance(stmt, ast.For):
                    new = ast.For(stmt.target, stmt.iter, inner or [ast.Pass()], [])
                else:
                    new = ast.While(stmt.test, inner or [ast.Pass()], [])
                self.out.append(self._at(new, stmt))
                self.commented = None
                continue
            if self._is_view_of_written(stmt):
                # a view into an array a later write changes: a copy, so that what was
                # read stays what it was (for the tangents computed from it)
                self._emit(self._at(ast.Assign(stmt.targets, _call(ast.Attribute(
                    stmt.value, "copy", ast.Load()), [])), stmt))
            else:
                self._emit(stmt)
            self._tangent(stmt)

    # ----- one statement ---------------------------------------------------------------

    def _tangent(self, stmt):
        kind = normal_form.kind(stmt, self.ctx)
        targets = activity.targets(stmt)
        if kind == "forward_only" or not any(t in self.varied for t in targets):
            return
        if kind == "store":
            target = stmt.targets[0]
            var = target.value.id
            store = ast.Subscript(self._load_dot(var), clone(target.slice), ast.Store())
            value = self._tangent_of(stmt.value) if self._varies(stmt.value) \
                else ast.Constant(0.0)
            return self._emit(ast.Assign([store], value))
        if kind == "pop":
            var = stmt.value.func.value.id
            pop = _call(ast.Attribute(self._load_dot(var), "pop", ast.Load()), [])
            if isinstance(stmt, ast.Expr):
                return self._emit(ast.Expr(pop))
            return self._emit(_assign_name(self._dot_name(targets[0]), pop))
        if kind == "append":
            var, item = targets[0], stmt.value.args[0]
            return self._emit(ast.Expr(_call(ast.Attribute(self._load_dot(var), "append",
                                                           ast.Load()),
                                             [self._tangent_of(item)])))
        if kind != "copy" and not any(n in self.varied
                                      for n in activity.operands(stmt, self.ctx)):
            for name in targets:  # varied only through a later write: zeros first
                self._assign_dot(name, self._zeros(_load(name)))
            return
        value = stmt.value
        if kind == "copy":
            return self._assign_dot(targets[0], self._tangent_of(value))
        if kind == "subscript":
            return self._assign_dot(targets[0], ast.Subscript(
                self._tangent_of(value.value), clone(value.slice), ast.Load()),
                copy=value.value.id in self.written)
        self._operation(stmt, kind, targets)

    def _operation(self, stmt, kind, targets):
        value = stmt.value
        key, args, keywords = primal_of(value, self.ctx)
        if kind == "unpack":
            ans = ast.Tuple([_load(t) for t in targets], ast.Load())
        else:
            ans = _load(targets[0])
        try:
            result = self._rule_tangent(key, value, args, keywords, ans, kind)
        except inline.RuleBindingError as exc:
            raise self.ctx.error(value, f"{_describe(key)} {exc}") from None
        if kind == "unpack":
            if isinstance(result, ast.Tuple) and len(result.elts) == len(targets):
                for name, part in zip(targets, result.elts):
                    self._assign_dot(name, part)
            else:
                names = [self._dot_name(t) for t in targets]
                self._emit(ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names],
                                                 ast.Store())], result))
            return
        self._assign_dot(targets[0], result, copy=self._is_view_of_written(stmt))

    def _rule_tangent(self, key, value, args, keywords, ans, kind):
        """The tangent expression of ``value`` (emitting any statements it needs first)."""
        rule = registry.tangent_lookup(key)
        if rule is not None:
            return self._explicit(rule, key, value, args, keywords, ans)
        declared = registry.linear_lookup(key)
        if declared is not None:
            return self._linear(declared, key, value, args, keywords)
        if registry.is_elementwise(key) and kind != "unpack":
            return self._elementwise(registry.lookup(key), key, value, args, keywords, ans)
        raise self._missing(key, value)

    def _explicit(self, rule, key, value, args, keywords, ans):
        params = rule.parameters
        bound, _ = inline.bind_arguments(rule, params, args, keywords)
        varied = [p.name for p in params if self._varies(bound[p.name])]
        returns = inline._return_values(rule.template)
        if rule.outputs or returns == 1:
            first = params[0].name
            if any(p != first for p in varied):
                raise self._missing(key, value, [p for p in varied if p != first][0])
            g = self._tangent_of(bound[first])
            statements, result, _ = inline.instantiate_value(rule, self.ctx, g, ans, args,
                                                             keywords)
            self._emit_all(statements)
            return result
        g = ast.Tuple([self._tangent_of(bound[p.name]) if p.name in varied else
                       ast.Constant(None) for p in params], ast.Load())
        statements, result, _ = inline.instantiate_value(rule, self.ctx, g, ans, args, keywords)
        self._emit_all(statements)
        if not isinstance(result, ast.Tuple):  # called at run time: pick its parts
            name = self.ctx.fresh("_r", numbered=True)
            self._emit(_assign_name(name, result))
            result = ast.Tuple([ast.Subscript(_load(name), ast.Constant(i), ast.Load())
                                for i in range(len(params))], ast.Load())
        terms = []
        for i, p in enumerate(params):
            if p.name not in varied:
                continue
            part = result.elts[i] if i < len(result.elts) else None
            if part is None or (isinstance(part, ast.Constant) and part.value is None):
                raise self._missing(key, value, p.name)
            terms.append(part)
        return _sum(terms)

    def _linear(self, declared, key, value, args, keywords):
        names = self._parameter_names(key, value, args, keywords)
        positions = self._positions(value, args, keywords, names)
        linear = declared.params or tuple(names[:2 if declared.separately else 1])
        slots = [positions[p] for p in linear if p in positions]
        if not declared.separately:
            return _replace(value, {slot: self._tangent_of(atom) for slot, atom in slots})
        terms = [_replace(value, {slot: self._tangent_of(atom)})
                 for slot, atom in slots if self._varies(atom)]
        return _sum(terms)

    def _elementwise(self, rule, key, value, args, keywords, ans):
        """The adjoint rule of an elementwise primal with ``g`` replaced by each varied
        argument's tangent: that argument's term (its Jacobian is diagonal)."""
        params = rule.parameters
        bound, _ = inline.bind_arguments(rule, params, args, keywords)
        terms, seen = [], set()
        for index, param in enumerate(params):
            atom = bound[param.name]
            if not self._varies(atom):
                continue
            statements, pairs = inline.instantiate(rule, self.ctx, self._tangent_of(atom), ans,
                                                   args, keywords)
            contribution = pairs[index][1]
            if contribution is None:
                if isinstance(atom, ast.Name) and atom.id in seen:
                    continue  # x * x: the first argument's term counts both
                raise self._missing(key, value, param.name)
            if isinstance(atom, ast.Name):
                seen.add(atom.id)
            self._emit_all(statements)
            terms.append(contribution)
        total = _sum(terms)
        if self._may_be_smaller(total, bound, ans):
            total = _call(self._helper(runtime.broadcast_like), [total, clone(ans)])
        return total

    def _may_be_smaller(self, total, bound, ans):
        """Can the tangent of an elementwise result have a smaller shape than the result
        (``x_dot`` for ``x + C`` with a larger ``C``)? Not when it reads the result or
        every other array operand (elementwise, so it has their broadcast shape), nor
        when the shape facts prove the shapes equal."""
        read = {n.id for n in ast.walk(total) if isinstance(n, ast.Name)}
        if ans.id in read:
            return False
        operands = [a for a in bound.values() if isinstance(a, ast.Name)
                    and a.id not in self.ctx.namespace]
        dotted = {a.id for a in operands if a.id in self.varied and self.dots.get(a.id) in read}
        others = [a.id for a in operands if a.id not in dotted]
        if all(o in read for o in others):
            return False
        return not all(self.facts.same(o, ans.id) for o in dotted)

    def _parameter_names(self, key, value, args, keywords):
        if isinstance(value, ast.BinOp):
            return ["x1", "x2"]
        if isinstance(value, (ast.UnaryOp, ast.Attribute)):
            return ["x"]
        return [p.name for p in self._signature(key, value).parameters]

    def _positions(self, value, args, keywords, names):
        """Parameter name -> ``(slot, atom)``: where in ``value`` the argument sits."""
        if isinstance(value, ast.BinOp):
            return {"x1": ("left", value.left), "x2": ("right", value.right)}
        if isinstance(value, ast.UnaryOp):
            return {"x": ("operand", value.operand)}
        if isinstance(value, ast.Attribute):
            return {"x": ("value", value.value)}
        rule = self._signature(primal_of(value, self.ctx)[0], value)
        bound, defaulted = inline.bind_arguments(rule, rule.parameters, args, keywords)
        slots = {}
        for name, atom in bound.items():
            if name in defaulted:
                continue
            for i, arg in enumerate(value.args):
                if arg is atom:
                    slots[name] = (("args", i), atom)
            for i, kw in enumerate(value.keywords):
                if kw.value is atom:
                    slots[name] = (("keywords", i), atom)
        return slots

    def _signature(self, key, value):
        """Something with ``.parameters`` naming ``key``'s parameters: its adjoint rule,
        or, for a function without one (an adjoint rule called at run time), its own."""
        rule = registry.lookup(key)
        if rule is not None:
            return rule
        try:
            return _Parameters(list(inspect.signature(key).parameters.values()))
        except (TypeError, ValueError):
            raise self._missing(key, value) from None

    # ----- tangents of atoms ----------------------------------------------------------

    def _varies(self, atom):
        return any(isinstance(n, ast.Name) and n.id in self.varied for n in ast.walk(atom))

    def _tangent_of(self, atom):
        """The tangent of an atom: its ``_dot`` name, zeros for a value that does not
        depend on a differentiated parameter, the display of its elements' tangents."""
        if isinstance(atom, ast.Name):
            if atom.id in self.varied:
                return self._load_dot(atom.id)
            if atom.id in self.ctx.namespace:
                return ast.Constant(0.0)
            return self._zeros(atom)
        if isinstance(atom, (ast.List, ast.Tuple)):
            return type(atom)([self._tangent_of(e) for e in atom.elts], ast.Load())
        if isinstance(atom, ast.Dict):
            return ast.Dict([clone(k) for k in atom.keys],
                            [self._tangent_of(v) for v in atom.values])
        if isinstance(atom, ast.Constant) and atom.value is None:
            return ast.Constant(None)  # no value (add_to_item(None, ...): no list yet)
        return ast.Constant(0.0)

    def _zeros(self, atom):
        helper = runtime.zeros_like_items if isinstance(atom, ast.Name) \
            and atom.id in self.lists else runtime.zeros_like
        return _call(self._helper(helper), [clone(atom)])

    def _dot_name(self, name):
        if name not in self.dots:
            self.dots[name] = self.ctx.fresh(name + "_dot")
        return self.dots[name]

    def _load_dot(self, name):
        return _load(self._dot_name(name))

    def _is_view_of_written(self, stmt):
        return is_view_of_written(stmt, self.ctx, self.written)

    def _assign_dot(self, name, value, copy=False):
        if copy or name in self.written and isinstance(value, (ast.Name, ast.Subscript)):
            # an array the function writes into gets a tangent of its own to write into
            value = _call(ast.Attribute(_load(self.ctx.numpy()), "copy", ast.Load()), [value])
        self._emit(_assign_name(self._dot_name(name), value))

    # ----- emitting ------------------------------------------------------------------

    def _emit(self, stmt):
        line = getattr(self.origin, "lineno", None)
        if line is not None and line != self.commented and line in self.ctx.statements:
            self.out.append(self._at(comment(self.ctx.statements[line]), self.origin))
            self.commented = line
        self.out.append(self._at(stmt, self.origin))

    def _emit_all(self, statements):
        for stmt in statements:
            self._emit(stmt)

    @staticmethod
    def _at(stmt, origin):
        return ast.copy_location(stmt, origin)

    def _helper(self, function):
        return ast.Name(self.ctx.bind(function, function.__name__), ast.Load())

    def _missing(self, key, value, param=None):
        name = _describe(key)
        spelled = name
        if isinstance(key, registry.Attribute):
            spelled = f"autodiff_ast.rules.registry.Attribute({key.name!r})"
        which = f" with respect to its argument {param}" if param else ""
        return self.ctx.error(
            value, f"no tangent (forward-mode) rule for {name}{which}, which is used here "
                   f"with an argument that depends on a differentiated input. Register "
                   f"one:\n\n"
                   f"    @autodiff_ast.tangent({spelled})\n"
                   f"    def {_identifier(key)}_tangent(g, ans, <its parameters>):\n"
                   f"        return <the tangent of the result, given g = the tangent of "
                   f"the first parameter>\n\n"
                   f"or declare it with autodiff_ast.linear({spelled}) if it is linear.",
            MissingRuleError)


class _Parameters:
    def __init__(self, parameters):
        self.parameters = parameters


def _replace(value, replacements):
    """A copy of the normal-form right-hand side ``value`` with the arguments at the
    given slots replaced."""
    new = clone(value)
    for slot, replacement in replacements.items():
        if isinstance(slot, tuple):
            field, index = slot
            if field == "args":
                new.args[index] = replacement
            else:
                new.keywords[index].value = replacement
        else:
            setattr(new, slot, replacement)
    return new


def _sum(terms):
    total = terms[0]
    for term in terms[1:]:
        total = ast.BinOp(total, ast.Add(), term)
    return total


def _load(name):
    return ast.Name(name, ast.Load())


def _call(func, args):
    return ast.Call(func, args, [])


def _assign_name(name, value):
    return ast.Assign([ast.Name(name, ast.Store())], value)
