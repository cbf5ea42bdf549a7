#!/usr/bin/env python3
"""gen_builtins_doc.py — writes docs/builtins.md from stdlib/builtins.def (the one source of truth).

usage: gen_builtins_doc.py BUILTINS_DEF WARP_LIST OUT.md          write the document
       gen_builtins_doc.py BUILTINS_DEF WARP_LIST OUT.md --check  exit 1 if OUT.md is not what would be written
       gen_builtins_doc.py BUILTINS_DEF WARP_LIST --check-diff [--nodiff NAME]
                                                                   exit 1 if a builtin Warp differentiates
                                                                   has no differentiable row here
                                                                   (--nodiff: pretend NAME's rows are
                                                                   NoDiff, to test the check)

WARP_LIST is tools/builtins/warp_builtins.txt, Warp's own registry of builtins as recorded by
dump_warp_builtins.py (name, documentation group, documented overloads, differentiable). The
document starts with a coverage report computed from it — per Warp group, the names warpc has
and its table rows for them against Warp's names and documented overloads, and the names it
lacks — then lists every builtin with its signatures, differentiability and description.
docs/builtins.md is never edited by hand: CTest `builtins-doc-up-to-date` runs --check, and
`builtins-differentiable-like-warp` runs --check-diff.
"""
import re
import sys

GROUP_TITLES = {
    "ScalarMath": "Scalar Math", "VectorMath": "Vector Math", "QuaternionMath": "Quaternion Math",
    "Transformations": "Transformations", "SpatialMath": "Spatial Math", "Operators": "Operators",
    "Random": "Random", "Noise": "Noise", "Utility": "Utility", "Geometry": "Geometry",
    "Volumes": "Volumes", "Other": "Other",
}

# Warp's groups outside the builtin library's scope (not counted).
OUT_OF_SCOPE = {"Tile Primitives", "Textures", "Code Generation"}

# Warp builtins warpc provides outside the table (the compiler handles them itself).
BESIDES_TABLE = {"spatial_vector": "a type constructor", "zeros": "kernel-local arrays",
                 "array": "views of memory in kernels: `wp.array(ptr=…, shape=…, dtype=…)`"}

# Builtins Warp differentiates that warpc deliberately does not (with the reason).
NOT_DIFFERENTIATED = {"print": "warpc's backward pass does not print adjoints"}


def read_warp_list(path):
    """[(name, group, overloads, differentiable)] of Warp's documented builtins in scope."""
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        name, group, overloads, diff = line.rstrip("\n").split("\t")
        if group not in OUT_OF_SCOPE:
            out.append((name, group, int(overloads), diff == "1"))
    return out


def warp_version(path):
    first = open(path, encoding="utf-8").readline()
    m = re.search(r"warp-lang (\S+):", first)
    return m.group(1) if m else "?"


ROW = re.compile(r'^WARP_BUILTIN\("([^"]*)",\s*"([^"]*)",\s*"([^"]*)",\s*(Diff|NoDiff),\s*"([^"]*)",\s*"((?:[^"\\]|\\.)*)"\)')
GROUP = re.compile(r"^WARP_BUILTIN_GROUP\((\w+)\)")


def read_table(path):
    groups, group = {}, None
    for line in open(path, encoding="utf-8"):
        m = GROUP.match(line)
        if m:
            group = m.group(1)
            groups.setdefault(group, [])
            continue
        m = ROW.match(line)
        if m:
            name, params, result, diff, cpp, doc = m.groups()
            groups[group].append(dict(name=name, params=params, result=result, diff=diff == "Diff", cpp=cpp, doc=doc))
    return groups


