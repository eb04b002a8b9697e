"""Pass 3, resolve: name every free variable of the function in the generated namespace.

Takes the fenced ``FunctionDef``; gives it with every reference to a module, function or
global value rewritten to a name of ``ctx.namespace``: NumPy functions become ``np.<name>``
whatever alias or ``from numpy import`` the user wrote, other callables keep their names
(made unique), and global data (constants, arrays) stays by name and is re-read at each
call. A name that is not defined, or a call to a Python function that has no rule (until
calls into user code are supported), is a located error.

>>> import numpy as onp
>>> from numpy import exp
>>> from autodiff_ast.source import read
>>> def f(x):
...     return onp.sum(exp(x))
>>> fn, ctx = read(f)
>>> print(ast.unparse(resolve(fn, ctx)))
def f(x):
    return np.sum(np.exp(x))
"""

from __future__ import annotations

import ast
import builtins
import types

from .astutil import local_names
from .captured import ABSENT


def resolve(fn, ctx):
    """Rewrite free names of ``fn`` to names of ``ctx.namespace``; see the module docstring."""
    resolver = _Resolver(ctx, local_names(fn), _scope(ctx.function))  # once: it is linear
    if ctx.shift == 0:  # the compiled function itself (an inlined callee's are bound)
        resolver.defaults = _callable_defaults(fn, ctx)
    fn.body = [resolver.visit(stmt) for stmt in fn.body]
    return fn


def _callable_defaults(fn, ctx):
    """name -> default of the parameters of ``ctx.function`` whose default is a callable
    and that the body never assigns (``act=np.tanh``): the generated code calls the
    default itself, and ``ctx.called_defaults`` records it so that a call passing another
    callable is refused."""
    import inspect

    try:
        parameters = inspect.signature(ctx.function).parameters
    except (TypeError, ValueError):
        return {}
    assigned = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                and not isinstance(n.ctx, ast.Load)}
    return {name: p.default for name, p in parameters.items()
            if p.default is not p.empty and callable(p.default)
            and not isinstance(p.default, type) and name not in assigned}


def _scope(function):
    """name -> (value getter) for the closure cells, globals and builtins of ``function``."""
    scope = {}
    for name in dir(builtins):
        scope[name] = ("builtin", None)
    for name in function.__globals__:
        scope[name] = ("global", function.__globals__)
    for name, cell in zip(function.__code__.co_freevars, function.__closure__ or ()):
        scope[name] = ("cell", cell)
    return scope


def _value(kind, source, name):
    if kind == "builtin":
        return getattr(builtins, name)
    if kind == "global":
        return source[name]
    return source.cell_contents


