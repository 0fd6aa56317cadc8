package org.gort;

/**
 * A Go panic seen from Java.
 *
 * <p>Thrown by {@link Go#panic(Object)}, and by the binding where Go would
 * panic: a send on a closed channel ({@code "send on closed channel"}),
 * closing a closed channel ({@code "close of closed channel"}), a negative
 * WaitGroup counter ({@code "sync: negative WaitGroup counter"}). Inside a
 * goroutine body a GoPanic is an ordinary panic: deferred calls run,
 * {@link Go#recover()} stops it (and returns {@link #value()}), and when
 * nothing recovers it the process ends as Go's does: {@code panic: <value>},
 * the goroutine trace, exit status 2.
 *
 * <p>It is an {@link IllegalStateException}: the misuse Go panics on is, in
 * Java terms, an operation invalid in the object's current state, and code
 * that already catches that keeps working.
 */
public class GoPanic extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient Object value;
    private final boolean runtimeError;

    /** A panic carrying {@code value} (Go's {@code panic(value)}). */
    public GoPanic(Object value) {
        this(value, false);
    }

    GoPanic(Object value, boolean runtimeError) {
        super(String.valueOf(value));
        this.value = value;
        this.runtimeError = runtimeError;
    }

    /** The panic value: what {@link Go#recover()} returns for this panic. */
    public Object value() {
        return value;
    }

    /**
     * True for the panics Go raises as {@code runtime.Error} values (the
     * channel panics), false for the others ({@code panic(v)}, the
     * WaitGroup ones).
     */
    public boolean isRuntimeError() {
        return runtimeError;
    }
}
