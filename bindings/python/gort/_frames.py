"""Go's defer, panic and recover, implemented in Python for Python code.

Why in Python: a gort panic is a jump that must never cross interpreter
frames, so gort's C defer stack (gort/defer.h) cannot run Python calls. The
semantics are Go's (and the Java binding's, Frames.java): every thread has
a defer stack; :func:`defer` pushes onto it, tied to the innermost FRAME;
when the frame ends, normally or by an exception (a panic), its deferred
calls run last-in first-out. A frame is a goroutine body, a :func:`call`,
a function decorated with :func:`frame`, a ``with Frame():`` block, and
each deferred call (which may defer in turn).

Panics: any exception that leaves a frame's body is a panic. The frame's
deferred calls run with it pending; :func:`recover` called while the
innermost frame is a deferred call run by a panic stops that panic and
returns its value (as in the Java binding, a helper function called by the
deferred call may recover, a nested frame may not). A recovered frame runs
its remaining deferred calls and returns normally (a function: None, Go's
zero value). A deferred call that raises replaces the pending panic (which
becomes the new exception's __context__). A panic nothing recovered leaves
the goroutine body: the glue then raises it as a gort panic (Go's output,
exit status 2) once the Python frames are gone.

State is per thread: a pinned goroutine runs on one pool thread from start
to end, and its state is made at the start of the body and dropped at its
end, so a reused pool thread starts clean. Frames do not follow generators
or coroutines that suspend inside them.
"""

import functools
import threading

from ._errors import Panic, PanicNilError

_local = threading.local()


class _State:
    """A thread's (a goroutine's) defer stack and innermost frame."""

    __slots__ = ("defers", "top")

    def __init__(self):
        self.defers = []  # (fn, args, kwargs), innermost last
        self.top = None   # the innermost Frame; None outside any frame


class _Panicking:
    """A panic being handled by a frame's deferred calls."""

    __slots__ = ("exc", "recovered")

    def __init__(self, exc):
        self.exc = exc
        self.recovered = False


def _state():
    st = getattr(_local, "state", None)
    if st is None:
        st = _local.state = _State()
    return st


class Frame:
    """A Go function's frame as a context manager::

        with gort.Frame() as f:
            f.defer(print, "runs last")
            gort.defer(print, "runs first")
            risky()

    When the block ends its deferred calls run, last in first out, also
    when it ends by an exception. When one of them recovers the panic, the
    block's exception is suppressed and :attr:`recovered` is True.
    """

    __slots__ = ("_st", "_parent", "_base", "_run_by", "recovered")

    def __init__(self):
        self._st = None
        self.recovered = False

    def _enter(self, st, run_by):
        if self._st is not None:
            raise RuntimeError("gort.Frame entered twice")
        self._st = st
        self._parent = st.top
        self._base = len(st.defers)
        self._run_by = run_by
        st.top = self

    def __enter__(self):
        self._enter(_state(), None)
        return self

    def __exit__(self, exc_type, exc, tb):
        self.recovered, panic = _end_frame(self, exc)
        if panic is None:
            return True  # no exception, or it was recovered
        if panic is exc:
            return False  # the block's own exception goes on, traceback intact
        raise panic

    def defer(self, fn, *args, **kwargs):
        """:func:`defer`, checking that this frame is the innermost one."""
        if self._st is None or self._st.top is not self or self._st is not getattr(_local, "state", None):
            raise RuntimeError("Frame.defer: the frame is not the innermost frame of this thread")
        defer(fn, *args, **kwargs)


def _end_frame(f, panic):
    """Run frame f's deferred calls with panic (an exception or None)
    pending; pop the frame. Returns (recovered, the panic still pending)."""
    st = f._st
    defers = st.defers
    recovered = False
    try:
        while len(defers) > f._base:
            fn, args, kwargs = defers.pop()
            p = _Panicking(panic) if panic is not None else None
            try:
                _call(st, p, fn, args, kwargs)
            except BaseException as e:
                if panic is not None and e is not panic and e.__context__ is None:
                    e.__context__ = panic
                panic = e
                continue
            if p is not None and p.recovered:
                panic = None
                recovered = True
    finally:
        # The records of an abandoned frame must not leak into its parent's.
        del defers[f._base:]
        st.top = f._parent
    return recovered, panic


def _call(st, run_by, fn, args, kwargs):
    """Run fn(*args, **kwargs) as a frame on state st; run_by is the panic
    that runs it as a deferred call, or None. Returns fn's result (None
    when a deferred call recovered a panic); raises a panic not recovered."""
    f = Frame()
    f._enter(st, run_by)
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:
        _, panic = _end_frame(f, e)
        if panic is not None:
            raise panic
        return None
    _, panic = _end_frame(f, None)
    if panic is not None:
        raise panic
    return result


def run_goroutine(fn, args, kwargs):
    """The body of a goroutine: a frame on a fresh state."""
    st = _local.state = _State()
    try:
        _call(st, None, fn, args, kwargs)
    finally:
        _local.state = None


def defer(fn, *args, **kwargs):
    """Go's ``defer fn(args)``: fn(*args, **kwargs) runs when the innermost
    frame ends (the arguments are evaluated now, as Go does). Raises
    RuntimeError outside any frame (not in a goroutine body, a gort.call,
    a @gort.frame function or a ``with gort.Frame()`` block)."""
    if not callable(fn):
        raise TypeError("gort.defer: %r is not callable" % (fn,))
    st = getattr(_local, "state", None)
    if st is None or st.top is None:
        raise RuntimeError("gort.defer outside a goroutine body or frame")
    st.defers.append((fn, args, kwargs))


def recover():
    """Go's ``recover()``: inside a deferred call run by a panic, stops the
    panic and returns its value (a :class:`Panic`'s value, or the exception
    itself); otherwise returns None."""
    st = getattr(_local, "state", None)
    if st is None or st.top is None:
        return None
    p = st.top._run_by
    if p is None or p.recovered:
        return None
    p.recovered = True
    exc = p.exc
    return exc.value if isinstance(exc, Panic) else exc


def panic(value):
    """Go's ``panic(value)``: raises a :class:`Panic` carrying value
    (panic(None) carries a :class:`PanicNilError`, as in Go 1.21)."""
    if value is None:
        raise Panic(PanicNilError(), runtime_error=True)
    raise Panic(value)


def call(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) as one Go function call: its deferred calls
    run when it ends. Returns its result, or None when one of its deferred
    calls recovered a panic; a panic not recovered propagates."""
    if not callable(fn):
        raise TypeError("gort.call: %r is not callable" % (fn,))
    return _call(_state(), None, fn, args, kwargs)


def frame(fn):
    """Decorator: every call of fn is a Go function call (:func:`call`)."""
    if not callable(fn):
        raise TypeError("gort.frame: %r is not callable" % (fn,))

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return _call(_state(), None, fn, args, kwargs)

    return wrapper
