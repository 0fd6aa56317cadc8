import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.gort.Go;
import org.gort.WaitGroup;

/**
 * Spawn+join of N tasks (default 100,000): as gort pinned goroutines
 * (Go.spawn, joined with a WaitGroup) and as ExecutorService tasks (a fixed
 * pool of one thread per CPU, joined with a CountDownLatch), the same work
 * in each (an atomic add), in the same run. Rounds alternate; the median
 * of each is reported, and the ratio gort / ExecutorService (issue 13's
 * target: at most 1.5).
 *
 * Usage: java ... Bench [N] [ROUNDS]
 */
public final class Bench {
    static final AtomicLong work = new AtomicLong();

    static long gort(int n) {
        long t0 = System.nanoTime();
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(n);
            for (int i = 0; i < n; i++) {
                Go.spawn(() -> {
                    work.incrementAndGet();
                    wg.done();
                });
            }
            wg.await();
        }
        return System.nanoTime() - t0;
    }

    static long executor(ExecutorService ex, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            ex.execute(() -> {
                work.incrementAndGet();
                done.countDown();
            });
        }
        done.await();
        return System.nanoTime() - t0;
    }

    static double median(long[] xs) {
        long[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        ExecutorService ex = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        gort(n / 10);          // warm up: JIT, the pinned pool's threads
        executor(ex, n / 10);
        long[] g = new long[rounds], e = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            g[r] = gort(n);
            e[r] = executor(ex, n);
        }
        ex.shutdown();
        double gm = median(g) / n / 1e3, em = median(e) / n / 1e3;
        System.out.printf("java: %d tasks spawn+join, median of %d rounds: gort pinned goroutines %.3f us/task, "
                + "ExecutorService %.3f us/task%n", n, rounds, gm, em);
        System.out.printf("java: ratio gort/ExecutorService %.2f (target <= 1.5)%n", gm / em);
    }
}
