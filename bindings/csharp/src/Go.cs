using System;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// Go's goroutine model for C#, on gort.
    /// <code>
    /// using (var wg = new WaitGroup()) {
    ///     for (int i = 0; i &lt; 10; i++) {
    ///         int n = i;
    ///         wg.Add(1);
    ///         Go.Spawn(() => {
    ///             Go.Defer(wg.Done);
    ///             Console.WriteLine("hello from goroutine " + n);
    ///         });
    ///     }
    ///     wg.Wait();
    /// }
    /// </code>
    /// Goroutines spawned from C# are gort's PINNED goroutines: the body runs
    /// on a thread of gort's pinned pool, on that thread's own stack (the CLR
    /// must never run on a switched goroutine stack), attached to Mono once
    /// per pool thread. A blocking call blocks the body's thread. Every
    /// member may be called from any thread.
    /// Panics are Go's: an exception that leaves a goroutine body, its
    /// deferred calls having run and none recovered it, ends the process
    /// with Go's output ("panic: System.InvalidOperationException: boom", the
    /// goroutine trace) and exit status 2. No other goroutine sees it.
    /// </summary>
    public static class Go
    {
        /// <summary>Starts a goroutine running body (Go's "go body()"); returns its id.</summary>
        /// <exception cref="ArgumentNullException">body is null</exception>
        /// <exception cref="OutOfMemoryException">no thread could be created</exception>
        public static long Spawn(Action body)
        {
            return Dispatcher.Instance.Spawn(body);
        }

        /// <summary>Defers fn to the end of the innermost frame (the goroutine
        /// body, a Go.Call, or a deferred call): deferred calls run last-in
        /// first-out, also when the frame ends by an exception.</summary>
        /// <exception cref="ArgumentNullException">fn is null</exception>
        /// <exception cref="InvalidOperationException">not in a goroutine body nor in Go.Call</exception>
        public static void Defer(Action fn)
        {
            Frames.Defer(fn);
        }

        /// <summary>Go's recover(): inside a deferred call run by a panic, stops
        /// the panic and returns its value (a GoPanicException's Value, or the
        /// exception itself); otherwise null.</summary>
        public static object Recover()
        {
            return Frames.Recover();
        }

        /// <summary>Go's panic(value): throws a GoPanicException. Declared to
        /// return an exception so that "throw Go.Panic(v);" reads as control
        /// flow; it never returns.</summary>
        public static Exception Panic(object value)
        {
            throw new GoPanicException(value);
        }

        /// <summary>Runs body as one Go function call: its deferred calls run
        /// when it ends. True when one of them recovered a panic; a panic not
        /// recovered propagates.</summary>
        public static bool Call(Action body)
        {
            if (body == null) throw new ArgumentNullException("body");
            return Frames.Call(body);
        }

        /// <summary>Go's select: waits until a case can proceed, runs one
        /// (uniformly at random among the ready ones), then its handler; with
        /// a Case.Default, never waits. Returns the index of the case that ran.</summary>
        /// <exception cref="GoPanicException">a send case's channel is closed</exception>
        /// <exception cref="ObjectDisposedException">a case's channel was disposed</exception>
        public static int Select(params Case[] cases)
        {
            return Case.Run(cases);
        }

        /// <summary>runtime.GOMAXPROCS: sets it when n >= 1, returns the previous value.</summary>
        public static int MaxProcs(int n) { return gort.go_maxprocs(n); }

        /// <summary>Every goroutine's stack, in Go's format (runtime.Stack(buf,
        /// true)): goroutines written in C with their frames; this binding's
        /// bodies, pinned goroutines on threads of their own, with their
        /// header only.</summary>
        public static string Dump() { return gort.gort_dump_string(); }

        /// <summary>runtime.NumGoroutine, pinned goroutines included.</summary>
        public static int NumGoroutine { get { return gort.go_num_goroutine(); } }

        /// <summary>runtime.NumCPU.</summary>
        public static int NumCPU { get { return gort.go_num_cpu(); } }

        /// <summary>The calling goroutine's id; 0 when the caller is not a goroutine.</summary>
        public static long Id { get { return gort.go_id(); } }

        /// <summary>runtime.Gosched (a thread yield outside ordinary goroutines).</summary>
        public static void Yield() { gort.go_yield(); }

        /// <summary>time.Sleep: blocks the calling thread.</summary>
        public static void Sleep(TimeSpan d) { gort.go_sleep(d.Ticks * 100); }

        /// <summary>time.After: a channel receiving the monotonic time (ns) once,
        /// after d. Dispose it when done (disposing first cancels the timer).</summary>
        public static LongChan After(TimeSpan d) { return LongChan.After(d.Ticks * 100); }

        /// <summary>The version of the gort library loaded.</summary>
        public static string Version { get { return gort.go_version(); } }
    }
}
