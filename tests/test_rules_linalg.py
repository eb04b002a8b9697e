"""Sweeps of the linear algebra rules: products, norms, inverses, solvers, decompositions."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.testing import check_grads
from sweep import case, function_from_source, sweep_tests, values


def well_conditioned(n, seed=0):
    """A random ``n`` by ``n`` matrix far from singular."""
    return values((n, n), seed=seed) + 4 * np.eye(n)


def symmetric_positive(n, seed=0):
    a = values((n, n), seed=seed)
    return a @ a.T + n * np.eye(n)


DOT_SHAPES = [((), ()), ((), (2, 3)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)),
              ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)),
              ((2, 3, 4), (5, 4, 2)), ((2, 3), (2, 3, 4))]
INNER_SHAPES = [((), (3,)), ((3,), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)),
                ((2, 3), (4, 3)), ((2, 5, 3), (4, 3))]

CASES = [
    # ----- products
    *[case(np.dot, "np.dot(x, y)", x=values(a, seed=1), y=values(b, seed=2))
      for a, b in DOT_SHAPES],
    case(np.dot, "x.dot(y)", x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.dot, "np.dot(x, y)", wrt=("x",), x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.vdot, "np.vdot(x, y)", x=values((2, 3)), y=values((3, 2), seed=3)),
    case(np.vdot, "np.vdot(x, y)", x=values((4,)), y=values((4,), seed=3)),
    *[case(np.inner, "np.inner(x, y)", x=values(a, seed=1), y=values(b, seed=2))
      for a, b in INNER_SHAPES],
    case(np.outer, "np.outer(x, y)", x=values((3,)), y=values((4,), seed=3)),
    case(np.outer, "np.outer(x, y)", x=values((2, 2)), y=values((3,), seed=3)),
    case(np.outer, "np.outer(x, y)", x=values(()), y=values((3,), seed=3)),
    case(np.tensordot, "np.tensordot(x, y)", x=values((2, 3, 4)), y=values((3, 4, 5), seed=3)),
    case(np.tensordot, "np.tensordot(x, y, 1)", x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.tensordot, "np.tensordot(x, y, axes=0)", x=values((2,)), y=values((3,), seed=3)),
    case(np.tensordot, "np.tensordot(x, y, axes=([1, 2], [1, 0]))",
         x=values((2, 3, 4)), y=values((4, 3, 5), seed=3)),
    case(np.tensordot, "np.tensordot(x, y, axes=(0, -1))",
         x=values((3, 2)), y=values((4, 3), seed=3)),
    case(np.tensordot, "np.tensordot(x, y, axes=((0, 1), (0, 1)))",
         x=values((2, 3)), y=values((2, 3), seed=3)),
    case(np.einsum, "np.einsum('ij,jk->ik', x, y)", x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.einsum, "np.einsum('ij,jk', x, y)", x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.einsum, "np.einsum('ij,ij->', x, y)", x=values((2, 3)), y=values((2, 3), seed=3)),
    case(np.einsum, "np.einsum('i,j->ij', x, y)", x=values((2,)), y=values((3,), seed=3)),
    case(np.einsum, "np.einsum('i,i', x, y)", x=values((3,)), y=values((3,), seed=3)),
    case(np.einsum, "np.einsum('bij,bjk->bik', x, y)",
         x=values((2, 3, 4)), y=values((2, 4, 5), seed=3)),
    case(np.einsum, "np.einsum('...ij,...jk->...ik', x, y)",
         x=values((2, 3, 4)), y=values((4, 5), seed=3)),
    case(np.einsum, "np.einsum('ii->i', x)", x=values((3, 3))),
    case(np.einsum, "np.einsum('ii', x)", x=values((3, 3))),
    case(np.einsum, "np.einsum('ij->ji', x)", x=values((2, 3))),
    # the sublist form, rewritten to subscripts at compile time (was zeros in forward
    # mode and NotImplementedError in reverse mode)
    case(np.einsum, "np.einsum(x, (0, 1), (1, 0))", x=values((2, 3))),
    case(np.einsum, "np.einsum(x, [0, 1], y, [1, 2])", x=values((2, 3)),
         y=values((3, 4), seed=3)),
    case(np.einsum, "np.einsum(x, [0, 1], y, [1, 2], [2, 0])", x=values((2, 3)),
         y=values((3, 4), seed=3)),
    case(np.einsum, "np.einsum(x, [..., 1], y, [1, 30], [30, ...])", x=values((4, 2, 3)),
         y=values((3, 2), seed=3)),
    case(np.einsum, "np.einsum(x, [Ellipsis, 0, 0])", x=values((2, 3, 3))),
    case(np.einsum, "np.einsum(x, [0], y, [0], z, [1])", x=values((3,)), y=values((3,), seed=3),
         z=values((2,), seed=4)),
    case(np.einsum, "np.einsum('ij->', x)", x=values((2, 3))),
    case(np.einsum, "np.einsum('ij->i', x)", x=values((2, 3))),
    case(np.einsum, "np.einsum('ij,j->i', x, y)", x=values((2, 3)), y=values((3,), seed=3)),
    case(np.einsum, "np.einsum('ij,jk,kl->il', x, y, z)",
         x=values((2, 3)), y=values((3, 4), seed=3), z=values((4, 2), seed=5)),
    case(np.einsum, "np.einsum('i,i,i->', x, y, z)",
         x=values((3,)), y=values((3,), seed=3), z=values((3,), seed=5)),
    case(np.einsum, "np.einsum('ij,kj->ikj', x, y)", x=values((2, 3)), y=values((4, 3), seed=3)),
    case(np.einsum, "np.einsum('ij,jk->ik', x, y, optimize=True)",
         x=values((2, 3)), y=values((3, 4), seed=3)),
    case(np.kron, "np.kron(x, y)", x=values((2, 3)), y=values((2, 2), seed=3)),
    case(np.kron, "np.kron(x, y)", x=values((3,)), y=values((2,), seed=3)),
    case(np.kron, "np.kron(x, y)", x=values((3,)), y=values((2, 2), seed=3)),
    case(np.kron, "np.kron(x, y)", x=values(()), y=values((2, 2), seed=3)),
    case(np.cross, "np.cross(x, y)", x=values((3,)), y=values((3,), seed=3)),
    case(np.cross, "np.cross(x, y)", x=values((4, 3)), y=values((3,), seed=3)),
    case(np.cross, "np.cross(x, y, axis=0)", x=values((3, 2)), y=values((3, 2), seed=3)),
    case(np.cross, "np.cross(x, y, axisa=0, axisc=0)", x=values((3, 2)), y=values((2, 3), seed=3)),
    # axis=None given: axisa, axisb, axisc apply (the gradient raised a broadcast error)
    case(np.cross, "np.cross(x, y, axisc=0, axis=None)", x=values((2, 3)),
         y=values((2, 3), seed=3)),
    case(np.cross, "np.cross(x, y, axisa=0, axisb=1, axisc=0, axis=None)", x=values((3, 2)),
         y=values((2, 3), seed=3)),
    case(np.cross, "np.cross(x, y, axisa=0, axis=1)", x=values((2, 3)), y=values((2, 3), seed=3)),
    case(np.cross, "np.cross(x, y, axisc=0, axis=a)", x=values((2, 3)), y=values((2, 3), seed=3),
         a=None),
    # ----- norms
    case(np.linalg.norm, "np.linalg.norm(x)", x=values((3,))),
    case(np.linalg.norm, "np.linalg.norm(x)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x)", x=values((2, 3, 2))),
    case(np.linalg.norm, "np.linalg.norm(x, 2)", x=values((3,))),
    case(np.linalg.norm, "np.linalg.norm(x, ord=1)", x=values((3,))),
    case(np.linalg.norm, "np.linalg.norm(x, np.inf)", x=values((4,))),
    case(np.linalg.norm, "np.linalg.norm(x, -np.inf)", x=values((4,))),
    case(np.linalg.norm, "np.linalg.norm(x, 3)", x=values((4,))),
    case(np.linalg.norm, "np.linalg.norm(x, 'fro')", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, 'nuc')", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, 2)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, 1)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, np.inf)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, axis=1)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, axis=0, keepdims=True)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, keepdims=True)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, 1, axis=-1)", x=values((2, 3))),
    case(np.linalg.norm, "np.linalg.norm(x, axis=(1, 2))", x=values((2, 3, 4))),
    case(np.linalg.norm, "np.linalg.norm(x, 'fro', axis=(0, 2), keepdims=True)",
         x=values((2, 3, 4))),
    case(np.linalg.norm, "np.linalg.norm(x, 1, axis=(2, 0))", x=values((2, 3, 4))),
    # ----- inverses, determinants, solvers
    case(np.linalg.inv, "np.linalg.inv(x)", x=well_conditioned(3)),
    case(np.linalg.inv, "np.linalg.inv(x)", x=np.stack([well_conditioned(2, s) for s in (1, 2)])),
    case(np.linalg.det, "np.linalg.det(x)", x=well_conditioned(3)),
    case(np.linalg.det, "np.linalg.det(x)", x=np.stack([well_conditioned(2, s) for s in (1, 2)])),
    case(np.linalg.det, "np.linalg.det(x)", x=-well_conditioned(3, seed=4)),
    case(np.linalg.slogdet, "np.linalg.slogdet(x)[1]", x=well_conditioned(3)),
    case(np.linalg.slogdet, "np.linalg.slogdet(x)[1]", x=-well_conditioned(3, seed=4)),
    case(np.linalg.slogdet, "np.linalg.slogdet(x)[1]",
         x=np.stack([well_conditioned(2, s) for s in (1, 2)])),
    case(np.linalg.solve, "np.linalg.solve(x, y)", x=well_conditioned(3), y=values((3,), seed=3)),
    case(np.linalg.solve, "np.linalg.solve(x, y)", x=well_conditioned(3),
         y=values((3, 2), seed=3)),
    case(np.linalg.solve, "np.linalg.solve(x, y)",
         x=np.stack([well_conditioned(3, s) for s in (1, 2)]), y=values((2, 3, 2), seed=3)),
    case(np.linalg.solve, "np.linalg.solve(x, y)", x=well_conditioned(3),
         y=values((2, 3, 2), seed=3)),
    case(np.linalg.pinv, "np.linalg.pinv(x)", x=values((3, 2)) + np.eye(3, 2) * 2),
    case(np.linalg.pinv, "np.linalg.pinv(x)", x=values((2, 4)) + np.eye(2, 4) * 2),
    case(np.linalg.pinv, "np.linalg.pinv(x)", x=well_conditioned(3)),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, 0)", x=values((3, 3))),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, 1)", x=values((3, 3))),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, 2)", x=values((3, 3))),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, 3)", x=values((3, 3))),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, 4)", x=values((2, 3, 3))),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, -2)", x=well_conditioned(3)),
    case(np.linalg.matrix_power, "np.linalg.matrix_power(x, n)", wrt=("x",), x=values((3, 3)),
         n=3),
    # ----- decompositions, through a symmetric matrix (see the rules' docstrings)
    case(np.linalg.cholesky, "np.linalg.cholesky(x @ x.T)", x=well_conditioned(3)),
    case(np.linalg.cholesky, "np.linalg.cholesky((x + x.T) / 2)", x=symmetric_positive(3)),
    case(np.linalg.cholesky, "np.linalg.cholesky((x + x.T) / 2, upper=True)",
         x=symmetric_positive(3)),
    case(np.linalg.eigh, "np.linalg.eigh(x + x.T)[0]", x=values((3, 3))),
    case(np.linalg.eigvalsh, "np.linalg.eigvalsh(x + x.T)", x=values((3, 3))),
    case(np.linalg.eigvalsh, "np.linalg.eigvalsh(x + x.T, UPLO='U')", x=values((3, 3))),
    case(np.linalg.eigvalsh, "np.linalg.eigvalsh(x + x.T, 'L') ** 2", x=values((3, 3))),
    case(np.linalg.eigvalsh, "np.linalg.eigvalsh(x + np.swapaxes(x, -1, -2))",
         x=values((2, 3, 3))),
    case(np.linalg.eigvalsh, "np.linalg.eigvalsh(x + np.swapaxes(x, -1, -2), UPLO='U')",
         x=values((2, 3, 3))),
]


test_gradient, test_float32, test_tangent = sweep_tests(CASES)


def test_einsum_with_sublists_held_in_variables():
    """Forward mode is right (each operand is linear, whichever parameter holds it);
    reverse mode, which needs the subscripts, is a clear error."""
    from autodiff_ast import jvp
    from autodiff_ast.errors import MissingRuleError

    f = function_from_source("f", "def f(a, s, b, t):\n    return np.einsum(a, s, b, t)\n", {})
    a, b, s, t = values((2, 3)), values((3, 4), seed=3), [0, 1], [1, 2]
    da, db = values((2, 3), seed=5), values((3, 4), seed=6)
    value, tangent = jvp(f, wrt=(0, 2))((a, s, b, t), (da, db))
    np.testing.assert_allclose(value, a @ b)
    np.testing.assert_allclose(tangent, da @ b + a @ db)
    g = function_from_source("g", "def g(a, s, b, t):\n    return np.sum(np.einsum(a, s, b, t))\n",
                             {})
    with pytest.raises(MissingRuleError, match="sublists held in variables are not supported"):
        grad(g)(a, s, b, t)


def test_einsum_sublists_must_hold_integer_labels():
    from autodiff_ast.errors import AutodiffSyntaxError

    f = function_from_source("f", "def f(a, k):\n    return np.sum(np.einsum(a, [0, k]))\n", {})
    with pytest.raises(AutodiffSyntaxError, match="sublists must be written out as lists of "
                                                   "integer labels") as caught:
        grad(f)(values((2, 3)), 1)
    assert caught.value.filename.startswith("<sweep")


def test_einsum_subscripts_with_an_operand_written_as_a_list():
    """Not the sublist form: a subscripts string, then an operand written as a list."""
    f = function_from_source("f", "def f(a):\n    return np.einsum('i,i', [1.0, 2.0], a)\n", {})
    check_grads(f, values((2,)))


# ----- functions of tuple results, unpacked ----------------------------------------------

UNPACKED = {
    "slogdet": ("def f(x):\n"
                "    s, l = np.linalg.slogdet(x)\n"
                "    return s * l\n", -well_conditioned(3, seed=4)),
    "slogdet_logdet_only": ("def f(x):\n"
                            "    sign, logdet = np.linalg.slogdet(x)\n"
                            "    return 2.0 * logdet\n", well_conditioned(3)),
    "eigh_values": ("def f(x):\n"
                    "    w, v = np.linalg.eigh(x + x.T)\n"
                    "    return np.sum(w * np.array([1.0, 2.0, 3.0]))\n", values((3, 3))),
    # squared eigenvectors do not depend on the sign LAPACK picks
    "eigh_vectors": ("def f(x):\n"
                     "    w, v = np.linalg.eigh(x + x.T)\n"
                     "    return np.sum(v ** 4)\n", values((3, 3))),
    "eigh_both": ("def f(x):\n"
                  "    w, v = np.linalg.eigh(x + x.T)\n"
                  "    return np.sum(w ** 2) + np.sum((v * w) ** 4)\n",
                  values((3, 3))),
}


@pytest.mark.parametrize("name", sorted(UNPACKED))
def test_unpacked_tuple_result(name):
    source, x = UNPACKED[name]
    check_grads(function_from_source("f", source, {}), x, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(UNPACKED))
def test_unpacked_tuple_result_float32(name):
    source, x = UNPACKED[name]
    f = function_from_source("f", source, {})
    got = grad(f).generated_function(np.asarray(x, dtype=np.float32), np.float32(1.0))
    got = got[0] if isinstance(got, tuple) else got
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, grad(f)(x), rtol=2e-3, atol=2e-3)


# ----- readability of the generated code -------------------------------------------------

def _code(gradient):
    """The generated source without its comments (which quote the user's code)."""
    return "\n".join(line for line in gradient.source.splitlines()
                     if not line.strip().startswith("#"))


def test_inverse_adjoint_reuses_the_result():
    f = function_from_source("f", "def f(x):\n    return np.sum(np.linalg.inv(x))\n", {})
    assert _code(grad(f)).count("np.linalg.inv(") == 1, grad(f).source


def test_solve_solves_once_in_the_adjoint_sweep():
    f = function_from_source(
        "f", "def f(a, b):\n    return np.sum(np.linalg.solve(a, b))\n", {})
    code = _code(grad(f, wrt=(0, 1)))
    assert code.count("np.linalg.solve(") == 2, code  # forward and adjoint


def test_einsum_rule_is_inlined():
    f = function_from_source(
        "f", "def f(a, b):\n    return np.sum(np.einsum('ij,jk->ik', a, b))\n", {})
    code = _code(grad(f, wrt=(0, 1)))
    assert "einsum_operand_adjoint(" in code and "einsum_adjoint" not in code, code


def test_einsum_with_subscripts_in_a_variable():
    """The subscripts are then known at run time only and the rule is called there."""
    f = function_from_source(
        "f", "def f(a, b, c):\n    s = 'ij,jk,kl->il'\n    return np.sum(np.einsum(s, a, b, c))\n",
        {})
    check_grads(f, values((2, 3)), values((3, 4), seed=3), values((4, 2), seed=5), wrt=(0, 1, 2))


@pytest.mark.parametrize("expr, shape", [
    ("np.linalg.norm(x)", (3,)), ("np.linalg.norm(x, 1)", (3,)),
    ("np.linalg.norm(x, np.inf)", (3,)), ("np.linalg.norm(x, 3)", (3,)),
    ("np.sum(np.linalg.norm(x, axis=1))", (2, 3)),
    ("np.linalg.norm(x, 'fro')", (2, 3)), ("np.linalg.norm(x, 'nuc')", (2, 3)),
    ("np.linalg.norm(x, 2)", (2, 3)), ("np.linalg.norm(x, 1)", (2, 3))])
def test_norm_at_zero_has_zero_gradient(expr, shape):
    f = function_from_source("f", f"def f(x):\n    return {expr}\n", {})
    np.testing.assert_array_equal(grad(f)(np.zeros(shape)), np.zeros(shape))
