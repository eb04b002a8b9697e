"""Pass 9 of ``vjp``: split the gradient code into the forward sweep and a pullback.

Takes the simplified gradient ``FunctionDef`` of ``vjp`` mode (the forward sweep, the
marker statement ``reverse`` left where the adjoint sweep starts, the adjoint sweep,
``return (out, grads)``); gives the function that runs the forward sweep and returns
``(out, pullback)``, where ``pullback(dout)`` is a function defined inside it holding
the adjoint sweep. The pullback reads the forward values it needs from the enclosing
function (a closure), so the forward sweep runs once however many cotangents are pulled
back (a Jacobian in reverse mode pulls back one per output element). A value the
adjoint sweep rebinds (a value restored from a stack) is a parameter of the pullback
with the forward value as its default, and a list or array it changes in place (a stack
it pops) is copied first, so that every call starts from the same forward state.

Before::

    def f(x, dout=1.0):
        y = np.sin(x)
        __autodiff_ast_pullback__()
        dx = dout * np.cos(x)
        return (y, dx)

After::

    def f(x):
        y = np.sin(x)

        def pullback(dout):
            dx = dout * np.cos(x)
            return dx
        return (y, pullback)
"""

from __future__ import annotations

import ast
import sys

from .normal_form import statements
from .reverse import PULLBACK, parameter_names


def split(fn, ctx):
    """Move the adjoint sweep of ``fn`` into a ``pullback`` closure; see the docstring."""
    marker = next(i for i, stmt in enumerate(fn.body) if _is_marker(stmt))
    forward, backward = fn.body[:marker], fn.body[marker + 1:]
    ret = backward.pop()
    value, grads = ret.value.elts
    seed = ctx.seed
    args = fn.args
    for params, defaults in ((args.args, args.defaults), (args.kwonlyargs, args.kw_defaults)):
        for i, arg in enumerate(params):
            if arg.arg == seed:
                del params[i]
                if params is args.args:
                    del defaults[len(defaults) - (len(params) + 1 - i)]
                else:
                    del defaults[i]
                break
    bound = set(parameter_names(fn)) | _assigned(forward)
    rebound = _assigned(backward) & _exposed(backward + [ret]) & bound
    changed = _changed_in_place(backward) & bound
    kept = sorted(rebound | changed)
    name = ctx.fresh("pullback")
    copies = [ast.Assign([ast.Name(n, ast.Store())],
                         ast.Call(ast.Attribute(ast.Name(n, ast.Load()), "copy", ast.Load()), [],
                                  []))
              for n in sorted(changed)]
    pullback = ast.FunctionDef(
        name=name,
        args=ast.arguments(posonlyargs=[], args=[ast.arg(seed)] + [ast.arg(n) for n in kept],
                           vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                           defaults=[ast.Name(n, ast.Load()) for n in kept]),
        body=copies + backward + [ast.Return(grads)], decorator_list=[], returns=None)
    if sys.version_info >= (3, 12):
        pullback.type_params = []
    for stmt in [pullback] + copies:
        ast.copy_location(stmt, ret)
    out = ast.copy_location(ast.Return(ast.Tuple([value, ast.Name(name, ast.Load())],
                                                 ast.Load())), ret)
    fn.body = forward + [pullback, out]
    return fn


def _is_marker(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == PULLBACK)


def _assigned(body):
    names = set()
    for stmt in statements(body):
        if isinstance(stmt, ast.For):
            names |= _targets(stmt.target)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                names |= _targets(target)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            names.add(stmt.target.id)
    return names


def _exposed(body, assigned=frozenset()):
    """Names ``body`` may read before it assigns them (``h`` in ``dx = dh * h`` before
    ``h = saved_h.pop()``)."""
    exposed, assigned = set(), set(assigned)
    for stmt in body:
        if isinstance(stmt, ast.If):
            exposed |= _loads(stmt.test) - assigned
            exposed |= _exposed(stmt.body, assigned) | _exposed(stmt.orelse, assigned)
            continue  # what a branch assigns may be unassigned after the if
        if isinstance(stmt, (ast.For, ast.While)):
            head = stmt.iter if isinstance(stmt, ast.For) else stmt.test
            exposed |= _loads(head) - assigned
            inner = assigned | (_targets(stmt.target) if isinstance(stmt, ast.For) else set())
            exposed |= _exposed(stmt.body, inner)
            continue
        exposed |= _loads(stmt) - assigned
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                assigned |= _targets(target)
    return exposed


def _loads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _targets(target):
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_targets(e) for e in target.elts))
    return set()


def _changed_in_place(body):
    """Names whose list or array the statements change: ``y[i] = v``, ``y[i] += v``,
    ``s.pop()``, ``s.append(v)``, ``np.add.at(y, i, v)``."""
    names = set()
    for stmt in statements(body):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AugAssign) else [])
        for target in targets:
            if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                names.add(target.value.id)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                if node.func.attr in ("pop", "append") and isinstance(receiver, ast.Name):
                    names.add(receiver.id)
                elif node.func.attr == "at" and node.args and isinstance(node.args[0], ast.Name):
                    names.add(node.args[0].id)
    return names
