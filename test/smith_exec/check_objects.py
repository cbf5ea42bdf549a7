#!/usr/bin/env python3
"""check_objects.py — warpc-smith-exec's runtime objects (`object mesh|bvh|hash_grid|volume`
blocks, `arg object NAME`), checked against values computed here from the same inputs.

usage: check_objects.py WARPC_SMITH_EXEC objects.wp WORKDIR [cpu|cuda]

Runs the four kernels of objects.wp in one input file: closest points, faces, velocities and
downward ray hits on a two-triangle mesh (exact answers from the geometry); boxes overlapping
query boxes in a BVH (brute force); neighbour counts and the sorted order of a hash grid (brute
force; the order must be a permutation); a NanoVDB level-set sphere's samples (within 0.01 of
|p| - R in its band), written to a file that a second run loads with `object volume NAME file`
and must sample identically. Then checks that malformed object blocks and `arg object` uses
exit 2 with their message. The objects and launches are on the given device (default cpu).
Exit 0 when all hold, 1 otherwise, 77 for cuda without a CUDA device.
"""
import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smith_exec_run  # noqa: E402


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


DEVICE = ["cpu"]


def run(exe, module, text, work):
    return smith_exec_run.run(exe, module, text, work, "--device", DEVICE[0], "--cache", os.path.join(work, "cache-" + DEVICE[0]))


def fl(values):
    return " ".join(float(v).hex() for v in values)


def arr(scalar, n, comps=1, values=None):
    vals = values if values is not None else [0] * (n * comps)
    return f"arg array {scalar} 1 {n} " + (fl(vals) if scalar == "float32" else " ".join(map(str, vals)))


