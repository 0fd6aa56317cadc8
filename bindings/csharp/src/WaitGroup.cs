using System;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// sync.WaitGroup. Go's rules: a counter that goes negative throws
    /// GoPanicException "sync: negative WaitGroup counter" (the counter is
    /// left as it was); reuse before a Wait returned is "sync: WaitGroup
    /// misuse". Dispose frees the native WaitGroup (at once, or when the last
    /// call in flight returns); the finalizer frees a forgotten one. Any
    /// member after Dispose throws ObjectDisposedException. Thread-safe.
    /// </summary>
    public sealed class WaitGroup : IDisposable
    {
        private sealed class Ref : NativeRef
        {
            internal readonly SWIGTYPE_p_go_wg Wg;
            internal readonly IntPtr Ptr;   // Wg's go_wg_t *, for Icalls
            internal Ref(SWIGTYPE_p_go_wg wg) : base("WaitGroup")
            {
                Wg = wg;
                Ptr = SWIGTYPE_p_go_wg.getCPtr(wg).Handle;
            }
            protected override void Free() { gort.wg_free(Wg); }
        }

        private readonly Ref r;

        public WaitGroup()
        {
            SWIGTYPE_p_go_wg wg = gort.wg_new();
            if (wg == null) throw new OutOfMemoryException("wg_new");
            r = new Ref(wg);
        }

        ~WaitGroup()
        {
            // null when the constructor threw
            if (r != null) r.Close();
        }

        /// <summary>Adds delta (may be negative); at zero every waiter is released.</summary>
        public void Add(int delta)
        {
            r.Enter();
            try { Check(Icalls.On ? Icalls.WgAddErr(r.Ptr, delta) : gort.wg_add_err(r.Wg, delta), "WaitGroup.Add"); }
            finally { r.Leave(); }
        }

        /// <summary>Add(-1).</summary>
        public void Done()
        {
            r.Enter();
            try { Check(Icalls.On ? Icalls.WgDoneErr(r.Ptr) : gort.wg_done_err(r.Wg), "WaitGroup.Done"); }
            finally { r.Leave(); }
        }

        /// <summary>Blocks until the counter is zero.</summary>
        public void Wait()
        {
            r.Enter();
            try
            {
                int rc = gort.wg_wait_err(r.Wg);
                if (rc == Errors.EBUSY)
                    throw new GoPanicException("sync: WaitGroup is reused before previous Wait has returned");
                Check(rc, "WaitGroup.Wait");
            }
            finally { r.Leave(); }
        }

        /// <summary>Add(1), then spawns body as a goroutine that calls Done when
        /// it ends (also when it throws). Returns the goroutine's id.</summary>
        public long Go(Action body)
        {
            if (body == null) throw new ArgumentNullException("body");
            Add(1);
            try
            {
                return Gort.Go.Spawn(() =>
                {
                    Gort.Go.Defer(Done);
                    body();
                });
            }
            catch
            {
                Done();
                throw;
            }
        }

        /// <summary>Frees the native WaitGroup; idempotent.</summary>
        public void Dispose()
        {
            r.Close();
            GC.SuppressFinalize(this);
        }

        private static void Check(int rc, string op)
        {
            if (rc >= 0) return;
            if (rc == Errors.ERANGE) throw new GoPanicException("sync: negative WaitGroup counter");
            if (rc == Errors.EBUSY) throw new GoPanicException("sync: WaitGroup misuse");
            if (rc == Errors.EOVERFLOW) throw new ArgumentOutOfRangeException("delta", "sync: WaitGroup counter overflow");
            throw Errors.Of(rc, op);
        }
    }
}
