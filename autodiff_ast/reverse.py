"""Pass 7, reverse: the forward sweep, then the adjoint sweep in reverse order.

Takes a normal-form ``FunctionDef`` (every name assigned once) and gives the gradient
function: the user's statements, then for each statement that reaches the output, in
reverse order, the adjoint statements its derivative rule gives (the chain rule one
gate at a time), then ``return`` of the adjoints of the ``wrt`` parameters. Adjoints
exist only for active names (see ``activity``); the first contribution to an adjoint
assigns it, later ones add to it (in place when the array is the adjoint's own); a
rule's contribution is summed back to its argument's shape only where broadcasting may
have changed it (see ``shapes``). Each adjoint statement keeps the line of its primal.

>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> from autodiff_ast.normalize import normalize
>>> def f(x, y, z):
...     q = x + y
...     return q * z
>>> fn, ctx = read(f, wrt=(0, 1, 2), single=False)
>>> print(ast.unparse(reverse(normalize(resolve(fn, ctx), ctx), ctx)))
def f(x, y, z, dout=1.0):
    q = x + y
    out = q * z
    ensure_scalar(out, 'f')
    __autodiff_ast_comment__('return q * z')
    dq = dout * z
    dz = dout * q
    __autodiff_ast_comment__('q = x + y')
    dx = dq
    dy = dq
    return (dx, dy, dz)
"""

from __future__ import annotations

import ast

import numpy as np

from . import activity, inline, normal_form, runtime
from .codegen import comment
from .errors import MissingRuleError
from .rules import registry
from .shapes import ShapeFacts


def reverse(fn, ctx):
    """Append the adjoint sweep to ``fn``; see the module docstring."""
    return _Reverse(fn, ctx).run()


def parameter_names(fn):
    args = fn.args
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]


