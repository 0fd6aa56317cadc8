package org.gort;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gort.swig.GoRunnable;
import org.gort.swig.gort;

/**
 * The one SWIG director object of the process: every Java goroutine is a
 * pinned goroutine whose body calls {@link #run(long)} with the key of its
 * Runnable in {@link #bodies}. One director for all (rather than a director
 * object per goroutine) keeps a spawn to a map insert and one JNI call: no
 * C++ object, global reference or method lookup per goroutine.
 */
final class Dispatcher extends GoRunnable {
    static final Dispatcher INSTANCE = new Dispatcher();

    private final ConcurrentHashMap<Long, Runnable> bodies = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong();

    private Dispatcher() {}

    long spawn(Runnable body) {
        if (body == null) throw new NullPointerException("goroutine body is null");
        long key = keys.incrementAndGet();
        bodies.put(key, body);
        long id = gort.gort_spawn(this, key);
        if (id < 0) {
            bodies.remove(key);
            throw Errors.of((int) id, "Go.spawn");
        }
        return id;
    }

    /** Runs on a pinned-pool thread (attached to the JVM by the pool hook). */
    @Override
    public void run(long key) {
        Runnable body = bodies.remove(key);
        Frames.runGoroutine(body);
    }
}
