"""sync.WaitGroup and sync.Mutex."""

import sys

from . import _frames
from ._errors import EBUSY, EOVERFLOW, EPERM, ERANGE, Panic, error_for
from ._go import go
from .swig import gort as _g


def _check_wg(rc, op):
    if rc >= 0:
        return
    if rc == ERANGE:
        raise Panic("sync: negative WaitGroup counter")
    if rc == EBUSY:
        raise Panic("sync: WaitGroup misuse")
    if rc == EOVERFLOW:
        raise OverflowError("sync: WaitGroup counter overflow")
    raise error_for(rc, op)


class WaitGroup:
    """sync.WaitGroup: waits for a collection of goroutines to finish::

        wg = gort.WaitGroup()
        for i in range(10):
            wg.go(work, i)       # wg.add(1); go work(i), done when it ends
        wg.wait()

    Go's rules: a counter that would go negative raises
    Panic("sync: negative WaitGroup counter") (the counter is left as it
    was); reusing the WaitGroup before a wait returned is
    Panic("sync: WaitGroup misuse"). The native WaitGroup is freed when the
    object goes away (never while a wait on it is blocked: the waiting
    call's frame holds the object). All methods are thread-safe.
    """

    __slots__ = ("_wg",)

    def __init__(self):
        wg = _g.wg_new()
        if wg is None:
            raise MemoryError("wg_new")
        self._wg = wg

    def add(self, delta=1):
        """Adds delta (may be negative) to the counter; at zero every waiter
        is released."""
        _check_wg(_g.wg_add_err(self._wg, delta), "WaitGroup.add")

    def done(self):
        """add(-1)."""
        _check_wg(_g.wg_done_err(self._wg), "WaitGroup.done")

    def wait(self):
        """Blocks (without the GIL) until the counter is zero."""
        rc = _g.wg_wait_err(self._wg)
        if rc == EBUSY:
            raise Panic("sync: WaitGroup is reused before previous Wait has returned")
        _check_wg(rc, "WaitGroup.wait")

    def go(self, fn, *args, **kwargs):
        """Go 1.25's wg.Go: add(1), then start fn(*args, **kwargs) as a
        goroutine that calls done() when it ends (also by a panic).
        Returns the goroutine's id."""
        if not callable(fn):
            raise TypeError("WaitGroup.go: %r is not callable" % (fn,))
        self.add(1)
        try:
            return go(self._body, fn, args, kwargs)
        except BaseException:
            self.done()
            raise

    def _body(self, fn, args, kwargs):
        _frames.defer(self.done)
        fn(*args, **kwargs)

    def __del__(self, _free=_g.wg_free, _finalizing=sys.is_finalizing):
        if hasattr(self, "_wg") and not _finalizing():
            _free(self._wg)


class Mutex:
    """sync.Mutex, with Go's algorithm (starvation mode after 1 ms). Not
    tied to a thread or goroutine: one may lock it and another unlock it,
    as in Go. A context manager::

        with mu:
            balance += amount

    lock() blocks without the GIL. Unlocking an unlocked mutex, Go's fatal
    error, raises RuntimeError here (the process goes on). The native mutex
    is freed (unlocked first) when the object goes away.
    """

    __slots__ = ("_mu",)

    def __init__(self):
        mu = _g.mutex_new()
        if mu is None:
            raise MemoryError("mutex_new")
        self._mu = mu

    def lock(self):
        """Blocks until the mutex is ours."""
        rc = _g.mutex_lock(self._mu)
        if rc < 0:
            raise error_for(rc, "Mutex.lock")

    def try_lock(self):
        """Go's TryLock: True when this call locked it. Never blocks."""
        rc = _g.mutex_trylock(self._mu)
        if rc < 0:
            raise error_for(rc, "Mutex.try_lock")
        return rc == 1

    def unlock(self):
        """Unlocks it; RuntimeError when it is not locked."""
        rc = _g.mutex_unlock_err(self._mu)
        if rc == EPERM:
            raise RuntimeError("sync: unlock of unlocked mutex")
        if rc < 0:
            raise error_for(rc, "Mutex.unlock")

    def __enter__(self):
        self.lock()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.unlock()
        return False

    def __del__(self, _unlock=_g.mutex_unlock_err, _free=_g.mutex_free, _finalizing=sys.is_finalizing):
        # gort's mutex_free wants it unlocked; nobody can unlock it any more.
        if hasattr(self, "_mu") and not _finalizing():
            _unlock(self._mu)
            _free(self._mu)
