package org.gort.examples;

import java.util.concurrent.atomic.AtomicLong;
import org.gort.Go;
import org.gort.WaitGroup;

/**
 * The seed, in Java: a WaitGroup over many goroutines, deferred calls in
 * reverse order, a panic recovered in a deferred call, and a panic in one
 * goroutine that does not reach another. The goroutines write results; the
 * main thread prints them after the WaitGroups, so the output is the same
 * whatever order the goroutines ran in. C twins: examples/hello.c,
 * examples/defer/defer_order.c, examples/defer/goroutine_panic.c.
 */
public final class Seed {
    public static void main(String[] args) {
        // A WaitGroup over many goroutines.
        final int n = 1000;
        AtomicLong sum = new AtomicLong();
        try (WaitGroup wg = new WaitGroup()) {
            for (int i = 0; i < n; i++) {
                long k = i;
                wg.add(1);
                Go.spawn(() -> {
                    Go.defer(wg::done);
                    sum.addAndGet(k * k);
                });
            }
            wg.await();
        }
        System.out.println("hello: " + n + " goroutines, sum of their squares " + sum.get());

        // Deferred calls run in reverse order when the body ends.
        StringBuilder out = new StringBuilder();
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(1);
            Go.spawn(() -> {
                Go.defer(wg::done);                    // runs last
                out.append("counting: ");
                for (int i = 0; i < 10; i++) {
                    int k = i;                         // Go evaluates a defer's arguments now
                    Go.defer(() -> out.append(k));
                }
                out.append("done; deferred: ");
            });
            wg.await();
        }
        System.out.println(out);

        // A panic recovered in a deferred call; it never reaches worker 0.
        String[] results = new String[2];
        try (WaitGroup wg = new WaitGroup(); WaitGroup recovered = new WaitGroup()) {
            wg.add(2);
            recovered.add(1);
            Go.spawn(() -> {
                Go.defer(wg::done);
                recovered.await();
                results[0] = "worker 0 finished normally";
            });
            Go.spawn(() -> {
                Go.defer(wg::done);
                Go.defer(recovered::done);
                Go.defer(() -> {
                    Object r = Go.recover();
                    if (r != null) results[1] = "worker 1 recovered: " + r;
                });
                throw Go.panic("worker 1 failed");
            });
            wg.await();
        }
        for (String r : results) System.out.println(r);
        System.out.println("main: all workers done");
    }
}
