"""Random programs: straight-line code, branches, loops, array writes, list accumulators
and calls, made from a small grammar with a fixed seed each, checked end to end: the
gradient against central differences, the value of ``value_and_grad`` and the primals
of ``jvp`` and ``vjp`` against the function run directly, the tangent (jvp) against a
directional difference, and Hessian-vector products, forward over the generated
gradient code (hvp) and reverse over it (vjp of grad), against differences of the
gradient. A second grammar makes the shapes that hid wrong values: arguments reassigned
in branches and loops, a result overwritten in a loop or a branch before it is
returned, ``wrt`` subsets of several arguments, and integer arguments (an index array
and a count). Each program is written to a file (the compiler reads source) and its
text is shown when a check fails."""

import random

import numpy as np
import pytest

from autodiff_ast import grad, hvp, jvp, value_and_grad, vjp
from sweep import load_file

UNARY = ["np.sin({0})", "np.cos({0})", "np.tanh({0})", "np.exp(0.3 * {0})",
         "np.log(1.5 + {0} * {0})", "np.sqrt(1.0 + {0} * {0})", "{0} ** 2", "-{0}",
         "({0} * 0.7)", "np.arctan({0})", "np.sinh(0.5 * {0})", "helper({0}, scale=0.5)"]
BINARY = ["{0} + {1}", "{0} - {1}", "{0} * {1}", "{0} / (1.5 + {1} * {1})",
          "np.maximum({0}, {1} + 0.25)", "np.hypot({0}, {1})", "np.arctan2({0}, 2.0 + {1} * {1})"]
REDUCTIONS = ["np.sum({0})", "np.mean({0})", "np.max({0})", "np.prod(1.0 + 0.1 * {0})", "{0}[1]",
              "np.dot({0}, {0})", "np.linalg.norm({0})", "len({0}) * {0}[-1]"]
REORDERINGS = ["np.cumsum({0})", "{0}[::-1]", "np.roll({0}, 1)",
               "np.concatenate([{0}[1:], {0}[:1]])", "np.sort({0})",
               "np.where({0} > 0.1, {0}, 0.5 * {0})", "np.clip({0}, -0.8, 0.9)",
               "np.stack([{0}, {0} * 2.0])[1]"]

HEADER = '''import numpy as np


def helper(u, scale=1.0):
    return np.sin(u) * scale + u * u


def f(x, y, a):
'''


class _Program:
    """Lines of ``f(x, y, a)`` (``x``, ``y`` of shape (3,), ``a`` a number) and which
    names hold arrays and which numbers."""

    def __init__(self, rng):
        self.rng, self.arrays, self.numbers, self.lines = rng, ["x", "y"], ["a"], []

    def any(self):
        return self.rng.choice(self.arrays + self.numbers)

    def new(self, is_array):
        name = f"v{len(self.arrays) + len(self.numbers)}"
        (self.arrays if is_array else self.numbers).append(name)
        return name

    def statement(self):
        rng, r = self.rng, self.rng.random()
        if r < 0.25:
            source = self.any()
            value = rng.choice(UNARY).format(source)
            self.lines.append(f"{self.new(source in self.arrays)} = {value}")
        elif r < 0.45:
            p, q = self.any(), self.any()
            value = rng.choice(BINARY).format(p, q)
            self.lines.append(f"{self.new(p in self.arrays or q in self.arrays)} = {value}")
        elif r < 0.55:
            value = rng.choice(REDUCTIONS).format(rng.choice(self.arrays))
            self.lines.append(f"{self.new(False)} = {value}")
        elif r < 0.63:
            value = rng.choice(REORDERINGS).format(rng.choice(self.arrays))
            self.lines.append(f"{self.new(True)} = {value}")
        elif r < 0.70:
            source, other = rng.choice(self.arrays), self.any()
            scale = other if other in self.numbers else f"{other}[0]"
            name = self.new(True)
            self.lines += [f"{name} = np.zeros(3)", f"{name}[0] = np.sum({source}) * 0.5",
                           f"{name}[1:] += {source}[:2] * {scale}",
                           f"{name}[np.array([2, 2])] += {source}[0]"]
        elif r < 0.78:
            test, p, q = self.any(), self.any(), self.any()
            name = self.new(p in self.arrays or q in self.arrays)
            self.lines += [f"if np.sum({test}) > 0.2:", f"    {name} = {p} * 1.5 + {q}",
                           "else:", f"    {name} = np.sin({p}) - {q}"]
        elif r < 0.86:
            p, q = self.any(), self.any()
            name = self.new(p in self.arrays or q in self.arrays)
            self.lines += [f"{name} = {p} * 1.0 + 0.0 * {q}", "for t in range(3):",
                           f"    {name} = {name} * 0.5 + np.tanh({q}) * t",
                           "    if t == 1:", f"        {name} = {name} + {p} * {p}",
                           "    elif t == 2:", "        continue"]
        elif r < 0.93:
            source = rng.choice(self.arrays)
            name = self.new(True)
            self.lines += ["parts = []", f"for e in {source}:",
                           "    parts.append(helper(e) * 0.5)",
                           f"{name} = np.stack(parts) + np.array(parts[::-1])"]
        else:
            source = rng.choice(self.arrays)
            name = self.new(False)
            self.lines += [f"{name} = 0.0", "k = 0", "while k < 3:",
                           f"    {name} = {name} + np.sin({source}[k]) * (k + 1)",
                           "    k += 1", f"    if {name} > 5.0:", "        break"]

    def text(self):
        last = (self.arrays + self.numbers)[-4:]
        terms = [f"np.sum({v})" if v in self.arrays else v for v in last]
        body = self.lines + ["return " + " + ".join(terms) + " + np.sum(x * y) * a"]
        return HEADER + "".join(f"    {line}\n" for line in body)


