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
import builtins

import numpy as np

from . import activity, inline, normal_form, runtime, structures, tape
from .astutil import clone
from .codegen import comment
from .errors import MissingRuleError
from .rules import registry
from .shapes import ShapeFacts


def reverse(fn, ctx):
    """Append the adjoint sweep to ``fn``; see the module docstring."""
    return _Reverse(fn, ctx).run()


def _assigned_names(statements):
    """The names that ``statements`` (and the blocks inside them) bind."""
    return {node.id for stmt in statements for node in ast.walk(stmt)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}


def parameter_names(fn):
    args = fn.args
    return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]


class _Reverse:
    def __init__(self, fn, ctx):
        self.fn, self.ctx = fn, ctx
        params = parameter_names(fn)
        self.wrt = [params[i] for i in ctx.wrt]
        # the leaves of dict/list/tuple parameters are differentiated as parameters
        self.seeds = [leaf for name in self.wrt for leaf in ctx.leaves.get(name, [name])]
        self.leaf_set = {leaf for leaves in ctx.leaves.values() for leaf in leaves}
        self.counters = _count_while_loops(fn, ctx)
        self.active = activity.active_names(fn, ctx, self.seeds)
        # grad checks that the output is a scalar before the adjoint sweep starts (vjp
        # pulls back a cotangent of any shape)
        self.pulls_back = ctx.mode == "vjp"
        self.facts = ShapeFacts(fn, ctx, scalar_output=not self.pulls_back)
        self.tape = tape.plan(fn, ctx)
        simple = list(normal_form.statements(fn.body))
        self.lists = {activity.targets(s)[-1] for s in simple
                      if normal_form.kind(s, ctx) in ("append", "pop")}
        loop_vars = {s.target.id for s in simple if isinstance(s, ast.For)}
        assigned = {n for s in simple if not isinstance(s, ast.For) for n in activity.targets(s)}
        self.integers = loop_vars - assigned  # range loop variables: always ints
        self.products = _product_temporaries(fn, ctx)
        self.written = {activity.targets(s)[0] for s in simple
                        if normal_form.kind(s, ctx) == "store"}
        self.zeroed: set[str] = set()      # names whose adjoints start as zeros of them
        self.holder: dict[str, str] = {}   # active name -> name now holding its adjoint
        self.owned: set[str] = set()       # adjoints whose array no other name shares
        self.names: dict[str, str] = {}    # active name -> its adjoint's name
        self.out: list[ast.stmt] = []
        self.origin = None
        self.commented = None  # the line whose comment heads the statements now emitted

    def run(self):
        *body, ret = self.fn.body
        result = ret.value.id
        dout = self.ctx.seed = self.ctx.fresh("dout")
        self._add_parameter(dout)
        if result in self.active:
            self.holder[result] = dout
        self._check_rules(body)
        forward = self._prologue(ret) + self._forward(body)
        self.ctx.result = result
        if self.pulls_back:  # where ``split`` divides the forward and the adjoint sweeps
            forward.append(self._at(ast.Expr(_call(_load(PULLBACK), [])), ret))
        elif not ShapeFacts(self.fn, self.ctx).scalar(result):
            forward.append(self._at(ast.Expr(_call(
                self._helper(runtime.ensure_scalar), [_load(result), ast.Constant(self.fn.name)])),
                ret))
        self._backward(body)
        # a value read for its shape by zeros for its adjoint may be unbound there (it
        # is assigned only in a loop that ran no iteration): None gives zeros of ()
        params = set(parameter_names(self.fn))
        forward = [self._at(_assign_name(name, ast.Constant(None)), ret)
                   for name in sorted(self.zeroed - params - set(self.tape.undefined))] + forward
        grads = [self._final(name) for name in self.wrt]
        value = grads[0] if self.ctx.single else ast.Tuple(grads, ast.Load())
        if self.ctx.mode in ("value_and_grad", "vjp"):
            if result in _assigned_names(self.out):
                # the adjoint sweep restores the result's earlier values: return the one
                # the forward sweep ended with (before vjp's pullback marker)
                kept = self.ctx.fresh(f"{result.lstrip('_')}_value")
                end = len(forward) - self.pulls_back
                forward.insert(end, self._at(_assign_name(kept, _load(result)), ret))
                result = kept
            value = ast.Tuple([_load(result), value], ast.Load())
        self.fn.body = forward + self.out + [self._at(ast.Return(value), ret)]
        return self.fn

    # ----- the forward sweep ----------------------------------------------------------

    def _prologue(self, origin):
        """Empty stacks, each with a comment on what it keeps, and ``None`` for names the
        first save may find unbound."""
        out = []
        for stmt in normal_form.statements(self.fn.body):
            for save in self.tape.saves.get(id(stmt), []):
                if save.stack is not None:
                    out.append(self._at(_assign_name(save.stack, ast.List([], ast.Load())), origin))
        for name in self.tape.undefined:
            out.append(self._at(_assign_name(name, ast.Constant(None)), origin))
        return out

    def _forward(self, body):
        """The user's statements, with the saves the tape asks for (new compound
        statements: the originals stay as they are for the adjoint sweep). A view into an
        array that a later write changes is copied, so the adjoint sees what was read."""
        out = []
        for stmt in body:
            for save in self.tape.saves.get(id(stmt), []):
                value = _load(save.name)
                if save.index is not None:
                    value = _call(_attribute(self.ctx.numpy(), "copy"),
                                  [ast.Subscript(_load(save.name), clone(save.index), ast.Load())])
                if save.stack is not None:
                    push = ast.Expr(_call(_attribute(save.stack, "append"), [value]))
                else:
                    push = _assign_name(save.copy, value)
                out.append(self._at(push, stmt))
            if isinstance(stmt, ast.If):
                stmt = self._at(ast.If(stmt.test, self._forward(stmt.body),
                                       self._forward(stmt.orelse)), stmt)
            elif isinstance(stmt, ast.For):
                stmt = self._at(ast.For(stmt.target, stmt.iter, self._forward(stmt.body), []),
                                stmt)
            elif isinstance(stmt, ast.While):
                stmt = self._at(ast.While(stmt.test, self._forward(stmt.body), []), stmt)
            elif self._is_view_of_written(stmt):
                stmt = self._at(ast.Assign(stmt.targets, ast.Call(
                    ast.Attribute(stmt.value, "copy", ast.Load()), [], [])), stmt)
            out.append(stmt)
        return out

    def _is_view_of_written(self, stmt):
        return is_view_of_written(stmt, self.ctx, self.written)

    def _check_rules(self, forward):
        """Report the first active operation without a rule, in the user's order, and
        active uses of lists that the compiler cannot follow element by element."""
        displays = set()
        for stmt in normal_form.statements(forward):
            kind = normal_form.kind(stmt, self.ctx)
            if not any(t in self.active for t in activity.targets(stmt)):
                continue
            if kind == "copy" and isinstance(stmt.value, (ast.List, ast.Tuple)) \
                    and stmt.targets[0].id not in self.lists:
                displays.add(stmt.targets[0].id)
            if kind == "subscript" and stmt.value.value.id in displays:
                raise self.ctx.error(stmt.value, "indexing a list or tuple of arrays is only "
                                                 "supported with a constant index: use "
                                                 "np.stack(...)[i] to pick by a variable")
            if not any(name in self.active for name in activity.operands(stmt, self.ctx)):
                continue
            if kind in ("binary", "unary", "call", "attribute", "unpack"):
                key = self._primal(stmt.value)[0]
                rule = registry.lookup(key)
                if rule is None:
                    raise self._missing_rule(key, stmt.value)
                returns_list = rule.outputs == registry.SEQUENCE or callable(rule.outputs)
                if kind == "call" and returns_list \
                        and not self._listed(stmt.targets[0].id, forward):
                    raise self.ctx.error(stmt.value, f"{_describe(key)} returns a list of "
                                                     f"arrays: unpack it into names (a, b = "
                                                     f"{_describe(key)}(...)) to differentiate "
                                                     f"through it")

    def _listed(self, var, forward):
        """Is ``var`` read only as ``list(var)``? Then its adjoint is the list of its
        items' adjoints (``list``'s rule), aligned with them, which is what a rule of a
        primal returning a list takes as ``g``: ``dparts = list(unconcatenate(dy,
        parts))`` in gradient code, differentiated again."""
        uses = [stmt for stmt in normal_form.statements(forward)
                if var in activity.operands(stmt, self.ctx)]
        return bool(uses) and all(
            normal_form.kind(stmt, self.ctx) == "call"
            and self._primal(stmt.value)[0] is builtins.list
            and [a.id for a in stmt.value.args if isinstance(a, ast.Name)] == [var]
            for stmt in uses)

    # ----- the adjoint sweep: blocks, branches, loops --------------------------------------

    def _backward(self, body):
        """Emit the adjoint of ``body`` into ``self.out``, its statements in reverse order."""
        for stmt in reversed(body):
            self.origin = stmt
            if isinstance(stmt, ast.If):
                self._reverse_if(stmt)
            elif isinstance(stmt, (ast.For, ast.While)):
                self._reverse_loop(stmt)
            elif any(t in self.leaf_set for t in activity.targets(stmt)):
                continue  # a parameter's leaf: its adjoint is a gradient to return
            else:
                if normal_form.kind(stmt, self.ctx) == "pop":
                    self._reverse_pop(stmt)
                elif any(t in self.holder for t in activity.targets(stmt)):
                    self._adjoint(stmt)
                self._restore(stmt)

    def _branch(self, body, state):
        """The adjoint statements of ``body`` from ``state``, and the state after them."""
        saved_out = self.out
        self.out = []
        self._set_state(state)
        self.commented = None
        self._backward(body)
        out, self.out = self.out, saved_out
        return out, self._state()

    def _reverse_if(self, stmt):
        self._emit_comment(stmt)
        start = self._state()
        body, after_body = self._branch(stmt.body, start)
        orelse, after_else = self._branch(stmt.orelse, start)
        self.origin = stmt
        self._set_state(self._merge([(body, after_body), (orelse, after_else)]))
        self.out.append(self._at(ast.If(clone(stmt.test), body or [ast.Pass()], orelse), stmt))
        self.commented = None

    def _merge(self, branches):
        """One state from the states at the ends of several branches: an adjoint live in
        some is made live (zeros) in the others, under one name in all."""
        live = set().union(*(state[0] for _, state in branches))
        holder, owned = {}, set(live)
        for var in sorted(live):
            holders = {state[0].get(var) for _, state in branches}
            name = holders.pop() if len(holders) == 1 and None not in holders else self._name(var)
            holder[var] = name
            for out, (held, owned_here) in branches:
                if var not in held:
                    out.append(self._at(_assign_name(name, self._zeros(var)), self.origin))
                    continue
                if held[var] != name:
                    out.append(self._at(_assign_name(name, _load(held[var])), self.origin))
                    owned.discard(var)
                elif var not in owned_here:
                    owned.discard(var)
        return holder, owned

    def _reverse_loop(self, stmt):
        """The loop again, its iterations in reverse order. The adjoints it carries from
        one iteration to the next are live (and under their own names) at its start."""
        carried = (set(self.holder) | _exposed(stmt.body, self.ctx)) & self.active
        self._emit_comment(stmt)
        for var in sorted(carried):
            name = self._name(var)
            if var not in self.holder:
                self._assign(name, self._zeros(var))
                self.owned.add(var)
            elif self.holder[var] != name:
                self._assign(name, _load(self.holder[var]))
                self.owned.discard(var)
            self.holder[var] = name
        assumed = {v for v in carried if v in self.owned}
        outer = {v: h for v, h in self.holder.items() if v not in carried}
        while True:
            start = ({**outer, **{v: self._name(v) for v in carried}},
                     {v for v in self.owned if v not in carried} | assumed)
            saved_out, self.out = self.out, []
            self._set_state(start)
            self.commented = None
            for again in self.tape.recompute.get(id(stmt), []):
                self.out.append(self._at(clone(again), again))
            self._backward(stmt.body)
            body, end = self.out, self._state()
            self.out = saved_out
            self.origin = stmt
            end = self._merge([(body, end), ([], start)])
            ended_owned = end[1] & carried
            if assumed <= ended_owned:
                break
            assumed &= ended_owned
        self._set_state(end)
        self.commented = None
        if isinstance(stmt, ast.For):
            steps = _call(_load(self.ctx.builtin("reversed")), [clone(stmt.iter)])
            loop = ast.For(ast.Name(stmt.target.id, ast.Store()), steps, body or [ast.Pass()], [])
        else:
            counter = self.counters[id(stmt)]
            step = self.ctx.fresh("_step", numbered=True)
            loop = ast.For(ast.Name(step, ast.Store()),
                           _call(_load(self.ctx.builtin("range")), [_load(counter)]),
                           body or [ast.Pass()], [])
        self.out.append(self._at(loop, stmt))
        self._restore(stmt)

    def _state(self):
        return dict(self.holder), set(self.owned)

    def _set_state(self, state):
        self.holder, self.owned = dict(state[0]), set(state[1])

    def _zeros(self, var):
        self.zeroed.add(var)
        if var in self.lists:
            return _call(self._helper(runtime.zeros_like_items), [_load(var)])
        return _call(self._helper(runtime.zeros_like), [_load(var)])

    def _restore(self, stmt):
        """Put back the values ``stmt`` overwrote, for the statements reversed after it."""
        if normal_form.kind(stmt, self.ctx) == "pop":  # the item goes back on its list
            item, var = activity.targets(stmt)
            self.out.append(self._at(ast.Expr(_call(_attribute(var, "append"), [_load(item)])),
                                     stmt))
        for save in reversed(self.tape.saves.get(id(stmt), [])):
            value = _call(_attribute(save.stack, "pop"), []) if save.stack else _load(save.copy)
            if save.index is not None:
                target = ast.Subscript(_load(save.name), clone(save.index), ast.Store())
            else:
                target = ast.Name(save.name, ast.Store())
            self.out.append(self._at(ast.Assign([target], value), stmt))
        if normal_form.kind(stmt, self.ctx) == "append":
            name = activity.targets(stmt)[0]
            self.out.append(self._at(ast.Expr(_call(_attribute(name, "pop"), [])), stmt))

    # ----- one primal statement ---------------------------------------------------

    def _adjoint(self, stmt):
        kind = normal_form.kind(stmt, self.ctx)
        if kind not in ("store", "append") and not any(
                name in self.active for name in activity.operands(stmt, self.ctx)):
            for target in activity.targets(stmt):  # nothing flows back: np.zeros, a > b, 0.0
                if target in self.holder:
                    self._take(target)
            return
        if kind == "store":
            return self._reverse_store(stmt)
        if kind == "append":
            return self._reverse_append(stmt)
        value = stmt.value
        if kind == "copy":
            g = self._take(stmt.targets[0].id)
            if isinstance(value, ast.Name) and value.id in self.active:
                self._accumulate(value.id, _load(g))
            elif isinstance(value, (ast.List, ast.Tuple)):
                self._accumulate_items(value, _load(g), None)
            elif isinstance(value, ast.Dict):  # a dict of results: its cotangent is one too
                self._accumulate_dict(value, _load(g))
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
                if rule.broadcasts and self._may_broadcast(atom, args, keywords, ans, kind):
                    contribution = _call(self._helper(runtime.unbroadcast), [contribution, atom])
                self._accumulate(atom.id, shapes.visit(contribution))
            elif isinstance(atom, (ast.List, ast.Tuple)):
                self._accumulate_items(atom, contribution, rule.broadcasts and ans)

    def _reverse_store(self, stmt):
        """``y[i] = v``: ``v``'s adjoint is the adjoint of the elements it wrote, and those
        elements of the old ``y`` get none."""
        target, value = stmt.targets[0], stmt.value
        var, index = target.value.id, target.slice
        held = self.holder[var]
        if isinstance(value, ast.Name) and value.id in self.active:
            if self._is_basic(index):
                piece = ast.Call(ast.Attribute(ast.Subscript(_load(held), clone(index), ast.Load()),
                                               "copy", ast.Load()), [], [])
            else:
                piece = _call(self._helper(runtime.stored_adjoint),
                              [_load(held), inline._as_value(clone(index))])
            self._accumulate(value.id, _call(self._helper(runtime.unbroadcast), [piece, value]))
        name = self._name(var)
        if var not in self.owned:
            self._assign(name, _call(_attribute(self.ctx.numpy(), "copy"), [_load(held)]))
            self.owned.add(var)
            self.holder[var] = name
        self._emit(ast.Assign([ast.Subscript(_load(name), clone(index), ast.Store())],
                              ast.Constant(0.0)))

    def _reverse_pop(self, stmt):
        """``t = out.pop()``: ``t``'s adjoint is the adjoint of the item it took, which
        goes back on the end of ``out``'s list of adjoints (zeros for an item with none,
        so that the list stays aligned with ``out``'s items)."""
        item, var = activity.targets(stmt)
        if var not in self.active:
            self.holder.pop(item, None)
            return
        name = self._name(var)
        if var not in self.holder:
            self._assign(name, _call(self._helper(runtime.zeros_like_items), [_load(var)]))
        elif self.holder[var] != name or var not in self.owned:
            self._assign(name, _call(_load(self.ctx.builtin("list")), [_load(self.holder[var])]))
        adjoint = _load(self._take(item)) if item in self.holder else \
            _call(self._helper(runtime.zeros_like), [_load(item)])
        self._emit(ast.Expr(_call(_attribute(name, "append"), [adjoint])))
        self.holder[var] = name
        self.owned.add(var)

    def _reverse_append(self, stmt):
        """``out.append(v)``: the last adjoint of ``out``'s items is ``v``'s."""
        var = activity.targets(stmt)[0]
        item = stmt.value.args[0]
        part = self.ctx.fresh("_r", numbered=True)
        self._assign(part, _call(_attribute(self.holder[var], "pop"), []))
        if isinstance(item, ast.Name) and item.id in self.active:
            self._accumulate(item.id, _load(part))

    def _may_broadcast(self, atom, args, keywords, ans, kind):
        """Can ``atom`` have a smaller shape than the result of an elementwise operation?
        Not when it is the operation's only array operand (the others are numbers), nor
        when the shape facts prove the shapes equal, nor when the result is a matrix
        product's operand (the product's adjoint helpers sum it back themselves)."""
        if kind == "unpack":
            return True
        others = [a for a in list(args) + list(keywords.values()) if a is not atom]
        if all(isinstance(o, ast.Constant) and type(o.value) in (int, float) for o in others):
            return False
        if self.facts.same(atom.id, ans.id):
            return False
        return atom.id not in self.products

    def _primal(self, value):
        return primal_of(value, self.ctx)

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
        if var in self.lists:  # the adjoint of a list is a list of adjoints
            if var not in self.holder:
                self._assign(name, _call(_load(self.ctx.builtin("list")), [contribution]))
            else:
                self._assign(name, _call(self._helper(runtime.add_items),
                                         [_load(self.holder[var]), contribution]))
            self.holder[var] = name
            self.owned.add(var)
            return
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
        if var in self.lists:
            held = _load(self.holder[var]) if var in self.holder else ast.Constant(None)
            self._assign(name, _call(self._helper(runtime.add_to_item),
                                     [held, _load(var), inline._as_value(clone(index)), _load(g)]))
            self.holder[var] = name
            self.owned.add(var)
            return
        if var not in self.holder:
            self._assign(name, _call(_attribute(np_, "zeros_like"), [_load(var)]))
        elif var not in self.owned:
            self._assign(name, _call(_attribute(np_, "copy"), [_load(self.holder[var])]))
        if self._is_basic(index):
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
            elif isinstance(element, ast.Dict):
                self._accumulate_dict(element, part)

    def _accumulate_dict(self, display, contribution):
        """The adjoint ``contribution`` of a dict display, key by key."""
        if not isinstance(contribution, ast.Name):
            name = self.ctx.fresh("_r", numbered=True)
            self._assign(name, contribution)
            contribution = _load(name)
        for key, item in zip(display.keys, display.values):
            part = ast.Subscript(clone(contribution), clone(key), ast.Load())
            if isinstance(item, ast.Name) and item.id in self.active:
                self._accumulate(item.id, part)
            elif isinstance(item, (ast.List, ast.Tuple)):
                self._accumulate_items(item, part, None)
            elif isinstance(item, ast.Dict):
                self._accumulate_dict(item, part)

    def _is_basic(self, index):
        """Is ``index`` made of constants, slices and integer names only, so that no
        element repeats?"""
        for node in ast.walk(index):
            if isinstance(node, ast.List) or (
                    isinstance(node, ast.Name) and node.id not in self.integers):
                return False
        return True

    def _final(self, param):
        if param in self.ctx.leaves:  # the gradient in the parameter's structure
            leaves = iter([self._final(leaf) for leaf in self.ctx.leaves[param]])
            return structures.display(self.ctx.structures[param], leaves)
        if param in self.holder:
            return _load(self.holder[param])
        return _call(self._helper(runtime.zeros_like), [_load(param)])

    # ----- emitting ----------------------------------------------------------------

    def _assign(self, name, value):
        self._emit(ast.Assign([ast.Name(name, ast.Store())], value))

    def _emit_comment(self, stmt):
        """The comment naming a branch or loop of the user's code, above its adjoint."""
        if stmt.lineno in self.ctx.statements:
            self.out.append(self._at(comment(self.ctx.statements[stmt.lineno]), stmt))
        self.commented = stmt.lineno

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