class _Resolver(ast.NodeTransformer):
    def __init__(self, ctx, local, scope):
        self.ctx, self.local, self.scope = ctx, local, scope
        self.defaults = {}

    def visit_Name(self, node):
        if node.id in self.defaults and isinstance(node.ctx, ast.Load):
            self.ctx.called_defaults[node.id] = self.defaults[node.id]
            return ast.copy_location(
                self._callable(self.defaults[node.id], node.id, node), node)
        if node.id in self.local or not isinstance(node.ctx, ast.Load):
            return node
        if node.id not in self.scope:
            raise self.ctx.error(node, f"name '{node.id}' is not defined")
        kind, source = self.scope[node.id]
        try:
            value = _value(kind, source, node.id)
        except ValueError:  # an empty closure cell
            raise self.ctx.error(node, f"free variable '{node.id}' is not bound yet") from None
        if isinstance(value, types.ModuleType) or callable(value):
            self._record(kind, source, node.id, value)
        if isinstance(value, types.ModuleType):
            return ast.copy_location(ast.Name(self._module(value, node.id), ast.Load()), node)
        if kind == "builtin":
            return node
        if callable(value):
            return ast.copy_location(self._callable(value, node.id, node), node)
        # global or closure data: read again at every call (under another name when an
        # inlined function of another module has a global of the same name)
        name = node.id
        held = self.ctx.refresh.get(name)
        if held is not None and (held[0] != kind or held[1] is not source or held[2] != name):
            name = self.ctx.fresh(name)
        elif held is None and name in self.ctx.namespace:
            name = self.ctx.fresh(name)
        self.ctx.namespace[name] = value
        self.ctx.names.add(name)
        self.ctx.refresh[name] = (kind, source, node.id)
        return ast.copy_location(ast.Name(name, ast.Load()), node)

    def _record(self, kind, source, name, value):
        """Keep what the free ``name`` referred to (a function, a module): generated code
        inlines or calls it, and is stale once the name refers to something else."""
        if kind == "cell":
            self.ctx.captured.cell(source, value)
        elif kind == "global":
            self.ctx.captured.name(source, name, value)
        else:  # a builtin, until the module defines a global of the same name
            self.ctx.captured.name(self.ctx.function.__globals__, name, ABSENT)

    def visit_Attribute(self, node):
        chain, root = [], node
        while isinstance(root, ast.Attribute):
            chain.append(root.attr)
            root = root.value
        if not isinstance(root, ast.Name) or root.id in self.local or root.id not in self.scope:
            return self.generic_visit(node)
        kind, source = self.scope[root.id]
        value = _value(kind, source, root.id)
        if not isinstance(value, types.ModuleType):
            return self.generic_visit(node)
        self._record(kind, source, root.id, value)
        obj = value
        for attr in reversed(chain):
            if not hasattr(obj, attr):
                path = ".".join([root.id] + chain[::-1])
                raise self.ctx.error(node, f"{path} does not exist")
            owner, obj = obj, getattr(obj, attr)
            if isinstance(obj, types.ModuleType) or callable(obj):  # data is read at run time
                self.ctx.captured.attribute(owner, attr, obj)
        new = ast.Name(self._module(value, root.id), ast.Load())
        for attr in reversed(chain):
            new = ast.Attribute(new, attr, ast.Load())
        return ast.copy_location(new, node)

    def visit_Call(self, node):
        """``grad(f)(x)``: a transform made in the function's own code is made here, once,
        from the callable and the constants it is given, and called as if it had been
        bound to a global name (``g = grad(f)`` outside, ``g(x)`` inside)."""
        self.generic_visit(node)
        if isinstance(node.func, (ast.Name, ast.Attribute, ast.Lambda)):
            return node  # lambdas: the fence's and inliner's business
        made = self._transform(node.func) if isinstance(node.func, ast.Call) else None
        if made is None:
            called = ast.unparse(node.func)
            raise self.ctx.error(node.func, f"calling the value of an expression ({called}) "
                                            f"is not supported: bind it to a name outside the "
                                            f"function (g = {called}) and call g(...) here. A "
                                            f"transform made here, such as grad(f)(x), may be "
                                            f"given only functions and constants")
        node.func = ast.copy_location(self._callable(*made), node.func)
        return node

    def _transform(self, call):
        """The transform that ``call`` makes, if it is a call of one of ours with static
        arguments; else ``None`` (the call is left for the later passes)."""
        from . import api, transforms

        factories = (api.grad, api.value_and_grad, transforms.jvp, transforms.vjp,
                     transforms.jacobian, transforms.hessian, transforms.hvp)
        try:
            factory = self.ctx.lookup(call.func)
            args = [self._static(a) for a in call.args]
            kwargs = {k.arg: self._static(k.value) for k in call.keywords if k.arg}
        except (TypeError, KeyError, AttributeError, ValueError):
            return None
        if factory not in factories or len(kwargs) != len(call.keywords) or not args:
            return None
        name = getattr(args[0], "__name__", "")
        name = f"{factory.__name__}_{name}" if name.isidentifier() else factory.__name__
        return factory(*args, **kwargs), name

    def _static(self, node):
        """The value of an argument known when the code is generated: a constant, a tuple
        of them, or a reference that this pass resolved."""
        if isinstance(node, ast.Tuple):
            return tuple(self._static(e) for e in node.elts)
        if isinstance(node, ast.List):
            return [self._static(e) for e in node.elts]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.local:
            raise ValueError(node.id)
        return self.ctx.lookup(node)

    def _module(self, module, name):
        import numpy

        return self.ctx.numpy() if module is numpy else self.ctx.bind(module, name)

    def _callable(self, value, name, node=None):
        return self.ctx.reference(value, name)

