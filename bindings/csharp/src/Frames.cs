using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;

namespace Gort
{
    /// <summary>
    /// Go's defer, panic and recover, implemented in C# for C# code (a gort
    /// panic is a jump that must never cross CLR frames, so the C defer stack
    /// cannot run managed calls). Every goroutine has a defer stack; Go.Defer
    /// pushes onto it, tied to the innermost FRAME (a goroutine body, a
    /// Go.Call, a deferred call); when the frame ends, normally or by an
    /// exception (a panic), its deferred calls run last-in first-out.
    /// Go.Recover, called while the innermost frame is a deferred call run by
    /// a panic, stops that panic and returns its value (a helper method it
    /// calls may recover, a nested Go.Call may not). A deferred call that
    /// throws replaces the pending panic. State is per thread: a pinned
    /// goroutine runs on one pool thread from start to end; a body starts
    /// with the thread's state empty and leaves it empty.
    /// </summary>
    internal static class Frames
    {
        internal sealed class Panic
        {
            internal readonly Exception Cause;
            internal bool Recovered;
            internal Panic(Exception cause) { Cause = cause; }
        }

        internal sealed class Frame
        {
            internal readonly Frame Parent;
            internal readonly int Base;      // defer-stack depth at entry
            internal readonly Panic RunBy;   // the panic running this deferred call, or null
            internal Frame(Frame parent, int b, Panic runBy) { Parent = parent; Base = b; RunBy = runBy; }
        }

        internal sealed class State
        {
            internal readonly List<Action> Defers = new List<Action>();
            internal Frame Top;
        }

        [ThreadStatic] private static State current;

        private static State Current
        {
            get
            {
                if (current == null) current = new State();
                return current;
            }
        }

        /// The body of a goroutine. Returns null, or the text of the panic
        /// nothing recovered.
        internal static string RunGoroutine(Action body)
        {
            // A pool thread runs one body after another, and every body ends
            // with its frames popped and its defer stack empty (Call's
            // finally), so the thread's State is reused: the next body starts
            // from the same empty state a new one would have, without the
            // two allocations. A defer stack grown large is let go.
            State st = current;
            if (st == null || st.Top != null || st.Defers.Count != 0 || st.Defers.Capacity > MaxKeptDefers) current = st = new State();
            Exception panic = Call(st, body, null, out bool _);
            return panic == null ? null : PanicText(panic);
        }

        private const int MaxKeptDefers = 64;

        /// Go.Call: true when one of its deferred calls recovered; rethrows a
        /// panic nothing recovered.
        internal static bool Call(Action body)
        {
            Exception panic = Call(Current, body, null, out bool recovered);
            if (panic != null) ExceptionDispatchInfo.Capture(panic).Throw();
            return recovered;
        }

        // Returns the panic left unrecovered (null when none).
        private static Exception Call(State st, Action body, Panic runBy, out bool recovered)
        {
            Frame f = new Frame(st.Top, st.Defers.Count, runBy);
            st.Top = f;
            Exception panic = null;
            recovered = false;
            try
            {
                try
                {
                    body();
                }
                catch (Exception e)
                {
                    panic = e;
                }
                while (st.Defers.Count > f.Base)
                {
                    Action d = st.Defers[st.Defers.Count - 1];
                    st.Defers.RemoveAt(st.Defers.Count - 1);
                    Panic p = panic == null ? null : new Panic(panic);
                    Exception e2 = Call(st, d, p, out bool _);
                    if (e2 != null)
                    {
                        panic = e2;   // a deferred call's panic replaces the pending one
                        continue;
                    }
                    if (p != null && p.Recovered)
                    {
                        panic = null;
                        recovered = true;
                    }
                }
            }
            finally
            {
                while (st.Defers.Count > f.Base) st.Defers.RemoveAt(st.Defers.Count - 1);
                st.Top = f.Parent;
            }
            return panic;
        }

        internal static void Defer(Action fn)
        {
            if (fn == null) throw new ArgumentNullException("fn");
            State st = Current;
            if (st.Top == null)
                throw new InvalidOperationException("Go.Defer outside a goroutine body or Go.Call");
            st.Defers.Add(fn);
        }

        internal static object Recover()
        {
            State st = current;
            Frame f = st == null ? null : st.Top;
            if (f == null || f.RunBy == null || f.RunBy.Recovered) return null;
            f.RunBy.Recovered = true;
            return ValueOf(f.RunBy.Cause);
        }

        internal static object ValueOf(Exception e)
        {
            GoPanicException p = e as GoPanicException;
            return p != null ? p.Value : e;
        }

        /// The text gort prints as "panic: TEXT": a GoPanicException's value,
        /// any other exception as "ExceptionType: message".
        internal static string PanicText(Exception e)
        {
            GoPanicException p = e as GoPanicException;
            if (p != null)
            {
                Exception inner = p.Value as Exception;
                if (inner != null) return TypeAndMessage(inner);
                return p.Value == null ? "nil" : p.Value.ToString();
            }
            return TypeAndMessage(e);
        }

        private static string TypeAndMessage(Exception e)
        {
            return e.GetType().FullName + ": " + e.Message;
        }
    }
}