def primal_of(value, ctx):
    """``(rule key, positional atoms, keyword atoms)`` of a normal-form right-hand side."""
    if isinstance(value, ast.BinOp):
        return type(value.op), [value.left, value.right], {}
    if isinstance(value, ast.UnaryOp):
        return type(value.op), [value.operand], {}
    if isinstance(value, ast.Attribute):
        return registry.Attribute(value.attr), [value.value], {}
    if isinstance(value, ast.Call):
        return (ctx.lookup(value.func), list(value.args),
                {k.arg: k.value for k in value.keywords})
    raise ctx.error(value, f"cannot differentiate {ast.unparse(value)}")


PULLBACK = "__autodiff_ast_pullback__"  # the marker statement of vjp code


def is_view_of_written(stmt, ctx, written):
    """Does ``stmt`` take a view (``y[i]``, ``y.T``, ``np.reshape(y, ...)``) of an array
    that a write changes (one of ``written``), which would change what was read?"""
    kind = normal_form.kind(stmt, ctx)
    if kind == "subscript":
        return stmt.value.value.id in written
    if kind == "attribute":
        return stmt.value.attr == "T" and stmt.value.value.id in written
    if kind == "call" and stmt.value.args and isinstance(stmt.value.args[0], ast.Name):
        try:
            callee = ctx.lookup(stmt.value.func)
        except (AttributeError, TypeError, KeyError):
            return False
        return callee in VIEWS and stmt.value.args[0].id in written
    return False


