"""Branches, loops, exits and array writes, end to end: gradients against central finite
differences, inputs byte-identical after the call, and a valid normal form."""

import numpy as np
import pytest

from autodiff_ast import grad
from autodiff_ast.desugar import desugar
from autodiff_ast.fence import check
from autodiff_ast.normal_form import validate
from autodiff_ast.normalize import normalize
from autodiff_ast.resolve import resolve
from autodiff_ast.source import read
from autodiff_ast.structure import structure
from autodiff_ast.testing import check_grads
from corpus_control import CORPUS

IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CORPUS)]


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_gradient_matches_finite_differences(f, args, wrt):
    check_grads(f, *args, wrt=wrt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_inputs_are_left_byte_identical(f, args, wrt):
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    grad(f, wrt=wrt)(*args)
    for before, after in zip(copies, args):
        if isinstance(before, np.ndarray):
            assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize("f, args, wrt", CORPUS, ids=IDS)
def test_normal_form_is_valid(f, args, wrt):
    fn, ctx = read(f)
    for run in (check, resolve, desugar, structure, normalize):
        fn = run(fn, ctx)
    validate(fn, ctx)


def test_logsumexp_with_a_loop_and_a_branch_gives_the_softmax():
    from corpus_control import logsumexp_loop

    x = np.array([0.5, -1.0, 2.0, 0.3])
    softmax = np.exp(x - x.max()) / np.sum(np.exp(x - x.max()))
    np.testing.assert_allclose(grad(logsumexp_loop)(x), softmax, atol=1e-12)


def test_repeated_indices_follow_numpy_buffered_semantics():
    from corpus_control import repeated_indices

    x, v, idx = np.zeros(4), np.ones(5), np.array([0, 2, 2, 3, 0])
    dx, dv = grad(repeated_indices, wrt=(0, 1))(x, v, idx)
    # y[idx] += v writes each repeated element once (the last repeat wins): y = [1,0,1,1]
    y = x.copy()
    y[idx] += v
    weights = np.arange(1.0, 5.0)
    np.testing.assert_allclose(dx, 2 * y * weights)
    winners = np.array([0.0, 0.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(dv, winners * (2 * y * weights)[idx])


def test_a_million_scalar_iterations():
    from corpus_control import scalar_loop_with_branch

    n, x, h = 1_000_000, 0.3, 1e-7
    g = grad(scalar_loop_with_branch)(x, n)
    numeric = (scalar_loop_with_branch(x + h, n) - scalar_loop_with_branch(x - h, n)) / (2 * h)
    assert g == pytest.approx(numeric, rel=1e-5)


def test_only_branch_choices_are_saved_in_the_scalar_loop():
    from corpus_control import scalar_loop_with_branch

    source = grad(scalar_loop_with_branch).source
    assert source.count(".append(") == 1 and "saved_t1" in source
