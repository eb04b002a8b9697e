"""A corpus of functions with branches, loops and array writes, one per construct, with
inputs to check them at: ``(function, args, wrt)`` entries in ``CORPUS``."""

import functools
import operator

import numpy as np


def rng_array(*shape, seed=0, low=-1.0, high=1.0):
    return np.random.default_rng(seed + 10 * sum(shape)).uniform(low, high, size=shape)


# ----- branches ------------------------------------------------------------------------

def if_else(x):
    if x > 0:
        y = x * x
    else:
        y = -x
    return y * 3.0


def if_elif_else(x, y):
    if x > 1.0:
        z = x * y
    elif x > 0.0:
        z = np.sin(x) + y
    else:
        z = y * y
    return z


def condition_on_inactive(x, use_square):
    if use_square:
        return np.sum(x ** 2)
    return np.sum(np.abs(x))


def boolean_operators(x, y):
    if x > 0 and y > 0:
        z = x * y
    elif not (x > 0) or y < -0.5:
        z = x + y
    else:
        z = x - y
    return z * 2.0


def short_circuit_guards_an_index(x, i):
    if i < len(x) and x[i] > 0:
        return x[i] * 2.0
    return np.sum(x)


def conditional_expression(x, y):
    z = x * y if x > y else x + y
    return z ** 2


def branch_in_array_code(x, w):
    if np.sum(x) > 0:
        h = np.tanh(x * w)
    else:
        h = x * 2.0
    return np.sum(h * h)


# ----- for loops -------------------------------------------------------------------------

def range_with_computed_bounds(x, n):
    s = 0.0
    for i in range(1, n - 1, 2):
        s = s + x[i] * x[i - 1]
    return s


def rows_of_an_array(x, w):
    total = 0.0
    for row in x:
        total = total + np.sum(np.tanh(row * w))
    return total


def over_an_active_vector(x):
    s = 1.0
    for a in x:
        s = s * (1.0 + a)
    return s


def with_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + (i + 1) * v * v
    return s


def with_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b
    return s


def upper_triangle(A):
    n = A.shape[0]
    s = 0.0
    for i in range(n):
        for j in range(i, n):
            s = s + A[i, j] * A[i, j]
    return s


def trip_count_from_data(x):
    steps = int(np.sum(np.abs(x)) * 3) + 1
    s = 0.0
    for i in range(steps):
        s = s + np.sum(np.sin(x * i))
    return s


def rnn(x, W, U, h):
    for t in range(x.shape[0]):
        h = np.tanh(W @ h + U @ x[t])
    return np.sum(h)


def augmented_assignment(x, y):
    s = 0.0
    h = x * 1.0
    for i in range(3):
        s += np.sum(h * y)
        h *= 0.5
        h -= y
    return s


def square_in_a_loop(x, s):
    y = x * 1.0          # x *= x would change the caller's array, as in any Python code
    for i in range(3):
        y *= y
        s *= s
    return np.sum(y) + s


# ----- while loops, break, continue, return -----------------------------------------------

def newton_sqrt(a, tol):
    x = a
    while abs(x * x - a) > tol:
        x = 0.5 * (x + a / x)
    return x


def while_on_active_value(x):
    y = x
    while y < 10.0:
        y = y * 1.5 + 0.5
    return y


def break_out(x, limit):
    s = 0.0
    for i in range(len(x)):
        if s > limit:
            break
        s = s + x[i] * x[i]
    return s


def continue_over(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] < 0:
            continue
        s = s + x[i] ** 3
    return s


def early_return_in_loop(x, threshold):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i]
        if s > threshold:
            return s * 2.0
    return s


def logsumexp_loop(x):
    m = x[0]
    for i in range(1, len(x)):
        if x[i] > m:
            m = x[i]
    s = 0.0
    for i in range(len(x)):
        s = s + np.exp(x[i] - m)
    return m + np.log(s)


def scalar_loop_with_branch(x, n):
    s = 0.0
    for i in range(n):
        if s < 1.0:
            s = s + x * x
        else:
            s = s * 0.5
    return s


# ----- writes into arrays and lists ------------------------------------------------------

