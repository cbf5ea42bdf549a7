"""smith_exec_run.py — runs warpc-smith-exec on one input text for the check_*.py tests here.

run(exe, module, text, work, *args) writes `text` to WORK/in.txt, runs
`exe MODULE WORK/in.txt WORK/out.txt ARGS…` and returns (exit code, merged stdout/stderr,
outputs): outputs maps (kind, launch, name) to the list of values of each output line (floats,
hexadecimal floats read exactly), empty when the run failed.
"""
import os
import subprocess


def run(exe, module, text, work, *args):
    inp, outp = os.path.join(work, "in.txt"), os.path.join(work, "out.txt")
    open(inp, "w").write(text)
    if os.path.exists(outp):
        os.remove(outp)
    p = subprocess.run([exe, module, inp, outp, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = {}
    if p.returncode == 0:
        for line in open(outp):
            t = line.split()
            out[(t[0], int(t[1]), t[2])] = [float.fromhex(v) if "0x" in v else float(v) for v in t[3:]]
    return p.returncode, p.stdout, out
