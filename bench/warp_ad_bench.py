#!/usr/bin/env python3
"""warp_ad_bench.py — NVIDIA Warp on the mesh of warpc's neo-Hookean AD benchmark.

Runs bench/neo_hookean.wp (imported unchanged as a Python module) on the mesh, state and loss
weights that `warpc_bench_ad --dump DIR` wrote, and times element_forces forward and its adjoint
launch (wp.launch(..., adjoint=True): f.grad = the weights into x.grad and v.grad) the way
warpc_bench_ad's mode [1] does: outputs zeroed, the L2 flushed by a 256 MiB memset, then CUDA
events around one launch; forward and backward alternate, 3 warm-up pairs, medians of R pairs.
warpc's benchmark checks its own results against float64; the checksums printed here (sums of
f, |x.grad|, |v.grad| after one forward and one backward) are the ones warpc_bench_ad prints.

usage: warp_ad_bench.py DIR [--device cuda:0] [--reps R]

Test/benchmark tool only: warpc itself never needs Python or Warp.
"""
import argparse
import os
import statistics

import numpy as np
import warp as wp

from warp_bench_common import load_kernels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--device", default="cuda:0")
    ap.add_argument("--reps", type=int, default=50)
    args = ap.parse_args()
    wp.init()
    device = args.device
    nh = load_kernels("neo_hookean")
    rd = lambda name, dt: np.fromfile(os.path.join(args.dir, name), dtype=dt)
    tets_np = rd("tets.i32", np.int32).reshape(-1, 4)
    mu, lam, damp = (float(v) for v in open(os.path.join(args.dir, "material.txt")).read().split())
    ntets = len(tets_np)
    rest = wp.array(rd("rest.f32", np.float32).reshape(-1, 3), dtype=wp.vec3, device=device)
    tets = wp.array(tets_np, dtype=wp.int32, device=device)
    x = wp.array(rd("x.f32", np.float32).reshape(-1, 3), dtype=wp.vec3, device=device, requires_grad=True)
    v = wp.array(rd("v.f32", np.float32).reshape(-1, 3), dtype=wp.vec3, device=device, requires_grad=True)
    nverts = x.shape[0]
    f = wp.zeros(nverts, dtype=wp.vec3, device=device, requires_grad=True)
    f.grad.assign(wp.array(rd("w.f32", np.float32).reshape(-1, 3), dtype=wp.vec3, device=device))
    Dm_inv = wp.empty(ntets, dtype=wp.mat33, device=device)
    volume = wp.empty(ntets, dtype=float, device=device)
    wp.launch(nh.rest_elements, dim=ntets, inputs=[rest, tets, Dm_inv, volume], device=device)
    inputs = [x, v, tets, Dm_inv, volume, mu, lam, damp, f]

    def forward():
        wp.launch(nh.element_forces, dim=ntets, inputs=inputs, device=device)

    def backward():
        wp.launch(nh.element_forces, dim=ntets, inputs=inputs, adj_inputs=[x.grad, v.grad, None, None, None,
                  0.0, 0.0, 0.0, f.grad], adjoint=True, device=device)

    scratch = wp.empty(256 << 20, dtype=wp.uint8, device=device)
    start, stop = wp.Event(device, enable_timing=True), wp.Event(device, enable_timing=True)

    def timed(reset, run):
        reset()
        scratch.fill_(7)  # flush the L2 (not timed)
        wp.record_event(start)
        run()
        wp.record_event(stop)
        wp.synchronize_event(stop)
        return wp.get_event_elapsed_time(start, stop)

    fwd, bwd = [], []
    for r in range(-3, args.reps):
        a = timed(lambda: f.zero_(), forward)
        b = timed(lambda: (x.grad.zero_(), v.grad.zero_()), backward)
        if r >= 0:
            fwd.append(a)
            bwd.append(b)
    wp.synchronize()
    print(f"Warp {wp.__version__} neo-hookean element_forces: {ntets} tets, {nverts} vertices, {device}, "
          f"medians of {args.reps} reps (L2 flushed, CUDA events)")
    print(f"  forward   median {statistics.median(fwd):9.4f} ms  (min {min(fwd):9.4f})")
    print(f"  backward  median {statistics.median(bwd):9.4f} ms  (min {min(bwd):9.4f})")
    print(f"  ratio backward/forward: {statistics.median(bwd) / statistics.median(fwd):.3f}")
    f.zero_()
    x.grad.zero_()
    v.grad.zero_()
    forward()
    backward()
    print(f"  checksums: sum f {f.numpy().astype(np.float64).sum():.6e}, sum |x.grad| "
          f"{np.abs(x.grad.numpy().astype(np.float64)).sum():.6e}, sum |v.grad| {np.abs(v.grad.numpy().astype(np.float64)).sum():.6e}")


if __name__ == "__main__":
    main()