class _Reverse:
    def __init__(self, fn, ctx):
        self.fn, self.ctx = fn, ctx
        params = parameter_names(fn)
        self.wrt = [params[i] for i in ctx.wrt]
        self.active = activity.active_names(fn, ctx, self.wrt)
        # grad checks that the output is a scalar before the adjoint sweep starts
        self.facts = ShapeFacts(fn, ctx, scalar_output=True)
        self.holder: dict[str, str] = {}   # active name -> name now holding its adjoint
        self.owned: set[str] = set()       # adjoints whose array no other name shares
        self.names: dict[str, str] = {}    # active name -> its adjoint's name
        self.out: list[ast.stmt] = []
        self.origin = None
        self.commented = None  # the line whose comment heads the statements now emitted

    def run(self):
        *forward, ret = self.fn.body
        result = ret.value.id
        dout = self.ctx.seed = self.ctx.fresh("dout")
        self._add_parameter(dout)
        if result in self.active:
            self.holder[result] = dout
        forward = list(forward)
        self._check_rules(forward)
        if not ShapeFacts(self.fn, self.ctx).scalar(result):
            forward.append(self._at(ast.Expr(_call(
                self._helper(runtime.ensure_scalar), [_load(result), ast.Constant(self.fn.name)])),
                ret))
        for stmt in reversed(forward):
            self.origin = stmt
            if any(t in self.holder for t in activity.targets(stmt)):
                self._adjoint(stmt)
        grads = [self._final(name) for name in self.wrt]
        value = grads[0] if self.ctx.single else ast.Tuple(grads, ast.Load())
        if self.ctx.mode == "value_and_grad":
            value = ast.Tuple([_load(result), value], ast.Load())
        self.fn.body = forward + self.out + [self._at(ast.Return(value), ret)]
        return self.fn

    def _check_rules(self, forward):
        """Report the first active operation without a rule, in the user's order, and
        active uses of lists that the compiler cannot follow element by element."""
        displays = set()
        for stmt in forward:
            kind = normal_form.kind(stmt, self.ctx)
            if not any(t in self.active for t in activity.targets(stmt)):
                continue
            if kind == "copy" and isinstance(stmt.value, (ast.List, ast.Tuple)):
                displays.add(stmt.targets[0].id)
            if kind == "subscript" and stmt.value.value.id in displays:
                raise self.ctx.error(stmt.value, "indexing a list or tuple of arrays is only "
                                                 "supported with a constant index: use "
                                                 "np.stack(...)[i] to pick by a variable")
            if kind in ("binary", "unary", "call", "attribute", "unpack"):
                key = self._primal(stmt.value)[0]
                rule = registry.lookup(key)
                if rule is None:
                    raise self._missing_rule(key, stmt.value)
                if kind == "call" and (rule.outputs == registry.SEQUENCE or callable(rule.outputs)):
                    raise self.ctx.error(stmt.value, f"{_describe(key)} returns a list of "
                                                     f"arrays: unpack it into names (a, b = "
                                                     f"{_describe(key)}(...)) to differentiate "
                                                     f"through it")

    # ----- one primal statement ---------------------------------------------------

    def _adjoint(self, stmt):
        value = stmt.value
        kind = normal_form.kind(stmt, self.ctx)
        if kind == "copy":
            g = self._take(stmt.targets[0].id)
            if isinstance(value, ast.Name) and value.id in self.active:
                self._accumulate(value.id, _load(g))
            elif isinstance(value, (ast.List, ast.Tuple)):
                self._accumulate_items(value, _load(g), None)
            return
        if kind == "subscript":
            g = self._take(stmt.targets[0].id)
            if value.value.id in self.active:
                self._scatter(value.value.id, value.slice, g)
            return
        key, args, keywords = self._primal(value)
        rule = registry.lookup(key)
        if rule is None:
            raise self._missing_rule(key, value)
        if kind == "unpack":
            names = [e.id for e in stmt.targets[0].elts]
            zeros = self._helper(runtime.zeros_like)
            g = ast.Tuple([_load(self._take(n)) if n in self.holder else _call(zeros, [_load(n)])
                           for n in names], ast.Load())
            ans = ast.Tuple([_load(n) for n in names], ast.Load())
        else:
            ans = stmt.targets[0]
            g = _load(self._take(ans.id))
            ans = _load(ans.id)
        try:
            statements, pairs = inline.instantiate(rule, self.ctx, g, ans, args, keywords)
        except inline.RuleBindingError as exc:
            raise self.ctx.error(value, f"{_describe(key)} {exc}") from None
        shapes = _ShapeReferences(self.ctx, self.facts)
        for s in statements:
            self._emit(shapes.visit(s))
        for atom, contribution in pairs:
            if contribution is None:
                continue
            if isinstance(atom, ast.Name) and atom.id in self.active:
                if rule.broadcasts and not (kind != "unpack" and self.facts.same(atom.id, ans.id)):
                    contribution = _call(self._helper(runtime.unbroadcast), [contribution, atom])
                self._accumulate(atom.id, shapes.visit(contribution))
            elif isinstance(atom, (ast.List, ast.Tuple)):
                self._accumulate_items(atom, contribution, rule.broadcasts and ans)

    def _primal(self, value):
        """``(rule key, positional atoms, keyword atoms)`` of a normal-form right-hand side."""
        if isinstance(value, ast.BinOp):
            return type(value.op), [value.left, value.right], {}
        if isinstance(value, ast.UnaryOp):
            return type(value.op), [value.operand], {}
        if isinstance(value, ast.Attribute):
            return registry.Attribute(value.attr), [value.value], {}
        if isinstance(value, ast.Call):
            return (self.ctx.lookup(value.func), list(value.args),
                    {k.arg: k.value for k in value.keywords})
        raise self.ctx.error(value, f"cannot differentiate {ast.unparse(value)}")

    def _missing_rule(self, key, value):
        name = _describe(key)
        if isinstance(key, registry.Attribute):
            name = f"autodiff_ast.rules.registry.Attribute({key.name!r})"
        return self.ctx.error(
            value, f"no derivative rule for {_describe(key)}, which is used here with an "
                   f"argument that depends on a differentiated input. Register one:\n\n"
                   f"    @autodiff_ast.adjoint({name})\n"
                   f"    def {_identifier(key)}_adjoint(g, ans, <its parameters>):\n"
                   f"        return <the adjoint of each parameter, given g = d(result)>\n\n"
                   f"or, if it has no gradient, autodiff_ast.nondifferentiable({name}).",
            MissingRuleError)

    # ----- adjoint bookkeeping ---------------------------------------------------------

    def _name(self, var):
        if var not in self.names:
            self.names[var] = self.ctx.fresh("d" + var)
        return self.names[var]

    def _take(self, var):
        """The name holding ``var``'s adjoint; ``var`` is fully reversed after this."""
        self.owned.discard(var)
        return self.holder.pop(var)

    def _accumulate(self, var, contribution):
        """Add a dense contribution to ``var``'s adjoint."""
        name = self._name(var)
        if var not in self.holder:
            self._assign(name, contribution)
            if _allocates(contribution):
                self.owned.add(var)
        elif var in self.owned:
            self._emit(ast.AugAssign(ast.Name(name, ast.Store()), ast.Add(), contribution))
        else:
            self._assign(name, ast.BinOp(_load(self.holder[var]), ast.Add(), contribution))
            self.owned.add(var)
        self.holder[var] = name

    def _scatter(self, var, index, g):
        """Add ``g`` into ``var``'s adjoint at ``index`` (the adjoint of ``var[index]``)."""
        name = self._name(var)
        np_ = self.ctx.numpy()
        if var not in self.holder:
            self._assign(name, _call(_attribute(np_, "zeros_like"), [_load(var)]))
        elif var not in self.owned:
            self._assign(name, _call(_attribute(np_, "copy"), [_load(self.holder[var])]))
        if _is_basic(index):
            target = ast.Subscript(ast.Name(name, ast.Load()), index, ast.Store())
            if var in self.holder:
                self._emit(ast.AugAssign(target, ast.Add(), _load(g)))
            else:
                self._emit(ast.Assign([target], _load(g)))
        else:
            at = ast.Attribute(_attribute(np_, "add"), "at", ast.Load())
            self._emit(ast.Expr(_call(at, [_load(name), inline._as_value(index), _load(g)])))
        self.holder[var] = name
        self.owned.add(var)

    def _accumulate_items(self, display, contribution, broadcast_result):
        """Contributions to the elements of a list argument (``np.stack([a, b])``), summed
        back to each element's shape when the rule broadcasts them to ``broadcast_result``."""
        if isinstance(contribution, (ast.List, ast.Tuple)) and len(contribution.elts) == len(
                display.elts):
            parts = contribution.elts
        else:
            names = [self.ctx.fresh("_r", numbered=True) for _ in display.elts]
            self._emit(ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names],
                                             ast.Store())], contribution))
            parts = [_load(n) for n in names]
        for element, part in zip(display.elts, parts):
            if isinstance(element, ast.Name) and element.id in self.active:
                if broadcast_result and not self.facts.same(element.id, broadcast_result.id):
                    part = _call(self._helper(runtime.unbroadcast), [part, element])
                self._accumulate(element.id, part)
            elif isinstance(element, (ast.List, ast.Tuple)) and any(
                    isinstance(n, ast.Name) and n.id in self.active for n in ast.walk(element)):
                self._accumulate_items(element, part, broadcast_result)

    def _final(self, param):
        if param in self.holder:
            return _load(self.holder[param])
        return _call(self._helper(runtime.zeros_like), [_load(param)])

    # ----- emitting ----------------------------------------------------------------

    def _assign(self, name, value):
        self._emit(ast.Assign([ast.Name(name, ast.Store())], value))

    def _emit(self, stmt):
        line = self.origin.lineno
        if line != self.commented and line in self.ctx.statements:
            self.out.append(self._at(comment(self.ctx.statements[line]), self.origin))
            self.commented = line
        self.out.append(self._at(stmt, self.origin))

    @staticmethod
    def _at(stmt, origin):
        """``stmt`` at the line of the primal statement it comes from."""
        return ast.copy_location(stmt, origin)

    def _helper(self, function):
        return ast.Name(self.ctx.bind(function, function.__name__), ast.Load())

    def _add_parameter(self, name):
        args = self.fn.args
        if args.kwonlyargs or args.vararg:
            args.kwonlyargs.append(ast.arg(name))
            args.kw_defaults.append(ast.Constant(1.0))
        else:
            args.args.append(ast.arg(name))
            args.defaults.append(ast.Constant(1.0))


