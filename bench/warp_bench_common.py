"""warp_bench_common.py — what the NVIDIA Warp comparison scripts of the benchmarks share:
loading a .wp file of bench/ unchanged as a Python module, the same median timing as
bench/bench_util.h, and reading the raw dumps the warpc benchmarks write.

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import importlib.util
import os
import statistics
import sys
import time

import numpy as np
import warp as wp


def load_kernels(name):
    """Executes bench/<name>.wp as the module `name` (Warp reads kernel source through
    inspect, so the module gets the real file name)."""
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    path = os.path.join(here, f"{name}.wp")
    with open(path) as f:
        source = f.read()
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def median_ms(reps, body):
    """Median wall time (ms) of `reps` runs of body + wp.synchronize(), after 2 warm-ups."""
    for _ in range(2):
        body()
    wp.synchronize()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        body()
        wp.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def read(dir_, name, dtype, cols=None):
    a = np.fromfile(os.path.join(dir_, name), dtype=dtype)
    return a.reshape(-1, cols) if cols else a


def meta(dir_, label):
    out = {}
    with open(os.path.join(dir_, f"{label}_meta.txt")) as f:
        for line in f:
            k, v = line.split()
            out[k] = float(v)
    return out
