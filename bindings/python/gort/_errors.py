"""gort's error codes and Go's panics as Python exceptions."""

from .swig import gort as _g

EINVAL = _g.GO_EINVAL
ENOMEM = _g.GO_ENOMEM
EAGAIN = _g.GO_EAGAIN
EOVERFLOW = _g.GO_EOVERFLOW
ESHUTDOWN = _g.GO_ESHUTDOWN
EPERM = _g.GO_EPERM
ECLOSED = _g.GO_ECLOSED
ERANGE = _g.GO_ERANGE
EBUSY = _g.GO_EBUSY


class Panic(Exception):
    """A Go panic seen from Python.

    Raised by :func:`gort.panic`, and by the binding where Go would panic:
    a send on a closed channel ("send on closed channel"), closing a closed
    channel ("close of closed channel"), a negative WaitGroup counter
    ("sync: negative WaitGroup counter"). Inside a goroutine body it is an
    ordinary panic: deferred calls run, :func:`gort.recover` stops it and
    returns :attr:`value`, and when nothing recovers it the process ends as
    Go's does (``panic: <value>``, the goroutine trace, exit status 2).
    Outside goroutines it is an ordinary exception.
    """

    def __init__(self, value, *, runtime_error=False):
        super().__init__(value)
        #: The panic value: what :func:`gort.recover` returns for this panic.
        self.value = value
        #: True for the panics Go raises as ``runtime.Error`` values (the
        #: channel panics, panic(nil)), False for the others.
        self.runtime_error = runtime_error

    def __str__(self):
        return panic_value_text(self.value)


class PanicNilError(Exception):
    """The value of ``gort.panic(None)``, as Go 1.21's runtime.PanicNilError:
    so that :func:`gort.recover` never returns None for a real panic."""

    def __init__(self):
        super().__init__("panic called with nil argument")


def exception_text(exc):
    """The last line of a Python traceback for exc: ``Type: message``, the
    type's module first unless it is builtins or __main__; the type alone
    when the message is empty. (gort_python.i formats the same way.)"""
    cls = type(exc)
    name = cls.__qualname__
    if cls.__module__ not in ("builtins", "__main__"):
        name = cls.__module__ + "." + name
    try:
        msg = str(exc)
    except Exception:
        msg = "<exception str() failed>"
    return name + ": " + msg if msg else name


def panic_value_text(value):
    """A panic value as Go prints it after ``panic: ``."""
    if isinstance(value, BaseException):
        return exception_text(value)
    return str(value)


def panic_text(exc):
    """The text of an unrecovered panic: a Panic's value, any other
    exception as ``Type: message``."""
    if isinstance(exc, Panic):
        return panic_value_text(exc.value)
    return exception_text(exc)


def error_for(rc, op):
    """The exception for gort's negative return code rc of operation op."""
    text = "%s: %s" % (op, _g.go_strerror(rc))
    if rc == ENOMEM:
        return MemoryError(text)
    if rc == EAGAIN:
        return RuntimeError("can't start new thread: " + text)
    if rc == EOVERFLOW:
        return OverflowError(text)
    return RuntimeError(text)


def check(rc, op):
    """rc when it is not an error, else raises :func:`error_for`."""
    if rc < 0:
        raise error_for(rc, op)
    return rc