def write_elements(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] * (i + 1.0)
    return np.sum(y * y)


def copy_then_write(x, v):
    y = x.copy()
    y[1] = v * 2.0
    y[0, 0] += v
    return np.sum(y ** 2)


def write_a_column(x, c):
    y = x * 1.0
    for k in range(y.shape[1]):
        y[:, k] = y[:, k] * c[k]
    return np.sum(np.sin(y))


def repeated_indices(x, v, idx):
    y = x.copy()
    y[idx] += v
    return np.sum(y * y * np.arange(1.0, 1.0 + len(y)))


def list_accumulator_stack(x, W):
    out = []
    h = x
    for i in range(3):
        h = np.tanh(W @ h)
        out.append(h)
    return np.sum(np.stack(out) ** 2)


def list_accumulator_array_and_sum(x):
    values = []
    for i in range(len(x)):
        values.append(x[i] * x[i])
    return np.sum(np.array(values)) + sum(values)


CORPUS = [
    (if_else, (1.5,), 0),
    (if_else, (-2.0,), 0),
    (if_elif_else, (1.5, 0.3), (0, 1)),
    (if_elif_else, (0.5, 0.3), (0, 1)),
    (if_elif_else, (-0.5, 0.3), (0, 1)),
    (condition_on_inactive, (rng_array(3), True), 0),
    (condition_on_inactive, (rng_array(3), False), 0),
    (boolean_operators, (0.5, 0.7), (0, 1)),
    (boolean_operators, (-0.5, 0.7), (0, 1)),
    (boolean_operators, (0.5, -0.3), (0, 1)),
    (short_circuit_guards_an_index, (np.array([0.5, -1.0, 2.0]), 2), 0),
    (short_circuit_guards_an_index, (np.array([0.5, -1.0, 2.0]), 5), 0),
    (conditional_expression, (1.5, 0.5), (0, 1)),
    (conditional_expression, (0.5, 1.5), (0, 1)),
    (branch_in_array_code, (rng_array(4, seed=1), rng_array(4, seed=2)), (0, 1)),
    (branch_in_array_code, (-np.abs(rng_array(4, seed=3)), rng_array(4, seed=2)), (0, 1)),
    (range_with_computed_bounds, (rng_array(7), 7), 0),
    (rows_of_an_array, (rng_array(3, 4), rng_array(4, seed=1)), (0, 1)),
    (over_an_active_vector, (rng_array(4),), 0),
    (with_enumerate, (rng_array(4),), 0),
    (with_zip, (rng_array(4), rng_array(3, seed=1)), (0, 1)),
    (upper_triangle, (rng_array(4, 4),), 0),
    (trip_count_from_data, (rng_array(3),), 0),
    (rnn, (rng_array(5, 3), rng_array(4, 4) * 0.5, rng_array(4, 3, seed=1), rng_array(4, seed=2)),
     (0, 1, 2, 3)),
    (augmented_assignment, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (square_in_a_loop, (rng_array(3, low=0.5, high=1.2), 0.9), (0, 1)),
    (newton_sqrt, (2.0, 1e-12), 0),
    (while_on_active_value, (1.3,), 0),
    (break_out, (rng_array(6) + 1.0, 3.0), 0),
    (continue_over, (rng_array(6),), 0),
    (early_return_in_loop, (rng_array(6) + 0.5, 1.2), 0),
    (early_return_in_loop, (rng_array(6) - 0.5, 10.0), 0),
    (logsumexp_loop, (rng_array(5),), 0),
    (scalar_loop_with_branch, (0.3, 20), 0),
    (write_elements, (rng_array(4),), 0),
    (copy_then_write, (rng_array(3, 2), 0.7), (0, 1)),
    (write_a_column, (rng_array(3, 2), rng_array(2, seed=1)), (0, 1)),
    (repeated_indices, (rng_array(4), rng_array(5, seed=1), np.array([0, 2, 2, 3, 0])), (0, 1)),
    (list_accumulator_stack, (rng_array(3), rng_array(3, 3)), (0, 1)),
    (list_accumulator_array_and_sum, (rng_array(4),), 0),
]


# ----- combinations ------------------------------------------------------------------------

def while_inside_for(x):
    total = 0.0
    for i in range(len(x)):
        v = x[i]
        while v < 3.0:
            v = v * 2.0 + 0.1
        total = total + v * x[i]
    return total


def break_in_inner_loop(x):
    s = 0.0
    for i in range(3):
        for j in range(len(x)):
            if x[j] * (i + 1) > 1.5:
                break
            s = s + x[j] * (i + 1)
    return s


def zero_iterations(x, n):
    s = np.sum(x)
    for i in range(n):
        s = s * x[0]
    return s


def read_last_item(x):
    out = [x * 1.0]
    for i in range(3):
        out.append(np.sin(out[-1]) + x)
    return np.sum(out[-1] * out[0])


def list_popped_in_a_loop(x):
    out = [x, 2.0 * x]
    out = [out[0] * 3.0, out[1]]
    s = 0.0
    for i in range(2):
        s = s + np.sum(out.pop() ** 2)
    return s


def stack_pushed_and_popped(x):
    saved = []
    h = x
    for i in range(3):
        saved.append(h)
        h = np.sin(h) * 2.0
    total = np.sum(h)
    for i in range(3):
        total = total + np.sum(saved.pop() * h)
    return total


def enumerate_over_zip(x, y):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, y)):
        s = s + (i + 1) * a * b ** 2
    return s


