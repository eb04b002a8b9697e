"""The value returned beside a derivative is the function's value: ``value_and_grad``'s
value, the primal of ``vjp`` and ``jvp``, and the gradient that ``vjp(grad(f))``
returns beside its pullback, for functions whose returned name a loop or a branch
overwrote (the adjoint sweep restores earlier values of such a name: the value must be
the one the forward sweep ended with)."""

import numpy as np
import pytest

from autodiff_ast import grad, hessian, hvp, jvp, value_and_grad, vjp
from autodiff_ast.testing import check_grads, numerical_grad
from sweep import function_from_source


def loop_accumulator(x):
    s = 0.0
    for i in range(3):
        s = s + np.sin(x[i])
    return s


def argument_reassigned_in_branch(a):
    if a > 0:
        a = a * 3.0
    return a


def ends_in_elif(a):
    r = a
    if a > 1:
        r = a * 2
    elif a > 0:
        r = r * 3
    return r


def svm_loss_naive(W, X, y, reg):
    """CS231n's naive multiclass SVM loss: two loops, a continue and a branch."""
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
    loss /= num_train
    loss += reg * np.sum(W * W)
    return loss


def softmax_loss_naive(W, X, y, reg):
    """CS231n's naive softmax loss, accumulated one example at a time."""
    loss = 0.0
    for i in range(X.shape[0]):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        loss += -scores[y[i]] + np.log(np.sum(np.exp(scores)))
    loss /= X.shape[0]
    loss += 0.5 * reg * np.sum(W * W)
    return loss


def rnn_loss(Wx, Wh, x):
    h = np.zeros((x.shape[0], Wh.shape[0]))
    loss = 0.0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh)
        loss = loss + np.sum(h ** 2)
    return loss


RNG = np.random.default_rng(0)
W, X, Y = RNG.normal(size=(5, 3)), RNG.normal(size=(4, 5)), np.array([0, 1, 2, 1])
CASES = [
    (loop_accumulator, (np.array([0.1, 0.2, 0.3]),), 0),
    (argument_reassigned_in_branch, (2.0,), 0),
    (argument_reassigned_in_branch, (-2.0,), 0),
    (ends_in_elif, (2.0,), 0),
    (ends_in_elif, (0.5,), 0),
    (ends_in_elif, (-1.0,), 0),
    (svm_loss_naive, (W, X, Y, 0.1), 0),
    (softmax_loss_naive, (W, X, Y, 0.1), 0),
    (rnn_loss, (RNG.normal(size=(3, 4)) * 0.5, RNG.normal(size=(4, 4)) * 0.5,
                RNG.normal(size=(2, 5, 3))), (0, 1)),
]
IDS = [f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(CASES)]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=IDS)
def test_value_and_grad_returns_the_value(f, args, wrt):
    value, grads = value_and_grad(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*args), rel=1e-13)
    expected = check_grads(f, *args, wrt=wrt)  # finite differences, and vjp's primal
    for got, want in zip(*(((grads,), (expected,)) if not isinstance(wrt, tuple)
                           else (grads, expected))):
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_value_and_grad_of_the_issue_examples():
    assert value_and_grad(argument_reassigned_in_branch)(2.0) == (6.0, 3.0)
    value, dx = value_and_grad(loop_accumulator)(np.array([0.1, 0.2, 0.3]))
    assert value == pytest.approx(np.sin(0.1) + np.sin(0.2) + np.sin(0.3), rel=1e-15)
    np.testing.assert_allclose(dx, np.cos([0.1, 0.2, 0.3]), rtol=1e-15)


@pytest.mark.parametrize("f, args, wrt", CASES[:6], ids=IDS[:6])
def test_forward_mode_and_second_order_values(f, args, wrt):
    x = np.asarray(args[0], dtype=float)
    direction = np.ones_like(x) * 0.7
    value, tangent = jvp(f)((args[0],), (direction,))
    assert value == pytest.approx(f(*args), rel=1e-13)
    assert tangent == pytest.approx(np.sum(numerical_grad(f, list(args), 0) * direction),
                                    rel=1e-6, abs=1e-8)
    gradient, pullback = vjp(grad(f))(*args)
    np.testing.assert_allclose(gradient, grad(f)(*args), rtol=1e-14)
    H = hessian(f)(*args)
    np.testing.assert_allclose(hvp(f)((args[0],), (direction,)), np.dot(H, direction)
                               if np.ndim(H) else H * direction, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pullback(direction), hvp(f)((args[0],), (direction,)),
                               rtol=1e-12, atol=1e-12)


def test_an_argument_copied_first_may_be_written_into():
    f = function_from_source("f", """def f(x, k):
    x = np.copy(x)
    x[k] = x[k] * 2.0
    return np.sum(x ** 2)
""", {"np": np})
    x = np.array([1.0, 2.0, 3.0])
    grads = check_grads(f, x, np.array([2, 0]))
    np.testing.assert_allclose(grads, [8.0, 4.0, 24.0])
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
