#!/usr/bin/env python3
"""warp_oracle.py — runs a wpsmith module in NVIDIA Warp (pip warp-lang) on a
warpc-smith-exec input file and writes the outputs in warpc-smith-exec's format.

    PYTHON warp_oracle.py MODULE.wp INPUTS OUTPUTS [cpu|cuda]

The last argument picks Warp's device (default cpu; cuda is Warp's first GPU).

Test-only: run with the Python of a virtual environment that has warp-lang and numpy
(tools/wpsmith/campaign.sh --warp makes one). Exit 0 when it ran, 3 when Warp refused or
failed (its message on stderr).
"""
import importlib.machinery
import importlib.util
import sys

import numpy as np
import warp as wp


def parse(path):
    toks = open(path).read().split()
    pos = 0
    launches = []
    while pos < len(toks):
        assert toks[pos] == "launch"
        name, nd = toks[pos + 1], int(toks[pos + 2])
        dims = [int(t) for t in toks[pos + 3:pos + 3 + nd]]
        pos += 3 + nd
        args = []
        while toks[pos] == "arg":
            pos += 1
            is_array = toks[pos] == "array"
            pos += is_array
            scalar = toks[pos]
            pos += 1
            shape = []
            if is_array:
                rank = int(toks[pos])
                shape = [int(t) for t in toks[pos + 1:pos + 1 + rank]]
                pos += 1 + rank
            n = int(np.prod(shape)) if is_array else 1
            conv = float.fromhex if scalar == "f32" else int
            vals = [conv(t) for t in toks[pos:pos + n]]
            pos += n
            args.append((is_array, scalar, shape, vals))
        while toks[pos] == "seed":  # adjoint seeds: the oracle runs forward only
            p = int(toks[pos + 1])
            pos += 2 + int(np.prod(args[p][2]))
        assert toks[pos] == "end", toks[pos]
        pos += 1
        launches.append((name, dims, args))
    return launches


def main(argv):
    module_path, inputs, outputs = argv[1:4]
    device = argv[4] if len(argv) > 4 else "cpu"
    if device not in ("cpu", "cuda"):
        print(f"warp_oracle: unknown device '{device}' (cpu or cuda)", file=sys.stderr)
        return 2
    device = "cuda:0" if device == "cuda" else "cpu"
    wp.config.quiet = True
    import os
    wp.config.kernel_cache_dir = os.environ.get("WPSMITH_WARP_CACHE", "/tmp/wpsmith-warp-cache")
    loader = importlib.machinery.SourceFileLoader("smith_module", module_path)
    spec = importlib.util.spec_from_file_location("smith_module", module_path, loader=loader)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lines = []
    try:
        for index, (name, dims, args) in enumerate(parse(inputs)):
            kernel = getattr(mod, name)
            values, arrays = [], []
            for is_array, scalar, shape, vals in args:
                if is_array:
                    dt = np.float32 if scalar == "f32" else np.int32
                    a = wp.array(np.array(vals, dtype=dt).reshape(shape), dtype=wp.float32 if scalar == "f32" else wp.int32,
                                 device=device)
                    values.append(a)
                    arrays.append(a)
                else:
                    values.append(vals[0])
                    arrays.append(None)
            wp.launch(kernel, dim=tuple(dims), inputs=values, device=device)
            wp.synchronize()
            params = list(kernel.adj.args)
            for p, a in zip(params, arrays):
                if a is None:
                    continue
                flat = a.numpy().reshape(-1)
                if flat.dtype == np.float32:
                    text = " ".join(float(v).hex() for v in flat)
                else:
                    text = " ".join(str(int(v)) for v in flat)
                lines.append(f"out {index} {p.label} {text}")
    except Exception as e:  # Warp refused the module or failed to run it
        print(f"warp_oracle: {type(e).__name__}: {e}", file=sys.stderr)
        return 3
    open(outputs, "w").write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
