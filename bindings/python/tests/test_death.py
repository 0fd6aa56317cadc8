"""How a program ends. An exception that leaves a goroutine body, not
recovered, is a gort panic: Go's output ("panic: <text>", a blank line,
"goroutine N [running...]:" and a trace) and exit status 2, the deferred
calls having run first. When the main thread returns, the program ends
with the interpreter's status, whatever the goroutines do. Each scenario
runs in a child process."""

import unittest

from support import run_python


class DeathTest(unittest.TestCase):
    def assertPanics(self, code, text, stdout="", env=None):
        c = run_python(code, env=env)
        self.assertEqual(c.status, 2, c.stderr)
        head = "panic: " + text + "\n\ngoroutine "
        self.assertIn(head, c.stderr)
        if env is None:
            self.assertTrue(c.stderr.startswith(head), c.stderr)
        rest = c.stderr[c.stderr.index(head) + len(head):]
        self.assertRegex(rest, r"^\d+ \[running[^\n]*\]:\n", c.stderr)
        self.assertEqual(c.stdout, stdout)
        return c

    def test_an_uncaught_exception_is_a_panic_with_its_type_and_message(self):
        self.assertPanics("""
            import gort
            def body():
                raise ValueError("boom")
            gort.go(body)
            gort.sleep(30)
        """, "ValueError: boom")

    def test_an_exception_without_message_is_its_type_alone(self):
        self.assertPanics("""
            import gort
            def body():
                raise NotImplementedError
            gort.go(body)
            gort.sleep(30)
        """, "NotImplementedError")

    def test_a_type_outside_builtins_and_main_is_named_with_its_module(self):
        self.assertPanics("""
            import gort, json
            gort.go(json.loads, "{")
            gort.sleep(30)
        """, "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: "
             "line 1 column 2 (char 1)")

    def test_gort_panic_prints_its_value_as_go_does(self):
        self.assertPanics("""
            import gort
            gort.go(gort.panic, "disk on fire")
            gort.sleep(30)
        """, "disk on fire")

    def test_deferred_calls_run_before_the_process_ends(self):
        self.assertPanics("""
            import gort
            def body():
                gort.defer(print, "deferred 1")
                gort.defer(print, "deferred 2")
                print("body")
                raise ArithmeticError("bad argument")
            gort.go(body)
            gort.sleep(30)
        """, "ArithmeticError: bad argument", "body\ndeferred 2\ndeferred 1\n")

    def test_send_on_a_closed_channel_not_recovered(self):
        self.assertPanics("""
            import gort
            ch = gort.Chan(1)
            ch.close()
            gort.go(ch.send, "x")
            gort.sleep(30)
        """, "send on closed channel")

    def test_an_exception_in_the_main_goroutine(self):
        self.assertPanics("""
            import gort
            def real_main():
                print("main runs")
                raise KeyError("missing")
            gort.main(real_main)
            print("not reached")
        """, "KeyError: 'missing'", "main runs\n")

    def test_a_raw_director_exception_goes_through_the_glue(self):
        # A GoRunnable subclass spawned with the SWIG layer's gort_spawn: the
        # director:except of gort_python.i makes the text, the glue panics.
        self.assertPanics("""
            from gort.swig import gort as g
            class Raw(g.GoRunnable):
                def run(self, arg):
                    print("raw body", arg, flush=True)
                    1 / 0
            r = Raw()
            g.gort_spawn(r, 42)
            g.go_sleep(30 * 10**9)
        """, "ZeroDivisionError: division by zero", "raw body 42\n")

    def test_python_traceback_on_request(self):
        c = self.assertPanics("""
            import gort
            def failing_function():
                raise ValueError("traced")
            gort.go(failing_function)
            gort.sleep(30)
        """, "ValueError: traced", env={"GORT_PYTHON_TRACEBACK": "1"})
        self.assertTrue(c.stderr.startswith("Traceback (most recent call last):"), c.stderr)
        self.assertIn("in failing_function", c.stderr)
        self.assertLess(c.stderr.index("in failing_function"), c.stderr.index("panic: "))

    def test_a_panic_in_one_goroutine_is_recovered_and_the_other_finishes(self):
        c = run_python("""
            import gort
            results = [None, None]
            wg = gort.WaitGroup()
            def worker(i):
                gort.defer(wg.done)
                if i == 1:
                    gort.defer(lambda: results.__setitem__(1, "recovered: %s" % gort.recover()))
                    gort.panic("worker 1 failed")
                results[0] = "finished normally"
            wg.add(2)
            gort.go(worker, 0)
            gort.go(worker, 1)
            wg.wait()
            print(results)
        """)
        self.assertEqual((c.status, c.stderr), (0, ""))
        self.assertEqual(c.stdout, "['finished normally', 'recovered: worker 1 failed']\n")

    def test_main_returning_ends_the_program_whatever_the_goroutines_do(self):
        # Go's rule. Goroutines running Python, sleeping or blocked when the
        # interpreter finalizes must neither keep the process alive nor turn
        # the exit into an error (Python would end a thread asking for the
        # GIL with pthread_exit, a fatal error inside a goroutine). Several
        # runs: where finalization catches each thread varies.
        for _ in range(8):
            c = run_python("""
                import gort
                def spin():
                    x = 0
                    while True:
                        x += 1
                        if x % 500 == 0:
                            gort.sleep(0.0001)
                blocked = gort.Chan()
                for _ in range(6):
                    gort.go(spin)
                gort.go(blocked.recv)
                gort.go(gort.sleep, 3600)
                gort.sleep(0.1)
                print("main returns")
            """, timeout=30)
            self.assertEqual((c.status, c.stdout, c.stderr), (0, "main returns\n", ""))

    def test_the_finalizing_thread_may_still_block_in_gort(self):
        # Only other threads park when they want the GIL back during
        # finalization; the main thread, finalizing, gets it back.
        c = run_python("""
            import gort, sys
            class Late:
                def __del__(self, gort=gort, sys=sys):
                    finalizing = sys.is_finalizing()
                    gort.sleep(0.01)
                    print("__del__ after a sleep, finalizing:", finalizing, flush=True)
            late = Late()
            gort.go(gort.sleep, 3600)
            print("main returns")
        """, timeout=30)
        self.assertEqual((c.status, c.stderr), (0, ""))
        self.assertEqual(c.stdout, "main returns\n__del__ after a sleep, finalizing: True\n")

    def test_system_exit_in_main_keeps_its_status(self):
        c = run_python("""
            import gort, sys
            gort.go(gort.sleep, 3600)
            sys.exit(3)
        """)
        self.assertEqual((c.status, c.stderr), (3, ""))


if __name__ == "__main__":
    unittest.main()
