"""Mutex."""

import threading
import unittest

import gort


class MutexTest(unittest.TestCase):
    def test_mutual_exclusion_across_goroutines(self):
        mu = gort.Mutex()
        state = {"inside": 0, "max_inside": 0, "count": 0}
        wg = gort.WaitGroup()

        def body():
            for _ in range(20):
                with mu:
                    state["inside"] += 1
                    state["max_inside"] = max(state["max_inside"], state["inside"])
                    gort.gosched()  # lets the others run (and try the lock) while we hold it
                    state["count"] += 1
                    state["inside"] -= 1

        for _ in range(8):
            wg.go(body)
        wg.wait()
        self.assertEqual(state["count"], 160)
        self.assertEqual(state["max_inside"], 1)

    def test_lock_blocks_until_unlocked_by_another_goroutine(self):
        mu = gort.Mutex()
        mu.lock()
        got = gort.Chan(1)
        gort.go(lambda: (mu.lock(), got.send("locked")))
        gort.sleep(0.05)
        self.assertIsNone(got.try_recv())
        gort.go(mu.unlock)  # as in Go, any goroutine may unlock it
        self.assertEqual(got.recv(), ("locked", True))
        mu.unlock()

    def test_try_lock(self):
        mu = gort.Mutex()
        self.assertTrue(mu.try_lock())
        self.assertFalse(mu.try_lock())
        t = threading.Thread(target=lambda: setattr(self, "_other", mu.try_lock()))
        t.start()
        t.join()
        self.assertFalse(self._other)
        mu.unlock()
        self.assertTrue(mu.try_lock())
        mu.unlock()

    def test_unlock_of_unlocked_mutex_raises(self):
        mu = gort.Mutex()
        with self.assertRaises(RuntimeError) as cm:
            mu.unlock()
        self.assertEqual(str(cm.exception), "sync: unlock of unlocked mutex")

    def test_context_manager_unlocks_on_exception(self):
        mu = gort.Mutex()
        with self.assertRaises(KeyError):
            with mu:
                raise KeyError("k")
        self.assertTrue(mu.try_lock())
        mu.unlock()

    def test_a_locked_mutex_can_be_dropped(self):
        mu = gort.Mutex()
        mu.lock()
        del mu  # freed unlocked: gort's mutex_free would fail on a locked one


if __name__ == "__main__":
    unittest.main()
