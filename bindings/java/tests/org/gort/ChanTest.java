package org.gort;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.Test;

public class ChanTest {
    @After
    public void noGoroutineLeft() {
        TestUtil.awaitGoroutines(0);
    }

    @Test
    public void unbufferedChannelCarriesObjectsInOrder() {
        List<String> got = new ArrayList<>();
        try (Chan<String> ch = new Chan<>()) {
            Go.spawn(() -> {
                Go.defer(ch::closeChannel);
                for (int i = 0; i < 100; i++) ch.send("v" + i);
            });
            for (String s : ch) got.add(s);
        }
        assertEquals(100, got.size());
        for (int i = 0; i < 100; i++) assertEquals("v" + i, got.get(i));
    }

    @Test
    public void bufferedChannelLenCapAndFifo() {
        try (Chan<Integer> ch = new Chan<>(3)) {
            assertEquals(3, ch.cap());
            ch.send(1);
            ch.send(2);
            assertEquals(2, ch.len());
            assertTrue(ch.trySend(3));
            assertFalse(ch.trySend(4));   // full
            assertEquals(Integer.valueOf(1), ch.recv());
            assertEquals(Integer.valueOf(2), ch.recv());
            assertEquals(Integer.valueOf(3), ch.recv());
            assertNull(ch.tryRecv());      // empty: would block
            assertEquals(0, ch.len());
        }
    }

    @Test
    public void closedChannelDeliversBufferedValuesThenZeroWithOkFalse() {
        try (Chan<String> ch = new Chan<>(2)) {
            ch.send("a");
            ch.send("b");
            ch.closeChannel();
            assertEquals(new Chan.Received<>("a", true), ch.recvOk());
            assertEquals(new Chan.Received<>("b", true), ch.tryRecv());
            assertEquals(new Chan.Received<String>(null, false), ch.recvOk());
            assertEquals(new Chan.Received<String>(null, false), ch.tryRecv());
            assertNull(ch.recv());
        }
    }

    @Test
    public void nullIsAValueToo() {
        try (Chan<String> ch = new Chan<>(1)) {
            ch.send(null);
            assertEquals(new Chan.Received<String>(null, true), ch.recvOk());
        }
    }

    @Test
    public void sendOnAClosedChannelIsGosPanic() {
        try (Chan<String> ch = new Chan<>(1)) {
            ch.closeChannel();
            GoPanic p = assertThrows(GoPanic.class, () -> ch.send("x"));
            assertEquals("send on closed channel", p.getMessage());
            assertEquals("send on closed channel", p.value());
            assertTrue(p.isRuntimeError());
            assertThrows(GoPanic.class, () -> ch.trySend("x"));
        }
    }

    @Test
    public void closingTwiceIsGosPanicAnIllegalStateException() {
        try (LongChan ch = new LongChan()) {
            ch.closeChannel();
            IllegalStateException e = assertThrows(IllegalStateException.class, ch::closeChannel);
            assertTrue(e instanceof GoPanic);
            assertEquals("close of closed channel", e.getMessage());
        }
    }

    @Test
    public void aSenderBlockedWhenTheChannelIsClosedPanics() {
        List<String> got = new ArrayList<>();
        try (Chan<String> ch = new Chan<>(); WaitGroup wg = new WaitGroup()) {
            wg.go(() -> {
                try {
                    ch.send("never received");
                    got.add("sent");
                } catch (GoPanic p) {
                    got.add(p.getMessage());
                }
            });
            // The sender may not be parked yet: a close before its send makes
            // the send panic too, so either order gives the same result.
            ch.closeChannel();
            wg.await();
        }
        assertEquals(List.of("send on closed channel"), got);
    }

    @Test
    public void useAfterFreeIsIllegalStateAndFreeIsIdempotent() {
        Chan<String> ch = new Chan<>(1);
        ch.close();
        ch.close();
        assertTrue(ch.isFreed());
        assertThrows(IllegalStateException.class, () -> ch.send("x"));
        assertThrows(IllegalStateException.class, ch::recv);
        assertThrows(IllegalStateException.class, ch::tryRecv);
        assertThrows(IllegalStateException.class, ch::closeChannel);
        assertThrows(IllegalStateException.class, ch::len);
        assertThrows(IllegalStateException.class, () -> Go.select(Select.recv(ch, v -> {})));
        assertThrows(IllegalArgumentException.class, () -> new Chan<String>(-1));
    }

    @Test
    public void freeingReleasesTheBufferedObjects() {
        Chan<Object> ch = new Chan<>(1);
        Object value = new Object();
        WeakReference<Object> weak = new WeakReference<>(value);
        ch.send(value);
        value = null;
        ch.close();
        for (int i = 0; i < 100 && weak.get() != null; i++) System.gc();
        assertNull(weak.get());
    }

    @Test
    public void freeingAChannelInUseWaitsForTheCallInFlight() {
        // A goroutine blocked in a select on ch and wake; ch is freed under it
        // (deferred), then wake releases it: no crash, ch freed after.
        List<String> got = new ArrayList<>();
        try (Chan<String> ch = new Chan<>(); Chan<String> wake = new Chan<>(); WaitGroup wg = new WaitGroup()) {
            wg.go(() -> Go.select(Select.recv(ch, v -> got.add("ch " + v)),
                    Select.recv(wake, v -> got.add("wake " + v))));
            // Until the select is in flight on ch (entered; parked or about to).
            while (ch.ref.inFlight() == 0) Thread.yield();
            ch.close();
            assertThrows(IllegalStateException.class, () -> ch.send("x"));
            wake.send("up");
            wg.await();
            assertTrue(ch.isFreed());
        }
        assertEquals(List.of("wake up"), got);
    }

    @Test
    public void longChanRangeAndTry() {
        long sum = 0;
        try (LongChan ch = new LongChan(4)) {
            Go.spawn(() -> {
                for (long i = 1; i <= 10; i++) ch.send(i);
                ch.closeChannel();
            });
            for (long v : ch) sum += v;
            assertEquals(new LongChan.Received(0, false), ch.tryRecv());
            assertThrows(GoPanic.class, () -> ch.send(1));
        }
        assertEquals(55, sum);
    }

    @Test
    public void adoptRejectsWhatIsNotALiveChannel() {
        assertThrows(IllegalArgumentException.class, () -> LongChan.adopt(0));
    }
}
