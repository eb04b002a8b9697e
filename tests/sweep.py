"""The rule sweep harness: every derivative rule checked over scalar, vector, matrix and
broadcast shapes against central finite differences, and for float32 dtype.

A rule family's test module lists ``Case`` objects built with ``unary``, ``binary`` or
``case`` and runs them with ``run_case`` and ``run_float32``; ``test_rule_coverage.py``
fails when a registered rule has no case.

A case is an expression over named arguments, e.g. ``np.exp(x)``. It is checked as
``f(x, w) = np.sum(<expr> * w)`` with a fixed random weight ``w`` of the output's shape,
so that every output element's adjoint is exercised with a different value.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import linecache
import pathlib

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.transforms import jvp
from autodiff_ast.testing import check_grads

_COUNTER = itertools.count()

# Shapes every elementwise rule is checked at: () is a Python float.
UNARY_SHAPES = [(), (3,), (2, 3)]
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3, 1), (1, 4)),
                 ((), (2, 3)), ((2, 3), ()), ((1, 3), (2, 1, 3))]


@dataclasses.dataclass
class Case:
    """One check of one rule: ``expr`` over ``args`` differentiated in ``wrt``."""

    primal: object
    expr: str
    args: dict
    wrt: tuple
    rtol: float = 1e-5
    atol: float = 1e-6
    namespace: dict = dataclasses.field(default_factory=dict)

    @property
    def id(self):
        shapes = ",".join(f"{k}{list(np.shape(v))}" for k, v in self.args.items())
        return f"{self.expr} [{shapes}]"


def values(shape, low=-2.0, high=2.0, seed=0):
    """Reproducible uniform values in ``[low, high]``: a Python float for shape ()."""
    rng = np.random.default_rng(seed + 7 * len(shape) + sum(shape))
    array = rng.uniform(low, high, size=shape)
    return float(array) if shape == () else array


def case(primal, expr, wrt=None, rtol=1e-5, atol=1e-6, namespace=None, **args):
    """A single case; ``wrt`` defaults to every argument that holds floats."""
    if wrt is None:
        wrt = tuple(k for k, v in args.items()
                    if isinstance(v, float) or (isinstance(v, np.ndarray) and v.dtype.kind == "f"))
    return Case(primal, expr, args, tuple(wrt), rtol, atol, dict(namespace or {}))


def unary(primal, expr, domain=(-2.0, 2.0), shapes=UNARY_SHAPES, **options):
    """Cases of an elementwise function of ``x`` at every shape of ``shapes``."""
    return [case(primal, expr, x=values(s, *domain), **options) for s in shapes]


def binary(primal, expr, domain=(-2.0, 2.0), domain2=None, shapes=BINARY_SHAPES, wrt=("x", "y"),
           **options):
    """Cases of an elementwise function of ``x`` and ``y`` at every pair of ``shapes``."""
    domain2 = domain2 or domain
    return [case(primal, expr, wrt=wrt, x=values(a, *domain, seed=1), y=values(b, *domain2, seed=2),
                 **options) for a, b in shapes]


def sweep_tests(cases, float32=None):
    """The tests of a rule family: every case against finite differences, in reverse
    mode and in forward mode, and the cases of ``float32`` (all by default) in float32."""
    def ids(c):
        return c.id

    @pytest.mark.parametrize("c", cases, ids=ids)
    def test_tangent(c):
        run_tangent(c)

    @pytest.mark.parametrize("c", cases, ids=ids)
    def test_gradient(c):
        run_case(c)

    @pytest.mark.parametrize("c", cases if float32 is None else float32, ids=ids)
    def test_float32(c):
        run_float32(c)

    return test_gradient, test_float32, test_tangent


ROOT = pathlib.Path(__file__).parent.parent


def load_file(path):
    """Import the Python file ``path`` as a module named after it (its functions keep their
    source, which autodiff_ast reads)."""
    spec = importlib.util.spec_from_file_location(pathlib.Path(path).stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_example(name):
    """The module ``examples/<name>.py``."""
    return load_file(ROOT / "examples" / f"{name}.py")


def function_from_source(name, source, namespace):
    """Define the function ``name`` of ``source`` with its text kept in ``linecache``, so
    that autodiff_ast can read it as it reads functions from files."""
    filename = f"<sweep {next(_COUNTER)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = {"np": np, **namespace}
    exec(compile(source, filename, "exec"), scope)
    return scope[name]


def _functions(c):
    names = list(c.args)
    probe = function_from_source(
        "probe", f"def probe({', '.join(names)}):\n    return {c.expr}\n", c.namespace)
    out = probe(*c.args.values())
    rng = np.random.default_rng(42)
    weight = rng.uniform(0.5, 1.5, size=np.shape(out))
    if np.ndim(out) == 0:
        weight = float(weight)
    f = function_from_source(
        "f", f"def f({', '.join(names)}, w):\n    return np.sum(({c.expr}) * w)\n", c.namespace)
    return f, names, weight


def run_case(c):
    """Check the case's gradients against central finite differences."""
    f, names, weight = _functions(c)
    wrt = tuple(names.index(n) for n in c.wrt)
    check_grads(f, *c.args.values(), weight, wrt=wrt, rtol=c.rtol, atol=c.atol)


