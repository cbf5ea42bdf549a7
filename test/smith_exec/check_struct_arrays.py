#!/usr/bin/env python3
"""check_struct_arrays.py — warpc-smith-exec's arrays of structs (`arg array struct`, per-field
`out` / `grad` lines, per-field seeds), checked against values computed here from the inputs.

usage: check_struct_arrays.py WARPC_SMITH_EXEC struct_arrays.wp WORKDIR

Runs `update` of struct_arrays.wp on seeded inputs (forward, then backward with seeds on `out`
and on the float fields of `ps`) and compares every field of every element with Python's
evaluation (float32 products rounded as float32; tolerance 1e-6 relative); then checks that
malformed inputs exit 2 with their message: `bad` (an array field in the element), a field
scalar that does not match, a missing field, a seed with too few values, a plain array or an
array of the wrong rank for an array of structs. Exit 0 when all hold, 1 otherwise.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smith_exec_run  # noqa: E402


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def run(exe, module, text, work):
    return smith_exec_run.run(exe, module, text, work, "--cache", os.path.join(work, "cache"))


def main():
    exe, module, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    rng = random.Random(7)
    n, rows, cols = 6, 6, 3
    fl = lambda k: [f32(rng.uniform(-1, 1)) for _ in range(k)]  # noqa: E731
    ps = {"a": [rng.randint(-100, 100) for _ in range(n)], "x": fl(2 * n), "d": [rng.uniform(-1, 1) for _ in range(n)],
          "inner.s": fl(n), "inner.n": [rng.randint(-50, 50) for _ in range(n)]}
    m = rows * cols
    grid = {"a": [0] * m, "x": fl(2 * m), "d": [0.0] * m, "inner.s": fl(m), "inner.n": [rng.randint(-9, 9) for _ in range(m)]}

    def fields(vals):
        return (f"field int8 {' '.join(map(str, vals['a']))} field float32 {' '.join(v.hex() for v in vals['x'])} "
                f"field float64 {' '.join(v.hex() for v in vals['d'])} field float32 "
                f"{' '.join(v.hex() for v in vals['inner.s'])} field int16 {' '.join(map(str, vals['inner.n']))}")

    args = (f"arg array struct 1 {n} {fields(ps)}\narg array struct 2 {rows} {cols} {fields(grid)}\n"
            f"arg array float32 1 {n} {' '.join('0' for _ in range(n))}\n")
    seed_out = fl(n)
    seed_ps = {"x": fl(2 * n), "d": [rng.uniform(-1, 1) for _ in range(n)], "inner.s": fl(n)}
    text = (f"launch update 1 {n}\n{args}end\nlaunch update 1 {n}\n{args}"
            f"seed 0 {' '.join(v.hex() for v in seed_ps['x'] + seed_ps['d'] + seed_ps['inner.s'])}\n"
            f"seed 2 {' '.join(v.hex() for v in seed_out)}\nend\n")
    rc, log, got = run(exe, module, text, work)
    if rc != 0:
        print(f"FAIL: exit {rc}: {log}")
        return 1
    # expected
    g = lambda f, i, c=1, k=0: grid[f][(i * cols + 1) * c + k]  # noqa: E731  grid[i, 1]
    out = [f32(f32(f32(f32(ps["x"][2 * i] * ps["x"][2 * i + 1]) + ps["a"][i]) + f32(ps["d"][i]))
               + f32(g("inner.s", i) * g("inner.n", i))) for i in range(n)]
    expect = {
        ("out", 0, "ps.a"): ps["a"], ("out", 0, "ps.x"): ps["x"], ("out", 0, "ps.d"): [2 * d for d in ps["d"]],
        ("out", 0, "ps.inner.s"): ps["inner.s"], ("out", 0, "ps.inner.n"): [v + 1 for v in ps["inner.n"]],
        ("out", 0, "grid.x"): grid["x"], ("out", 0, "grid.inner.n"): grid["inner.n"], ("out", 0, "out"): out,
        # d/dps.x: seed_x + seed_out * other component; d/dps.d: 2 seed_d + seed_out; inner.s: passed through
        ("grad", 1, "ps.x"): [seed_ps["x"][2 * i + k] + seed_out[i] * ps["x"][2 * i + 1 - k] for i in range(n) for k in (0, 1)],
        ("grad", 1, "ps.d"): [2 * seed_ps["d"][i] + seed_out[i] for i in range(n)],
        ("grad", 1, "ps.inner.s"): seed_ps["inner.s"],
        ("grad", 1, "grid.inner.s"): [seed_out[r] * grid["inner.n"][(r * cols + c)] if c == 1 and r < n else 0.0
                                      for r in range(rows) for c in range(cols)],
        ("grad", 1, "grid.x"): [0.0] * (2 * m),
    }
    bad = 0
    for key, want in expect.items():
        have = got.get(key)
        if have is None or len(have) != len(want):
            print(f"FAIL {key}: got {have}")
            bad += 1
            continue
        for j, (h, w) in enumerate(zip(have, want)):
            if abs(h - w) > 1e-6 * max(1.0, abs(w)):
                print(f"FAIL {key}[{j}]: warpc {h!r}, expected {w!r}")
                bad += 1
                break
    if ("grad", 1, "ps.a") in got or ("grad", 1, "ps.inner.n") in got:
        print("FAIL: integer fields got gradient lines")
        bad += 1
    # malformed inputs: exit 2 and the message
    one = f"arg array float32 1 {n} {' '.join('0' for _ in range(n))}"
    cases = [
        ("launch bad 1 1\narg array struct 1 1 field int32 1\narg array int32 1 1 0\nend\n",
         "'ws.t': an array field in the elements of an array of structs is not supported"),
        (f"launch update 1 {n}\n" + args.replace("field int8", "field int16", 1) + "end\n",
         "'ps.a' has scalar int8, the input gives 'int16'"),
        (f"launch update 1 {n}\narg array float32 1 {n} {' '.join('0' for _ in range(n))}\n",
         "'ps' is an array of structs: expected 'arg array struct'"),
        (f"launch update 1 {n}\narg array struct 1 {n} field int8 {' '.join(map(str, ps['a']))} end\n",
         "'ps': expected 'field' (5 leaf fields)"),
        (f"launch update 1 {n}\n{args}seed 0 1 2 3\nend\n", "expected a float, got 'end'"),
        (f"launch update 1 {n}\narg array struct 2 {n} 1 {fields(ps)}\n{one}\n", "'ps' is a 1-d array, the input gives 2"),
    ]
    for text, message in cases:
        rc, log, _ = run(exe, module, text, work)
        if rc != 2 or message not in log:
            print(f"FAIL: expected exit 2 with \"{message}\", got exit {rc}: {log.strip()}")
            bad += 1
    print("ok" if not bad else f"{bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