class _ShapeReferences(ast.NodeTransformer):
    """In calls that read only a shape (``np.shape(a)``, ``unbroadcast(g, a)``), name the
    earliest-defined value of the same shape instead of ``a``, so that the adjoint sweep
    keeps no array alive just for its shape."""

    def __init__(self, ctx, facts):
        self.ctx, self.facts = ctx, facts
        self.positions = {np.shape: 0, np.size: 0, np.ndim: 0, runtime.shape: 0,
                          runtime.reduced_count: 0, runtime.unbroadcast: 1}

    def visit_Call(self, node):
        self.generic_visit(node)
        try:
            position = self.positions.get(self.ctx.lookup(node.func))
        except (AttributeError, TypeError, KeyError):
            position = None
        if position is not None and position < len(node.args):
            arg = node.args[position]
            if isinstance(arg, ast.Name):
                node.args[position] = _load(self.facts.representative(arg.id))
        return node


def _describe(key):
    if isinstance(key, type) and issubclass(key, ast.AST):
        return f"the operator {key.__name__}"
    if isinstance(key, registry.Attribute):
        return f"the attribute .{key.name}"
    from .context import numpy_path

    path = numpy_path(key)
    if path is not None:
        return "np." + path
    module = getattr(key, "__module__", None)
    name = getattr(key, "__qualname__", getattr(key, "__name__", repr(key)))
    return f"{module}.{name}" if module and module != "builtins" else name


def _identifier(key):
    name = key.name if isinstance(key, registry.Attribute) else getattr(
        key, "__name__", "primal")
    return name if name.isidentifier() else "primal"


def _is_basic(index):
    """Is ``index`` made of constants and slices only, so that no element repeats?"""
    for node in ast.walk(index):
        if isinstance(node, ast.Name) or isinstance(node, ast.List):
            return False
    return True


def _allocates(expr):
    """Does evaluating ``expr`` surely give a new array (or an immutable scalar)?"""
    return isinstance(expr, (ast.BinOp, ast.UnaryOp))


def _load(name):
    return ast.Name(name, ast.Load())


def _call(func, args):
    return ast.Call(func, args, [])


def _attribute(name, attr):
    return ast.Attribute(_load(name), attr, ast.Load())
