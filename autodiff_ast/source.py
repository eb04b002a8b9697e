"""Pass 1, source: a Python function becomes its ``ast.FunctionDef`` and a :class:`Context`.

Takes a function object; gives its definition without decorators, with line numbers of
the user's file, and a context that knows the file, every name the function uses and
the one-line text of each original statement (for comments and errors). A function
without readable source (a lambda typed at a REPL, ``exec``, a C function), or whose
file no longer holds the code that runs (changed after import), is a
:class:`SourceUnavailableError`. A decorator's wrapper is read as itself, never as the
function it wraps. The function is recorded in the context's ``captured`` reads.

>>> import numpy as np
>>> def f(x):
...     y = np.sin(x)   # a comment
...     return y * 2
>>> fn, ctx = read(f)
>>> print(ast.unparse(fn))
def f(x):
    y = np.sin(x)
    return y * 2
>>> ctx.statements[fn.body[0].lineno]
'y = np.sin(x)'
"""

from __future__ import annotations

import __future__
import ast
import functools
import inspect
import linecache
import textwrap
import types

from . import codegen
from .astutil import unparse
from .context import Context
from .errors import SourceUnavailableError

# functools.lru_cache and functools.cache objects: their value is the wrapped function's
_CACHED = type(functools.lru_cache(maxsize=None)(lambda: None))


def compiled_function(function):
    """The Python function that a transform of ``function`` compiles: the generated code
    of a transform (:func:`generated_code_of`), a caller of a function with rules of its
    own (:func:`caller_of`), else ``function``; a decorated function whose wrapper cannot
    be differentiated is an error (see :func:`require_differentiable_wrapper`)."""
    function = caller_of(generated_code_of(function))
    require_differentiable_wrapper(function)
    return function


def generated_code_of(function):
    """The generated Python function behind a gradient transform (``grad(f)`` is
    differentiated through its generated code: ``grad(grad(f))``), the function a
    ``functools.lru_cache`` or ``functools.cache`` object calls (it gives the same value),
    else ``function``."""
    if is_transform(function):
        if getattr(function, "_mode", None) in ("grad", "value_and_grad", "vjp"):
            return function.generated_function
        return function.code_for_transforms()  # jacobian(f): its column loop, written out
    if type(function) is _CACHED and not _has_rules(function):
        return generated_code_of(function.__wrapped__)
    return function


def is_transform(function):
    """Is ``function`` one of our transforms, differentiated through the code it
    generates (which it may generate anew: see :func:`generated_code_of`)?"""
    if getattr(function, "_mode", None) in ("grad", "value_and_grad", "vjp"):
        return hasattr(function, "generated_function")
    return callable(getattr(function, "code_for_transforms", None)) \
        and not isinstance(function, type)


def _has_rules(function):
    from .rules import registry

    return registry.lookup(function) is not None or registry.tangent_lookup(function) is not None


def require_differentiable_wrapper(function):
    """Raise :class:`SourceUnavailableError` for a function made by a decorator (it has a
    ``__wrapped__``, from ``functools.wraps``) whose wrapper takes ``*args`` or
    ``**kwargs``. The wrapper is what runs and what is differentiated, never the function
    inside: a decorator may change the value."""
    inner = getattr(function, "__wrapped__", None)
    if inner is None or not inspect.isfunction(function):
        return
    code = function.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        name = function.__qualname__
        raise SourceUnavailableError(
            f"cannot differentiate {name}: it is wrapped by a decorator, whose wrapper "
            f"{code.co_name} ({code.co_filename}, line {code.co_firstlineno}) takes *args or "
            f"**kwargs, which autodiff_ast cannot differentiate; the function inside is not "
            f"differentiated in its place, as the decorator may change the value. If the "
            f"decorator does not change the value, pass {name}.__wrapped__ instead; else "
            f"write the wrapper with the function's own parameters, or register a rule for "
            f"{name} with @autodiff_ast.adjoint({function.__name__}).")


def caller_of(function):
    """For a callable with rules of its own (``@adjoint(f)``, ``@tangent(f)``): a Python
    function that calls it, so that a transform of it uses its rules, as a call site
    would, rather than its source (or fails for lack of one, for a C function)."""
    from .rules import registry

    rule = registry.lookup(function) or registry.tangent_lookup(function)
    if rule is None:
        return function
    parameters = rule.parameters  # as the rule names them (np.sin's rule: x alone)
    scope = {}
    params, passed, star = [], [], False
    for i, p in enumerate(parameters):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            return function
        if p.kind == p.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        text = p.name
        if p.default is not p.empty:
            scope[f"_default{i}"] = p.default
            text += f"=_default{i}"
        params.append(text)
        passed.append(p.name if p.kind != p.KEYWORD_ONLY else f"{p.name}={p.name}")
    if any(p.kind == p.POSITIONAL_ONLY for p in parameters):
        params.insert(sum(p.kind == p.POSITIONAL_ONLY for p in parameters), "/")
    name = getattr(function, "__name__", "function")
    name = name if name.isidentifier() else "function"
    text = f"def {name}({', '.join(params)}):\n    return {name}({', '.join(passed)})\n"
    caller = codegen.define(text, f"call of {name}", scope)[name]
    scope[name] = function  # the caller's body calls the function itself
    caller.__qualname__ = getattr(function, "__qualname__", name)
    caller.__doc__ = getattr(function, "__doc__", None)
    caller.__autodiff_ast_calls__ = function  # not __wrapped__: inspect would follow it
    return caller


