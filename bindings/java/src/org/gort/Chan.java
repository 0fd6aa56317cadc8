package org.gort;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gort.swig.gort;

/**
 * A Go channel of Java objects: {@code make(chan T, capacity)}.
 *
 * <pre>{@code
 * try (Chan<String> ch = new Chan<>()) {
 *     Go.spawn(() -> { ch.send("ping"); ch.closeChannel(); });
 *     for (String s : ch) System.out.println(s);   // range ch
 * }
 * }</pre>
 *
 * <p>The native channel carries 8-byte keys; the objects wait in this
 * channel's registry between the send and the receive (key 0 is null, so
 * null can be sent). Buffered objects are released with the channel.
 * Blocking calls block the calling thread. Go's rules: a send on a closed
 * channel throws {@link GoPanic} "send on closed channel" (also for a
 * sender blocked when the channel is closed); a receive from a closed and
 * drained channel returns null with ok false.
 */
public final class Chan<T> extends ChanBase implements Iterable<T> {
    /** Go's {@code v, ok := <-ch}. */
    public record Received<T>(T value, boolean ok) {}

    private final ConcurrentHashMap<Long, Object> objects;
    private final AtomicLong keys = new AtomicLong();

    /** An unbuffered channel. */
    public Chan() {
        this(0);
    }

    /**
     * A channel buffering up to {@code capacity} values (0: unbuffered).
     *
     * @throws IllegalArgumentException capacity is negative
     */
    public Chan(int capacity) {
        this(capacity, new ConcurrentHashMap<>());
    }

    private Chan(int capacity, ConcurrentHashMap<Long, Object> objects) {
        super(make(capacity), objects);
        this.objects = objects;
    }

    /** {@code ch <- value}: blocks until a receiver takes it or the buffer has room. */
    public void send(T value) {
        ref.enter();
        int rc;
        try {
            long key = put(value);
            rc = gort.gort_chan_send(ref.ch, key);
            if (rc < 0) drop(key);
        } finally {
            ref.leave();
        }
        if (rc == Errors.ECLOSED) throw sendOnClosed();
        Errors.check(rc, "send");
    }

    /** Go's non-blocking send: true when sent, false when it would block. */
    public boolean trySend(T value) {
        ref.enter();
        int rc;
        try {
            long key = put(value);
            rc = gort.gort_chan_try_send(ref.ch, key);
            if (rc != 1) drop(key);
        } finally {
            ref.leave();
        }
        if (rc == Errors.ECLOSED) throw sendOnClosed();
        Errors.check(rc, "trySend");
        return rc == 1;
    }

    /** {@code <-ch}: the next value; null when the channel is closed and drained. */
    public T recv() {
        return recvOk().value();
    }

    /** {@code v, ok := <-ch}: ok is false when the channel is closed and drained. */
    public Received<T> recvOk() {
        long[] v = new long[1];
        ref.enter();
        try {
            int rc = Errors.check(gort.gort_chan_recv(ref.ch, v), "recv");
            return new Received<>(cast(take(v[0], rc == 1)), rc == 1);
        } finally {
            ref.leave();
        }
    }

    /**
     * Go's non-blocking receive: null when it would block, else what
     * {@link #recvOk()} would have returned.
     */
    public Received<T> tryRecv() {
        long[] v = new long[1];
        int[] ok = new int[1];
        ref.enter();
        try {
            if (Errors.check(gort.gort_chan_try_recv(ref.ch, v, ok), "tryRecv") == 0) return null;
            return new Received<>(cast(take(v[0], ok[0] == 1)), ok[0] == 1);
        } finally {
            ref.leave();
        }
    }

    /** {@code for v := range ch}: receives until the channel is closed and drained. */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<T>() {
            private Received<T> next;

            @Override
            public boolean hasNext() {
                if (next == null) next = recvOk();
                return next.ok();
            }

            @Override
            public T next() {
                if (!hasNext()) throw new NoSuchElementException("channel closed");
                T v = next.value();
                next = null;
                return v;
            }
        };
    }

    @Override
    long put(Object value) {
        if (value == null) return 0;
        long key = keys.incrementAndGet();
        objects.put(key, value);
        return key;
    }

    @Override
    Object take(long raw, boolean ok) {
        return raw == 0 ? null : objects.remove(raw);
    }

    @Override
    void drop(long raw) {
        if (raw != 0) objects.remove(raw);
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