def program(seed):
    rng = random.Random(seed)
    made = _Program(rng)
    for _ in range(rng.randint(3, 10)):
        made.statement()
    return made.text()


def _load(text, directory, seed):
    path = directory / f"random_program_{seed}.py"
    path.write_text(text)
    return load_file(path).f


def _differences(f, args, direction, eps):
    up = [a + eps * d if np.any(d) else a for a, d in zip(args, direction)]
    down = [a - eps * d if np.any(d) else a for a, d in zip(args, direction)]
    return f(*up), f(*down)


# ----- programs on matrices: M (2, 3), v (3,), r (2,), s a number ---------------------

MATRIX_OPS = {
    "m": ["np.tanh({m})", "{m} * {v}", "{m} + {r}[:, None]", "np.outer({r}, {v})",
          "{m} / (1.0 + {m} * {m})", "np.maximum({m}, 0.1 * {m})", "np.exp(-{m} ** 2)",
          "np.flip({m}, 1) * {s}", "np.stack([{v}, {v} * {s}])", "np.cumsum({m}, axis=1)",
          "np.where({m} > 0, {m}, np.sin({m}))", "{m} - np.mean({m}, axis=1, keepdims=True)",
          "np.reshape({m}.ravel()[::-1], (2, 3))", "{m} * np.sum({m}, axis=0)"],
    "v": ["{m}.T @ {r}", "np.sum({m}, axis=0)", "np.max({m}, axis=0)", "np.sin({v}) * {s}",
          "np.concatenate([{r}, {v}[:1]])", "np.dot({r}, {m})", "np.take({v}, np.array([2, 0, 0]))",
          "np.sort({v})", "np.var({m}, axis=0)", "np.linalg.norm({m}, axis=0)",
          "np.einsum('ij,i->j', {m}, {r})", "np.log1p({v} * {v})"],
    "r": ["{m} @ {v}", "np.mean({m}, axis=1)", "np.std({m}, axis=1)", "{r} * {s} - {r} ** 2",
          "{m}[:, 1]", "np.prod(1.0 + 0.1 * {m}, axis=1)", "np.logaddexp({r}, -{r})",
          "np.min({m}, axis=1)"],
    "s": ["np.sum({m} ** 2)", "np.trace({m} @ {m}.T)", "{v} @ {v}", "np.max({v})", "{s} * {s}",
          "np.linalg.det({m} @ {m}.T + np.eye(2))",
          "np.sum(np.linalg.inv({m} @ {m}.T + np.eye(2)))",
          "float(np.sum({r}))", "np.log(np.sum(np.exp({r})))", "max({s}, 0.1)",
          "np.linalg.norm({v})"],
}