def require_python_function(function):
    """Raise :class:`SourceUnavailableError` unless ``function`` is a Python function."""
    if not inspect.isfunction(function):
        name = getattr(function, "__qualname__", repr(function))
        raise SourceUnavailableError(
            f"cannot differentiate {name}: it is not a Python function with source "
            f"(a builtin, a C extension function or a callable object). Register a rule "
            f"for it with @autodiff_ast.adjoint({getattr(function, '__name__', 'fn')}) "
            f"and call it from a Python function instead." + _wrapping(function))


def _wrapping(function):
    """What to say of a callable object made by a decorator (it has a ``__wrapped__``)."""
    inner = getattr(function, "__wrapped__", None)
    if inner is None:
        return ""
    name = getattr(inner, "__qualname__", "the function")
    return (f" It wraps {name} (its __wrapped__), which is not differentiated in its "
            f"place, as the wrapper may change the value: if it does not, pass "
            f"{name} (the __wrapped__ attribute) instead.")


def read(function, wrt=(), mode="grad", single=True, parent=None):
    """``(FunctionDef, Context)`` of ``function``; see the module docstring. With a
    ``parent`` context (the caller a function is inlined into) the context shares its
    names and namespace, and the function's line numbers are moved past the caller's."""
    require_python_function(function)
    require_differentiable_wrapper(function)
    name = function.__qualname__
    filename = inspect.getsourcefile(function) or function.__code__.co_filename
    lambda_ = function.__code__.co_name == "<lambda>"
    try:
        # the function's own code: a decorator's wrapper, not the function it wraps
        lines, first = inspect.getsourcelines(function.__code__)
    except (OSError, TypeError) as exc:
        raise SourceUnavailableError(
            f"cannot read the source of {name} (from {filename}): autodiff_ast compiles "
            f"a function from its source text, which Python keeps only for functions "
            f"defined in files. Define {name} in a module or script file "
            f"(not at the interactive prompt or with exec).") from exc
    text = "".join(lines)
    dedented = textwrap.dedent(text)
    first_line = next((ln for ln in dedented.splitlines() if ln.strip()), "")
    original_first = next((ln for ln in text.splitlines() if ln.strip()), "")
    col_offset = len(original_first) - len(first_line)
    in_file = _lambda_in_file(function, filename, first) if lambda_ else None
    if in_file is not None:  # a lambda, found in its file (columns of the file's lines)
        fn, col_offset = in_file, 0
        ast.increment_lineno(fn, 1 - first)
    else:
        try:
            module = ast.parse(dedented)
        except SyntaxError as exc:
            raise SourceUnavailableError(f"cannot parse the source of {name} ({filename}, "
                                         f"line {first}): {exc.msg}") from exc
        if lambda_:
            fn = _lambda_function(module, filename, first)
        else:
            fn = module.body[0]
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                raise SourceUnavailableError(f"the source of {name} does not start with a def")
    file_lines = linecache.getlines(filename, function.__globals__)
    _require_same_code(function, file_lines, filename, first)
    fn.decorator_list = []
    file_lines = file_lines or text.splitlines(True)
    if len(file_lines) < first:  # source came from somewhere other than the file
        file_lines = [""] * (first - 1) + lines
    if parent is None:
        ctx = Context(function, filename, first - 1, col_offset, file_lines, wrt, mode, single)
    else:
        ctx = parent.child(function, filename, col_offset, file_lines)
    ctx.captured.function(function)  # its body and defaults are compiled in
    inlined = getattr(function, "autodiff_captured", None)  # generated code's own reads
    if inlined is not None:
        ctx.captured.extend(inlined)
    ast.increment_lineno(fn, first - 1 + ctx.shift)
    # Local names; free names are replaced by ``resolve``, which reserves what it binds.
    ctx.names.update(node.id for node in ast.walk(fn)
                     if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load))
    ctx.names.update(arg.arg for arg in ast.walk(fn) if isinstance(arg, ast.arg))
    ctx.names.add(fn.name)
    for node in ast.walk(fn):
        if isinstance(node, ast.stmt) and not isinstance(node, ast.FunctionDef):
            ctx.statements.setdefault(node.lineno, _one_line(ctx, node))
    return fn, ctx


