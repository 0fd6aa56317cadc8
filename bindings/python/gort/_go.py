"""Goroutines and the runtime functions."""

import itertools
import os
import sys
import traceback

from . import _frames
from ._errors import check, error_for, panic_text
from .swig import gort as _g

# The bodies waiting for their goroutine: key -> (fn, args, kwargs). One
# director object for all goroutines (rather than one per goroutine) keeps
# a spawn to a dict insert and one SWIG call, as the Java binding's
# Dispatcher does. Under the GIL, dict operations and next() on the
# counter are atomic.
_bodies = {}
_keys = itertools.count(1)


class _Unrecovered(Exception):
    """Leaves a goroutine body when a panic was not recovered. The director
    (gort_python.i) hands gort_panic_text to the glue, which raises the
    gort panic: Go's ``panic: <text>``, the goroutine trace, exit status 2."""

    def __init__(self, text):
        super().__init__(text)
        self.gort_panic_text = text


# GORT_PYTHON_TRACEBACK=1: an unrecovered panic also writes its Python
# traceback to stderr, before gort's "panic: ..." text (gort's goroutine
# trace shows native frames only). Off by default: Go's output starts with
# the panic line.
_print_traceback = os.environ.get("GORT_PYTHON_TRACEBACK", "") not in ("", "0")


def _flush_stdio():
    # gort ends the process with _exit: what Python still buffers would be
    # lost, though Go would have written it.
    for f in (sys.stdout, sys.stderr):
        try:
            if f is not None:
                f.flush()
        except Exception:
            pass


class _Dispatcher(_g.GoRunnable):
    """The one SWIG director of the package: every goroutine is a pinned
    goroutine whose body calls run(key) on a thread of gort's pool, with
    the GIL held (the director takes it)."""

    def run(self, key):
        fn, args, kwargs = _bodies.pop(key)
        try:
            _frames.run_goroutine(fn, args, kwargs)
        except BaseException as e:
            text = panic_text(e)
            if _print_traceback:
                traceback.print_exception(type(e), e, e.__traceback__)
            _flush_stdio()
            raise _Unrecovered(text) from e


# Never freed: a pool thread may still be inside run() while the
# interpreter tears the module down. __disown__ hands the Python object to
# the C++ director (which keeps a reference to it), and the guard is not
# owned by Python: neither is ever deleted.
_dispatcher = _Dispatcher()
_dispatcher.__disown__()
_guard = _g.GortPythonGuard(_dispatcher)
_guard.thisown = False
_spawn = _g.gort_python_spawn


def go(fn, *args, **kwargs):
    """Go's ``go fn(args)``: start a goroutine running fn(*args, **kwargs).

    The arguments are evaluated now, as Go evaluates them at the go
    statement. The goroutine is a pinned goroutine: it runs on a thread of
    gort's pool, holding the GIL while it runs Python code. An exception
    that leaves fn, after its deferred calls ran and none recovered it,
    ends the process as Go's unrecovered panic does. Returns the
    goroutine's id (>= 1)."""
    if not callable(fn):
        raise TypeError("gort.go: %r is not callable" % (fn,))
    key = next(_keys)
    _bodies[key] = (fn, args, kwargs)
    gid = _spawn(_guard, key)
    if gid < 0:
        del _bodies[key]
        raise error_for(gid, "gort.go")
    return gid


def main(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) as the program's main goroutine (as C's
    go_main does): a goroutine like the others, which counts in
    num_goroutine(); the calling thread waits for it and returns its
    result. An exception that leaves it is an unrecovered panic (exit 2)."""
    from ._sync import WaitGroup

    result = []
    wg = WaitGroup()

    def body():
        result.append(fn(*args, **kwargs))
        # Only on a normal return: after a panic the calling thread must stay
        # blocked while the process ends, as nothing runs after Go's main
        # panicked.
        wg.done()

    wg.add(1)
    go(body)
    wg.wait()
    return result[0] if result else None


def sleep(seconds):
    """time.Sleep: blocks the calling thread (without the GIL) for at least
    seconds (a float); seconds <= 0 returns at once."""
    _g.go_sleep(int(seconds * 1e9))


def gosched():
    """runtime.Gosched; from a pinned goroutine or another thread, a thread
    yield (without the GIL, so other Python threads may run)."""
    _g.go_yield()


def dump():
    """Every goroutine's stack as text, in Go's format (runtime.Stack(buf,
    True)): goroutines written in C with their frames; Python bodies, which
    are pinned goroutines on threads of their own, with their header only
    (Python's faulthandler.dump_traceback shows their Python frames)."""
    return _g.gort_dump_string()


def num_goroutine():
    """runtime.NumGoroutine: goroutines that exist now (started and not yet
    returned), pinned ones included. The Python main thread is not one."""
    return _g.go_num_goroutine()


def gomaxprocs(n=0):
    """runtime.GOMAXPROCS: sets the number of processors running ordinary
    (C) goroutines when n >= 1 and returns the previous value; n < 1 only
    queries. Python's goroutines are pinned and hold no processor."""
    return check(_g.go_maxprocs(n), "gomaxprocs")


def num_cpu():
    """runtime.NumCPU."""
    return _g.go_num_cpu()


def goid():
    """The calling goroutine's id, 0 when the caller is not a goroutine."""
    return _g.go_id()


def nanotime():
    """gort's monotonic clock, in nanoseconds (what gort.after sends)."""
    return _g.go_nanotime()


def version():
    """The version of the gort library loaded."""
    return _g.go_version()
