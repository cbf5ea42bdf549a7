#!/usr/bin/env python3
"""dump_warp_builtins.py — writes the list of NVIDIA Warp's kernel builtins that
gen_builtins_doc.py compares warpc's table with (tools/builtins/warp_builtins.txt).

usage: python dump_warp_builtins.py OUT.txt     (with warp-lang installed: pip install warp-lang)

One line per builtin name that has a documented (non-hidden) overload in Warp's registry
(warp._src.context.builtin_functions):
    NAME<TAB>GROUP<TAB>OVERLOADS<TAB>DIFFERENTIABLE
OVERLOADS counts the documented overloads; DIFFERENTIABLE is 1 when any of them is.
The first line records the Warp version.
"""
import sys

import warp as wp
from warp._src import context


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    lines = [f"# warp-lang {wp.__version__}: builtin name, documentation group, documented overloads, differentiable"]
    for name in sorted(context.builtin_functions):
        f = context.builtin_functions[name]
        overloads = [o for o in (getattr(f, "overloads", None) or [f]) if not o.hidden]
        if not overloads:
            continue
        diff = int(any(o.is_differentiable for o in overloads))
        lines.append(f"{name}\t{f.group}\t{len(overloads)}\t{diff}")
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
