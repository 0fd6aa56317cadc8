using System;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// One case of Go.Select, Go's select statement:
    /// <code>
    /// using (var timeout = Go.After(TimeSpan.FromMilliseconds(100)))
    ///     Go.Select(Case.Recv(results, r => Console.WriteLine("got " + r)),
    ///               Case.Recv(timeout, t => Console.WriteLine("timeout")));
    /// </code>
    /// A null channel is Go's nil channel (never ready). A handler may be null;
    /// it runs after the select, on the calling thread.
    /// </summary>
    public sealed class Case
    {
        private const int RecvDir = 1, SendDir = 2, DefaultDir = 3;

        private readonly ChanBase ch;
        private readonly int dir;
        private readonly object value;
        private readonly Action<object, bool> onRecv;
        private readonly Action then;

        private Case(ChanBase ch, int dir, object value, Action<object, bool> onRecv, Action then)
        {
            this.ch = ch;
            this.dir = dir;
            this.value = value;
            this.onRecv = onRecv;
            this.then = then;
        }

        /// <summary>case v := &lt;-ch (v is default(T) when ch is closed).</summary>
        public static Case Recv<T>(Chan<T> ch, Action<T> then)
        {
            return new Case(ch, RecvDir, null, then == null ? null : (Action<object, bool>)((v, ok) => then(v == null ? default(T) : (T)v)), null);
        }

        /// <summary>case v, ok := &lt;-ch.</summary>
        public static Case RecvOk<T>(Chan<T> ch, Action<T, bool> then)
        {
            return new Case(ch, RecvDir, null, then == null ? null : (Action<object, bool>)((v, ok) => then(v == null ? default(T) : (T)v, ok)), null);
        }

        /// <summary>case v := &lt;-ch on a LongChan.</summary>
        public static Case Recv(LongChan ch, Action<long> then)
        {
            return new Case(ch, RecvDir, null, then == null ? null : (Action<object, bool>)((v, ok) => then((long)v)), null);
        }

        /// <summary>case v, ok := &lt;-ch on a LongChan.</summary>
        public static Case RecvOk(LongChan ch, Action<long, bool> then)
        {
            return new Case(ch, RecvDir, null, then == null ? null : (Action<object, bool>)((v, ok) => then((long)v, ok)), null);
        }

        /// <summary>case ch &lt;- value.</summary>
        public static Case Send<T>(Chan<T> ch, T value, Action then = null)
        {
            return new Case(ch, SendDir, value, null, then);
        }

        /// <summary>case ch &lt;- value on a LongChan.</summary>
        public static Case Send(LongChan ch, long value, Action then = null)
        {
            return new Case(ch, SendDir, value, null, then);
        }

        /// <summary>default: (at most one).</summary>
        public static Case Default(Action then = null)
        {
            return new Case(null, DefaultDir, null, null, then);
        }

        // One native GoSelect per thread, reused (cleared before a handler
        // runs, so a handler may select again).
        [ThreadStatic] private static GoSelect select;

        internal static int Run(Case[] cases)
        {
            if (cases == null) throw new ArgumentNullException("cases");
            int defaults = 0;
            foreach (Case c in cases)
            {
                if (c == null) throw new ArgumentNullException("cases", "a select case is null");
                if (c.dir == DefaultDir) defaults++;
            }
            if (defaults > 1) throw new ArgumentException("select: more than one default case", "cases");
            if (select == null) select = new GoSelect();
            GoSelect sel = select;
            sel.clear();
            long[] raw = new long[cases.Length];
            int entered = 0, rc;
            object received = null;
            bool ok = false;
            try
            {
                foreach (Case c in cases)
                {
                    if (c.ch != null) c.ch.R.Enter();   // ObjectDisposedException for a freed channel
                    entered++;
                }
                for (int i = 0; i < cases.Length; i++)
                {
                    Case c = cases[i];
                    SWIGTYPE_p_go_chan h = c.ch == null ? null : c.ch.R.Ch;
                    if (c.dir == RecvDir)
                    {
                        sel.add_recv(h);
                    }
                    else if (c.dir == SendDir)
                    {
                        if (c.ch != null) raw[i] = c.ch.Put(c.value);
                        sel.add_send(h, raw[i]);
                    }
                    else
                    {
                        sel.add_default();
                    }
                }
                rc = sel.run();
                if (rc >= 0 && cases[rc].dir == RecvDir)
                {
                    ok = sel.ok(rc) == 1;
                    received = cases[rc].ch.Take(sel.value(rc));
                }
                for (int i = 0; i < cases.Length; i++)
                    if (cases[i].dir == SendDir && cases[i].ch != null && i != rc) cases[i].ch.Drop(raw[i]);
            }
            finally
            {
                for (int i = 0; i < entered; i++)
                    if (cases[i].ch != null) cases[i].ch.R.Leave();
                sel.clear();
            }
            if (rc == Errors.ECLOSED) throw Errors.SendOnClosed();
            Errors.Check(rc, "Select");
            Case chosen = cases[rc];
            if (chosen.dir == RecvDir)
            {
                if (chosen.onRecv != null) chosen.onRecv(received, ok);
            }
            else if (chosen.then != null)
            {
                chosen.then();
            }
            return rc;
        }
    }
}
