#!/usr/bin/env python3
"""warp_build_time.py — NVIDIA Warp's own CUDA compile time for .wp modules (test-only: needs
the warp-lang package; warpc never does), for bench/build_time.py's `warp nvrtc` column.

  python3 bench/warp_build_time.py [--reps N] [--arch 90] FILE.wp ...

Each module is imported as a Python module (as tools/check_corpus_values.py does) and built
ahead of time with `wp.compile_aot_module(module, arch=ARCH, module_dir=…)`: Warp's code
generation and its NVRTC compile (forward and backward kernels) to a cubin — what its JIT does
on a module's first launch on a GPU of that architecture, without needing one. Every rep
writes to a fresh folder, so nothing is served from Warp's kernel cache; Warp's NVRTC
precompiled header is built by a first, untimed compile (Warp keeps it between processes),
as bench/build_time.py times g++ with its precompiled header already built.

Output: one line per module, `RESULT <path> <seconds>` (CPU seconds of this process — NVRTC
runs in it — median of --reps), or `ERROR <path> <message>`.
"""
import argparse
import os
import resource
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--arch", type=int, default=90)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    try:
        import warp as wp
    except ImportError:
        print("warp_build_time.py: the warp-lang package is not installed", file=sys.stderr)
        return 77
    from wp_modules import import_wp_source, stage_inputs

    wp.config.quiet = True
    wp.init()
    with tempfile.TemporaryDirectory() as tmp:
        stage_inputs(os.path.join(os.path.dirname(HERE), "test", "programs"), tmp)
        warmed = False
        for path in args.files:
            try:
                module = import_wp_source(os.path.abspath(path), tmp, "warp_build_time_")
                times = []
                for rep in range(args.reps + (0 if warmed else 1)):
                    out = tempfile.mkdtemp(dir=tmp)
                    t0 = cpu_seconds()
                    wp.compile_aot_module(module.__name__, arch=args.arch, module_dir=out)
                    times.append(cpu_seconds() - t0)
                if not warmed:  # the first compile also built Warp's NVRTC precompiled header
                    times, warmed = times[1:], True
                print(f"RESULT {path} {statistics.median(times):.3f}", flush=True)
            except Exception as e:  # a module Warp rejects: reported, the others still run
                msg = " ".join(str(e).split())[:200]
                print(f"ERROR {path} {type(e).__name__}: {msg}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
