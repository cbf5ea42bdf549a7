#!/usr/bin/env python3
"""check_corpus_codegen.py — every program of the front end's corpus compiles end to end.

For each test/programs/*.wp: `warpc --emit=header,cpp,cuda`, then the .wp.cpp is compiled with
the host C++ compiler and (when nvcc is given) the .wp.cu with nvcc for sm_90; with --nvrtc
WARPC_NVRTC also the NVRTC path: `warpc --cuda-compiler=nvrtc`, warpc-nvrtc on its .wp.cu (sm_90),
and the host compiler on its .wp.cpp (CUDA launchers included) and .wp.cubin.cpp. The NVRTC leg
passes --adjoint-variants=2: every backward kernel's template and one specialised instantiation
are compiled, not all 8 (each costs about a backward kernel's compile time).

usage: check_corpus_codegen.py WARPC CORPUS_DIR INCLUDE_DIR... [--cxx CXX] [--nvcc NVCC] [--nvrtc WARPC_NVRTC] [--jobs N]
Exits 1 listing every failure with the compiler's first errors.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def first_errors(text, n=8):
    lines = [l for l in text.splitlines() if "error" in l]
    return "\n".join((lines or text.splitlines())[:n])


def check(program, args, out_root):
    name = os.path.basename(program)
    out = os.path.join(out_root, name[:-3])
    os.makedirs(out, exist_ok=True)
    stem = name[:-3]
    rc, log = run([args.warpc, program, "-I", os.path.join(args.corpus, "Inputs"), "--emit=header,cpp,cuda", "-o", out])
    if rc != 0:
        return name, "warpc", first_errors(log)
    includes = [f"-I{os.path.abspath(d)}" for d in args.include] + [f"-I{out}"]
    rc, log = run([args.cxx, "-std=c++20", "-fsyntax-only", "-Wall", *includes, f"{stem}.wp.cpp"], cwd=out)
    if rc != 0:
        return name, args.cxx, first_errors(log)
    if args.nvcc:
        rc, log = run([args.nvcc, "-std=c++20", "-arch=sm_90", "-DWARPC_RUNTIME_CUDA", "-c", *includes,
                       f"{stem}.wp.cu", "-o", os.devnull], cwd=out)
        if rc != 0:
            return name, "nvcc", first_errors(log)
    if args.nvrtc:
        nv = os.path.join(out, "nvrtc")
        os.makedirs(nv, exist_ok=True)
        rc, log = run([args.warpc, program, "-I", os.path.join(args.corpus, "Inputs"), "--emit=header,cpp,cuda",
                       "--cuda-compiler=nvrtc", "--adjoint-variants=2", "-o", nv])
        if rc != 0:
            return name, "warpc --cuda-compiler=nvrtc", first_errors(log)
        rc, log = run([os.path.abspath(args.nvrtc), f"{stem}.wp.cu", "-o", f"{stem}.wp.cubin.cpp", "--arch", "sm_90",
                       *[f"-I{os.path.abspath(d)}" for d in args.include]], cwd=nv)
        if rc != 0:
            return name, "warpc-nvrtc", first_errors(log)
        nv_includes = [f"-I{os.path.abspath(d)}" for d in args.include] + [f"-I{nv}"]
        for src in (f"{stem}.wp.cpp", f"{stem}.wp.cubin.cpp"):
            rc, log = run([args.cxx, "-std=c++20", "-fsyntax-only", "-Wall", "-DWARPC_KERNELS_CUDA=1",
                           "-DWARPC_RUNTIME_CUDA", *nv_includes, src], cwd=nv)
            if rc != 0:
                return name, args.cxx + " (NVRTC path)", first_errors(log)
    return name, None, "ok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("warpc")
    ap.add_argument("corpus")
    ap.add_argument("include", nargs="+")
    ap.add_argument("--cxx", default="c++")
    ap.add_argument("--nvcc", default="")
    ap.add_argument("--nvrtc", default="")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    programs = sorted(os.path.join(args.corpus, f) for f in os.listdir(args.corpus) if f.endswith(".wp"))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="warpc-corpus-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for name, stage, detail in pool.map(lambda p: check(p, args, tmp), programs):
                if stage:
                    failures += 1
                    print(f"FAIL {name} ({stage}):\n{detail}\n")
                else:
                    print(f"ok   {name}: {detail}")
    compilers = "g++" + (" + nvcc" if args.nvcc else "") + (" + NVRTC" if args.nvrtc else "")
    print(f"{len(programs) - failures}/{len(programs)} corpus programs compile ({compilers})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
