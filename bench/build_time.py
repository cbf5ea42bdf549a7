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

  warp nvrtc   (with --warp PYTHON, a Python that has the warp-lang package; test-only) NVIDIA
               Warp's own build of the same module for sm_90 — its code generation and NVRTC
               compile of forward and backward kernels, its NVRTC precompiled header already
               built (bench/warp_build_time.py) — on the same machine, for the targets below
  bench/build_time.py --build build [--reps 3] [--wall] [--no-cuda] [--no-nvcc] [--warp PYTHON]
                      [--columns COL,COL...] [--warpc-arg=ARG ...] [FILE.wp ...]

--columns keeps only the named columns (e.g. --columns "g++ pch,nvrtc"; warpc always runs, it
makes the sources). --warpc-arg passes ARG to warpc (e.g. --warpc-arg=--jvp: the cost of
forward-mode launchers). With --warp the last lines check the build-time targets per module:
the CUDA side (nvrtc) at most Warp's time, the CPU side (g++ pch: the module's CPU code and
launchers, its library's precompiled header built) at most twice Warp's time, and the same
for the medians. (--wall does not apply to the Warp column: it is always CPU seconds.)
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
    if os.path.isdir(os.path.join(os.path.dirname(wp_file), "Inputs")):  # the corpus' imported modules
        inc += ["-I", os.path.join(os.path.dirname(wp_file), "Inputs")]
    row = {"module": os.path.relpath(wp_file, ROOT)}
    want = lambda c: c in args.cols
    row["warpc"] = timed([[warpc, wp_file, "--emit", "header,cpp,cuda", "-o", out] + inc + args.warpc_arg], args)
    cpp = os.path.join(out, stem + ".wp.cpp")
    if want("g++ before"):
        row["g++ before"] = timed([gxx_flags(out, "-include", "wp/builtins.h") + ["-c", cpp, "-o", os.path.join(out, "cpu0.o")]],
                                  args)
    if want("g++"):
        row["g++"] = timed([gxx_flags(out) + ["-c", cpp, "-o", os.path.join(out, "cpu.o")]], args)
    if want("g++ pch"):
        row["g++ pch"] = timed([gxx_flags(out, "-I" + pch_dir, "-include", "warpc_pch.h", "-Winvalid-pch") +
                                ["-c", cpp, "-o", os.path.join(out, "cpu_pch.o")]], args)
    if want("nvrtc") or want("nvrtc host"):
        subprocess.run([warpc, wp_file, "--emit", "header,cpp,cuda", "--cuda-compiler=nvrtc", "-o", nv] + inc,
                       check=True)
        nvrtc = [os.path.join(args.build, "bin", "warpc-nvrtc"), os.path.join(nv, stem + ".wp.cu"), "-o",
                 os.path.join(nv, stem + ".wp.cubin.cpp"), "--arch", "sm_90",
                 "-I", os.path.join(ROOT, "runtime", "include"), "-I", os.path.join(ROOT, "stdlib", "include")]
        if want("nvrtc"):
            row["nvrtc"] = timed([nvrtc], args)
        else:  # nvrtc host compiles its output
            subprocess.run(nvrtc, check=True, stdout=subprocess.PIPE)
        host = gxx_flags(nv, "-DWARPC_KERNELS_CUDA=1", "-DWARPC_RUNTIME_CUDA")
        if want("nvrtc host"):
            row["nvrtc host"] = timed([host + ["-c", os.path.join(nv, stem + ".wp.cpp"), "-o", os.path.join(nv, "h.o")],
                                       host + ["-c", os.path.join(nv, stem + ".wp.cubin.cpp"), "-o", os.path.join(nv, "i.o")]],
                                      args)
    if want("nvcc") or want("nvcc device"):
        cu = os.path.join(out, stem + ".wp.cu")
        nvcc = [args.nvcc, "-DWARPC_KERNELS_CUDA=1", "-DWARPC_RUNTIME_CUDA", "-DWARPC_DEVICE_CODE=1", "-O3", "-DNDEBUG", "-std=c++20",
                "--expt-relaxed-constexpr", "-arch=sm_90", "-include", "wp/builtins.h"] + includes(out)
        if want("nvcc"):
            row["nvcc"] = timed([nvcc + ["-Xcompiler=-fPIC", "-c", cu, "-o", os.path.join(out, "gpu.o")]], args)
        if want("nvcc device"):
            row["nvcc device"] = timed([nvcc + ["-cubin", cu, "-o", os.path.join(out, "gpu.cubin")]], args)
    return row


