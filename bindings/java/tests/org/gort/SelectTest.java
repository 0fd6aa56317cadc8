package org.gort;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;

public class SelectTest {
    @After
    public void noGoroutineLeft() {
        TestUtil.awaitGoroutines(0);
    }

    @Test
    public void defaultRunsWhenNothingIsReady() {
        List<String> got = new ArrayList<>();
        try (Chan<String> ch = new Chan<>()) {
            int i = Go.select(Select.recv(ch, v -> got.add("recv")), Select.otherwise(() -> got.add("default")));
            assertEquals(1, i);
        }
        assertEquals(List.of("default"), got);
    }

    @Test
    public void theReadyCaseRuns() {
        List<String> got = new ArrayList<>();
        try (Chan<String> a = new Chan<>(1); LongChan b = new LongChan(1)) {
            b.send(7);
            int i = Go.select(Select.recv(a, v -> got.add("a " + v)), Select.recv(b, v -> got.add("b " + v)));
            assertEquals(1, i);
            a.send("x");
            i = Go.select(Select.recv(a, v -> got.add("a " + v)), Select.recv(b, v -> got.add("b " + v)),
                    Select.otherwise(null));
            assertEquals(0, i);
        }
        assertEquals(List.of("b 7", "a x"), got);
    }

    @Test
    public void sendCaseAndNilChannel() {
        List<String> got = new ArrayList<>();
        try (Chan<String> out = new Chan<>(1)) {
            int i = Go.select(Select.recv((Chan<String>) null, v -> got.add("nil")),
                    Select.send(out, "hello", () -> got.add("sent")));
            assertEquals(1, i);
            assertEquals("hello", out.recv());
            // The buffer is full now: the send case is not ready and its
            // object is not kept.
            out.send("fill");
            i = Go.select(Select.send(out, "dropped", null), Select.otherwise(() -> got.add("full")));
            assertEquals(1, i);
            assertEquals("fill", out.recv());
            assertEquals(null, out.tryRecv());
        }
        assertEquals(List.of("sent", "full"), got);
    }

    @Test
    public void recvOkOnAClosedChannel() {
        List<String> got = new ArrayList<>();
        try (Chan<String> ch = new Chan<>()) {
            ch.closeChannel();
            Go.select(Select.recvOk(ch, (v, ok) -> got.add(v + " " + ok)));
        }
        assertEquals(List.of("null false"), got);
    }

    @Test
    public void sendCaseOnAClosedChannelIsGosPanic() {
        try (LongChan ch = new LongChan(1)) {
            ch.closeChannel();
            GoPanic p = assertThrows(GoPanic.class, () -> Go.select(Select.send(ch, 1, null)));
            assertEquals("send on closed channel", p.getMessage());
        }
    }

    @Test
    public void badCasesAreOrdinaryExceptions() {
        assertThrows(NullPointerException.class, () -> Go.select((Select.Case) null));
        assertThrows(IllegalArgumentException.class,
                () -> Go.select(Select.otherwise(null), Select.otherwise(null)));
    }

    @Test
    public void selectWaitsForAGoroutineOrATimer() {
        List<String> got = new ArrayList<>();
        // The goroutine's send races a timer it must win: a long one (a body
        // may take more than 20 ms to start on a loaded machine, and a
        // timeout taken here would leave the second select nothing to wait
        // for). The second select then waits for the short one.
        try (Chan<String> results = new Chan<>(); LongChan never = new LongChan();
             LongChan slow = Go.after(Duration.ofSeconds(60)); LongChan timeout = Go.after(Duration.ofMillis(20))) {
            Go.spawn(() -> results.send("result"));
            Go.select(Select.recv(results, got::add), Select.recv(slow, t -> got.add("slow timer")));
            Go.select(Select.recv(never, v -> got.add("never")), Select.recv(timeout, t -> got.add("timeout")));
        }
        assertEquals(List.of("result", "timeout"), got);
    }

    @Test
    public void aHandlerMaySelectAgain() {
        List<String> got = new ArrayList<>();
        try (LongChan a = new LongChan(1); LongChan b = new LongChan(1)) {
            a.send(1);
            b.send(2);
            Go.select(Select.recv(a, v -> Go.select(Select.recv(b, w -> got.add(v + "+" + w)))));
        }
        assertEquals(List.of("1+2"), got);
    }

    @Test
    public void readyCasesAreChosenAtRandom() {
        int[] count = new int[2];
        try (LongChan a = new LongChan(1); LongChan b = new LongChan(1)) {
            for (int i = 0; i < 400; i++) {
                a.trySend(0);
                b.trySend(0);
                count[Go.select(Select.recv(a, null), Select.recv(b, null))]++;
            }
        }
        assertTrue(count[0] > 100 && count[1] > 100);
    }
}
