#!/usr/bin/env python3
"""warp_volume_bench.py — NVIDIA Warp on the data of warpc's volume benchmark.

Runs the same kernels (bench/volume_queries.wp, imported unchanged as a Python module) on the same
level-set sphere (DIR/sphere.nvdb) and sample points (DIR/points.f32) that
`warpc_bench_volume --dump DIR` wrote, times them the same way (median of R repetitions after the warm-up of
bench/bench_util.h, wall clock around the launch followed by wp.synchronize()), and compares Warp's results
with warpc's (DIR/linear.f32, grad_value.f32, grad.f32): the fraction of samples that agree within
1e-5 (values) and 1e-5 x voxel size (gradients). Prints one table with Warp's times; put them
next to warpc's (same device, same run) for the ratio.

usage: warp_volume_bench.py DIR [--device cuda:0|cpu] [--reps R]

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import argparse
import os

import numpy as np
import warp as wp

from warp_bench_common import load_kernels, median_ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--reps", type=int, default=None)
    args = ap.parse_args()
    wp.init()
    device = args.device
    reps = args.reps if args.reps is not None else (5 if device == "cpu" else 20)
    vq = load_kernels("volume_queries")
    with open(os.path.join(args.dir, "sphere.nvdb"), "rb") as f:
        vol = wp.Volume.load_from_nvdb(f, device=device)
    pts_np = np.fromfile(os.path.join(args.dir, "points.f32"), dtype=np.float32).reshape(-1, 3)
    n = len(pts_np)
    pts = wp.array(pts_np, dtype=wp.vec3, device=device)
    lin = wp.zeros(n, dtype=float, device=device)
    val = wp.zeros(n, dtype=float, device=device)
    grad = wp.zeros(n, dtype=wp.vec3, device=device)
    wp.launch(vq.sample_linear, dim=n, inputs=[vol.id, pts, lin], device=device)
    wp.launch(vq.sample_grad, dim=n, inputs=[vol.id, pts, val, grad], device=device)
    wp.synchronize()
    ref_lin = np.fromfile(os.path.join(args.dir, "linear.f32"), dtype=np.float32)
    ref_grad = np.fromfile(os.path.join(args.dir, "grad.f32"), dtype=np.float32).reshape(-1, 3)
    agree_lin = float(np.mean(np.abs(lin.numpy() - ref_lin) <= 1e-5))
    agree_grad = float(np.mean(np.all(np.abs(grad.numpy() - ref_grad) <= 1e-5 * 0.01, axis=1)))
    t_lin = median_ms(reps, lambda: wp.launch(vq.sample_linear, dim=n, inputs=[vol.id, pts, lin], device=device))
    t_grad = median_ms(reps, lambda: wp.launch(vq.sample_grad, dim=n, inputs=[vol.id, pts, val, grad], device=device))
    print(f"Warp {wp.config.version} on {device}: {n} samples; agreement with warpc: "
          f"linear {agree_lin:.6f}, gradient {agree_grad:.6f}")
    print(f"| device | {n} linear samples (ms) | {n} samples + gradient (ms) |")
    print("|---|---|---|")
    print(f"| Warp {device} | {t_lin:.3f} | {t_grad:.3f} |")


if __name__ == "__main__":
    main()
