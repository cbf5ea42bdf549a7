#!/usr/bin/env python3
"""check_corpus_warp.py — every corpus program (test/programs/*.wp) is accepted by NVIDIA Warp
itself: each is imported as a Python module under warp-lang and its Warp module is built for
the CPU (Warp's own code generation and compiler), so the corpus holds only programs that Warp
accepts too. Test-only: warp-lang is an oracle here, never a dependency.

usage: check_corpus_warp.py CORPUS_DIR [PROGRAM.wp ...]
Exits 77 (skipped) when `warp` cannot be imported, 1 listing every program Warp refuses, else 0.
Programs listed in WARP_REFUSES are checked the other way round: Warp must still refuse them.
"""
import os
import shutil
import sys
import tempfile
import traceback

try:
    import warp as wp
except ImportError:
    print("skipped: the warp module is not importable")
    sys.exit(77)

from wp_modules import import_wp_source, stage_inputs  # noqa: E402

# Programs that use forms warpc accepts and Warp does not (none today).
WARP_REFUSES = {}


def load(path, tmp, inputs):
    module = import_wp_source(path, tmp, "corpus_")
    wp.load_module(module, device="cpu")


def main():
    corpus = sys.argv[1]
    programs = sys.argv[2:] or sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".wp"))
    tmp = tempfile.mkdtemp(prefix="warpc-corpus-warp-")
    inputs = stage_inputs(corpus, tmp)  # imported helper modules
    wp.config.kernel_cache_dir = os.path.join(tmp, "cache")
    wp.config.quiet = True
    wp.init()
    failures = 0
    for path in programs:
        name = os.path.basename(path)
        try:
            load(path, tmp, inputs)
            error = None
        except Exception:  # noqa: BLE001 — any refusal by Warp is reported
            error = traceback.format_exc(limit=2).strip().splitlines()[-1]
        if name in WARP_REFUSES:
            if error is None:
                failures += 1
                print(f"FAIL {name}: Warp accepts it now; remove it from WARP_REFUSES")
            else:
                print(f"ok   {name}: refused by Warp as expected ({WARP_REFUSES[name]})")
        elif error:
            failures += 1
            print(f"FAIL {name}: {error}")
        else:
            print(f"ok   {name}")
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(programs) - failures}/{len(programs)} corpus programs accepted by Warp {wp.config.version}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
