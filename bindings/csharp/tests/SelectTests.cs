using System;
using System.Collections.Generic;
using Gort;

namespace Gort.Tests
{
    [TestClass]
    public class SelectTests
    {
        [Test]
        public void DefaultRunsWhenNothingIsReady()
        {
            var got = new List<string>();
            using (var ch = new Chan<string>())
            {
                int i = Go.Select(Case.Recv(ch, v => got.Add("recv")), Case.Default(() => got.Add("default")));
                Assert.Equal(1, i);
            }
            Assert.SeqEqual(new[] { "default" }, got);
        }

        [Test]
        public void TheReadyCaseRuns()
        {
            var got = new List<string>();
            using (var a = new Chan<string>(1))
            using (var b = new LongChan(1))
            {
                b.Send(7);
                Assert.Equal(1, Go.Select(Case.Recv(a, v => got.Add("a " + v)), Case.Recv(b, v => got.Add("b " + v))));
                a.Send("x");
                Assert.Equal(0, Go.Select(Case.Recv(a, v => got.Add("a " + v)), Case.Recv(b, v => got.Add("b " + v)), Case.Default()));
            }
            Assert.SeqEqual(new[] { "b 7", "a x" }, got);
        }

        [Test]
        public void SendCaseAndNilChannel()
        {
            var got = new List<string>();
            using (var output = new Chan<string>(1))
            {
                Assert.Equal(1, Go.Select(Case.Recv((Chan<string>)null, v => got.Add("nil")), Case.Send(output, "hello", () => got.Add("sent"))));
                Assert.Equal("hello", output.Recv());
                output.Send("fill");
                Assert.Equal(1, Go.Select(Case.Send(output, "dropped"), Case.Default(() => got.Add("full"))));
                Assert.Equal("fill", output.Recv());
                Received<string> r;
                Assert.True(!output.TryRecv(out r), "empty");
            }
            Assert.SeqEqual(new[] { "sent", "full" }, got);
        }

        [Test]
        public void RecvOkOnAClosedChannel()
        {
            var got = new List<string>();
            using (var ch = new Chan<string>())
            {
                ch.CloseChannel();
                Go.Select(Case.RecvOk(ch, (v, ok) => got.Add((v ?? "null") + " " + ok)));
            }
            Assert.SeqEqual(new[] { "null False" }, got);
        }

        [Test]
        public void SendCaseOnAClosedChannelIsGosPanic()
        {
            using (var ch = new LongChan(1))
            {
                ch.CloseChannel();
                var p = Assert.Throws<GoPanicException>(() => Go.Select(Case.Send(ch, 1)));
                Assert.Equal("send on closed channel", p.Message);
            }
        }

        [Test]
        public void BadCasesAreOrdinaryExceptions()
        {
            Assert.Throws<ArgumentNullException>(() => Go.Select((Case)null));
            Assert.Throws<ArgumentNullException>(() => Go.Select(null));
            Assert.Throws<ArgumentException>(() => Go.Select(Case.Default(), Case.Default()));
        }

        [Test]
        public void SelectWaitsForAGoroutineOrATimer()
        {
            var got = new List<string>();
            // The goroutine's send races a timer it must win: a long one (a
            // body may take more than 20 ms to start on a loaded machine, and
            // a timeout taken here would leave the second select nothing to
            // wait for). The second select then waits for the short one.
            using (var results = new Chan<string>())
            using (var never = new LongChan())
            using (var slow = Go.After(TimeSpan.FromSeconds(60)))
            using (var timeout = Go.After(TimeSpan.FromMilliseconds(20)))
            {
                Go.Spawn(() => results.Send("result"));
                Go.Select(Case.Recv(results, got.Add), Case.Recv(slow, t => got.Add("slow timer")));
                Go.Select(Case.Recv(never, v => got.Add("never")), Case.Recv(timeout, t => got.Add("timeout")));
            }
            Assert.SeqEqual(new[] { "result", "timeout" }, got);
        }

        [Test]
        public void AHandlerMaySelectAgain()
        {
            var got = new List<string>();
            using (var a = new LongChan(1))
            using (var b = new LongChan(1))
            {
                a.Send(1);
                b.Send(2);
                Go.Select(Case.Recv(a, v => Go.Select(Case.Recv(b, w => got.Add(v + "+" + w)))));
            }
            Assert.SeqEqual(new[] { "1+2" }, got);
        }

        [Test]
        public void ReadyCasesAreChosenAtRandom()
        {
            var count = new int[2];
            using (var a = new LongChan(1))
            using (var b = new LongChan(1))
            {
                for (int i = 0; i < 400; i++)
                {
                    a.TrySend(0);
                    b.TrySend(0);
                    count[Go.Select(Case.Recv(a, null), Case.Recv(b, null))]++;
                }
            }
            Assert.True(count[0] > 100 && count[1] > 100, "both cases chosen: " + count[0] + "/" + count[1]);
        }
    }
}