def run_tangent(c):
    """Forward mode: the tangent of the case's expression along a random direction
    against the central difference of the expression along it, and the value against
    the expression's."""
    names = list(c.args)
    probe = function_from_source(
        "probe", f"def probe({', '.join(names)}):\n    return {c.expr}\n", c.namespace)
    rng = np.random.default_rng(3)
    wrt = tuple(names.index(n) for n in c.wrt)
    args = list(c.args.values())
    directions = []
    for i in wrt:
        direction = rng.uniform(-1.0, 1.0, size=np.shape(args[i]))
        directions.append(float(direction) if np.ndim(args[i]) == 0 else direction)
    value, tangent = jvp(probe, wrt=wrt)(args, directions)
    np.testing.assert_allclose(value, probe(*args), rtol=1e-12, atol=1e-12)
    assert np.shape(tangent) == np.shape(value)
    eps = 1e-6

    def moved(step):
        changed = list(args)
        for i, d in zip(wrt, directions):
            changed[i] = args[i] + step * d
        return np.asarray(probe(*changed), dtype=np.float64)

    expected = (moved(eps) - moved(-eps)) / (2 * eps)
    np.testing.assert_allclose(tangent, expected, rtol=max(c.rtol, 1e-5),
                               atol=max(c.atol, 1e-6) * (1 + np.max(np.abs(expected), initial=0)))


def run_float32(c):
    """float32 inputs give float32 gradients from the generated code itself (no cast by
    the wrapper; ``grad`` seeds the adjoint sweep with a float32 one), close to the
    float64 ones."""
    f, names, weight = _functions(c)
    wrt = tuple(names.index(n) for n in c.wrt)
    args32 = [np.float32(v) if isinstance(v, float) else
              np.asarray(v, dtype=np.float32) if isinstance(v, np.ndarray) and v.dtype.kind == "f"
              else v for v in c.args.values()]
    weight32 = np.asarray(weight, dtype=np.float32) if np.ndim(weight) else weight
    raw = grad(f, wrt=wrt).generated_function(*args32, weight32, np.float32(1.0))
    reference = grad(f, wrt=wrt)(*c.args.values(), weight)
    for index, got, want in zip(wrt, raw, reference):
        if isinstance(args32[index], (np.ndarray, np.float32)):
            assert np.asarray(got).dtype == np.float32, \
                f"gradient for {names[index]} is {np.asarray(got).dtype}, input is float32"
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want,
                                   rtol=2e-3, atol=2e-3 * (1 + np.max(np.abs(want))))
