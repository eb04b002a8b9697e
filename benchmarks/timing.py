"""Timing and memory helpers shared by the benchmark scripts."""

import gc
import time
import tracemalloc

import numpy as np


def best_time(function, args, number, repeat):
    """The best of ``repeat`` averages over ``number`` calls, in microseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            function(*args)
        times.append((time.perf_counter() - start) / number)
    return min(times) * 1e6


def peak_memory(function, args):
    """Peak bytes allocated during one call."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    function(*args)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def check(generated, hand, args):
    """The generated gradient and the hand-written one agree."""
    got, want = generated(*args), hand(*args)
    assert len(got) == len(want), (len(got), len(want))
    for g, h in zip(got, want):
        np.testing.assert_allclose(g, h, rtol=1e-6, atol=1e-9)
