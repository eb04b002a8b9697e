"""Pass 5, normalize: one operation per statement (see ``normal_form``).

Takes the structured ``FunctionDef``; gives an equivalent one in normal form. Nested
expressions are flattened into temporaries ``_t1, _t2, ...`` evaluated in Python's
order (``a and b`` and ``a if c else b`` become ``if`` statements, so that only the
operands Python evaluates are evaluated); ``return expr`` returns a new name ``out``.
A name assigned only in straight-line code at the top of the function gets a new
version each time (``h``, then ``h_1``), so that no value an adjoint needs is
overwritten there; names assigned in branches and loops keep their names (the reverse
pass saves what they overwrite). A ``while`` test is computed before the loop and again
at the end of its body. Every new statement keeps the line of the user's statement it
came from, for comments and error messages.

>>> import numpy as np
>>> from autodiff_ast.source import read
>>> from autodiff_ast.resolve import resolve
>>> def f(x, y, z):
...     q = x + y
...     q = q * np.exp(-z)
...     return np.sum(q ** 2)
>>> fn, ctx = read(f)
>>> print(ast.unparse(normalize(resolve(fn, ctx), ctx)))
def f(x, y, z):
    q = x + y
    _t1 = -z
    _t2 = np.exp(_t1)
    q_1 = q * _t2
    _t3 = q_1 ** 2
    out = np.sum(_t3)
    return out
"""

from __future__ import annotations

import ast

import inspect

from . import expansion, normal_form
from . import source as source_pass
from .astutil import clone, literal, local_names
from .errors import AutodiffError, MissingRuleError
from .rules import registry
from .structure import structure
from .structures import display, leaf_names


def normalize(fn, ctx):
    """Flatten ``fn`` into normal form; see the module docstring."""
    return _Normalizer(fn, ctx).run()


