package org.gort;

import java.time.Duration;
import org.gort.swig.gort;

/**
 * Go's goroutine model for Java, on gort.
 *
 * <pre>{@code
 * try (WaitGroup wg = new WaitGroup()) {
 *     for (int i = 0; i < 10; i++) {
 *         int n = i;
 *         wg.add(1);
 *         Go.spawn(() -> {
 *             Go.defer(wg::done);
 *             System.out.println("hello from goroutine " + n);
 *         });
 *     }
 *     wg.await();
 * }
 * }</pre>
 *
 * <p>Goroutines spawned from Java are gort's PINNED goroutines: the body
 * runs on a thread of gort's pinned pool, on the thread's own stack (a JVM
 * must never run on a switched goroutine stack), attached to the JVM once
 * per pool thread. They are goroutines in every other respect: an id, a
 * defer stack, channels, WaitGroups and mutexes shared with C goroutines.
 * A blocking call (a channel receive, {@code await}, a lock) blocks the
 * body's thread; every call here may be made from any thread.
 *
 * <p>Panics are Go's: an exception that leaves a goroutine body, after its
 * deferred calls ran and none recovered it, ends the process with Go's
 * output ({@code panic: java.lang.IllegalStateException: boom}, the
 * goroutine trace) and exit status 2. No other goroutine sees it.
 */
public final class Go {
    private Go() {}

    /**
     * Starts a goroutine running {@code body} (Go's {@code go body()}).
     *
     * @return the goroutine's id (>= 1)
     * @throws NullPointerException body is null
     * @throws OutOfMemoryError no thread could be created
     */
    public static long spawn(Runnable body) {
        return Dispatcher.spawn(body);
    }

    /**
     * Defers {@code fn} to the end of the innermost frame: the goroutine
     * body, a {@link #call(Runnable)}, or a deferred call. Deferred calls
     * run last-in first-out, also when the frame ends by an exception.
     *
     * @throws NullPointerException fn is null
     * @throws IllegalStateException the caller is in no frame (not in a
     *     goroutine body nor in Go.call)
     */
    public static void defer(Runnable fn) {
        Frames.defer(fn);
    }

    /**
     * Go's {@code recover()}: inside a deferred call run by a panic, stops
     * the panic and returns its value (a {@link GoPanic}'s value, or the
     * Throwable itself); otherwise returns null.
     */
    public static Object recover() {
        return Frames.recover();
    }

    /**
     * Go's {@code panic(value)}: throws a {@link GoPanic} carrying value.
     * Declared to return an exception so that {@code throw Go.panic(v);}
     * reads as control flow; it never returns.
     */
    public static RuntimeException panic(Object value) {
        throw new GoPanic(value);
    }

    /**
     * Runs {@code body} as one Go function call: its deferred calls run when
     * it ends. Returns true when one of them recovered a panic (the call
     * then returns normally); a panic not recovered propagates.
     *
     * @throws NullPointerException body is null
     */
    public static boolean call(Runnable body) {
        if (body == null) throw new NullPointerException("body is null");
        return Frames.call(body);
    }

    /**
     * Go's {@code select}: waits until one of the cases can proceed, runs it
     * (chosen uniformly at random among the ready ones), then runs its
     * handler. With a {@link Select#otherwise(Runnable)} case, never waits.
     *
     * @return the index of the case that ran
     * @throws GoPanic a send case's channel is closed
     * @throws IllegalStateException a channel of a case is closed (freed)
     */
    public static int select(Select.Case... cases) {
        return Select.run(cases);
    }

    /**
     * runtime.GOMAXPROCS: sets the number of processors running ordinary
     * (C) goroutines when {@code n >= 1}, and returns the previous value;
     * {@code n < 1} only queries. Pinned goroutines hold no processor.
     */
    public static int maxprocs(int n) {
        return gort.go_maxprocs(n);
    }

    /** runtime.NumGoroutine: goroutines that exist now, pinned ones included. */
    public static int numGoroutine() {
        return gort.go_num_goroutine();
    }

    /**
     * Every goroutine's stack, in Go's format (runtime.Stack(buf, true)):
     * the goroutines written in C with their frames; this binding's
     * bodies, which are pinned goroutines running on threads of their
     * own, with their header only (the JVM's own thread dump shows their
     * Java frames).
     */
    public static String dump() {
        return gort.gort_dump_string();
    }

    /** runtime.NumCPU. */
    public static int numCPU() {
        return gort.go_num_cpu();
    }

    /** The calling goroutine's id, 0 when the caller is not a goroutine. */
    public static long id() {
        return gort.go_id();
    }

    /** runtime.Gosched; from a pinned goroutine or other thread, a thread yield. */
    public static void yield() {
        gort.go_yield();
    }

    /** time.Sleep. Blocks the calling thread. */
    public static void sleep(Duration d) {
        gort.go_sleep(d.toNanos());
    }

    /**
     * time.After: a channel that receives the monotonic time (ns) once, after
     * {@code d}. Close it when done (closing first cancels the timer).
     */
    public static LongChan after(Duration d) {
        return LongChan.after(d.toNanos());
    }

    /** The version of the gort library loaded. */
    public static String version() {
        return gort.go_version();
    }
}
