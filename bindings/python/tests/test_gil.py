"""The GIL is held only while Python runs: gort's blocking calls release it.

A blocking call that kept the GIL would hang the program (the goroutine
that could wake it could never run), so these run in a child process whose
timeout turns a hang into a failure."""

import threading
import time
import unittest

import gort
from support import run_python


class GilTest(unittest.TestCase):
    def test_main_keeps_computing_while_a_goroutine_is_blocked_in_recv(self):
        c = run_python("""
            import time, gort

            def count_for(seconds):
                n, end = 0, time.perf_counter() + seconds
                while time.perf_counter() < end:
                    n += 1
                return n

            alone = count_for(0.2)
            ch, back = gort.Chan(), gort.Chan()
            gort.go(lambda: back.send(ch.recv()[0] + 1))
            gort.sleep(0.02)          # the goroutine is blocked in recv now
            shared = count_for(0.2)
            ch.send(41)
            print(back.recv()[0], shared / alone)
        """, timeout=30)
        self.assertEqual(c.status, 0, c.stderr)
        value, ratio = c.stdout.split()
        self.assertEqual(value, "42")
        # Without the GIL released the main thread would not run at all;
        # with it, it runs at about its own speed (the margin is for a
        # loaded machine).
        self.assertGreater(float(ratio), 0.3, c.stdout)

    def test_every_blocking_call_releases_the_gil(self):
        # Each goroutine blocks in one kind of call; the main thread must
        # still run Python to release them all.
        c = run_python("""
            import gort
            from gort import Recv, Send
            wg, gate, mu = gort.WaitGroup(), gort.WaitGroup(), gort.Mutex()
            unbuffered, full, sel = gort.Chan(), gort.Chan(1), gort.Chan()
            full.send("filler")
            gate.add(1)
            mu.lock()
            done = gort.Chan(7)
            bodies = [
                lambda: unbuffered.recv(),
                lambda: full.send("second"),
                lambda: gort.select(Recv(sel), Send(None, 0)),
                lambda: gate.wait(),
                lambda: mu.lock(),
                lambda: gort.sleep(0.2),
                lambda: gort.select(),    # select {}: never returns
            ]
            for b in bodies[:-1]:
                gort.go(lambda b=b: (b(), done.send(1)))
            gort.go(bodies[-1])
            gort.sleep(0.05)
            total = sum(i * i for i in range(200000))   # Python runs meanwhile
            unbuffered.send("x")
            full.recv()
            sel.send("y")
            gate.done()
            mu.unlock()
            print(sum(done.recv()[0] for _ in range(6)), total > 0)
        """, timeout=30)
        self.assertEqual((c.status, c.stdout, c.stderr), (0, "6 True\n", ""))

    def test_sleeping_goroutines_run_in_parallel(self):
        n = 20
        wg = gort.WaitGroup()
        t0 = time.perf_counter()
        for _ in range(n):
            wg.go(gort.sleep, 0.2)
        wg.wait()
        elapsed = time.perf_counter() - t0
        self.assertGreaterEqual(elapsed, 0.2)
        self.assertLess(elapsed, 0.2 * n / 4, "%d sleeps of 0.2 s took %.2f s" % (n, elapsed))

    def test_a_python_thread_runs_while_main_waits_in_gort(self):
        wg = gort.WaitGroup()
        wg.add(1)
        ran = []

        def thread_body():
            ran.append(sum(range(100000)))
            wg.done()

        t = threading.Thread(target=thread_body)
        t.start()
        wg.wait()  # the thread needs the GIL to get to done()
        t.join()
        self.assertEqual(ran, [sum(range(100000))])

    def test_pool_threads_keep_their_python_thread_state(self):
        # The pool's thread_start hook made the state once per thread (see
        # gort_python.i): threading.local data set by one goroutine is
        # still there for the next one on the same thread, as on a
        # ThreadPoolExecutor's worker.
        self.assertEqual(gort.swig.gort.gort_python_hooks_status(), 0)
        local = threading.local()
        seen = gort.Chan(1)

        def body(i):
            before = getattr(local, "mark", None)
            local.mark = i
            seen.send((threading.get_ident(), before))

        results = []
        base = gort.num_goroutine()
        for i in range(20):  # one at a time: each body finds an idle pool thread
            gort.go(body, i)
            results.append(seen.recv()[0])
            while gort.num_goroutine() > base:
                gort.gosched()
        reused = [before for ident, before in results if before is not None]
        self.assertGreater(len(reused), 10, results)


if __name__ == "__main__":
    unittest.main()
