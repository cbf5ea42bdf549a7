#!/usr/bin/env python3
"""tools/kernel_static_stats.py — static cost of generated CUDA kernels, without a GPU.

Contract:
  kernel_static_stats.py FILE.cu|FILE.cubin|FILE.cubin.cpp [--arch sm_90] [-I DIR]… [-D NAME[=V]]… [--kernel SUBSTR]…
  Compiles a generated .cu (nvcc -cubin -O3 -std=c++20, the include dirs given; a .cubin is
  read as is; a warpc-nvrtc output FILE.wp.cubin.cpp gives its embedded cubin of --arch, so
  the NVRTC path's kernels are measured as built), then prints one markdown row per __global__ kernel (optionally only those whose
  name contains a --kernel substring): registers, spill stores / loads (bytes, ptxas), stack
  and local bytes (cuobjdump --dump-resource-usage), SASS instructions in total, and by class:
  RED (of them vector: F32x2 / F32x4), ATOM, LDG, STG, LDL, STL, float arithmetic (FADD/FMUL/FFMA/MUFU), branches (BRA).
  Needs nvcc and cuobjdump on PATH (cuobjdump: CUDA toolkit, or the nvidia-cuda-cuobjdump
  wheel's nvidia/cu13/bin). Exit 1 when a tool fails. A measuring aid (docs/performance.md),
  not a test: its numbers change with the toolkit version.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

CLASSES = {
    "RED": re.compile(r"^REDG?\b"),
    "ATOM": re.compile(r"^ATOMG?\b"),
    "LDG": re.compile(r"^LDG\b"),
    "STG": re.compile(r"^STG\b"),
    "LDL": re.compile(r"^LDL\b"),
    "STL": re.compile(r"^STL\b"),
    "FP32": re.compile(r"^(FADD|FMUL|FFMA|FMNMX|MUFU|FSETP|FSEL|FCHK)\b"),
    "BRA": re.compile(r"^BRA\b"),
}
INSTR = re.compile(r"/\*[0-9a-f]{4,}\*/\s+(?:@!?U?P\w+\s+)?([A-Z][A-Z0-9_.]*\w*)")
VECTOR_RED = re.compile(r"^REDG?\..*F32x[24]")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"{' '.join(cmd)}\n{p.stdout}{p.stderr}")
        sys.exit(1)
    return p.stdout + p.stderr


def per_function(text, header):
    """(function, line) for each line of cuobjdump output after a `header` match names the
    function it belongs to (the header lines themselves are skipped)."""
    current = None
    for line in text.splitlines():
        m = re.search(header, line)
        if m:
            current = m.group(1)
        elif current:
            yield current, line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--arch", default="sm_90")
    ap.add_argument("-I", action="append", default=[], dest="inc")
    ap.add_argument("-D", action="append", default=[], dest="defs")
    ap.add_argument("--kernel", action="append", default=[])
    a = ap.parse_args()

    spills = {}
    with tempfile.TemporaryDirectory() as tmp:
        cubin = a.file
        if a.file.endswith(".cubin.cpp"):  # warpc-nvrtc: const char kCubin90[] = "\177ELF…" "…";
            text = open(a.file, encoding="latin-1").read()
            m = re.search(r"kCubin%s\[\] =(.*?);\n" % a.arch.replace("sm_", ""), text, re.S)
            if not m:
                sys.exit(f"{a.file}: no cubin for {a.arch}")
            body = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            cubin = os.path.join(tmp, "k.cubin")
            with open(cubin, "wb") as f:
                f.write(body.encode("latin-1").decode("unicode_escape").encode("latin-1"))
        elif a.file.endswith(".cu"):
            cubin = os.path.join(tmp, "k.cubin")
            out = run(["nvcc", "-cubin", f"-arch={a.arch}", "-O3", "-std=c++20", "-Xptxas", "-v"]
                      + [f"-I{d}" for d in a.inc] + [f"-D{d}" for d in a.defs] + [a.file, "-o", cubin])
            current = None
            for line in out.splitlines():
                m = re.search(r"Compiling entry function '(\w+)'", line)
                if m:
                    current = m.group(1)
                m = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", line)
                if m and current:
                    spills[current] = (int(m.group(1)), int(m.group(2)))
        usage = run(["cuobjdump", "--dump-resource-usage", cubin])
        sass = run(["cuobjdump", "-sass", cubin])

    res = {}
    for fn, line in per_function(usage, r"Function (\w+):"):
        m = re.search(r"REG:(\d+) STACK:(\d+) SHARED:\d+ LOCAL:(\d+)", line)
        if m:
            res[fn] = tuple(int(g) for g in m.groups())

    counts = {}
    for fn, line in per_function(sass, r"Function : (\w+)"):
        c = counts.setdefault(fn, {k: 0 for k in ["total", *CLASSES, "RED vec"]})
        m = INSTR.search(line)
        if m:
            op = m.group(1)
            if op == "NOP":
                continue
            c["total"] += 1
            if VECTOR_RED.match(op):
                c["RED vec"] += 1
            for k, rx in CLASSES.items():
                if rx.match(op):
                    c[k] += 1

    cols = ["total", "RED", "RED vec", *[k for k in CLASSES if k != "RED"]]
    print("| kernel | registers | spill st/ld B | stack B | local B | SASS instr | "
          + " | ".join(c for c in cols[1:]) + " |")
    print("|---" * (6 + len(cols) - 1) + "|")
    def short(name):  # the nvcc path's names are mangled (namespace, parameter types)
        m = re.search(r"(k_\w+?_kernel(?:_s\d+)?)(?:E|$)", name)
        return m.group(1) if m else name

    for k in sorted(counts, key=lambda n: (len(short(n)), short(n))):
        name = short(k)
        if a.kernel and not any(s in name for s in a.kernel):
            continue
        if not re.search(r"_kernel(_s\d+)?$", name):
            continue
        reg, stack, local = res.get(k, (0, 0, 0))
        st, ld = spills.get(k, (0, 0))
        c = counts[k]
        print(f"| `{name}` | {reg} | {st}/{ld} | {stack} | {local} | {c['total']} | "
              + " | ".join(str(c[x]) for x in cols[1:]) + " |")


if __name__ == "__main__":
    main()
