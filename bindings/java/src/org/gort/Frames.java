package org.gort;

import java.util.ArrayList;

/**
 * Go's defer, panic and recover, implemented in Java for Java code.
 *
 * <p>Why in Java: a gort panic is a jump that must never cross JVM frames,
 * so the C defer stack (gort/defer.h) cannot run Java calls. The semantics
 * are Go's (and gort's): every goroutine has a defer stack; {@link
 * Go#defer(Runnable)} pushes onto it, tied to the innermost FRAME; when the
 * frame ends, normally or by an exception (a panic), its deferred calls run
 * last-in first-out. A frame is a goroutine body, a {@link Go#call(Runnable)}
 * and each deferred call (which may defer in turn).
 *
 * <p>Panics: any Throwable that leaves a frame's body is a panic. The
 * frame's deferred calls run with it pending; {@link Go#recover()} called
 * while the innermost frame is a deferred call run by a panic stops that
 * panic and returns its value (gort's rule: a helper method called by the
 * deferred call may recover, a nested Go.call may not). A recovered frame
 * runs its remaining deferred calls and returns normally. A deferred call
 * that throws replaces the pending panic (the old one is attached as a
 * suppressed exception). A panic nothing recovered leaves the goroutine
 * body: the glue then raises it as a gort panic (Go's output, exit 2) once
 * the Java frames are gone.
 *
 * <p>State is per thread: a pinned goroutine runs on one pool thread from
 * start to end, and the body's frame leaves the thread's state empty when
 * it ends, so a reused pool thread starts clean.
 */
final class Frames {
    private Frames() {}

    /** A panic being handled by a frame's deferred calls. */
    static final class Panic {
        final Throwable cause;
        boolean recovered;

        Panic(Throwable cause) {
            this.cause = cause;
        }
    }

    static final class Frame {
        final Frame parent;
        final int base;       // defer-stack depth at entry: the records above it are this frame's
        final Panic runBy;    // the panic that runs this frame as a deferred call, or null

        Frame(Frame parent, int base, Panic runBy) {
            this.parent = parent;
            this.base = base;
            this.runBy = runBy;
        }
    }

    static final class State {
        final ArrayList<Runnable> defers = new ArrayList<>();
        Frame top;   // the innermost frame; null outside any frame
    }

    private static final ThreadLocal<State> CURRENT = ThreadLocal.withInitial(State::new);

    /** The body of a goroutine (Dispatcher). Throws UnrecoveredPanic. */
    static void runGoroutine(Runnable body) {
        // The pool thread's State is made once and reused: the body's frame
        // leaves it clean (no frame, no deferred call) however it ends, so
        // the next body on the thread starts clean, without a ThreadLocal
        // set and remove (a new map entry, a WeakReference) per goroutine.
        State st = CURRENT.get();
        State outer = null;
        if (st.top != null) {
            // Frames in progress on this thread (not a pool thread's fresh
            // body, which cannot happen from the trampoline): keep them apart.
            outer = st;
            st = new State();
            CURRENT.set(st);
        }
        try {
            call(st, body, null);
        } catch (Throwable t) {
            throw new UnrecoveredPanic(panicText(t), t);
        } finally {
            if (outer != null) {
                CURRENT.set(outer);
            } else if (st.top != null || !st.defers.isEmpty()) {
                st.top = null;  // call() failed to unwind (an Error in its finally): start clean anyway
                st.defers.clear();
            }
        }
    }

    /** Go.call: runs body as a frame; true when one of its deferred calls recovered. */
    static boolean call(Runnable body) {
        try {
            return call(CURRENT.get(), body, null);
        } catch (Throwable t) {
            throw Errors.sneaky(t);
        }
    }

    static boolean call(State st, Runnable body, Panic runBy) throws Throwable {
        Frame f = new Frame(st.top, st.defers.size(), runBy);
        st.top = f;
        Throwable panic = null;
        boolean recovered = false;
        try {
            try {
                body.run();
            } catch (Throwable t) {
                panic = t;
            }
            while (st.defers.size() > f.base) {
                Runnable d = st.defers.remove(st.defers.size() - 1);
                Panic p = panic == null ? null : new Panic(panic);
                try {
                    call(st, d, p);
                } catch (Throwable t) {
                    if (panic != null && panic != t) t.addSuppressed(panic);
                    panic = t;
                    continue;
                }
                if (p != null && p.recovered) {
                    panic = null;
                    recovered = true;
                }
            }
        } finally {
            // Records of an abandoned frame must not leak into the parent's.
            while (st.defers.size() > f.base) st.defers.remove(st.defers.size() - 1);
            st.top = f.parent;
        }
        if (panic != null) throw panic;
        return recovered;
    }

    static void defer(Runnable fn) {
        if (fn == null) throw new NullPointerException("deferred call is null");
        State st = CURRENT.get();
        if (st.top == null)
            throw new IllegalStateException("Go.defer outside a goroutine body or Go.call");
        st.defers.add(fn);
    }

    static Object recover() {
        State st = CURRENT.get();
        Frame f = st.top;
        if (f == null || f.runBy == null || f.runBy.recovered) return null;
        f.runBy.recovered = true;
        return valueOf(f.runBy.cause);
    }

    /** What recover() returns for a panic: a GoPanic's value, else the Throwable. */
    static Object valueOf(Throwable t) {
        return t instanceof GoPanic ? ((GoPanic) t).value() : t;
    }

    /**
     * The text of an unrecovered panic, printed by gort as "panic: TEXT":
     * a GoPanic's value as Go prints it, any other Throwable as
     * "<ExceptionType>: <message>" (Throwable.toString()).
     */
    static String panicText(Throwable t) {
        if (t instanceof GoPanic) {
            Object v = ((GoPanic) t).value();
            return v instanceof Throwable ? v.toString() : String.valueOf(v);
        }
        return t.toString();
    }

    /**
     * Leaves the goroutine body when a panic was not recovered; its
     * toString() is the panic text that the SWIG director hands to the glue
     * (Throwable.toString() of what escapes GoRunnable.run).
     */
    static final class UnrecoveredPanic extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String text;

        UnrecoveredPanic(String text, Throwable cause) {
            super(text, cause, false, false);
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