# NumPy functions that may return a view of their first argument.
VIEWS = {np.reshape, np.ravel, np.transpose, np.swapaxes, np.moveaxis, np.squeeze,
         np.expand_dims, np.asarray, np.broadcast_to, np.diagonal, np.flip, np.real,
         np.atleast_1d, np.atleast_2d, np.atleast_3d}


def _count_while_loops(fn, ctx):
    """Count the iterations of every ``while`` loop (``_n1 = 0`` before it, ``_n1 = _n1 +
    1`` first in its body), so that the adjoint sweep can run them backwards; give
    id(loop) -> the counter's name."""
    counters = {}

    def visit(body):
        out = []
        for stmt in body:
            for field in ("body", "orelse"):
                if getattr(stmt, field, None):
                    setattr(stmt, field, visit(getattr(stmt, field)))
            if isinstance(stmt, ast.While):
                name = counters[id(stmt)] = ctx.fresh("_n", numbered=True)
                out.append(ast.copy_location(_assign_name(name, ast.Constant(0)), stmt))
                step = _assign_name(name, ast.BinOp(_load(name), ast.Add(), ast.Constant(1)))
                stmt.body.insert(0, ast.copy_location(step, stmt))
            out.append(stmt)
        return out

    fn.body = visit(fn.body)
    return counters


