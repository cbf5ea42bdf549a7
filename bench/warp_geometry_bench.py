#!/usr/bin/env python3
"""warp_geometry_bench.py — NVIDIA Warp on the data of warpc's geometry benchmark.

Runs the same kernels (bench/mesh_queries.wp, imported unchanged as a Python module) on the same
mesh and queries that `warpc_bench_geometry --dump DIR` wrote, times them the same way (median
of R repetitions after 2 warm-ups, wall clock around the work followed by wp.synchronize()),
and compares Warp's per-query results with warpc's: the fraction of queries whose distance,
sign, hit t and box count agree. Prints one table with both sets of times and the ratio.

usage: warp_geometry_bench.py DIR [--device cuda:0|cpu] [--reps R] [--size small|large|both]

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import numpy as np
import warp as wp

from warp_bench_common import main_over_sizes, median_ms, meta, read


def agree(a, b):
    return float(np.mean(np.abs(a - b) <= 1e-4 * np.maximum(1.0, np.abs(b))))


def bench(dir_, label, device, reps, mq):
    m = meta(dir_, label)
    pts = read(dir_, f"{label}_points.f32", np.float32, 3)
    idx = read(dir_, f"{label}_indices.i32", np.int32)
    q = read(dir_, f"{label}_queries.f32", np.float32, 3)
    o = read(dir_, f"{label}_origins.f32", np.float32, 3)
    d = read(dir_, f"{label}_dirs.f32", np.float32, 3)
    n = len(q)
    points = wp.array(pts, dtype=wp.vec3, device=device)
    indices = wp.array(idx, dtype=wp.int32, device=device)
    queries = wp.array(q, dtype=wp.vec3, device=device)
    origins = wp.array(o, dtype=wp.vec3, device=device)
    dirs = wp.array(d, dtype=wp.vec3, device=device)
    out = wp.zeros(n, dtype=float, device=device)
    cnt = wp.zeros(n, dtype=int, device=device)
    mesh = wp.Mesh(points, indices)
    half = float(np.float32(m["half"]))

    t = {}
    t["build_ms"] = median_ms(reps, lambda: wp.Mesh(points, indices))
    t["refit_ms"] = median_ms(reps, mesh.refit)

    def launch(kernel, inputs):
        wp.launch(kernel, dim=n, inputs=inputs, device=device)

    res = {}
    t["closest_signed_ms"] = median_ms(reps, lambda: launch(mq.closest_signed, [mesh.id, queries, 1.0e6, out]))
    res["closest_signed"] = out.numpy().copy()
    t["closest_unsigned_ms"] = median_ms(reps, lambda: launch(mq.closest_unsigned, [mesh.id, queries, 1.0e6, out]))
    res["closest_unsigned"] = out.numpy().copy()
    t["raycast_ms"] = median_ms(reps, lambda: launch(mq.raycast, [mesh.id, origins, dirs, 1.0e6, out]))
    res["raycast"] = out.numpy().copy()
    t["aabb_count_ms"] = median_ms(reps, lambda: launch(mq.aabb_count, [mesh.id, queries, half, cnt]))
    res["aabb_count"] = cnt.numpy().copy()

    print(f"\n{label}: {int(m['triangles'])} triangles, {n} queries, Warp {wp.__version__} on {device}")
    print(f"  {'':22s} {'warpc ms':>10s} {'Warp ms':>10s} {'warpc/Warp':>10s}")
    for k in ["build_ms", "refit_ms", "closest_signed_ms", "closest_unsigned_ms", "raycast_ms", "aabb_count_ms"]:
        print(f"  {k[:-3]:22s} {m[k]:10.3f} {t[k]:10.3f} {m[k] / t[k]:10.2f}")
    print("  agreement with warpc (fraction of queries):")
    for k in ["closest_signed", "closest_unsigned", "raycast"]:
        mine = read(dir_, f"{label}_{k}.f32", np.float32)
        extra = ""
        if k == "closest_signed":
            extra = f", same sign {float(np.mean(np.sign(mine) == np.sign(res[k]))):.6f}"
        print(f"    {k:18s} {agree(res[k], mine):.6f}{extra}")
    mine = read(dir_, f"{label}_aabb_count.i32", np.int32)
    print(f"    {'aabb_count':18s} {float(np.mean(mine == res['aabb_count'])):.6f}")


if __name__ == "__main__":
    main_over_sizes("mesh_queries", bench)
