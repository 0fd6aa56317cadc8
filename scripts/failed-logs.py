#!/usr/bin/env python3
"""Print the end of each failed test's output from a meson testlog.txt.

scripts/test.sh keeps only the one-line results of a meson run; when a test
fails, CI's log must still say why. Usage: failed-logs.py BUILDDIR [LINES]
(LINES of stdout+stderr per failed test, 40 by default)."""
import glob
import os
import re
import sys

OK = re.compile(r"^result:\s+(exit status 0|skipped|expected fail)", re.I)
START = re.compile(r"^=+ \d+/\d+ =+$")


def main():
    if len(sys.argv) < 2:
        print("usage: failed-logs.py BUILDDIR [LINES]", file=sys.stderr)
        return 2
    # testlog.txt, or testlog-SETUP.txt under `meson test --setup SETUP`:
    # the newest one is the run that just ended
    logs = glob.glob(os.path.join(sys.argv[1], "meson-logs", "testlog*.txt"))
    path = max(logs, key=os.path.getmtime) if logs else os.path.join(sys.argv[1], "meson-logs", "testlog.txt")
    keep = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    try:
        text = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError as e:
        print(f"failed-logs.py: {path}: {e.strerror}", file=sys.stderr)
        return 1
    sections, cur = [], None
    for line in text:
        if START.match(line):
            cur = []
            sections.append(cur)
        elif cur is not None:
            cur.append(line)
    for sec in sections:
        name = next((l.split(":", 1)[1].strip() for l in sec if l.startswith("test:")), "?")
        result = next((l for l in sec if l.startswith("result:")), "")
        if not result or OK.match(result):
            continue
        body = [l for l in sec if not l.startswith(("test:", "start time:", "duration:", "result:", "command:"))]
        # cmocka's progress: keep only a RUN line with no OK after it
        run_ok = [re.match(r"^\[ +(RUN|OK) +\]", l) for l in body]
        body = [l for i, l in enumerate(body)
                if not run_ok[i] or (run_ok[i].group(1) == "RUN" and
                                     not (i + 1 < len(body) and run_ok[i + 1] and run_ok[i + 1].group(1) == "OK"))]
        while body and not body[-1].strip("=").strip():
            body.pop()
        print(f"--- {name}: {result.split(':', 1)[1].strip()}; its last {min(keep, len(body))} lines:")
        for l in body[-keep:]:
            print(l[:400])
    return 0


if __name__ == "__main__":
    sys.exit(main())
