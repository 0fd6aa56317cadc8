package org.gort;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lifetime of one native gort handle.
 *
 * <p>gort frees a handle at once and a freed handle is undefined (a fatal
 * error when a waiter is still blocked on it), so the safe layer must make
 * use after free impossible. Every operation brackets its native call with
 * {@link #enter()}/{@link #leave()}: the state word counts the calls in
 * flight and has a CLOSED bit. {@link #run()} (close(), or the Cleaner when
 * the owner became unreachable) sets CLOSED; the handle is freed by whoever
 * brings the state to "CLOSED, none in flight": close() itself when nothing
 * is in flight, else the last call to leave. After CLOSED, enter() throws
 * IllegalStateException. So a WaitGroup closed while a goroutine is still
 * inside done() is freed when done() returns, never under it.
 *
 * <p>This object must not refer to its owner (the Cleaner would never see
 * the owner unreachable).
 */
abstract class NativeRef implements Runnable {
    static final Cleaner CLEANER = Cleaner.create();

    private static final long CLOSED = 1L << 62;
    private final AtomicLong state = new AtomicLong();
    private final String what;

    NativeRef(String what) {
        this.what = what;
    }

    /** Frees the native handle; called exactly once. */
    abstract void free();

    /** Starts an operation; IllegalStateException once closed. */
    final void enter() {
        for (;;) {
            long s = state.get();
            if ((s & CLOSED) != 0) throw new IllegalStateException(what + " is closed");
            if (state.compareAndSet(s, s + 1)) return;
        }
    }

    /** Ends an operation started by {@link #enter()}. */
    final void leave() {
        if (state.decrementAndGet() == CLOSED) free();
    }

    /** Operations in flight now (tests). */
    final long inFlight() {
        return state.get() & ~CLOSED;
    }

    final boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Closes: frees now, or when the last operation in flight leaves. */
    @Override
    public final void run() {
        long s = state.getAndUpdate(x -> x | CLOSED);
        if (s == 0) free();
    }
}
