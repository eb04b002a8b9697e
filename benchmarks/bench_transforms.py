"""Speed of the transforms beyond ``grad``: Jacobian mode choice, Hessians, and JAX.

Three tables, each measured within one run:

1. ``jacobian`` mode choice. For ``y = tanh(W @ x)`` with ``W`` of shape (m, n), so
   R^n -> R^m, at several (n, m): the time of ``jacobian(f, mode="forward")`` (n runs
   of the tangent code), ``mode="reverse"`` (one forward sweep, m pullbacks) and
   ``mode=None`` (auto), the mode auto picked, and whether it is the faster one. Auto
   mode learns the output's size on its first call (it runs the reverse forward sweep
   once, then switches to forward if 2n <= m), so every transform gets a warm-up call
   and the times are of the steady state.
2. Hessian cost at n = 100: the Rosenbrock function and an L2-regularised
   logistic-regression loss with 100 weights on a 500 x 100 data matrix. The time of
   ``hessian(f)(x)`` divided by that of one ``grad(f)(x)``, reported as "gradient
   evaluations", and likewise one ``hvp``; also the Hessian against n separate ``hvp``
   calls (the overhead of assembling columns).
3. Against JAX on the CPU, if it is installed (``pip install jax jaxlib``; it is a
   benchmark-only dependency, the table is skipped with a note without it): our ``hvp``
   and ``hessian`` against ``jax.jvp(jax.grad(f))`` and ``jax.hessian(f)``, eager and
   under ``jax.jit`` (compile excluded: timed after a warm-up call), float64
   (``jax_enable_x64``), the same functions written with ``jax.numpy``.

Targets (transforms issue): auto mode picks the cheaper mode; the Hessian of an
n = 100 function in about 2n = 200 gradient evaluations or fewer.

Before timing, every Jacobian and Hessian is checked against the others and against
closed forms: J = diag(1 - y**2) W; the Rosenbrock Hessian (tridiagonal); the logistic
Hessian X^T diag(s (1 - s)) X / N + 2 lam I with s = sigmoid(X @ w); hvp against H @ v;
JAX's results against ours.

Times are the best over ``--rounds`` interleaved rounds, each measurement the mean of
enough calls to last about ``--target-ms``; ratios are the median over rounds of the
ratio of neighbouring measurements (the machines this runs on are noisy), the method of
``bench_core.py``. BLAS threads follow the environment and default to one here
(``OPENBLAS_NUM_THREADS``, ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS`` are set to 1 when
unset), and XLA is asked for one thread too (``XLA_FLAGS``, when unset).

Run:  OPENBLAS_NUM_THREADS=1 python benchmarks/bench_transforms.py [--rounds 25]
      [--target-ms 4] [--no-jax]
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("XLA_FLAGS",
                      "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse  # noqa: E402 (after the thread settings)
import time  # noqa: E402 (after the thread settings)
from functools import partial  # noqa: E402 (after the thread settings)

import numpy as np  # noqa: E402 (after the thread settings)

from autodiff_ast import grad, hessian, hvp, jacobian  # noqa: E402 (after the thread settings)

# ----- the functions ------------------------------------------------------------------


def layer(x, W):
    """R^n -> R^m: one dense tanh layer, W of shape (m, n)."""
    return np.tanh(W @ x)


def layer_jacobian(x, W):
    y = np.tanh(W @ x)
    return (1.0 - y * y)[:, None] * W


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    diagonal = np.zeros_like(x)
    diagonal[:-1] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    diagonal[1:] += 200.0
    off = -400.0 * x[:-1]
    return np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)


LAMBDA = 1e-3  # the factor written in logistic


def logistic(w, X, t):
    """Mean logistic loss for labels t in {0, 1}, plus LAMBDA * |w|^2."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - t * z) + 1e-3 * np.sum(w * w)


def logistic_hessian(w, X, t):
    s = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ (X * (s * (1.0 - s))[:, None]) / X.shape[0] + 2.0 * LAMBDA * np.eye(w.size)