class _Normalizer:
    def __init__(self, fn, ctx):
        self.fn, self.ctx = fn, ctx
        self.version = {a.arg: a.arg for a in _all_args(fn.args)}
        self.fixed = _fixed_names(fn)  # names that keep their name (never versioned)
        self.displays = {}  # name -> the list/tuple display of atoms it holds
        # a name kept in loops and branches (fixed) holding a tuple of atoms, read as
        # that tuple until the end of its block or until it or an atom is assigned again
        self.transient = {}
        self.local = {}     # functions defined in the function: name -> FunctionDef
        self.inlining = []  # the functions being inlined, to report recursion
        self.sizes = {}     # function -> statements inlining it makes (expansion.estimate)
        self.depth = -1     # how many branches and loops enclose the current block
        self.out: list[ast.stmt] = []
        self.origin = None

    def run(self):
        bindings = self.bind_leaves()
        self.fn.body = bindings + self.block(self.fn.body)
        return self.fn

    def bind_leaves(self):
        """For a parameter that is a dict, list or tuple of arrays: a name bound to each
        leaf at the start (``params_W = params['W']``), and the parameter read as the
        display of those names, so ``params['W']`` is ``params_W``."""
        out = []
        for param, layout in getattr(self.ctx, "structures", {}).items():
            if layout is None:
                continue
            named = leaf_names(self.ctx, param, layout)
            self.ctx.leaves[param] = [leaf for leaf, _ in named]
            origin = self.fn.body[0]
            for leaf, path in named:
                value = param
                for key in path[:-1]:
                    temp = self.ctx.temp()
                    out.append(_assign(temp, ast.Subscript(
                        ast.Name(value, ast.Load()), ast.Constant(key), ast.Load()), origin))
                    value = temp
                out.append(_assign(leaf, ast.Subscript(
                    ast.Name(value, ast.Load()), ast.Constant(path[-1]), ast.Load()), origin))
            self.displays[param] = display(layout, iter(self.ctx.leaves[param]))
            self.fixed.discard(param)
        for stmt in out:
            for node in ast.walk(stmt):
                if isinstance(node, ast.expr):
                    ast.copy_location(node, stmt)
        return out

    def block(self, body):
        """The normal form of a list of statements, as a new list."""
        saved_out, saved_origin = self.out, self.origin
        self.out = []
        self.depth += 1
        self.transient = {}  # what held before a loop's body may not hold in its next run
        for stmt in body:
            self.origin = stmt
            self.statement(stmt)
        self.depth -= 1
        self.transient = {}  # nor after a branch or a loop
        result, self.out, self.origin = self.out, saved_out, saved_origin
        return result

    # ----- statements ----------------------------------------------------------------

    def emit(self, stmt):
        """Append ``stmt`` at the user's statement's line; expressions that came from the
        user's code keep their own columns (for carets in error messages)."""
        self.out.append(ast.copy_location(stmt, self.origin))
        for node in ast.walk(stmt):
            if isinstance(node, ast.expr) and not hasattr(node, "lineno"):
                ast.copy_location(node, self.origin)

    def statement(self, stmt):
        if isinstance(stmt, ast.FunctionDef):
            self.local[stmt.name] = stmt
            self.emit(clone(stmt))  # kept too, for a use as a value (gradient_hook(x, f))
            return
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Lambda):
            lam = stmt.value
            self.local[stmt.targets[0].id] = ast.copy_location(ast.FunctionDef(
                stmt.targets[0].id, lam.args, [ast.copy_location(ast.Return(lam.body), lam)],
                [], None), stmt)
            self.emit(clone(stmt))
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and _is_pop(stmt.value) \
                and isinstance(stmt.targets[0], ast.Name):
            receiver = stmt.value.func.value.id
            receiver = self.version.get(receiver, receiver)
            target = self.store(stmt.targets[0].id)
            self.emit(ast.Assign([ast.Name(target, ast.Store())], ast.Call(
                ast.Attribute(ast.Name(receiver, ast.Load()), "pop", ast.Load()), [], [])))
            return
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
            target = stmt.targets[0]
            value = self.expression(stmt.value)
            self.store_item(target, value)
            for other in stmt.targets[1:]:
                self.bind_copy(other, value)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Subscript):
            base, index = self.item_of(stmt.target)
            current = self.operation(ast.Subscript(base, index, ast.Load()))
            value = self.operation(ast.BinOp(current, stmt.op, stmt.value))
            self.emit(ast.Assign([ast.Subscript(clone(base), clone(index), ast.Store())], value))
        elif isinstance(stmt, ast.Assign):
            self.assign(stmt.targets, stmt.value)
        elif isinstance(stmt, ast.If):
            test = self.condition(stmt.test)
            self.emit(ast.If(test, self.block(stmt.body) or [ast.Pass()],
                             self.block(stmt.orelse)))
        elif isinstance(stmt, ast.For):
            bounds = self.call(stmt.iter)
            self.emit(ast.For(ast.Name(stmt.target.id, ast.Store()), bounds,
                              self.block(stmt.body) or [ast.Pass()], []))
        elif isinstance(stmt, ast.While):
            test = self.condition(stmt.test)
            body = self.block(stmt.body)
            saved, self.out = self.out, body
            again = self.condition(stmt.test, into=test.id if isinstance(test, ast.Name) else None)
            self.out = saved
            if isinstance(test, ast.Name) and (not isinstance(again, ast.Name)
                                               or again.id != test.id):
                body.append(ast.copy_location(
                    ast.Assign([ast.Name(test.id, ast.Store())], again), stmt))
            self.emit(ast.While(test, body or [ast.Pass()], []))
        elif isinstance(stmt, ast.Expr) and _is_append(stmt.value):
            item = self.expression(stmt.value.args[0])
            target = stmt.value.func.value.id
            self.emit(ast.Expr(ast.Call(ast.Attribute(ast.Name(target, ast.Load()), "append",
                                                      ast.Load()), [item], [])))
        elif isinstance(stmt, ast.Return):
            value = self.expression(stmt.value) if isinstance(stmt.value, ast.Name) else None
            if not isinstance(value, ast.Name):
                value = self.operation(stmt.value, name_hint="out")
            self.emit(ast.Return(value))
        elif isinstance(stmt, ast.Expr) and _is_pop(stmt.value):
            # the item is kept in a name: reverse mode pushes it back
            receiver = stmt.value.func.value.id
            receiver = self.version.get(receiver, receiver)
            self.emit(ast.Assign([ast.Name(self.ctx.temp(), ast.Store())], ast.Call(
                ast.Attribute(ast.Name(receiver, ast.Load()), "pop", ast.Load()), [], [])))
        elif isinstance(stmt, (ast.Expr, ast.Assert)):
            self.emit(_Rename(self.version).visit(stmt))
        elif isinstance(stmt, ast.Pass):
            pass
        else:  # the fence let nothing else through
            raise self.ctx.error(stmt, f"{type(stmt).__name__} is not supported")

    def assign(self, targets, value):
        first = targets[0]
        if isinstance(first, ast.Name):
            result = self.operation(value, target=first.id)
        elif self._returns_tuple(value, len(first.elts)):
            call = self.call(value)
            names = [self.store(t.id) for t in first.elts]
            self.emit(ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names],
                                            ast.Store())], call))
            result = ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())
        else:
            result = self.unpack(first, value)
        for target in targets[1:]:
            self.bind_copy(target, result)

    def unpack(self, target, value):
        """``a, b = value``: parallel assignment from a display, else element by element."""
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            atoms = [self.expression(e) for e in value.elts]
            atoms = [self.temp_copy(a) if isinstance(a, ast.Name) else a for a in atoms]
        else:
            source = self.expression(value)
            if isinstance(source, (ast.Tuple, ast.List)) and len(source.elts) == len(target.elts):
                atoms = list(source.elts)  # a tuple a function returned, held as a display
            else:
                if not isinstance(source, ast.Name):
                    source = self.temp_copy(source)
                atoms = [self.subscript_of(source, i) for i in range(len(target.elts))]
        for element, atom in zip(target.elts, atoms):
            self.bind_copy(element, atom)
        return ast.Tuple(atoms, ast.Load())

    def bind_copy(self, target, atom):
        if isinstance(target, ast.Name):
            name = self.store(target.id)
            if isinstance(atom, ast.Name) and atom.id in self.local:
                self.local[name] = self.local[atom.id]  # value, pullback = vjp_f(x)
            if name not in self.fixed and isinstance(atom, (ast.Tuple, ast.List, ast.Dict)):
                self.displays[name] = atom  # ``v, d = f(x)`` with ``d`` a tuple: ``d[0]``
            self.emit(ast.Assign([ast.Name(name, ast.Store())], atom))
        else:
            self.unpack(target, atom)

    def subscript_of(self, source, i):
        name = self.ctx.temp()
        self.emit(ast.Assign([ast.Name(name, ast.Store())],
                             ast.Subscript(ast.Name(source.id, ast.Load()), ast.Constant(i),
                                           ast.Load())))
        return ast.Name(name, ast.Load())

    def temp_copy(self, atom):
        name = self.ctx.temp()
        self.emit(ast.Assign([ast.Name(name, ast.Store())], atom))
        return ast.Name(name, ast.Load())

    def store(self, name):
        """The name under which a new assignment to the user's ``name`` is stored."""
        for held, value in list(self.transient.items()):
            if held == name or any(isinstance(e, ast.Name) and e.id == name
                                   for e in value.elts):
                del self.transient[held]
        if name in self.fixed or name not in self.version:
            self.version[name] = name
            return name
        self.version[name] = new = self.ctx.fresh(name)
        return new

    def item_of(self, target):
        """``(base name, index atoms)`` of a subscript target."""
        base = self.expression(target.value)
        return ast.Name(base.id, ast.Load()), self.index(target.slice)

    def store_item(self, target, value):
        base, index = self.item_of(target)
        self.emit(ast.Assign([ast.Subscript(base, index, ast.Store())], value))

    def condition(self, test, into=None):
        """An atom holding the truth of ``test`` (``and``/``or`` evaluated lazily)."""
        if isinstance(test, ast.BoolOp):
            name = into or self.ctx.temp()
            first = self.expression(test.values[0])
            self.emit(ast.Assign([ast.Name(name, ast.Store())], first))
            rest = test.values[1:]
            if rest:
                remaining = ast.BoolOp(test.op, rest) if len(rest) > 1 else rest[0]
                saved, self.out = self.out, []
                value = self.condition(remaining, into=name)
                if not (isinstance(value, ast.Name) and value.id == name):
                    self.emit(ast.Assign([ast.Name(name, ast.Store())], value))
                branch, self.out = self.out, saved
                check = ast.Name(name, ast.Load())
                if isinstance(test.op, ast.Or):
                    check = self.operation(ast.UnaryOp(ast.Not(), check))
                self.emit(ast.If(check, branch, []))
            return ast.Name(name, ast.Load())
        if into is not None and not isinstance(test, (ast.Name, ast.Constant)):
            value = self._tuple_values(test) or ast.copy_location(self.one_operation(test), test)
            self.emit(ast.Assign([ast.Name(into, ast.Store())], value))
            return ast.Name(into, ast.Load())
        return self.expression(test)

    # ----- expressions ---------------------------------------------------------------

    def operation(self, expr, target=None, name_hint=None):
        """Emit ``target = <one operation>`` computing ``expr``; return the target Name.

        A list or tuple of atoms held in a name (``xs = [x, y]``, or the values of a call
        returning a tuple, ``r = np.linalg.slogdet(A)``) is remembered, and later reads
        of the name read the elements (``np.stack(xs)`` is ``np.stack([x, y])``, ``r[1]``
        is the second value), so gradients flow to each element."""
        if isinstance(expr, ast.IfExp):
            return self.choice(expr, target, name_hint)
        value = self._tuple_values(expr) or ast.copy_location(self.one_operation(expr), expr)
        if target is None and name_hint is None and isinstance(value, ast.Name):
            return value  # already an atom (an element of a display): no copy
        if target is not None and target in self.fixed and any(
                isinstance(n, ast.Name) and n.id == target for n in ast.walk(value)):
            # ``x = x * x`` in a loop: the adjoint needs the old and the new x, so the new
            # value is computed into a temporary first.
            value = self.operation(value)
        if target is not None:
            name = self.store(target)
        else:
            name = self.ctx.fresh(name_hint) if name_hint else self.ctx.temp()
        if name not in self.fixed and (isinstance(value, (ast.Tuple, ast.List, ast.Dict)) or (
                isinstance(value, ast.Constant) and isinstance(value.value, str))):
            self.displays[name] = value  # a string too: a dict's key (params[key])
        elif name in self.fixed and isinstance(value, ast.Tuple) and all(
                isinstance(e, (ast.Name, ast.Constant)) for e in value.elts):
            self.transient[name] = value  # (a, b) of a function inlined in a loop
        self.emit(ast.Assign([ast.Name(name, ast.Store())], value))
        return ast.Name(name, ast.Load())

    def choice(self, expr, target, name_hint):
        """``a if c else b``: an ``if`` statement assigning one of them."""
        test = self.condition(expr.test)
        name = self.store(target) if target is not None else (
            self.ctx.fresh(name_hint) if name_hint else self.ctx.temp())
        self.fixed.add(name)
        branches = []
        for branch in (expr.body, expr.orelse):
            saved, self.out = self.out, []
            value = self.expression(branch)
            self.emit(ast.Assign([ast.Name(name, ast.Store())], value))
            branches.append(self.out)
            self.out = saved
        self.emit(ast.If(test, branches[0], branches[1]))
        return ast.Name(name, ast.Load())

    def expression(self, expr):
        """An atom with the value of ``expr``, emitting statements for its operations."""
        if isinstance(expr, ast.Name):
            name = self.version.get(expr.id, expr.id)
            if name in self.displays:
                return clone(self.displays[name])
            if name in self.transient:
                return clone(self.transient[name])
            return ast.Name(name, ast.Load())
        if isinstance(expr, ast.Constant):
            return expr
        folded = _fold_number(expr)
        if folded is not None:
            return folded
        if isinstance(expr, (ast.Tuple, ast.List)):
            return type(expr)([self.expression(e) for e in expr.elts], ast.Load())
        if isinstance(expr, ast.Dict):
            return ast.Dict([self.expression(k) for k in expr.keys],
                            [self.expression(v) for v in expr.values])
        if isinstance(expr, ast.Attribute) and normal_form.is_reference(expr, self.ctx):
            return expr
        result = self.operation(expr)
        return clone(self.displays[result.id]) if result.id in self.displays else result

    def one_operation(self, expr):
        """``expr`` with its operands turned into atoms: a normal-form right-hand side."""
        folded = _fold_number(expr)
        if folded is not None:
            return folded
        if isinstance(expr, ast.BinOp):
            left = self.expression(expr.left)
            return ast.BinOp(left, expr.op, self.expression(expr.right))
        if isinstance(expr, ast.UnaryOp):
            return ast.UnaryOp(expr.op, self.expression(expr.operand))
        if isinstance(expr, ast.Compare):
            left = self.expression(expr.left)
            return ast.Compare(left, expr.ops, [self.expression(c) for c in expr.comparators])
        if isinstance(expr, ast.BoolOp):
            return self.condition(expr)
        if isinstance(expr, ast.Call):
            inlined = self.inline(expr)
            return inlined if inlined is not None else self.call(expr)
        if isinstance(expr, ast.Subscript):
            value = self.expression(expr.value)
            index = self.index(expr.slice)
            if isinstance(value, (ast.Tuple, ast.List)) and isinstance(index, ast.Constant) \
                    and type(index.value) is int:
                try:
                    return value.elts[index.value]
                except IndexError:
                    raise self.ctx.error(expr, "index out of range") from None
            if isinstance(value, ast.Dict):
                keys = [k.value if isinstance(k, ast.Constant) else None for k in value.keys]
                have = ", ".join(repr(k) for k in keys)
                if not isinstance(index, ast.Constant):
                    raise self.ctx.error(expr, f"a dict of arrays is read with a key known "
                                               f"when the code is compiled (a string, or a "
                                               f"loop over a tuple of strings: for key in "
                                               f"('W1', 'W2')), not with a computed key; its "
                                               f"keys are {have}")
                if index.value not in keys:
                    raise self.ctx.error(expr, f"the dict has no key {index.value!r}; its keys "
                                               f"are {have}")
                return value.values[keys.index(index.value)]
            if not isinstance(value, ast.Name):
                value = self.temp_copy(value)
            return ast.Subscript(value, index, ast.Load())
        if isinstance(expr, ast.Attribute):
            if normal_form.is_reference(expr, self.ctx):
                return expr
            value = self.expression(expr.value)
            if not isinstance(value, ast.Name):
                value = self.temp_copy(value)
            return ast.Attribute(value, expr.attr, ast.Load())
        return self.expression(expr)

    def call(self, expr):
        func = expr.func
        args = [self.expression(a) for a in expr.args]
        keywords = [ast.keyword(k.arg, self.expression(k.value)) for k in expr.keywords]
        if any(isinstance(a, ast.Dict) for a in args + [k.value for k in keywords]):
            raise self.ctx.error(expr, "a dict of arrays can be read by its keys (params['W']) "
                                       "or passed to your own functions, not to other calls")
        return ast.Call(func, args, keywords)

    # ----- calls of the user's functions: inlined ---------------------------------------

    def inline(self, call):
        """For a call of one of the user's Python functions, or of a function defined in
        the differentiated one: emit its statements here (its names renamed, its
        parameters bound to the call's arguments) and give the atom holding its result.
        ``None`` for any other call."""
        found = self._user_function(call)
        if found is None:
            return None
        fn, function, ctx = found
        key = function if function is not None else self.local.get(call.func.id)
        if any(k is key for k in self.inlining):
            name = getattr(function, "__qualname__", getattr(call.func, "id", "function"))
            raise self.ctx.error(call, f"{name} calls itself (recursion), which is not "
                                       f"supported: write the recursion as a loop")
        fn = structure(fn, ctx)
        bound = self._bind(fn, function, call)
        # a parameter the function never assigns reads the argument itself
        stored = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}
        direct = {name: atom for name, atom in bound.items()
                  if name not in stored and _is_atom_or_display(atom)}
        # the callee's own names first, so that an argument that happens to have the name
        # of one of them (generated code's _t1 passed into generated code) is not renamed
        renames = {name: self.ctx.fresh(name)
                   for name in sorted(local_names(fn) - set(direct))}
        fn = _Rename(renames).visit(fn)
        fn = _Substitute(direct).visit(fn)
        fixed = _fixed_names(fn) if self.depth <= 0 else set(renames.values())
        self.fixed |= fixed | {renames[name] for name in bound if name not in direct}
        for name, atom in bound.items():
            if name not in direct:
                self.version[renames[name]] = renames[name]
                self.emit(ast.Assign([ast.Name(renames[name], ast.Store())], atom))
        saved_local, saved_origin = dict(self.local), self.origin
        self.inlining.append(key)
        try:
            for stmt in fn.body[:-1]:
                self.origin = stmt
                self.statement(stmt)
            self.origin = fn.body[-1]
            result = self.expression(fn.body[-1].value)
            # a function defined in the callee and returned (vjp code's pullback) stays
            # callable by the caller (its name is a fresh one)
            escaping = {n.id: self.local[n.id] for n in ast.walk(result)
                        if isinstance(n, ast.Name) and n.id in self.local}
        finally:
            self.inlining.pop()
            self.local, self.origin = saved_local, saved_origin
        self.local.update(escaping)
        return result

    def _user_function(self, call):
        """``(FunctionDef, function or None, its context)`` of a call to inline."""
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.local:
            return clone(self.local[func.id]), None, self.ctx
        if not (isinstance(func, (ast.Name, ast.Attribute))
                and normal_form.is_reference(func, self.ctx)):
            return None
        try:
            function = _inlinable(self.ctx.lookup(func))
        except (AttributeError, KeyError, TypeError):
            return None
        if function is None:
            return None
        size = expansion.estimate(function, _inlinable, self.sizes)
        if size > expansion.LIMIT:
            raise self.ctx.error(
                call, f"inlining {function.__qualname__} would generate more than "
                      f"{expansion.LIMIT:,} statements (about {size:,}: its calls of other "
                      f"functions, and theirs, are each inlined where they are made). Call "
                      f"the helpers fewer times (compute a shared value once), or give "
                      f"{function.__qualname__} a derivative rule of its own: "
                      f"@autodiff_ast.adjoint({function.__qualname__})")
        from . import desugar as desugar_pass, fence, resolve as resolve_pass

        try:
            fn, child = source_pass.read(function, parent=self.ctx)
            fence.check(fn, child)
            fn = resolve_pass.resolve(fn, child)
            fn = desugar_pass.desugar(fn, child)
        except AutodiffError as error:
            if not function.__module__.startswith("autodiff_ast.rules."):
                raise
            name = f"{function.__module__}.{function.__qualname__}"
            raise self.ctx.error(
                call, f"{name}, which gradient code calls (a derivative rule run when an "
                      f"argument such as an axis, an order or einsum's subscripts is known "
                      f"only then, or a helper of one), cannot be differentiated again: "
                      f"{error}. Write such arguments as constants in the differentiated "
                      f"function, or register a rule: @autodiff_ast.adjoint({name})",
                MissingRuleError) from None
        return fn, function, child

    def _bind(self, fn, function, call):
        """parameter name -> the atom it is bound to at this call."""
        params = _all_args(fn.args)
        positional = fn.args.posonlyargs + fn.args.args
        if len(call.args) > len(positional):
            raise self.ctx.error(call, f"{fn.name} takes {len(positional)} positional "
                                       f"arguments but {len(call.args)} were given")
        bound = {p.arg: self._argument(a) for p, a in zip(positional, call.args)}
        for keyword in call.keywords:
            if keyword.arg not in {p.arg for p in params} or keyword.arg in bound:
                raise self.ctx.error(call, f"{fn.name} got an unexpected keyword argument "
                                           f"{keyword.arg!r}")
            bound[keyword.arg] = self._argument(keyword.value)
        defaults = _defaults(fn, function)
        for param in params:
            if param.arg not in bound:
                if param.arg not in defaults:
                    raise self.ctx.error(call, f"{fn.name} is missing the argument "
                                               f"{param.arg!r}")
                bound[param.arg] = self._default_atom(defaults[param.arg], fn.name, param.arg)
        return bound

    def _argument(self, node):
        """The atom an argument is bound to: a reference to a function or module
        (``helper(x, np.sin)``) stays a reference, so that the callee's calls of its
        parameter are calls of that function; anything else is evaluated."""
        if isinstance(node, (ast.Name, ast.Attribute)) \
                and normal_form.is_reference(node, self.ctx):
            try:
                value = self.ctx.lookup(node)
            except (AttributeError, KeyError, TypeError):
                value = None
            if callable(value):
                return clone(node)
        return self.expression(node)

    def _default_atom(self, value, function_name, param):
        if isinstance(value, ast.AST):  # a function defined inside: its default expression
            return self.expression(value)
        if value is None or isinstance(value, (bool, int, float, str)):
            return ast.Constant(value)
        return ast.Name(self.ctx.bind(value, f"{function_name}_{param}"), ast.Load())

    def index(self, node):
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.expression(p)
                     for p in (node.lower, node.upper, node.step)]
            return ast.Slice(*parts)
        if isinstance(node, ast.Tuple):
            return ast.Tuple([self.index(e) for e in node.elts], ast.Load())
        return self.expression(node)

    # ----- calls that return tuples ----------------------------------------------------

    def _returns_tuple(self, value, n):
        if not isinstance(value, ast.Call) or not normal_form.is_reference(value.func, self.ctx):
            return False
        return self._output_count(value) in (n, registry.SEQUENCE)

    def _output_count(self, call):
        """How many values the call returns as a tuple or list, ``SEQUENCE`` if that is
        decided at run time, or 0 for a single value."""
        rule = registry.lookup(self.ctx.lookup(call.func))
        if rule is None:
            return 0
        if callable(rule.outputs):
            args = [_partly_literal(a) for a in call.args]
            kwargs = {k.arg: _partly_literal(k.value) for k in call.keywords}
            return rule.outputs(*args, **kwargs) or registry.SEQUENCE
        return rule.outputs

    def _tuple_values(self, expr):
        """For a call of a function returning a tuple: emit ``_t1, _t2 = f(...)`` and give
        the display ``(_t1, _t2)``."""
        if not isinstance(expr, ast.Call) or not normal_form.is_reference(expr.func, self.ctx):
            return None
        count = self._output_count(expr)
        if not count or count <= 0:
            return None
        names = [self.ctx.temp() for _ in range(count)]
        self.emit(ast.Assign([ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())],
                             self.call(expr)))
        return ast.Tuple([ast.Name(n, ast.Load()) for n in names], ast.Load())


