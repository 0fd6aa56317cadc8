"""select."""

import unittest

import gort
from gort import Default, Recv, Send


class SelectTest(unittest.TestCase):
    def test_default_when_nothing_is_ready(self):
        a, b = gort.Chan(), gort.Chan(1)
        self.assertEqual(gort.select(Recv(a), Send(a, "x"), Default()), (2, None, False))
        self.assertEqual(a._objects, {}, "the value of a send that did not happen stays registered")
        self.assertEqual(gort.select(Recv(b), Default()).index, 1)

    def test_ready_receive(self):
        a, b = gort.Chan(1), gort.Chan(1)
        b.send("from b")
        self.assertEqual(gort.select(Recv(a), Recv(b), Default()), (1, "from b", True))

    def test_ready_send(self):
        a, b = gort.Chan(), gort.Chan(1)
        sel = gort.select(Send(a, "no receiver"), Send(b, ["payload"]), Default())
        self.assertEqual(sel.index, 1)
        self.assertEqual(b.recv(), (["payload"], True))
        self.assertEqual(a._objects, {})

    def test_receive_from_closed_channel_is_zero_and_not_ok(self):
        a, n = gort.Chan(), gort.IntChan()
        a.close()
        n.close()
        self.assertEqual(gort.select(Recv(a)), (0, None, False))
        self.assertEqual(gort.select(Recv(n)), (0, 0, False))

    def test_waits_for_a_goroutine(self):
        a, b = gort.Chan(), gort.Chan()
        gort.go(lambda: (gort.sleep(0.02), b.send(7)))
        self.assertEqual(gort.select(Recv(a), Recv(b)), (1, 7, True))

    def test_timeout_with_after(self):
        results = gort.Chan()
        t0 = gort.nanotime()
        sel = gort.select(Recv(results), Recv(gort.after(0.05)))
        self.assertEqual(sel.index, 1)
        self.assertTrue(sel.ok)
        self.assertGreaterEqual(gort.nanotime() - t0, 5 * 10**7)

    def test_nil_channel_cases_are_never_ready(self):
        ready = gort.Chan(1)
        ready.send("x")
        for _ in range(20):
            self.assertEqual(gort.select(Recv(None), Send(None, 1), Recv(ready), Default()).index, 2)
            ready.send("x")

    def test_choice_among_ready_cases_is_random(self):
        a, b = gort.IntChan(1), gort.IntChan(1)
        counts = [0, 0]
        for _ in range(400):
            a.try_send(1)
            b.try_send(2)
            counts[gort.select(Recv(a), Recv(b)).index] += 1
        self.assertGreater(min(counts), 100, counts)

    def test_send_case_on_closed_channel_panics(self):
        a, b = gort.Chan(), gort.Chan()
        b.close()
        with self.assertRaises(gort.Panic) as cm:
            gort.select(Send(a, "a"), Send(b, "b"))
        self.assertEqual(str(cm.exception), "send on closed channel")
        self.assertEqual((a._objects, b._objects), ({}, {}))

    def test_bad_cases(self):
        with self.assertRaises(ValueError):
            gort.select(Default(), Default())
        with self.assertRaises(TypeError):
            gort.select(gort.Chan())
        with self.assertRaises(TypeError):
            gort.select(Recv("not a channel"))
        with self.assertRaises(TypeError):
            gort.select(Send(gort.IntChan(1), "not an int"))

    def test_select_from_many_goroutines_at_once(self):
        jobs, results = gort.Chan(), gort.Chan()
        quit_ = gort.Chan()
        wg = gort.WaitGroup()

        def worker():
            while True:
                i, v, ok = gort.select(Recv(jobs), Recv(quit_))
                if i == 1:
                    return
                results.send(v * 2)

        for _ in range(4):
            wg.go(worker)
        gort.go(lambda: [jobs.send(i) for i in range(100)])
        self.assertEqual(sorted(results.recv()[0] for _ in range(100)), [i * 2 for i in range(100)])
        quit_.close()
        wg.wait()


if __name__ == "__main__":
    unittest.main()
