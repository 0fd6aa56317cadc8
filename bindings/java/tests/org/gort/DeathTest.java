package org.gort;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * An exception that leaves a goroutine body, not recovered, is a gort panic:
 * Go's output ("panic: <text>", a blank line, "goroutine N [running...]:"
 * and a trace) and exit status 2, the deferred calls having run first.
 */
public class DeathTest {
    private static void assertPanics(String scenario, String text, String stdout) throws Exception {
        TestUtil.Child c = TestUtil.runChild(scenario);
        assertEquals(c.stderr(), 2, c.status());
        String head = "panic: " + text + "\n\ngoroutine ";
        assertTrue("stderr: " + c.stderr(), c.stderr().startsWith(head));
        assertTrue("stderr: " + c.stderr(), c.stderr().substring(head.length()).matches("(?s)\\d+ \\[running[^\\n]*\\]:\\n.*"));
        assertEquals(stdout, c.stdout());
    }

    @Test
    public void anUncaughtJavaExceptionIsAPanicWithItsTypeAndMessage() throws Exception {
        assertPanics("exception", "java.lang.IllegalStateException: boom", "");
    }

    @Test
    public void anExceptionWithoutMessageIsItsTypeAlone() throws Exception {
        assertPanics("no-message", "java.lang.UnsupportedOperationException", "");
    }

    @Test
    public void goPanicPrintsItsValueAsGoDoes() throws Exception {
        assertPanics("go-panic", "disk on fire", "");
    }

    @Test
    public void deferredCallsRunBeforeTheProcessEnds() throws Exception {
        assertPanics("deferred-run-first", "java.lang.IllegalArgumentException: bad argument",
                "recover() = false\ndeferred 2\ndeferred 1\n");
    }

    @Test
    public void sendOnAClosedChannelNotRecovered() throws Exception {
        assertPanics("send-on-closed", "send on closed channel", "");
    }

    @Test
    public void aRawDirectorsExceptionGoesThroughTheGlue() throws Exception {
        assertPanics("raw-director", "java.lang.ArithmeticException: / by zero", "raw body 42\n");
    }
}