def rosenbrock_inputs(rng):
    return (rng.normal(scale=0.5, size=100),)


def logistic_inputs(rng):
    X = rng.normal(size=(500, 100))
    w_true = rng.normal(scale=0.3, size=100)
    t = (rng.random(500) < 1.0 / (1.0 + np.exp(-(X @ w_true)))).astype(float)
    return (rng.normal(scale=0.1, size=100), X, t)


# (name, function, closed-form Hessian, make inputs, JAX version's name)
SECOND_ORDER = [
    ("Rosenbrock, n=100", rosenbrock, rosenbrock_hessian, rosenbrock_inputs, "rosenbrock"),
    ("logistic 500x100, n=100", logistic, logistic_hessian, logistic_inputs, "logistic"),
]

JACOBIAN_SIZES = [(10, 1000), (1000, 10), (100, 100), (300, 300), (100, 300)]


# ----- timing ---------------------------------------------------------------------------


def calls_for(function, target_ms):
    """How many calls of ``function`` (already warmed up) last about ``target_ms``."""
    start = time.perf_counter()
    function()
    once = time.perf_counter() - start
    return max(1, int(target_ms * 1e-3 / max(once, 1e-9)))


def mean_time(function, number):
    """The mean over ``number`` calls, in microseconds."""
    start = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - start) / number * 1e6


def interleaved(functions, rounds, target_ms):
    """``{key: [one measurement per round]}`` for the zero-argument ``functions``
    (a dict), measured in turn within each round so that noise hits them alike."""
    numbers = {key: calls_for(function, target_ms) for key, function in functions.items()}
    times = {key: [] for key in functions}
    for _ in range(rounds):
        for key, function in functions.items():
            times[key].append(mean_time(function, numbers[key]))
    return times


def bound(functions, *args):
    """``{key: function}`` as zero-argument calls on ``args``."""
    return {key: partial(function, *args) for key, function in functions.items()}


def blocking(function, *args):
    """A zero-argument call of a JAX function that waits for its result."""
    def call():
        return function(*args).block_until_ready()
    return call


def ratio(times, top, bottom):
    """The median over rounds of ``times[top] / times[bottom]``."""
    return float(np.median(np.divide(times[top], times[bottom])))


def duration(us):
    """Microseconds as ``"512 µs"``, ``"2.31 ms"`` or ``"234 ms"``."""
    if us < 1e3:
        return f"{us:.0f} µs" if us >= 10 else f"{us:.1f} µs"
    return f"{us / 1e3:.2f} ms" if us < 1e4 else f"{us / 1e3:.1f} ms" if us < 1e5 else \
        f"{us / 1e3:.0f} ms"


