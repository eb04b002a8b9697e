"""Sweeps of the rules of the linear algebra helpers that generated gradient code calls
(rules/linalg.py: ``dot_lhs``, ``einsum_operand_adjoint``, ``norm_input_adjoint``...; and
``logsumexp_weights`` of rules/scipy_special.py), so that gradients of products, norms,
matrix powers, ``eigh`` and ``logsumexp`` can themselves be differentiated (``hessian`` in
forward mode over them, ``grad(grad(f))`` in reverse mode).

A helper's argument that it reads for its shape only (``a`` of ``dot_lhs(g, a, b)``) is
differentiated too in some cases, as in gradient code, where it is the differentiated
input: its gradient is zero. ``test_second_order.py`` runs these cases as well (third
derivatives of the primals): the rules of each family call only functions with rules.
The cases of ``norm_input_adjoint`` that go through the singular value decomposition
(``'nuc'``, the matrix 2-norms) or an order known at run time only (``np.inf``) have
exact first and second derivatives but no third ones; they are checked below, outside
``CASES``.
"""

import numpy as np
import pytest
from sweep import _functions, case, run_case, run_float32, run_tangent, sweep_tests, values

from autodiff_ast import grad
from autodiff_ast.errors import MissingRuleError
from autodiff_ast.rules import linalg, scipy_special
from autodiff_ast.transforms import hvp

HELPERS = {name: getattr(linalg, name) for name in (
    "dot_lhs", "dot_rhs", "inner_lhs", "inner_rhs", "tensordot_lhs", "tensordot_rhs",
    "kron_lhs", "kron_rhs", "einsum_operand_adjoint", "matrix_power_input_adjoint",
    "eigh_input_adjoint", "norm_input_adjoint")}
HELPERS["logsumexp_weights"] = scipy_special.logsumexp_weights


def helper(name, expr, wrt, rtol=1e-5, **args):
    return case(HELPERS[name], expr, wrt=wrt, rtol=rtol, namespace=HELPERS, **args)


def product_cases(name, product, shapes, stands_for, **options):
    """Cases of the adjoint helper of one factor of ``product`` (``'lhs'``: ``a``,
    ``'rhs'``: ``b``): ``g`` of the product's shape, the other factor, and the factor the
    helper stands for (zeros, read for its shape only; differentiated in every other
    case)."""
    cases = []
    for k, (a_shape, b_shape) in enumerate(shapes):
        g_shape = np.shape(product(np.zeros(a_shape), np.zeros(b_shape)))
        other = "b" if stands_for == "lhs" else "a"
        wrt = ("g", other) + (("a" if stands_for == "lhs" else "b",) if k % 2 else ())
        arguments = {"g": values(g_shape, seed=1),
                     "a": values(a_shape, seed=2) if other == "a" else np.zeros(a_shape),
                     "b": values(b_shape, seed=3) if other == "b" else np.zeros(b_shape)}
        call = ", ".join(["g", "a", "b"] + [f"{k}={v!r}" for k, v in options.items()])
        cases.append(helper(name, f"{name}({call})", wrt, **arguments))
    return cases


DOT_SHAPES = [((), ()), ((), (2, 3)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)),
              ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)),
              ((2, 3, 4), (5, 4, 2)), ((2, 3), (2, 3, 4))]
INNER_SHAPES = [((), (3,)), ((3,), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (2, 3)),
                ((2, 3), (4, 3)), ((2, 5, 3), (4, 3))]
KRON_SHAPES = [((2, 3), (2, 2)), ((3,), (2,)), ((3,), (2, 2)), ((), (2, 2)), ((2, 2), (3,))]


