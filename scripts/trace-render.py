#!/usr/bin/env python3
"""trace-render.py - draw an execution trace (GORTTRACE / go_trace_start)
as a timeline picture, for a look without a browser.

  scripts/trace-render.py TRACE.json OUT.svg|OUT.png [--from MS] [--to MS]

One row per P (and one for threads without a P): a bar for every stretch a
goroutine ran there, coloured by goroutine; thin lines for the arrows (a go
statement or a wake-up to the goroutine's next run; at most 2,000 drawn);
below, the goroutine and thread counters. --from/--to cut a window, in
milliseconds from the trace's start. Needs matplotlib (Debian:
python3-matplotlib); exits 77 without it."""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description="draw a gort execution trace")
    ap.add_argument("trace")
    ap.add_argument("out")
    ap.add_argument("--from", dest="t0", type=float, default=None, help="window start, ms")
    ap.add_argument("--to", dest="t1", type=float, default=None, help="window end, ms")
    a = ap.parse_args()
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("trace-render.py: matplotlib is not installed (apt-get install python3-matplotlib)",
              file=sys.stderr)
        return 77
    with open(a.trace) as f:
        evs = json.load(f)["traceEvents"]
    lo = a.t0 * 1000 if a.t0 is not None else float("-inf")
    hi = a.t1 * 1000 if a.t1 is not None else float("inf")
    names = {e["tid"]: e["args"]["name"] for e in evs if e.get("ph") == "M" and e.get("name") == "thread_name"}
    rows = sorted(names, key=lambda t: (t >= 10000, t))
    row_of = {t: i for i, t in enumerate(rows)}
    bars = {t: ([], []) for t in rows}
    for e in evs:
        if e.get("ph") == "X" and e["tid"] in bars and e["ts"] + e["dur"] >= lo and e["ts"] <= hi:
            bars[e["tid"]][0].append((e["ts"] / 1000, max(e["dur"] / 1000, 1e-4)))
            gid = e.get("args", {}).get("goid", 0)
            bars[e["tid"]][1].append(plt.cm.tab20((gid * 7) % 20))
    starts = {e["id"]: e for e in evs if e.get("ph") == "s"}
    arrows = []
    for e in evs:
        if e.get("ph") == "f" and e["id"] in starts and len(arrows) < 2000:
            s = starts[e["id"]]
            if lo <= s["ts"] <= hi and s["tid"] in row_of and e["tid"] in row_of:
                arrows.append(((s["ts"] / 1000, row_of[s["tid"]]), (e["ts"] / 1000, row_of[e["tid"]])))
    counters = {}
    for e in evs:
        if e.get("ph") == "C" and lo <= e["ts"] <= hi:
            for k, v in e["args"].items():
                counters.setdefault(k, ([], []))
                counters[k][0].append(e["ts"] / 1000)
                counters[k][1].append(v)
    fig, (ax, axc) = plt.subplots(2, 1, figsize=(14, 2 + 0.6 * len(rows)), sharex=True,
                                  gridspec_kw={"height_ratios": [max(len(rows), 1), 2]})
    for t in rows:
        spans, colours = bars[t]
        if spans:
            ax.broken_barh(spans, (row_of[t] - 0.4, 0.8), facecolors=colours, linewidth=0)
    for (x0, y0), (x1, y1) in arrows:
        ax.plot([x0, x1], [y0, y1], color="0.3", linewidth=0.4, alpha=0.5)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([names[t] for t in rows])
    ax.invert_yaxis()
    ax.set_title("gort execution trace: goroutines on processors")
    for k, (xs, ys) in sorted(counters.items()):
        axc.step(xs, ys, where="post", label=k)
    if counters:
        axc.legend(loc="upper right")
    axc.set_xlabel("ms since the trace started")
    if a.t0 is not None or a.t1 is not None:
        ax.set_xlim(a.t0 if a.t0 is not None else None, a.t1 if a.t1 is not None else None)
    fig.tight_layout()
    fig.savefig(a.out)
    nslices = sum(len(b[0]) for b in bars.values())
    print("%s: %d slices on %d tracks, %d arrows" % (a.out, nslices, len(rows), len(arrows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
