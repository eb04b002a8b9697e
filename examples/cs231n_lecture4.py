"""The backprop circuits of the CS231n Lecture 4 notes, differentiated by autodiff_ast.

Each function is an ordinary Python function; ``grad`` generates its backward pass as
Python source, which this script prints next to the gradient values the notes give.

Run:  python examples/cs231n_lecture4.py
"""

import numpy as np

from autodiff_ast import grad


def add_multiply(x, y, z):
    """f(x, y, z) = (x + y) z: an add gate feeding a multiply gate."""
    q = x + y
    return q * z


def sigmoid_neuron(w0, w1, w2, x0, x1):
    """A 2-input neuron with a sigmoid activation."""
    dot = w0 * x0 + w1 * x1 + w2
    return 1 / (1 + np.exp(-dot))


def max_gate(x, y, z, w):
    """f = 2 (x y + max(z, w)): the max gate routes the gradient to the larger input."""
    return 2 * (x * y + max(z, w))


def squared_norm(W, x):
    """f = ||W x||^2 for a matrix W and a vector x."""
    q = W @ x
    return np.sum(q ** 2)


CIRCUITS = [
    (add_multiply, (-2.0, 5.0, -4.0), (0, 1, 2)),
    (sigmoid_neuron, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
    (max_gate, (3.0, -4.0, 2.0, -1.0), (0, 1, 2, 3)),
    (squared_norm, (np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])), (0, 1)),
]


def main():
    with np.printoptions(precision=3, suppress=True):
        show_circuits()


def show_circuits():
    for function, args, wrt in CIRCUITS:
        gradient = grad(function, wrt=wrt)
        print(f"# {function.__name__}: {function.__doc__.strip()}")
        print(gradient.source)
        values = gradient(*args)
        names = gradient._names
        for name, value in zip(names, values):
            print(f"d{name} = {np.round(value, 3)}")
        print()


if __name__ == "__main__":
    main()
