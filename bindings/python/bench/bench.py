"""Spawn+join of N tasks with a trivial body: as gort goroutines
(gort.go, joined with a WaitGroup) and as concurrent.futures tasks
(ThreadPoolExecutor.submit, joined with result() of each), in the same
process. Rounds alternate between the two; the median of each is reported
per task, with the ratio gort / executor (target: at most 1.5).

Usage: PYTHONPATH=BUILDDIR/bindings-python python3 bench.py [N] [ROUNDS] [WORKERS]
  N        tasks per round (default 20000)
  ROUNDS   rounds of each (default 5)
  WORKERS  the executor's max_workers (default: the number of CPUs)
"""

import concurrent.futures
import os
import statistics
import sys
import time

import gort

counter = [0]


def trivial():
    # The same work in both: an increment under the GIL.
    counter[0] += 1


def run_gort(n):
    wg = gort.WaitGroup()
    t0 = time.perf_counter()
    wg.add(n)
    for _ in range(n):
        gort.go(_gort_body, wg)
    wg.wait()
    return time.perf_counter() - t0


def _gort_body(wg):
    trivial()
    wg.done()


def run_executor(ex, n):
    t0 = time.perf_counter()
    futures = [ex.submit(trivial) for _ in range(n)]
    for f in futures:
        f.result()
    return time.perf_counter() - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else (os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        # Warm up: the pinned pool's threads, the executor's workers.
        run_gort(n // 10)
        run_executor(ex, n // 10)
        g, e = [], []
        for _ in range(rounds):
            g.append(run_gort(n))
            e.append(run_executor(ex, n))
    # Every body ran exactly once (the increments are under the GIL).
    assert counter[0] == 2 * (n // 10 + rounds * n), counter[0]
    gm = statistics.median(g) / n * 1e6
    em = statistics.median(e) / n * 1e6
    print("python %s: %d tasks spawn+join, median of %d alternating rounds: gort goroutines %.2f us/task, "
          "ThreadPoolExecutor(max_workers=%d) %.2f us/task"
          % (sys.version.split()[0], n, rounds, gm, workers, em))
    print("python: ratio gort/executor %.2f (target <= 1.5)" % (gm / em))
    print("python: per round, gort/executor: %s" % " ".join("%.2f" % (a / b) for a, b in zip(g, e)))


if __name__ == "__main__":
    main()
