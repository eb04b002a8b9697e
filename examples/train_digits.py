"""A 2-layer neural network trained on handwritten digits with a generated gradient.

The data set is scikit-learn's copy of the UCI optical digits (1797 images of 8x8
pixels, shipped inside the package: no download). The loss is an ordinary NumPy
function; ``autodiff_ast.grad`` turns it into a gradient function whose source this
script prints, checks against finite differences at a few coordinates, and uses for
minibatch gradient descent.

Run:  python examples/train_digits.py [--epochs 30]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

from autodiff_ast import value_and_grad


def loss(W1, b1, W2, b2, X, y, reg):
    """Mean softmax cross-entropy of a tanh network, plus L2 weight decay."""
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    data_loss = -np.mean(logp[np.arange(X.shape[0]), y])
    return data_loss + reg * (np.sum(W1 * W1) + np.sum(W2 * W2))


def predict(W1, b1, W2, b2, X):
    return np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1)


def finite_difference_check(gradient, params, X, y, reg, rng, count=5, step=1e-5):
    """Largest relative error between generated and central-difference partials."""
    _, grads = gradient(*params, X, y, reg)
    worst = 0.0
    for which, (param, g) in enumerate(zip(params, grads)):
        for _ in range(count):
            index = tuple(rng.integers(0, n) for n in param.shape)
            original = param[index]
            param[index] = original + step
            up = loss(*params, X, y, reg)
            param[index] = original - step
            down = loss(*params, X, y, reg)
            param[index] = original
            numeric = (up - down) / (2 * step)
            worst = max(worst, abs(numeric - g[index]) / max(1e-8, abs(numeric) + abs(g[index])))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.5)
    options = parser.parse_args()

    digits = load_digits()
    X = digits.data / 16.0
    y = digits.target
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    train, test = order[:1400], order[1400:]
    params = [rng.normal(scale=0.1, size=(64, options.hidden)), np.zeros(options.hidden),
              rng.normal(scale=0.1, size=(options.hidden, 10)), np.zeros(10)]
    reg = 1e-4

    gradient = value_and_grad(loss, wrt=(0, 1, 2, 3))
    start = time.perf_counter()
    source = gradient.source
    print(f"# generated in {1e3 * (time.perf_counter() - start):.1f} ms:")
    print(source)

    value, grads = gradient(*params, X[train[:8]], y[train[:8]], reg)
    print(f"loss on 8 examples: {value:.4f}")
    for name, g in zip(("dW1", "db1", "dW2", "db2"), grads):
        print(f"{name}: shape {g.shape}, norm {np.linalg.norm(g):.4f}, first {g.ravel()[:3]}")
    error = finite_difference_check(gradient, params, X[train[:32]], y[train[:32]], reg, rng)
    print(f"largest relative error against finite differences: {error:.2e}\n")

    batch = 64
    for epoch in range(1, options.epochs + 1):
        shuffled = rng.permutation(train)
        for start in range(0, len(shuffled), batch):
            rows = shuffled[start:start + batch]
            value, grads = gradient(*params, X[rows], y[rows], reg)
            for param, g in zip(params, grads):
                param -= options.lr * g
        if epoch % 10 == 0 or epoch == 1:
            accuracy = np.mean(predict(*params, X[test]) == y[test])
            full = loss(*params, X[train], y[train], reg)
            print(f"epoch {epoch:3d}  train loss {full:.4f}  test accuracy {accuracy:.3f}")
    accuracy = np.mean(predict(*params, X[test]) == y[test])
    print(f"final test accuracy on {len(test)} held-out digits: {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    main()