def main():
    exe, module, work = sys.argv[1:4]
    DEVICE[0] = sys.argv[4] if len(sys.argv) > 4 else "cpu"
    os.makedirs(work, exist_ok=True)
    rng = random.Random(11)
    bad = 0

    def expect(name, have, want, tol=1e-5):
        nonlocal bad
        if have is None or len(have) != len(want) or any(abs(h - w) > tol * max(1.0, abs(w)) for h, w in zip(have, want)):
            print(f"FAIL {name}: got {have}, expected {want}")
            bad += 1

    # mesh: the unit square at z = 0 as two triangles, velocities (k, 2k, 0) at vertex k
    pts = [0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0]
    tris = [0, 1, 2, 0, 2, 3]
    vels = [c for k in range(4) for c in (k, 2 * k, 0)]
    mesh = f"object mesh m 4 2 1 {fl(pts)} {' '.join(map(str, tris))} {fl(vels)}\n"
    probes = []
    for _ in range(8):  # above the square, off its diagonal (x == y is the shared edge)
        x, y = rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)
        if abs(x - y) < 0.05:
            y = 1 - x if abs((1 - x) - x) > 0.1 else x + 0.3
        probes += [f32(x), f32(y), f32(rng.uniform(0.1, 1.0))]
    n = len(probes) // 3
    on_mesh = (f"launch on_mesh 1 {n}\narg object m\n{arr('float32', n, 3, probes)}\n{arr('float32', n, 3)}\n"
               f"{arr('int32', n)}\n{arr('float32', n)}\n{arr('float32', n, 3)}\nend\n")

    # bvh: random boxes, query boxes
    nb, nq = 40, 10
    boxes = [(c - h, c + h) for c, h in ((rng.uniform(-1, 1), rng.uniform(0.05, 0.3)) for _ in range(3 * nb))]
    lo = [f32(b[0]) for b in boxes]
    hi = [f32(b[1]) for b in boxes]
    qb = [(c - h, c + h) for c, h in ((rng.uniform(-1, 1), rng.uniform(0.1, 0.5)) for _ in range(3 * nq))]
    qlo, qhi = [f32(b[0]) for b in qb], [f32(b[1]) for b in qb]
    bvh = f"object bvh b {nb} {fl(lo)} {fl(hi)}\n"
    on_bvh = (f"launch on_bvh 1 {nq}\narg object b\n{arr('float32', nq, 3, qlo)}\n{arr('float32', nq, 3, qhi)}\n"
              f"{arr('int32', nq)}\nend\n")

    # hash grid: points in [0, 1)^3, cells of width 0.2
    npts, radius = 64, f32(0.2)
    gp = [f32(rng.uniform(0, 1)) for _ in range(3 * npts)]
    grid = f"object hash_grid g 4 4 4 {radius.hex()} {npts} {fl(gp)}\n"
    on_grid = (f"launch on_grid 1 {npts}\narg object g\n{arr('float32', npts, 3, gp)}\narg float32 {radius.hex()}\n"
               f"{arr('int32', npts)}\n{arr('int32', npts)}\nend\n")

    # volume: a level-set sphere of radius 0.8, voxel 0.05, band of 3 voxels
    nvdb = os.path.join(work, "sphere.nvdb")
    if os.path.exists(nvdb):
        os.remove(nvdb)
    vol = f"object volume v sphere 0.8 0.05 3 {nvdb}\n"
    vp = []
    for _ in range(16):  # within 0.1 of the surface
        d = [rng.gauss(0, 1) for _ in range(3)]
        r = rng.uniform(0.7, 0.9) / math.sqrt(sum(c * c for c in d))
        vp += [f32(c * r) for c in d]
    nv = len(vp) // 3
    on_volume = f"launch on_volume 1 {nv}\narg object v\n{arr('float32', nv, 3, vp)}\n{arr('float32', nv)}\nend\n"

    rc, log, got = run(exe, module, mesh + on_mesh + bvh + on_bvh + grid + on_grid + vol + on_volume, work)
    if rc == 4 and "skipped: no CUDA device" in log:
        print(log.strip())
        return 77
    if rc != 0:
        print(f"FAIL: exit {rc}: {log}")
        return 1
    # mesh answers: the point below each probe, the face of the half it lies in, t = z, and the
    # velocity interpolated linearly on that face (vertex k's velocity is (k, 2k, 0))
    closest, face, t, vel = [], [], [], []
    for i in range(n):
        x, y, z = probes[3 * i:3 * i + 3]
        closest += [x, y, 0.0]
        face.append(0 if x > y else 1)
        t.append(z)
        # triangle 0 (0,1,2): p = a + s (b - a) + r (c - a) → k = 0 + s·1 + r·2 with x = s + r, y = r
        # triangle 1 (0,2,3): x = s, y = s + r → k = 2 s + 3 r
        k = (x - y) + 2 * y if x > y else 2 * x + 3 * (y - x)
        vel += [k, 2 * k, 0.0]
    expect("on_mesh closest", got.get(("out", 0, "closest")), closest)
    expect("on_mesh face", got.get(("out", 0, "face")), face, 0)
    expect("on_mesh t", got.get(("out", 0, "t")), t)
    expect("on_mesh vel", got.get(("out", 0, "vel")), vel, 1e-4)
    overlap = lambda b, q: all(lo[3 * b + c] <= qhi[3 * q + c] and qlo[3 * q + c] <= hi[3 * b + c]  # noqa: E731
                               for c in range(3))
    counts = [sum(overlap(b, q) for b in range(nb)) for q in range(nq)]
    expect("on_bvh count", got.get(("out", 1, "count")), counts, 0)
    d2 = lambda i, j: sum((f32(gp[3 * i + c] - gp[3 * j + c])) ** 2 for c in range(3))  # noqa: E731
    neigh = [sum(math.sqrt(d2(i, j)) <= radius for j in range(npts)) for i in range(npts)]
    expect("on_grid neighbours", got.get(("out", 2, "neighbours")), neigh, 0)
    order = got.get(("out", 2, "order"))
    if order is None or sorted(order) != list(range(npts)):
        print(f"FAIL on_grid order: not a permutation of the points: {order}")
        bad += 1
    sdf = [math.sqrt(sum(c * c for c in vp[3 * i:3 * i + 3])) - 0.8 for i in range(nv)]
    expect("on_volume sdf", got.get(("out", 3, "sdf")), sdf, 0.01)
    # the written file, loaded again, samples the same voxels
    rc, log, again = run(exe, module, f"object volume w file {nvdb}\n" + on_volume.replace("object v", "object w"), work)
    if rc != 0 or again.get(("out", 0, "sdf")) != got.get(("out", 3, "sdf")):
        print(f"FAIL: the written level set does not load with the same samples: exit {rc} {log.strip()}")
        bad += 1

    # malformed object blocks and uses: exit 2 and the message
    cases = [
        ("object torus t 1\n", "object kind 'torus' is not one of mesh, bvh, hash_grid, volume"),
        ("object mesh m 3 1 0 0 0 0 1 0 0 0 1 0 0 1 7\n",
         "object 'm': wp::Mesh: triangle 0 corner 2 has point index 7, but there are 3 points"),
        ("object mesh m three 1 0\n", "object 'm': expected the number of points (a count >= 0), got 'three'"),
        ("object mesh m 3 1 2\n", "object 'm': HAS_VELOCITIES must be 0 or 1"),
        ("object mesh m 3 1 0 0 0 0 1 0 0 0 x 0 0 1 2\n", "object 'm': expected a point coordinate (a number), got 'x'"),
        ("object mesh m 0 0 0\n", "object 'm': wp::Mesh: points is empty"),
        ("object bvh b 1 0 0 0 -1 0 0\n", "object 'b': wp::Bvh: item 0 has the box lower"),
        ("object hash_grid g 4 4 0 0.2 1 0 0 0\n", "object 'g': wp::HashGrid:"),
        ("object hash_grid g 4 4 4 -1 1 0 0 0\n", "object 'g': wp::HashGrid:"),
        (f"object volume v cube 1 {nvdb}\n", "object 'v': expected 'volume NAME file PATH' or 'volume NAME sphere"),
        ("object volume v sphere 0 0.1 3 x.nvdb\n", "object 'v': a level-set sphere needs RADIUS, VOXEL and HALF_WIDTH > 0"),
        (f"object volume v file {os.path.join(work, 'missing.nvdb')}\n", "object 'v': wp::Volume:"),
        (bvh + bvh, "object 'b' is defined twice"),
        ("object mesh m 3 1 0 0 0 0 1 0 0 0 1 0\n", "unexpected end of the input file"),
        (on_bvh, "'bvh': no object 'b' (define it with an 'object' block before the launch)"),
        (grid + on_grid.replace(f"arg float32 {radius.hex()}", "arg object g"),
         "'radius' (float32) takes no object: an object's id is a wp.uint64"),
    ]
    for text, message in cases:
        rc, log, _ = run(exe, module, text, work)
        if rc != 2 or message not in log:
            print(f"FAIL: expected exit 2 with \"{message}\", got exit {rc}: {log.strip()}")
            bad += 1
    print(f"bvh counts {counts}, grid neighbours {sum(neigh)}, faces {face}")
    print("ok" if not bad else f"{bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
