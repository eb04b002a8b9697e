"""The compiler: a flat list of passes from a Python function to its gradient function.

Each pass is one module and takes and returns an ``ast.FunctionDef`` (``source`` makes
the first one and the :class:`~autodiff_ast.context.Context`; ``codegen`` turns the
last into text and a function). Analyses (``activity``, ``shapes``) are called by the
pass that needs them and hand back plain values. ``verbose=True`` prints the code after
every pass.

>>> import numpy as np
>>> def f(x):
...     return np.sum(np.tanh(x))
>>> print(compile_gradient(f, wrt=(0,)).source)
def grad_f(x, dout=1.0):
    _t1 = np.tanh(x)
    # return np.sum(np.tanh(x))
    dx = dout * (1 - _t1 * _t1)
    return dx
<BLANKLINE>
"""

from __future__ import annotations

import ast

from . import codegen, fence, finite, normal_form, source
from .astutil import deep_recursion
from .desugar import desugar
from .errors import AutodiffError
from .forward import forward
from .normalize import normalize
from .resolve import resolve
from .reverse import reverse
from .simplify import simplify
from .split import split
from .structure import structure

PASSES = [
    ("fence", fence.check),
    ("resolve", resolve),
    ("desugar", desugar),
    ("structure", structure),
    ("normalize", normalize),
    ("validate", normal_form.validate),
    ("reverse", reverse),     # runs the activity and shape analyses; forward for jvp
    ("simplify", simplify),
]


def compile_gradient(function, wrt=(0,), mode="grad", single=True, verbose=False,
                     structures=None, check_finite=False):
    """Generate the gradient of ``function`` with respect to the parameters at indices
    ``wrt``; give a :class:`~autodiff_ast.codegen.Generated` with ``.function``,
    ``.source`` and the context as ``.context``. ``structures`` maps a parameter's name to
    the structure of the dicts, lists and tuples of arrays it is called with (see
    ``structures.structure_of``). ``check_finite=True`` adds the ``finite`` pass last:
    the code checks every value it makes (see ``finite``). Expressions nested too deeply
    even for :func:`~autodiff_ast.astutil.deep_recursion` are an :class:`AutodiffError`."""
    with deep_recursion():
        try:
            return _compile(function, wrt, mode, single, verbose, structures, check_finite)
        except RecursionError:
            name = getattr(function, "__qualname__", function)
            raise AutodiffError(
                f"{name} nests expressions too deeply to compile (thousands of operators or "
                f"parentheses in one expression): split the expression over several "
                f"statements") from None


def _compile(function, wrt, mode, single, verbose, structures, check_finite):
    fn, ctx = source.read(function, wrt, mode, single)
    ctx.structures = dict(structures or {})
    if verbose:
        _show("source", fn)
    passes = PASSES
    if mode == "jvp":
        passes = [("forward", forward) if name == "reverse" else (name, run)
                  for name, run in PASSES]
    elif mode == "vjp":
        passes = PASSES + [("split", split)]
    if check_finite:
        passes = passes + [("finite", finite.instrument)]
    try:
        for name, run in passes:
            fn = run(fn, ctx)
            if verbose:
                _show(name, fn)
    except AutodiffError as error:
        if getattr(function, "__wrapped__", None) is not None and hasattr(error, "add_note"):
            error.add_note(_WRAPPED.format(name=function.__qualname__))
        raise
    generated = codegen.generate(fn, ctx)
    generated.context = ctx
    return generated


_WRAPPED = ("{name} is wrapped by a decorator: what was differentiated is the decorator's "
            "wrapper (which runs when {name} is called), not the function it wraps. If the "
            "decorator does not change the value, pass {name}.__wrapped__ instead; else "
            "register a rule for {name} with @autodiff_ast.adjoint.")


def _show(name, fn):
    print(f"# ---- after {name} ----")
    print(ast.unparse(fn))
