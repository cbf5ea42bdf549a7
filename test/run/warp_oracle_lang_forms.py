#!/usr/bin/env python3
"""warp_oracle_lang_forms.py — runs lang_forms.wp under NVIDIA Warp itself (CPU backend) and
checks its kernels against the same closed forms as lang_forms_main.cpp, so that the values
the warpc run test expects are shown to be Warp's.

usage: warp_oracle_lang_forms.py LANG_FORMS_WP
Exits 77 (skipped) when the `warp` module cannot be imported, 1 on a mismatch, 0 otherwise.
Kernels using forms Warp itself refuses are not part of lang_forms.wp.
"""
import importlib.util
import math
import os
import shutil
import sys
import tempfile

try:
    import numpy as np
    import warp as wp
except ImportError:
    print("skipped: the warp module is not importable")
    sys.exit(77)

failures = []


def check(label, got, want, tol=1e-6):
    if not abs(float(got) - float(want)) <= tol * (1.0 + abs(float(want))):
        failures.append(f"{label}: got {got}, expected {want}")


def load(path):
    tmp = tempfile.mkdtemp()
    py = os.path.join(tmp, "lang_forms_oracle.py")
    shutil.copy(path, py)
    spec = importlib.util.spec_from_file_location("lang_forms_oracle", py)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lang_forms_oracle"] = module
    spec.loader.exec_module(module)
    return module


def check_constants(m):
    out = wp.zeros(8, dtype=float, device="cpu")
    dout = wp.zeros(2, dtype=wp.float64, device="cpu")
    wp.launch(m.constants, 1, [out, dout], device="cpu")
    f, d = out.numpy(), dout.numpy()
    f32 = np.float32
    check("wp.pi", f[0], f32(math.pi), 0)
    check("wp.e + wp.tau", f[1], f32(math.e) + f32(math.tau), 0)
    s = f32(math.pi / 2) + f32((1 + math.sqrt(5)) / 2)
    for c in (math.log(2), math.log(10), 1 / math.log(2), 1 / math.log(10)):
        s = f32(s + f32(c))
    check("half_pi + phi + ln2 + ln10 + log2e + log10e", f[2], s, 0)
    check("wp.constant(wp.pi * 2.0)", f[3], f32(math.pi) * f32(2), 0)
    check("wp.static(wp.pi / 4.0)", f[4], f32(math.pi) / f32(4), 0)
    check("math.sqrt(2.0) + math.pi", f[5], math.sqrt(2) + math.pi)
    check("sin(wp.half_pi)", f[6], 1.0)
    check("isinf/isnan", f[7], 1.0, 0)
    check("wp.float64(wp.pi)", d[0], math.pi, 0)
    check("wp.float64(math.tau)", d[1], math.tau, 0)


def check_forms(m):
    xs = [0.5, -2.0, 3.0, 1.25]
    n = len(xs)
    x = wp.array(xs, dtype=float, device="cpu")
    out = wp.zeros(8 * n, dtype=float, device="cpu")
    vout = wp.zeros(n, dtype=wp.vec4, device="cpu")
    mout = wp.zeros(n, dtype=m.mat23, device="cpu")
    qout = wp.zeros(n, dtype=wp.quatd, device="cpu")
    wp.launch(m.forms, n, [x, out, vout, mout, qout, wp.float64(2.0), None], device="cpu")
    o, v, mm, q = out.numpy().reshape(n, 8), vout.numpy(), mout.numpy(), qout.numpy()
    for i, xi in enumerate(xs):
        want = [i + 5, abs(xi - 1), 10 + 2 * xi, 10, 10 + xi, 1, 0, 5 * xi + 9]
        for k in range(8):
            check(f"forms[{i}][{k}]", o[i][k], want[k])
        for k, w in enumerate([xi, 2, 0.5, 2]):
            check(f"vout[{i}][{k}]", v[i][k], w)
        for k, w in enumerate([1.5, 2.5, 3.5, 4, 5, xi]):
            check(f"mout[{i}][{k}]", mm[i][k // 3][k % 3], w)
        for k, w in enumerate([1, 2, 4, 8]):
            check(f"qout[{i}][{k}]", q[i][k], w + 2 / w, 0)


def check_defaults(m):
    out = wp.zeros(5, dtype=float, device="cpu")
    wp.launch(m.defaults, 5, [out, 2.5, 3, wp.vec2(1.0, -1.0)], device="cpu")  # Warp's launch needs every argument
    for i, got in enumerate(out.numpy()):
        check(f"defaults[{i}]", got, 6.5 + i, 0)


def check_generics(m):
    xf = wp.array([1.0, -2.0, 3.5], dtype=wp.float32, device="cpu")
    xd = wp.array([0.1, 0.2, -0.3], dtype=wp.float64, device="cpu")
    wp.launch(m.scale, 3, [xf, wp.float32(3.0)], device="cpu")
    wp.launch(m.scale, 3, [xd, wp.float64(0.1)], device="cpu")
    for i, (a, b) in enumerate(zip(xf.numpy(), [3.0, -6.0, 10.5])):
        check(f"scale<float32>[{i}]", a, b, 0)
    for i, (a, b) in enumerate(zip(xd.numpy(), [0.1 * 0.1, 0.1 * 0.2, 0.1 * -0.3])):
        check(f"scale<float64>[{i}]", a, b, 1e-15)
    hx = [0.5, -1.5, 2.0, 3.0]
    x = wp.array(hx, dtype=wp.float32, device="cpu", requires_grad=True)
    e = wp.zeros(4, dtype=wp.float32, device="cpu", requires_grad=True)
    tape = wp.Tape()
    with tape:
        wp.launch(m.energy, 4, [wp.float32(1.5), x, e], device="cpu")
    tape.backward(grads={e: wp.ones(4, dtype=wp.float32, device="cpu")})
    for i, xi in enumerate(hx):
        check(f"energy[{i}]", e.numpy()[i], 1.5 * xi * xi)
        check(f"d energy / d x[{i}]", x.grad.numpy()[i], 3.0 * xi)


def main():
    wp.config.quiet = True
    m = load(sys.argv[1])
    check_constants(m)
    check_forms(m)
    check_defaults(m)
    check_generics(m)
    for f in failures[:20]:
        print("  mismatch:", f)
    print(f"warp oracle lang_forms: {'FAILED ' + str(len(failures)) if failures else 'all'} checks {'failed' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
