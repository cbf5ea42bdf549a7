"""warp_bench_common.py — what the NVIDIA Warp comparison scripts of the benchmarks share:
loading a .wp file of bench/ unchanged as a Python module, the same median timing as
bench/bench_util.h, and reading the raw dumps the warpc benchmarks write.

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import argparse
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
    """Median wall time (ms) of `reps` runs of body + wp.synchronize(), after warming up as
    bench/bench_util.h does (at least 2 runs and 50 ms)."""
    start = time.perf_counter()
    runs = 0
    while runs < 2 or time.perf_counter() - start < 0.05:
        body()
        wp.synchronize()
        runs += 1
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


def main_over_sizes(module_name, bench):
    """The command line the mesh and hash-grid comparisons share: DIR [--device] [--reps]
    [--size small|large|both]; runs bench(dir, label, device, reps, kernels) for each size whose
    <label>_meta.txt the warpc benchmark dumped into DIR."""
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--size", default="both")
    args = ap.parse_args()
    wp.config.quiet = True
    wp.init()
    kernels = load_kernels(module_name)
    for label in ["small", "large"]:
        if args.size in (label, "both") and os.path.exists(os.path.join(args.dir, f"{label}_meta.txt")):
            bench(args.dir, label, args.device, args.reps, kernels)
