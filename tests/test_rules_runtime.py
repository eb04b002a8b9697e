"""Sweeps of the rules of the functions generated code calls (rules/runtime_helpers.py):
the runtime helpers and ``np.full``, so that gradient code can itself be differentiated
(``hessian`` in forward mode over it, ``grad(grad(f))`` in reverse mode)."""

import numpy as np

from autodiff_ast import runtime
from sweep import case, sweep_tests, values

HELPERS = {name: getattr(runtime, name) for name in (
    "unbroadcast", "sum_to_shape", "broadcast_like", "matmul_lhs", "matmul_rhs",
    "stored_adjoint", "scatter_adjoint", "scatter_add", "add_items", "add_to_item",
    "per_parameter",
    "zeros_like", "zeros_like_items", "reduced_count", "matmul_shape", "shape",
    "broadcast_shape")}


def helper(name, expr, wrt, **args):
    return case(HELPERS[name], expr, wrt=wrt, namespace=HELPERS, **args)


REPEATED = np.array([0, 2, 0, 1])
CASES = [
    helper("unbroadcast", "unbroadcast(x, c)", ("x",), x=values((2, 3)), c=np.zeros(3)),
    helper("unbroadcast", "unbroadcast(x, c)", ("x",), x=values((2, 3)), c=np.zeros((2, 1))),
    helper("unbroadcast", "unbroadcast(x, c)", ("x",), x=values((2, 3)), c=0.0),
    helper("unbroadcast", "unbroadcast(x, c)", ("x",), x=values((3,)), c=np.zeros(3)),
    helper("sum_to_shape", "sum_to_shape(x, (3,))", ("x",), x=values((4, 3))),
    helper("sum_to_shape", "sum_to_shape(x, (2, 1))", ("x",), x=values((2, 3))),
    helper("sum_to_shape", "sum_to_shape(x, ())", ("x",), x=values((2, 3))),
    helper("broadcast_like", "broadcast_like(x, c)", ("x",), x=values((3,)),
           c=np.zeros((2, 3))),
    helper("broadcast_like", "broadcast_like(x, c)", ("x",), x=1.5, c=np.zeros((2, 3))),
    helper("broadcast_like", "broadcast_like(x, c)", ("x",), x=values((2, 3)),
           c=np.zeros((2, 3))),
    helper("matmul_lhs", "matmul_lhs(g, a, b)", ("g", "b"), g=values((2, 4), seed=1),
           a=np.zeros((2, 3)), b=values((3, 4), seed=2)),
    helper("matmul_lhs", "matmul_lhs(g, a, b)", ("g", "b"), g=values((3, 2, 4), seed=1),
           a=np.zeros((2, 3)), b=values((3, 4), seed=2)),
    helper("matmul_lhs", "matmul_lhs(g, a, b)", ("g", "b"), g=values((4,), seed=1),
           a=np.zeros(3), b=values((3, 4), seed=2)),
    helper("matmul_lhs", "matmul_lhs(g, a, b)", ("g", "b"), g=values((2,), seed=1),
           a=np.zeros((2, 3)), b=values((3,), seed=2)),
    helper("matmul_rhs", "matmul_rhs(g, a, b)", ("g", "a"), g=values((2, 4), seed=1),
           a=values((2, 3), seed=2), b=np.zeros((3, 4))),
    helper("matmul_rhs", "matmul_rhs(g, a, b)", ("g", "a"), g=values((5, 2, 4), seed=1),
           a=values((5, 2, 3), seed=2), b=np.zeros((3, 4))),
    helper("matmul_rhs", "matmul_rhs(g, a, b)", ("g", "a"), g=values((2,), seed=1),
           a=values((2, 3), seed=2), b=np.zeros(3)),
    helper("matmul_rhs", "matmul_rhs(g, a, b)", ("g", "a"), g=values((4,), seed=1),
           a=values((3,), seed=2), b=np.zeros((3, 4))),
    helper("stored_adjoint", "stored_adjoint(g, i)", ("g",), g=values((3,)), i=REPEATED),
    helper("stored_adjoint", "stored_adjoint(g, 1)", ("g",), g=values((3,))),
    helper("scatter_adjoint", "scatter_adjoint(d, c, i)", ("d",), d=values((4,)),
           c=np.zeros(3), i=REPEATED),
    helper("scatter_adjoint", "scatter_adjoint(d, c, 1)", ("d",), d=1.5, c=np.zeros(3)),
    helper("scatter_add", "scatter_add(y, i, v)", ("y", "v"), y=values((3,), seed=1),
           i=REPEATED, v=values((4,), seed=2)),
    helper("scatter_add", "scatter_add(y, i, v)", ("y", "v"), y=values((3, 2), seed=1),
           i=REPEATED, v=values((2,), seed=2)),
    helper("scatter_add", "scatter_add(y, i, v)", ("y", "v"), y=values((3,), seed=1),
           i=REPEATED, v=1.5),
    helper("add_items", "np.stack(add_items([x, y], [y, x]))", ("x", "y"),
           x=values((3,), seed=1), y=values((3,), seed=2)),
    helper("add_to_item", "np.stack(add_to_item([x, y], [x, y], 1, z))", ("x", "y", "z"),
           x=values((3,), seed=1), y=values((3,), seed=2), z=values((3,), seed=3)),
    helper("per_parameter", "per_parameter((x * 2.0, y), (x, y))[1] * x", ("x", "y"),
           x=values((3,), seed=1), y=values((3,), seed=2)),
    case(np.full, "np.full((2, 3), x)", x=1.5),
    case(np.full, "np.full((2, 3), x)", x=values((3,))),
    case(np.full, "np.full(np.shape(c), x)", wrt=("x",), x=values((2, 1)), c=np.zeros((2, 3))),
    case(np.full_like, "np.full_like(c, x)", wrt=("x",), x=1.5, c=np.zeros((2, 3))),
    case(np.full_like, "np.full_like(c, x)", wrt=("x",), x=values((3,)), c=np.zeros((2, 3))),
    # shape queries and zeros: no gradient flows through them
    helper("zeros_like", "x + zeros_like(x)", ("x",), x=values((3,))),
    helper("zeros_like_items", "x + np.stack(zeros_like_items([x, x]))", ("x",), x=values((3,))),
    helper("reduced_count", "x * reduced_count(x, 0)", ("x",), x=values((2, 3))),
    helper("matmul_shape", "x * len(matmul_shape(x, x))", ("x",), x=values((3, 3))),
    helper("shape", "x * shape(x)[0]", ("x",), x=values((3,))),
    helper("broadcast_shape", "x * broadcast_shape(x, c)[0]", ("x",), x=values((3,)),
           c=np.zeros((2, 1))),
]

test_gradient, test_float32, test_tangent = sweep_tests(CASES)
