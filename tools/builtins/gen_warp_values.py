#!/usr/bin/env python3
"""gen_warp_values.py — records NVIDIA Warp's results for test/run/warp_values.wp.

usage: python gen_warp_values.py test/run/warp_values.wp test/run/warp_values.ref
       (in an environment with warp-lang 1.19 and numpy: `pip install warp-lang==1.19.0 numpy`)

Runs each kernel of the .wp module with Warp's CPU backend on seeded random inputs and writes,
per kernel, the inputs, Warp's outputs and — for differentiable kernels — a random seed for the
outputs' adjoint and the inputs' gradient Warp's backward pass gives for it. The C++ driver
(test/run/warp_values_main.cpp) replays the same inputs through warpc's kernels and compares.

File format (text, one record per kernel):
    kernel NAME COUNT NI NO GRAD
    in  COUNT*NI floats
    out COUNT*NO floats
    seed COUNT*NO floats        (GRAD = 1 only)
    grad COUNT*NI floats        (GRAD = 1 only)
"""
import importlib.util
import sys

import numpy as np
import warp as wp

RNG = np.random.default_rng(20261207)


def unit_quats(n, w_min=-1.0):
    q = RNG.normal(size=(n, 4))
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q[:, 3] = np.maximum(q[:, 3], w_min)
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def euler_inputs():
    seqs = [(0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0),
            (0, 1, 0), (0, 2, 0), (1, 0, 1), (1, 2, 1), (2, 0, 2), (2, 1, 2)]
    q = RNG.normal(size=(24, 4)) * RNG.uniform(0.5, 2.0, size=(24, 1))  # not unit: scale-invariant
    return np.array([list(qi) + list(s) for qi in q for s in seqs])


def rpy_inputs():
    axis = RNG.normal(size=(64, 3))
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    return np.hstack([unit_quats(64), axis])


def compose_inputs():
    return np.hstack([RNG.uniform(-2, 2, (64, 3)), unit_quats(64), RNG.uniform(0.3, 2.0, (64, 3))])


def decompose_inputs():
    mats = []
    for p, q, s in zip(RNG.uniform(-2, 2, (64, 3)), unit_quats(64, 0.2), RNG.uniform(0.3, 2.0, (64, 3))):
        r = np.array(wp.quat_to_matrix(wp.quat(*q))).reshape(3, 3)
        m = np.eye(4)
        m[:3, :3] = r * s + RNG.uniform(-0.05, 0.05, (3, 3))
        m[:3, 3] = p
        mats.append(m.reshape(16))
    return np.array(mats)


def approx_inputs():
    n = 64
    m = RNG.uniform(-1, 1, (n, 9)) + np.tile(np.eye(3).reshape(9) * 3.0, (n, 1))
    return np.hstack([RNG.uniform(-2, 2, (n, 1)), RNG.uniform(0.5, 2.0, (n, 1)) * RNG.choice([-1, 1], (n, 1)),
                      RNG.uniform(0.5, 2.0, (n, 3)), m, RNG.uniform(0.5, 2.0, (n, 4))])


def tuple_inputs():
    return np.hstack([RNG.uniform(-2, 2, (64, 9)), unit_quats(64)])


# name: (inputs, number of outputs per thread, gradient checked)
KERNELS = {
    "euler": (euler_inputs, 3, True),
    "rpy_twist": (rpy_inputs, 4, True),
    "compose": (compose_inputs, 16, True),
    "decompose": (decompose_inputs, 10, True),
    "approx": (approx_inputs, 36, True),
    "ctors": (lambda: RNG.uniform(-2, 2, (64, 7)), 40, True),
    "shaped": (lambda: RNG.uniform(-2, 2, (64, 4)), 11, True),
    "bit_cast": (lambda: RNG.uniform(-1e3, 1e3, (64, 1)), 4, False),
    "curl": (lambda: RNG.uniform(-3, 3, (64, 4)), 8, True),
    "tuple_forms": (tuple_inputs, 11, False),
    "bf16_values": (lambda: RNG.uniform(0.5, 2.0, (64, 2)) * RNG.choice([-1, 1], (64, 2)), 6, True),
}


def record(module, name, make_inputs, no, grad):
    x_np = np.asarray(make_inputs(), dtype=np.float32)
    count, ni = x_np.shape
    x = wp.array(x_np.reshape(-1), dtype=float, requires_grad=grad)
    y = wp.zeros(count * no, dtype=float, requires_grad=grad)
    kernel = getattr(module, name)
    lines = [f"kernel {name} {count} {ni} {no} {int(grad)}"]
    fmt = lambda a: " ".join(repr(float(v)) for v in np.asarray(a, dtype=np.float32).reshape(-1))
    if grad:
        seed = RNG.uniform(-1, 1, count * no).astype(np.float32)
        tape = wp.Tape()
        with tape:
            wp.launch(kernel, count, [x, y])
        tape.backward(grads={y: wp.array(seed, dtype=float)})
    else:
        wp.launch(kernel, count, [x, y])
    lines += ["in " + fmt(x_np), "out " + fmt(y.numpy())]
    if grad:
        lines += ["seed " + fmt(seed), "grad " + fmt(x.grad.numpy())]
    return lines


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    wp.config.quiet = True
    spec = importlib.util.spec_from_file_location("warp_values", sys.argv[1], loader=None)
    loader = importlib.machinery.SourceFileLoader("warp_values", sys.argv[1])
    spec = importlib.util.spec_from_loader("warp_values", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    out = [f"# Warp {wp.__version__} (CPU) results for {sys.argv[1].split('/')[-1]}; written by gen_warp_values.py"]
    for name, (make_inputs, no, grad) in KERNELS.items():
        out += record(module, name, make_inputs, no, grad)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
