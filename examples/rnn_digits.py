"""A recurrent neural network that reads handwritten digits row by row, trained with a
generated gradient.

The data set is scikit-learn's copy of the UCI optical digits (1797 images of 8x8
pixels, shipped inside the package: no download). Each image is read as a sequence of 8
time steps, one row of 8 pixels per step, by a vanilla tanh RNN; a softmax layer
classifies the digit from the last hidden state. The loss is an ordinary NumPy function
with a ``for`` loop over the time steps; ``autodiff_ast.value_and_grad`` turns it into a
gradient function (backpropagation through time: the loop runs again, reversed, popping
the hidden states it saved) whose source this script prints, checks against finite
differences at a few coordinates, and uses for minibatch Adam.

Run:  python examples/rnn_digits.py [--epochs 20]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

from autodiff_ast import value_and_grad

NAMES = ("dWx", "dWh", "db", "dWy", "dby")


def loss(Wx, Wh, b, Wy, by, x, y, reg):
    """Mean softmax cross-entropy of a tanh RNN over the sequences ``x`` (batch, time,
    features), classified from the last hidden state, plus L2 weight decay."""
    h = np.zeros((x.shape[0], Wh.shape[0]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    scores = h @ Wy + by
    scores = scores - np.max(scores, axis=1, keepdims=True)
    logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    data_loss = -np.mean(logp[np.arange(x.shape[0]), y])
    return data_loss + reg * (np.sum(Wx * Wx) + np.sum(Wh * Wh) + np.sum(Wy * Wy))


def predict(Wx, Wh, b, Wy, by, x):
    """The most likely digit for each sequence in ``x``."""
    h = np.zeros((x.shape[0], Wh.shape[0]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
    return np.argmax(h @ Wy + by, axis=1)


def finite_difference_check(gradient, params, x, y, reg, rng, count=4, step=1e-5):
    """Largest relative error between generated and central-difference partials, at
    ``count`` random coordinates of every parameter."""
    _, grads = gradient(*params, x, y, reg)
    worst = 0.0
    for param, g in zip(params, grads):
        for _ in range(count):
            index = tuple(rng.integers(0, n) for n in param.shape)
            original = param[index]
            param[index] = original + step
            up = loss(*params, x, y, reg)
            param[index] = original - step
            down = loss(*params, x, y, reg)
            param[index] = original
            numeric = (up - down) / (2 * step)
            worst = max(worst, abs(numeric - g[index]) / max(1e-8, abs(numeric) + abs(g[index])))
    return worst


class Adam:
    """Adam (Kingma and Ba, 2015) updating a list of arrays in place."""

    def __init__(self, params, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params, self.lr, self.beta1, self.beta2, self.eps = params, lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.steps = 0

    def step(self, grads):
        self.steps += 1
        correction1 = 1 - self.beta1 ** self.steps
        correction2 = 1 - self.beta2 ** self.steps
        for param, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            param -= self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.01)
    options = parser.parse_args()

    digits = load_digits()
    x = digits.images / 16.0            # (1797, 8, 8): 8 time steps of 8 pixels
    y = digits.target
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    train, test = order[:1400], order[1400:]
    hidden = options.hidden
    params = [rng.normal(scale=1 / np.sqrt(8), size=(8, hidden)),
              rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, hidden)),
              np.zeros(hidden),
              rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, 10)),
              np.zeros(10)]
    reg = 1e-4

    gradient = value_and_grad(loss, wrt=(0, 1, 2, 3, 4))
    start = time.perf_counter()
    source = gradient.source
    print(f"# generated in {1e3 * (time.perf_counter() - start):.1f} ms:")
    print(source)

    value, grads = gradient(*params, x[train[:8]], y[train[:8]], reg)
    print(f"loss on 8 sequences: {value:.4f}")
    for name, g in zip(NAMES, grads):
        print(f"{name}: shape {g.shape}, norm {np.linalg.norm(g):.4f}, first {g.ravel()[:3]}")
    error = finite_difference_check(gradient, params, x[train[:32]], y[train[:32]], reg, rng)
    print(f"largest relative error against finite differences: {error:.2e}\n")

    optimizer = Adam(params, lr=options.lr)
    batch = 32
    start = time.perf_counter()
    for epoch in range(1, options.epochs + 1):
        shuffled = rng.permutation(train)
        for first in range(0, len(shuffled), batch):
            rows = shuffled[first:first + batch]
            _, grads = gradient(*params, x[rows], y[rows], reg)
            optimizer.step(grads)
        if epoch % 5 == 0 or epoch == 1 or epoch == options.epochs:
            accuracy = np.mean(predict(*params, x[test]) == y[test])
            full = loss(*params, x[train], y[train], reg)
            print(f"epoch {epoch:3d}  train loss {full:.4f}  test accuracy {accuracy:.3f}")
    print(f"trained in {time.perf_counter() - start:.1f} s")
    accuracy = np.mean(predict(*params, x[test]) == y[test])
    print(f"final test accuracy on {len(test)} held-out digits: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
