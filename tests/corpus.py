"""A corpus of small functions, one per supported feature, with inputs to check them at.

Each entry is ``(function, args, wrt)``; ``test_corpus.py`` checks every entry against
central finite differences, checks that the inputs are left unchanged, and that the
normal form is valid; ``test_against_autograd.py`` compares with HIPS autograd.
"""

import numpy as np

SCALE = 0.5          # a global constant read by a function
OFFSETS = np.array([0.1, -0.2, 0.3])


def rng_array(*shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed + sum(shape)).uniform(low, high, size=shape)


# ----- assignments and arithmetic ---------------------------------------------------------

def straight_line(x, y):
    q = x + y
    r = q * x - y / 2.0
    return r ** 2


def reassigned(x):
    h = np.sin(x)
    h = h * 2.0 + x
    h = np.tanh(h)
    return np.sum(h)


def augmented(x, y):
    s = x * 1.0
    s += y
    s *= 2.0
    s -= x
    s /= 3.0
    s **= 2
    return np.sum(s)


def tuple_unpacking(x, y):
    a, b = x * 2.0, y + 1.0
    a, b = b, a
    return np.sum(a * b)


def unpack_rows(x):
    first, second = x
    return np.sum(first * second)


def shape_unpacking(X, w):
    n, d = X.shape
    return np.sum(X @ w) / (n * d)


def chained_assignment(x):
    a = b = x * 3.0
    return np.sum(a + b)


def constants_and_unary(x):
    return np.sum(-x * 2 + 3 - (-1.5) * x ** 3)


def fan_out(x):
    y = x * x + x
    return np.sum(y * x)


def integer_power_and_division(x):
    return np.sum(1 / (1 + x ** 2) + x ** 0.5)


# ----- broadcasting ----------------------------------------------------------------------

def bias_broadcast(x, b):
    return np.sum((x + b) ** 2)


def scalar_broadcast(x, s):
    return np.sum(np.exp(x * s))


def column_broadcast(x, c):
    return np.sum(x / c)


def outer_broadcast(u, v):
    return np.sum(np.sin(u[:, None] * v[None, :]))


# ----- NumPy calls, keywords and methods ---------------------------------------------------

def keyword_arguments(x):
    return np.sum(np.mean(x, axis=0, keepdims=True) ** 2)


def methods(x, y):
    a = x.sum(axis=1)
    b = x.mean()
    c = x.max()
    d = x.dot(y)
    return np.sum(a) + b + c + np.sum(d)


def attributes(x):
    n = x.shape[0]
    return np.sum(x.T @ x) / n + x.ndim


def reshapes(x):
    return np.sum(x.reshape(3, 2).ravel() * np.arange(6.0))


def builtins_on_numbers(a, b):
    return max(a, b) * 2.0 + min(a, b) + abs(a - b) + sum([a, b, 1.0])


def max_and_min_of_several(a, b, c):
    """``max(a, b, c)`` is a chain of two-argument max gates."""
    return max(a, b, c) * 2.0 + min(a * b, c, 0.5, b)


def length_of_array(x):
    return np.sum(x) / len(x)


def with_default(x, scale=2.0):
    return np.sum(x * scale)


def keyword_only(x, *, power=3):
    return np.sum(x ** power)


def global_constant(x):
    return np.sum(x * SCALE + OFFSETS)


def make_closure(k):
    def closure(x):
        return np.sum(np.exp(k * x))
    return closure


closure = make_closure(0.3)


def with_print_and_docstring(x):
    """A docstring is fine."""
    y = x * 2.0
    print("y has shape", y.shape)
    return np.sum(y)


def float_conversion(x):
    return float(np.sum(x)) * 3.0


# ----- indexing ------------------------------------------------------------------------

def index_int(x):
    return x[0] * x[-1]


def index_slices(x):
    return np.sum(x[1:3] * 2.0) + np.sum(x[::2])


def index_2d(x):
    return np.sum(x[:, 0] * x[1, :]) + x[1, 2]


def index_newaxis(x):
    return np.sum(x[None] * x[:, None])


def index_ellipsis(x):
    return np.sum(x[..., 1] ** 2)


def index_int_array(x, idx):
    return np.sum(x[idx] ** 2)


def index_mask(x):
    return np.sum(x[x > 0] ** 2)


def index_tuple_of_arrays(scores, labels):
    n = scores.shape[0]
    return -np.mean(scores[np.arange(n), labels])


def index_by_parameter(x, i):
    return x[i] * 3.0


def index_read_twice(x):
    return x[0] * x[1] + x[0]


# ----- lists, tuples and functions returning several values ---------------------------------

def list_in_a_name(x, y):
    xs = [x, y]
    return np.sum(np.stack(xs) ** 2)


def tuple_in_a_name(x, y):
    pair = (x, y * 2.0)
    return np.sum(np.concatenate(pair)) + np.sum(pair[1] ** 2)


