"""Sweeps of the functions that the rules of the shape, reduction and builtin families
make generated code call: their helpers (``unconcatenate``, ``untile``,
``product_of_others``, ``cumprod_adjoint``...) and the rules themselves where an argument
such as ``axis`` is known only at run time (``sum_``, ``amax``...). Their own rules make
generated gradient code differentiable again: ``test_second_order.py`` runs every case
here in forward-over-reverse and reverse-over-reverse mode too, so each helper's adjoint
rule must use only functions that have rules of their own.

The helpers are called through a namespace, as generated code calls them. A helper that
returns a list of arrays is called from a small function that unpacks it (the compiler
inlines it)."""

import builtins
import warnings

import numpy as np

from autodiff_ast import grad, hessian
from autodiff_ast.rules import python_builtins, reductions, shape
from autodiff_ast.transforms import hvp
from sweep import case, function_from_source, sweep_tests, values

SHAPE = {name: getattr(shape, name) for name in (
    "unconcatenate", "unjoin", "concatenate_pieces", "unconcatenate_piece", "concatenate_piece",
    "untile", "unrepeat", "untake", "undiagonal", "unpad", "uncast", "unravel", "reravel",
    "unsort", "resort", "transpose")}
REDUCTIONS = {name: getattr(reductions, name) for name in (
    "to_rows", "from_rows", "reduced_shape", "diagonal_mask", "aligned_weights",
    "unaligned_weights", "centred", "product_of_others", "product_of_others_tangent",
    "cumprod_adjoint", "cumprod_input_tangent", "cumprod_adjoint_tangent",
    "cumprod_second_tangent", "sum_", "mean", "cumsum", "amax", "amax_tangent", "amin",
    "amin_tangent", "ptp", "ptp_tangent", "nansum", "nansum_tangent", "nanmean",
    "nanmean_tangent", "prod", "prod_tangent", "var", "var_tangent", "std", "std_tangent")}
BUILTINS = {name: getattr(python_builtins, name) for name in ("builtin_sum", "items_adjoint")}


def unconcatenated(g, a, b, axis):
    """The pieces of ``g`` that ``unconcatenate`` gives ``a`` and ``b``, flattened and
    joined (a list of arrays is unpacked into names to be differentiated)."""
    p, q = shape.unconcatenate(g, [a, b], axis)
    return np.concatenate([np.ravel(p), np.ravel(q)])


def unconcatenated_three(g, a, b, c):
    p, q, r = shape.unconcatenate(g, [a, b, c], 1)
    return np.concatenate([np.ravel(p), np.ravel(q), np.ravel(r)])


SHAPE.update(unconcatenated=unconcatenated, unconcatenated_three=unconcatenated_three)


def helper(namespace, name, expr, wrt, **args):
    return case(namespace[name], expr, wrt=wrt, namespace=namespace, **args)


def shaped(name, expr, wrt, **args):
    return helper(SHAPE, name, expr, wrt, **args)


def reduced(name, expr, wrt, **args):
    return helper(REDUCTIONS, name, expr, wrt, **args)


def with_zeros(shape_, positions, seed=0):
    x = values(shape_, 0.5, 1.5, seed=seed)
    for position in positions:
        x[position] = 0.0
    return x


Z2, Z3 = np.zeros((2, 3)), np.zeros((2, 3, 4))
FORTRAN = np.zeros((3, 2)).T  # Fortran-contiguous: orders "A" and "K" read it by columns
REPEATED = np.array([0, 2, 0, 3, 2])
TIED = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 1.0]])  # equal elements along both axes

