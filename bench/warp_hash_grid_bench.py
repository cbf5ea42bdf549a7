#!/usr/bin/env python3
"""warp_hash_grid_bench.py — NVIDIA Warp on the data of warpc's hash-grid benchmark.

Builds Warp's HashGrid (128³ cells, cell width = radius) on the points `warpc_bench_hash_grid
--dump DIR` wrote, runs the same kernel (bench/hash_grid_queries.wp, imported unchanged), times
both the same way (median of R repetitions after 2 warm-ups, wall clock around the work
followed by wp.synchronize()), and compares Warp's neighbour sums with warpc's (fraction of
points agreeing within 1e-4 relative). Prints both sets of times and the ratio.

usage: warp_hash_grid_bench.py DIR [--device cuda:0|cpu] [--reps R] [--size small|large|both]

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import numpy as np
import warp as wp

from warp_bench_common import main_over_sizes, median_ms, meta, read


def bench(dir_, label, device, reps, hq):
    m = meta(dir_, label)
    pts = read(dir_, f"{label}_points.f32", np.float32, 3)
    n = len(pts)
    radius = float(np.float32(m["radius"]))
    dim = int(m["dim"])
    points = wp.array(pts, dtype=wp.vec3, device=device)
    out = wp.zeros(n, dtype=wp.vec3, device=device)
    grid = wp.HashGrid(dim, dim, dim, device=device)
    grid.build(points, radius)
    t = {}
    t["build_ms"] = median_ms(reps, lambda: grid.build(points, radius))
    t["query_ms"] = median_ms(
        reps, lambda: wp.launch(hq.neighbour_sum, dim=n, inputs=[grid.id, points, radius, out], device=device)
    )
    mine = read(dir_, f"{label}_sums.f32", np.float32, 3)
    theirs = out.numpy()
    ok = np.all(np.abs(mine - theirs) <= 1e-4 * np.maximum(1.0, np.abs(theirs)), axis=1)
    print(f"\n{label}: {n} points, radius {radius:.5f}, {dim}^3 cells, Warp {wp.__version__} on {device}")
    print(f"  {'':10s} {'warpc ms':>10s} {'Warp ms':>10s} {'warpc/Warp':>10s}")
    for k in ["build_ms", "query_ms"]:
        print(f"  {k[:-3]:10s} {m[k]:10.3f} {t[k]:10.3f} {m[k] / t[k]:10.2f}")
    print(f"  neighbour sums agreeing with warpc: {float(np.mean(ok)):.6f}")


if __name__ == "__main__":
    main_over_sizes("hash_grid_queries", bench)
