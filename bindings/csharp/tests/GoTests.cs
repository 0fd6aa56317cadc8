using System;
using System.Collections.Generic;
using System.Threading;
using Gort;

namespace Gort.Tests
{
    /// Goroutines, defer, panic and recover. Goroutines record results; the
    /// test thread asserts after a WaitGroup.
    [TestClass]
    public class GoTests
    {
        [Test]
        public void DumpShowsABlockedBodyLockedToItsThread()
        {
            using (var started = new WaitGroup())
            using (var release = new WaitGroup())
            using (var done = new WaitGroup())
            {
                started.Add(1);
                release.Add(1);
                done.Add(1);
                long id = Go.Spawn(() =>
                {
                    started.Done();
                    release.Wait();
                    done.Done();
                });
                started.Wait();
                string header = "goroutine " + id + " [semacquire, locked to thread]:\n";
                var sw = System.Diagnostics.Stopwatch.StartNew();
                string d = Go.Dump();
                while (!d.Contains(header) && sw.Elapsed < TimeSpan.FromSeconds(10))
                {
                    Thread.Sleep(1);
                    d = Go.Dump();
                }
                Assert.True(d.Contains(header + "\tgoroutine running on other thread; stack unavailable\n"), d);
                release.Done();
                done.Wait();
            }
        }

        [Test]
        public void SpawnNullThrowsArgumentNull()
        {
            Assert.Throws<ArgumentNullException>(() => Go.Spawn(null));
        }

        [Test]
        public void BodyRunsAsAGoroutineWithTheReturnedId()
        {
            long seen = 0, id;
            using (var wg = new WaitGroup())
            {
                wg.Add(1);
                id = Go.Spawn(() =>
                {
                    Interlocked.Exchange(ref seen, Go.Id);
                    wg.Done();
                });
                wg.Wait();
            }
            Assert.True(id >= 1, "id >= 1");
            Assert.Equal(id, Interlocked.Read(ref seen));
            Assert.Equal(0L, Go.Id);
        }

        [Test]
        public void WaitGroupOverManyGoroutines()
        {
            const int n = 2000;
            long sum = 0;
            using (var wg = new WaitGroup())
            {
                for (int i = 0; i < n; i++)
                {
                    int k = i;
                    wg.Go(() => Interlocked.Add(ref sum, k));
                }
                wg.Wait();
            }
            Assert.Equal((long)n * (n - 1) / 2, Interlocked.Read(ref sum));
        }

        [Test]
        public void EveryBodyRunsExactlyOnceWhenManyThreadsSpawnBursts()
        {
            // Bodies keeps one ring of slots per spawning thread and outgrows
            // it when its slots are still pending: bursts from several
            // threads at once, each body must run once, none lost or doubled.
            const int threads = 4, each = 20000;
            var runs = new int[threads * each];
            using (var wg = new WaitGroup())
            {
                wg.Add(threads * each);
                var spawners = new Thread[threads];
                for (int t = 0; t < threads; t++)
                {
                    int b = t * each;
                    spawners[t] = new Thread(() =>
                    {
                        for (int i = b; i < b + each; i++)
                        {
                            int k = i;
                            Go.Spawn(() =>
                            {
                                Interlocked.Increment(ref runs[k]);
                                wg.Done();
                            });
                        }
                    });
                    spawners[t].Start();
                }
                foreach (var th in spawners) th.Join();
                wg.Wait();
            }
            for (int i = 0; i < runs.Length; i++)
                if (runs[i] != 1) Assert.Equal(1, runs[i], "runs of body " + i);
        }

