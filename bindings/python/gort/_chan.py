"""Channels and select."""

import collections
import itertools
import operator
import sys
import threading

from ._errors import ECLOSED, Panic, check, error_for
from .swig import gort as _g

_INT32_MAX = 2**31 - 1


def _send_on_closed():
    return Panic("send on closed channel", runtime_error=True)


class _ChanBase:
    """What Chan and IntChan share: a native gort channel of 8-byte values,
    its lifetime, Go's close, len and cap. A Chan's values are keys into
    its registry of objects; an IntChan's are the numbers themselves (so it
    can share a channel with C code).

    The native channel is freed when the Python object goes away. It cannot
    go away while a call on it is blocked (the call's frame holds it), which
    is what gort requires (freeing a channel with a waiter is fatal)."""

    __slots__ = ("_ch", "_owned")

    def _init(self, ch, owned):
        self._ch = ch
        self._owned = owned

    @staticmethod
    def _make(cap):
        cap = operator.index(cap)
        if cap < 0 or cap > _INT32_MAX:
            raise ValueError("makechan: size out of range")
        ch = _g.gort_chan_new(cap)
        if ch is None:
            raise MemoryError("makechan")
        return ch

    def close(self):
        """Go's ``close(ch)``: no more values will be sent; receivers get the
        buffered values, then the zero value with ok False; blocked senders
        raise Panic. Raises Panic("close of closed channel") when it is
        closed already."""
        rc = _g.gort_chan_close(self._ch)
        if rc == ECLOSED:
            raise Panic("close of closed channel", runtime_error=True)
        check(rc, "close")

    def __len__(self):
        """len(ch): values buffered now."""
        return check(_g.chan_len(self._ch), "len")

    def __bool__(self):
        # A channel is an object, not a container: an empty one is not false.
        return True

    @property
    def cap(self):
        """cap(ch): the buffer's capacity (0: unbuffered)."""
        return check(_g.chan_cap(self._ch), "cap")

    def __iter__(self):
        """``for v in ch``: Go's ``for v := range ch``, receiving until the
        channel is closed and drained."""
        while True:
            v, ok = self.recv()
            if not ok:
                return
            yield v

    def recv(self):
        """``v, ok := <-ch``: blocks (without the GIL) until a value comes or
        the channel is closed and drained; returns (value, True), or
        (zero value, False) once closed and drained."""
        rc, raw = _g.gort_chan_recv(self._ch)
        if rc < 0:
            raise error_for(rc, "recv")
        return self._take(raw), rc == 1

    def try_recv(self):
        """Go's non-blocking receive: None when a receive would block, else
        what :meth:`recv` would have returned."""
        rc, raw, ok = _g.gort_chan_try_recv(self._ch)
        if rc < 0:
            raise error_for(rc, "try_recv")
        if rc == 0:
            return None
        return self._take(raw), ok == 1

    def send(self, value):
        """``ch <- value``: blocks (without the GIL) until a receiver takes
        it or the buffer has room. Raises Panic("send on closed channel")
        when the channel is closed, also while the sender waits."""
        raw = self._put(value)
        rc = _g.gort_chan_send(self._ch, raw)
        if rc < 0:
            self._drop(raw)
            if rc == ECLOSED:
                raise _send_on_closed()
            raise error_for(rc, "send")

    def try_send(self, value):
        """Go's non-blocking send: True when sent, False when it would
        block. Raises Panic("send on closed channel") when closed."""
        raw = self._put(value)
        rc = _g.gort_chan_try_send(self._ch, raw)
        if rc != 1:
            self._drop(raw)
            if rc == ECLOSED:
                raise _send_on_closed()
            check(rc, "try_send")
        return rc == 1

    def __del__(self, _free=_g.chan_free, _finalizing=sys.is_finalizing):
        # Not while the interpreter is being torn down: a pool thread may
        # still block on it (its frame is no longer counted), and the
        # process is ending anyway.
        if getattr(self, "_owned", False) and not _finalizing():
            _free(self._ch)


class Chan(_ChanBase):
    """A Go channel of Python objects: ``make(chan T, cap)``::

        ch = gort.Chan()
        gort.go(lambda: (ch.send("ping"), ch.close()))
        for s in ch:          # range ch
            print(s)

    The native channel carries 8-byte keys; the objects wait in this
    channel's registry between the send and the receive (key 0 is None).
    A closed and drained channel receives None with ok False.
    """

    __slots__ = ("_objects", "_keys")

    def __init__(self, cap=0):
        self._init(self._make(cap), True)
        self._objects = {}
        self._keys = itertools.count(1)

    def _put(self, value):
        if value is None:
            return 0
        key = next(self._keys)
        self._objects[key] = value
        return key

    def _take(self, raw):
        return None if raw == 0 else self._objects.pop(raw)

    def _drop(self, raw):
        if raw != 0:
            self._objects.pop(raw, None)


