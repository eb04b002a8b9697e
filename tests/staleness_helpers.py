"""Module-level functions for tests/test_staleness.py: importable by name, so that
transforms of them pickle and reach the processes of a multiprocessing pool."""

import numpy as np


def loss(w, x=2.0):
    return np.sum(np.tanh(w * x) ** 2)


def cubic(x):
    return np.sum(x ** 3)


def cubic_scalar(x):
    return x ** 3


def vector_field(x):
    return np.array([x[0] * x[1], np.sin(x[0])])
