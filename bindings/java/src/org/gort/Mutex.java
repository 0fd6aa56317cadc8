package org.gort;

import java.lang.ref.Cleaner;
import org.gort.swig.SWIGTYPE_p_go_mutex;
import org.gort.swig.gort;

/**
 * sync.Mutex, with Go's algorithm (starvation mode after 1 ms). Not tied to
 * a thread or goroutine: one may lock it and another unlock it, as in Go.
 *
 * <pre>{@code
 * try (Mutex.Held held = mu.locked()) {
 *     balance += amount;
 * }
 * }</pre>
 *
 * <p>Unlocking an unlocked mutex, Go's fatal error, throws
 * IllegalMonitorStateException here (the process goes on). {@link #close()}
 * frees the native mutex (a locked one is unlocked first); a Mutex no
 * longer reachable is freed by a Cleaner.
 */
public final class Mutex implements AutoCloseable {
    private static final class Ref extends NativeRef {
        final SWIGTYPE_p_go_mutex mu;

        Ref(SWIGTYPE_p_go_mutex mu) {
            super("Mutex");
            this.mu = mu;
        }

        @Override
        void free() {
            // gort's mutex_free wants it unlocked: nobody is in flight now, so
            // a held lock can never be released by its holder anyway.
            gort.mutex_unlock_err(mu);
            gort.mutex_free(mu);
        }
    }

    /** A held lock; close() unlocks it (try-with-resources). */
    public final class Held implements AutoCloseable {
        private boolean released;

        private Held() {}

        @Override
        public void close() {
            if (released) return;
            released = true;
            unlock();
        }
    }

    private final Ref ref;
    private final Cleaner.Cleanable cleanable;

    public Mutex() {
        SWIGTYPE_p_go_mutex mu = gort.mutex_new();
        if (mu == null) throw new OutOfMemoryError("mutex_new");
        ref = new Ref(mu);
        cleanable = NativeRef.CLEANER.register(this, ref);
    }

    /** Blocks until the mutex is ours. */
    public void lock() {
        ref.enter();
        try {
            Errors.check(gort.mutex_lock(ref.mu), "Mutex.lock");
        } finally {
            ref.leave();
        }
    }

    /** Locks it and returns a handle whose close() unlocks it. */
    public Held locked() {
        lock();
        return new Held();
    }

    /** Go's TryLock: true when this call locked it. Never blocks. */
    public boolean tryLock() {
        ref.enter();
        try {
            return Errors.check(gort.mutex_trylock(ref.mu), "Mutex.tryLock") == 1;
        } finally {
            ref.leave();
        }
    }

    /**
     * Unlocks it.
     *
     * @throws IllegalMonitorStateException it is not locked
     */
    public void unlock() {
        ref.enter();
        try {
            int rc = gort.mutex_unlock_err(ref.mu);
            if (rc == Errors.EPERM) throw new IllegalMonitorStateException("sync: unlock of unlocked mutex");
            Errors.check(rc, "Mutex.unlock");
        } finally {
            ref.leave();
        }
    }

    /** Frees the native mutex; idempotent. */
    @Override
    public void close() {
        cleanable.clean();
    }
}
