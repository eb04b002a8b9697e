"""Pass 9, codegen: the gradient ``FunctionDef`` becomes readable source and a function.

Takes the simplified ``FunctionDef`` and the context; gives a :class:`Generated` with the
source text (printed by ``ast.unparse``, a ``# <original line>`` comment above each
group of adjoint statements) and the compiled function. The text is registered in
``linecache`` under a name like ``<autodiff_ast grad_f #1>`` so that tracebacks,
``inspect.getsource`` and ``pdb`` show the generated lines. Default values of the
user's parameters are the user's own objects.

>>> import ast
>>> from autodiff_ast.context import Context
>>> fn = ast.parse("def f(x, dout=1.0):\\n    dx = dout * 2\\n    return dx").body[0]
>>> fn.body.insert(0, comment("return 2 * x"))
>>> print(generate(fn, Context(None, "f.py", 0, 0, [])).source)
def grad_f(x, dout=1.0):
    # return 2 * x
    dx = dout * 2
    return dx
<BLANKLINE>
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import linecache
import re

from .astutil import unparse

_COUNTER = itertools.count(1)
PREFIXES = {"jvp": "jvp_", "vjp": "vjp_"}  # by mode; grad_ for the others
MARK = "__autodiff_ast_comment__"


@dataclasses.dataclass
class Generated:
    """A generated function, its source text, the file name it is registered under, and
    ``current()``: whether what its compile read is unchanged (see ``captured``), so that
    it is still the gradient of the code that runs now."""

    function: object
    source: str
    filename: str
    current: object


def comment(text):
    """A statement that codegen prints as ``# text``; ``reverse`` puts one above the
    adjoint statements of each original line."""
    return ast.Expr(ast.Call(ast.Name(MARK, ast.Load()), [ast.Constant(text)], []))


def is_comment(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == MARK)


def generate(fn, ctx):
    """Print and compile ``fn`` (which it renames and changes); see the module docstring."""
    fn.name = PREFIXES.get(ctx.mode, "grad_") + fn.name
    body = []
    for stmt in fn.body:  # say what each list of saved values holds, above it
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and stmt.targets[0].id in ctx.stacks:
            name = stmt.targets[0].id
            body.append(comment(f"{name}: {ctx.stacks[name]}"))
        body.append(stmt)
    fn.body = _tidy(body)
    text = unparse(ast.fix_missing_locations(fn))
    text = re.sub(rf"^(\s*){MARK}\((.*)\)$",
                  lambda m: f"{m.group(1)}# {ast.literal_eval(m.group(2))}", text, flags=re.M)
    text += "\n"
    filename = register(text, fn.name)
    return Generated(_compile(text, filename, fn.name, ctx), text, filename,
                     ctx.captured.freeze())


def register(text, label):
    """Keep ``text`` in ``linecache`` under a new name ``<autodiff_ast label #n>``, so that
    tracebacks, ``inspect`` and ``pdb`` (and the compiler, reading it again) see it; give
    that name."""
    filename = f"<autodiff_ast {label} #{next(_COUNTER)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    return filename


def define(text, label, scope):
    """Run ``text`` (registered, see :func:`register`) in ``scope``, which then holds
    what it defines."""
    exec(compile(text, register(text, label), "exec"), scope)
    return scope


def _tidy(body):
    """``body`` without the comments whose statements were all removed as dead code (at
    every depth), and without branches left with nothing to do (``if c: pass``, whose
    test is a name); an emptied block becomes ``pass``."""
    kept = []
    for stmt in body:
        for field in ("body", "orelse"):  # a function's too (vjp's pullback)
            if getattr(stmt, field, None):
                setattr(stmt, field, _tidy(getattr(stmt, field)))
        if isinstance(stmt, ast.If) and all(isinstance(s, ast.Pass) for s in stmt.orelse):
            stmt.orelse = []
        if isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and not stmt.orelse \
                and all(isinstance(s, ast.Pass) for s in stmt.body):
            continue
        kept.append(stmt)
    kept = [s for i, s in enumerate(kept)
            if not (is_comment(s) and (i + 1 == len(kept) or is_comment(kept[i + 1])
                                       or isinstance(kept[i + 1], ast.Return)))]
    return kept or [ast.Pass()]


def _compile(text, filename, name, ctx):
    tree = ast.parse(text, filename)
    function = tree.body[0]
    # Defaults are the user's own objects, set below; the text shows their source.
    function.args.defaults = [ast.Constant(None) for _ in function.args.defaults]
    function.args.kw_defaults = [None if d is None else ast.Constant(None)
                                 for d in function.args.kw_defaults]
    namespace = dict(ctx.namespace)
    namespace["__name__"] = "autodiff_ast.generated"
    exec(compile(ast.fix_missing_locations(tree), filename, "exec"), namespace)
    generated = namespace[name]
    user = ctx.function
    defaults = tuple(user.__defaults__ or ()) if user is not None else ()
    extra = len(function.args.defaults) - len(defaults)
    generated.__defaults__ = defaults + (1.0,) * extra if function.args.defaults else None
    kwdefaults = dict(user.__kwdefaults__ or {}) if user is not None else {}
    for arg, default in zip(function.args.kwonlyargs, function.args.kw_defaults):
        if default is not None and arg.arg not in kwdefaults:
            kwdefaults[arg.arg] = 1.0
    generated.__kwdefaults__ = kwdefaults or None
    # the user's global data it reads again at each call, and where from (for export)
    generated.autodiff_refresh = dict(ctx.refresh)
    # what its compile read: a compile that inlines this code read all that too
    generated.autodiff_captured = ctx.captured
    return generated