def short(value):
    """A ratio with two decimals, or two significant digits below 0.1."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def table(header, rows):
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


# ----- 1. Jacobian mode choice -----------------------------------------------------------


def bench_jacobian(rng, options):
    rows = []
    for n, m in JACOBIAN_SIZES:
        W = rng.normal(scale=n ** -0.5, size=(m, n))
        x = rng.normal(size=n)
        transforms = {mode: jacobian(layer, mode=None if mode == "auto" else mode)
                      for mode in ("forward", "reverse", "auto")}
        want = layer_jacobian(x, W)
        for mode, transform in transforms.items():
            got = transform(x, W)  # also the warm-up call (auto learns m here)
            assert got.shape == (m, n), (mode, got.shape)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=mode)
        auto = transforms["auto"]
        auto(x, W)
        picked = auto.last_mode
        times = interleaved(bound(transforms, x, W), options.rounds, options.target_ms)
        assert auto.last_mode == picked
        forward_over_reverse = ratio(times, "forward", "reverse")
        faster = "forward" if forward_over_reverse < 1.0 else "reverse"
        best = {mode: min(values) for mode, values in times.items()}
        rows.append((f"{n} -> {m}", duration(best["forward"]), duration(best["reverse"]),
                     duration(best["auto"]), f"{forward_over_reverse:.2f}", picked,
                     "yes" if picked == faster else "NO",
                     f"{ratio(times, 'auto', faster):.2f}"))
    print("\n## 1. jacobian mode choice: y = tanh(W @ x), R^n -> R^m\n")
    table(("n -> m", "forward", "reverse", "auto", "fwd/rev", "auto picked",
           "picked faster?", "auto/faster"), rows)
    print("(steady state: each transform had a warm-up call first, in which auto mode "
          "learns m by running the reverse forward sweep once; times: best of the "
          "rounds; ratios: median over rounds of neighbouring runs; auto picks forward "
          "when 2n <= m)")
    print("Target: auto picks the cheaper mode")


# ----- 2. Hessian cost in gradient evaluations --------------------------------------------


def check_second_order(function, closed_form, args, rng):
    n = args[0].size
    H = hessian(function)(*args)
    want = closed_form(*args)
    assert H.shape == (n, n), H.shape
    np.testing.assert_allclose(H, want, rtol=1e-9, atol=1e-9 * np.abs(want).max())
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    v = rng.normal(size=n)
    product = hvp(function)(args, (v,))
    np.testing.assert_allclose(product, want @ v, rtol=1e-9,
                               atol=1e-9 * np.abs(want @ v).max())
    return H, v


def bench_hessian(rng, options, cases):
    rows = []
    for name, function, _, args, v, _ in cases:
        n = args[0].size
        functions = {**bound({"grad": grad(function), "hessian": hessian(function)}, *args),
                     "hvp": partial(hvp(function), args, (v,))}
        for function_ in functions.values():
            function_()
        times = interleaved(functions, options.rounds, options.target_ms)
        best = {key: min(values) for key, values in times.items()}
        evaluations = ratio(times, "hessian", "grad")
        rows.append((name, str(n), duration(best["grad"]), duration(best["hvp"]),
                     duration(best["hessian"]), f"{ratio(times, 'hvp', 'grad'):.2f}",
                     f"{evaluations:.0f}", f"{evaluations / (2 * n):.2f}",
                     f"{ratio(times, 'hessian', 'hvp') / n:.2f}"))
    print("\n## 2. Hessian cost in gradient evaluations\n")
    table(("function", "n", "grad", "hvp", "hessian", "hvp/grad", "hessian/grad",
           "(hessian/grad)/2n", "hessian/(n hvp)"), rows)
    print("(hessian = n forward-over-reverse hvp columns; times: best of the rounds; "
          "ratios: median over rounds of neighbouring runs)")
    print("Target: hessian/grad <= ~2n, i.e. (hessian/grad)/2n <= ~1")


# ----- 3. against JAX ----------------------------------------------------------------------


def load_jax():
    """``(jax, None)``, or ``(None, why not)``."""
    try:
        import jax
    except ImportError as error:
        return None, f"JAX is not installed ({error}); pip install jax jaxlib to compare"
    jax.config.update("jax_enable_x64", True)
    return jax, None


def jax_functions(jax):
    jnp = jax.numpy

    def rosenbrock_jax(x):
        return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    def logistic_jax(w, X, t):
        z = X @ w
        return jnp.mean(jnp.logaddexp(0.0, z) - t * z) + 1e-3 * jnp.sum(w * w)

    return {"rosenbrock": rosenbrock_jax, "logistic": logistic_jax}


def bench_jax(options, cases):
    print("\n## 3. against JAX (CPU, float64)\n")
    jax, why_not = (None, "skipped (--no-jax)") if options.no_jax else load_jax()
    if jax is None:
        print(f"Skipped: {why_not}.")
        return
    written = jax_functions(jax)
    rows = []
    for name, function, _, args, v, jax_name in cases:
        jax_function = written[jax_name]
        jargs = tuple(jax.numpy.asarray(a) for a in args)
        jv = jax.numpy.asarray(v)

        def jax_hvp(*primals_and_vector, f=jax_function):
            *primals, vector = primals_and_vector
            rest = tuple(primals[1:])
            return jax.jvp(lambda x: jax.grad(f)(x, *rest), (primals[0],), (vector,))[1]

        jax_hessian = jax.hessian(jax_function)
        jit_hvp, jit_hessian = jax.jit(jax_hvp), jax.jit(jax_hessian)
        ours_hvp, ours_hessian = hvp(function), hessian(function)
        H = ours_hessian(*args)
        product = ours_hvp(args, (v,))
        compile_start = time.perf_counter()
        jit_hessian(*jargs).block_until_ready()
        compile_hessian = time.perf_counter() - compile_start
        compile_start = time.perf_counter()
        jit_hvp(*jargs, jv).block_until_ready()
        compile_hvp = time.perf_counter() - compile_start
        for got in (jax_hessian(*jargs), jit_hessian(*jargs)):
            np.testing.assert_allclose(np.asarray(got), H, rtol=1e-9,
                                       atol=1e-10 * np.abs(H).max())
        for got in (jax_hvp(*jargs, jv), jit_hvp(*jargs, jv)):
            np.testing.assert_allclose(np.asarray(got), product, rtol=1e-9,
                                       atol=1e-10 * np.abs(product).max())
        functions = {
            "hvp": partial(ours_hvp, args, (v,)),
            "jax hvp": blocking(jax_hvp, *jargs, jv),
            "jax jit hvp": blocking(jit_hvp, *jargs, jv),
            "hessian": partial(ours_hessian, *args),
            "jax hessian": blocking(jax_hessian, *jargs),
            "jax jit hessian": blocking(jit_hessian, *jargs),
        }
        for function_ in functions.values():
            function_()
        times = interleaved(functions, options.rounds, options.target_ms)
        best = {key: min(values) for key, values in times.items()}
        rows.append((name, "hvp", duration(best["hvp"]), duration(best["jax hvp"]),
                     duration(best["jax jit hvp"]), short(ratio(times, 'hvp', 'jax hvp')),
                     short(ratio(times, 'hvp', 'jax jit hvp')),
                     f"{compile_hvp * 1e3:.0f} ms"))
        rows.append((name, "hessian", duration(best["hessian"]),
                     duration(best["jax hessian"]), duration(best["jax jit hessian"]),
                     short(ratio(times, 'hessian', 'jax hessian')),
                     short(ratio(times, 'hessian', 'jax jit hessian')),
                     f"{compile_hessian * 1e3:.0f} ms"))
    table(("function", "transform", "ours", "JAX eager", "JAX jit", "ours/eager",
           "ours/jit", "JAX first jit call"), rows)
    print(f"(JAX {jax.__version__}, {jax.devices()[0].platform}; XLA_FLAGS="
          f"{os.environ.get('XLA_FLAGS', '')!r}; JAX hvp = jax.jvp of jax.grad, hessian = "
          "jax.hessian (jacfwd of jacrev, vectorised with vmap); jit times after a warm-up "
          "call, the first call's time (trace + compile + run) in the last column; times: "
          "best of the rounds; ratios: median over rounds of neighbouring runs)")


# ----- main ------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--target-ms", type=float, default=4.0,
                        help="each measurement is the mean of calls lasting about this long")
    parser.add_argument("--no-jax", action="store_true", help="skip the JAX table")
    options = parser.parse_args()
    start = time.perf_counter()
    print(f"numpy {np.__version__}; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS')}; rounds {options.rounds}, "
          f"~{options.target_ms:g} ms per measurement")
    rng = np.random.default_rng(0)
    bench_jacobian(rng, options)
    cases = []
    for name, function, closed_form, make_inputs, jax_name in SECOND_ORDER:
        args = make_inputs(rng)
        H, v = check_second_order(function, closed_form, args, rng)
        cases.append((name, function, H, args, v, jax_name))
    bench_hessian(rng, options, cases)
    bench_jax(options, cases)
    print(f"\n(total {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
