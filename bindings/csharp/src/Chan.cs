using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Gort.Swig;

namespace Gort
{
    /// <summary>
    /// What Chan&lt;T&gt; and LongChan share: a native gort channel of 8-byte
    /// values, its lifetime, Go's close, len and cap. A Chan's values are
    /// keys into its registry of objects; a LongChan's are the numbers
    /// themselves (so it can share a channel with C code).
    /// </summary>
    public abstract class ChanBase : IDisposable
    {
        internal sealed class Ref : NativeRef
        {
            internal readonly SWIGTYPE_p_go_chan Ch;
            internal readonly ConcurrentDictionary<long, object> Objects;   // a Chan's registry, or null

            internal Ref(SWIGTYPE_p_go_chan ch, ConcurrentDictionary<long, object> objects) : base("channel")
            {
                Ch = ch;
                Objects = objects;
            }

            protected override void Free()
            {
                gort.chan_free(Ch);
                // The values still buffered are dropped with the channel, and so
                // are their objects (nothing is in flight now).
                if (Objects != null) Objects.Clear();
            }
        }

        internal readonly Ref R;

        internal ChanBase(SWIGTYPE_p_go_chan ch, ConcurrentDictionary<long, object> objects)
        {
            R = new Ref(ch, objects);
        }

        ~ChanBase()
        {
            // null when the constructor threw
            if (R != null) R.Close();
        }

        internal static SWIGTYPE_p_go_chan Make(int capacity)
        {
            if (capacity < 0) throw new ArgumentOutOfRangeException("capacity", "makechan: size out of range");
            SWIGTYPE_p_go_chan ch = gort.gort_chan_new(capacity);
            if (ch == null) throw new OutOfMemoryException("makechan");
            return ch;
        }

        /// <summary>Go's close(ch): receivers get the buffered values, then the
        /// zero value with ok false; blocked senders throw GoPanicException.
        /// Not Dispose, which frees the channel.</summary>
        /// <exception cref="GoPanicException">"close of closed channel"</exception>
        public void CloseChannel()
        {
            R.Enter();
            try
            {
                int rc = gort.gort_chan_close(R.Ch);
                if (rc == Errors.ECLOSED) throw new GoPanicException("close of closed channel", true);
                Errors.Check(rc, "CloseChannel");
            }
            finally { R.Leave(); }
        }

        /// <summary>len(ch).</summary>
        public int Len
        {
            get
            {
                R.Enter();
                try { return Errors.Check(gort.chan_len(R.Ch), "Len"); }
                finally { R.Leave(); }
            }
        }

        /// <summary>cap(ch).</summary>
        public int Cap
        {
            get
            {
                R.Enter();
                try { return Errors.Check(gort.chan_cap(R.Ch), "Cap"); }
                finally { R.Leave(); }
            }
        }

        /// <summary>Frees the native channel, at once or when the last
        /// operation in flight returns. Idempotent; every other member throws
        /// ObjectDisposedException after it.</summary>
        public void Dispose()
        {
            R.Close();
            GC.SuppressFinalize(this);
        }

        /// <summary>True once disposed.</summary>
        public bool IsDisposed { get { return R.IsClosed; } }

        // select support
        internal abstract long Put(object value);
        internal abstract object Take(long raw);
        internal abstract void Drop(long raw);
    }

    /// <summary>Go's "v, ok := &lt;-ch".</summary>
    public struct Received<T>
    {
        public readonly T Value;
        public readonly bool Ok;
        public Received(T value, bool ok) { Value = value; Ok = ok; }
        public override string ToString() { return "(" + Value + ", " + Ok + ")"; }
    }

    /// <summary>
    /// A Go channel of objects: make(chan T, capacity). The native channel
    /// carries 8-byte keys; the objects wait in this channel's registry
    /// between send and receive (key 0 is null). Go's rules: a send on a
    /// closed channel throws GoPanicException "send on closed channel"; a
    /// receive from a closed, drained channel gives default(T), ok false.
    /// Enumerating it is Go's "for v := range ch".
    /// </summary>
    public sealed class Chan<T> : ChanBase, IEnumerable<T>
    {
        private readonly ConcurrentDictionary<long, object> objects;
        private long keys;

        /// <summary>An unbuffered channel, or one buffering capacity values.</summary>
        public Chan(int capacity = 0) : this(Make(capacity), new ConcurrentDictionary<long, object>()) {}

        private Chan(SWIGTYPE_p_go_chan ch, ConcurrentDictionary<long, object> objects) : base(ch, objects)
        {
            this.objects = objects;
        }

        /// <summary>ch &lt;- value: blocks until a receiver takes it or the buffer has room.</summary>
        public void Send(T value)
        {
            int rc;
            R.Enter();
            try
            {
                long key = Put(value);
                rc = gort.gort_chan_send(R.Ch, key);
                if (rc < 0) Drop(key);
            }
            finally { R.Leave(); }
            if (rc == Errors.ECLOSED) throw Errors.SendOnClosed();
            Errors.Check(rc, "Send");
        }

        /// <summary>Non-blocking send: true when sent.</summary>
        public bool TrySend(T value)
        {
            int rc;
            R.Enter();
            try
            {
                long key = Put(value);
                rc = gort.gort_chan_try_send(R.Ch, key);
                if (rc != 1) Drop(key);
            }
            finally { R.Leave(); }
            if (rc == Errors.ECLOSED) throw Errors.SendOnClosed();
            return Errors.Check(rc, "TrySend") == 1;
        }