def tensordot_cases():
    cases = []
    for axes, a_shape, b_shape in [(2, (2, 3, 4), (3, 4, 5)), (1, (2, 3), (3, 4)),
                                   (0, (2,), (3,)), (([1, 2], [1, 0]), (2, 3, 4), (4, 3, 5)),
                                   ((0, -1), (3, 2), (4, 3))]:
        def product(a, b, axes=axes):
            return np.tensordot(a, b, axes)
        cases += product_cases("tensordot_lhs", product, [(a_shape, b_shape)], "lhs", axes=axes)
        cases += product_cases("tensordot_rhs", product, [(a_shape, b_shape)], "rhs", axes=axes)
    return cases


def einsum_cases():
    def einsum(subscripts, i, *shapes, wrt=None, rtol=1e-5):
        names = "abc"[:len(shapes)]
        operands = {n: values(s, seed=2 + k) for k, (n, s) in enumerate(zip(names, shapes))}
        g_shape = np.shape(np.einsum(subscripts, *[np.zeros(s) for s in shapes]))
        display = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
        expr = f"einsum_operand_adjoint(g, {subscripts!r}, {display}, {i})"
        return helper("einsum_operand_adjoint", expr, wrt or ("g",) + tuple(names), rtol=rtol,
                      g=values(g_shape, seed=1), **operands)

    return [
        einsum("ij,jk->ik", 0, (2, 3), (3, 4)),
        einsum("ij,jk->ik", 1, (2, 3), (3, 4)),
        einsum("ij,jk", 1, (2, 3), (3, 4), wrt=("g", "a")),
        einsum("ij,ij->", 0, (2, 3), (2, 3)),
        einsum("i,j->ij", 1, (2,), (3,)),
        einsum("...ij,...jk->...ik", 0, (2, 3, 4), (4, 5)),
        einsum("...ij,...jk->...ik", 1, (2, 3, 4), (4, 5)),
        einsum("ij,ij->ij", 0, (1, 3), (2, 3)),  # a length-1 axis broadcast
        einsum("ii->i", 0, (3, 3)),  # the adjoint on the diagonal
        einsum("ii", 0, (3, 3)),
        einsum("ij->", 0, (2, 3)),  # letters of the operand only: broadcast
        einsum("ij->ji", 0, (2, 3)),
        einsum("ij,jk,kl->il", 0, (2, 3), (3, 4), (4, 2)),
        einsum("ij,jk,kl->il", 1, (2, 3), (3, 4), (4, 2)),
        einsum("ij,jk,kl->il", 2, (2, 3), (3, 4), (4, 2), wrt=("g", "b", "c")),
        einsum("i,i,i->", 1, (3,), (3,), (3,)),
    ]


def well_conditioned(shape, seed=0):
    return values(shape, seed=seed) + 4 * np.eye(shape[-1])


def matrix_power_cases():
    cases = []
    for n, shape, a in [(3, (3, 3), values((3, 3), seed=2)),
                        (4, (2, 3, 3), values((2, 3, 3), seed=2)),
                        (2, (3, 3), values((3, 3), seed=2)),
                        (1, (3, 3), values((3, 3), seed=2)),
                        (-2, (3, 3), well_conditioned((3, 3), seed=2))]:
        cases.append(helper("matrix_power_input_adjoint",
                            f"matrix_power_input_adjoint(g, a, {n})", ("g", "a"),
                            g=values(shape, seed=1), a=a))
    cases.append(helper("matrix_power_input_adjoint", "matrix_power_input_adjoint(g, a, n)",
                        ("g", "a"), g=values((3, 3), seed=1), a=values((3, 3), seed=2), n=3))
    return cases


