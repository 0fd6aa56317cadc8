#!/usr/bin/env python3
"""validate.py - check an execution trace (gort's Chrome trace-event JSON).

  validate.py TRACE.json [--min-slices N]
  validate.py --run PROGRAM [ARGS...] [--min-slices N]   (GORTTRACE=... PROGRAM)
  --render SCRIPT OUT: then draw it with scripts/trace-render.py (exit 77,
  a skip, when matplotlib is missing)

What a viewer needs and what gort promises (core/trace.hpp): valid JSON with
a traceEvents list; every slice ("X") on a named track (a thread_name
record), with a start and a duration >= 0; slices on one track never
overlap; every flow arrow has both ends ("s" and "f" with the same id, the
end not before the start); counters ("C") carry numbers; the goroutine
counter never drops below 0. Exit 0 when all hold, 1 otherwise."""
import json
import os
import subprocess
import sys
import tempfile


def check(path, min_slices):
    problems = []
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return ["not valid JSON: %s" % e], 0
    evs = doc.get("traceEvents")
    if not isinstance(evs, list):
        return ["no traceEvents list"], 0
    named = {e.get("tid") for e in evs if e.get("ph") == "M" and e.get("name") == "thread_name"}
    tracks = {}
    flows = {}
    for e in evs:
        ph = e.get("ph")
        if ph == "X":
            if not isinstance(e.get("ts"), (int, float)) or not isinstance(e.get("dur"), (int, float)):
                problems.append("a slice without ts/dur: %r" % e)
                continue
            if e["dur"] < 0:
                problems.append("a negative duration: %r" % e)
            if e.get("tid") not in named:
                problems.append("a slice on an unnamed track: %r" % e)
            tracks.setdefault(e.get("tid"), []).append(e)
        elif ph in ("s", "f"):
            flows.setdefault(e.get("id"), {}).setdefault(ph, []).append(e)
        elif ph == "C":
            for k, v in (e.get("args") or {}).items():
                if not isinstance(v, (int, float)) or v < 0:
                    problems.append("a counter %s = %r" % (k, v))
    nslices = sum(len(v) for v in tracks.values())
    eps = 1e-3  # the file's resolution: 1 ns in microseconds
    for tid, sl in tracks.items():
        sl.sort(key=lambda e: e["ts"])
        for a, b in zip(sl, sl[1:]):
            if a["ts"] + a["dur"] > b["ts"] + eps:
                problems.append("slices overlap on track %s: %r and %r" % (tid, a, b))
    for fid, ends in flows.items():
        s, f = ends.get("s", []), ends.get("f", [])
        if len(s) != 1 or len(f) != 1:
            problems.append("flow %s has %d starts and %d ends" % (fid, len(s), len(f)))
        elif f[0]["ts"] + eps < s[0]["ts"]:
            problems.append("flow %s ends before it starts" % fid)
    if nslices < min_slices:
        problems.append("%d slices, expected at least %d" % (nslices, min_slices))
    return problems, nslices


def main():
    args = sys.argv[1:]
    min_slices = 0
    render = None
    if "--render" in args:
        i = args.index("--render")
        render = args[i + 1:i + 3]
        del args[i:i + 3]
    if "--min-slices" in args:
        i = args.index("--min-slices")
        min_slices = int(args[i + 1])
        del args[i:i + 2]
    tmp = None
    if args and args[0] == "--run":
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "trace.json")
        env = dict(os.environ, GORTTRACE=path)
        p = subprocess.run(args[1:], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        if p.returncode != 0:
            print("%s exited with %d: %s" % (args[1], p.returncode, p.stderr.decode()[-2000:]))
            return 1
    elif len(args) == 1:
        path = args[0]
    else:
        print(__doc__)
        return 2
    problems, n = check(path, min_slices)
    for p in problems[:20]:
        print(p)
    if problems:
        return 1
    print("ok: %d slices" % n)
    if render:
        # The system's python may have matplotlib where this one has not.
        for py in (sys.executable, "/usr/bin/python3"):
            r = subprocess.run([py, render[0], path, render[1]], capture_output=True, timeout=300)
            if r.returncode != 77:
                break
        print(r.stdout.decode() + r.stderr.decode())
        if r.returncode == 77:
            return 77
        if r.returncode != 0 or not os.path.getsize(render[1]):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
