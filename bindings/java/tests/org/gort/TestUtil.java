package org.gort;

import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

final class TestUtil {
    private TestUtil() {}

    /**
     * Runs body as (the rest of) a goroutine's body and waits until it
     * ended: wg.done is deferred first, so it runs after body's deferred
     * calls, which are the goroutine's own.
     */
    static void runGoroutine(Runnable body) {
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(1);
            Go.spawn(() -> {
                Go.defer(wg::done);
                body.run();
            });
            wg.await();
        }
    }

    /**
     * Waits until at most {@code n} goroutines exist: a body that called
     * done() may still be returning to the pool. Yields; a bounded wait.
     */
    static void awaitGoroutines(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Go.numGoroutine() > n && System.nanoTime() < deadline) Thread.yield();
        assertEquals("goroutines left behind", n, Go.numGoroutine());
    }

    /** The result of a child JVM. */
    record Child(int status, String stdout, String stderr) {}

    /** Runs DeathMain's scenario in a child JVM (its panics end the process). */
    static Child runChild(String scenario) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        String lib = System.getProperty("gort.jni.library");
        if (lib != null) cmd.add("-Dgort.jni.library=" + lib);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.gort.DeathMain");
        cmd.add(scenario);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Thread t1 = pump(p.getInputStream(), out), t2 = pump(p.getErrorStream(), err);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child " + scenario + " did not end");
        }
        t1.join();
        t2.join();
        return new Child(p.exitValue(), out.toString(), err.toString());
    }

    private static Thread pump(InputStream in, ByteArrayOutputStream to) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(to);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        return t;
    }
}