class IntChan(_ChanBase):
    """A Go channel of 64-bit integers (``chan int64``): the values travel
    as they are, so it can share a channel with C code (:attr:`address`,
    :meth:`from_address`). :func:`after` makes one. A closed and drained
    channel receives 0 with ok False."""

    __slots__ = ()

    def __init__(self, cap=0):
        self._init(self._make(cap), True)

    @classmethod
    def _wrap(cls, ch, owned):
        self = cls.__new__(cls)
        self._init(ch, owned)
        return self

    @classmethod
    def from_address(cls, address):
        """The channel (element size 8) whose go_chan_t * is address, made
        and freed by C code: this object does not free it. ValueError when
        the address holds no live channel of element size 8."""
        ch = _g.gort_chan_from_address(address)
        if ch is None:
            raise ValueError("no channel of 8-byte values at %#x" % address)
        return cls._wrap(ch, False)

    @property
    def address(self):
        """The channel's go_chan_t * as an integer, for C code."""
        return _g.gort_chan_address(self._ch)

    def _put(self, value):
        return operator.index(value)

    def _take(self, raw):
        return raw

    def _drop(self, raw):
        pass


def after(seconds):
    """time.After: an IntChan (capacity 1) that receives gort's monotonic
    time in nanoseconds once, after seconds. Dropping it before it fired
    cancels the timer."""
    ch = _g.go_after(int(seconds * 1e9))
    if ch is None:
        raise MemoryError("gort.after")
    return IntChan._wrap(ch, True)


# ---------------------------------------------------------------- select


class Recv:
    """``case v, ok := <-chan:``; chan None is Go's nil channel (never ready)."""

    __slots__ = ("chan",)

    def __init__(self, chan):
        self.chan = chan


class Send:
    """``case chan <- value:``; chan None is Go's nil channel (never ready)."""

    __slots__ = ("chan", "value")

    def __init__(self, chan, value):
        self.chan = chan
        self.value = value


class Default:
    """``default:`` (at most one per select)."""

    __slots__ = ()


#: What select returns: the index of the case that ran; for a Recv case,
#: the value received and Go's ok (False: its channel is closed); for a
#: Send or the Default case, None and False.
Selected = collections.namedtuple("Selected", "index value ok")

# One native GoSelect per thread, reused. A select that starts while the
# thread's is being built (a signal handler selecting between two of the
# builder's bytecodes) makes its own.
_tls = threading.local()


def _acquire_select():
    sel = getattr(_tls, "sel", None)
    if sel is None:
        return _g.GoSelect()
    _tls.sel = None
    return sel


def select(*cases):
    """Go's select statement over Recv, Send and Default cases::

        timeout = gort.after(0.1)
        i, v, ok = gort.select(gort.Recv(results), gort.Recv(timeout))
        if i == 1:
            print("timeout")

    Waits (without the GIL) until one case can proceed and performs it,
    chosen uniformly at random among the ready ones; with a Default, never
    waits. No cases: blocks forever, as ``select {}``. Returns a
    :data:`Selected`. Raises Panic("send on closed channel") when a Send
    case's channel is closed."""
    ndefault = 0
    for c in cases:
        t = type(c)
        if t is Default:
            ndefault += 1
        elif t is not Recv and t is not Send:
            raise TypeError("gort.select: a case must be Recv, Send or Default, not %r" % (c,))
        elif c.chan is not None and not isinstance(c.chan, _ChanBase):
            raise TypeError("gort.select: %r is not a channel" % (c.chan,))
    if ndefault > 1:
        raise ValueError("gort.select: multiple defaults in select")

    sel = _acquire_select()
    sel.clear()
    sends = []  # (index, case, raw value) of the Send cases on live channels
    rc = None   # no case ran (yet)
    try:
        for i, c in enumerate(cases):
            t = type(c)
            if t is Recv:
                sel.add_recv(None if c.chan is None else c.chan._ch)
            elif t is Send:
                if c.chan is None:
                    sel.add_send(None, 0)
                else:
                    raw = c.chan._put(c.value)
                    sends.append((i, c, raw))
                    sel.add_send(c.chan._ch, raw)
            else:
                sel.add_default()
        rc = sel.run()
        value, ok = None, False
        if rc >= 0 and type(cases[rc]) is Recv:
            ok = sel.ok(rc) == 1
            value = cases[rc].chan._take(sel.value(rc))
    finally:
        # The values of the sends that did not happen leave the registries.
        for i, c, raw in sends:
            if i != rc:
                c.chan._drop(raw)
        sel.clear()
        _tls.sel = sel
    if rc == ECLOSED:
        raise _send_on_closed()
    check(rc, "select")
    return Selected(rc, value, ok)
