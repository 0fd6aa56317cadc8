package org.gort;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.After;
import org.junit.Test;

/** WaitGroup and Mutex. */
public class SyncTest {
    @After
    public void noGoroutineLeft() {
        TestUtil.awaitGoroutines(0);
    }

    @Test
    public void negativeWaitGroupCounterIsGosPanicAndChangesNothing() {
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(1);
            GoPanic p = assertThrows(GoPanic.class, () -> wg.add(-2));
            assertEquals("sync: negative WaitGroup counter", p.getMessage());
            assertFalse(p.isRuntimeError());
            wg.done();      // the counter was still 1
            wg.await();     // 0: returns at once
            assertThrows(GoPanic.class, wg::done);
        }
    }

    @Test
    public void waitGroupOverflowIsIllegalArgument() {
        try (WaitGroup wg = new WaitGroup()) {
            wg.add(Integer.MAX_VALUE);
            assertThrows(IllegalArgumentException.class, () -> wg.add(1));
            wg.add(-Integer.MAX_VALUE);
        }
    }

    @Test
    public void waitGroupUseAfterCloseIsIllegalState() {
        WaitGroup wg = new WaitGroup();
        wg.close();
        wg.close();
        assertThrows(IllegalStateException.class, () -> wg.add(1));
        assertThrows(IllegalStateException.class, wg::done);
        assertThrows(IllegalStateException.class, wg::await);
        assertThrows(NullPointerException.class, () -> new WaitGroup().go(null));
    }

    @Test
    public void closingAWaitGroupRightAfterAwaitIsSafe() {
        // The last done() may still be inside gort when await returns and
        // close() runs: the free waits for it. Many rounds, to meet the race.
        for (int round = 0; round < 300; round++) {
            try (WaitGroup wg = new WaitGroup()) {
                for (int i = 0; i < 3; i++) wg.go(() -> {});
                wg.await();
            }
        }
    }

    @Test
    public void mutexExcludes() {
        final int goroutines = 50, increments = 200;
        long[] counter = {0};
        try (Mutex mu = new Mutex(); WaitGroup wg = new WaitGroup()) {
            for (int g = 0; g < goroutines; g++) {
                wg.go(() -> {
                    for (int i = 0; i < increments; i++) {
                        try (Mutex.Held held = mu.locked()) {
                            counter[0]++;   // not atomic: the mutex makes it safe
                        }
                    }
                });
            }
            wg.await();
        }
        assertEquals((long) goroutines * increments, counter[0]);
    }

    @Test
    public void tryLockAndUnlockFromAnotherGoroutine() {
        try (Mutex mu = new Mutex(); WaitGroup wg = new WaitGroup()) {
            assertTrue(mu.tryLock());
            assertFalse(mu.tryLock());
            wg.go(mu::unlock);   // Go's mutex is not tied to its locker
            wg.await();
            assertTrue(mu.tryLock());
            mu.unlock();
        }
    }

    @Test
    public void unlockOfAnUnlockedMutexIsIllegalMonitorState() {
        try (Mutex mu = new Mutex()) {
            IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, mu::unlock);
            assertEquals("sync: unlock of unlocked mutex", e.getMessage());
            mu.lock();   // the failed unlock changed nothing
            mu.unlock();
        }
    }

    @Test
    public void closingALockedMutexAndUseAfterClose() {
        Mutex mu = new Mutex();
        mu.lock();
        mu.close();   // unlocked, then freed: no fatal error
        assertThrows(IllegalStateException.class, mu::lock);
        assertThrows(IllegalStateException.class, mu::unlock);
        assertThrows(IllegalStateException.class, mu::tryLock);
    }
}