SHAPE_CASES = [
    # joining: unconcatenate and its transpose concatenate_pieces, one piece of each
    shaped("unconcatenate", "unconcatenated(g, a, b, 0)", ("g",), g=values((5,)),
           a=np.zeros(2), b=np.zeros(3)),
    shaped("unconcatenate", "unconcatenated(g, a, b, -1)", ("g",), g=values((2, 5)),
           a=np.zeros((2, 3)), b=np.zeros((2, 2))),
    shaped("unconcatenate", "unconcatenated(g, a, b, None)", ("g",), g=values((10,)),
           a=np.zeros((2, 3)), b=np.zeros(4)),
    shaped("unconcatenate", "unconcatenated_three(g, a, b, c)", ("g",), g=values((3, 3)),
           a=np.zeros(3), b=np.zeros((3, 1)), c=np.zeros(3)),  # np.column_stack's pieces
    # one variable joined: an array's adjoint is an array of its shape (np.vstack(x))
    shaped("unjoin", "unjoin(g, a, 0)", ("g",), g=values((2, 3)), a=np.zeros((2, 3))),
    shaped("unjoin", "unjoin(g, a, 1)", ("g",), g=values((3, 2)), a=np.zeros((2, 3))),
    shaped("unjoin", "unjoin(g, a, None)", ("g",), g=values((24,)), a=np.zeros((2, 3, 4))),
    shaped("concatenate_pieces", "concatenate_pieces([p, q], g, [a, b], 0)", ("p", "q"),
           p=values((2,), seed=1), q=values((3,), seed=2), g=np.zeros(5), a=np.zeros(2),
           b=np.zeros(3)),
    shaped("concatenate_pieces", "concatenate_pieces([p, q], g, [a, b], 1)", ("p", "q"),
           p=values((3,), seed=1), q=values((3, 2), seed=2), g=np.zeros((3, 3)),
           a=np.zeros(3), b=np.zeros((3, 2))),
    shaped("concatenate_pieces", "concatenate_pieces([p, q], g, [a, b], None)", ("p", "q"),
           p=values((2, 3), seed=1), q=values((4,), seed=2), g=np.zeros(10),
           a=np.zeros((2, 3)), b=np.zeros(4)),
    shaped("unconcatenate_piece", "unconcatenate_piece(g, (a, b), None, 0)", ("g",),
           g=values((8,)), a=np.zeros((2, 3)), b=np.zeros(2)),
    shaped("unconcatenate_piece", "unconcatenate_piece(g, (a, b), 0, 1)", ("g",),
           g=values((3, 3)), a=np.zeros((2, 3)), b=np.zeros((1, 3))),
    shaped("concatenate_piece", "concatenate_piece(d, g, (a, b), None, 1)", ("d",),
           d=values((2,)), g=np.zeros(8), a=np.zeros((2, 3)), b=np.zeros(2)),
    shaped("concatenate_piece", "concatenate_piece(d, g, (a, b), 1, 0)", ("d",),
           d=values((3, 2)), g=np.zeros((3, 3)), a=np.zeros((3, 2)), b=np.zeros((3, 1))),
    # tiles, repeats, takes, diagonals and padding
    shaped("untile", "untile(g, a, 3)", ("g",), g=values((6,)), a=np.zeros(2)),
    shaped("untile", "untile(g, a, (2, 1, 2))", ("g",), g=values((2, 2, 6)), a=Z2),
    shaped("untile", "untile(g, a, (3, 1))", ("g",), g=values((3, 4)), a=np.zeros(4)),
    shaped("unrepeat", "unrepeat(g, a, 2)", ("g",), g=values((12,)), a=Z2),
    shaped("unrepeat", "unrepeat(g, a, 3, 1)", ("g",), g=values((2, 9)), a=Z2),
    shaped("unrepeat", "unrepeat(g, a, [1, 0, 2], -1)", ("g",), g=values((2, 3)), a=Z2),
    shaped("unrepeat", "unrepeat(g, a, r)", ("g",), g=values((6,)), a=np.zeros(3),
           r=np.array([2, 1, 3])),
    shaped("untake", "untake(g, a, i)", ("g",), g=values((5,)), a=np.zeros(4), i=REPEATED),
    shaped("untake", "untake(g, a, i, 1)", ("g",), g=values((2, 5)), a=np.zeros((2, 4)),
           i=REPEATED),
    shaped("untake", "untake(g, a, i, -1, 'wrap')", ("g",), g=values((2, 3, 5)), a=Z3,
           i=REPEATED + 2),
    shaped("untake", "untake(g, a, i, 0, 'clip')", ("g",), g=values((5, 3)), a=Z2,
           i=REPEATED),
    shaped("untake", "untake(g, a, 4)", ("g",), g=1.5, a=Z2),
    shaped("undiagonal", "undiagonal(g, a)", ("g",), g=values((3,)), a=np.zeros((3, 3))),
    shaped("undiagonal", "undiagonal(g, a, 1)", ("g",), g=values((2,)), a=Z2),
    shaped("undiagonal", "undiagonal(g, a, -1, 2, 0)", ("g",), g=values((3, 2)), a=Z3),
    shaped("unpad", "unpad(g, a, 1)", ("g",), g=values((4, 5)), a=Z2),
    shaped("unpad", "unpad(g, a, ((1, 0), (2, 1)))", ("g",), g=values((3, 6)), a=Z2),
    shaped("unpad", "unpad(g, a, (2, 3), 'edge')", ("g",), g=values((9,)), a=np.zeros(4)),
    shaped("unpad", "unpad(g, a, 2, 'reflect')", ("g",), g=values((6, 7)), a=Z2),
    shaped("unpad", "unpad(g, a, 3, 'symmetric')", ("g",), g=values((10,)), a=np.zeros(4)),
    shaped("unpad", "unpad(g, a, (1, 5), 'wrap')", ("g",), g=values((10,)), a=np.zeros(4)),
    # conversions and memory orders
    shaped("uncast", "uncast(g, a, np.float64)", ("g",), g=values((2, 3)),
           a=np.zeros((2, 3), dtype=int)),
    shaped("uncast", "uncast(g, a, np.float32)", ("g",), g=values((3,)), a=np.zeros(3)),
    shaped("uncast", "uncast(g, a, np.int8)", ("g",), g=values((2, 3)), a=Z2),
    shaped("uncast", "uncast(g, [a, b], np.float64)", ("g",), g=values((2, 3)),
           a=np.zeros(3), b=np.zeros(3)),
    shaped("unravel", "unravel(g, a, 'K')", ("g",), g=values((6,)), a=FORTRAN),
    shaped("unravel", "unravel(g, a, 'A')", ("g",), g=values((6,)), a=FORTRAN),
    shaped("unravel", "unravel(g, a, 'K')", ("g",), g=values((6,)), a=Z2),
    shaped("reravel", "reravel(d, a, 'K', (6,))", ("d",), d=values((2, 3)), a=FORTRAN),
    shaped("reravel", "reravel(d, a, 'A', (3, 2))", ("d",), d=values((2, 3)), a=FORTRAN),
    # sorting: unsort and its transpose resort, at ties too (a is read for its order only:
    # the gradient in a is zero away from ties)
    shaped("unsort", "unsort(g, a)", ("g", "a"), g=values((5,), seed=1), a=values((5,))),
    shaped("unsort", "unsort(g, a, 0)", ("g", "a"), g=values((4, 3), seed=1),
           a=values((4, 3))),
    shaped("unsort", "unsort(g, a, None)", ("g",), g=values((6,), seed=1), a=TIED),
    shaped("unsort", "unsort(g, a, 1)", ("g",), g=values((2, 3, 4), seed=1),
           a=np.repeat(values((2, 1, 4)), 3, axis=1)),
    shaped("unsort", "unsort(g, a, -1)", ("g",), g=values((2, 3), seed=1), a=TIED),
    shaped("resort", "resort(t, a)", ("t", "a"), t=values((5,), seed=1), a=values((5,))),
    shaped("resort", "resort(t, a, 0)", ("t",), t=values((2, 3), seed=1), a=TIED),
    shaped("resort", "resort(t, a, None)", ("t", "a"), t=values((2, 3), seed=1),
           a=values((2, 3))),
    shaped("resort", "resort(t, a, 1)", ("t",), t=values((2, 3, 4), seed=1),
           a=np.repeat(values((2, 1, 4)), 3, axis=1)),
    # the rule of np.transpose, called when the axes are known at run time only
    shaped("transpose", "transpose(g, c, a, axes)", ("g",), g=values((3, 4, 2)), c=Z3,
           a=Z3, axes=(1, 2, 0)),
    shaped("transpose", "transpose(g, c, a, axes)", ("g",), g=values((4, 2, 3)), c=Z3,
           a=Z3, axes=(-1, 0, 1)),
]