def eigh_cases():
    """Eigenvalues ``lam`` distinct (the formula divides by their differences) and any
    matrix ``vec``: the helper is differentiated as a function of four independent
    arguments. (``w`` is the sweep's weight.)"""
    expr = "eigh_input_adjoint(g_lam, g_vec, lam, vec)"
    wrt = ("g_lam", "g_vec", "lam", "vec")
    return [
        helper("eigh_input_adjoint", expr, wrt, rtol=1e-4,
               g_lam=values((3,), seed=1), g_vec=values((3, 3), seed=2),
               lam=np.array([-1.5, 0.25, 2.0]), vec=values((3, 3), seed=3)),
        helper("eigh_input_adjoint", expr, wrt, rtol=1e-4,
               g_lam=values((2, 3), seed=1), g_vec=values((2, 3, 3), seed=2),
               lam=np.array([[-1.5, 0.25, 2.0], [-2.0, -1.0, 1.0]]),
               vec=values((2, 3, 3), seed=3)),
        # through eigh itself, as gradient code has it (eigenvalues used only)
        helper("eigh_input_adjoint",
               "eigh_input_adjoint(g_lam, np.zeros_like(x), np.linalg.eigh(x + x.T)[0], "
               "np.linalg.eigh(x + x.T)[1])", ("g_lam", "x"), rtol=1e-4,
               g_lam=values((3,), seed=1), x=values((3, 3), seed=4)),
    ]


def norm(ord=None, axis=None, keepdims=False, shape=(3,), independent=False):
    """A case of ``norm_input_adjoint(g, ans, x, ord, axis, keepdims)``: ``ans`` is the
    norm of ``x`` computed in the expression (so that the two agree, as in gradient code),
    or an independent argument near it."""
    x = values(shape, seed=2)
    ans = np.linalg.norm(x, ord, axis, keepdims)
    g = values(np.shape(ans), 0.5, 1.5, seed=1)
    literal = f"{ord!r}, {axis!r}, {keepdims!r}"
    arguments = {"g": g, "x": x}
    if independent:
        arguments["a"] = ans + 0.1 if np.ndim(ans) == 0 else ans + 0.1 * np.ones_like(ans)
        norm_of_x = "a"
    else:
        norm_of_x = f"np.linalg.norm(x, {literal})"
    expr = f"norm_input_adjoint(g, {norm_of_x}, x, {literal})"
    return helper("norm_input_adjoint", expr, tuple(arguments), **arguments)


NORMS = [
    # the 2-norm and the Frobenius norm: g * x / ans
    norm(),
    norm(independent=True),
    norm(shape=(2, 3)),
    norm("fro", shape=(2, 3)),
    norm(axis=1, shape=(2, 3)),
    norm(axis=1, shape=(2, 3), independent=True),
    norm(axis=0, keepdims=True, shape=(2, 3)),
    norm(2, axis=-1, shape=(2, 3)),
    norm("fro", axis=(0, 2), keepdims=True, shape=(2, 3, 4)),
    # vector p-norms: g * sign(x) * (|x| / ans) ** (p - 1)
    norm(3, shape=(4,)),
    norm(3, shape=(4,), independent=True),
    norm(0.5, shape=(4,)),
    norm(-2, axis=1, shape=(2, 4)),
    norm(-1, axis=0, shape=(4, 2), independent=True),
    norm(3, axis=1, keepdims=True, shape=(2, 4)),
    # piecewise constant gradients
    norm(1, shape=(4,)),
    norm(1, shape=(4,), independent=True),
    norm(0, shape=(4,)),
    norm(1, axis=(0, 1), shape=(2, 3)),
    norm(-1, axis=(1, 0), shape=(3, 2)),
    norm(1, axis=-1, shape=(2, 3)),
]

# exact first and second derivatives, no third ones (see the module docstring)
SINGULAR_NORMS = [
    norm("nuc", shape=(2, 3)),
    norm("nuc", shape=(3, 2), independent=True),
    norm(2, shape=(2, 3)),
    norm(-2, shape=(3, 2)),
    norm(2, axis=(2, 0), shape=(2, 3, 4)),
    norm("nuc", axis=(0, 2), keepdims=True, shape=(2, 3, 4)),
    norm(2, shape=(4,)),  # the order 2 without axes: a vector or a matrix, known at run time
    norm(-1, shape=(4,)),
]
INFINITE_NORMS = [  # the order np.inf is known at run time only
    helper("norm_input_adjoint",
           "norm_input_adjoint(g, np.linalg.norm(x, o), x, o, None, False)", ("g", "x"),
           g=1.5, x=values((4,), seed=2), o=np.inf),
    helper("norm_input_adjoint",
           "norm_input_adjoint(g, np.linalg.norm(x, -np.inf, 1), x, -np.inf, 1, False)",
           ("g", "x"), g=values((2,), seed=1), x=values((2, 4), seed=2)),
    helper("norm_input_adjoint",
           "norm_input_adjoint(g, np.linalg.norm(x, np.inf), x, np.inf, None, False)",
           ("g", "x"), g=1.5, x=values((2, 3), seed=2)),
]

