"""A custom derivative rule for a numerically stable function: softplus.

softplus(x) = log(1 + exp(x)) is the loss of logistic regression. Written that way it
overflows: exp(1000) is inf, so the value is inf and the derivative the compiler
generates from the source, g / (1 + exp(x)) * exp(x), is 0 * inf = nan. This script

1. shows the naive version failing at large inputs (inf value, nan gradient, NumPy's
   overflow warnings);
2. writes softplus stably (max(x, 0) + log1p(exp(-|x|))) and registers, with
   ``@autodiff_ast.adjoint(softplus)``, a reverse-mode rule for it: the derivative is
   the sigmoid, computed from the result as exp(x - softplus(x)), one exp of a number
   that is never positive; and with ``@autodiff_ast.tangent(softplus)`` the same
   derivative as a forward-mode rule (without the rules the stable formula would be
   differentiated from its source, correctly but through maximum, abs, sign and where;
   with them softplus is one primitive call whose derivative reuses its result);
3. prints the generated gradient of a logistic-regression loss that calls softplus (the
   call stays a call in the forward sweep and the rule's expression is inlined in the
   adjoint sweep), and checks it at logits in the thousands against central finite
   differences;
4. runs forward mode, ``autodiff_ast.jvp``, on the same loss: its generated code uses
   the tangent rule, and the directional derivative matches finite differences and the
   gradient.

Run:  python examples/custom_rule.py
"""

import warnings

import numpy as np

import autodiff_ast
from autodiff_ast import grad, jvp, value_and_grad
from autodiff_ast.testing import numerical_grad


def softplus_naive(x):
    return np.log(1 + np.exp(x))


def softplus(x):
    """log(1 + exp(x)) without overflow: exp is only taken of -|x| <= 0."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


@autodiff_ast.adjoint(softplus)
def softplus_adjoint(g, ans, x):
    # d softplus / dx = sigmoid(x) = exp(x) / (1 + exp(x)) = exp(x - softplus(x)),
    # and x - softplus(x) <= 0: no overflow, and the forward result is reused.
    return g * np.exp(x - ans)


@autodiff_ast.tangent(softplus)
def softplus_tangent(g, ans, x):
    # g is the tangent of x; the Jacobian of an elementwise function is diagonal. Without
    # this rule, jvp of a function calling softplus stops with a MissingRuleError (the
    # adjoint rule alone does not say that softplus is elementwise;
    # autodiff_ast.elementwise(softplus) would let forward mode derive it from that rule).
    return g * np.exp(x - ans)


def total_naive(x):
    return np.sum(softplus_naive(x))


def total(x):
    return np.sum(softplus(x))


def logistic_loss(w, X, y):
    """Mean negative log-likelihood of logistic regression with labels y in {0, 1}:
    -log sigmoid(z) for y = 1 and -log(1 - sigmoid(z)) for y = 0, z = X @ w."""
    z = X @ w
    return np.mean(softplus(z) - y * z)


def logistic_loss_naive(w, X, y):
    z = X @ w
    return np.mean(softplus_naive(z) - y * z)


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def with_warnings(function, *args):
    """Call ``function``; return its result and the texts of the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args)
    return result, sorted({str(w.message) for w in caught})


def main():
    """Run the demonstration; returns a dict of the values the tests check."""
    with np.printoptions(precision=6, linewidth=100):
        return demonstrate()


def demonstrate():
    x = np.array([-1000.0, -30.0, 0.0, 1.0, 30.0, 1000.0])
    print(f"x = {x}\n")

    print("# 1. the naive softplus, log(1 + exp(x)), differentiated from its source")
    naive = grad(total_naive)
    naive_value, value_warnings = with_warnings(total_naive, x)
    naive_grad, grad_warnings = with_warnings(naive, x)
    print(naive.source)
    print(f"sum of softplus: {naive_value}   warnings: {value_warnings}")
    print(f"gradient: {naive_grad}   warnings: {grad_warnings}\n")

    print("# 2. the stable softplus with its registered rules: the gradient of sum(softplus(x))")
    stable = grad(total)
    stable_grad, stable_warnings = with_warnings(stable, x)
    print(stable.source)
    print(f"sum of softplus: {total(x)}")
    print(f"gradient: {stable_grad}   warnings: {stable_warnings}")
    print(f"sigmoid:  {sigmoid(x)}")
    print(f"at x = 0: {stable_grad[2]} (0.5), at x = 1000: {stable_grad[5]} (1.0)\n")

    print("# 3. a logistic-regression loss calling softplus, at logits in the thousands")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    w_true = np.array([2.0, -1.0, 0.5])
    y = (X @ w_true > 0).astype(float)
    y[:5] = 1 - y[:5]                         # five labels are wrong
    w = 400.0 * w_true + rng.normal(size=3)   # an overconfident classifier
    loss = value_and_grad(logistic_loss)
    (value, dw), loss_warnings = with_warnings(loss, w, X, y)
    print(loss.source)
    logits = X @ w
    print(f"logits from {logits.min():.1f} to {logits.max():.1f}")
    (naive_loss, naive_dw), naive_loss_warnings = with_warnings(
        value_and_grad(logistic_loss_naive), w, X, y)
    print(f"naive:  loss {naive_loss}, gradient {naive_dw}   warnings: {naive_loss_warnings}")
    print(f"stable: loss {value:.4f}, gradient {dw}   warnings: {loss_warnings}")
    numeric = numerical_grad(logistic_loss, [w, X, y], 0)
    error = np.max(np.abs(dw - numeric) / np.maximum(1e-8, np.abs(dw) + np.abs(numeric)))
    print(f"finite differences:            {numeric}")
    print(f"largest relative error against finite differences: {error:.2e}\n")

    print("# 4. forward mode: jvp of the loss along a direction v uses the tangent rule")
    v = np.array([1.0, -2.0, 0.5])
    forward = jvp(logistic_loss, wrt=0)
    jvp_value, jvp_tangent = forward((w, X, y), (v,))
    print(forward.source)
    step = 1e-6 * np.linalg.norm(w)
    jvp_numeric = (logistic_loss(w + step * v, X, y)
                   - logistic_loss(w - step * v, X, y)) / (2 * step)
    print(f"value {jvp_value:.6f}, tangent {jvp_tangent:.6f}")
    print(f"gradient . v = {dw @ v:.6f}, finite differences along v: {jvp_numeric:.6f}")
    jvp_error = abs(jvp_tangent - jvp_numeric) / max(1e-8, abs(jvp_tangent) + abs(jvp_numeric))
    print(f"relative error of the tangent against finite differences: {jvp_error:.2e}")

    return {"x": x, "naive_grad": naive_grad, "naive_warnings": grad_warnings,
            "grad": stable_grad, "grad_source": stable.source, "loss_source": loss.source,
            "loss_grad": dw, "loss_grad_numeric": numeric, "naive_loss_grad": naive_dw,
            "finite_difference_error": error, "jvp_source": forward.source,
            "jvp_value": jvp_value, "jvp_tangent": jvp_tangent, "jvp_numeric": jvp_numeric,
            "grad_dot_v": dw @ v, "loss_value": value}


if __name__ == "__main__":
    main()
