#!/usr/bin/env python3
"""compare_output.py - run a program, compare its stdout with a file exactly.

usage: compare_output.py [--skip-if-missing PROG] [--timeout S] EXPECTED -- CMD [ARG...]

Passes (exit 0) when CMD exits 0 and its stdout equals EXPECTED byte for
byte. With --skip-if-missing, exits 77 (meson's "skipped") when PROG is not
on PATH. CMD's stderr is passed through.
"""
import argparse
import difflib
import shutil
import subprocess
import sys


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-if-missing")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("expected")
    opts = ap.parse_args(argv[:cut])
    cmd = argv[cut + 1:]
    if not cmd:
        print(__doc__, file=sys.stderr)
        return 2

    if opts.skip_if_missing and shutil.which(opts.skip_if_missing) is None:
        print(f"skipped: {opts.skip_if_missing} not found")
        return 77

    with open(opts.expected, "rb") as f:
        expected = f.read()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, timeout=opts.timeout)
    except subprocess.TimeoutExpired:
        print(f"FAIL: {' '.join(cmd)} ran past {opts.timeout} s")
        return 1
    ok = True
    if proc.returncode != 0:
        print(f"FAIL: {' '.join(cmd)} exited with {proc.returncode}")
        ok = False
    if proc.stdout != expected:
        print(f"FAIL: the stdout of {' '.join(cmd)} differs from {opts.expected}:")
        diff = difflib.unified_diff(
            expected.decode(errors="replace").splitlines(keepends=True),
            proc.stdout.decode(errors="replace").splitlines(keepends=True),
            fromfile=opts.expected, tofile="stdout")
        sys.stdout.writelines(diff)
        if not proc.stdout.endswith(b"\n"):
            print("\n(stdout does not end with a newline)")
        ok = False
    if ok:
        print(f"ok: {len(proc.stdout)} bytes, as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
