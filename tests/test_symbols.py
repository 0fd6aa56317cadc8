#!/usr/bin/env python3
"""test_symbols.py - libgort.so exports exactly the public API.

usage: test_symbols.py NM LIBGORT EXPORTED_SYMBOLS_TXT INCLUDE_DIR

Checks, each with its own message:
  1. `nm -D --defined-only LIBGORT` (version nodes left out) equals the list
     in EXPORTED_SYMBOLS_TXT, exactly;
  2. no C++ symbol (_Z...) is exported;
  3. the list equals the functions (and thread-local variables) declared
     GORT_API in INCLUDE_DIR, so the list cannot drift from the headers.
"""
import pathlib
import re
import subprocess
import sys


def exported(nm, lib):
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        if kind == "A":  # a version node (GORT_0.1 and the like), not a symbol
            continue
        syms.add(name.split("@")[0])
    return syms


def listed(path):
    syms = set()
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            syms.add(line)
    return syms


def declared(include_dir):
    syms = set()
    for h in sorted(pathlib.Path(include_dir).rglob("*.h")):
        text = re.sub(r"/\*.*?\*/", " ", h.read_text(), flags=re.S)
        text = re.sub(r"#\s*define[^\n]*", " ", text)
        for m in re.finditer(r"\bGORT_API\b([^;{]*?)\b(\w+)\s*\(", text):
            syms.add(m.group(2))
        # exported thread-locals (go_dstate_tls_, read by gort/defer.h's macros)
        for m in re.finditer(r"\bGORT_API\s+extern\s+__thread\b[^;(]*?\b(\w+)\s*;", text):
            syms.add(m.group(1))
    return syms


def diff(label_a, a, label_b, b):
    lines = []
    for s in sorted(a - b):
        lines.append(f"  in {label_a}, not in {label_b}: {s}")
    for s in sorted(b - a):
        lines.append(f"  in {label_b}, not in {label_a}: {s}")
    return lines


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    nm, lib, txt, inc = sys.argv[1:]
    got = exported(nm, lib)
    want = listed(txt)
    decl = declared(inc)
    ok = True

    cxx = sorted(s for s in got if s.startswith("_Z"))
    if cxx:
        ok = False
        print(f"FAIL: {lib} exports {len(cxx)} C++ symbols:")
        for s in cxx:
            print("  " + s)

    if got != want:
        ok = False
        print(f"FAIL: the dynamic symbols of {lib} differ from {txt}:")
        print("\n".join(diff("the library", got, "the list", want)))

    if decl != want:
        ok = False
        print(f"FAIL: the GORT_API functions of {inc} differ from {txt}:")
        print("\n".join(diff("the headers", decl, "the list", want)))

    if ok:
        print(f"ok: {len(got)} symbols, as listed and declared")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
