package org.gort;

import java.lang.ref.Cleaner;
import java.util.Map;
import org.gort.swig.SWIGTYPE_p_go_chan;
import org.gort.swig.gort;

/**
 * What {@link Chan} and {@link LongChan} share: a native gort channel of
 * 8-byte values, its lifetime, Go's close, len and cap. A Chan's values
 * are keys into its registry of objects; a LongChan's are the numbers
 * themselves (so it can share a channel with C code).
 */
public abstract class ChanBase implements AutoCloseable {
    static final class Ref extends NativeRef {
        final SWIGTYPE_p_go_chan ch;
        final Map<Long, Object> objects;   // a Chan's registry; null for a LongChan

        Ref(SWIGTYPE_p_go_chan ch, Map<Long, Object> objects) {
            super("channel");
            this.ch = ch;
            this.objects = objects;
        }

        @Override
        void free() {
            gort.chan_free(ch);
            // The values still buffered are dropped with the channel: so
            // are their objects (nothing is in flight, so no send or
            // receive can be between its native call and the registry).
            if (objects != null) objects.clear();
        }
    }

    final Ref ref;
    private final Cleaner.Cleanable cleanable;

    ChanBase(SWIGTYPE_p_go_chan ch, Map<Long, Object> objects) {
        ref = new Ref(ch, objects);
        cleanable = NativeRef.CLEANER.register(this, ref);
    }

    static SWIGTYPE_p_go_chan make(int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("makechan: size out of range");
        SWIGTYPE_p_go_chan ch = gort.gort_chan_new(capacity);
        if (ch == null) throw new OutOfMemoryError("makechan");
        return ch;
    }

    /**
     * Go's {@code close(ch)}: no more values will be sent; receivers get the
     * buffered values, then the zero value (null, 0) with ok false. Blocked
     * senders throw GoPanic. Not to be confused with {@link #close()}, which
     * frees the channel.
     *
     * @throws GoPanic "close of closed channel" when it is closed already
     *     (a GoPanic is an IllegalStateException)
     */
    public final void closeChannel() {
        ref.enter();
        try {
            int rc = gort.gort_chan_close(ref.ch);
            if (rc == Errors.ECLOSED) throw new GoPanic("close of closed channel", true);
            Errors.check(rc, "closeChannel");
        } finally {
            ref.leave();
        }
    }

    /** len(ch): values buffered now. */
    public final int len() {
        ref.enter();
        try {
            return Errors.check(gort.chan_len(ref.ch), "len");
        } finally {
            ref.leave();
        }
    }

    /** cap(ch): the buffer's capacity (0: unbuffered). */
    public final int cap() {
        ref.enter();
        try {
            return Errors.check(gort.chan_cap(ref.ch), "cap");
        } finally {
            ref.leave();
        }
    }

    /**
     * Frees the native channel, at once or when the last operation in
     * flight on it returns (a receiver blocked on a freed channel waits for
     * ever, as a goroutine blocked on an unreachable channel does in Go).
     * Idempotent; every other method throws IllegalStateException after it.
     */
    @Override
    public final void close() {
        cleanable.clean();
    }

    /** True once {@link #close()} was called. */
    public final boolean isFreed() {
        return ref.isClosed();
    }

    // ---- select support: the 8-byte value of a send, and back.

    /** The raw value to send for {@code value} (a Chan registers the object). */
    abstract long put(Object value);

    /** The object for a raw value received (a Chan takes it out of the registry). */
    abstract Object take(long raw, boolean ok);

    /** Forgets the raw value of a send that did not happen. */
    abstract void drop(long raw);

    static GoPanic sendOnClosed() {
        return new GoPanic("send on closed channel", true);
    }
}
