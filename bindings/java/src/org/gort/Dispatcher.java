package org.gort;

import org.gort.swig.gort;

/**
 * The spawn path of every Java goroutine: a pinned goroutine whose body
 * calls {@link #run(Runnable)} on a pool thread. The body itself crosses
 * into C as a JNI global reference (native/gort_java.cpp): one JNI call per
 * spawn, one upcall per body, and no registry of bodies (no key, no map
 * insert or remove per goroutine). The native side deletes the reference
 * exactly once: when the spawn fails, or when the upcall returned.
 */
final class Dispatcher {
    private Dispatcher() {}

    static {
        // The native methods live in libgortjni, which SWIG's JNI class
        // loads in its static initializer: make sure it ran.
        gort.go_version_number();
        if (!init0()) throw new IllegalStateException("gort: Dispatcher.init0 failed");
    }

    static long spawn(Runnable body) {
        if (body == null) throw new NullPointerException("goroutine body is null");
        long id = spawn0(body);
        if (id < 0) throw Errors.of((int) id, "Go.spawn");
        return id;
    }

    /** Caches this class and run(Runnable) for the pool threads' upcall. */
    private static native boolean init0();

    /** gort_spawn of a body that calls run(body): the id, or gort's error code. */
    private static native long spawn0(Runnable body);

    /**
     * Runs on a pinned-pool thread (attached to the JVM by the pool hook).
     * A Throwable leaving it (Frames.UnrecoveredPanic) becomes the gort
     * panic: the native caller hands its toString() to the glue.
     */
    // Called from native code (gort_java.cpp).
    private static void run(Runnable body) {
        Frames.runGoroutine(body);
    }
}
