"""Goroutines, WaitGroup and the runtime functions."""

import threading
import unittest

import gort


class GoTest(unittest.TestCase):
    def test_goroutines_run_and_waitgroup_waits_for_all(self):
        n = 200
        seen = [0] * n
        wg = gort.WaitGroup()

        def body(i):
            seen[i] += 1
            wg.done()

        for i in range(n):
            wg.add(1)
            gort.go(body, i)
        wg.wait()
        self.assertEqual(seen, [1] * n)

    def test_arguments_are_evaluated_at_the_go_statement(self):
        wg = gort.WaitGroup()
        got = []
        lock = threading.Lock()

        def body(x, *, tag):
            with lock:
                got.append((x, tag))

        items = ["a"]
        for i in range(3):
            wg.go(body, i, tag=len(items))
            items.append("b")
        wg.wait()
        self.assertEqual(sorted(got), [(0, 1), (1, 2), (2, 3)])

    def test_go_returns_the_goroutine_id_that_the_body_sees(self):
        ch = gort.Chan(1)
        gid = gort.go(lambda: ch.send(gort.goid()))
        self.assertGreaterEqual(gid, 1)
        self.assertEqual(ch.recv(), (gid, True))
        self.assertEqual(gort.goid(), 0, "the main thread is not a goroutine")

    def test_ids_are_distinct(self):
        ids = [gort.go(lambda: None) for _ in range(50)]
        self.assertEqual(len(set(ids)), 50)

    def test_go_rejects_what_is_not_callable(self):
        with self.assertRaises(TypeError):
            gort.go(42)

    def test_dump_shows_a_blocked_body_locked_to_its_thread(self):
        release = gort.Chan()
        started = gort.WaitGroup()

        def body():
            started.done()
            release.recv()

        started.add(1)
        gid = gort.go(body)
        started.wait()
        header = "goroutine %d [chan receive, locked to thread]:\n" % gid
        deadline = gort.nanotime() + 10 * 10**9
        text = gort.dump()
        while header not in text and gort.nanotime() < deadline:
            gort.sleep(0.001)
            text = gort.dump()
        self.assertIn(header + "\tgoroutine running on other thread; stack unavailable\n", text)
        release.close()

    def test_num_goroutine_counts_live_goroutines(self):
        release = gort.Chan()
        started = gort.WaitGroup()

        def body():
            started.done()
            release.recv()

        started.add(5)
        for _ in range(5):
            gort.go(body)
        started.wait()
        during = gort.num_goroutine()  # goroutines of other tests may still be ending
        self.assertGreaterEqual(during, 5)
        release.close()
        deadline = gort.nanotime() + 5 * 10**9
        while gort.num_goroutine() > during - 5 and gort.nanotime() < deadline:
            gort.sleep(0.001)
        self.assertLessEqual(gort.num_goroutine(), during - 5)

    def test_main_runs_fn_as_a_goroutine_and_returns_its_result(self):
        def real_main(a, b):
            return (a + b, gort.goid() > 0, gort.num_goroutine() >= 1)

        self.assertEqual(gort.main(real_main, 2, b=3), (5, True, True))

    def test_waitgroup_go_calls_done_when_the_body_recovers(self):
        wg = gort.WaitGroup()
        recovered = []

        def body():
            gort.defer(lambda: recovered.append(gort.recover()))
            gort.panic("boom")

        wg.go(body)
        wg.wait()
        self.assertEqual(recovered, ["boom"])

    def test_runtime_queries(self):
        self.assertGreaterEqual(gort.num_cpu(), 1)
        procs = gort.gomaxprocs()
        self.assertGreaterEqual(procs, 1)
        self.assertEqual(gort.gomaxprocs(procs), procs)
        self.assertRegex(gort.version(), r"^\d+\.\d+\.\d+")
        t0 = gort.nanotime()
        gort.sleep(0.01)
        self.assertGreaterEqual(gort.nanotime() - t0, 10**7)


class WaitGroupTest(unittest.TestCase):
    def test_negative_counter_is_go_s_panic_and_leaves_the_counter(self):
        wg = gort.WaitGroup()
        wg.add(1)
        with self.assertRaises(gort.Panic) as cm:
            wg.add(-2)
        self.assertEqual(str(cm.exception), "sync: negative WaitGroup counter")
        self.assertEqual(cm.exception.value, "sync: negative WaitGroup counter")
        wg.done()  # the counter was still 1
        with self.assertRaises(gort.Panic):
            wg.done()
        wg.wait()

    def test_wait_on_zero_returns_at_once(self):
        gort.WaitGroup().wait()

    def test_counter_overflow(self):
        wg = gort.WaitGroup()
        with self.assertRaises(OverflowError):
            wg.add(2**31)

    def test_waiters_in_goroutines_and_threads_are_released_together(self):
        wg = gort.WaitGroup()
        wg.add(1)
        done = gort.Chan(3)
        gort.go(lambda: (wg.wait(), done.send("goroutine")))
        gort.go(lambda: (wg.wait(), done.send("goroutine")))
        t = threading.Thread(target=lambda: (wg.wait(), done.send("thread")))
        t.start()
        gort.sleep(0.02)
        self.assertEqual(len(done), 0)
        wg.done()
        self.assertEqual(sorted(done.recv()[0] for _ in range(3)), ["goroutine", "goroutine", "thread"])
        t.join()


if __name__ == "__main__":
    unittest.main()
