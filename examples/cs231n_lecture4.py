"""The backprop circuits of the CS231n Lecture 4 notes, differentiated by autodiff_ast.

Each function is an ordinary Python function; ``grad`` generates its backward pass as
Python source, which this script prints next to the gradient values the notes give, and
``circuit`` draws the notes' figures: every gate, the forward value above each wire
(green) and its gradient below it (red).

Run:  python examples/cs231n_lecture4.py [--out DIR]   (figures go to DIR, by default
cs231n_figures/: .svg always, .png too where Graphviz's dot is installed)
"""

import argparse
import os
import shutil

import numpy as np

from autodiff_ast import circuit, grad


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


def sigmoid_neuron_gates(w0, w1, w2, x0, x1):
    """The same neuron gate by gate, as the notes draw it: *, +, *-1, exp, +1, 1/x."""
    a = w0 * x0
    b = w1 * x1
    c = a + b
    d = c + w2
    e = d * -1
    f = np.exp(e)
    g = f + 1
    return 1 / g


CIRCUITS = [
    (add_multiply, (-2.0, 5.0, -4.0), (0, 1, 2)),
    (sigmoid_neuron, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
    (max_gate, (3.0, -4.0, 2.0, -1.0), (0, 1, 2, 3)),
    (squared_norm, (np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])), (0, 1)),
    (sigmoid_neuron_gates, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
]

# the notes' two figures, and the neuron with its sigmoid as one gate
FIGURES = {
    "add_multiply": (add_multiply, (-2.0, 5.0, -4.0), (0, 1, 2)),
    "sigmoid_neuron": (sigmoid_neuron_gates, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
    "sigmoid_gate": (sigmoid_neuron, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
}


def main(figures=None):
    """Print each circuit's generated code and gradients; with ``figures`` (a
    directory), draw the notes' figures there too."""
    with np.printoptions(precision=3, suppress=True):
        show_circuits()
    if figures is not None:
        for path in draw_figures(figures):
            print("wrote", path)


def draw_figures(directory):
    """Write each of ``FIGURES`` as ``<name>.svg`` in ``directory`` (and ``.png`` where
    Graphviz's dot is installed); give the paths written."""
    os.makedirs(directory, exist_ok=True)
    written = []
    for name, (function, args, wrt) in FIGURES.items():
        drawing = circuit(function, *args, wrt=wrt)
        extensions = ("svg", "png") if shutil.which("dot") else ("svg",)
        for extension in extensions:
            written.append(drawing.save(os.path.join(directory, f"{name}.{extension}")))
    return written


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="cs231n_figures", help="where to draw the figures")
    main(parser.parse_args().out)
