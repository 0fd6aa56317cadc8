package org.gort;

import java.lang.ref.Cleaner;
import org.gort.swig.SWIGTYPE_p_go_wg;
import org.gort.swig.gort;

/**
 * sync.WaitGroup: waits for a collection of goroutines to finish.
 *
 * <p>Go's rules: a counter that goes negative throws {@link GoPanic}
 * {@code "sync: negative WaitGroup counter"} (the counter is left as it
 * was); reusing the WaitGroup before a Wait returned is {@code "sync:
 * WaitGroup misuse"}. {@link #close()} frees the native WaitGroup (at once,
 * or when the last call in flight on it returns); a WaitGroup no longer
 * reachable is freed by a Cleaner. Any method after close() throws
 * IllegalStateException. All methods are thread-safe.
 */
public final class WaitGroup implements AutoCloseable {
    private static final class Ref extends NativeRef {
        final SWIGTYPE_p_go_wg wg;

        Ref(SWIGTYPE_p_go_wg wg) {
            super("WaitGroup");
            this.wg = wg;
        }

        @Override
        void free() {
            gort.wg_free(wg);
        }
    }

    private final Ref ref;
    private final Cleaner.Cleanable cleanable;

    public WaitGroup() {
        SWIGTYPE_p_go_wg wg = gort.wg_new();
        if (wg == null) throw new OutOfMemoryError("wg_new");
        ref = new Ref(wg);
        cleanable = NativeRef.CLEANER.register(this, ref);
    }

    /**
     * Adds delta (may be negative) to the counter; at zero, every waiter
     * is released.
     *
     * @throws GoPanic the counter would go negative, or misuse
     * @throws IllegalArgumentException the counter would leave the int32 range
     */
    public void add(int delta) {
        ref.enter();
        try {
            check(gort.wg_add_err(ref.wg, delta), "WaitGroup.add");
        } finally {
            ref.leave();
        }
    }

    /** add(-1). */
    public void done() {
        ref.enter();
        try {
            check(gort.wg_done_err(ref.wg), "WaitGroup.done");
        } finally {
            ref.leave();
        }
    }

    /**
     * Blocks until the counter is zero (Go's Wait; named await because
     * Object.wait is final).
     */
    public void await() {
        ref.enter();
        try {
            int rc = gort.wg_wait_err(ref.wg);
            if (rc == Errors.EBUSY)
                throw new GoPanic("sync: WaitGroup is reused before previous Wait has returned");
            check(rc, "WaitGroup.await");
        } finally {
            ref.leave();
        }
    }

    /**
     * add(1), then spawns {@code body} as a goroutine that calls done()
     * when it ends (also when it throws).
     *
     * @return the goroutine's id
     */
    public long go(Runnable body) {
        if (body == null) throw new NullPointerException("goroutine body is null");
        add(1);
        try {
            return Go.spawn(() -> {
                Go.defer(this::done);
                body.run();
            });
        } catch (RuntimeException | Error e) {
            done();
            throw e;
        }
    }

    /** Frees the native WaitGroup; idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }

    private static void check(int rc, String op) {
        if (rc >= 0) return;
        if (rc == Errors.ERANGE) throw new GoPanic("sync: negative WaitGroup counter");
        if (rc == Errors.EBUSY) throw new GoPanic("sync: WaitGroup misuse");
        if (rc == Errors.EOVERFLOW) throw new IllegalArgumentException("sync: WaitGroup counter overflow");
        throw Errors.of(rc, op);
    }
}
