"""Newton's method for L2-regularised logistic regression, with a generated Hessian.

The data set is scikit-learn's copy of the Wisconsin breast cancer data (569 tumours,
30 features, shipped inside the package: no download), standardised with the training
split's mean and deviation, with a column of ones appended for the bias. The loss is an
ordinary NumPy function (mean log-loss written with ``np.logaddexp``, plus
``lam / 2 * ||w||^2`` over the weights but not the bias). ``autodiff_ast.grad`` gives its
gradient and ``autodiff_ast.hessian`` its Hessian: forward mode over the generated
gradient code, one Hessian-vector product per parameter. The script prints that
forward-over-reverse code, then runs Newton's method (each step solves ``H d = g``),
printing the loss and gradient norm per iteration: the convergence is quadratic (the
number of correct digits doubles each step near the solution). It ends with the
train/test accuracy, the gradient and Hessian against their closed forms
``X^T (p - y) / N + lam w`` and ``X^T diag(p (1 - p)) X / N + lam I`` (no ``lam`` for
the bias), and the weights against scikit-learn's ``LogisticRegression`` with the
equivalent ``C = 1 / (lam N)``.

Run:  python examples/newton_logistic.py [--lam 0.01] [--seed 0]
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from autodiff_ast import grad, hessian


def loss(w, X, y, lam):
    """Mean log-loss of a linear classifier whose bias is the last entry of ``w`` (``X``
    ends with a column of ones), plus ``lam / 2 * ||w||^2`` over the weights only."""
    z = X @ w
    data_loss = np.mean(np.logaddexp(0.0, z) - y * z)   # -log sigmoid(+-z), stably
    return data_loss + 0.5 * lam * np.sum(w[:-1] ** 2)


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def closed_forms(w, X, y, lam):
    """The gradient and Hessian of ``loss`` written by hand."""
    p = sigmoid(X @ w)
    penalty = np.full(w.shape, lam)
    penalty[-1] = 0.0
    g = X.T @ (p - y) / len(y) + penalty * w
    H = X.T @ (X * (p * (1 - p))[:, None]) / len(y) + np.diag(penalty)
    return g, H


def load(seed):
    data = load_breast_cancer()
    X_train, X_test, y_train, y_test = train_test_split(
        data.data, data.target.astype(float), test_size=0.25, stratify=data.target,
        random_state=seed)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return X_train, X_test, y_train, y_test


def with_bias(X):
    return np.hstack([X, np.ones((len(X), 1))])


def accuracy(w, X, y):
    return float(np.mean((X @ w > 0) == (y == 1)))


def main(lam=1e-2, seed=0, max_iterations=20, tol=1e-10):
    """Fit by Newton's method and report; returns a dict with the per-iteration losses,
    gradient norms and step sizes, the weights, the accuracies, the comparisons with the
    closed forms and scikit-learn, the generated Hessian source and timings."""
    X_train, X_test, y_train, y_test = load(seed)
    A_train, A_test = with_bias(X_train), with_bias(X_test)
    n, d = A_train.shape
    print(f"breast cancer: {n} training and {len(y_test)} test tumours, {d - 1} features "
          f"+ bias, lam = {lam:g}")

    gradient, hess = grad(loss), hessian(loss)
    w = np.zeros(d)
    start = time.perf_counter()
    gradient(w, A_train, y_train, lam)
    grad_ms = 1e3 * (time.perf_counter() - start)
    start = time.perf_counter()
    hess(w, A_train, y_train, lam)
    hess_ms = 1e3 * (time.perf_counter() - start)
    source = hess.source
    print(f"# gradient generated and run in {grad_ms:.1f} ms; Hessian code generated and "
          f"run ({d} Hessian-vector products) in {hess_ms:.1f} ms:")
    print(source)

    losses, grad_norms, steps, hess_times = [], [], [], []
    print(" iter        loss            |grad|      step")
    for iteration in range(max_iterations + 1):
        value = loss(w, A_train, y_train, lam)
        g = gradient(w, A_train, y_train, lam)
        losses.append(float(value))
        grad_norms.append(float(np.linalg.norm(g)))
        print(f"{iteration:5d}  {value:.15f}  {grad_norms[-1]:.3e}"
              + (f"  {steps[-1]:g}" if steps else ""))
        if grad_norms[-1] < tol or iteration == max_iterations:
            break
        start = time.perf_counter()
        H = hess(w, A_train, y_train, lam)
        hess_times.append(time.perf_counter() - start)
        direction = np.linalg.solve(H, g)
        # a Newton step, halved while it does not decrease the loss (no halving at the defaults)
        step = 1.0
        while loss(w - step * direction, A_train, y_train, lam) > value and step > 1e-10:
            step /= 2
        steps.append(step)
        w = w - step * direction
    iterations = len(losses) - 1

    start = time.perf_counter()
    H = hess(w, A_train, y_train, lam)
    hess_seconds = time.perf_counter() - start
    start = time.perf_counter()
    g_closed, H_closed = closed_forms(w, A_train, y_train, lam)
    closed_seconds = time.perf_counter() - start
    hessian_error = float(np.max(np.abs(H - H_closed)))
    gradient_error = float(np.max(np.abs(gradient(w, A_train, y_train, lam) - g_closed)))
    closed_grad_norm = float(np.linalg.norm(g_closed))
    print(f"\nconverged in {iterations} Newton steps; |grad| = {grad_norms[-1]:.2e}, "
          f"hand-written gradient at the solution: |X^T (p - y) / N + lam w| = "
          f"{closed_grad_norm:.2e}")
    print(f"generated Hessian vs X^T diag(p (1 - p)) X / N + lam I: largest difference "
          f"{hessian_error:.2e} (gradient: {gradient_error:.2e})")
    print(f"Hessian: generated {1e3 * hess_seconds:.2f} ms ({d} products), closed form "
          f"{1e3 * closed_seconds:.2f} ms; median over the Newton steps "
          f"{1e3 * np.median(hess_times):.2f} ms")

    train_accuracy, test_accuracy = accuracy(w, A_train, y_train), accuracy(w, A_test, y_test)
    print(f"accuracy: train {train_accuracy:.4f}, test {test_accuracy:.4f} "
          f"({len(y_test)} held-out tumours)")

    # scikit-learn minimises C * sum(log-loss) + ||coef||^2 / 2 with an unpenalised
    # intercept: the same minimiser when C = 1 / (lam N)
    reference = LogisticRegression(C=1.0 / (lam * n), solver="newton-cholesky", tol=1e-12,
                                   max_iter=1000).fit(X_train, y_train)
    w_sklearn = np.append(reference.coef_.ravel(), reference.intercept_)
    sklearn_difference = float(np.max(np.abs(w - w_sklearn)))
    print(f"scikit-learn LogisticRegression(C = 1 / (lam N) = {1.0 / (lam * n):.4f}): "
          f"largest weight difference {sklearn_difference:.2e} (weights up to "
          f"{np.max(np.abs(w)):.2f}), test accuracy {reference.score(X_test, y_test):.4f}")

    return {"iterations": iterations, "losses": losses, "grad_norms": grad_norms,
            "steps": steps, "w": w, "w_sklearn": w_sklearn,
            "sklearn_difference": sklearn_difference, "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy, "hessian_error": hessian_error,
            "gradient_error": gradient_error, "closed_grad_norm": closed_grad_norm,
            "source": source, "hessian_ms": 1e3 * float(np.median(hess_times)),
            "closed_form_ms": 1e3 * closed_seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lam", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    main(lam=options.lam, seed=options.seed)
