"""defer, panic and recover."""

import unittest

import gort


def run_in_goroutine(fn, *args):
    """Run fn(*args) as a goroutine and return what it returned."""
    out = gort.Chan(1)
    gort.go(lambda: out.send(fn(*args)))
    return out.recv()[0]


class DeferTest(unittest.TestCase):
    def test_deferred_calls_run_last_in_first_out(self):
        def body():
            out = []
            gort.call(lambda: [gort.defer(out.append, i) for i in range(5)])
            return out

        self.assertEqual(run_in_goroutine(body), [4, 3, 2, 1, 0])

    def test_arguments_are_evaluated_at_the_defer(self):
        out = []

        @gort.frame
        def f():
            x = 1
            gort.defer(out.append, x)
            x = 2
            gort.defer(lambda: out.append(x))  # a closure sees the variable at the end
            x = 3

        f()
        self.assertEqual(out, [3, 1])

    def test_deferred_calls_of_a_goroutine_body(self):
        out = gort.Chan(10)
        done = gort.WaitGroup()
        done.add(1)

        def body():
            gort.defer(done.done)
            gort.defer(out.send, "deferred 1")
            gort.defer(out.send, "deferred 2")
            out.send("body")

        gort.go(body)
        done.wait()
        out.close()
        self.assertEqual(list(out), ["body", "deferred 2", "deferred 1"])

    def test_a_deferred_call_may_defer_in_its_own_frame(self):
        out = []

        def deferred():
            gort.defer(out.append, "inner deferred")
            out.append("deferred")

        @gort.frame
        def f():
            gort.defer(out.append, "outer 1")
            gort.defer(deferred)
            out.append("body")

        f()
        self.assertEqual(out, ["body", "deferred", "inner deferred", "outer 1"])

    def test_defer_outside_a_frame_raises(self):
        with self.assertRaises(RuntimeError):
            gort.defer(print)
        with self.assertRaises(TypeError):
            gort.call(lambda: gort.defer("not callable"))

    def test_frame_decorator_returns_the_result(self):
        @gort.frame
        def add(a, b):
            gort.defer(lambda: None)
            return a + b

        self.assertEqual(add(2, b=3), 5)
        self.assertEqual(add.__name__, "add")

    def test_frame_context_manager(self):
        out = []
        with gort.Frame() as f:
            f.defer(out.append, 1)
            gort.defer(out.append, 2)
            out.append(0)
        self.assertEqual(out, [0, 2, 1])
        self.assertFalse(f.recovered)

    def test_frame_defer_must_be_the_innermost_frame(self):
        with gort.Frame() as outer:
            with gort.Frame():
                with self.assertRaises(RuntimeError):
                    outer.defer(print)


class PanicRecoverTest(unittest.TestCase):
    def test_recover_stops_a_panic_and_returns_its_value(self):
        seen = []

        @gort.frame
        def f():
            gort.defer(lambda: seen.append(gort.recover()))
            gort.panic({"code": 7})

        self.assertIsNone(f(), "a recovered function returns Go's zero value")
        self.assertEqual(seen, [{"code": 7}])

    def test_recover_returns_any_exception_itself(self):
        seen = []
        err = KeyError("k")

        def f():
            gort.defer(lambda: seen.append(gort.recover()))
            raise err

        gort.call(f)
        self.assertIs(seen[0], err)

    def test_recover_is_none_when_not_panicking_or_not_deferred(self):
        seen = []

        @gort.frame
        def f():
            gort.defer(lambda: seen.append(gort.recover()))
            seen.append(gort.recover())

        f()
        self.assertEqual(seen, [None, None])
        self.assertIsNone(gort.recover())

    def test_recover_in_a_nested_frame_does_not_recover(self):
        seen = []

        def deferred():
            seen.append(gort.call(gort.recover))  # a frame of its own: Go's rule, nil

        @gort.frame
        def f():
            gort.defer(deferred)
            gort.panic("deep")

        with self.assertRaises(gort.Panic) as cm:
            f()
        self.assertEqual(seen, [None])
        self.assertEqual(cm.exception.value, "deep")

    def test_recover_only_once(self):
        seen = []

        @gort.frame
        def f():
            gort.defer(lambda: seen.append((gort.recover(), gort.recover())))
            gort.panic("once")

        f()
        self.assertEqual(seen, [("once", None)])

    def test_deferred_calls_after_the_recovering_one_still_run(self):
        out = []

        @gort.frame
        def f():
            gort.defer(out.append, "first deferred")
            gort.defer(lambda: out.append("recovered " + gort.recover()))
            gort.defer(out.append, "last deferred")
            gort.panic("p")

        f()
        self.assertEqual(out, ["last deferred", "recovered p", "first deferred"])

    def test_a_deferred_call_that_raises_replaces_the_panic(self):
        seen = []

        def replace():
            raise ValueError("second")

        @gort.frame
        def f():
            gort.defer(lambda: seen.append(gort.recover()))
            gort.defer(replace)
            gort.panic("first")

        f()
        self.assertIsInstance(seen[0], ValueError)
        self.assertEqual(str(seen[0]), "second")
        self.assertIsInstance(seen[0].__context__, gort.Panic)

    def test_unrecovered_panic_propagates_after_the_deferred_calls(self):
        out = []

        @gort.frame
        def f():
            gort.defer(out.append, "deferred")
            raise LookupError("not recovered")

        with self.assertRaises(LookupError):
            f()
        self.assertEqual(out, ["deferred"])

    def test_panic_in_a_deferred_call_when_not_panicking(self):
        @gort.frame
        def f():
            gort.defer(gort.panic, "from defer")
            return "result"

        with self.assertRaises(gort.Panic) as cm:
            f()
        self.assertEqual(cm.exception.value, "from defer")

    def test_panic_none_is_a_panic_nil_error(self):
        seen = []

        @gort.frame
        def f():
            gort.defer(lambda: seen.append(gort.recover()))
            gort.panic(None)

        f()
        self.assertIsInstance(seen[0], gort.PanicNilError)

    def test_frame_context_manager_suppresses_a_recovered_panic(self):
        with gort.Frame() as f:
            gort.defer(gort.recover)
            raise RuntimeError("stopped")
        self.assertTrue(f.recovered)

    def test_frame_context_manager_lets_an_unrecovered_panic_go(self):
        with self.assertRaises(RuntimeError):
            with gort.Frame() as f:
                gort.defer(lambda: None)
                raise RuntimeError("goes on")
        self.assertFalse(f.recovered)

    def test_a_goroutine_that_recovers_lets_the_program_go_on(self):
        def body():
            gort.defer(lambda: results.send("recovered: %s" % gort.recover()))
            gort.panic("worker failed")

        results = gort.Chan(1)
        gort.go(body)
        self.assertEqual(results.recv(), ("recovered: worker failed", True))

    def test_panic_text_of_values(self):
        self.assertEqual(str(gort.Panic("plain")), "plain")
        self.assertEqual(str(gort.Panic(42)), "42")
        self.assertEqual(str(gort.Panic(ValueError("bad"))), "ValueError: bad")


if __name__ == "__main__":
    unittest.main()
