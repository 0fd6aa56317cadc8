using System;
using System.Threading;

namespace Gort
{
    /// <summary>
    /// The bodies spawned and not yet started: Put stores an Action in a free
    /// slot and returns its index (the key the goroutine's run() gets), Take
    /// empties the slot and frees it. Each key is taken exactly once: by the
    /// goroutine's run(), or by Spawn when gort_spawn failed.
    ///
    /// Why not a ConcurrentDictionary keyed by a counter, or a GCHandle: on
    /// Mono 6.8 an insert+remove pair costs about 220 ns and a GCHandle
    /// Alloc+Free about 270 ns (icalls), where this costs two
    /// compare-and-swaps. The free slots are a lock-free stack (a Treiber
    /// stack whose head carries a tag against ABA); the slots live in chunks
    /// that are never moved, so a reader needs no lock; the table grows, under
    /// a lock, to the largest number of bodies pending at once and never
    /// shrinks (12 bytes a slot).
    /// </summary>
    internal sealed class Bodies
    {
        private const int ChunkBits = 10;
        private const int ChunkSize = 1 << ChunkBits;
        private const int ChunkMask = ChunkSize - 1;

        private sealed class Chunk
        {
            internal readonly Action[] Slots = new Action[ChunkSize];
            internal readonly int[] Next = new int[ChunkSize];   // the free stack's link: index + 1, 0 ends
        }

        // The directory: replaced by a longer copy when a chunk is added, so
        // an old copy is still right for every index it covers.
        private volatile Chunk[] chunks = new Chunk[0];
        private int used;                    // slots ever handed out (under growLock)
        private readonly object growLock = new object();

        // The free stack's head: low 32 bits the top slot's index + 1 (0:
        // empty), high 32 bits a tag bumped by every push and pop.
        private long head;

        internal int Put(Action body)
        {
            int index;
            for (;;)
            {
                long h = Interlocked.Read(ref head);
                int top = (int)(h & 0xffffffffL) - 1;
                if (top < 0)
                {
                    index = Grow();
                    break;
                }
                // A stale link (another thread popped top meanwhile) is
                // harmless: the tag has changed, so the swap fails.
                int next = Volatile.Read(ref Slot(top).Next[top & ChunkMask]);
                long nh = (long)((((ulong)h >> 32) + 1) << 32) | (uint)next;
                if (Interlocked.CompareExchange(ref head, nh, h) == h)
                {
                    index = top;
                    break;
                }
            }
            Volatile.Write(ref Slot(index).Slots[index & ChunkMask], body);
            return index;
        }

        internal Action Take(int index)
        {
            Chunk c = Slot(index);
            int i = index & ChunkMask;
            Action body = c.Slots[i];
            c.Slots[i] = null;
            for (;;)
            {
                long h = Interlocked.Read(ref head);
                Volatile.Write(ref c.Next[i], (int)(h & 0xffffffffL));
                long nh = (long)((((ulong)h >> 32) + 1) << 32) | (uint)(index + 1);
                if (Interlocked.CompareExchange(ref head, nh, h) == h) return body;
            }
        }

        private Chunk Slot(int index)
        {
            return chunks[index >> ChunkBits];
        }

        // A slot never handed out; adds a chunk when all are in use.
        private int Grow()
        {
            lock (growLock)
            {
                int index = used;
                if (index == int.MaxValue - 1) throw new OutOfMemoryException("Go.Spawn: too many goroutines pending");
                int ci = index >> ChunkBits;
                Chunk[] cs = chunks;
                if (ci == cs.Length || cs[ci] == null)
                {
                    Chunk[] next = cs;
                    if (ci == cs.Length)
                    {
                        next = new Chunk[Math.Max(4, cs.Length * 2)];
                        Array.Copy(cs, next, cs.Length);
                    }
                    next[ci] = new Chunk();
                    chunks = next;   // an index reaches a reader only after this
                }
                used = index + 1;
                return index;
            }
        }
    }
}
