"""Second derivatives through every rule: for every sweep case of every rule family,
Hessian-vector products (forward mode over the generated gradient code, which runs the
rules' adjoint expressions and the helpers they call) against central differences of the
gradient. This is what makes generated code itself differentiable."""

import importlib
import pathlib

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.transforms import hvp
from sweep import _functions


def _cases():
    found = []
    for path in sorted(pathlib.Path(__file__).parent.glob("test_rules_*.py")):
        module = importlib.import_module(path.stem)
        found += [c for c in module.CASES if c.wrt]
    return found


CASES = _cases()


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_hvp_matches_differences_of_the_gradient(c):
    f, names, weight = _functions(c)
    wrt = tuple(names.index(n) for n in c.wrt)
    args = list(c.args.values()) + [weight]
    rng = np.random.default_rng(5)
    vectors = []
    for i in wrt:
        v = rng.uniform(-1.0, 1.0, size=np.shape(args[i]))
        vectors.append(float(v) if np.ndim(args[i]) == 0 else v)
    products = hvp(f, wrt=wrt)(args, vectors)
    g = grad(f, wrt=wrt)
    eps = 1e-5

    def moved(step):
        changed = list(args)
        for i, v in zip(wrt, vectors):
            changed[i] = args[i] + step * v
        return g(*changed)

    above, below = moved(eps), moved(-eps)
    for product, a, b in zip(products, above, below):
        expected = (np.asarray(a) - np.asarray(b)) / (2 * eps)
        np.testing.assert_allclose(product, expected, rtol=max(c.rtol, 1e-4),
                                   atol=1e-5 * (1 + np.max(np.abs(expected), initial=0)))


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.id)
def test_reverse_over_reverse_matches_differences_of_the_gradient(c):
    """The same products from reverse mode over the generated gradient code (``vjp`` of
    ``grad(f)``, as ``grad(grad(f))`` does), which runs the adjoints of the rules' helpers."""
    from autodiff_ast.transforms import vjp

    f, names, weight = _functions(c)
    wrt = tuple(names.index(n) for n in c.wrt)
    args = list(c.args.values()) + [weight]
    rng = np.random.default_rng(6)
    vectors = []
    for i in wrt:
        v = rng.uniform(-1.0, 1.0, size=np.shape(args[i]))
        vectors.append(float(v) if np.ndim(args[i]) == 0 else v)
    g = grad(f, wrt=wrt)
    _, pullback = vjp(g, wrt=wrt)(*args)
    products = pullback(tuple(vectors))
    eps = 1e-5

    def moved(step):
        changed = list(args)
        for i, v in zip(wrt, vectors):
            changed[i] = args[i] + step * v
        return g(*changed)

    above, below = moved(eps), moved(-eps)
    for product, a, b in zip(products, above, below):
        expected = (np.asarray(a) - np.asarray(b)) / (2 * eps)
        np.testing.assert_allclose(product, expected, rtol=max(c.rtol, 1e-4),
                                   atol=1e-5 * (1 + np.max(np.abs(expected), initial=0)))
