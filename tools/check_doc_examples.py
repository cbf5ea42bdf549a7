#!/usr/bin/env python3
"""check_doc_examples.py — compile every code example of a Markdown document with warpc.

Usage: check_doc_examples.py DOC.md WARPC [--keep DIR]

Contract:
  * A fenced block opened with ```python is a complete .wp module that must
    compile cleanly: `warpc FILE` exits 0.
  * A block opened with ```python-error is a module that must be rejected with
    exactly the diagnostics its `# expected-error {{...}}` (and -note, -warning)
    annotations describe: `warpc --verify FILE` exits 0. Such a block must
    contain at least one annotation.
  * A block whose first line is `# module: NAME.wp` is also written to the
    work folder as NAME.wp before anything is compiled, so later examples can
    `import NAME` (warpc searches the input's own folder first).
  * Every other fence (```sh, ```text, plain ```) is prose and is skipped.
  * Prints one line per example (`PASS`/`FAIL`, the document line where the
    block starts) plus warpc's output for failures, then a summary line
    "N passed, M failed". Exit status: 0 when every example passed, 1 when
    any failed, 2 on usage errors or when the document has no examples.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([A-Za-z0-9_+-]*)\s*$")
MODULE_HEADER = re.compile(r"^#\s*module:\s*([A-Za-z_][A-Za-z0-9_]*)\.wp\s*$")
ANNOTATION = re.compile(r"expected-(error|warning|note|no-diagnostics)")


class Example:
    """One fenced code block: its kind ('python' or 'python-error'), the
    1-based document line of its opening fence, and its text."""

    def __init__(self, kind, line, text):
        self.kind = kind
        self.line = line
        self.text = text

    def module_name(self):
        first = self.text.split("\n", 1)[0]
        m = MODULE_HEADER.match(first)
        return m.group(1) if m else None


def extract_examples(doc_text):
    """Returns the ```python and ```python-error blocks of a Markdown text."""
    examples = []
    lines = doc_text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3)
        start = i
        body = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and close.strip(fence[0]) == "":
                break
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # skip the closing fence
        if info in ("python", "python-error"):
            examples.append(Example(info, start + 1, "\n".join(body) + "\n"))
    return examples


def file_name_for(example):
    name = example.module_name()
    return f"{name}.wp" if name else f"example_line{example.line}.wp"


def run_warpc(warpc, path, verify):
    cmd = [warpc] + (["--verify"] if verify else []) + [os.path.basename(path)]
    try:
        proc = subprocess.run(cmd, cwd=os.path.dirname(path), capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 1, f"could not run {' '.join(cmd)}: {e}"
    return proc.returncode, proc.stdout + proc.stderr


def check_example(example, path, warpc):
    """Returns (ok, detail) for one example already written to `path`."""
    if example.kind == "python-error":
        if not ANNOTATION.search(example.text):
            return False, "python-error block has no '# expected-error {{...}}' annotation"
        rc, out = run_warpc(warpc, path, verify=True)
        return rc == 0, out
    rc, out = run_warpc(warpc, path, verify=False)
    return rc == 0, out


def main(argv):
    parser = argparse.ArgumentParser(description="Compile the code examples of a Markdown document with warpc.")
    parser.add_argument("doc", help="the Markdown document")
    parser.add_argument("warpc", help="the warpc executable")
    parser.add_argument("--keep", metavar="DIR", help="write the examples to DIR and keep them")
    args = parser.parse_args(argv)
    if os.sep in args.warpc:  # examples run in their own folder: keep a relative path valid
        args.warpc = os.path.abspath(args.warpc)

    try:
        with open(args.doc, encoding="utf-8") as f:
            examples = extract_examples(f.read())
    except OSError as e:
        print(f"error: cannot read '{args.doc}': {e}", file=sys.stderr)
        return 2
    if not examples:
        print(f"error: '{args.doc}' has no ```python or ```python-error examples", file=sys.stderr)
        return 2

    workdir = args.keep or tempfile.mkdtemp(prefix="warpc-doc-")
    os.makedirs(workdir, exist_ok=True)
    paths = []
    for ex in examples:  # write every file first: examples may import helper modules
        path = os.path.join(workdir, file_name_for(ex))
        with open(path, "w", encoding="utf-8") as f:
            f.write(ex.text)
        paths.append(path)

    doc_name = os.path.basename(args.doc)
    failed = 0
    for ex, path in zip(examples, paths):
        ok, detail = check_example(ex, path, args.warpc)
        print(f"{'PASS' if ok else 'FAIL'}: {doc_name}:{ex.line} ({ex.kind}, {os.path.basename(path)})")
        if not ok:
            failed += 1
            for line in detail.rstrip().split("\n"):
                print(f"    {line}")

    if not args.keep:
        for path in paths:
            try:
                os.remove(path)
            except OSError:
                pass
        try:
            os.rmdir(workdir)
        except OSError:
            pass

    print(f"{len(examples) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