def matrix_program(seed):
    rng = random.Random(seed)
    names = {"m": ["m"], "v": ["v"], "r": ["r"], "s": ["s"]}
    lines = []

    def value(kind):
        return rng.choice(MATRIX_OPS[kind]).format(**{k: rng.choice(n) for k, n in names.items()})

    for k in range(rng.randint(3, 9)):
        kind, r = rng.choice("mvrs"), rng.random()
        name = f"{kind}{k + 1}"
        if r < 0.7:
            lines.append(f"{name} = {value(kind)}")
        elif r < 0.8:
            lines += [f"if np.sum({rng.choice(names['v'])}) > 0:", f"    {name} = {value(kind)}",
                      "else:", f"    {name} = {value(kind)}"]
        elif r < 0.9:
            lines += [f"{name} = {value(kind)}", "for i in range(2):",
                      f"    {name} = 0.5 * {name} + 0.1 * {value(kind)}"]
        else:
            kind, name = "m", f"m{k + 1}"
            lines += [f"{name} = np.zeros((2, 3))", f"{name}[0] = {rng.choice(names['v'])}",
                      f"{name}[:, 2] += {rng.choice(names['r'])}",
                      f"{name}[1, :2] = {name}[0, 1:] * {rng.choice(names['s'])}"]
        names[kind].append(name)
    terms = [f"np.sum({n})" for kind in "mvr" for n in names[kind][-2:]] + names["s"][-2:]
    lines.append("return " + " + ".join(terms))
    return "import numpy as np\n\n\ndef f(m, v, r, s):\n" + "".join(f"    {line}\n"
                                                                    for line in lines)


def _check(f, args, direction, text, wrt=None):
    """The gradient, the values beside it, the tangent along ``direction`` and the
    Hessian-vector product, for the arguments ``wrt`` (all by default; the others are
    data: their entries of ``direction`` are ignored)."""
    expected = f(*args)
    assert np.isfinite(expected), text
    wrt = tuple(range(len(args))) if wrt is None else wrt
    gradients = grad(f, wrt=wrt)(*args)
    _check_values(f, args, wrt, expected, gradients, text)
    eps = 1e-6
    for slot, i in enumerate(wrt):
        a = args[i]
        for k in range(np.size(a)):
            basis = [np.zeros_like(b) if np.ndim(b) else 0.0 for b in args]
            if np.ndim(a):
                basis[i].flat[k] = 1.0
            else:
                basis[i] = 1.0
            up, down = _differences(f, args, basis, eps)
            got = np.asarray(gradients[slot]).flat[k]
            assert got == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-5), (i, k, text)
    direction = [d if i in wrt else (np.zeros_like(d) if np.ndim(d) else 0.0)
                 for i, d in enumerate(direction)]
    value, tangent = jvp(f, wrt=wrt)(args, [direction[i] for i in wrt])
    up, down = _differences(f, args, direction, eps)
    assert value == pytest.approx(expected, rel=1e-12), text
    assert tangent == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-5), text
    vectors = tuple(direction[i] for i in wrt)
    forward = hvp(f, wrt=wrt)(args, vectors)  # forward over reverse
    primal, pullback = vjp(grad(f, wrt=wrt), wrt=wrt)(*args)
    for got, want in zip(primal, gradients):  # the primal of vjp of grad is the gradient
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=text)
    backward = pullback(vectors)  # reverse over reverse (H is symmetric)
    up, down = _differences(grad(f, wrt=wrt), args, direction, 1e-5)
    for products in (forward, backward):
        for product, u, d in zip(products, up, down):
            np.testing.assert_allclose(product, (np.asarray(u) - np.asarray(d)) / 2e-5,
                                       rtol=1e-3, atol=1e-4, err_msg=text)


def _check_values(f, args, wrt, expected, gradients, text):
    """``value_and_grad``'s value and ``vjp``'s primal are ``f``'s value; their
    gradients are ``grad``'s."""
    value, same = value_and_grad(f, wrt=wrt)(*args)
    primal, pullback = vjp(f, wrt=wrt)(*args)
    assert value == pytest.approx(expected, rel=1e-12), ("value_and_grad", text)
    assert primal == pytest.approx(expected, rel=1e-12), ("vjp", text)
    for got, pulled, want in zip(same, pullback(1.0), gradients):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14, err_msg=text)
        np.testing.assert_allclose(pulled, want, rtol=1e-12, atol=1e-14, err_msg=text)


