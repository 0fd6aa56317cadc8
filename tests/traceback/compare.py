#!/usr/bin/env python3
"""compare.py - run tb (C) and its Go twin tb.go in one mode; normalise
both outputs and compare them byte for byte, and check the C output's own
shape (Go's header and frame grammar, file:line from tb.c, no gort frame).

  compare.py --c BIN [--go SRC] --mode M [--env K=V ...] [--rc N]
             [--expect TEXT ...] [--system]

--expect: text the C output (stdout + stderr) must contain. --system: gort's
own frames must show (GORTTRACEBACK=system), instead of never showing.

Normalised: goroutine ids (renumbered in order of appearance: Go's user
goroutines start past its runtime's), function names (Go's "main." prefix
and argument lists; tb.c's gomain is Go's main), file:line +0xOFF (the
languages differ), the faulting pc. Everything else must be equal. Without
`go` (or --go) only the C checks run."""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

HEADER = re.compile(r"^goroutine (\d+) \[([^\]]*)\]:$")
FUNC = re.compile(r"^(?:main\.)?([A-Za-z_]\w*)\(.*\)$")
PLACE = re.compile(r"^\t(\S+):(\d+)( \+0x[0-9a-f]+)?$")
CREATED = re.compile(r"^created by (?:main\.)?(\w+)$")


def normalise(text):
    ids = {}
    out = []
    for line in text.split("\n"):
        m = HEADER.match(line)
        if m:
            gid = ids.setdefault(m.group(1), "G%d" % (len(ids) + 1))
            out.append("goroutine %s [%s]:" % (gid, m.group(2)))
            continue
        m = CREATED.match(line)
        if m:
            name = "main" if m.group(1) == "gomain" else m.group(1)
            out.append("created by " + name)
            continue
        m = FUNC.match(line)
        if m:
            name = "main" if m.group(1) == "gomain" else m.group(1)
            out.append(name + "(...)")
            continue
        if PLACE.match(line):
            out.append("\tFILE:LINE")
            continue
        out.append(re.sub(r"pc=0x[0-9a-f]+", "pc=PC", line))
    return "\n".join(out)


def check_c_shape(err, src_name, system):
    """The C trace's own grammar: every header is Go's, every function line
    is followed by a place (in tb.c, unless system), nothing of gort's
    shows (unless system, where some must)."""
    problems = []
    if system:
        if "gort::" not in err:
            problems.append("GORTTRACEBACK=system shows no gort frame")
        src_name = ""
    lines = err.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("goroutine ") and not HEADER.match(line):
            problems.append("not Go's header: %r" % line)
        if FUNC.match(line) and not line.startswith(("panic", "fatal")):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            m = PLACE.match(nxt)
            if not m:
                problems.append("no file:line after %r: %r" % (line, nxt))
            elif not m.group(1).endswith(src_name):
                problems.append("a frame outside %s: %r %r" % (src_name, line, nxt))
        if not system and ("gort::" in line or "/core/" in line or "/capi/" in line):
            problems.append("a gort frame shows: %r" % line)
    return problems


def no_core():
    # GORTTRACEBACK=crash aborts: no core file in the build tree.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, env, timeout):
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, preexec_fn=no_core)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--c", required=True)
    ap.add_argument("--go")
    ap.add_argument("--mode", required=True)
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--rc", type=int, default=2)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--system", action="store_true")
    a = ap.parse_args()
    extra = dict(kv.split("=", 1) for kv in a.env)
    cenv = dict(os.environ, **{k.replace("GOTRACEBACK", "GORTTRACEBACK"): v for k, v in extra.items()})
    rc, out, err = run([a.c, a.mode], cenv, 60)
    failed = False
    if rc != a.rc:
        print("C: exit status %d, expected %d" % (rc, a.rc))
        failed = True
    shape = check_c_shape(out + "\n" + err, "tb.c", a.system)
    shape += ["lacks %r" % t.encode().decode("unicode_escape") for t in a.expect
              if t.encode().decode("unicode_escape") not in out + err]
    for p in shape:
        print("C: " + p)
    failed |= bool(shape)
    go = shutil.which("go")
    if a.go and go:
        with tempfile.TemporaryDirectory() as tmp:
            genv = dict(os.environ, GOFLAGS="", GO111MODULE="off", GOTOOLCHAIN="local",
                        GOPROXY="off", **extra)
            genv.setdefault("GOCACHE", os.path.join(tmp, "cache"))
            genv.setdefault("HOME", tmp)
            binary = os.path.join(tmp, "tb")
            b = subprocess.run([go, "build", "-o", binary, a.go], env=genv, capture_output=True,
                               timeout=170)
            if b.returncode != 0:
                print("go build failed:\n" + b.stderr.decode())
                return 1
            grc, gout, gerr = run([binary, a.mode], genv, 60)
        for what, c, g in (("exit status", str(rc), str(grc)),
                           ("stdout", normalise(out), normalise(gout)),
                           ("stderr", normalise(err), normalise(gerr))):
            if c != g:
                failed = True
                print("%s differs from Go's (normalised):\n--- gort\n%s\n--- go\n%s" % (what, c, g))
    elif a.go:
        print("go not found: compared with the C checks only")
    if failed:
        print("--- gort stdout\n%s--- gort stderr\n%s" % (out, err))
        return 1
    print("ok: %s%s" % (a.mode, " (same as Go's)" if a.go and go else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
