using System;
using System.Threading;

namespace Gort
{
    /// <summary>
    /// The lifetime of one native gort handle. gort frees a handle at once
    /// and a freed handle is undefined (a fatal error when a waiter is still
    /// blocked on it), so every operation brackets its native call with
    /// Enter/Leave: the state word counts the calls in flight and has a
    /// CLOSED bit. Close (Dispose, or the owner's finalizer) sets CLOSED; the
    /// handle is freed by whoever brings the state to "CLOSED, none in
    /// flight": Close itself when nothing is in flight, else the last Leave.
    /// After CLOSED, Enter throws ObjectDisposedException. This object has no
    /// finalizer of its own and never refers to its owner.
    /// </summary>
    internal abstract class NativeRef
    {
        private const long Closed = 1L << 62;
        private long state;
        private readonly string what;

        protected NativeRef(string what)
        {
            this.what = what;
        }

        /// Frees the native handle; called exactly once.
        protected abstract void Free();

        internal void Enter()
        {
            for (;;)
            {
                long s = Interlocked.Read(ref state);
                if ((s & Closed) != 0) throw new ObjectDisposedException(what);
                if (Interlocked.CompareExchange(ref state, s + 1, s) == s) return;
            }
        }

        internal void Leave()
        {
            if (Interlocked.Decrement(ref state) == Closed) Free();
        }

        internal long InFlight
        {
            get { return Interlocked.Read(ref state) & ~Closed; }
        }

        internal bool IsClosed
        {
            get { return (Interlocked.Read(ref state) & Closed) != 0; }
        }

        /// Closes: frees now, or when the last operation in flight leaves. Idempotent.
        internal void Close()
        {
            for (;;)
            {
                long s = Interlocked.Read(ref state);
                if ((s & Closed) != 0) return;
                if (Interlocked.CompareExchange(ref state, s | Closed, s) == s)
                {
                    if (s == 0) Free();
                    return;
                }
            }
        }
    }
}