def warp_times(python, files, reps):
    """{module path: Warp's CPU seconds} from bench/warp_build_time.py under `python`."""
    r = subprocess.run([python, os.path.join(ROOT, "bench", "warp_build_time.py"), "--reps", str(reps)] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode == 77:  # no warp-lang in that Python
        print(r.stderr.strip(), file=sys.stderr)
        sys.exit(77)
    if r.returncode != 0:
        sys.exit(f"build_time.py: warp_build_time.py failed ({r.returncode}): {r.stderr[-1000:]}")
    times = {}
    for line in r.stdout.splitlines():
        word = line.split(" ", 2)
        if word[0] == "RESULT":
            times[os.path.relpath(os.path.abspath(word[1]), ROOT)] = float(word[2])
        elif word[0] == "ERROR":
            print(f"Warp could not build {word[1]}: {word[2] if len(word) > 2 else ''}", file=sys.stderr)
    return times


def targets(rows):
    """The build-time targets against Warp, per module and for the medians."""
    both = [r for r in rows if "warp nvrtc" in r]
    if not both:
        return
    print(f"\ntargets over the {len(both)} modules Warp built:")
    for col, factor, what in (("nvrtc", 1, "CUDA side"), ("g++ pch", 2, "CPU side")):
        if not all(col in r for r in both):
            continue
        met = sum(r[col] <= factor * r["warp nvrtc"] for r in both)
        med, wmed = statistics.median(r[col] for r in both), statistics.median(r["warp nvrtc"] for r in both)
        bound = f"{factor} x " if factor != 1 else ""
        print(f"  {what} ({col}) <= {bound}Warp's: {met} of {len(both)} modules; medians {med:.2f} s vs "
              f"{bound}{wmed:.2f} s: {'met' if med <= factor * wmed else 'not met'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build folder holding bin/warpc")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--wall", action="store_true", help="wall-clock seconds instead of CPU seconds")
    ap.add_argument("--nvcc", default=shutil.which("nvcc") or "/usr/local/cuda/bin/nvcc")
    ap.add_argument("--no-cuda", dest="cuda", action="store_false")
    ap.add_argument("--warpc-arg", action="append", default=[], help="an extra warpc argument (repeatable)")
    ap.add_argument("--no-nvcc", dest="nvcc_too", action="store_false", help="skip the nvcc columns")
    ap.add_argument("--warp", metavar="PYTHON", help="a Python with warp-lang: add Warp's own CUDA build time")
    ap.add_argument("--columns", help="comma-separated columns to measure (default: all)")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "test", "programs", "*.wp"))) + sorted(
        glob.glob(os.path.join(ROOT, "bench", "*.wp")))
    cols = ["warpc", "g++ before", "g++", "g++ pch"]
    if args.cuda:
        cols += ["nvrtc", "nvrtc host"] + (["nvcc", "nvcc device"] if args.nvcc_too else [])
    if args.columns:
        chosen = [c.strip() for c in args.columns.split(",")]
        unknown = [c for c in chosen if c not in cols + ["warp nvrtc"]]
        if unknown:
            sys.exit(f"build_time.py: unknown column(s) {', '.join(unknown)}; known: {', '.join(cols)}, warp nvrtc")
        cols = ["warpc"] + [c for c in cols if c in chosen and c != "warpc"]
    args.cols = cols
    warp = warp_times(args.warp, files, args.reps) if args.warp else {}
    if args.warp:
        cols = cols + ["warp nvrtc"]
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
            if row["module"] in warp:
                row["warp nvrtc"] = warp[row["module"]]
            rows.append(row)
            cells = [f"{row[c]:.2f}" if c in row else "—" for c in cols]
            print(f"| {row['module']} | " + " | ".join(cells) + " |", flush=True)
    if not rows:
        return 1
    for name, fn in (("median", statistics.median), ("max", max)):
        cells = [f"{fn([r[c] for r in rows if c in r]):.2f}" if any(c in r for r in rows) else "—" for c in cols]
        print(f"| **{name}** | " + " | ".join(cells) + " |")
    targets(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
