#!/usr/bin/env python3
"""check_diag_coverage.py TRACE DEF_DIR — every diagnostic row is exercised.

TRACE is the file the lit suite writes (one diagnostic id per line, see
WARPC_DIAG_TRACE in compiler/support/diagnostics.cpp); DEF_DIR holds the
diagnostics_*.def tables. Exits 1 listing the rows no test emitted.
"""
import glob
import os
import re
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    trace, def_dir = sys.argv[1:]
    if not os.path.exists(trace):
        print(f"check_diag_coverage: no trace at {trace}: run the lit suite first", file=sys.stderr)
        return 1
    seen = set(open(trace).read().split())
    rows = []
    for path in sorted(glob.glob(os.path.join(def_dir, "diagnostics_*.def"))):
        for line in open(path):
            m = re.match(r"\s*DIAG\((\w+),", line)
            if m:
                rows.append((os.path.basename(path), m.group(1)))
    missing = [(f, i) for f, i in rows if i not in seen]
    for f, i in missing:
        print(f"not exercised by any test: {i} ({f})")
    print(f"{len(rows) - len(missing)} of {len(rows)} diagnostics exercised by the tests")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