def coverage(groups, warp, version):
    rows_of = {}
    for rows in groups.values():
        for r in rows:
            rows_of.setdefault(r["name"], []).append(r)
    by_group = {}
    for name, group, overloads, _ in warp:
        by_group.setdefault(group, []).append((name, overloads))
    out = []
    total = have_total = 0
    for group, entries in by_group.items():
        have = [n for n, _ in entries if n in rows_of or n in BESIDES_TABLE]
        missing = sorted(n for n, _ in entries if n not in rows_of and n not in BESIDES_TABLE)
        ours = sum(len(rows_of.get(n, [])) for n, _ in entries)
        theirs = sum(c for _, c in entries)
        total += len(entries)
        have_total += len(have)
        out.append(f"| {group} | {len(have)} / {len(entries)} | {ours} / {theirs} | "
                   f"{', '.join(missing) if missing else '—'} |")
    warp_names = {n for n, _, _, _ in warp}
    extra = sorted(n for n in rows_of if n not in warp_names)
    head = [f"warpc has **{have_total} of the {total} builtin names** of Warp {version} (its documented "
            f"builtins outside {', '.join(sorted(OUT_OF_SCOPE))}).", "",
            "| Warp group | names (warpc / Warp) | table rows / Warp's documented overloads | Warp names missing |",
            "|---|---|---|---|"]
    tail = ["", "Rows and overloads are counted differently: one warpc row with generic types "
            "(`vector(N, Float)`) covers several of Warp's overloads, and warpc adds rows Warp lacks "
            "(older out-argument forms). "
            + ", ".join(f"`{n}` ({why})" for n, why in BESIDES_TABLE.items())
            + " are provided by the compiler outside the table; the type constructors (`wp.vec3(…)`, "
            "`wp.mat33(…)`, `wp.quat(…)`, …) and scalar casts likewise."
            + (f" Names warpc has that Warp does not document: {', '.join(f'`{n}`' for n in extra)}." if extra else ""), ""]
    return head + out + tail


def check_differentiable(groups, warp):
    """Names Warp differentiates whose rows here are all NoDiff (exemptions aside)."""
    diff = {}
    for rows in groups.values():
        for r in rows:
            diff[r["name"]] = diff.get(r["name"], False) or r["diff"]
    return sorted(n for n, _, _, d in warp if d and n in diff and not diff[n] and n not in NOT_DIFFERENTIATED)


def render(groups, warp, version):
    out = ["# Builtins", "",
           "<!-- Generated by tools/builtins/gen_builtins_doc.py from stdlib/builtins.def. Do not edit. -->", "",
           "Every function callable as `wp.<name>` in kernel code, grouped as in Warp's documentation. "
           "Types: `Float` = float16/32/64 and bfloat16, `Int` = any integer, `Scalar` = any number, `Any` = any value "
           "type; a variable binds one type across a signature; `&T` marks an argument the builtin updates "
           "in place. Diff = has an adjoint (reverse-mode AD). Each name is implemented in "
           "`stdlib/include/wp/builtins/` as `wp::<name>` (host and device) and checked by "
           "`warpc-check-builtins` (libclang).", "", "## Coverage", ""]
    out += coverage(groups, warp, version)
    for g, rows in groups.items():
        out += [f"## {GROUP_TITLES[g]}", ""]
        by_name = {}
        for r in rows:
            by_name.setdefault(r["name"], []).append(r)
        for name, overloads in by_name.items():
            out.append(f"### `{name}`")
            out.append("")
            for r in overloads:
                result = "" if r["result"] == "None" else f" -> {r['result']}"
                tag = "Diff" if r["diff"] else "no adjoint"
                doc = r["doc"].replace('\\"', '"')
                out.append(f"- `{name}({r['params']}){result}` — {doc} ({tag})")
            out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    groups = read_table(sys.argv[1])
    warp = read_warp_list(sys.argv[2])
    if sys.argv[3] == "--check-diff":
        if sys.argv[4:5] == ["--nodiff"] and len(sys.argv) > 5:
            for rows in groups.values():
                for r in rows:
                    r["diff"] = r["diff"] and r["name"] != sys.argv[5]
        bad = check_differentiable(groups, warp)
        for n in bad:
            print(f"{n}: Warp differentiates it, but every row of it in {sys.argv[1]} is NoDiff "
                  "(its backward pass would give zero gradients)")
        return 1 if bad else 0
    text = render(groups, warp, warp_version(sys.argv[2]))
    if "--check" in sys.argv[4:]:
        try:
            current = open(sys.argv[3], encoding="utf-8").read()
        except OSError:
            current = ""
        if current != text:
            print(f"{sys.argv[3]} is out of date: run tools/builtins/gen_builtins_doc.py {sys.argv[1]} "
                  f"{sys.argv[2]} {sys.argv[3]}")
            return 1
        return 0
    with open(sys.argv[3], "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
