#!/usr/bin/env python3
"""godiff.py - tests/defer/diff/run_diff.py (same modes, same options, same
JSON files), with a normalization of stderr that keeps the goroutine list.

run_diff.py keeps stderr up to the first "goroutine " line and drops the
rest: right for the panics it compares, but the channel and sync cases must
also match Go's wait reasons ("goroutine 1 [chan receive]:") and, for a
deadlock, the list of blocked goroutines. Here stderr is normalized as:
  - every line before the first goroutine header, as run_diff.py does it;
  - then the goroutine headers alone, one a line, in the order printed
    (Go: the order the goroutines were started), the traces between them
    dropped: "goroutine 1 [REASON]:" for the main goroutine, whose id is 1
    in both languages, "goroutine N [REASON]:" for the others, whose ids
    differ (Go's runtime starts goroutines of its own). Go's suffixes that
    depend on timing (", 2 minutes", ", locked to thread") are dropped.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "defer", "diff"))
import run_diff  # noqa: E402

HEADER = re.compile(r"^goroutine (\d+) \[([^\]]*)\]:$")
SUFFIX = re.compile(r"(, \d+ minutes|, locked to thread)+$")


def normalize_stderr(text):
    """(normalized text, whether it reached a goroutine line)"""
    head, reached = run_diff.normalize_stderr_prefix(text)
    if not reached:
        return head, False
    out = [head[:-len("goroutine ")]]
    for line in text.splitlines()[head.count("\n"):]:
        m = HEADER.match(line)
        if m:
            gid = "1" if m.group(1) == "1" else "N"
            out.append(f"goroutine {gid} [{SUFFIX.sub('', m.group(2))}]:\n")
    return "".join(out), True


run_diff.normalize_stderr_prefix = run_diff.normalize_stderr
run_diff.normalize_stderr = normalize_stderr

if __name__ == "__main__":
    sys.exit(run_diff.main())
