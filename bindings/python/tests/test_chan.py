"""Channels of objects and of integers."""

import unittest

import gort


class ChanTest(unittest.TestCase):
    def test_unbuffered_send_waits_for_the_receiver(self):
        ch = gort.Chan()
        sent = gort.Chan(1)

        def sender():
            ch.send({"k": [1, 2]})
            sent.send(True)

        gort.go(sender)
        gort.sleep(0.05)
        self.assertIsNone(sent.try_recv(), "an unbuffered send completed with no receiver")
        self.assertEqual(ch.recv(), ({"k": [1, 2]}, True))
        self.assertEqual(sent.recv(), (True, True))

    def test_objects_keep_their_identity(self):
        ch = gort.Chan(1)
        obj = object()
        ch.send(obj)
        v, ok = ch.recv()
        self.assertIs(v, obj)
        self.assertTrue(ok)

    def test_buffered_is_fifo_with_len_and_cap(self):
        ch = gort.Chan(3)
        self.assertEqual((len(ch), ch.cap), (0, 3))
        for v in ("a", None, 3):
            ch.send(v)
        self.assertEqual(len(ch), 3)
        self.assertFalse(ch.try_send("full"))
        self.assertEqual([ch.recv() for _ in range(3)], [("a", True), (None, True), (3, True)])
        self.assertTrue(ch, "an empty channel is still true")

    def test_close_drains_then_gives_zero_value_and_not_ok(self):
        ch = gort.Chan(2)
        ch.send(1)
        ch.send(2)
        ch.close()
        self.assertEqual([ch.recv(), ch.recv(), ch.recv(), ch.recv()], [(1, True), (2, True), (None, False), (None, False)])
        self.assertEqual(ch.try_recv(), (None, False))

    def test_range_until_closed(self):
        ch = gort.Chan()

        def producer():
            for i in range(100):
                ch.send(i * i)
            ch.close()

        gort.go(producer)
        self.assertEqual(list(ch), [i * i for i in range(100)])

    def test_close_releases_every_blocked_receiver(self):
        ch = gort.Chan()
        got = gort.Chan(4)
        for _ in range(4):
            gort.go(lambda: got.send(ch.recv()))
        gort.sleep(0.05)
        ch.close()
        self.assertEqual([got.recv()[0] for _ in range(4)], [(None, False)] * 4)

    def test_send_on_closed_channel_panics(self):
        ch = gort.Chan(1)
        ch.close()
        with self.assertRaises(gort.Panic) as cm:
            ch.send("x")
        self.assertEqual(str(cm.exception), "send on closed channel")
        self.assertTrue(cm.exception.runtime_error)
        with self.assertRaises(gort.Panic):
            ch.try_send("x")
        self.assertEqual(ch._objects, {}, "the values of failed sends stay registered")

    def test_blocked_sender_panics_when_the_channel_is_closed(self):
        ch = gort.Chan()
        result = gort.Chan(1)

        def sender():
            try:
                ch.send("never taken")
            except gort.Panic as e:
                result.send(str(e))

        gort.go(sender)
        gort.sleep(0.05)
        ch.close()
        self.assertEqual(result.recv(), ("send on closed channel", True))

    def test_close_of_closed_channel_panics(self):
        ch = gort.Chan()
        ch.close()
        with self.assertRaises(gort.Panic) as cm:
            ch.close()
        self.assertEqual(str(cm.exception), "close of closed channel")

    def test_try_recv_and_try_send(self):
        ch = gort.Chan(1)
        self.assertIsNone(ch.try_recv())
        self.assertTrue(ch.try_send("v"))
        self.assertFalse(ch.try_send("w"))
        self.assertEqual(ch.try_recv(), ("v", True))
        self.assertEqual(ch._objects, {})

    def test_bad_capacity(self):
        with self.assertRaises(ValueError):
            gort.Chan(-1)
        with self.assertRaises(ValueError):
            gort.Chan(2**31)

    def test_many_producers_one_consumer(self):
        ch = gort.Chan(8)
        wg = gort.WaitGroup()
        for p in range(10):
            wg.go(lambda p: [ch.send((p, i)) for i in range(50)], p)
        gort.go(lambda: (wg.wait(), ch.close()))
        got = list(ch)
        self.assertEqual(sorted(got), sorted((p, i) for p in range(10) for i in range(50)))
        for p in range(10):
            self.assertEqual([i for q, i in got if q == p], list(range(50)), "per-sender order")


class IntChanTest(unittest.TestCase):
    def test_int_values_and_zero_value_when_closed(self):
        ch = gort.IntChan(2)
        ch.send(-(2**63))
        ch.send(2**63 - 1)
        ch.close()
        self.assertEqual(list(ch), [-(2**63), 2**63 - 1])
        self.assertEqual(ch.recv(), (0, False))

    def test_address_round_trip_shares_the_channel(self):
        ch = gort.IntChan(1)
        other = gort.IntChan.from_address(ch.address)
        other.send(42)
        self.assertEqual(ch.recv(), (42, True))
        with self.assertRaises(ValueError):
            gort.IntChan.from_address(0)

    def test_only_integers(self):
        with self.assertRaises(TypeError):
            gort.IntChan(1).send("1")

    def test_after_fires_once_with_the_time(self):
        t0 = gort.nanotime()
        ch = gort.after(0.02)
        t, ok = ch.recv()
        self.assertTrue(ok)
        self.assertGreaterEqual(t - t0, 2 * 10**7)
        self.assertIsNone(ch.try_recv())
        self.assertEqual(ch.cap, 1)


if __name__ == "__main__":
    unittest.main()