def _partly_literal(node):
    """What is known of an argument's value when the code is generated: a constant, a
    list or tuple display of such values (``None`` for an element that is not one, so
    that its length is known), or ``None``."""
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_partly_literal(e) for e in node.elts]
        return values if isinstance(node, ast.List) else tuple(values)
    return literal(node)


def _is_pop(call):
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "pop" and isinstance(call.func.value, ast.Name)
            and not call.args and not call.keywords)


def _assign(name, value, origin):
    return ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), origin)


def _is_atom_or_display(node):
    """A name, a constant, a reference (``np.sin``), or a dict/list/tuple display of
    those (a structure)."""
    if isinstance(node, (ast.Name, ast.Constant, ast.Attribute)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_atom_or_display(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_atom_or_display(k) and _is_atom_or_display(v)
                   for k, v in zip(node.keys, node.values))
    return False


class _Substitute(ast.NodeTransformer):
    """Loads of names replaced by atoms (an inlined function's parameters by the
    arguments of the call)."""

    def __init__(self, atoms):
        self.atoms = atoms

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.atoms:
            return ast.copy_location(clone(self.atoms[node.id]), node)
        return node

    def visit_arguments(self, node):
        kept = [a for a in node.posonlyargs + node.args + node.kwonlyargs
                if a.arg not in self.atoms]
        return ast.arguments([], kept, None, [], [], None, [])


class _Rename(ast.NodeTransformer):
    """Names renamed: with a version map, loads read the current version; with a map of
    an inlined function's names, every use, store, parameter and nested def renamed."""

    def __init__(self, version):
        self.version = version

    def visit_Name(self, node):
        if (isinstance(node.ctx, ast.Load) or self.version is not None) \
                and node.id in self.version:
            return ast.copy_location(ast.Name(self.version[node.id], node.ctx), node)
        return node

    def visit_arg(self, node):
        if node.arg in self.version:
            node.arg = self.version[node.arg]
        return node

    def visit_FunctionDef(self, node):
        node.name = self.version.get(node.name, node.name)
        self.generic_visit(node)
        return node


def _fold_number(expr):
    """``-2.0`` (a negated literal) as one constant."""
    if (isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd))
            and isinstance(expr.operand, ast.Constant)
            and isinstance(expr.operand.value, (int, float))
            and not isinstance(expr.operand.value, bool)):
        value = expr.operand.value
        return ast.Constant(-value if isinstance(expr.op, ast.USub) else value)
    return None