def _product_temporaries(fn, ctx):
    """Temporaries read once whose adjoint may be larger than they are (broadcast by a
    later ``+ b``): a matrix product (``_t1 = W @ h``), whose adjoint helpers sum it back
    to the product's shape themselves, and a sum or difference of such temporaries."""
    reads = {}
    for stmt in normal_form.statements(fn.body):
        for name in activity.operands(stmt, ctx):
            reads[name] = reads.get(name, 0) + 1
    found = set()
    changed = True
    while changed:
        changed = False
        for stmt in normal_form.statements(fn.body):
            kind = normal_form.kind(stmt, ctx)
            if kind not in ("binary", "call") or not isinstance(stmt.targets[0], ast.Name):
                continue
            name = stmt.targets[0].id
            if name in found or not name.startswith("_t") or reads.get(name) != 1:
                continue
            value = stmt.value
            product = isinstance(value, ast.BinOp) and isinstance(value.op, ast.MatMult)
            if kind == "call":
                try:
                    product = ctx.lookup(value.func) is np.matmul
                except (AttributeError, TypeError, KeyError):
                    product = False
            passes_on = isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub)) \
                and all(isinstance(o, ast.Name) and o.id in found
                        for o in (value.left, value.right))
            if product or passes_on:
                found.add(name)
                changed = True
    return found


