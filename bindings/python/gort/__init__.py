"""Go's goroutine model for Python, on gort.

::

    import gort

    results = gort.Chan()
    wg = gort.WaitGroup()
    for i in range(10):
        wg.go(lambda n: results.send(n * n), i)
    gort.go(lambda: (wg.wait(), results.close()))
    print(sorted(results))

Goroutines started from Python are gort's PINNED goroutines: the body runs
on a thread of gort's pinned pool, on that thread's own stack (CPython must
never run on a switched goroutine stack), with its own Python thread state
made once per pool thread. They are goroutines in every other respect: an
id, channels, WaitGroups, mutexes and select shared with C goroutines.

The GIL: a goroutine holds it only while it runs Python code. Every call
here that can block (a channel send or receive, select, WaitGroup.wait,
Mutex.lock, sleep, gosched) releases it while it waits, so blocked
goroutines cost no Python time and N goroutines sleeping run in parallel.
Python code itself still runs one thread at a time, as with threading.

Panics are Go's: an exception that leaves a goroutine body, after its
deferred calls ran and none recovered it, ends the process with Go's
output (``panic: ValueError: boom``, the goroutine trace) and exit
status 2. No other goroutine sees it.
"""

from ._chan import Chan, Default, IntChan, Recv, Selected, Send, after, select
from ._errors import Panic, PanicNilError
from ._frames import Frame, call, defer, frame, panic, recover
from ._go import dump, go, gomaxprocs, goid, gosched, main, nanotime, num_cpu, num_goroutine, sleep, version
from ._sync import Mutex, WaitGroup

__all__ = [
    "Chan", "Default", "Frame", "IntChan", "Mutex", "Panic", "PanicNilError", "Recv", "Selected",
    "Send", "WaitGroup", "after", "call", "defer", "frame", "go", "gomaxprocs", "goid", "gosched",
    "dump", "main", "nanotime", "num_cpu", "num_goroutine", "panic", "recover", "select", "sleep",
    "version",
]
