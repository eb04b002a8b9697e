"""Functions in another module, called by tests/corpus_calls.py (their globals are this
module's, not the caller's)."""

import numpy as np

SCALE = 3.0   # a global of this module; the caller has its own SCALE


def scaled_softplus(x, beta=1.0):
    return np.log(1.0 + np.exp(beta * x)) / beta * SCALE


def dense(x, W, b):
    return np.tanh(x @ W + b)


def clipped_square(v):
    if v > 1.0:
        return 2.0 * v - 1.0
    return v * v
