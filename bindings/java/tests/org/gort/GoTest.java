package org.gort;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Test;

/** Goroutines, defer, panic and recover. Results are recorded in the
 * goroutines and asserted on the test thread, after a WaitGroup. */
public class GoTest {
    /** Every test leaves no goroutine behind (a finishing body may still be
     * on its way out of the pool thread: yield until it is gone). */
    @After
    public void noGoroutineLeft() {
        TestUtil.awaitGoroutines(0);
    }

    @Test
    public void dumpShowsABlockedBodyLockedToItsThread() throws Exception {
        try (WaitGroup started = new WaitGroup(); WaitGroup release = new WaitGroup();
             WaitGroup done = new WaitGroup()) {
            started.add(1);
            release.add(1);
            done.add(1);
            long id = Go.spawn(() -> {
                started.done();
                release.await();
                done.done();
            });
            started.await();
            String header = "goroutine " + id + " [semacquire, locked to thread]:\n";
            String d = Go.dump();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!d.contains(header) && System.nanoTime() < deadline) {
                Thread.sleep(1);
                d = Go.dump();
            }
            assertTrue(d, d.contains(header + "\tgoroutine running on other thread; stack unavailable\n"));
            release.done();
            done.await();
        }
    }

    @Test
    public void spawnNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> Go.spawn(null));
    }

    @Test
    public void bodyRunsAsAGoroutineWithTheReturnedId() {
        AtomicLong seen = new AtomicLong();
        long id;
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(1);
            id = Go.spawn(() -> {
                seen.set(Go.id());
                wg.done();
            });
            wg.await();
        }
        assertTrue(id >= 1);
        assertEquals(id, seen.get());
        assertEquals(0, Go.id());   // the test thread is not a goroutine
    }

    @Test
    public void waitGroupOverManyGoroutines() {
        final int n = 2000;
        AtomicLong sum = new AtomicLong();
        try (WaitGroup wg = new WaitGroup()) {
            for (int i = 0; i < n; i++) {
                int k = i;
                wg.go(() -> sum.addAndGet(k));
            }
            wg.await();
        }
        assertEquals((long) n * (n - 1) / 2, sum.get());
    }

    @Test
    public void deferredCallsRunInReverseOrder() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            for (int i = 0; i < 5; i++) {
                int k = i;
                Go.defer(() -> order.add("d" + k));
            }
            order.add("body");
        });
        assertEquals(List.of("body", "d4", "d3", "d2", "d1", "d0"), order);
    }

    @Test
    public void aDeferredCallIsAFrameAndMayDefer() {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> order.add("4"));
            Go.defer(() -> {
                Go.defer(() -> order.add("3"));
                order.add("2");
            });
            order.add("1");
        });
        assertEquals(List.of("1", "2", "3", "4"), order);
    }

    @Test
    public void recoverStopsAPanicAndReturnsItsValue() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> got.add("after recover"));
            Go.defer(() -> got.add(Go.recover()));
            Go.defer(() -> got.add("first deferred"));
            got.add("body");
            throw Go.panic("disk on fire");
        });
        assertEquals(List.of("body", "first deferred", "disk on fire", "after recover"), got);
    }

    @Test
    public void recoverReturnsAJavaExceptionItself() {
        AtomicReference<Object> got = new AtomicReference<>();
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> got.set(Go.recover()));
            throw new IllegalArgumentException("bad input");
        });
        assertTrue(got.get() instanceof IllegalArgumentException);
        assertEquals("bad input", ((Throwable) got.get()).getMessage());
    }

    @Test
    public void recoverIsNullWhenNotPanicking() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            got.add(Go.recover());                 // in the body
            Go.defer(() -> got.add(Go.recover())); // deferred, no panic
        });
        assertEquals(Collections.nCopies(2, null), got);
        assertNull(Go.recover());                  // not in a goroutine at all
    }

    @Test
    public void recoverInANestedCallDoesNotRecover() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> got.add("outer: " + Go.recover()));
            Go.defer(() -> Go.call(() -> got.add("nested: " + Go.recover())));
            throw Go.panic("p");
        });
        assertEquals(List.of("nested: null", "outer: p"), got);
    }

    @Test
    public void recoverTwiceReturnsNullTheSecondTime() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> {
                got.add(Go.recover());
                got.add(Go.recover());
            });
            throw Go.panic(42);
        });
        assertEquals(2, got.size());
        assertEquals(42, got.get(0));
        assertNull(got.get(1));
    }

    @Test
    public void aDeferredCallThatPanicsReplacesThePanic() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> got.add(Go.recover()));
            Go.defer(() -> {
                throw Go.panic("second");
            });
            throw Go.panic("first");
        });
        assertEquals(List.of("second"), got);
    }

    @Test
    public void deferredCallsOfOuterFramesSeeAPanicNotRecoveredInside() {
        List<Object> got = Collections.synchronizedList(new ArrayList<>());
        TestUtil.runGoroutine(() -> {
            Go.defer(() -> got.add("outer recovered: " + Go.recover()));
            Go.call(() -> {
                Go.defer(() -> got.add("inner deferred"));
                throw Go.panic("deep");
            });
            got.add("not reached");
        });
        assertEquals(List.of("inner deferred", "outer recovered: deep"), got);
    }

    @Test
    public void callReturnsTrueWhenItsDeferredCallRecovered() {
        // Go.call works on any thread, the test thread included.
        List<Object> got = new ArrayList<>();
        boolean recovered = Go.call(() -> {
            Go.defer(() -> got.add(Go.recover()));
            throw Go.panic("x");
        });
        assertTrue(recovered);
        assertEquals(List.of("x"), got);
        assertFalse(Go.call(() -> Go.defer(() -> got.add("plain"))));
        assertEquals(List.of("x", "plain"), got);
    }

    @Test
    public void callPropagatesAPanicNothingRecovered() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Go.call(() -> {
            throw new IllegalStateException("unhandled");
        }));
        assertEquals("unhandled", e.getMessage());
        GoPanic p = assertThrows(GoPanic.class, () -> Go.call(() -> {
            throw Go.panic(7);
        }));
        assertEquals(7, p.value());
        assertEquals("7", p.getMessage());
        assertFalse(p.isRuntimeError());
    }

    @Test
    public void deferOutsideAFrameIsIllegalState() {
        assertThrows(IllegalStateException.class, () -> Go.defer(() -> {}));
        assertThrows(NullPointerException.class, () -> Go.call(() -> Go.defer(null)));
        assertThrows(NullPointerException.class, () -> Go.call(null));
    }

    @Test
    public void aPanicInOneGoroutineDoesNotReachAnother() {
        List<String> results = Collections.synchronizedList(new ArrayList<>());
        try (WaitGroup all = new WaitGroup(); WaitGroup recovered = new WaitGroup()) {
            all.add(2);
            recovered.add(1);
            Go.spawn(() -> {
                Go.defer(all::done);
                recovered.await();
                results.add("worker 0 finished normally, recover() = " + Go.recover());
            });
            Go.spawn(() -> {
                Go.defer(all::done);
                Go.defer(recovered::done);
                Go.defer(() -> results.add("worker 1 recovered: " + Go.recover()));
                throw Go.panic("worker 1 failed");
            });
            all.await();
        }
        assertEquals(List.of("worker 1 recovered: worker 1 failed",
                "worker 0 finished normally, recover() = null"), results);
    }

    @Test
    public void goroutineStateDoesNotLeakIntoTheNextBodyOnAPoolThread() {
        // Bodies that panic and recover, then bodies that check they start
        // with no frame of a previous body: a deferred call in a fresh body
        // runs at the end of that body, and recover() there gives null.
        for (int round = 0; round < 50; round++) {
            TestUtil.runGoroutine(() -> {
                Go.defer(Go::recover);
                throw Go.panic("r");
            });
        }
        AtomicReference<Object> got = new AtomicReference<>("unset");
        TestUtil.runGoroutine(() -> Go.defer(() -> got.set(Go.recover())));
        assertNull(got.get());
    }

    @Test
    public void maxprocsSetsAndReturnsThePreviousValue() {
        int before = Go.maxprocs(0);
        assertTrue(before >= 1);
        assertEquals(before, Go.maxprocs(1));
        assertEquals(1, Go.maxprocs(before));
        assertEquals(before, Go.maxprocs(-1));
        assertTrue(Go.numCPU() >= 1);
        assertTrue(Go.version().startsWith("0."));
    }

    @Test
    public void pinnedGoroutinesBlockAndWakeEachOther() {
        // A ping-pong between two goroutines over unbuffered channels: each
        // blocks its own thread, the other wakes it.
        final int rounds = 200;
        AtomicLong last = new AtomicLong();
        try (LongChan ping = new LongChan(); LongChan pong = new LongChan(); WaitGroup wg = new WaitGroup()) {
            wg.go(() -> {
                for (int i = 0; i < rounds; i++) pong.send(ping.recv() + 1);
            });
            wg.go(() -> {
                long v = 0;
                for (int i = 0; i < rounds; i++) {
                    ping.send(v);
                    v = pong.recv();
                }
                last.set(v);
            });
            wg.await();
        }
        assertEquals(rounds, last.get());
    }

    private static int length(String s) {
        return s.length();
    }

    @Test
    public void jvmSignalsInAGoroutineStayJavaExceptions() {
        // HotSpot raises NullPointerException and ArithmeticException from
        // SIGSEGV/SIGFPE handlers (implicit checks in compiled code); gort's
        // handlers, installed after the JVM's, must hand pinned threads'
        // faults back to the JVM, not turn them into gort panics.
        AtomicLong caught = new AtomicLong();
        List<Object> recovered = Collections.synchronizedList(new ArrayList<>());
        try (WaitGroup wg = new WaitGroup()) {
            for (int g = 0; g < 2; g++) {
                wg.go(() -> {
                    Go.defer(() -> recovered.add(Go.recover().getClass().getName()));
                    for (int i = 0; i < 100_000; i++) {   // enough to get it compiled
                        try {
                            length(i % 1000 == 999 ? null : "abc");
                        } catch (NullPointerException e) {
                            caught.incrementAndGet();
                        }
                    }
                    int zero = recovered.size() - recovered.size();
                    caught.addAndGet(1 / zero);
                });
            }
            wg.await();
        }
        assertEquals(200, caught.get());
        assertEquals(List.of("java.lang.ArithmeticException", "java.lang.ArithmeticException"), recovered);
    }

    @Test
    public void manyBlockedGoroutinesThenThePoolShrinks() {
        // 200 goroutines blocked at once hold 200 pool threads; once they are
        // released, the pool keeps 64 idle and lets the others go, each
        // detaching from the JVM in the thread_exit hook.
        final int n = 200;
        AtomicLong sum = new AtomicLong();
        try (LongChan gate = new LongChan(); WaitGroup started = new WaitGroup(); WaitGroup wg = new WaitGroup()) {
            started.add(n);
            for (int i = 0; i < n; i++) {
                wg.go(() -> {
                    started.done();
                    sum.addAndGet(gate.recv());
                });
            }
            started.await();
            for (int i = 1; i <= n; i++) gate.send(i);
            wg.await();
        }
        assertEquals((long) n * (n + 1) / 2, sum.get());
        TestUtil.awaitGoroutines(0);
        // Threads that left the pool are gone from the JVM too.
        long pooled = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("gort-pinned")).count();
        assertTrue("pool threads attached: " + pooled, pooled <= 64 + 2);
    }
}
