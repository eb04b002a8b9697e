"""Second derivatives through every rule: for every sweep case of every rule family,
Hessian-vector products against central differences of the gradient, computed two ways:
forward mode over the generated gradient code (``hvp``, as ``hessian`` does) and reverse
mode over it (``vjp`` of ``grad(f)``, as ``grad(grad(f))`` does). Both run the rules'
adjoint expressions and the helpers they call, so this is what makes generated code
itself differentiable."""

import importlib
import pathlib

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.transforms import hvp, vjp
from sweep import _functions


def _cases():
    found = []
    for path in sorted(pathlib.Path(__file__).parent.glob("test_rules_*.py")):
        module = importlib.import_module(path.stem)
        found += [c for c in module.CASES if c.wrt]
    return found


CASES = _cases()


def _setup(c, seed):
    """``(f, wrt, args, vectors)``: the case's weighted sum and a random direction."""
    f, names, weight = _functions(c)
    wrt = tuple(names.index(n) for n in c.wrt)
    args = list(c.args.values()) + [weight]
    rng = np.random.default_rng(seed)
    vectors = []
    for i in wrt:
        v = rng.uniform(-1.0, 1.0, size=np.shape(args[i]))
        vectors.append(float(v) if np.ndim(args[i]) == 0 else v)
    return f, wrt, args, vectors


def _check(products, c, f, wrt, args, vectors):
    """``products`` against central differences of the gradient along ``vectors``."""
    g = grad(f, wrt=wrt)
    eps = 1e-5

    def moved(step):
        changed = list(args)
        for i, v in zip(wrt, vectors):
            changed[i] = args[i] + step * v
        return g(*changed)

    for product, a, b in zip(products, moved(eps), moved(-eps)):
        expected = (np.asarray(a) - np.asarray(b)) / (2 * eps)
        np.testing.assert_allclose(product, expected, rtol=max(c.rtol, 1e-4),
                                   atol=1e-5 * (1 + np.max(np.abs(expected), initial=0)))


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_hvp_matches_differences_of_the_gradient(c):
    f, wrt, args, vectors = _setup(c, seed=5)
    _check(hvp(f, wrt=wrt)(args, vectors), c, f, wrt, args, vectors)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_reverse_over_reverse_matches_differences_of_the_gradient(c):
    f, wrt, args, vectors = _setup(c, seed=6)
    gradient, pullback = vjp(grad(f, wrt=wrt), wrt=wrt)(*args)
    for got, want in zip(gradient, grad(f, wrt=wrt)(*args)):  # the primal beside it
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    _check(pullback(tuple(vectors)), c, f, wrt, args, vectors)
