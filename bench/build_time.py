#!/usr/bin/env python3
"""build_time.py — what compiling a .wp module costs a user's build, per stage.

For every module (default: test/programs/*.wp and bench/*.wp) it runs, one after the other,
with the flags add_warp_kernels() uses:
  warpc        FILE.wp --emit header,cpp,cuda        (front end, IR, AD, code generation)
  g++ before   the same .cpp with every builtin header (-include wp/builtins.h): what the
               generated code included before per-use builtin includes
  g++          -O3 -std=c++20 -c FILE.wp.cpp          (the CPU backend; TARGETS cpu)
  g++ pch      the same with a precompiled header of <wp/wp.h> + <wp/builtins.h> (what
               PRECOMPILE_HEADERS gives each module after the library's one PCH build)
  nvrtc        warpc-nvrtc FILE.wp.cu (--cuda-compiler=nvrtc) for sm_90: the CUDA kernels,
               forward and backward, to a cubin (CUDA_COMPILER NVRTC, the default)
  nvrtc host   g++ of the NVRTC path's .wp.cpp (CPU code + CUDA launchers, WARPC_KERNELS_CUDA)
               and of its .wp.cubin.cpp
  nvcc         nvcc -O3 -arch sm_90 -c FILE.wp.cu (CUDA_COMPILER NVCC: host and device code),
               with every builtin header, as before (--no-nvcc skips both nvcc columns)
  nvcc device  nvcc ... -cubin (device code alone)
Each cell is the median of --reps runs (default 3) of CPU seconds (user + system of the
compiler's processes), which a busy shared machine disturbs far less than wall-clock time;
--wall reports wall-clock seconds instead. The last rows are the median and the maximum over
the modules. `cuda side` = nvrtc (the kernels; the host launchers are part of the CPU
compile).

  bench/build_time.py --build build [--reps 3] [--wall] [--no-cuda] [--no-nvcc] [--warpc-arg=ARG ...] [FILE.wp ...]

--warpc-arg passes ARG to warpc (e.g. --warpc-arg=--jvp: the cost of forward-mode launchers).
"""
import argparse
import glob
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(cmd, wall):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError("failed: " + " ".join(cmd) + "\n" + r.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed if wall else cpu


def timed(cmds, args):
    """Median over --reps of the summed time of `cmds` (run in order)."""
    return statistics.median(sum(run_once(c, args.wall) for c in cmds) for _ in range(args.reps))


def includes(gen_dir):
    return ["-I" + gen_dir, "-I" + os.path.join(ROOT, "runtime", "include"),
            "-I" + os.path.join(ROOT, "stdlib", "include")]


def make_pch(args, tmp):
    """A PCH of what PRECOMPILE_HEADERS puts in one (same flags as the CPU compile)."""
    d = os.path.join(tmp, "pch")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "warpc_pch.h"), "w") as f:
        f.write("#include <wp/wp.h>\n#include <wp/builtins.h>\n")
    cmd = gxx_flags(d) + ["-x", "c++-header", os.path.join(d, "warpc_pch.h"), "-o", os.path.join(d, "warpc_pch.h.gch")]
    t = run_once(cmd, args.wall)
    return d, t


def gxx_flags(gen_dir, *extra):
    return ["g++", "-O3", "-DNDEBUG", "-fPIC", "-std=c++20", *extra] + includes(gen_dir)