def _exposed(body, ctx):
    """Names ``body`` may read before assigning them (they carry values, and adjoints,
    from one iteration of a loop to the next)."""
    exposed = set()

    def visit(block, assigned):
        assigned = set(assigned)
        for stmt in block:
            if isinstance(stmt, ast.If):
                exposed.update(_names(stmt.test) - assigned)
                after = [visit(stmt.body, assigned), visit(stmt.orelse, assigned)]
                assigned = after[0] & after[1]
            elif isinstance(stmt, (ast.For, ast.While)):
                head = stmt.iter if isinstance(stmt, ast.For) else stmt.test
                exposed.update(_names(head) - assigned)
                inner = set(assigned) | ({stmt.target.id} if isinstance(stmt, ast.For) else set())
                visit(stmt.body, inner)
            else:
                exposed.update(set(activity.operands(stmt, ctx)) - assigned)
                assigned |= set(activity.targets(stmt)) - set(activity.operands(stmt, ctx))
        return assigned

    visit(body, set())
    return exposed


def _names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _assign_name(name, value):
    return ast.Assign([ast.Name(name, ast.Store())], value)


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


def _allocates(expr):
    """Does evaluating ``expr`` surely give a new array (or an immutable scalar)?"""
    return isinstance(expr, (ast.BinOp, ast.UnaryOp))


def _load(name):
    return ast.Name(name, ast.Load())


def _call(func, args):
    return ast.Call(func, args, [])


def _attribute(name, attr):
    return ast.Attribute(_load(name), attr, ast.Load())