CASES = [
    *product_cases("dot_lhs", np.dot, DOT_SHAPES, "lhs"),
    *product_cases("dot_rhs", np.dot, DOT_SHAPES, "rhs"),
    *product_cases("inner_lhs", np.inner, INNER_SHAPES, "lhs"),
    *product_cases("inner_rhs", np.inner, INNER_SHAPES, "rhs"),
    *product_cases("kron_lhs", np.kron, KRON_SHAPES, "lhs"),
    *product_cases("kron_rhs", np.kron, KRON_SHAPES, "rhs"),
    *tensordot_cases(),
    *einsum_cases(),
    *matrix_power_cases(),
    *eigh_cases(),
    *NORMS,
    helper("logsumexp_weights", "logsumexp_weights(b) * x", ("b", "x"),
           b=values((3,), seed=1), x=values((2, 3), seed=2)),
    helper("logsumexp_weights", "logsumexp_weights(b) * x", ("b", "x"), b=1.5,
           x=values((3,), seed=2)),
    helper("logsumexp_weights", "logsumexp_weights(None) * x", ("x",), x=values((3,), seed=2)),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)

OUTSIDE = SINGULAR_NORMS + INFINITE_NORMS


@pytest.mark.parametrize("c", OUTSIDE, ids=lambda c: c.id)
def test_norm_gradient_without_third_derivatives(c):
    run_case(c)


@pytest.mark.parametrize("c", OUTSIDE, ids=lambda c: c.id)
def test_norm_tangent_without_third_derivatives(c):
    run_tangent(c)


@pytest.mark.parametrize("c", OUTSIDE, ids=lambda c: c.id)
def test_norm_float32_without_third_derivatives(c):
    run_float32(c)


def test_third_derivative_of_a_singular_value_norm_is_reported():
    """Differentiating the gradient of ``norm_input_adjoint`` for ``'nuc'`` (a third
    derivative of the nuclear norm) stops at a helper whose source cannot be
    differentiated, by name and line."""
    c = SINGULAR_NORMS[0]
    f, _, weight = _functions(c)
    args = list(c.args.values()) + [weight]
    grad(f, wrt=(0, 1))(*args)  # the second derivatives are there
    with pytest.raises(MissingRuleError, match=r"autodiff_ast\.rules\.linalg\._norm_parts, "
                                               r"which gradient code calls .* cannot be "
                                               r"differentiated again: raise is not supported"):
        hvp(f, wrt=(0, 1))(args, [0.5, np.ones((2, 3))])


def _einsum_by_subscripts(x, subscripts):
    return np.sum(np.sin(np.einsum(subscripts, x, x)))


def test_second_derivative_through_subscripts_known_at_run_time_is_reported():
    """einsum's rule is called at run time when the subscripts are a variable; its source
    validates them with ``raise``, so it cannot be differentiated again: the error names
    it and says what to do."""
    x = np.arange(6.0).reshape(2, 3) / 6
    grad(_einsum_by_subscripts)(x, "ij,kj->ik")  # first derivatives work
    with pytest.raises(MissingRuleError) as raised:
        hvp(_einsum_by_subscripts)((x, "ij,kj->ik"), (np.ones((2, 3)),))
    message = str(raised.value)
    assert "autodiff_ast.rules.linalg.einsum, which gradient code calls" in message
    assert "raise is not supported" in message
    assert "Write such arguments as constants" in message
