using System;
using System.Threading;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// sync.Mutex, with Go's algorithm. Not tied to a thread or goroutine.
    /// <code>using (mu.Locked()) { balance += amount; }</code>
    /// Unlocking an unlocked mutex, Go's fatal error, throws
    /// SynchronizationLockException here. Dispose frees the native mutex (a
    /// locked one is unlocked first); the finalizer frees a forgotten one.
    /// </summary>
    public sealed class Mutex : IDisposable
    {
        private sealed class Ref : NativeRef
        {
            internal readonly SWIGTYPE_p_go_mutex Mu;
            internal Ref(SWIGTYPE_p_go_mutex mu) : base("Mutex") { Mu = mu; }
            protected override void Free()
            {
                // gort's mutex_free wants it unlocked; nothing is in flight, so a
                // held lock could never be released by its holder anyway.
                gort.mutex_unlock_err(Mu);
                gort.mutex_free(Mu);
            }
        }

        /// <summary>A held lock; Dispose unlocks it.</summary>
        public sealed class Held : IDisposable
        {
            private Mutex mu;
            internal Held(Mutex mu) { this.mu = mu; }
            public void Dispose()
            {
                Mutex m = mu;
                mu = null;
                if (m != null) m.Unlock();
            }
        }

        private readonly Ref r;

        public Mutex()
        {
            SWIGTYPE_p_go_mutex mu = gort.mutex_new();
            if (mu == null) throw new OutOfMemoryException("mutex_new");
            r = new Ref(mu);
        }

        ~Mutex()
        {
            // null when the constructor threw
            if (r != null) r.Close();
        }

        /// <summary>Blocks until the mutex is ours.</summary>
        public void Lock()
        {
            r.Enter();
            try { Errors.Check(gort.mutex_lock(r.Mu), "Mutex.Lock"); }
            finally { r.Leave(); }
        }

        /// <summary>Locks it; the result's Dispose unlocks it.</summary>
        public Held Locked()
        {
            Lock();
            return new Held(this);
        }

        /// <summary>Go's TryLock: true when this call locked it.</summary>
        public bool TryLock()
        {
            r.Enter();
            try { return Errors.Check(gort.mutex_trylock(r.Mu), "Mutex.TryLock") == 1; }
            finally { r.Leave(); }
        }

        /// <summary>Unlocks it.</summary>
        /// <exception cref="SynchronizationLockException">it is not locked</exception>
        public void Unlock()
        {
            r.Enter();
            try
            {
                int rc = gort.mutex_unlock_err(r.Mu);
                if (rc == Errors.EPERM) throw new SynchronizationLockException("sync: unlock of unlocked mutex");
                Errors.Check(rc, "Mutex.Unlock");
            }
            finally { r.Leave(); }
        }

        /// <summary>Frees the native mutex; idempotent.</summary>
        public void Dispose()
        {
            r.Close();
            GC.SuppressFinalize(this);
        }
    }
}
