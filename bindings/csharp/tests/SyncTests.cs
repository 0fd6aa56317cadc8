using System;
using System.Threading;
using Gort;

namespace Gort.Tests
{
    [TestClass]
    public class SyncTests
    {
        [Test]
        public void NegativeWaitGroupCounterIsGosPanicAndChangesNothing()
        {
            using (var wg = new WaitGroup())
            {
                wg.Add(1);
                var p = Assert.Throws<GoPanicException>(() => wg.Add(-2));
                Assert.Equal("sync: negative WaitGroup counter", p.Message);
                Assert.True(!p.IsRuntimeError, "not a runtime error");
                wg.Done();
                wg.Wait();
                Assert.Throws<GoPanicException>(wg.Done);
            }
        }

        [Test]
        public void WaitGroupOverflowIsArgumentOutOfRange()
        {
            using (var wg = new WaitGroup())
            {
                wg.Add(int.MaxValue);
                Assert.Throws<ArgumentOutOfRangeException>(() => wg.Add(1));
                wg.Add(-int.MaxValue);
            }
        }

        [Test]
        public void WaitGroupUseAfterDisposeIsObjectDisposed()
        {
            var wg = new WaitGroup();
            wg.Dispose();
            wg.Dispose();
            Assert.Throws<ObjectDisposedException>(() => wg.Add(1));
            Assert.Throws<ObjectDisposedException>(wg.Done);
            Assert.Throws<ObjectDisposedException>(wg.Wait);
            using (var other = new WaitGroup())
                Assert.Throws<ArgumentNullException>(() => other.Go(null));
        }

        [Test]
        public void DisposingAWaitGroupRightAfterWaitIsSafe()
        {
            for (int round = 0; round < 300; round++)
            {
                using (var wg = new WaitGroup())
                {
                    for (int i = 0; i < 3; i++) wg.Go(() => {});
                    wg.Wait();
                }
            }
        }

        [Test]
        public void MutexExcludes()
        {
            const int goroutines = 50, increments = 200;
            long counter = 0;
            using (var mu = new Gort.Mutex())
            using (var wg = new WaitGroup())
            {
                for (int g = 0; g < goroutines; g++)
                {
                    wg.Go(() =>
                    {
                        for (int i = 0; i < increments; i++)
                            using (mu.Locked()) counter++;   // not atomic: the mutex makes it safe
                    });
                }
                wg.Wait();
            }
            Assert.Equal((long)goroutines * increments, counter);
        }

        [Test]
        public void TryLockAndUnlockFromAnotherGoroutine()
        {
            using (var mu = new Gort.Mutex())
            using (var wg = new WaitGroup())
            {
                Assert.True(mu.TryLock(), "locked");
                Assert.True(!mu.TryLock(), "held");
                wg.Go(mu.Unlock);
                wg.Wait();
                Assert.True(mu.TryLock(), "locked again");
                mu.Unlock();
            }
        }

        [Test]
        public void UnlockOfAnUnlockedMutexIsSynchronizationLock()
        {
            using (var mu = new Gort.Mutex())
            {
                var e = Assert.Throws<SynchronizationLockException>(mu.Unlock);
                Assert.Equal("sync: unlock of unlocked mutex", e.Message);
                mu.Lock();
                mu.Unlock();
            }
        }

        [Test]
        public void DisposingALockedMutexAndUseAfterDispose()
        {
            var mu = new Gort.Mutex();
            mu.Lock();
            mu.Dispose();
            Assert.Throws<ObjectDisposedException>(mu.Lock);
            Assert.Throws<ObjectDisposedException>(mu.Unlock);
            Assert.Throws<ObjectDisposedException>(() => mu.TryLock());
        }

        [Test]
        public void FinalizersFreeForgottenHandles()
        {
            // Handles never disposed: the finalizers free them (no crash, no
            // fatal error), channels with buffered objects included.
            for (int i = 0; i < 100; i++) Forget(i);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        private static void Forget(int i)
        {
            var wg = new WaitGroup();
            wg.Add(1);
            var mu = new Gort.Mutex();
            mu.Lock();
            var ch = new Chan<string>(1);
            ch.Send("buffered " + i);
        }
    }
}
