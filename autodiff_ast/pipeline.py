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

from . import codegen, fence, normal_form, source
from .astutil import deep_recursion
from .errors import AutodiffError
from .desugar import desugar
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
                     structures=None):
    """Generate the gradient of ``function`` with respect to the parameters at indices
    ``wrt``; give a :class:`~autodiff_ast.codegen.Generated` with ``.function``,
    ``.source`` and the context as ``.context``. ``structures`` maps a parameter's name to
    the structure of the dicts, lists and tuples of arrays it is called with (see
    ``structures.structure_of``). Expressions nested too deeply even for
    :func:`~autodiff_ast.astutil.deep_recursion` are an :class:`AutodiffError`."""
    with deep_recursion():
        try:
            return _compile(function, wrt, mode, single, verbose, structures)
        except RecursionError:
            name = getattr(function, "__qualname__", function)
            raise AutodiffError(
                f"{name} nests expressions too deeply to compile (thousands of operators or "
                f"parentheses in one expression): split the expression over several "
                f"statements") from None


def _compile(function, wrt, mode, single, verbose, structures):
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
    for name, run in passes:
        fn = run(fn, ctx)
        if verbose:
            _show(name, fn)
    generated = codegen.generate(fn, ctx)
    generated.context = ctx
    return generated


def _show(name, fn):
    print(f"# ---- after {name} ----")
    print(ast.unparse(fn))