# Modules whose functions are library code: called as they are (with a rule, or reported
# when a gradient flows into them), never inlined.
LIBRARIES = {"numpy", "scipy", "sklearn", "pandas", "torch", "jax", "autograd", "math",
             "builtins", "autodiff_ast"}


def _inlinable(value):
    """The user's function that a call of ``value`` inlines (generated code's own
    function for a transform such as ``grad(f)``), else ``None``."""
    function = source_pass.generated_code_of(value)
    if not inspect.isfunction(function) or registry.lookup(function) is not None \
            or registry.is_nondifferentiable(function) or _library(function):
        return None
    return function


def _library(function):
    module = getattr(function, "__module__", None) or ""
    if module == "autodiff_ast.generated":
        return False  # generated gradient code (a call of grad(f) inside the function)
    if module.startswith("autodiff_ast.rules."):
        # a rule that generated code calls at run time (its arguments known only then)
        # and that has no rule of its own: differentiated from its source, like the
        # user's functions, when that generated code is differentiated again
        return False
    module = (getattr(function, "__module__", None) or "").split(".")[0]
    filename = getattr(getattr(function, "__code__", None), "co_filename", "")
    return module in LIBRARIES or "site-packages" in filename or "dist-packages" in filename


def _defaults(fn, function):
    """parameter name -> default (a value for a module's function, an expression for a
    function defined inside the differentiated one)."""
    if function is not None:
        import inspect as _inspect

        signature = _inspect.signature(function, follow_wrapped=False)  # a wrapper's own
        return {name: p.default for name, p in signature.parameters.items()
                if p.default is not _inspect.Parameter.empty}
    positional = fn.args.posonlyargs + fn.args.args
    found = dict(zip([p.arg for p in positional[len(positional) - len(fn.args.defaults):]],
                     fn.args.defaults))
    found.update({p.arg: d for p, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults)
                  if d is not None})
    return found


def _is_append(call):
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr == "append" and isinstance(call.func.value, ast.Name))


def _fixed_names(fn):
    """Names assigned inside a branch or loop, loop variables, and names whose contents
    are changed (``y[i] = v``, ``out.append(v)``, ``out.pop()``): these keep their names
    (and a list that changes is never read as the display it was made from)."""
    fixed = set()
    for stmt in fn.body:
        if isinstance(stmt, (ast.If, ast.For, ast.While)):
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    fixed.add(node.id)
    for node in ast.walk(fn):
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            fixed.add(node.value.id)
        elif isinstance(node, ast.Call) and (_is_append(node) or _is_pop(node)):
            fixed.add(node.func.value.id)
    return fixed


def _all_args(args):
    return args.posonlyargs + args.args + args.kwonlyargs