@pytest.mark.parametrize("seed", range(60))
def test_random_program(seed, tmp_path):
    text = program(seed)
    rng = np.random.default_rng(seed)
    args = [rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), float(rng.uniform(-1, 1))]
    direction = [rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), 0.3]
    _check(_load(text, tmp_path, seed), args, direction, text)


@pytest.mark.parametrize("seed", range(30))
def test_random_matrix_program(seed, tmp_path):
    text = matrix_program(seed)
    rng = np.random.default_rng(seed)
    shapes = [(2, 3), (3,), (2,)]
    args = [rng.uniform(-1, 1, shape) for shape in shapes] + [float(rng.uniform(-1, 1))]
    direction = [rng.uniform(-1, 1, shape) for shape in shapes] + [0.4]
    _check(_load(text, tmp_path, 1000 + seed), args, direction, text)


# ----- programs that reassign their arguments and their result: x, y (3,), a a number,
# idx an integer index array, n an integer count ------------------------------------------

TRUST_HEADER = '''import numpy as np


def helper(u, scale=1.0):
    return np.sin(u) * scale + u * u


def f(x, y, a, idx, n):
'''


class _Reassigning(_Program):
    """Programs of ``f(x, y, a, idx, n)`` that also overwrite their arguments in branches
    and loops, read through the integer arguments, and return a name that a loop or a
    branch overwrote."""

    def statement(self):
        rng, r = self.rng, self.rng.random()
        if r < 0.15:
            target, other = rng.choice(["x", "y"]), self.any()
            self.lines += [f"if np.sum({self.any()}) > 0.1:",
                           f"    {target} = {target} * 1.5 + np.sin({other})"]
        elif r < 0.28:
            self.lines += ["for t in range(n):",
                           f"    a = a * 0.9 + np.sum(np.tanh({rng.choice(self.arrays)})) * 0.1"]
        elif r < 0.36:
            target = rng.choice(["x", "y"])
            self.lines += [f"{target} = np.copy({target})",
                           f"{target}[idx] = {target}[idx] * 2.0 + a"]
        elif r < 0.44:
            name = self.new(False)
            self.lines.append(f"{name} = np.sum({rng.choice(self.arrays)}[idx] ** 2)")
        elif r < 0.52:
            test = self.any()
            name = self.new(False)
            self.lines += [f"if np.sum({test}) > 0.0 and a > 0.0:", f"    {name} = a * 2.0",
                           "elif np.sum(x) > 0.0:", f"    {name} = np.sum(x) * a",
                           "else:", f"    {name} = a - 1.0"]
        else:
            super().statement()

    def text(self):
        last = (self.arrays + self.numbers)[-3:]
        terms = [f"np.sum({v})" if v in self.arrays else v for v in last]
        ending = self.rng.choice(["loop", "branch", "plain"])
        body = self.lines + ["s = " + " + ".join(terms) + " + np.sum(x * y) * a"]
        if ending == "loop":
            body += ["for t in range(n):", "    s = s * 0.5 + np.sin(s) * a"]
        elif ending == "branch":
            body += ["if s > 0.0:", "    s = s * 3.0", "elif s > -1.0:", "    s = s - a * a"]
        body.append("return s")
        return TRUST_HEADER + "".join(f"    {line}\n" for line in body)


def reassigning_program(seed):
    rng = random.Random(seed)
    made = _Reassigning(rng)
    for _ in range(rng.randint(3, 9)):
        made.statement()
    return made.text()


@pytest.mark.parametrize("seed", range(40))
def test_random_reassigning_program(seed, tmp_path):
    text = reassigning_program(seed)
    rng = np.random.default_rng(seed)
    args = [rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), float(rng.uniform(-1, 1)),
            np.array([2, 0]), int(rng.integers(0, 4))]
    direction = [rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3), 0.3, np.zeros(2), 0.0]
    subsets = [(0, 1, 2), (0,), (1, 2), (2,), (0, 2)]
    _check(_load(text, tmp_path, 2000 + seed), args, direction, text, wrt=subsets[seed % 5])
