using System;
using System.Collections.Generic;
using System.Threading;

namespace Gort
{
    /// <summary>
    /// The bodies spawned and not yet started. Put stores an Action and
    /// returns its key (what the goroutine's run() gets); Take empties the
    /// key's slot and returns the Action. Each key is taken exactly once: by
    /// the goroutine's run(), or by Spawn when gort_spawn failed.
    ///
    /// Why not a ConcurrentDictionary keyed by a counter, or a GCHandle: on
    /// Mono 6.8 an insert+remove pair costs about 220 ns and a GCHandle
    /// Alloc+Free about 270 ns (icalls); a shared free list costs a
    /// compare-and-swap on each side on one cache line that the spawning
    /// thread and every pool thread pull back and forth (12% of the spawning
    /// thread's time). Here neither side makes an atomic read-modify-write:
    ///
    /// Each spawning thread owns a ring of slots (the key: the ring's id and
    /// the slot's index). Only the owner stores Actions in its ring, only in
    /// an empty slot; a taker only empties one. So the owner that reads a
    /// slot as empty reads the taker's store, and no Action is overwritten
    /// (an empty slot read as full is merely skipped). The key reaches the
    /// taker through gort, which orders the store before the take. When the
    /// next slots are all full, the owner switches to a ring twice the size;
    /// the old one stays where takers find it. A ring whose owner thread is
    /// gone (or that its owner outgrew) waits for a new owner: the rings
    /// number no more than the threads that spawned at the same time, plus
    /// the outgrown ones. A ring is outgrown only when its owner comes round
    /// to slots still pending (bodies spawned a full ring ago and not yet
    /// started), so the slots stay within a small factor of the most bodies
    /// pending at once (8 bytes each, and a ring of 64 per spawning thread).
    /// </summary>
    internal static class Bodies
    {
        private const int FirstSize = 64;   // a power of two
        private const int Probes = 4;       // full slots skipped before a ring is outgrown

        private sealed class Ring
        {
            internal readonly int Id;
            internal readonly Action[] Slots;
            internal int Next;   // the owner's next slot to try
            internal Ring(int id, int size) { Id = id; Slots = new Action[size]; }
        }

        // A thread's hold on its ring: finalized when the thread is gone
        // (its thread-static reference with it), which frees the ring for
        // another thread.
        private sealed class Owner
        {
            internal Ring Ring;

            ~Owner()
            {
                // At shutdown a live thread's Owner may be finalized too:
                // its ring must not get a second owner then.
                if (!Environment.HasShutdownStarted) Release(Ring);
            }
        }

        [ThreadStatic] private static Owner owner;

        private static readonly object sync = new object();
        private static volatile Ring[] rings = new Ring[0];             // by id; under sync to add
        private static readonly List<Ring> unowned = new List<Ring>();  // under sync

        internal static long Put(Action body)
        {
            Owner o = owner;
            if (o == null) owner = o = new Owner { Ring = Acquire(FirstSize) };
            for (;;)
            {
                Ring r = o.Ring;
                Action[] slots = r.Slots;
                int mask = slots.Length - 1;
                for (int i = 0; i < Probes; i++)
                {
                    int p = r.Next;
                    r.Next = (p + 1) & mask;
                    if (Volatile.Read(ref slots[p]) == null)
                    {
                        slots[p] = body;
                        return ((long)r.Id << 32) | (uint)p;
                    }
                }
                Ring bigger = Acquire(slots.Length * 2);
                Release(r);
                o.Ring = bigger;
            }
        }

        internal static Action Take(long key)
        {
            Ring r = rings[(int)(key >> 32)];
            int p = (int)(key & 0xffffffffL);
            Action body = r.Slots[p];
            Volatile.Write(ref r.Slots[p], null);
            return body;
        }

        // A ring of at least size slots, from the unowned ones or new.
        private static Ring Acquire(int size)
        {
            lock (sync)
            {
                for (int i = unowned.Count - 1; i >= 0; i--)
                {
                    Ring u = unowned[i];
                    if (u.Slots.Length < size) continue;
                    unowned.RemoveAt(i);
                    return u;
                }
                Ring[] rs = rings;
                if (rs.Length == int.MaxValue) throw new OutOfMemoryException("Go.Spawn: too many rings");
                Ring r = new Ring(rs.Length, size);
                Ring[] more = new Ring[rs.Length + 1];
                Array.Copy(rs, more, rs.Length);
                more[rs.Length] = r;
                rings = more;   // before any key of r is handed out
                return r;
            }
        }

        private static void Release(Ring r)
        {
            if (r == null) return;
            lock (sync) unowned.Add(r);
        }
    }
}
