"""Sweeps of the shape and indexing functions: reshaping, permuting axes, joining,
tiling and repeating, padding, taking and diagonals, over 1-D, 2-D and 3-D inputs and
each form of their axis arguments (int, negative, tuple, None), as functions and as
array methods."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.errors import AutodiffError
from autodiff_ast.rules.registry import Attribute
from autodiff_ast.testing import check_grads
from autodiff_ast.transforms import hvp, jvp
from sweep import case, function_from_source, sweep_tests, values

T, MT = Attribute("T"), Attribute("mT")
V1, V2, V3 = values((4,)), values((2, 3)), values((2, 3, 4))
IDX = np.array([0, 2, 0, 3, 2])  # repeats 0 and 2: their adjoints add up

CASES = [
    # ----- reshaping
    case(np.reshape, "np.reshape(x, (3, 2))", x=V2),
    case(np.reshape, "np.reshape(x, -1)", x=V3),
    case(np.reshape, "np.reshape(x, (2, 1, 2))", x=V1),
    case(np.reshape, "np.reshape(x, (4, -1), order='F')", x=V3),
    case(np.reshape, "np.reshape(x, (3, 2), order='A')", x=V2),
    case(np.reshape, "np.reshape(x.T, (2, 3), order='A')", x=V2),
    case(np.reshape, "x.reshape(3, 2)", x=V2),
    case(np.reshape, "x.reshape((6, 4))", x=V3),
    case(np.reshape, "x.reshape(-1)", x=V2),
    case(np.reshape, "np.reshape(x, ())", x=values((1,))),
    case(np.ravel, "np.ravel(x)", x=V2),
    case(np.ravel, "np.ravel(x)", x=values(())),
    case(np.ravel, "np.ravel(x, order='F')", x=V3),
    case(np.ravel, "np.ravel(x, order='A')", x=V2),
    case(np.ravel, "np.ravel(x.T, order='K')", x=V3),
    case(np.ravel, "x.ravel()", x=V3),
    case(np.ravel, "x.flatten()", x=V2),
    # an order known only at run time: the rule is called then (and its own source is
    # differentiated for second derivatives)
    case(np.reshape, "np.reshape(x, (4, -1), order=order)", x=V3, order="F"),
    case(np.reshape, "np.reshape(x.T, (2, 3), order=order)", x=V2, order="A"),
    case(np.ravel, "np.ravel(x, order=order)", x=V2, order="C"),
    case(np.ravel, "np.ravel(x.T, order=order)", x=V3, order="K"),
    case(np.squeeze, "np.squeeze(x)", x=values((1, 3, 1))),
    case(np.squeeze, "np.squeeze(x, axis=0)", x=values((1, 3, 1))),
    case(np.squeeze, "np.squeeze(x, -1)", x=values((2, 1))),
    case(np.squeeze, "np.squeeze(x, axis=(0, 2))", x=values((1, 3, 1))),
    case(np.squeeze, "x.squeeze()", x=values((2, 1, 3))),
    case(np.expand_dims, "np.expand_dims(x, 0)", x=V1),
    case(np.expand_dims, "np.expand_dims(x, -1)", x=V2),
    case(np.expand_dims, "np.expand_dims(x, axis=(0, 2))", x=V2),
    case(np.expand_dims, "np.expand_dims(x, 0)", x=values(())),
    case(np.atleast_1d, "np.atleast_1d(x)", x=values(())),
    case(np.atleast_1d, "np.atleast_1d(x)", x=V2),
    case(np.atleast_2d, "np.atleast_2d(x)", x=V1),
    case(np.atleast_2d, "np.atleast_2d(x)", x=values(())),
    case(np.atleast_3d, "np.atleast_3d(x)", x=V2),
    # ----- permuting axes
    case(np.transpose, "np.transpose(x)", x=V2),
    case(np.transpose, "np.transpose(x)", x=V3),
    case(np.transpose, "np.transpose(x, (1, 0, 2))", x=V3),
    case(np.transpose, "np.transpose(x, axes=(2, 0, 1))", x=V3),
    case(np.transpose, "np.transpose(x, (-1, 0, -2))", x=V3),
    case(np.transpose, "np.transpose(x, [1, 2, 0])", x=V3),
    case(np.transpose, "np.transpose(x, axes)", x=V3, axes=(1, 2, 0)),
    case(np.transpose, "x.transpose(1, 0, 2)", x=V3),
    case(np.transpose, "x.transpose((2, 1, 0))", x=V3),
    case(np.transpose, "x.transpose()", x=V2),
    case(T, "x.T", x=V1),
    case(T, "x.T", x=V2),
    case(T, "x.T", x=V3),
    case(T, "(x.T * 2.0).T", x=V2),
    case(MT, "x.mT", x=V2),
    case(MT, "x.mT", x=V3),
    case(np.swapaxes, "np.swapaxes(x, 0, 2)", x=V3),
    case(np.swapaxes, "np.swapaxes(x, -1, 0)", x=V3),
    case(np.swapaxes, "x.swapaxes(0, 1)", x=V2),
    case(np.moveaxis, "np.moveaxis(x, 0, -1)", x=V3),
    case(np.moveaxis, "np.moveaxis(x, (0, 1), (2, 0))", x=V3),
    case(np.moveaxis, "np.moveaxis(x, -1, 0)", x=V2),
    case(np.rot90, "np.rot90(x)", x=V2),
    case(np.rot90, "np.rot90(x, 2)", x=V2),
    case(np.rot90, "np.rot90(x, -1, axes=(1, 2))", x=V3),
    # ----- reversing and rolling
    case(np.flip, "np.flip(x)", x=V1),
    case(np.flip, "np.flip(x)", x=V3),
    case(np.flip, "np.flip(x, 0)", x=V2),
    case(np.flip, "np.flip(x, axis=-1)", x=V3),
    case(np.flip, "np.flip(x, (0, 2))", x=V3),
    case(np.flip, "np.flip(x, axis)", x=V3, axis=1),
    case(np.fliplr, "np.fliplr(x)", x=V2),
    case(np.fliplr, "np.fliplr(x)", x=V3),
    case(np.flipud, "np.flipud(x)", x=V1),
    case(np.flipud, "np.flipud(x)", x=V2),
    case(np.roll, "np.roll(x, 2)", x=V2),
    case(np.roll, "np.roll(x, 1)", x=V1),
    case(np.roll, "np.roll(x, 1, axis=0)", x=V2),
    case(np.roll, "np.roll(x, -1, axis=-1)", x=V3),
    case(np.roll, "np.roll(x, (1, 2), axis=(0, 2))", x=V3),
    case(np.roll, "np.roll(x, k, axis=1)", x=V3, k=2),
    case(np.roll, "np.roll(x, k)", x=V2, k=4),
    # ----- joining
    case(np.concatenate, "np.concatenate([x, y])", x=V2, y=values((4, 3), seed=1)),
    case(np.concatenate, "np.concatenate([x, y])", x=V1, y=values((2,), seed=1)),
    case(np.concatenate, "np.concatenate((x, y), axis=1)", x=V2, y=values((2, 2), seed=1)),
    case(np.concatenate, "np.concatenate([x, y, x], axis=-1)", x=V3,
         y=values((2, 3, 1), seed=1)),
    case(np.concatenate, "np.concatenate([x, y], axis=None)", x=V2, y=values((4,), seed=1)),
    case(np.concatenate, "np.concatenate([x, np.ones((2, 3)), x * y], axis=0)", x=V2,
         y=values((2, 3), seed=1)),
    case(np.concatenate, "np.concatenate([x])", x=V2),
    # a constant first: its tangent is zeros, the tangent of x follows it
    case(np.concatenate, "np.concatenate((np.ones(2), x))", x=V1),
    case(np.concatenate, "np.concatenate((np.ones((2, 3)), x), axis=1)", x=V2),
    case(np.stack, "np.stack([x, y])", x=V2, y=values((2, 3), seed=1)),
    case(np.stack, "np.stack((x, y, x), axis=1)", x=V2, y=values((2, 3), seed=1)),
    case(np.stack, "np.stack([x, y], axis=-1)", x=V3, y=values((2, 3, 4), seed=1)),
    case(np.stack, "np.stack([x, y])", x=values(()), y=values((), seed=1)),
    case(np.stack, "np.stack([x, y], axis)", x=V1, y=values((4,), seed=1), axis=1),
    case(np.hstack, "np.hstack([x, y])", x=V1, y=values((2,), seed=1)),
    case(np.hstack, "np.hstack((x, y))", x=V2, y=values((2, 2), seed=1)),
    case(np.hstack, "np.hstack([x, s, x])", x=V1, s=values((), seed=1)),
    case(np.hstack, "np.hstack([x, y])", x=V3, y=values((2, 1, 4), seed=1)),
    case(np.vstack, "np.vstack([x, y])", x=V1, y=values((4,), seed=1)),
    case(np.vstack, "np.vstack((x, y))", x=V2, y=values((1, 3), seed=1)),
    case(np.vstack, "np.vstack([x, y])", x=values((3,)), y=values((2, 3), seed=1)),
    case(np.column_stack, "np.column_stack([x, y])", x=V1, y=values((4,), seed=1)),
    case(np.column_stack, "np.column_stack((x, y))", x=values((3, 2)), y=values((3,), seed=1)),
    case(np.dstack, "np.dstack([x, y])", x=V2, y=values((2, 3), seed=1)),
    case(np.dstack, "np.dstack([x, y])", x=V1, y=values((4,), seed=1)),
    # one array joined: its rows (the gradient was a list of the rows' gradients)
    case(np.vstack, "np.vstack(x)", x=V2),
    case(np.vstack, "np.vstack(x)", x=V3),
    case(np.hstack, "np.hstack(x)", x=V2),
    case(np.hstack, "np.hstack(x)", x=V3),
    case(np.column_stack, "np.column_stack(x)", x=V2),
    case(np.column_stack, "np.column_stack(x)", x=V3),
    case(np.dstack, "np.dstack(x)", x=V2),
    case(np.concatenate, "np.concatenate(x)", x=V2),
    case(np.concatenate, "np.concatenate(x, axis=1)", x=V3),
    case(np.concatenate, "np.concatenate(x, axis=None)", x=V3),
    case(np.stack, "np.stack(x, axis=1)", x=V2),
    case(np.append, "np.append(x, x)", x=V2),
    case(np.append, "np.append(x, y)", x=V2, y=values((2,), seed=1)),
    case(np.append, "np.append(x, y, axis=0)", x=V2, y=values((1, 3), seed=1)),
    case(np.split, "np.split(x, 2)[1]", x=V1),
    case(np.split, "np.split(x, 3, axis=1)[0] * np.split(x, 3, axis=1)[2]", x=values((2, 6))),
    case(np.array_split, "np.array_split(x, 2, axis=-1)[0]", x=V3),
    # meshgrid: one grid per array, used by a literal index (or unpacked, below)
    case(np.meshgrid, "np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1]", x=values((3,)),
         y=values((4,), seed=1)),
    case(np.meshgrid, "np.meshgrid(x, y, indexing='ij')[0] * np.meshgrid(x, y, indexing='ij')[1]",
         x=values((3,)), y=values((4,), seed=1)),
    case(np.meshgrid, "np.meshgrid(x, y)[1]", x=values((3,)), y=values((4,), seed=1)),
    case(np.meshgrid, "np.sin(np.meshgrid(x, y, indexing='ij')[0]) * y", wrt=("x",),
         x=values((3,)), y=values((4,), seed=1)),
    case(np.meshgrid, "np.meshgrid(x, y, sparse=True)[0] * np.meshgrid(x, y, sparse=True)[1]",
         x=values((3,)), y=values((4,), seed=1)),
    case(np.meshgrid, "np.meshgrid(x, y, indexing=m)[0] * np.meshgrid(x, y, indexing=m)[1] ** 2",
         x=values((3,)), y=values((4,), seed=1), m="ij"),
    case(np.meshgrid, "np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1]", x=values((2, 2)),
         y=values(()), rtol=1e-5),  # a matrix is flattened, a number is one point
    case(np.meshgrid, "np.meshgrid(x, y, z)[0] * np.meshgrid(x, y, z)[1] + np.meshgrid(x, y, z)[2]",
         x=values((3,)), y=values((4,), seed=1), z=values((2,), seed=2)),
    case(np.meshgrid, "np.meshgrid(x, y, z, indexing='ij')[0] * np.meshgrid(x, y, z, "
                      "indexing='ij')[2] - np.meshgrid(x, y, z, indexing='ij')[1] ** 2",
         x=values((3,)), y=values((4,), seed=1), z=values((2,), seed=2)),
    case(np.meshgrid, "np.meshgrid(x)[0] * x", x=values((3,))),
    # ----- copies and conversions
    case(np.array, "np.array(x)", x=V2),
    case(np.array, "np.array([x, y])", x=V1, y=values((4,), seed=1)),
    case(np.array, "np.array([x, y, x])", x=values(()), y=values((), seed=1)),
    case(np.array, "np.array([x, 1.0, y])", x=values(()), y=values((), seed=1)),
    case(np.array, "np.array((x, y))", x=V2, y=values((2, 3), seed=1)),
    case(np.array, "np.array(x, ndmin=3)", x=V1),
    case(np.array, "np.array(x, dtype=np.float64)", x=V2),
    case(np.asarray, "np.asarray(x)", x=V2),
    case(np.asarray, "np.asarray([x, y])", x=values(()), y=values((), seed=1)),
    case(np.asarray, "x.astype(np.float64)", x=V2),
    case(np.asarray, "x.astype(np.int8) * x", x=values((2, 3), low=-3.9, high=3.9)),
    case(np.asanyarray, "np.asanyarray(x)", x=V1),
    case(np.copy, "np.copy(x)", x=V2),
    case(np.copy, "x.copy()", x=V3),
    case(np.broadcast_to, "np.broadcast_to(x, (2, 4))", x=V1),
    case(np.broadcast_to, "np.broadcast_to(x, (2, 3))", x=values((2, 1))),
    case(np.broadcast_to, "np.broadcast_to(x, (4, 2, 3))", x=values((1, 3))),
    case(np.broadcast_to, "np.broadcast_to(x, (2, 3))", x=values(())),
    case(np.tile, "np.tile(x, 2)", x=V1),
    case(np.tile, "np.tile(x, (2, 2))", x=V1),
    case(np.tile, "np.tile(x, (3, 1))", x=V2),
    case(np.tile, "np.tile(x, (2, 1, 2))", x=V2),
    case(np.tile, "np.tile(x, 2)", x=V3),
    case(np.tile, "np.tile(x, 3)", x=values(())),
    case(np.repeat, "np.repeat(x, 2)", x=V1),
    case(np.repeat, "np.repeat(x, 3)", x=V2),
    case(np.repeat, "np.repeat(x, 2, axis=0)", x=V2),
    case(np.repeat, "np.repeat(x, 2, axis=-1)", x=V3),
    case(np.repeat, "x.repeat(2, axis=0)", x=V2),
    case(np.repeat, "x.repeat(3, axis=1)", x=V3),
    case(np.repeat, "np.repeat(x, [1, 0, 2], axis=1)", x=V2),
    case(np.repeat, "np.repeat(x, r)", x=V1, r=np.array([2, 1, 0, 3])),
    case(np.repeat, "np.repeat(x, 2)", x=values(())),
    case(np.pad, "np.pad(x, 1)", x=V1),
    case(np.pad, "np.pad(x, ((1, 0), (2, 1)))", x=V2),
    case(np.pad, "np.pad(x, (1, 2))", x=V3),
    case(np.pad, "np.pad(x, 2, constant_values=c)", x=V2, c=values((), seed=1)),
    case(np.pad, "np.pad(x, (2, 3), mode='edge')", x=V1),
    case(np.pad, "np.pad(x, 1, mode='edge')", x=V2),
    case(np.pad, "np.pad(x, ((2, 1), (0, 2)), mode='reflect')", x=V2),
    case(np.pad, "np.pad(x, 3, mode='symmetric')", x=V1),
    case(np.pad, "np.pad(x, (1, 5), 'wrap')", x=V1),
    # ----- selecting
    case(np.take, "np.take(x, i)", x=values((5,)), i=IDX),
    case(np.take, "x.take(i)", x=V2, i=IDX),
    case(np.take, "np.take(x, i, axis=0)", x=values((4, 3)), i=IDX),
    case(np.take, "np.take(x, i, axis=1)", x=values((2, 4)), i=IDX),
    case(np.take, "np.take(x, i, axis=-1)", x=V3, i=IDX),
    case(np.take, "np.take(x, i, axis=1)", x=V3, i=np.array([[0, 2], [2, 2]])),
    case(np.take, "np.take(x, 3)", x=V2),
    case(np.take, "np.take(x, -1, axis=0)", x=V2),
    case(np.take, "np.take(x, i, mode='wrap')", x=V1, i=np.array([0, 5, -6, 9])),
    case(np.take, "np.take(x, i, axis=1, mode='clip')", x=V2, i=np.array([-1, 7, 1])),
    case(np.diagonal, "np.diagonal(x)", x=values((3, 3))),
    case(np.diagonal, "np.diagonal(x, 1)", x=values((2, 4))),
    case(np.diagonal, "np.diagonal(x, offset=-1)", x=values((4, 3))),
    case(np.diagonal, "np.diagonal(x, 0, 1, 2)", x=V3),
    case(np.diagonal, "np.diagonal(x, 1, axis1=2, axis2=0)", x=V3),
    case(np.diagonal, "x.diagonal()", x=V2),
    case(np.diag, "np.diag(x)", x=values((3,))),
    case(np.diag, "np.diag(x, 1)", x=values((3,))),
    case(np.diag, "np.diag(x, k=-2)", x=values((3,))),
    case(np.diag, "np.diag(x)", x=values((3, 3))),
    case(np.diag, "np.diag(x, 1)", x=values((3, 4))),
    case(np.diag, "np.diag(x, -1)", x=values((4, 3))),
    case(np.triu, "np.triu(x)", x=values((3, 3))),
    case(np.triu, "np.triu(x, 1)", x=values((3, 4))),
    case(np.triu, "np.triu(x, k=-1)", x=V3),
    case(np.triu, "np.triu(x, k)", x=values((3, 3)), k=1),
    case(np.tril, "np.tril(x)", x=values((3, 3))),
    case(np.tril, "np.tril(x, -1)", x=values((4, 3))),
    case(np.tril, "np.tril(x, k=1)", x=V3),
    # ----- sorting; ties where the tied elements are copies of one element (they move
    # together, so the function is differentiable there: their places' adjoints add up)
    case(np.sort, "np.sort(x)", x=values((5,))),
    case(np.sort, "np.sort(x ** 2)", x=values((5,))),
    case(np.sort, "np.sort(np.concatenate([x, x]))", x=V1),
    case(np.sort, "np.sort(x, axis=-1)", x=V2),
    case(np.sort, "np.sort(x)", x=V2),
    case(np.sort, "np.sort(x, axis=0)", x=values((4, 3))),
    case(np.sort, "np.sort(x, 0, kind='stable')", x=values((4, 3))),
    case(np.sort, "np.sort(np.concatenate([x, x[::-1]]), axis=0)", x=values((3, 2))),
    case(np.sort, "np.sort(x, axis=None)", x=V2),
    case(np.sort, "np.sort(np.stack([x, x * 1.0]), axis=None) * 2.0", x=V2),
    case(np.sort, "np.sort(x, axis=1)", x=V3),
    case(np.sort, "np.sort(np.concatenate([x, x], axis=1), axis=1)", x=V3),
    case(np.sort, "np.sort(x, axis=k)", x=V3, k=1),
    case(np.sort, "np.sort(x * y, axis=-1)", x=V2, y=values((3,), seed=1)),
    # ----- composed: gradients through several moves
    case(np.reshape, "np.reshape(np.transpose(x, (2, 0, 1)), (4, 6)).T", x=V3),
    case(np.stack, "np.stack([x.T, np.flip(x, 0).T]).reshape(-1)", x=V2),
]


test_gradient, test_float32, test_tangent = sweep_tests(CASES)


@pytest.mark.parametrize("join", [np.vstack, np.hstack, np.column_stack, np.dstack,
                                  np.concatenate, np.stack])
def test_the_gradient_of_one_joined_array_is_an_array_of_its_shape(join):
    """``np.vstack(x)`` joins the rows of ``x``: the gradient is an ndarray like ``x``
    (it was a Python list of the rows' gradients)."""
    f = function_from_source(
        "f", f"def f(x):\n    return np.sum(np.{join.__name__}(x) ** 2)\n", {})
    x = values((2, 3))
    dx = check_grads(f, x)
    assert type(dx) is np.ndarray and dx.shape == (2, 3)
    np.testing.assert_allclose(dx, 2 * x)


# ----- sorting at ties: the subgradient of the stable order ---------------------------

def _weighted_sort(axis):
    source = f"def f(x, w):\n    return np.sum(np.sort(x, axis={axis}) * w)\n"
    return function_from_source("f", source, {})


@pytest.mark.parametrize("axis", [-1, None])
def test_sort_at_ties_gives_the_stable_subgradient(axis):
    """Equal elements take the places of the result in their order in ``x``: the first
    1.0 (index 0) gets the adjoint of place 2, the second (index 2) that of place 3."""
    x = np.array([1.0, 0.0, 1.0, -1.0])
    w = np.array([10.0, 20.0, 30.0, 40.0])
    f = _weighted_sort(axis)
    np.testing.assert_array_equal(grad(f)(x, w), [30.0, 20.0, 40.0, 10.0])
    value, tangent = jvp(f, wrt=(0,))([x, w], [np.array([1.0, 2.0, 4.0, 8.0])])
    assert value == f(x, w)
    assert tangent == 30.0 * 1.0 + 20.0 * 2.0 + 40.0 * 4.0 + 10.0 * 8.0  # <gradient, v>
    (product,) = hvp(f, wrt=(0,))((x, w), (np.ones(4),))
    np.testing.assert_array_equal(product, np.zeros(4))


def test_sort_of_a_matrix_at_ties_along_each_axis():
    x = np.array([[2.0, 2.0, 1.0], [0.0, 2.0, 0.0]])
    w = np.arange(6.0).reshape(2, 3)
    rows = grad(_weighted_sort(-1))(x, w)
    np.testing.assert_array_equal(rows, [[1.0, 2.0, 0.0], [3.0, 5.0, 4.0]])
    columns = grad(_weighted_sort(0))(x, w)
    np.testing.assert_array_equal(columns, [[3.0, 1.0, 5.0], [0.0, 4.0, 2.0]])


def test_sort_float32_gradient_and_tangent_stay_float32():
    x = values((3, 4)).astype(np.float32)
    w = np.ones((3, 4), dtype=np.float32)
    f = _weighted_sort(0)
    assert grad(f).generated_function(x, w, np.float32(1.0)).dtype == np.float32
    value, tangent = jvp(f, wrt=(0,))([x, w], [np.ones((3, 4), dtype=np.float32)])
    assert value == pytest.approx(f(x, w), rel=1e-6)
    assert np.asarray(tangent).dtype == np.float32


# ----- meshgrid: its grids unpacked into names ---------------------------------------

MESHGRIDS = {
    "xy": "def f(x, y):\n    a, b = np.meshgrid(x, y)\n    return np.sum(a * np.cos(b))\n",
    "ij": ("def f(x, y, z):\n    a, b, c = np.meshgrid(x, y, z, indexing='ij')\n"
           "    return np.sum(a * b * c ** 2)\n"),
}


@pytest.mark.parametrize("name", sorted(MESHGRIDS))
def test_meshgrid_unpacked(name):
    f = function_from_source("f", MESHGRIDS[name], {})
    args = [values((3,)), values((4,), seed=1), values((2,), seed=2)][:f.__code__.co_argcount]
    wrt = tuple(range(len(args)))
    check_grads(f, *args, wrt=wrt)
    vectors = [np.ones_like(a) for a in args]
    value, tangent = jvp(f, wrt=wrt)(args, vectors)
    assert value == pytest.approx(f(*args), rel=1e-13)
    eps = 1e-6
    moved = [f(*[a + s * v for a, v in zip(args, vectors)]) for s in (eps, -eps)]
    np.testing.assert_allclose(tangent, (moved[0] - moved[1]) / (2 * eps), rtol=1e-6)


def test_meshgrid_of_four_arrays_is_reported():
    f = function_from_source(
        "f", "def f(x):\n    a, b, c, d = np.meshgrid(x, x, x, x)\n    return np.sum(a * d)\n",
        {})
    with pytest.raises(AutodiffError, match=r"np\.meshgrid takes at most 3 positional"):
        grad(f)(values((2,)))
    with pytest.raises(AutodiffError, match=r"np\.meshgrid takes at most 3 positional"):
        jvp(f)([values((2,))], [np.ones(2)])
