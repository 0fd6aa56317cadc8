package org.gort;

import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import org.gort.swig.SWIGTYPE_p_go_chan;
import org.gort.swig.gort;

/**
 * A Go channel of 64-bit integers ({@code chan int64}) whose values are the
 * bytes C code sends and receives: the channel to share with goroutines
 * written in C ({@link #adopt(long)}), and the channel of time.After.
 * Otherwise as {@link Chan}.
 */
public final class LongChan extends ChanBase implements Iterable<Long> {
    /** Go's {@code v, ok := <-ch}. */
    public record Received(long value, boolean ok) {}

    /** An unbuffered channel. */
    public LongChan() {
        this(0);
    }

    /** A channel buffering up to {@code capacity} values. */
    public LongChan(int capacity) {
        super(make(capacity), null);
    }

    private LongChan(SWIGTYPE_p_go_chan ch) {
        super(ch, null);
    }

    /**
     * Takes ownership of a channel made by C code ({@code go_chan_t *}, of
     * element size 8), given as its address: it is freed by close() or the
     * Cleaner, so the C side must not free it.
     *
     * @throws IllegalArgumentException address is not a live channel of 8-byte values
     */
    public static LongChan adopt(long address) {
        SWIGTYPE_p_go_chan ch = gort.gort_chan_from_address(address);
        if (ch == null) throw new IllegalArgumentException("not a live channel of 8-byte values: " + address);
        return new LongChan(ch);
    }

    static LongChan after(long ns) {
        SWIGTYPE_p_go_chan ch = gort.go_after(ns);
        if (ch == null) throw new OutOfMemoryError("go_after");
        return new LongChan(ch);
    }

    /** {@code ch <- value}. */
    public void send(long value) {
        ref.enter();
        int rc;
        try {
            rc = gort.gort_chan_send(ref.ch, value);
        } finally {
            ref.leave();
        }
        if (rc == Errors.ECLOSED) throw sendOnClosed();
        Errors.check(rc, "send");
    }

    /** Non-blocking send: true when sent. */
    public boolean trySend(long value) {
        ref.enter();
        int rc;
        try {
            rc = gort.gort_chan_try_send(ref.ch, value);
        } finally {
            ref.leave();
        }
        if (rc == Errors.ECLOSED) throw sendOnClosed();
        return Errors.check(rc, "trySend") == 1;
    }

    /** {@code <-ch}: 0 when closed and drained. */
    public long recv() {
        return recvOk().value();
    }

    /** {@code v, ok := <-ch}. */
    public Received recvOk() {
        long[] v = new long[1];
        ref.enter();
        int rc;
        try {
            rc = gort.gort_chan_recv(ref.ch, v);
        } finally {
            ref.leave();
        }
        Errors.check(rc, "recv");
        return new Received(v[0], rc == 1);
    }

    /** Non-blocking receive: null when it would block. */
    public Received tryRecv() {
        long[] v = new long[1];
        int[] ok = new int[1];
        ref.enter();
        int rc;
        try {
            rc = gort.gort_chan_try_recv(ref.ch, v, ok);
        } finally {
            ref.leave();
        }
        if (Errors.check(rc, "tryRecv") == 0) return null;
        return new Received(v[0], ok[0] == 1);
    }

    /** {@code for v := range ch}. */
    @Override
    public PrimitiveIterator.OfLong iterator() {
        return new PrimitiveIterator.OfLong() {
            private Received next;

            @Override
            public boolean hasNext() {
                if (next == null) next = recvOk();
                return next.ok();
            }

            @Override
            public long nextLong() {
                if (!hasNext()) throw new NoSuchElementException("channel closed");
                long v = next.value();
                next = null;
                return v;
            }
        };
    }

    @Override
    long put(Object value) {
        return (Long) value;
    }

    @Override
    Object take(long raw, boolean ok) {
        return raw;
    }

    @Override
    void drop(long raw) {}
}
