#!/usr/bin/env python3
"""run_campaign.py — differential testing of warpc with wpsmith's random modules.

    run_campaign.py --build BUILD_DIR [--seeds A:B | --seed-list S,S…] [--cases DIR]
                    [--cuda] [--warp PYTHON] [--gradcheck] [--minimise] [--save DIR]
                    [--work DIR] [--keep] [-j N] [--time-limit SECONDS] [--step-timeout SECONDS]

Per seed: wpsmith.py writes the module, its inputs and the float64 reference; warpc accepts it;
BUILD_DIR/bin/warpc-smith-exec builds the CPU backend and runs every kernel; the outputs are
compared with the reference; the backward pass of `kgrad` runs with adjoint seeds on y and
x's gradient is compared with float64 central finite differences of the generator's own
evaluation (|g - g_ref| <= 2e-3 (1 + |g_ref|), skipped when y is ill-conditioned);
--gradcheck also runs BUILD_DIR/bin/warpc-gradcheck (float32 finite differences at its own
random inputs) on `kgrad`. --cuda also runs the CUDA backend (and gradcheck on the
GPU) and compares it with the reference; --warp PYTHON runs the module in NVIDIA Warp
(warp_oracle.py, with that Python; on the GPU with --cuda) and compares Warp with the reference: where Warp disagrees
and warpc agrees, it is counted as a Warp discrepancy, not a warpc failure.
--cases DIR also reruns the saved regression cases (*.wp with .in and .ref.json beside).
A failing seed is minimised (--minimise: statements and functions deleted while the failure
keeps its kind) and, with --save DIR, written there as a regression case. Each step (a
build-and-run of warpc-smith-exec, a gradcheck, a Warp run) is stopped after --step-timeout
seconds (default 300; sanitizer builds compile each module several times slower) and counted
as a crash.

Comparison (contract): integers must equal the reference bit for bit; a float output x with
float64 reference r and float32-emulated reference e is skipped when |e - r| > 1e-2 (1 + |r|)
(ill-conditioned: float32 rounding alone moves it), else it must satisfy
|x - r| <= 1e-4 (1 + |r|) + 20 |e - r| (+ 1e-5 · Σ|terms| for float atomic sums). Outputs of
threads that compared floats closer than the generator's margin are skipped ("fragile").
Exit status: 0 when no warpc failure was found, 1 otherwise.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import wpsmith  # noqa: E402


def parse_outputs(path):
    out = {}
    for line in Path(path).read_text().splitlines():
        t = line.split()
        if not t or t[0] not in ("out", "grad"):
            continue
        vals = []
        for v in t[3:]:
            vals.append(float.fromhex(v) if ("x" in v or "n" in v.lower()) else int(v))
        out[(int(t[1]), ("grad:" if t[0] == "grad" else "") + t[2])] = vals
    return out


def compare(ref, got, grads=True, counts=None):
    """Returns (problems, compared, skipped); problems: list of strings. grads=False ignores the
    backward reference (outputs without gradients: the Warp oracle). counts["grad"] is
    incremented per gradient value compared."""
    problems, compared, skipped = [], 0, 0
    for li, launch in enumerate(ref):
        for p, data in launch["params"].items():
            vals = got.get((li, p))
            if data.get("grad") and not grads:
                continue
            if vals is None:
                problems.append(f"{launch['kernel']}.{p}: no output")
                continue
            for i, (r, e, frag) in enumerate(zip(data["f64"], data["f32emu"], data["fragile"])):
                x = vals[i]
                if frag:
                    skipped += 1
                    continue
                if isinstance(r, int) and not isinstance(r, bool):
                    compared += 1
                    if x != r:
                        problems.append(f"{launch['kernel']}.{p}[{i}]: got {x}, reference {r}")
                    continue
                if isinstance(x, float) and math.isnan(x):
                    problems.append(f"{launch['kernel']}.{p}[{i}]: got nan, reference {r}")
                    continue
                if data.get("grad"):
                    # Backward vs float64 central differences: skipped when the forward outputs
                    # are ill-conditioned in float32 (then so is the gradient).
                    y = launch["params"]["y"]
                    if any(abs(a - b) > 1e-3 * (1 + abs(a)) for a, b in zip(y["f64"], y["f32emu"])):
                        skipped += 1
                        continue
                    tol = 2e-3 * (1 + abs(r))
                    compared += 1
                    if counts is not None:
                        counts["grad"] = counts.get("grad", 0) + 1
                    if abs(x - r) > tol:
                        problems.append(f"{launch['kernel']} backward: d/d{p[5:]}[{i}]: got {x!r}, "
                                        f"float64 finite differences {r!r} (tolerance {tol:.3g})")
                    continue
                if abs(e - r) > 1e-2 * (1 + abs(r)):
                    skipped += 1
                    continue
                tol = 1e-4 * (1 + abs(r)) + 20 * abs(e - r)
                if data.get("scale"):
                    tol += 1e-5 * data["scale"][i]
                compared += 1
                if abs(x - r) > tol:
                    problems.append(f"{launch['kernel']}.{p}[{i}]: got {x!r}, reference {r!r} (tolerance {tol:.3g})")
    return problems, compared, skipped


STEP_TIMEOUT = 300.0  # seconds per step (--step-timeout)


def run(cmd, timeout=None):
    timeout = STEP_TIMEOUT if timeout is None else timeout
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return 124, f"timeout after {timeout}s: {' '.join(map(str, cmd))}"


class Runner:
    def __init__(self, args):
        self.args = args
        self.bin = Path(args.build) / "bin"
        self.stats = {"modules": 0, "launches": 0, "compared": 0, "skipped": 0, "grad_checked": 0, "grad_values": 0,
                      "grad_refused": 0, "warpc_failures": 0, "warp_runs": 0, "warp_discrepancies": 0,
                      "warp_refused": 0, "cuda_runs": 0}
        self.failures = []
        self.warp_notes = []

    def check_case(self, wp_file, device="cpu"):
        """Builds and runs the case; returns (kind, detail): kind is None on success."""
        stem = str(wp_file)[:-3]
        ref = json.loads(Path(stem + ".ref.json").read_text())
        out = stem + f".{device}.out"
        rc, text = run([str(self.bin / "warpc-smith-exec"), str(wp_file), stem + ".in", out, "--device", device])
        if rc == 4:
            return "skipped", text
        if rc == 2 and "warpc" in text and "exit 1" in text and "cxx" not in text:
            return "rejected", text
        if rc == 2:
            return "build", text
        if rc != 0:
            return "crash", text
        counts = {}
        problems, compared, skipped = compare(ref, parse_outputs(out), counts=counts)
        self.stats["grad_values"] += counts.get("grad", 0)
        self.stats["compared"] += compared
        self.stats["skipped"] += skipped
        self.stats["launches"] += len(ref)
        if problems:
            return "value", "\n".join(problems[:10])
        return None, ""

    def check_grad(self, wp_file, device="cpu"):
        if "kernel=kgrad" not in Path(wp_file).read_text():
            return None, ""
        rc, text = run([str(self.bin / "warpc-gradcheck"), str(wp_file), "--kernel", "kgrad", "--device", device])
        if rc == 0:
            import re
            m = re.search(r"(\d+) refused", text)
            if m and int(m.group(1)) > 0:
                self.stats["grad_refused"] += 1
            else:
                self.stats["grad_checked"] += 1
            return None, ""
        return ("grad" if rc == 1 else "grad-build"), text[-3000:]

    def check_warp(self, wp_file):
        stem = str(wp_file)[:-3]
        out = stem + ".warp.out"
        rc, text = run([self.args.warp, str(HERE / "warp_oracle.py"), str(wp_file), stem + ".in", out,
                     "cuda" if self.args.cuda else "cpu"], timeout=600)
        if rc != 0:
            self.stats["warp_refused"] += 1
            self.warp_notes.append((str(wp_file), "refused", text.strip().splitlines()[-3:]))
            return
        self.stats["warp_runs"] += 1
        ref = json.loads(Path(stem + ".ref.json").read_text())
        problems, _, _ = compare(ref, parse_outputs(out), grads=False)
        if problems:
            self.stats["warp_discrepancies"] += 1
            self.warp_notes.append((str(wp_file), "values", problems[:5]))

    def one(self, wp_file, label):
        self.stats["modules"] += 1
        kind, detail = self.check_case(wp_file)
        if kind is None and self.args.gradcheck:
            kind, detail = self.check_grad(wp_file)
        if kind is None and self.args.cuda:
            kind, detail = self.check_case(wp_file, "cuda")
            if kind == "skipped":
                kind = None
            else:
                self.stats["cuda_runs"] += 1
                if kind is None and self.args.gradcheck:
                    kind, detail = self.check_grad(wp_file, "cuda")
        if self.args.warp:
            self.check_warp(wp_file)
        if kind is None:
            return True
        self.stats["warpc_failures"] += 1
        print(f"FAIL {label}: {kind}\n{detail}", flush=True)
        self.failures.append((label, kind, detail))
        return False

    def seed(self, seed, work):
        m = wpsmith.gen_module(seed)
        wpsmith.write_case(m, work, f"smith_{seed}")
        wp_file = Path(work) / f"smith_{seed}.wp"
        ok = self.one(wp_file, f"seed {seed}")
        if not ok and self.args.minimise:
            kind = self.failures[-1][1]
            small = minimise(self, m, kind, work, seed)
            print(f"minimised seed {seed}: {small}", flush=True)
            if self.args.save:
                dest = Path(self.args.save)
                dest.mkdir(parents=True, exist_ok=True)
                for ext in (".wp", ".in", ".ref.json"):
                    shutil.copy(str(small)[:-3] + ext, dest / (f"smith_{seed}" + ext))
        return ok


def minimise(runner, m, kind, work, seed, budget=80):
    """Greedy delta debugging: drop statement runs (halves, then single statements) and unused
    functions/kernels while the case still fails with `kind`."""
    dir_ = Path(work) / f"min_{seed}"
    dir_.mkdir(parents=True, exist_ok=True)
    tries = [0]

    def still_fails():
        if tries[0] >= budget:
            return False
        tries[0] += 1
        try:
            wpsmith.write_case(m, dir_, "case")
        except Exception:
            return False
        wp_file = dir_ / "case.wp"
        saved = dict(runner.stats)
        k, _ = runner.check_case(wp_file)
        if k is None and kind.startswith("grad"):
            k, _ = runner.check_grad(wp_file)
        runner.stats = saved
        return k == kind

    def lists():
        out = [f.body for f in m.funcs] + [k.body for k in m.kernels]
        stack = list(out)
        while stack:
            lst = stack.pop()
            for s in lst:
                if isinstance(s, wpsmith.Block):
                    for _, body in s.parts:
                        out.append(body)
                        stack.append(body)
        return out

    changed = True
    while changed and tries[0] < budget:
        changed = False
        # Whole kernels and functions first.
        for coll in (m.kernels, m.funcs):
            for item in list(coll):
                if len(m.kernels) == 1 and coll is m.kernels:
                    break
                idx = coll.index(item)
                coll.remove(item)
                text = wpsmith.render(m)
                if coll is m.funcs and f"{item.name}(" in text:
                    coll.insert(idx, item)
                    continue
                if still_fails():
                    changed = True
                else:
                    coll.insert(idx, item)
        for lst in lists():
            chunk = max(1, len(lst) // 2)
            while chunk >= 1:
                i = 0
                while i < len(lst):
                    part = lst[i:i + chunk]
                    if not all(s.removable for s in part) or (lst and len(part) == len(lst) and chunk > 1):
                        i += chunk
                        continue
                    del lst[i:i + chunk]
                    if still_fails():
                        changed = True
                    else:
                        lst[i:i] = part
                        i += chunk
                chunk //= 2
    wpsmith.write_case(m, dir_, "case")
    return dir_ / "case.wp"


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--seeds", default="")
    ap.add_argument("--seed-list", default="")
    ap.add_argument("--cases", default="")
    ap.add_argument("--cuda", action="store_true")
    ap.add_argument("--warp", default="")
    ap.add_argument("--gradcheck", action="store_true")
    ap.add_argument("--minimise", action="store_true")
    ap.add_argument("--save", default="")
    ap.add_argument("--work", default="")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--warp-report", default="")
    ap.add_argument("-j", "--jobs", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=0,
                    help="start no new seed after this many seconds (0: no limit); the summary says how many ran")
    ap.add_argument("--step-timeout", type=float, default=300.0,
                    help="seconds before one build-and-run, gradcheck or Warp run counts as a crash")
    args = ap.parse_args(argv[1:])
    global STEP_TIMEOUT
    STEP_TIMEOUT = args.step_timeout
    seeds = []
    if args.seeds:
        a, b = args.seeds.split(":")
        seeds = list(range(int(a), int(b)))
    if args.seed_list:
        seeds += [int(s) for s in args.seed_list.split(",") if s]
    work = args.work or tempfile.mkdtemp(prefix="wpsmith-")
    Path(work).mkdir(parents=True, exist_ok=True)
    runner = Runner(args)
    t0 = time.time()
    if args.cases:
        for wp_file in sorted(Path(args.cases).glob("*.wp")):
            dst = Path(work) / wp_file.name
            for ext in (".wp", ".in", ".ref.json"):
                shutil.copy(str(wp_file)[:-3] + ext, str(dst)[:-3] + ext)
            runner.one(dst, f"case {wp_file.name}")
    started = []

    def run_seed(s):
        if args.time_limit and time.time() - t0 > args.time_limit:
            return
        started.append(s)
        runner.seed(s, work)

    if args.jobs > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(run_seed, seeds))
    else:
        for s in seeds:
            run_seed(s)
    if len(started) < len(seeds):
        print(f"time limit: {len(started)} of {len(seeds)} seeds ran", flush=True)
    st = runner.stats
    print(f"wpsmith: {st['modules']} modules, {st['launches']} launches, {st['compared']} outputs compared, "
          f"{st['skipped']} skipped (fragile/ill-conditioned), {st['grad_values']} gradient values compared "
          f"with float64 finite differences, {st['grad_checked']} warpc-gradcheck runs passed "
          f"({st['grad_refused']} refused), {st['cuda_runs']} CUDA runs, {st['warpc_failures']} warpc failures "
          f"in {time.time() - t0:.0f}s")
    if args.warp:
        print(f"warp oracle: {st['warp_runs']} runs, {st['warp_refused']} refused, "
              f"{st['warp_discrepancies']} disagreed with the reference")
        for f, what, lines in runner.warp_notes:
            print(f"  warp {what}: {f}: " + " | ".join(lines))
        if args.warp_report:
            Path(args.warp_report).write_text(json.dumps(runner.warp_notes, indent=1))
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