def _require_same_code(function, lines, filename, first):
    """Raise :class:`SourceUnavailableError` unless compiling ``lines`` (the text of the
    function's file, as ``linecache`` has it now) gives ``function``'s code at its line:
    when the file was changed after the module was imported, its text is not the code
    that runs. The whole file is compiled (once per text), so that a method, a closure or
    a module's imports compile as they did."""
    code = function.__code__
    if filename.startswith("<autodiff_ast") or len(lines) < first:
        return  # generated here (its text never changes), or not from a file's text
    flags = code.co_flags & _FUTURE_FLAGS  # the __future__ features it was compiled with
    held = _COMPILED.get((filename, flags))
    if held is None or held[0] is not lines:
        held = _COMPILED[filename, flags] = (lines, _compiled_functions(lines, filename, flags))
    found = held[1].get((code.co_firstlineno, getattr(code, "co_qualname", code.co_name)), ())
    if _fingerprint(code) not in found:
        raise SourceUnavailableError(
            f"the source of {function.__qualname__} in {filename} (line {first}) does not "
            f"match the loaded function: the file was changed after the module was "
            f"imported, and autodiff_ast differentiates the code that runs. Reload the "
            f"module (importlib.reload) or restart, so that the function is the file's.")


_COMPILED: dict = {}  # (filename, flags) -> (its lines, (line, name) -> fingerprints)
_FUTURE_FLAGS = functools.reduce(
    lambda flags, name: flags | getattr(__future__, name).compiler_flag,
    __future__.all_feature_names, 0) & ~inspect.CO_NESTED


def _compiled_functions(lines, filename, flags):
    """``(first line, qualified name) -> [fingerprint, ...]`` of every function that
    compiling the text ``lines`` with the ``__future__`` ``flags`` makes; empty when it
    does not compile."""
    try:
        module = compile("".join(lines), filename, "exec", dont_inherit=True,
                         flags=flags | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)  # a notebook's cell
    except (SyntaxError, ValueError):
        return {}
    found = {}
    pending = [module]
    while pending:
        code = pending.pop()
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                key = (const.co_firstlineno, getattr(const, "co_qualname", const.co_name))
                found.setdefault(key, []).append(_fingerprint(const))
                pending.append(const)
    return found


def _fingerprint(code):
    """What a function's code does, without where its lines are: its bytecode, flags,
    names and constants (nested functions' too)."""
    return (code.co_code, code.co_flags, code.co_names, code.co_varnames, code.co_freevars,
            code.co_cellvars, code.co_argcount, code.co_posonlyargcount,
            code.co_kwonlyargcount,
            tuple(_fingerprint(c) if isinstance(c, types.CodeType) else (type(c), repr(c))
                  for c in code.co_consts))


def _lambda_in_file(function, filename, first):
    """The lambda ``function`` as a ``def`` (see :func:`_lambda_function`), found in the
    parsed text of its whole file, so that a lambda inside an expression of several lines
    (a dict display, a call's arguments) or beside other lambdas is found: among the
    lambdas on its first line, the one with its parameters, and where that leaves more
    than one, the one whose body holds the code's first position (Python 3.11+).
    ``None`` when that does not single one out."""
    lines = linecache.getlines(filename, function.__globals__)
    if not lines:
        return None
    try:
        module = ast.parse("".join(lines))
    except (SyntaxError, ValueError):
        return None
    code = function.__code__
    params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    found = [n for n in ast.walk(module) if isinstance(n, ast.Lambda) and n.lineno == first
             and tuple(a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs)
             == params]
    if len(found) > 1 and hasattr(code, "co_positions"):
        starts = [(line, col) for line, end_line, col, end_col in code.co_positions()
                  if None not in (line, end_line, col, end_col)
                  and (end_line, end_col) > (line, col)]  # not the (0, 0) of RESUME
        if starts:
            line, col = min(starts)
            found = [n for n in found
                     if (n.body.lineno, n.body.col_offset) <= (line, col)
                     <= (n.body.end_lineno, n.body.end_col_offset)]
            found = [n for n in found if not any(  # the innermost lambda holding it
                m is not n and m in found for m in ast.walk(n.body))]
    return _as_def(found[0], module) if len(found) == 1 else None


def _lambda_function(module, filename, first):
    """The one lambda of a source line (that parses alone) as a ``def``."""
    lambdas = [n for n in ast.walk(module) if isinstance(n, ast.Lambda)]
    if len(lambdas) != 1:
        raise SourceUnavailableError(
            f"cannot tell which lambda of {filename}, line {first} to differentiate: put "
            f"it on a line of its own, or define the function with def")
    return _as_def(lambdas[0], module)


def _as_def(node, module):
    """The lambda ``node`` of ``module`` as a ``def`` returning its expression, named after
    the name it is assigned to (``square = lambda x: x * x`` gives ``square``)."""
    name = "lambda_"
    for stmt in ast.walk(module):
        if isinstance(stmt, ast.Assign) and stmt.value is node and isinstance(
                stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
    fn = ast.FunctionDef(name, node.args, [ast.copy_location(ast.Return(node.body), node)], [],
                         None)
    return ast.copy_location(fn, node)


def _one_line(ctx, stmt):
    """The user's text of ``stmt`` on one line (its header line for compound statements)."""
    if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
        line = stmt.lineno - ctx.shift
        text = ctx.lines[line - 1].strip() if 0 < line <= len(ctx.lines) else ""
        return text or unparse(stmt).splitlines()[0]
    return " ".join(unparse(stmt).split())
