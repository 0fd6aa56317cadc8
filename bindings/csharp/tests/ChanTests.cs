using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gort;

namespace Gort.Tests
{
    [TestClass]
    public class ChanTests
    {
        [Test]
        public void UnbufferedChannelCarriesObjectsInOrder()
        {
            var got = new List<string>();
            using (var ch = new Chan<string>())
            {
                Go.Spawn(() =>
                {
                    Go.Defer(ch.CloseChannel);
                    for (int i = 0; i < 100; i++) ch.Send("v" + i);
                });
                foreach (string s in ch) got.Add(s);
            }
            Assert.SeqEqual(Enumerable.Range(0, 100).Select(i => "v" + i), got);
        }

        [Test]
        public void BufferedChannelLenCapAndFifo()
        {
            using (var ch = new Chan<int>(3))
            {
                Assert.Equal(3, ch.Cap);
                ch.Send(1);
                ch.Send(2);
                Assert.Equal(2, ch.Len);
                Assert.True(ch.TrySend(3), "room for 3");
                Assert.True(!ch.TrySend(4), "full");
                Assert.Equal(1, ch.Recv());
                Assert.Equal(2, ch.Recv());
                Assert.Equal(3, ch.Recv());
                Received<int> r;
                Assert.True(!ch.TryRecv(out r), "empty: would block");
                Assert.Equal(0, ch.Len);
            }
        }

        [Test]
        public void ClosedChannelDeliversBufferedValuesThenZeroWithOkFalse()
        {
            using (var ch = new Chan<string>(2))
            {
                ch.Send("a");
                ch.Send("b");
                ch.CloseChannel();
                Assert.Equal(new Received<string>("a", true), ch.RecvOk());
                Received<string> r;
                Assert.True(ch.TryRecv(out r), "a receive happened");
                Assert.Equal(new Received<string>("b", true), r);
                Assert.Equal(new Received<string>(null, false), ch.RecvOk());
                Assert.True(ch.TryRecv(out r), "closed: a receive happens");
                Assert.Equal(new Received<string>(null, false), r);
                Assert.Null(ch.Recv());
            }
        }

        [Test]
        public void NullIsAValueToo()
        {
            using (var ch = new Chan<string>(1))
            {
                ch.Send(null);
                Assert.Equal(new Received<string>(null, true), ch.RecvOk());
            }
        }

        [Test]
        public void SendOnAClosedChannelIsGosPanic()
        {
            using (var ch = new Chan<string>(1))
            {
                ch.CloseChannel();
                var p = Assert.Throws<GoPanicException>(() => ch.Send("x"));
                Assert.Equal("send on closed channel", p.Message);
                Assert.Equal((object)"send on closed channel", p.Value);
                Assert.True(p.IsRuntimeError, "a runtime error");
                Assert.Throws<GoPanicException>(() => ch.TrySend("x"));
            }
        }

        [Test]
        public void ClosingTwiceIsGosPanicAnInvalidOperation()
        {
            using (var ch = new LongChan())
            {
                ch.CloseChannel();
                var e = Assert.Throws<InvalidOperationException>(ch.CloseChannel);
                Assert.True(e is GoPanicException, "a GoPanicException");
                Assert.Equal("close of closed channel", e.Message);
            }
        }

        [Test]
        public void ASenderBlockedWhenTheChannelIsClosedPanics()
        {
            var got = new List<string>();
            using (var ch = new Chan<string>())
            using (var wg = new WaitGroup())
            {
                wg.Go(() =>
                {
                    try
                    {
                        ch.Send("never received");
                        got.Add("sent");
                    }
                    catch (GoPanicException p)
                    {
                        got.Add(p.Message);
                    }
                });
                // A close before the send makes the send panic too.
                ch.CloseChannel();
                wg.Wait();
            }
            Assert.SeqEqual(new[] { "send on closed channel" }, got);
        }

        [Test]
        public void UseAfterDisposeIsObjectDisposedAndDisposeIsIdempotent()
        {
            var ch = new Chan<string>(1);
            ch.Dispose();
            ch.Dispose();
            Assert.True(ch.IsDisposed, "disposed");
            Assert.Throws<ObjectDisposedException>(() => ch.Send("x"));
            Assert.Throws<ObjectDisposedException>(() => ch.Recv());
            Received<string> r;
            Assert.Throws<ObjectDisposedException>(() => ch.TryRecv(out r));
            Assert.Throws<ObjectDisposedException>(ch.CloseChannel);
            Assert.Throws<ObjectDisposedException>(() => { int n = ch.Len; });
            Assert.Throws<ObjectDisposedException>(() => Go.Select(Case.Recv(ch, v => {})));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Chan<string>(-1));
        }

        [Test]
        public void DisposingReleasesTheBufferedObjects()
        {
            WeakReference weak = SendAndDispose();
            for (int i = 0; i < 20 && weak.IsAlive; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Assert.True(!weak.IsAlive, "the buffered object was collected");
        }

        private static WeakReference SendAndDispose()
        {
            var ch = new Chan<object>(1);
            var value = new object();
            ch.Send(value);
            ch.Dispose();
            return new WeakReference(value);
        }

        [Test]
        public void DisposingAChannelInUseWaitsForTheCallInFlight()
        {
            var got = new List<string>();
            using (var ch = new Chan<string>())
            using (var wake = new Chan<string>())
            using (var wg = new WaitGroup())
            {
                wg.Go(() => Go.Select(Case.Recv(ch, v => got.Add("ch " + v)), Case.Recv(wake, v => got.Add("wake " + v))));
                while (ch.R.InFlight == 0) Thread.Yield();   // the select is in flight on ch
                ch.Dispose();
                Assert.Throws<ObjectDisposedException>(() => ch.Send("x"));
                wake.Send("up");
                wg.Wait();
                Assert.True(ch.IsDisposed, "disposed");
            }
            Assert.SeqEqual(new[] { "wake up" }, got);
        }

        [Test]
        public void LongChanRangeAndTry()
        {
            long sum = 0;
            using (var ch = new LongChan(4))
            {
                Go.Spawn(() =>
                {
                    for (long i = 1; i <= 10; i++) ch.Send(i);
                    ch.CloseChannel();
                });
                foreach (long v in ch) sum += v;
                Received<long> r;
                Assert.True(ch.TryRecv(out r), "closed: a receive happens");
                Assert.Equal(new Received<long>(0, false), r);
                Assert.Throws<GoPanicException>(() => ch.Send(1));
            }
            Assert.Equal(55L, sum);
        }

        [Test]
        public void AdoptRejectsWhatIsNotALiveChannel()
        {
            Assert.Throws<ArgumentException>(() => LongChan.Adopt(IntPtr.Zero));
        }
    }
}
