package org.gort;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.gort.swig.GoSelect;

/**
 * The cases of {@link Go#select(Case...)}, Go's select statement:
 *
 * <pre>{@code
 * try (LongChan timeout = Go.after(Duration.ofMillis(100))) {
 *     Go.select(
 *         Select.recv(results, r -> System.out.println("got " + r)),
 *         Select.recv(timeout, t -> System.out.println("timeout")));
 * }
 * }</pre>
 *
 * <p>A null channel is Go's nil channel: its case is never ready. A handler
 * may be null (nothing to run); it runs after the select, on the calling
 * thread. The native select is gort's: uniform choice among ready cases.
 */
public final class Select {
    private Select() {}

    static final int RECV = 1, SEND = 2, DEFAULT = 3;

    /** One case; make them with the static methods of {@link Select}. */
    public static final class Case {
        final ChanBase ch;
        final int dir;
        final Object value;                    // SEND
        final BiConsumer<Object, Boolean> onRecv;
        final Runnable then;                   // SEND, DEFAULT

        Case(ChanBase ch, int dir, Object value, BiConsumer<Object, Boolean> onRecv, Runnable then) {
            this.ch = ch;
            this.dir = dir;
            this.value = value;
            this.onRecv = onRecv;
            this.then = then;
        }
    }

    /** {@code case v := <-ch:} (v is null when ch is closed). */
    @SuppressWarnings("unchecked")
    public static <T> Case recv(Chan<T> ch, Consumer<? super T> then) {
        return new Case(ch, RECV, null, then == null ? null : (v, ok) -> then.accept((T) v), null);
    }

    /** {@code case v, ok := <-ch:}. */
    @SuppressWarnings("unchecked")
    public static <T> Case recvOk(Chan<T> ch, BiConsumer<? super T, Boolean> then) {
        return new Case(ch, RECV, null, then == null ? null : (v, ok) -> then.accept((T) v, ok), null);
    }

    /** {@code case v := <-ch:} on a LongChan (v is 0 when ch is closed). */
    public static Case recv(LongChan ch, LongConsumer then) {
        return new Case(ch, RECV, null, then == null ? null : (v, ok) -> then.accept((Long) v), null);
    }

    /** {@code case v, ok := <-ch:} on a LongChan. */
    public static Case recvOk(LongChan ch, BiConsumer<Long, Boolean> then) {
        return new Case(ch, RECV, null, then == null ? null : (v, ok) -> then.accept((Long) v, ok), null);
    }

    /** {@code case ch <- value:}. */
    public static <T> Case send(Chan<T> ch, T value, Runnable then) {
        return new Case(ch, SEND, value, null, then);
    }

    /** {@code case ch <- value:} on a LongChan. */
    public static Case send(LongChan ch, long value, Runnable then) {
        return new Case(ch, SEND, value, null, then);
    }

    /** {@code default:} (at most one). */
    public static Case otherwise(Runnable then) {
        return new Case(null, DEFAULT, null, null, then);
    }

    // One native GoSelect per thread, reused (cleared before any handler
    // runs, so a handler may select again).
    private static final ThreadLocal<GoSelect> SELECT = ThreadLocal.withInitial(GoSelect::new);

    static int run(Case... cases) {
        if (cases == null) throw new NullPointerException("cases is null");
        int defaults = 0;
        for (Case c : cases) {
            if (c == null) throw new NullPointerException("a select case is null");
            if (c.dir == DEFAULT) defaults++;
        }
        if (defaults > 1) throw new IllegalArgumentException("select: more than one default case");
        GoSelect sel = SELECT.get();
        sel.clear();
        long[] raw = new long[cases.length];
        int entered = 0;
        int rc;
        Object received = null;
        boolean ok = false;
        try {
            for (Case c : cases) {
                if (c.ch != null) c.ch.ref.enter();  // ISE for a freed channel
                entered++;
            }
            for (int i = 0; i < cases.length; i++) {
                Case c = cases[i];
                switch (c.dir) {
                    case RECV -> sel.add_recv(c.ch == null ? null : c.ch.ref.ch);
                    case SEND -> {
                        if (c.ch != null) raw[i] = c.ch.put(c.value);
                        sel.add_send(c.ch == null ? null : c.ch.ref.ch, raw[i]);
                    }
                    default -> sel.add_default();
                }
            }
            rc = sel.run();
            if (rc >= 0 && cases[rc].dir == RECV) {
                ok = sel.ok(rc) == 1;
                received = cases[rc].ch.take(sel.value(rc), ok);
            }
            // Forget the values of the sends that did not happen (inside
            // the bracket: a free clears the registry).
            for (int i = 0; i < cases.length; i++)
                if (cases[i].dir == SEND && cases[i].ch != null && i != rc) cases[i].ch.drop(raw[i]);
        } finally {
            for (int i = 0; i < entered; i++)
                if (cases[i].ch != null) cases[i].ch.ref.leave();
            sel.clear();
        }
        if (rc == Errors.ECLOSED) throw ChanBase.sendOnClosed();
        Errors.check(rc, "select");
        Case c = cases[rc];
        if (c.dir == RECV) {
            if (c.onRecv != null) c.onRecv.accept(received, ok);
        } else if (c.then != null) {
            c.then.run();
        }
        return rc;
    }
}
