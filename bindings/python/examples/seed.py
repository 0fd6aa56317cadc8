"""seed.py - the seed, in Python: a WaitGroup over many goroutines,
deferred calls in reverse order, a panic recovered in a deferred call, and
a panic in one goroutine that does not reach another.

The twin of the Java and C# bindings' Seed (same output: their
examples/expected/seed.txt; C twins: examples/hello.c,
examples/defer/defer_order.c, examples/defer/goroutine_panic.c). The
goroutines write results; the main thread prints them after the
WaitGroups, so the output is the same whatever order the goroutines ran in.
"""

import gort


def main():
    # A WaitGroup over many goroutines.
    n = 1000
    squares = [0] * n
    wg = gort.WaitGroup()

    def square(k):
        gort.defer(wg.done)
        squares[k] = k * k

    for i in range(n):
        wg.add(1)
        gort.go(square, i)  # i is evaluated now, as Go's go statement does
    wg.wait()
    print("hello: %d goroutines, sum of their squares %d" % (n, sum(squares)))

    # Deferred calls run in reverse order when the body ends.
    out = []
    wg = gort.WaitGroup()

    def count():
        gort.defer(wg.done)  # runs last
        out.append("counting: ")
        for i in range(10):
            gort.defer(out.append, str(i))  # a defer's arguments are evaluated now
        out.append("done; deferred: ")

    wg.add(1)
    gort.go(count)
    wg.wait()
    print("".join(out))

    # A panic recovered in a deferred call; it never reaches worker 0.
    results = [None, None]
    wg = gort.WaitGroup()
    recovered = gort.WaitGroup()

    def worker0():
        gort.defer(wg.done)
        recovered.wait()
        results[0] = "worker 0 finished normally"

    def worker1():
        gort.defer(wg.done)
        gort.defer(recovered.done)

        def catch():
            r = gort.recover()
            if r is not None:
                results[1] = "worker 1 recovered: %s" % r

        gort.defer(catch)
        gort.panic("worker 1 failed")

    wg.add(2)
    recovered.add(1)
    gort.go(worker0)
    gort.go(worker1)
    wg.wait()
    for r in results:
        print(r)
    print("main: all workers done")


if __name__ == "__main__":
    main()