def nested_lists(x, y):
    return np.sum(np.array([[x, y], [y, x]]) * np.array([[1.0, 2.0], [3.0, 4.0]]))


def uneven_split(x):
    a, b = np.array_split(x, 2)
    return np.sum(a) + np.sum(b ** 2)


def split_by_indices(x):
    head, middle, tail = np.split(x, [1, 3])
    return np.sum(head * 2.0) + np.sum(tail ** 2) + np.sum(np.split(x, 5)[2])


def tuple_result_in_a_name(A):
    result = np.linalg.slogdet(A)
    return result[1] * 2.0


# ----- a real model -----------------------------------------------------------------------

def mlp_loss(W1, b1, W2, b2, X, y):
    h = np.tanh(X @ W1 + b1)
    scores = h @ W2 + b2
    scores = scores - np.max(scores, axis=1, keepdims=True)
    logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(X.shape[0]), y])


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.log(1 + np.exp(-y * z))) + 0.01 * np.sum(w * w)


def sigmoid_neuron(w0, w1, w2, x0, x1):
    return 1 / (1 + np.exp(-(w0 * x0 + w1 * x1 + w2)))


CORPUS = [
    (straight_line, (0.3, -1.2), (0, 1)),
    (reassigned, (rng_array(4),), 0),
    (augmented, (rng_array(2, 3), rng_array(2, 3, seed=1)), (0, 1)),
    (tuple_unpacking, (rng_array(3), rng_array(3, seed=2)), (0, 1)),
    (unpack_rows, (rng_array(2, 3),), 0),
    (shape_unpacking, (rng_array(4, 3), rng_array(3, seed=1)), (0, 1)),
    (chained_assignment, (rng_array(3),), 0),
    (constants_and_unary, (rng_array(3),), 0),
    (fan_out, (rng_array(4),), 0),
    (integer_power_and_division, (rng_array(3, low=0.5, high=2.0),), 0),
    (bias_broadcast, (rng_array(4, 3), rng_array(3, seed=1)), (0, 1)),
    (scalar_broadcast, (rng_array(4, 3), 0.7), (0, 1)),
    (column_broadcast, (rng_array(4, 3), rng_array(4, 1, low=1.0, high=2.0)), (0, 1)),
    (outer_broadcast, (rng_array(3), rng_array(4, seed=1)), (0, 1)),
    (keyword_arguments, (rng_array(4, 3),), 0),
    (methods, (rng_array(2, 3), rng_array(3, 2, seed=1)), (0, 1)),
    (attributes, (rng_array(4, 3),), 0),
    (reshapes, (rng_array(2, 3),), 0),
    (builtins_on_numbers, (0.7, -0.4), (0, 1)),
    (max_and_min_of_several, (0.7, -0.4, 0.2), (0, 1, 2)),
    (length_of_array, (rng_array(5),), 0),
    (with_default, (rng_array(3),), 0),
    (keyword_only, (rng_array(3),), 0),
    (global_constant, (rng_array(3),), 0),
    (closure, (rng_array(3),), 0),
    (with_print_and_docstring, (rng_array(3),), 0),
    (float_conversion, (rng_array(2, 2),), 0),
    (index_int, (rng_array(4),), 0),
    (index_slices, (rng_array(5),), 0),
    (index_2d, (rng_array(3, 3),), 0),
    (index_newaxis, (rng_array(3),), 0),
    (index_ellipsis, (rng_array(2, 3, 4),), 0),
    (index_int_array, (rng_array(5), np.array([0, 2, 2, 4, 0])), 0),
    (index_mask, (rng_array(6),), 0),
    (index_tuple_of_arrays, (rng_array(4, 3), np.array([0, 2, 1, 2])), 0),
    (index_by_parameter, (rng_array(4), 2), 0),
    (index_read_twice, (rng_array(3),), 0),
    (list_in_a_name, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (tuple_in_a_name, (rng_array(3), rng_array(2, seed=1)), (0, 1)),
    (nested_lists, (0.3, -0.7), (0, 1)),
    (uneven_split, (rng_array(5),), 0),
    (split_by_indices, (rng_array(5),), 0),
    (tuple_result_in_a_name, (np.eye(3) * 2.0 + rng_array(3, 3) * 0.1,), 0),
    (mlp_loss, (rng_array(5, 4), rng_array(4, seed=1), rng_array(4, 3, seed=2),
                rng_array(3, seed=3), rng_array(6, 5, seed=4), np.array([0, 1, 2, 1, 0, 2])),
     (0, 1, 2, 3)),
    (logistic_loss, (rng_array(3), 0.1, rng_array(8, 3, seed=1),
                     np.sign(rng_array(8, seed=2))), (0, 1)),
    (sigmoid_neuron, (2.0, -3.0, -3.0, -1.0, -2.0), (0, 1, 2, 3, 4)),
]
