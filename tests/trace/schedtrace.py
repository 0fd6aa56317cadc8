#!/usr/bin/env python3
"""schedtrace.py - GORTDEBUG=schedtrace=MS[,scheddetail=1] prints Go's lines.

  schedtrace.py PROGRAM [--go SRC]

Runs PROGRAM (schedtrace_prog.c) with GORTDEBUG=schedtrace=20 and with
schedtrace=20,scheddetail=1, and checks that every SCHED, P, M and G line
has the grammar of Go 1.19's (runtime/proc.go schedtrace), that there are
at least two reports, that a report has one P line per GOMAXPROCS and that
the three parked goroutines show as waiting on a channel (status=4). With
--go and a go command, the twin's lines run through the same grammar, so
the grammar is Go's own and not a guess."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HEAD = r"SCHED \d+ms: gomaxprocs=(\d+) idleprocs=\d+ threads=\d+ spinningthreads=\d+ idlethreads=\d+ runqueue=\d+"
LINES = [
    re.compile("^" + HEAD + r" \[\d+( \d+)*\]$"),
    re.compile("^" + HEAD + r" gcwaiting=\d+ nmidlelocked=-?\d+ stopwait=\d+ sysmonwait=\d+$"),
    re.compile(r"^  P\d+: status=\d+ schedtick=\d+ syscalltick=\d+ m=-?\d+ runqsize=\d+ gfreecnt=\d+ timerslen=\d+$"),
    re.compile(r"^  M\d+: p=-?\d+ curg=-?\d+ mallocing=\d+ throwing=\d+ preemptoff=\S* locks=\d+ dying=\d+"
               r" spinning=(true|false) blocked=(true|false) lockedg=-?\d+$"),
    re.compile(r"^  G\d+: status=\d+\(.*\) m=-?\d+ lockedm=-?\d+$"),  # Go's reasons hold parentheses
]


def check(text, who, detail):
    problems = []
    sched = [l for l in text.splitlines() if l.startswith("SCHED ")]
    for line in text.splitlines():
        if line.startswith(("SCHED ", "  P", "  M", "  G")) and not any(r.match(line) for r in LINES):
            problems.append("%s: not Go's schedtrace grammar: %r" % (who, line))
    if len(sched) < 2:
        problems.append("%s: %d SCHED lines, expected at least 2" % (who, len(sched)))
    return problems, sched


def run(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, timeout=120)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def main():
    args = sys.argv[1:]
    go_src = None
    if "--go" in args:
        i = args.index("--go")
        go_src = args[i + 1]
        del args[i:i + 2]
    prog = args[0]
    problems = []
    for detail in (False, True):
        setting = "schedtrace=20" + (",scheddetail=1" if detail else "")
        rc, err = run([prog], dict(os.environ, GORTDEBUG=setting, GOMAXPROCS="2"))
        if rc != 0:
            problems.append("gort (%s): exit status %d" % (setting, rc))
        p, sched = check(err, "gort " + setting, detail)
        problems += p
        if detail:
            # One P line per GOMAXPROCS after each head; the parked ones wait.
            reports = err.split("\nSCHED ")
            if not any(r.count("\n  P") == 2 for r in reports):
                problems.append("gort: no report with 2 P lines at GOMAXPROCS=2:\n" + err[:2000])
            if len(re.findall(r"^  G\d+: status=4\(chan receive\)", err, re.M)) < 3:
                problems.append("gort: the parked goroutines do not show status=4(chan receive):\n" + err[:3000])
        elif not all(re.search(r" \[\d+ \d+\]$", s) for s in sched):
            problems.append("gort: a SCHED line without Go's two per-P queue lengths: %r" % sched)
    go = shutil.which("go")
    if go_src and go:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, GOFLAGS="", GO111MODULE="off", GOTOOLCHAIN="local", GOPROXY="off")
            env.setdefault("GOCACHE", os.path.join(tmp, "cache"))
            env.setdefault("HOME", tmp)
            binary = os.path.join(tmp, "prog")
            b = subprocess.run([go, "build", "-o", binary, go_src], env=env, capture_output=True, timeout=170)
            if b.returncode != 0:
                print("go build failed:\n" + b.stderr.decode())
                return 1
            for detail in (False, True):
                setting = "schedtrace=20" + (",scheddetail=1" if detail else "")
                rc, err = run([binary], dict(env, GODEBUG=setting, GOMAXPROCS="2"))
                p, _ = check(err, "go " + setting, detail)
                problems += p
    for p in problems:
        print(p)
    if problems:
        return 1
    print("ok: gort's schedtrace lines have Go's grammar" + (" (checked on Go's own)" if go_src and go else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