        /// <summary>&lt;-ch: default(T) when closed and drained.</summary>
        public T Recv()
        {
            return RecvOk().Value;
        }

        /// <summary>v, ok := &lt;-ch.</summary>
        public Received<T> RecvOk()
        {
            R.Enter();
            try
            {
                long v;
                int rc = Errors.Check(gort.gort_chan_recv(R.Ch, out v), "Recv");
                return new Received<T>(Cast(Take(v)), rc == 1);
            }
            finally { R.Leave(); }
        }

        /// <summary>Non-blocking receive: false when it would block.</summary>
        public bool TryRecv(out Received<T> received)
        {
            R.Enter();
            try
            {
                long v;
                int ok;
                if (Errors.Check(gort.gort_chan_try_recv(R.Ch, out v, out ok), "TryRecv") == 0)
                {
                    received = default(Received<T>);
                    return false;
                }
                received = new Received<T>(Cast(Take(v)), ok == 1);
                return true;
            }
            finally { R.Leave(); }
        }

        /// <summary>for v := range ch.</summary>
        public IEnumerator<T> GetEnumerator()
        {
            for (;;)
            {
                Received<T> r = RecvOk();
                if (!r.Ok) yield break;
                yield return r.Value;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }

        internal override long Put(object value)
        {
            if (value == null) return 0;
            long key = Interlocked.Increment(ref keys);
            objects[key] = value;
            return key;
        }

        internal override object Take(long raw)
        {
            object o;
            if (raw == 0 || !objects.TryRemove(raw, out o)) return null;
            return o;
        }

        internal override void Drop(long raw)
        {
            object _;
            if (raw != 0) objects.TryRemove(raw, out _);
        }

        private static T Cast(object o)
        {
            return o == null ? default(T) : (T)o;
        }
    }

    /// <summary>
    /// A Go channel of 64-bit integers (chan int64), whose values are the
    /// bytes C code sends and receives: the channel to share with goroutines
    /// written in C (Adopt), and time.After's. Otherwise as Chan&lt;T&gt;.
    /// </summary>
    public sealed class LongChan : ChanBase, IEnumerable<long>
    {
        /// <summary>An unbuffered channel, or one buffering capacity values.</summary>
        public LongChan(int capacity = 0) : base(Make(capacity), null) {}

        private LongChan(SWIGTYPE_p_go_chan ch) : base(ch, null) {}

        /// <summary>Takes ownership of a channel made by C code (a go_chan_t *
        /// of element size 8): Dispose or the finalizer frees it.</summary>
        /// <exception cref="ArgumentException">not a live channel of 8-byte values</exception>
        public static LongChan Adopt(IntPtr address)
        {
            SWIGTYPE_p_go_chan ch = gort.gort_chan_from_address(address.ToInt64());
            if (ch == null) throw new ArgumentException("not a live channel of 8-byte values", "address");
            return new LongChan(ch);
        }

        internal static LongChan After(long ns)
        {
            SWIGTYPE_p_go_chan ch = gort.go_after(ns);
            if (ch == null) throw new OutOfMemoryException("go_after");
            return new LongChan(ch);
        }

        /// <summary>ch &lt;- value.</summary>
        public void Send(long value)
        {
            int rc;
            R.Enter();
            try { rc = gort.gort_chan_send(R.Ch, value); }
            finally { R.Leave(); }
            if (rc == Errors.ECLOSED) throw Errors.SendOnClosed();
            Errors.Check(rc, "Send");
        }

        /// <summary>Non-blocking send: true when sent.</summary>
        public bool TrySend(long value)
        {
            int rc;
            R.Enter();
            try { rc = gort.gort_chan_try_send(R.Ch, value); }
            finally { R.Leave(); }
            if (rc == Errors.ECLOSED) throw Errors.SendOnClosed();
            return Errors.Check(rc, "TrySend") == 1;
        }

        /// <summary>&lt;-ch: 0 when closed and drained.</summary>
        public long Recv() { return RecvOk().Value; }

        /// <summary>v, ok := &lt;-ch.</summary>
        public Received<long> RecvOk()
        {
            R.Enter();
            try
            {
                long v;
                int rc = Errors.Check(gort.gort_chan_recv(R.Ch, out v), "Recv");
                return new Received<long>(v, rc == 1);
            }
            finally { R.Leave(); }
        }

        /// <summary>Non-blocking receive: false when it would block.</summary>
        public bool TryRecv(out Received<long> received)
        {
            R.Enter();
            try
            {
                long v;
                int ok;
                if (Errors.Check(gort.gort_chan_try_recv(R.Ch, out v, out ok), "TryRecv") == 0)
                {
                    received = default(Received<long>);
                    return false;
                }
                received = new Received<long>(v, ok == 1);
                return true;
            }
            finally { R.Leave(); }
        }

        /// <summary>for v := range ch.</summary>
        public IEnumerator<long> GetEnumerator()
        {
            for (;;)
            {
                Received<long> r = RecvOk();
                if (!r.Ok) yield break;
                yield return r.Value;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }

        internal override long Put(object value) { return (long)value; }
        internal override object Take(long raw) { return raw; }
        internal override void Drop(long raw) {}
    }
}
