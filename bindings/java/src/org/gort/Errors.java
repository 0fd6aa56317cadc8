package org.gort;

import org.gort.swig.gort;

/** gort's error codes (gort/common.h) as Java exceptions. */
final class Errors {
    private Errors() {}

    static final int EINVAL = gort.GO_EINVAL;
    static final int ENOMEM = gort.GO_ENOMEM;
    static final int EAGAIN = gort.GO_EAGAIN;
    static final int EOVERFLOW = gort.GO_EOVERFLOW;
    static final int ESHUTDOWN = gort.GO_ESHUTDOWN;
    static final int EPERM = gort.GO_EPERM;
    static final int ECLOSED = gort.GO_ECLOSED;
    static final int ERANGE = gort.GO_ERANGE;
    static final int EBUSY = gort.GO_EBUSY;

    /** The exception for a negative gort return code of operation {@code op}. */
    static RuntimeException of(int rc, String op) {
        String text = op + ": " + gort.go_strerror(rc);
        if (rc == ENOMEM) throw new OutOfMemoryError(text);
        if (rc == EAGAIN) throw new OutOfMemoryError("unable to create native thread: " + text);
        if (rc == EOVERFLOW) return new IllegalArgumentException(text);
        return new IllegalStateException(text);
    }

    /** Returns rc when it is not an error, else throws {@link #of}. */
    static int check(int rc, String op) {
        if (rc < 0) throw of(rc, op);
        return rc;
    }

    /** Throws t, checked or not, without wrapping it. */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
