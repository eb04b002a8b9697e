"""A 2-layer network whose parameters live in a dict, written as small functions that
call each other, trained on handwritten digits with a generated gradient.

The parameters are one dict ``{"W1", "b1", "W2", "b2"}``; the model is split into
``dense``, ``hidden_layer``, ``log_softmax``, ``weight_decay`` and ``loss``, and ``loss``
passes the dict on to the functions it calls. ``autodiff_ast.value_and_grad(loss)``
inlines every one of those calls into a single gradient function (printed below: each
group of adjoint statements is headed by the line of the callee it comes from) and
returns the gradient as a dict with the same keys and shapes as ``params``, so the
update is a loop over the dict. The data set is scikit-learn's copy of the UCI optical
digits (1797 images of 8x8 pixels, shipped inside the package: no download); the
network is trained with minibatch SGD with momentum and tested on 397 held-out digits.

Run:  python examples/dict_params_digits.py [--epochs 15] [--seed 0]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits

from autodiff_ast import value_and_grad


def dense(W, b, x):
    """An affine layer."""
    return x @ W + b


def hidden_layer(params, x):
    """The tanh hidden layer; reads its weights from the parameter dict."""
    return np.tanh(dense(params["W1"], params["b1"], x))


def log_softmax(scores):
    """Row-wise log-probabilities, shifted by the row maximum so exp cannot overflow."""
    scores = scores - np.max(scores, axis=1, keepdims=True)
    return scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))


def weight_decay(params, reg):
    """L2 penalty on the weight matrices (not the biases)."""
    return reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


def loss(params, X, y, reg):
    """Mean softmax cross-entropy of the network on (X, y), plus weight decay."""
    h = hidden_layer(params, X)
    logp = log_softmax(dense(params["W2"], params["b2"], h))
    data_loss = -np.mean(logp[np.arange(X.shape[0]), y])
    return data_loss + weight_decay(params, reg)


def predict(params, X):
    return np.argmax(dense(params["W2"], params["b2"], hidden_layer(params, X)), axis=1)


def init_params(rng, hidden=64, inputs=64, classes=10):
    return {"W1": rng.normal(scale=1 / np.sqrt(inputs), size=(inputs, hidden)),
            "b1": np.zeros(hidden),
            "W2": rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, classes)),
            "b2": np.zeros(classes)}


def finite_difference_check(gradient, params, X, y, reg, rng, count=4, step=1e-5):
    """Largest relative error between the generated and central-difference partials, at
    ``count`` random coordinates of every entry of the dict."""
    _, grads = gradient(params, X, y, reg)
    worst = 0.0
    for key, param in params.items():
        for _ in range(count):
            index = tuple(rng.integers(0, n) for n in param.shape)
            original = param[index]
            param[index] = original + step
            up = loss(params, X, y, reg)
            param[index] = original - step
            down = loss(params, X, y, reg)
            param[index] = original
            numeric = (up - down) / (2 * step)
            analytic = grads[key][index]
            worst = max(worst, abs(numeric - analytic) / max(1e-8, abs(numeric) + abs(analytic)))
    return worst


def main(epochs=15, seed=0, hidden=64, lr=0.05, momentum=0.9, batch=32, reg=1e-4):
    """Train and report; returns a dict with the test accuracy, the training losses by
    epoch (index 0: before training), the first gradient dict, the initial parameter
    shapes and the generated source."""
    digits = load_digits()
    X = digits.data / 16.0
    y = digits.target
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    train, test = order[:1400], order[1400:]
    params = init_params(rng, hidden)

    gradient = value_and_grad(loss)
    start = time.perf_counter()
    value, grads = gradient(params, X[train[:8]], y[train[:8]], reg)
    elapsed = time.perf_counter() - start
    source = gradient.source
    print(f"# generated (and run once) in {1e3 * elapsed:.1f} ms:")
    print(source)
    print(f"loss on 8 examples: {value:.4f}")
    print(f"the gradient is a {type(grads).__name__} with the keys of params: {list(grads)}")
    for key, g in grads.items():
        print(f"d{key}: shape {g.shape} (params[{key!r}]: {params[key].shape}), "
              f"norm {np.linalg.norm(g):.4f}")
    first_grads = {key: g.copy() for key, g in grads.items()}
    shapes = {key: p.shape for key, p in params.items()}
    error = finite_difference_check(gradient, params, X[train[:32]], y[train[:32]], reg, rng)
    print(f"largest relative error against finite differences: {error:.2e}\n")

    velocity = {key: np.zeros_like(p) for key, p in params.items()}
    losses = [loss(params, X[train], y[train], reg)]
    print(f"epoch   0  train loss {losses[0]:.4f}")
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        shuffled = rng.permutation(train)
        for first in range(0, len(shuffled), batch):
            rows = shuffled[first:first + batch]
            _, grads = gradient(params, X[rows], y[rows], reg)
            for key, g in grads.items():
                velocity[key] = momentum * velocity[key] - lr * g
                params[key] += velocity[key]
        losses.append(loss(params, X[train], y[train], reg))
        if epoch % 5 == 0 or epoch == 1 or epoch == epochs:
            accuracy = np.mean(predict(params, X[test]) == y[test])
            print(f"epoch {epoch:3d}  train loss {losses[-1]:.4f}  test accuracy {accuracy:.3f}")
    seconds = time.perf_counter() - start
    print(f"trained in {seconds:.1f} s")
    accuracy = np.mean(predict(params, X[test]) == y[test])
    print(f"final test accuracy on {len(test)} held-out digits: {accuracy:.3f}")
    return {"accuracy": accuracy, "losses": losses, "grads": first_grads, "shapes": shapes,
            "source": source, "finite_difference_error": error, "seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    options = parser.parse_args()
    main(epochs=options.epochs, seed=options.seed, hidden=options.hidden, lr=options.lr)