        [Test]
        public void SpawnsFromThreadsThatEndedLeaveTheirSlotsToOthers()
        {
            // A thread's ring goes back to the pool when the thread is gone
            // (its Owner finalized); a later thread takes it over.
            const int rounds = 8, each = 100;
            long sum = 0;
            using (var wg = new WaitGroup())
            {
                for (int r = 0; r < rounds; r++)
                {
                    var th = new Thread(() =>
                    {
                        for (int i = 0; i < each; i++) wg.Go(() => Interlocked.Increment(ref sum));
                    });
                    th.Start();
                    th.Join();
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                wg.Wait();
            }
            Assert.Equal((long)rounds * each, Interlocked.Read(ref sum));
        }

        [Test]
        public void ABodyWithManyDefersThenOthersOnTheSameThreads()
        {
            // Frames keeps a pool thread's defer state from body to body
            // (and lets a large one go): every body starts empty.
            var order = new List<int>();
            using (var wg = new WaitGroup())
            {
                wg.Add(1);
                Go.Spawn(() =>
                {
                    Go.Defer(wg.Done);
                    for (int i = 0; i < 1000; i++)
                    {
                        int k = i;
                        Go.Defer(() => order.Add(k));
                    }
                });
                wg.Wait();
            }
            Assert.Equal(1000, order.Count);
            Assert.Equal(999, order[0]);
            Assert.Equal(0, order[999]);
            long ran = 0;
            using (var wg = new WaitGroup())
            {
                for (int i = 0; i < 200; i++)
                    wg.Go(() =>
                    {
                        Assert.Null(Go.Recover());
                        Interlocked.Increment(ref ran);
                    });
                wg.Wait();
            }
            Assert.Equal(200L, Interlocked.Read(ref ran));
        }

        [Test]
        public void DeferredCallsRunInReverseOrder()
        {
            var order = new List<string>();
            TestUtil.RunGoroutine(() =>
            {
                for (int i = 0; i < 5; i++)
                {
                    int k = i;
                    Go.Defer(() => order.Add("d" + k));
                }
                order.Add("body");
            });
            Assert.SeqEqual(new[] { "body", "d4", "d3", "d2", "d1", "d0" }, order);
        }

        [Test]
        public void ADeferredCallIsAFrameAndMayDefer()
        {
            var order = new List<string>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => order.Add("4"));
                Go.Defer(() =>
                {
                    Go.Defer(() => order.Add("3"));
                    order.Add("2");
                });
                order.Add("1");
            });
            Assert.SeqEqual(new[] { "1", "2", "3", "4" }, order);
        }

        [Test]
        public void RecoverStopsAPanicAndReturnsItsValue()
        {
            var got = new List<object>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => got.Add("after recover"));
                Go.Defer(() => got.Add(Go.Recover()));
                Go.Defer(() => got.Add("first deferred"));
                got.Add("body");
                throw Go.Panic("disk on fire");
            });
            Assert.SeqEqual(new object[] { "body", "first deferred", "disk on fire", "after recover" }, got);
        }

        [Test]
        public void RecoverReturnsAnExceptionItself()
        {
            object got = null;
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => got = Go.Recover());
                throw new ArgumentException("bad input");
            });
            Assert.True(got is ArgumentException, "an ArgumentException");
            Assert.Equal("bad input", ((Exception)got).Message);
        }

        [Test]
        public void RecoverIsNullWhenNotPanicking()
        {
            var got = new List<object>();
            TestUtil.RunGoroutine(() =>
            {
                got.Add(Go.Recover());
                Go.Defer(() => got.Add(Go.Recover()));
            });
            Assert.SeqEqual(new object[] { null, null }, got);
            Assert.Null(Go.Recover());
        }

        [Test]
        public void RecoverInANestedCallDoesNotRecover()
        {
            var got = new List<string>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => got.Add("outer: " + Go.Recover()));
                Go.Defer(() => Go.Call(() => got.Add("nested: " + (Go.Recover() ?? "null"))));
                throw Go.Panic("p");
            });
            Assert.SeqEqual(new[] { "nested: null", "outer: p" }, got);
        }

        [Test]
        public void RecoverTwiceReturnsNullTheSecondTime()
        {
            var got = new List<object>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() =>
                {
                    got.Add(Go.Recover());
                    got.Add(Go.Recover());
                });
                throw Go.Panic(42);
            });
            Assert.SeqEqual(new object[] { 42, null }, got);
        }

        [Test]
        public void ADeferredCallThatPanicsReplacesThePanic()
        {
            var got = new List<object>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => got.Add(Go.Recover()));
                Go.Defer(() => { throw Go.Panic("second"); });
                throw Go.Panic("first");
            });
            Assert.SeqEqual(new object[] { "second" }, got);
        }

        [Test]
        public void DeferredCallsOfOuterFramesSeeAPanicNotRecoveredInside()
        {
            var got = new List<string>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => got.Add("outer recovered: " + Go.Recover()));
                Go.Call(() =>
                {
                    Go.Defer(() => got.Add("inner deferred"));
                    throw Go.Panic("deep");
                });
                got.Add("not reached");
            });
            Assert.SeqEqual(new[] { "inner deferred", "outer recovered: deep" }, got);
        }

        [Test]
        public void CallReturnsTrueWhenItsDeferredCallRecovered()
        {
            var got = new List<object>();
            bool recovered = Go.Call(() =>
            {
                Go.Defer(() => got.Add(Go.Recover()));
                throw Go.Panic("x");
            });
            Assert.True(recovered, "recovered");
            Assert.True(!Go.Call(() => Go.Defer(() => got.Add("plain"))), "not recovered");
            Assert.SeqEqual(new object[] { "x", "plain" }, got);
        }

        [Test]
        public void CallPropagatesAPanicNothingRecovered()
        {
            var e = Assert.Throws<InvalidOperationException>(() => Go.Call(() => { throw new InvalidOperationException("unhandled"); }));
            Assert.Equal("unhandled", e.Message);
            var p = Assert.Throws<GoPanicException>(() => Go.Call(() => { throw Go.Panic(7); }));
            Assert.Equal((object)7, p.Value);
            Assert.Equal("7", p.Message);
            Assert.True(!p.IsRuntimeError, "not a runtime error");
        }

        [Test]
        public void DeferOutsideAFrameIsInvalidOperation()
        {
            Assert.Throws<InvalidOperationException>(() => Go.Defer(() => {}));
            Assert.Throws<ArgumentNullException>(() => Go.Call(() => Go.Defer(null)));
            Assert.Throws<ArgumentNullException>(() => Go.Call(null));
        }

        [Test]
        public void APanicInOneGoroutineDoesNotReachAnother()
        {
            var results = new List<string>();
            using (var all = new WaitGroup())
            using (var recovered = new WaitGroup())
            {
                all.Add(2);
                recovered.Add(1);
                Go.Spawn(() =>
                {
                    Go.Defer(all.Done);
                    recovered.Wait();
                    lock (results) results.Add("worker 0 finished normally, recover() = " + (Go.Recover() ?? "null"));
                });
                Go.Spawn(() =>
                {
                    Go.Defer(all.Done);
                    Go.Defer(recovered.Done);
                    Go.Defer(() => { lock (results) results.Add("worker 1 recovered: " + Go.Recover()); });
                    throw Go.Panic("worker 1 failed");
                });
                all.Wait();
            }
            Assert.SeqEqual(new[] { "worker 1 recovered: worker 1 failed", "worker 0 finished normally, recover() = null" }, results);
        }

        [Test]
        public void GoroutineStateDoesNotLeakIntoTheNextBodyOnAPoolThread()
        {
            for (int round = 0; round < 50; round++)
            {
                TestUtil.RunGoroutine(() =>
                {
                    Go.Defer(() => Go.Recover());
                    throw Go.Panic("r");
                });
            }
            object got = "unset";
            TestUtil.RunGoroutine(() => Go.Defer(() => got = Go.Recover()));
            Assert.Null(got);
        }

        [Test]
        public void MaxProcsSetsAndReturnsThePreviousValue()
        {
            int before = Go.MaxProcs(0);
            Assert.True(before >= 1, "maxprocs >= 1");
            Assert.Equal(before, Go.MaxProcs(1));
            Assert.Equal(1, Go.MaxProcs(before));
            Assert.Equal(before, Go.MaxProcs(-1));
            Assert.True(Go.NumCPU >= 1, "NumCPU >= 1");
            Assert.True(Go.Version.StartsWith("0."), "version");
        }

        [Test]
        public void PinnedGoroutinesBlockAndWakeEachOther()
        {
            const int rounds = 200;
            long last = 0;
            using (var ping = new LongChan())
            using (var pong = new LongChan())
            using (var wg = new WaitGroup())
            {
                wg.Go(() => { for (int i = 0; i < rounds; i++) pong.Send(ping.Recv() + 1); });
                wg.Go(() =>
                {
                    long v = 0;
                    for (int i = 0; i < rounds; i++)
                    {
                        ping.Send(v);
                        v = pong.Recv();
                    }
                    Interlocked.Exchange(ref last, v);
                });
                wg.Wait();
            }
            Assert.Equal((long)rounds, Interlocked.Read(ref last));
        }

        [Test]
        public void CollectionsWhileGoroutinesIdleOrBlock()
        {
            // Mono's stop-the-world collections must never wait for a pool
            // thread: idle in gort, or blocked in a channel receive (gort.i's
            // GC-safe regions). A hang here is the failure.
            using (var ch = new LongChan())
            using (var wg = new WaitGroup())
            {
                for (int i = 0; i < 4; i++) wg.Go(() => ch.Recv());
                for (int i = 0; i < 5; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
                for (int i = 0; i < 4; i++) ch.Send(i);
                wg.Wait();
                GC.Collect();
            }
        }

        [Test]
        public void CollectionsWhileSpawningAndCountingDown()
        {
            // Go.Spawn and WaitGroup.Add/Done are raw internal calls (no
            // GC-safe transition; Icalls.cs): collections must still stop
            // every thread that makes them, spawners and bodies, also bodies
            // that spawn. A hang here is the failure.
            const int n = 20000;
            long ran = 0;
            var stop = 0;
            var collector = new Thread(() =>
            {
                while (Volatile.Read(ref stop) == 0) GC.Collect();
            });
            collector.Start();
            try
            {
                using (var wg = new WaitGroup())
                {
                    for (int i = 0; i < n; i++)
                    {
                        wg.Add(1);
                        Go.Spawn(() =>
                        {
                            var garbage = new byte[64];
                            Interlocked.Add(ref ran, garbage.Length / 64);
                            if (Interlocked.Read(ref ran) % 16 == 0)
                                wg.Go(() => Interlocked.Increment(ref ran));
                            wg.Done();
                        });
                    }
                    wg.Wait();
                }
            }
            finally
            {
                Volatile.Write(ref stop, 1);
                collector.Join();
            }
            Assert.True(Interlocked.Read(ref ran) >= n, "every body ran");
        }

        [Test]
        public void ManagedFaultsInAGoroutineStayExceptions()
        {
            // Mono raises NullReferenceException from a SIGSEGV handler; gort's
            // handler, installed later, must hand a pinned thread's fault back.
            var got = new List<string>();
            TestUtil.RunGoroutine(() =>
            {
                Go.Defer(() => { lock (got) got.Add(Go.Recover().GetType().Name); });
                try
                {
                    string s = null;
                    got.Add(s.Length.ToString());
                }
                catch (NullReferenceException)
                {
                    got.Add("caught");
                }
                int zero = got.Count - got.Count;
                got.Add((1 / zero).ToString());
            });
            Assert.SeqEqual(new[] { "caught", "DivideByZeroException" }, got);
        }
    
        [Test]
        public void ManyBlockedGoroutinesThenThePoolShrinks()
        {
            // 200 goroutines blocked at once hold 200 pool threads; once
            // released, the pool keeps 64 idle and lets the others go, each
            // leaving its GC-safe region and detaching from Mono in the
            // thread_exit hook. Collections run throughout.
            const int n = 200;
            long sum = 0;
            using (var gate = new LongChan())
            using (var started = new WaitGroup())
            using (var wg = new WaitGroup())
            {
                started.Add(n);
                for (int i = 0; i < n; i++)
                {
                    wg.Go(() =>
                    {
                        started.Done();
                        Interlocked.Add(ref sum, gate.Recv());
                    });
                }
                started.Wait();
                GC.Collect();
                for (int i = 1; i <= n; i++) gate.Send(i);
                wg.Wait();
            }
            GC.Collect();
            Assert.Equal((long)n * (n + 1) / 2, Interlocked.Read(ref sum));
        }
    }
}