def measure(wp_file, args, tmp, pch_dir):
    stem = os.path.splitext(os.path.basename(wp_file))[0]
    out = os.path.join(tmp, stem)
    nv = os.path.join(tmp, stem + ".nvrtc")
    os.makedirs(out, exist_ok=True)
    os.makedirs(nv, exist_ok=True)
    warpc = os.path.join(args.build, "bin", "warpc")
    inc = ["-I", os.path.dirname(wp_file)]
    row = {"module": os.path.relpath(wp_file, ROOT)}
    row["warpc"] = timed([[warpc, wp_file, "--emit", "header,cpp,cuda", "-o", out] + inc + args.warpc_arg], args)
    cpp = os.path.join(out, stem + ".wp.cpp")
    row["g++ before"] = timed([gxx_flags(out, "-include", "wp/builtins.h") + ["-c", cpp, "-o", os.path.join(out, "cpu0.o")]],
                              args)
    row["g++"] = timed([gxx_flags(out) + ["-c", cpp, "-o", os.path.join(out, "cpu.o")]], args)
    row["g++ pch"] = timed([gxx_flags(out, "-I" + pch_dir, "-include", "warpc_pch.h", "-Winvalid-pch") +
                            ["-c", cpp, "-o", os.path.join(out, "cpu_pch.o")]], args)
    if args.cuda:
        subprocess.run([warpc, wp_file, "--emit", "header,cpp,cuda", "--cuda-compiler=nvrtc", "-o", nv] + inc,
                       check=True)
        nvrtc = [os.path.join(args.build, "bin", "warpc-nvrtc"), os.path.join(nv, stem + ".wp.cu"), "-o",
                 os.path.join(nv, stem + ".wp.cubin.cpp"), "--arch", "sm_90",
                 "-I", os.path.join(ROOT, "runtime", "include"), "-I", os.path.join(ROOT, "stdlib", "include")]
        row["nvrtc"] = timed([nvrtc], args)
        host = gxx_flags(nv, "-DWARPC_KERNELS_CUDA=1", "-DWARPC_RUNTIME_CUDA")
        row["nvrtc host"] = timed([host + ["-c", os.path.join(nv, stem + ".wp.cpp"), "-o", os.path.join(nv, "h.o")],
                                   host + ["-c", os.path.join(nv, stem + ".wp.cubin.cpp"), "-o", os.path.join(nv, "i.o")]],
                                  args)
        if args.nvcc_too:
            cu = os.path.join(out, stem + ".wp.cu")
            nvcc = [args.nvcc, "-DWARPC_KERNELS_CUDA=1", "-DWARPC_RUNTIME_CUDA", "-DWARPC_DEVICE_CODE=1", "-O3", "-DNDEBUG", "-std=c++20",
                    "--expt-relaxed-constexpr", "-arch=sm_90", "-include", "wp/builtins.h"] + includes(out)
            row["nvcc"] = timed([nvcc + ["-Xcompiler=-fPIC", "-c", cu, "-o", os.path.join(out, "gpu.o")]], args)
            row["nvcc device"] = timed([nvcc + ["-cubin", cu, "-o", os.path.join(out, "gpu.cubin")]], args)
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder holding bin/warpc")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--wall", action="store_true", help="wall-clock seconds instead of CPU seconds")
    ap.add_argument("--nvcc", default=shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc")
    ap.add_argument("--no-cuda", dest="cuda", action="store_false")
    ap.add_argument("--warpc-arg", action="append", default=[], help="an extra warpc argument (repeatable)")
    ap.add_argument("--no-nvcc", dest="nvcc_too", action="store_false", help="skip the nvcc columns")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "test", "programs", "*.wp"))) + sorted(
        glob.glob(os.path.join(ROOT, "bench", "*.wp")))
    cols = ["warpc", "g++ before", "g++", "g++ pch"]
    if args.cuda:
        cols += ["nvrtc", "nvrtc host"] + (["nvcc", "nvcc device"] if args.nvcc_too else [])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        pch_dir, pch_time = make_pch(args, tmp)
        unit = "wall-clock" if args.wall else "CPU"
        print(f"{unit} seconds, median of {args.reps}; the PCH itself: {pch_time:.2f} s (once per library)\n")
        print("| module | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        for f in files:
            try:
                row = measure(f, args, tmp, pch_dir)
            except (RuntimeError, subprocess.CalledProcessError) as e:
                print(f"| {os.path.relpath(f, ROOT)} | error: {str(e).splitlines()[0][:200]} |")
                continue
            rows.append(row)
            cells = [f"{row[c]:.2f}" for c in cols]
            print(f"| {row['module']} | " + " | ".join(cells) + " |", flush=True)
    if not rows:
        return 1
    for name, fn in (("median", statistics.median), ("max", max)):
        cells = [f"{fn([r[c] for r in rows]):.2f}" for c in cols]
        print(f"| **{name}** | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