def zip_over_rows_unpacked(P, x):
    s = 0.0
    for (a, b), c in zip(P, x):
        s = s + np.sin(a) * b * c
    return s


def empty_branches_and_loops(x, n):
    """``pass`` in a branch and a loop (and so ``if c: pass`` in gradient code, which
    forward mode over it reads)."""
    if np.sum(x) > 100.0:
        pass
    else:
        x = x * 3.0
    for i in range(n):
        pass
    if n > 0:
        pass
    return np.sum(np.sin(x) * i)


def pieces_concatenated(x):
    """Gradient code reads the list's adjoint as ``list(unconcatenate(dy, parts))``, which
    reverse mode over it takes as a list of adjoints."""
    parts = []
    for i in range(3):
        parts.append(np.sin(x * (i + 1)))
    return np.sum(np.concatenate(parts) ** 2)


CORPUS += [
    (pieces_concatenated, (rng_array(2),), 0),
    (empty_branches_and_loops, (rng_array(3), 3), 0),
    (enumerate_over_zip, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (zip_over_rows_unpacked, (rng_array(3, 2), rng_array(3, seed=1)), (0, 1)),
    (list_popped_in_a_loop, (rng_array(2),), 0),
    (stack_pushed_and_popped, (rng_array(3),), 0),
    (while_inside_for, (np.array([0.3, 1.7, 2.5]),), 0),
    (break_in_inner_loop, (np.array([0.2, 0.4, 0.9, 0.1]),), 0),
    (zero_iterations, (rng_array(3), 0), 0),
    (zero_iterations, (rng_array(3), 2), 0),
    (read_last_item, (rng_array(3),), 0),
]


# ----- comprehensions (desugar lowers them to loops, or to displays where their items are
# known when the code is generated) --------------------------------------------------------

def comprehension_of_layers(h, Ws):
    return np.sum(np.stack([np.tanh(W @ h) for W in Ws]))


def generator_summed_over_zip(ws, xs):
    return np.sum(sum(w * x for w, x in zip(ws, xs)))


def comprehension_over_range(x, n):
    return np.sum(np.array([np.sin(x[i]) * x[i - 1] for i in range(n)]))


def generator_with_filter_and_nested_fors(x):
    return sum(x[i] * x[j] for i in range(len(x)) if x[i] > 0 for j in range(i))


def nested_comprehensions(x, y):
    table = np.array([[x[i] * y[j] for j in range(len(y))] for i in range(len(x))])
    return np.sum(np.sin(table))


def comprehension_variable_named_like_a_local(x):
    v = x * 2.0
    s = sum(np.sin(v) for v in x)
    return s + np.sum(v)


def dict_comprehension_over_constant_keys(x):
    d = {k: x * c for k, c in (("a", 1.0), ("b", 2.0), ("c", 3.0)) if k != "c"}
    return np.sum(d["a"] * np.cos(d["b"]))


def comprehension_unrolled_with_a_filter(x):
    return np.sum(np.stack([x ** c for c in (1.0, 2.0, 3.0) if c != 2.0]) ** 2)


def comprehension_in_a_condition_and_a_loop(x):
    s = 0.0
    if sum([v for v in x]) > 0:
        for y in [x * k for k in range(1, 3)]:
            s = s + np.sum(np.tanh(y))
    return s + np.sum(x)


def comprehension_inside_a_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + max([x[j] * (i + 1) for j in range(len(x)) if j != i])
    return s


def nested_comprehension_rebinding_its_name(X):
    return np.sum(np.array([[np.sin(x) * x for x in x] for x in X]))


def generators_under_max_and_tuple(X):
    t = tuple(np.tanh(r) for r in X)
    return max(np.sum(r * (k + 1)) for k, r in enumerate(X)) + np.sum(t[0] * t[1])


def generator_in_a_nested_function(X):
    def squares(r):
        return sum(v ** 2 for v in r)
    return sum(squares(r) * np.sum(r) for r in X)


def comprehension_leaves_the_name_outside_alone(X):
    i = 5
    s = [X[i] for i in range(2)]
    return np.sum(s[0] * np.sin(s[1])) * i


CORPUS += [
    (comprehension_of_layers, (rng_array(3), [rng_array(3, 3, seed=k) for k in (1, 2)]), 0),
    (generator_summed_over_zip, (rng_array(3, 2), rng_array(3, 2, seed=1)), (0, 1)),
    (comprehension_over_range, (rng_array(4), 3), 0),
    (generator_with_filter_and_nested_fors, (np.array([0.5, -0.3, 0.8, 1.2]),), 0),
    (nested_comprehensions, (rng_array(3), rng_array(2, seed=1)), (0, 1)),
    (comprehension_variable_named_like_a_local, (rng_array(3),), 0),
    (dict_comprehension_over_constant_keys, (rng_array(3),), 0),
    (comprehension_unrolled_with_a_filter, (rng_array(3),), 0),
    (comprehension_in_a_condition_and_a_loop, (np.array([0.5, 0.3, -0.1]),), 0),
    (comprehension_in_a_condition_and_a_loop, (np.array([-0.5, 0.3, -0.1]),), 0),
    (comprehension_inside_a_loop, (np.array([0.5, 0.3, -0.1]), 2), 0),
    (nested_comprehension_rebinding_its_name, (rng_array(2, 3),), 0),
    (generators_under_max_and_tuple, (rng_array(2, 3),), 0),
    (generator_in_a_nested_function, (rng_array(2, 3),), 0),
    (comprehension_leaves_the_name_outside_alone, (rng_array(2, 3),), 0),
]


# ----- dict methods on data (a layer's settings) -------------------------------------------

def settings_read_with_get(x, bn_param):
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    centered = x - np.mean(x)
    return np.sum(centered ** 2 / np.sqrt(np.var(x) + eps)) * momentum


CORPUS += [
    (settings_read_with_get, (rng_array(4), {"eps": 1e-3, "mode": "train"}), 0),
]


# ----- the operator module's functions, and functools.reduce over them ---------------------

def operator_functions(x, y):
    a = operator.add(x, y)
    b = operator.sub(x, y)
    c = operator.mul(a, b)
    d = operator.truediv(c, operator.pow(y, 2) + 1.0)
    return np.sum(operator.neg(d)) + operator.matmul(x, y)


def reduce_over_a_list_written_out(x, y):
    return np.sum(functools.reduce(operator.mul, [x, y, x + 1.0]))


def reduce_with_an_initial_value(x, Ms):
    return np.sum(functools.reduce(np.dot, (Ms[0], Ms[1]), np.diag(x)) ** 2)


CORPUS += [
    (operator_functions, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (reduce_over_a_list_written_out, (rng_array(3), rng_array(3, seed=1)), (0, 1)),
    (reduce_with_an_initial_value, (rng_array(3), [rng_array(3, 3, seed=k) for k in (1, 2)]), 0),
]
