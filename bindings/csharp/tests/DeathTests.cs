using System;
using System.Text.RegularExpressions;
using System.Threading;
using Gort;
using Gort.Swig;

namespace Gort.Tests
{
    /// Child programs: each scenario ends the process with a gort panic from
    /// a goroutine; the main thread blocks until then.
    public static class DeathMain
    {
        /// A raw SWIG director, without the Gort layer's Dispatcher: the glue
        /// alone (it must catch inside run and report, as Dispatcher does).
        sealed class RawBody : GoRunnable
        {
            public override void run(long arg)
            {
                Console.WriteLine("raw body " + arg);
                try
                {
                    throw new NotSupportedException("raw failure");
                }
                catch (Exception e)
                {
                    gort.gort_report_panic(e.GetType().FullName + ": " + e.Message);
                }
            }
        }

        static readonly RawBody Raw = new RawBody();

        public static int Run(string scenario)
        {
            var forever = new WaitGroup();
            forever.Add(1);
            switch (scenario)
            {
                case "exception":
                    Go.Spawn(() => { throw new InvalidOperationException("boom"); });
                    break;
                case "go-panic":
                    Go.Spawn(() => { throw Go.Panic("disk on fire"); });
                    break;
                case "deferred-run-first":
                    Go.Spawn(() =>
                    {
                        Go.Defer(() => Console.WriteLine("deferred 1"));
                        Go.Defer(() => Console.WriteLine("deferred 2"));
                        Go.Defer(() => Console.WriteLine("recovered in a nested call: " + Go.Call(() => Go.Recover())));
                        throw new ArgumentException("bad argument");
                    });
                    break;
                case "send-on-closed":
                    Go.Spawn(() =>
                    {
                        var ch = new LongChan(1);
                        ch.CloseChannel();
                        ch.Send(1);
                    });
                    break;
                case "null-reference":
                    Go.Spawn(() =>
                    {
                        string s = null;
                        Console.WriteLine(s.Length);
                    });
                    break;
                case "raw-director":
                    gort.gort_spawn(Raw, 42);
                    break;
                default:
                    throw new ArgumentException(scenario);
            }
            forever.Wait();
            return 0;
        }
    }

    /// An exception that leaves a goroutine body, not recovered, is a gort
    /// panic: Go's output and exit status 2, the deferred calls having run.
    [TestClass]
    public class DeathTests
    {
        private static void AssertPanics(string scenario, string text, string stdout)
        {
            var c = TestUtil.RunChild(scenario);
            Assert.Equal(2, c.Status, "exit status (stderr: " + c.Stderr + ")");
            string head = "panic: " + text + "\n\ngoroutine ";
            Assert.True(c.Stderr.StartsWith(head), "stderr starts with <" + head + ">: " + c.Stderr);
            Assert.True(Regex.IsMatch(c.Stderr.Substring(head.Length), @"^\d+ \[running[^\n]*\]:\n"), "goroutine line: " + c.Stderr);
            Assert.Equal(stdout, c.Stdout);
        }

        [Test]
        public void AnUncaughtExceptionIsAPanicWithItsTypeAndMessage()
        {
            AssertPanics("exception", "System.InvalidOperationException: boom", "");
        }

        [Test]
        public void GoPanicPrintsItsValueAsGoDoes()
        {
            AssertPanics("go-panic", "disk on fire", "");
        }

        [Test]
        public void DeferredCallsRunBeforeTheProcessEnds()
        {
            AssertPanics("deferred-run-first", "System.ArgumentException: bad argument",
                "recovered in a nested call: False\ndeferred 2\ndeferred 1\n");
        }

        [Test]
        public void SendOnAClosedChannelNotRecovered()
        {
            AssertPanics("send-on-closed", "send on closed channel", "");
        }

        [Test]
        public void ANullReferenceIsAnExceptionThenAPanic()
        {
            AssertPanics("null-reference", "System.NullReferenceException: Object reference not set to an instance of an object", "");
        }

        [Test]
        public void ARawDirectorsReportGoesThroughTheGlue()
        {
            AssertPanics("raw-director", "System.NotSupportedException: raw failure", "raw body 42\n");
        }
    }
}
