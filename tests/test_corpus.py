"""Every corpus function, end to end: gradients against central finite differences,
inputs left unchanged, float32 in gives float32 out, and a valid normal form."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.desugar import desugar
from autodiff_ast.fence import check
from autodiff_ast.normal_form import validate
from autodiff_ast.normalize import normalize
from autodiff_ast.resolve import resolve
from autodiff_ast.source import read
from autodiff_ast.testing import check_grads
from corpus import CORPUS

IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CORPUS)]


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_gradient_matches_finite_differences(f, args, wrt):
    check_grads(f, *args, wrt=wrt)


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_inputs_are_left_byte_identical(f, args, wrt):
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    grad(f, wrt=wrt)(*args)
    for before, after in zip(copies, args):
        if isinstance(before, np.ndarray):
            assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_float32_inputs_give_float32_gradients(f, args, wrt):
    args32 = [a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
              for a in args]
    grads = grad(f, wrt=wrt)(*args32)
    grads = (grads,) if not isinstance(wrt, tuple) else grads
    indices = (wrt,) if not isinstance(wrt, tuple) else wrt
    for index, g in zip(indices, grads):
        if isinstance(args32[index], np.ndarray):
            assert g.dtype == np.float32


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_normal_form_is_valid(f, args, wrt):
    fn, ctx = read(f)
    for run in (check, resolve, desugar, normalize):
        fn = run(fn, ctx)
    validate(fn, ctx)


def test_integer_inputs_are_differentiated_as_floats():
    from corpus import fan_out, straight_line

    assert grad(straight_line, wrt=(0, 1))(2, 3) == grad(straight_line, wrt=(0, 1))(2.0, 3.0)
    g = grad(fan_out)(np.array([1, 2, 3]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 3 * np.array([1.0, 2.0, 3.0]) ** 2 + 2 * np.array([1, 2, 3]))


def test_index_with_duplicates_accumulates():
    from corpus import index_int_array

    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    g = grad(index_int_array)(x, np.array([0, 2, 2, 4, 0]))
    np.testing.assert_allclose(g, [4.0, 0.0, 12.0, 0.0, 10.0])


def test_no_adjoint_for_inactive_values():
    from corpus import mlp_loss

    source = grad(mlp_loss, wrt=(0, 1, 2, 3)).source
    assert "dX" not in source and "dy " not in source


def test_global_data_is_read_at_each_call():
    import corpus

    x = np.ones(3)
    g = grad(corpus.global_constant)
    before = g(x)
    corpus.SCALE = 2.0
    try:
        after = g(x)
    finally:
        corpus.SCALE = 0.5
    np.testing.assert_allclose(before, 0.5)
    np.testing.assert_allclose(after, 2.0)
