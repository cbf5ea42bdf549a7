"""warp_volume_oracle.py — prints the reference values that runtime/test/volume_test.cpp
compares warpc's volume builtins against, computed by NVIDIA Warp (CPU) on the same inputs.

Run with a Python that has `warp` (tested with Warp 1.19):
    python tools/volume/warp_volume_oracle.py
and paste the printed C++ arrays into the test when the inputs change. The inputs are defined
here and, identically, in the test: a dense 5x6x7 float volume with
    value(i, j, k) = sin(0.7 i) + 0.5 cos(0.45 j) + 0.1 k - 0.02 i j
min_world (0.5, -1, 2), voxel size 0.25, background -2; and an index grid of the voxels
(0,0,0), (3,4,5), (-2,0,9), (1,0,0) with voxel data (10, 20, 30, 40) and background -1.
"""
import math

import numpy as np
import warp as wp

POINTS = [(0.3, 1.2, 2.7), (1.5, 1.5, 1.5), (-0.6, 0.2, 0.9), (2.49, 3.51, 4.5),
          (3.2, 4.7, 5.9), (0.0, 0.0, 0.0), (4.75, 5.25, 6.5), (2.1, -0.4, 3.3)]


@wp.kernel
def dense_queries(vol: wp.uint64, pts: wp.array(dtype=wp.vec3), linear: wp.array(dtype=float),
                  closest: wp.array(dtype=float), grad: wp.array(dtype=wp.vec3),
                  world: wp.array(dtype=wp.vec3), back: wp.array(dtype=wp.vec3)):
    i = wp.tid()
    p = pts[i]
    linear[i] = wp.volume_sample_f(vol, p, wp.Volume.LINEAR)
    closest[i] = wp.volume_sample_f(vol, p, wp.Volume.CLOSEST)
    g = wp.vec3()
    wp.volume_sample_grad_f(vol, p, wp.Volume.LINEAR, g)
    grad[i] = g
    world[i] = wp.volume_index_to_world(vol, p)
    back[i] = wp.volume_world_to_index(vol, p)


@wp.kernel
def index_queries(vol: wp.uint64, data: wp.array(dtype=float), pts: wp.array(dtype=wp.vec3),
                  linear: wp.array(dtype=float), grad: wp.array(dtype=wp.vec3)):
    i = wp.tid()
    g = wp.vec3()
    linear[i] = wp.volume_sample_grad_index(vol, pts[i], wp.Volume.LINEAR, data, -1.0, g)
    grad[i] = g


def literal(x):
    text = f"{float(x):.9g}"
    return (text if any(c in text for c in ".en") else text + ".0") + "f"


def cpp(name, arr):
    flat = ", ".join(literal(x) for x in np.asarray(arr).reshape(-1))
    print(f"constexpr float {name}[] = {{{flat}}};")


def main():
    wp.init()
    ni, nj, nk = 5, 6, 7
    dense = np.zeros((ni, nj, nk), dtype=np.float32)
    for i in range(ni):
        for j in range(nj):
            for k in range(nk):
                dense[i, j, k] = math.sin(0.7 * i) + 0.5 * math.cos(0.45 * j) + 0.1 * k - 0.02 * i * j
    vol = wp.Volume.load_from_numpy(dense, min_world=(0.5, -1.0, 2.0), voxel_size=0.25, bg_value=-2.0, device="cpu")
    pts = wp.array(POINTS, dtype=wp.vec3, device="cpu")
    n = len(POINTS)
    outs = [wp.zeros(n, dtype=t, device="cpu") for t in (float, float, wp.vec3, wp.vec3, wp.vec3)]
    wp.launch(dense_queries, dim=n, inputs=[vol.id, pts, *outs], device="cpu")
    print(f"// Warp {wp.config.version}: dense volume, voxel count {vol.get_voxel_count()}")
    for name, a in zip(("kDenseLinear", "kDenseClosest", "kDenseGrad", "kDenseWorld", "kDenseIndex"), outs):
        cpp(name, a.numpy())

    voxels = wp.array([[0, 0, 0], [3, 4, 5], [-2, 0, 9], [1, 0, 0]], dtype=wp.vec3i, device="cpu")
    index_vol = wp.Volume.allocate_by_voxels(voxels, voxel_size=0.5, device="cpu")
    data = wp.array([10.0, 20.0, 30.0, 40.0], dtype=float, device="cpu")
    ipts = wp.array([(1.5, 2.0, 2.5), (0.25, 0.5, 0.0), (0.75, 0.1, 0.3), (2.6, 3.7, 4.8)], dtype=wp.vec3, device="cpu")
    lin = wp.zeros(4, dtype=float, device="cpu")
    grad = wp.zeros(4, dtype=wp.vec3, device="cpu")
    wp.launch(index_queries, dim=4, inputs=[index_vol.id, data, ipts, lin, grad], device="cpu")
    print("// index grid: voxels in index order", index_vol.get_voxels().numpy().tolist())
    cpp("kIndexLinear", lin.numpy())
    cpp("kIndexGrad", grad.numpy())


if __name__ == "__main__":
    main()
