#!/usr/bin/env python3
"""cubin_info.py — registers and SASS instruction count of every kernel in a cubin, without a GPU
or a disassembler (the CUDA toolkit on a build machine may ship neither cuobjdump nor nvdisasm).

  tools/cubin_info.py [--max-registers N --match REGEX] FILE [FILE ...]

FILE is a cubin, or a `.wp.cubin.cpp` that warpc-nvrtc generated (every `kCubin<arch>[]` array
in it is decoded). For each kernel: the registers per thread (the EIATTR_REGCOUNT record of the
`.nv.info` section) and the size of its `.text.<kernel>` section in instructions (16 bytes per
SASS instruction from sm_70 on, control codes included).

--max-registers N --match REGEX: a check — exit status 1 unless at least one kernel's name
matches REGEX (re.search) and every matching kernel uses at most N registers.
Exit status 2 when a file holds no cubin or is not an ELF image.
"""
import ast
import re
import struct
import sys

EIATTR_REGCOUNT = 0x2F
EIFMT_SVAL = 0x04  # records with a 16-bit size and a payload


def cubins_in(path):
    raw = open(path, "rb").read()
    if raw[:4] == b"\x7fELF":
        return [("", raw)]
    text = raw.decode("utf-8", "replace")
    out = []
    for m in re.finditer(r'const char (kCubin\w*)\[\] =\s*((?:"(?:[^"\\]|\\.)*"\s*)+);', text):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
        out.append((m.group(1), b"".join(ast.literal_eval('b"' + p + '"') for p in parts)))
    return out


def kernels(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise ValueError("not a 64-bit ELF image")
    shoff = struct.unpack_from("<Q", elf, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    # (name, type, flags, addr, offset, size, link, info, align, entsize)
    secs = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]

    def cstr(base, off):
        return elf[base + off: elf.index(b"\0", base + off)].decode()

    names = [cstr(secs[shstrndx][4], s[0]) for s in secs]
    by_name = dict(zip(names, secs))
    symtab, strtab = by_name.get(".symtab"), by_name.get(".strtab")
    result = {}
    for name, s in zip(names, secs):
        if name.startswith(".text."):
            result.setdefault(name[6:], {})["instructions"] = s[5] // 16
    info = by_name.get(".nv.info")
    if info and symtab and strtab:
        off, end = info[4], info[4] + info[5]
        while off + 4 <= end:
            fmt, attr = elf[off], elf[off + 1]
            size = struct.unpack_from("<H", elf, off + 2)[0] if fmt == EIFMT_SVAL else 0
            if fmt == EIFMT_SVAL and attr == EIATTR_REGCOUNT and size >= 8:
                sym, regs = struct.unpack_from("<II", elf, off + 4)
                st_name = struct.unpack_from("<I", elf, symtab[4] + symtab[9] * sym)[0]
                result.setdefault(cstr(strtab[4], st_name), {})["registers"] = regs
            off += 4 + size
    return result


def main(argv):
    args = argv[1:]
    limit, pattern = None, None
    while args and args[0].startswith("--"):
        if args[0] == "--max-registers" and len(args) > 1:
            limit = int(args[1])
        elif args[0] == "--match" and len(args) > 1:
            pattern = re.compile(args[1])
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
        args = args[2:]
    if not args or (limit is None) != (pattern is None):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    status = 0
    matched = 0
    for path in args:
        images = cubins_in(path)
        if not images:
            print(f"{path}: no cubin found", file=sys.stderr)
            status = 2
            continue
        for label, elf in images:
            try:
                ks = kernels(elf)
            except ValueError as e:
                print(f"{path} {label}: {e}", file=sys.stderr)
                status = 2
                continue
            print(f"{path}{' ' + label if label else ''}:")
            print(f"  {'kernel':<48} {'registers':>9} {'instructions':>12}")
            for k in sorted(ks):
                v = ks[k]
                print(f"  {k:<48} {v.get('registers', '?'):>9} {v.get('instructions', '?'):>12}")
                if pattern and pattern.search(k):
                    matched += 1
                    if v.get("registers", limit + 1) > limit:
                        print(f"  error: {k} uses {v.get('registers', '?')} registers (limit {limit})")
                        status = status or 1
    if pattern and matched == 0:
        print(f"error: no kernel matches {pattern.pattern}")
        status = status or 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
