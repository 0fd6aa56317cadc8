package org.gort;

import org.gort.swig.GoRunnable;
import org.gort.swig.gort;

/**
 * Child programs of DeathTest: each scenario ends the process with a gort
 * panic from a goroutine; the main thread blocks until then.
 */
public final class DeathMain {
    /** A raw SWIG director, without the org.gort layer: the glue alone. */
    static final class RawBody extends GoRunnable {
        @Override
        public void run(long arg) {
            System.out.println("raw body " + arg);
            System.out.flush();
            int zero = (int) (arg - arg);
            System.out.println(1 / zero);
        }
    }

    static final RawBody RAW = new RawBody();

    public static void main(String[] args) {
        WaitGroup forever = new WaitGroup();
        forever.add(1);
        switch (args[0]) {
            case "exception" -> Go.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            case "no-message" -> Go.spawn(() -> {
                throw new UnsupportedOperationException();
            });
            case "go-panic" -> Go.spawn(() -> {
                throw Go.panic("disk on fire");
            });
            case "deferred-run-first" -> Go.spawn(() -> {
                Go.defer(() -> System.out.println("deferred 1"));
                Go.defer(() -> System.out.println("deferred 2"));
                Go.defer(() -> System.out.println("recover() = " + Go.call(() -> Go.recover())));
                throw new IllegalArgumentException("bad argument");
            });
            case "send-on-closed" -> Go.spawn(() -> {
                LongChan ch = new LongChan(1);
                ch.closeChannel();
                ch.send(1);
            });
            case "raw-director" -> gort.gort_spawn(RAW, 42);
            default -> throw new IllegalArgumentException(args[0]);
        }
        forever.await();
    }
}