V2, V3 = values((3, 4)), values((2, 3, 4))
WEIGHTS = values((4, 2), 0.5, 2.0, seed=5)

REDUCTION_CASES = [
    # layouts
    reduced("to_rows", "to_rows(x, (0, 2))", ("x",), x=V3),
    reduced("to_rows", "to_rows(x, -1)", ("x",), x=V3),
    reduced("to_rows", "to_rows(x, None)", ("x",), x=V2),
    reduced("from_rows", "from_rows(r, a, (2, 0))", ("r",), r=values((3, 8)), a=Z3),
    reduced("from_rows", "from_rows(r, a, 0)", ("r",), r=values((3, 2)), a=Z2),
    reduced("from_rows", "from_rows(r, a, None)", ("r",), r=values((6,)), a=Z2),
    reduced("reduced_shape", "x * reduced_shape(x, 0)[1]", ("x",), x=V2),
    reduced("diagonal_mask", "x * diagonal_mask(x, 1, 0, 1)", ("x",), x=V2),
    reduced("aligned_weights", "aligned_weights(v, a, (2, 0))", ("v",), v=WEIGHTS, a=Z3),
    reduced("aligned_weights", "aligned_weights(v, a, 1)", ("v",), v=values((3,)), a=Z2),
    reduced("aligned_weights", "aligned_weights(v, a, None)", ("v",), v=values((2, 3)), a=Z2),
    reduced("unaligned_weights", "unaligned_weights(v, u, a, (2, 0))", ("v",),
            v=values((2, 1, 4)), u=np.zeros((4, 2)), a=Z3),
    reduced("unaligned_weights", "unaligned_weights(v, u, a, 0)", ("v",), v=values((2, 3)),
            u=Z2, a=Z2),
    reduced("centred", "centred(x, 1)", ("x",), x=V2),
    reduced("centred", "centred(x, (0, 2))", ("x",), x=V3),
    reduced("centred", "centred(x, None)", ("x",), x=V2),
    # products: exact where there are zeros, to every order
    reduced("product_of_others", "product_of_others(x, None)", ("x",), x=values((4,), 0.5, 1.5)),
    reduced("product_of_others", "product_of_others(x, 1)", ("x",), x=values((3, 4), -1.5, -0.5)),
    reduced("product_of_others", "product_of_others(x, (0, 2))", ("x",),
            x=values((2, 3, 4), 0.5, 1.5)),
    reduced("product_of_others", "product_of_others(x, None)", ("x",),
            x=with_zeros((3, 4), [(1, 2)])),
    reduced("product_of_others", "product_of_others(x, 1)", ("x",),
            x=with_zeros((3, 4), [(0, 1), (1, 0), (1, 3), (2, 0), (2, 1), (2, 2)])),
    reduced("product_of_others_tangent", "product_of_others_tangent(t, x, None)", ("t", "x"),
            t=values((4,), seed=1), x=values((4,), 0.5, 1.5)),
    reduced("product_of_others_tangent", "product_of_others_tangent(t, x, (0, 2))", ("t", "x"),
            t=values((2, 3, 4), seed=1), x=values((2, 3, 4), 0.5, 1.5)),
    reduced("product_of_others_tangent", "product_of_others_tangent(t, x, 0)", ("t", "x"),
            t=values((3, 4), seed=1), x=with_zeros((3, 4), [(0, 1), (1, 1), (2, 3)])),
    # cumulative products
    reduced("cumprod_adjoint", "cumprod_adjoint(g, x, None)", ("g", "x"), g=values((6,), seed=1),
            x=values((2, 3), 0.5, 1.5)),
    reduced("cumprod_adjoint", "cumprod_adjoint(g, x, 1)", ("g", "x"),
            g=values((2, 3, 4), seed=1), x=values((2, 3, 4), -1.5, -0.5)),
    reduced("cumprod_adjoint", "cumprod_adjoint(g, x, -1)", ("g", "x"),
            g=values((3, 4), seed=1), x=with_zeros((3, 4), [(0, 1), (1, 0), (1, 2), (2, 3)])),
    reduced("cumprod_adjoint", "cumprod_adjoint(g, x, None)", ("g", "x"),
            g=values((12,), seed=1), x=with_zeros((3, 4), [(1, 1)])),
    reduced("cumprod_input_tangent", "cumprod_input_tangent(t, x, 0)", ("t", "x"),
            t=values((4, 3), seed=1), x=values((4, 3), 0.5, 1.5)),
    reduced("cumprod_input_tangent", "cumprod_input_tangent(t, x, None)", ("t", "x"),
            t=values((2, 3), seed=1), x=values((2, 3), 0.5, 1.5)),
    reduced("cumprod_input_tangent", "cumprod_input_tangent(t, x, 1)", ("t", "x"),
            t=values((3, 4), seed=1), x=with_zeros((3, 4), [(0, 0), (1, 2), (2, 3)])),
    reduced("cumprod_adjoint_tangent", "cumprod_adjoint_tangent(g, s, x, 1)", ("g", "s", "x"),
            g=values((2, 3), seed=1), s=values((2, 3), seed=2), x=values((2, 3), 0.5, 1.5)),
    reduced("cumprod_adjoint_tangent", "cumprod_adjoint_tangent(g, s, x, None)",
            ("g", "s", "x"), g=values((4,), seed=1), s=values((2, 2), seed=2),
            x=with_zeros((2, 2), [(0, 1)])),
    reduced("cumprod_second_tangent", "cumprod_second_tangent(t, s, x, 0)", ("t", "s", "x"),
            t=values((3, 2), seed=1), s=values((3, 2), seed=2), x=values((3, 2), -1.5, -0.5)),
    reduced("cumprod_second_tangent", "cumprod_second_tangent(t, s, x, None)",
            ("t", "s", "x"), t=values((2, 2), seed=1), s=values((2, 2), seed=2),
            x=with_zeros((2, 2), [(1, 0)])),
    # rules called with an axis known at run time only: linear in g; the others enter
    # through masks (where the maximum is...), constant away from ties
    reduced("sum_", "sum_(g, c, a, k)", ("g",), g=values((2, 4)), c=0.0, a=Z3, k=1),
    reduced("sum_", "sum_(g, c, a, k, keepdims=True)", ("g",), g=values((1, 3, 1)), c=0.0,
            a=Z3, k=(0, 2)),
    reduced("sum_", "sum_(g, c, a, None)", ("g",), g=1.5, c=0.0, a=Z2),
    reduced("mean", "mean(g, c, a, k)", ("g",), g=values((2, 3)), c=0.0, a=Z3, k=-1),
    reduced("mean", "mean(g, c, a, k, keepdims=True)", ("g",), g=values((1, 3, 1)), c=0.0,
            a=Z3, k=(2, 0)),
    reduced("cumsum", "cumsum(g, c, a, k)", ("g",), g=values((2, 3, 4)), c=0.0, a=Z3, k=1),
    reduced("cumsum", "cumsum(g, c, a, None)", ("g",), g=values((6,)), c=0.0, a=Z2),
    reduced("amax", "amax(g, np.max(x, axis=k), x, k)", ("g", "x"), g=values((2, 4), seed=1),
            x=V3, k=1),
    reduced("amax", "amax(g, np.max(x, axis=k, keepdims=True), x, k, keepdims=True)",
            ("g", "x"), g=values((1, 3, 1), seed=1), x=V3, k=(0, 2)),
    reduced("amax_tangent", "amax_tangent(t, np.max(x, axis=k), x, k)", ("t", "x"),
            t=values((2, 3, 4), seed=1), x=V3, k=-1),
    reduced("amax_tangent", "amax_tangent(t, np.max(x), x)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2),
    reduced("amin", "amin(g, np.min(x, axis=k), x, k)", ("g", "x"), g=values((3,), seed=1),
            x=V2, k=1),
    reduced("amin_tangent", "amin_tangent(t, np.min(x, axis=k), x, k)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2, k=0),
    reduced("ptp", "ptp(g, np.ptp(x, axis=k), x, k)", ("g", "x"), g=values((2, 4), seed=1),
            x=V3, k=1),
    reduced("ptp_tangent", "ptp_tangent(t, np.ptp(x, axis=k), x, k)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2, k=-1),
    reduced("nansum", "nansum(g, c, x, k)", ("g",), g=values((4,), seed=1), c=0.0, x=V2, k=0),
    reduced("nansum_tangent", "nansum_tangent(t, c, x, k, keepdims=True)", ("t",),
            t=values((3, 4), seed=1), c=0.0, x=V2, k=1),
    reduced("nanmean", "nanmean(g, c, x, k)", ("g",), g=values((3,), seed=1), c=0.0, x=V2, k=1),
    reduced("nanmean_tangent", "nanmean_tangent(t, c, x, k)", ("t",), t=values((3, 4), seed=1),
            c=0.0, x=V2, k=0),
    # ... and the rules of prod, var and std, which are not linear in a (nor std in ans)
    reduced("prod", "prod(g, np.prod(x, axis=k), x, k)", ("g", "x"), g=values((2, 4), seed=1),
            x=values((2, 3, 4), 0.5, 1.5), k=1),
    reduced("prod", "prod(g, np.prod(x, axis=k, keepdims=True), x, k, keepdims=True)",
            ("g", "x"), g=values((1, 3, 1), seed=1), x=values((2, 3, 4), 0.5, 1.5), k=(0, 2)),
    reduced("prod", "prod(g, np.prod(x), x)", ("g", "x"), g=1.5,
            x=with_zeros((3, 4), [(1, 2)])),
    reduced("prod_tangent", "prod_tangent(t, np.prod(x, axis=k), x, k)", ("t", "x"),
            t=values((3, 4), seed=1), x=values((3, 4), -1.5, -0.5), k=-1),
    reduced("var", "var(g, np.var(x, axis=k), x, k)", ("g", "x"), g=values((2, 4), seed=1),
            x=V3, k=1),
    reduced("var", "var(g, np.var(x, axis=k, ddof=1, keepdims=True), x, k, ddof=1, "
                   "keepdims=True)", ("g", "x"), g=values((1, 3, 1), seed=1), x=V3, k=(0, 2)),
    reduced("var_tangent", "var_tangent(t, np.var(x, axis=k), x, k)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2, k=0),
    reduced("var_tangent", "var_tangent(t, np.var(x), x, ddof=1)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2),
    reduced("std", "std(g, np.std(x, axis=k), x, k)", ("g", "x"), g=values((2, 4), seed=1),
            x=V3, k=1),
    reduced("std", "std(g, np.std(x, axis=k, keepdims=True), x, k, keepdims=True)",
            ("g", "x"), g=values((3, 1), seed=1), x=V2, k=-1),
    reduced("std", "std(g, np.std(x, ddof=1), x, ddof=1)", ("g", "x"), g=1.5, x=V2),
    reduced("std_tangent", "std_tangent(t, np.std(x, axis=k), x, k)", ("t", "x"),
            t=values((2, 3, 4), seed=1), x=V3, k=(0, 2)),
    reduced("std_tangent", "std_tangent(t, np.std(x), x)", ("t", "x"),
            t=values((3, 4), seed=1), x=V2),
    # the reductions themselves with an axis known at run time (their gradient code calls
    # the rules above)
    reduced("prod", "np.prod(x, axis=k)", ("x",), x=values((2, 3, 4), 0.5, 1.5), k=(0, 2)),
    reduced("var", "np.var(x, axis=k, ddof=1)", ("x",), x=V3, k=-1),
    reduced("std", "np.std(x, axis=k, keepdims=True)", ("x",), x=V3, k=1),
    reduced("amin", "np.min(x, axis=k)", ("x",), x=V3, k=(1, 2)),
    reduced("ptp", "np.ptp(x, axis=k)", ("x",), x=V2, k=0),
    reduced("nansum", "np.nansum(x, axis=k)", ("x",), x=V2, k=1),
    reduced("nanmean", "np.nanmean(x, axis=k, keepdims=True)", ("x",), x=V3, k=2),
    reduced("cumsum", "np.cumsum(x, axis=k)", ("x",), x=V3, k=1),
    case(np.average, "np.average(x, axis=k, weights=v)", x=V3, v=values((2, 3, 4), 0.5, 2.0),
         k=(0, 2)),
    case(np.average, "np.average(x, axis=k)", x=V2, k=1),
]

BUILTIN_CASES = [
    # builtin_sum is called when the compiler cannot tell a list from an array: a tuple
    helper(BUILTINS, "builtin_sum", "builtin_sum(g, c, x, s)[0]", ("g",), g=values((3,)),
           c=0.0, x=np.zeros((4, 3)), s=0.0),
    helper(BUILTINS, "builtin_sum", "builtin_sum(g, c, x, s)[1] * builtin_sum(g, c, x, s)[0]",
           ("g",), g=values((3,)), c=0.0, x=np.zeros((4, 3)), s=0.0),
    helper(BUILTINS, "items_adjoint", "items_adjoint([p, q], c)", ("p", "q"),
           p=values((3,), seed=1), q=values((3,), seed=2), c=np.zeros((2, 3))),
    helper(BUILTINS, "items_adjoint", "np.stack(items_adjoint([p, q], [c, c]))", ("p", "q"),
           p=values((3,), seed=1), q=values((3,), seed=2), c=np.zeros(3)),
    case(builtins.list, "np.stack(list([x, y]))", x=values((3,), seed=1), y=values((3,), seed=2)),
    case(builtins.list, "np.stack(list(x)) * x", x=values((2, 3))),
    case(builtins.tuple, "np.stack(tuple([x, y]))", x=values((3,), seed=1), y=values((3,), seed=2)),
    case(builtins.tuple, "np.stack(tuple(x)) * x", x=values((2, 3))),
    case(builtins.tuple, "tuple(x)[1] * x[0]", x=values((3,))),
]

CASES = SHAPE_CASES + REDUCTION_CASES + BUILTIN_CASES

test_gradient, test_float32, test_tangent = sweep_tests(CASES)


# ----- logaddexp: its rule is a sigmoid, quiet and finite in both tails -----------------

def test_logaddexp_is_finite_and_quiet_to_second_order_far_from_zero():
    """``grad`` and ``hvp`` of ``sum(logaddexp(0, x))`` where ``e**|x|`` overflows: no
    warning, and the sigmoid and its derivative ``s (1 - s)`` (their limits 0 and 1, 0 at
    +-800)."""
    f = function_from_source("f", "def f(x):\n    return np.sum(np.logaddexp(0.0, x))\n", {})
    x = np.array([-800.0, -30.0, 0.0, 800.0])
    v = np.array([1.0, -2.0, 0.5, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradient = grad(f)(x)
        product = hvp(f)((x,), (v,))
        matrix = hessian(f)(x)
    s = np.array([0.0, np.exp(-30.0) / (1 + np.exp(-30.0)), 0.5, 1.0])
    for got in (gradient, product, matrix):
        assert np.all(np.isfinite(got))
    np.testing.assert_allclose(gradient, s, rtol=1e-14, atol=0)
    np.testing.assert_allclose(product, s * (1 - s) * v, rtol=1e-12, atol=0)
    np.testing.assert_allclose(matrix, np.diag(s * (1 - s)), rtol=1e-12, atol=0)
