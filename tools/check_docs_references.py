#!/usr/bin/env python3
"""check_docs_references.py — fails when the README or a docs/ page points at something that
is not in the repository.

Usage: check_docs_references.py REPO_ROOT [FILE.md ...]   (default: README.md and docs/*.md)

Contract:
  * Every relative Markdown link target `[text](path)` / `![alt](path)` (anchors stripped; URLs
    and pure `#anchors` skipped) must exist, resolved against the page's folder.
  * Every code span that names a repository path — it starts with one of the top-level folders
    (compiler/, runtime/, stdlib/, test/, tools/, cmake/, examples/, bench/, docs/) or is a
    top-level file such as CMakeLists.txt — must exist relative to the repository root. One
    `{a,b}` group is expanded; spans with wildcards, placeholders (`<stem>`, `…`, `NN`) or
    spaces are not paths and are skipped.
  * References to design documents outside the repository (`DESIGN §…`, `/work/…` paths,
    `briefs/`) are errors: pages must stand on their own.
  * Prints one `file:line: message` per problem and exits 1 if there was any, else 0.
"""
import pathlib
import re
import sys

TOP_DIRS = ("compiler/", "runtime/", "stdlib/", "test/", "tools/", "cmake/", "examples/", "bench/", "docs/")
TOP_FILES = ("CMakeLists.txt", "README.md", ".clang-format")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"`([^`\n]+)`")
OUTSIDE = re.compile(r"DESIGN §|/work/|briefs/")
NOT_A_PATH = re.compile(r"[*?<>…\s$%]|\bNN\b|\.\.\.")


def expand_braces(text):
    m = re.search(r"\{([^{}]*)\}", text)
    if not m:
        return [text]
    return [text[: m.start()] + part + text[m.end():] for part in m.group(1).split(",")]


def check_page(root, page, problems):
    in_fence = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{page.relative_to(root)}:{number}"
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if OUTSIDE.search(line):
            problems.append(f"{where}: refers to a document outside the repository: {line.strip()}")
        if in_fence:
            continue
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue
            path = target.split("#", 1)[0]
            if path and not (page.parent / path).exists():
                problems.append(f"{where}: link target '{target}' does not exist")
        for span in CODE.findall(line):
            span = span.strip().rstrip(".,;:")
            if not (span.startswith(TOP_DIRS) or span in TOP_FILES) or NOT_A_PATH.search(span):
                continue
            for candidate in expand_braces(span):
                candidate = candidate.split(":", 1)[0]  # file:line forms
                if not (root / candidate).exists():
                    problems.append(f"{where}: '{candidate}' is not a file or folder of the repository")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1]).resolve()
    pages = [pathlib.Path(p).resolve() for p in argv[2:]] or [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    problems = []
    for page in pages:
        check_page(root, page, problems)
    for p in problems:
        print(p)
    print(f"{len(pages)} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
