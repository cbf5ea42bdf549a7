#!/usr/bin/env python3
"""build_time.py — what compiling a .wp module costs a user's build, per stage.

For every module (default: test/programs/*.wp and bench/neo_hookean.wp) it runs, one after the
other, with the flags add_warp_kernels() uses:
  warpc   FILE.wp --emit header,cpp,cuda        (front end, IR, AD, code generation)
  g++     -O3 -std=c++20 -c FILE.wp.cpp          (the CPU backend)
  nvcc    -O3 -std=c++20 -arch sm_90 -c FILE.wp.cu   (the CUDA backend: host and device code)
  nvcc    … -cubin                               (device code alone: what a driver-side
                                                  NVRTC/cubin path would still pay)
and prints a table (seconds, and the preprocessed size of the .cpp in lines) and the median and
maximum of each column. Timings are wall-clock seconds of one run each (--reps N takes the
median of N); run it on an otherwise idle machine.

  bench/build_time.py --build build [--reps 1] [--no-cuda] [--warpc-arg=ARG ...] [FILE.wp ...]

--warpc-arg passes ARG to warpc (e.g. --warpc-arg=--jvp: the cost of forward-mode launchers).
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode != 0:
            raise RuntimeError("failed: " + " ".join(cmd) + "\n" + r.stderr[-2000:])
    return statistics.median(times)


def includes(gen_dir):
    return ["-I" + gen_dir, "-I" + os.path.join(ROOT, "runtime", "include"),
            "-I" + os.path.join(ROOT, "stdlib", "include")]


def measure(wp_file, args, tmp):
    stem = os.path.splitext(os.path.basename(wp_file))[0]
    out = os.path.join(tmp, stem)
    os.makedirs(out, exist_ok=True)
    warpc = os.path.join(args.build, "bin", "warpc")
    row = {"module": os.path.relpath(wp_file, ROOT)}
    row["warpc"] = timed([warpc, wp_file, "--emit", "header,cpp,cuda", "-o", out] + args.warpc_arg, args.reps)
    cpp = os.path.join(out, stem + ".wp.cpp")
    gxx = ["g++", "-O3", "-DNDEBUG", "-fPIC", "-std=c++20"] + includes(out)
    row["g++"] = timed(gxx + ["-c", cpp, "-o", os.path.join(out, "cpu.o")], args.reps)
    pre = subprocess.run(gxx + ["-E", cpp], stdout=subprocess.PIPE, text=True, check=True).stdout
    row["cpp lines"] = pre.count("\n")
    if args.cuda:
        cu = os.path.join(out, stem + ".wp.cu")
        nvcc = [args.nvcc, "-DWARPC_KERNELS_CUDA=1", "-DWARPC_RUNTIME_CUDA", "-O3", "-DNDEBUG", "-std=c++20",
                "--expt-relaxed-constexpr", "-arch=sm_90"] + includes(out)
        row["nvcc"] = timed(nvcc + ["-Xcompiler=-fPIC", "-c", cu, "-o", os.path.join(out, "gpu.o")], args.reps)
        row["nvcc device"] = timed(nvcc + ["-cubin", cu, "-o",
                                          os.path.join(out, "gpu.cubin")], args.reps)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder holding bin/warpc")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--nvcc", default=shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc")
    ap.add_argument("--no-cuda", dest="cuda", action="store_false")
    ap.add_argument("--warpc-arg", action="append", default=[], help="an extra warpc argument (repeatable)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "test", "programs", "*.wp"))) + [
        os.path.join(ROOT, "bench", "neo_hookean.wp")]
    cols = ["warpc", "g++", "cpp lines"] + (["nvcc", "nvcc device"] if args.cuda else [])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        print("| module | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for f in files:
            try:
                row = measure(f, args, tmp)
            except RuntimeError as e:
                print(f"| {os.path.relpath(f, ROOT)} | error: {str(e).splitlines()[0]} |")
                continue
            rows.append(row)
            cells = [f"{row[c]:.2f}" if isinstance(row[c], float) else str(row[c]) for c in cols]
            print(f"| {row['module']} | " + " | ".join(cells) + " |", flush=True)
    if not rows:
        return 1
    for name, fn in (("median", statistics.median), ("max", max)):
        cells = []
        for c in cols:
            v = fn([r[c] for r in rows])
            cells.append(f"{v:.2f}" if isinstance(v, float) else str(v))
        print(f"| **{name}** | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
