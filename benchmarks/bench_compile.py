"""Compile time: how it grows with the length of a function, and what each example and
benchmark workload costs to compile.

Prints (1) the growth curve for straight-line functions of 100 ... 2,000 statements
(``y_i = np.sin(y_{i-1}) * 0.5 + y_{i-1}``): seconds per compile and the ratio to the
previous size (about 2.0-2.5 per doubling is linear; 4 is quadratic); (2) the time of
one-line sums of many terms and of helpers inlined several levels deep, and how fast an
inline that would explode is refused; (3) the compile time of every example's and
benchmark's differentiated function.

Each compile is ``pipeline.compile_gradient`` of the function (no cache is involved).
Times are CPU seconds of this process (``time.process_time``), the best of ``--repeat``
runs: the machines this runs on are shared, and wall time there measures the neighbours.

Targets (issue 9): 2,000 straight-line statements in <= 3 s; every example and benchmark
workload in <= 50 ms.

Run:  python benchmarks/bench_compile.py [--sizes 100 250 500 1000 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import linecache
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]  # this checkout's
from autodiff_ast import AutodiffError, pipeline  # noqa: E402
from sweep import load_example  # noqa: E402

_FILES = itertools.count(1)

# (module, function, wrt): what the examples and the benchmarks differentiate
EXAMPLES = [
    ("cs231n_lecture4", "add_multiply", (0, 1, 2)),
    ("cs231n_lecture4", "sigmoid_neuron", (0, 1, 2, 3, 4)),
    ("cs231n_lecture4", "max_gate", (0, 1, 2, 3)),
    ("cs231n_lecture4", "squared_norm", (0, 1)),
    ("custom_rule", "total", (0,)),
    ("custom_rule", "total_naive", (0,)),
    ("custom_rule", "logistic_loss", (0,)),
    ("dict_params_digits", "loss", (0,)),
    ("newton_logistic", "loss", (0,)),
    ("projectile", "loss", (0, 1)),
    ("rnn_digits", "loss", (0, 1, 2, 3, 4)),
    ("train_digits", "loss", (0, 1, 2, 3)),
]
BENCHMARKS = [
    ("bench_core", "mlp_loss", (0, 1, 2, 3)),
    ("bench_core", "logistic_loss", (0, 1)),
    ("bench_control", "scalar_loop", (0, 1)),
    ("bench_control", "rnn_loss", (0, 1, 2, 3, 4)),
    ("bench_transforms", "layer", (0,)),
    ("bench_transforms", "rosenbrock", (0,)),
    ("bench_transforms", "logistic", (0,)),
]


def function_from_source(name, source):
    """Define ``name`` from ``source``, kept in ``linecache`` so that it can be compiled."""
    filename = f"<bench_compile {next(_FILES)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = {"np": np}
    exec(compile(source, filename, "exec"), scope)
    return scope[name]


def straight_line(count):
    lines = ["def f(x):", "    y0 = x"]
    lines += [f"    y{i} = np.sin(y{i - 1}) * 0.5 + y{i - 1}" for i in range(1, count)]
    lines.append(f"    return np.sum(y{count - 1})")
    return function_from_source("f", "\n".join(lines) + "\n")


def one_line_sum(count):
    terms = " + ".join(f"x * {i}.0" for i in range(count))
    return function_from_source("f", f"def f(x):\n    return np.sum({terms})\n")


def doubling_helpers(depth):
    """``h_k(x) = h_{k-1}(x) + h_{k-1}(2x)``: ``2 ** depth`` copies of ``h0`` inlined."""
    lines = ["def h0(x):", "    return np.sin(x)"]
    for k in range(1, depth + 1):
        lines += [f"def h{k}(x):", f"    return h{k - 1}(x) + h{k - 1}(x * 2)"]
    return function_from_source(f"h{depth}", "\n".join(lines) + "\n")


def compile_time(function, wrt=(0,), repeat=1):
    """Best CPU seconds of ``repeat`` compiles of ``function``'s gradient."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        pipeline.compile_gradient(function, wrt=wrt)
        best = min(best, time.process_time() - start)
    return best


def growth(sizes):
    print("| straight-line statements | compile s | ratio to previous |")
    print("|---|---|---|")
    previous = None
    for size in sizes:
        seconds = compile_time(straight_line(size))
        ratio = f"{seconds / previous:.2f}" if previous else ""
        print(f"| {size} | {seconds:.2f} | {ratio} |", flush=True)
        previous = seconds


def stress(repeat):
    print("| stress case | compile s |")
    print("|---|---|")
    for count in (400, 1000):
        try:
            seconds = f"{compile_time(one_line_sum(count)):.2f}"
        except RecursionError:
            seconds = "RecursionError"
        print(f"| one-line sum of {count} terms | {seconds} |", flush=True)
    for depth in (4, 6):
        seconds = compile_time(doubling_helpers(depth), repeat=repeat)
        print(f"| helpers {depth} deep ({2 ** depth} inlined copies) | {seconds:.2f} |",
              flush=True)
    start = time.process_time()
    try:
        pipeline.compile_gradient(doubling_helpers(20))
        refused = "compiled (!)"
    except AutodiffError:
        refused = "refused"
    print(f"| helpers 20 deep: {refused} | {time.process_time() - start:.2f} |")


def workloads(repeat):
    print("| workload | compile ms |")
    print("|---|---|")
    for kind, table in (("example", EXAMPLES), ("benchmark", BENCHMARKS)):
        for module_name, name, wrt in table:
            module = load_example(module_name) if kind == "example" else __import__(module_name)
            seconds = compile_time(getattr(module, name), wrt, repeat)
            print(f"| {kind} {module_name}.{name} | {seconds * 1000:.0f} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500, 1000, 2000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    growth(options.sizes)
    print()
    stress(options.repeat)
    print()
    workloads(options.repeat)


if __name__ == "__main__":
    main()
