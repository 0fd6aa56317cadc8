// stack.cpp - the stack allocator. See stack.hpp for the invariants.
//
// Capacity accounting. capacity counts every slot a stack can ever come
// from: the slots carved so far plus the uncarved rest of every mapped
// chunk (the current one and the spare ones in Pool::rests; a chunk mapped
// while the current one still has room must not replace it, or the slots
// left in it would stay counted but never be carved). A stack is then in
// one of four places: on a pool list (warm, dirty, cold), in a P's cache,
// held by a goroutine, or in flight (between a list and its next list,
// outside the lock: pages being released). The stack a goroutine takes at
// its first run must come from its P's cache or from the pool, so the
// pool must never lack one while a goroutine holds a reservation but no
// stack. Two rules keep that true:
//  - cached stacks are covered by cache reservations: a P's cache, once in
//    use, holds kCacheMax reservations of its own (Pool::cache_held), and
//    capacity >= live + cache_held;
//  - the scavenger moves dirty stacks to the cold list in small batches, so
//    that at most kScavengeBatch stacks per scavenging M are in flight
//    (taking the whole dirty list at once made every stack of a burst that
//    followed a burst a fresh slot: address space and header pages grew
//    with every burst).
#include "stack.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

#include "context.hpp"
#include "lock.hpp"
#include "sched.hpp"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102  // Linux 6.13; Debian 12's headers predate it
#endif

namespace gort {

namespace {

constexpr std::size_t kPage = 4096;
constexpr std::size_t kChunkBytes = 64u << 20;   // slots are carved from 64 MiB chunks
constexpr long kWarmMax = 256;                   // warm stacks kept per class in the global pool
constexpr long kDirtyMax = 1L << 16;             // warm stacks past kWarmMax awaiting the scavenger
constexpr int kCacheMax = 32;                    // per-P cache of default-class stacks
constexpr int kScavengeBatch = 64;               // dirty stacks released per pool-lock hold
constexpr std::uint64_t kCanary = 0x676f72742d737461ull;  // "gort-sta"

enum GuardMode { kGuardUnknown, kGuardMadvise, kGuardMprotect };

// The uncarved rest of a chunk mapped while the current one still had room,
// written at the start of that rest (the first slot's guard, which
// install_guard later zaps or protects).
struct ChunkRest {
    ChunkRest *next;
    char *end;
};

struct Pool {
    Lock lock;
    Stack *warm = nullptr;   // guarded by lock
    Stack *cold = nullptr;   // guarded by lock
    Stack *dirty = nullptr;  // guarded by lock: warm, past kWarmMax, to be released
    long nwarm = 0;          // guarded by lock
    long ndirty = 0;         // guarded by lock
    char *chunk_cur = nullptr, *chunk_end = nullptr;  // guarded by lock
    ChunkRest *rests = nullptr;  // guarded by lock: chunks to carve after the current one
    bool grow_failed = false;    // guarded by lock: the last mmap failed
    // Slots carved + slots left in the current chunk and in rests. Only
    // grows (under lock).
    std::atomic<long> capacity{0};
    // kCacheMax per P whose cache is in use (default class only). Changed
    // under lock; read by stack_reserve_n's fast path, hence seq_cst with
    // live (each side adds, then reads the other).
    std::atomic<long> cache_held{0};
    std::atomic<long> live{0};      // reservations
};

struct Stacks {
    Pool pools[kStackClasses];
    Stacks *previous = nullptr;  // the parent's, in a forked child (kept reachable)
    std::atomic<int> guard_mode{kGuardUnknown};
    std::atomic<bool> scavenge_pending{false};
    std::atomic<long> mprotect_budget{0};
};

Stacks *g_stacks = new Stacks();

std::size_t guard_for(std::size_t class_size) {
    if (class_size <= (64u << 10)) return kPage;
    if (class_size <= (1u << 20)) return 4 * kPage;
    return 16 * kPage;
}

long read_max_map_count() {
    long v = 65530;
    if (FILE *f = std::fopen("/proc/sys/vm/max_map_count", "r")) {
        if (std::fscanf(f, "%ld", &v) != 1) v = 65530;
        std::fclose(f);
    }
    return v;
}

// GORT_DEBUG_GUARD=mprotect|none forces the fallbacks of older kernels
// (for tests: an mprotect guard, or no guard and the canary). Read when the
// first slot is carved, so a forked child may set it before its first use.
void apply_debug_guard_mode() {
    const char *mode = std::getenv("GORT_DEBUG_GUARD");
    if (mode == nullptr) return;
    if (std::strcmp(mode, "mprotect") == 0) {
        g_stacks->mprotect_budget.store(read_max_map_count() / 2 - 4096);
        g_stacks->guard_mode.store(kGuardMprotect);
    } else if (std::strcmp(mode, "none") == 0) {
        g_stacks->mprotect_budget.store(0);
        g_stacks->guard_mode.store(kGuardMprotect);
    }
}

// Install the guard of a fresh slot; returns the guard size actually in force.
std::uint32_t install_guard(char *lo, std::size_t guard) {
    int mode = g_stacks->guard_mode.load(std::memory_order_relaxed);
    if (mode == kGuardUnknown) {
        apply_debug_guard_mode();
        mode = g_stacks->guard_mode.load(std::memory_order_relaxed);
    }
    if (mode != kGuardMprotect) {
        if (madvise(lo, guard, MADV_GUARD_INSTALL) == 0) {
            if (mode == kGuardUnknown) g_stacks->guard_mode.store(kGuardMadvise);
            return static_cast<std::uint32_t>(guard);
        }
        if (errno != EINVAL) return 0;  // ENOMEM and friends: treat as unguarded
        // Kernel older than 6.13: fall back to mprotect, which splits the
        // mapping; keep well below vm.max_map_count (every mmap in the
        // process fails past it, the JVM's and malloc's included).
        int expected = kGuardUnknown;
        if (g_stacks->guard_mode.compare_exchange_strong(expected, kGuardMprotect))
            g_stacks->mprotect_budget.store(read_max_map_count() / 2 - 4096);
    }
    if (g_stacks->mprotect_budget.fetch_sub(1) > 0 && mprotect(lo, guard, PROT_NONE) == 0)
        return static_cast<std::uint32_t>(guard);
    return 0;
}

// Called with pool.lock held: carve one more slot from the current chunk,
// or from the next spare one. Null when no mapped slot is left.
Stack *carve(Pool &pool, int cls) {
    std::size_t csize = stack_class_size(cls);
    std::size_t guard = guard_for(csize);
    std::size_t slot = csize + guard;
    if (pool.chunk_cur == nullptr || static_cast<std::size_t>(pool.chunk_end - pool.chunk_cur) < slot) {
        ChunkRest *r = pool.rests;
        if (r == nullptr) return nullptr;
        pool.rests = r->next;
        pool.chunk_cur = reinterpret_cast<char *>(r);
        pool.chunk_end = r->end;
    }
    char *lo = pool.chunk_cur;
    pool.chunk_cur += slot;
    auto *s = reinterpret_cast<Stack *>(lo + slot - kStackHeader);
    s->next = nullptr;
    s->lo = lo;
    s->slot_size = slot;
    s->guard = install_guard(lo, guard);
    s->cls = static_cast<std::uint8_t>(cls);
    s->warm = true;
    // The canary of an unguarded stack is not stack for valgrind: reading it
    // would be a read below the stack pointer.
    s->vg_id = fiber_stack_register(s->usable_lo() + (s->guard == 0 ? kCanaryBytes : 0),
                                    lo + slot - kStackHeader);
    // A parked goroutine's frames may hold the only pointer to a block.
    sanitizer_root_region(s->usable_lo(), s->usable_size());
    return s;
}

// Called with pool.lock held: map a new chunk. False when mmap fails.
bool grow(Pool &pool, int cls) {
    std::size_t csize = stack_class_size(cls);
    std::size_t slot = csize + guard_for(csize);
    std::size_t bytes = slot > kChunkBytes ? slot : (kChunkBytes / slot) * slot;
    void *m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        pool.grow_failed = true;
        return false;
    }
    pool.grow_failed = false;
    auto *mem = static_cast<char *>(m);
    if (pool.chunk_cur != nullptr && static_cast<std::size_t>(pool.chunk_end - pool.chunk_cur) >= slot) {
        // Reservations ran ahead of first runs: the current chunk still has
        // slots that capacity counts. Carve them first, this chunk after.
        auto *r = reinterpret_cast<ChunkRest *>(mem);
        r->next = pool.rests;
        r->end = mem + bytes;
        pool.rests = r;
    } else {
        // Less than a slot is left of the current chunk (chunks are a
        // multiple of the slot size, so nothing counted is lost).
        pool.chunk_cur = mem;
        pool.chunk_end = mem + bytes;
    }
    pool.capacity.fetch_add(static_cast<long>(bytes / slot));
    return true;
}

// Whether capacity covers live reservations and cache reservations.
bool covered(const Pool &pool) {
    return pool.live.load(std::memory_order_seq_cst) + pool.cache_held.load(std::memory_order_seq_cst) <=
           pool.capacity.load(std::memory_order_relaxed);
}

}  // namespace

int stack_class_for(std::size_t requested) {
    if (requested == 0) requested = 64u << 10;
    if (requested > (1u << 30)) return -1;
    if (requested < (16u << 10)) requested = 16u << 10;
    int cls = 0;
    while ((std::size_t{16} << 10 << cls) < requested) cls++;
    return cls;
}

std::size_t stack_class_size(int cls) { return std::size_t{16} << 10 << cls; }

bool stack_reserve_n(int cls, long n) {
    Pool &pool = g_stacks->pools[cls];
    // seq_cst: either this sees a concurrent cache reservation or that one
    // sees this (an x86 locked add is a full fence either way).
    long live = pool.live.fetch_add(n, std::memory_order_seq_cst) + n;
    if (__builtin_expect(live + pool.cache_held.load(std::memory_order_seq_cst) <=
                             pool.capacity.load(std::memory_order_relaxed),
                         1))
        return true;
    LockGuard g(pool.lock);
    while (!covered(pool)) {
        if (!grow(pool, cls)) {
            pool.live.fetch_sub(n, std::memory_order_relaxed);
            return false;
        }
    }
    return true;
}

void stack_unreserve_n(int cls, long n) {
    g_stacks->pools[cls].live.fetch_sub(n, std::memory_order_relaxed);
}

bool stack_reserve(int cls) { return stack_reserve_n(cls, 1); }
void stack_unreserve(int cls) { stack_unreserve_n(cls, 1); }

long stack_live_total() {
    long n = 0;
    for (auto &pool : g_stacks->pools) n += pool.live.load(std::memory_order_relaxed);
    return n;
}

namespace {
// Give a stack's pages back, all but the top page that holds its header.
void release_pages(Stack *s) {
    char *top_page = reinterpret_cast<char *>(reinterpret_cast<std::uintptr_t>(s) & ~(kPage - 1));
    if (top_page > s->usable_lo()) {
        int saved = errno;
        madvise(s->usable_lo(), top_page - s->usable_lo(), MADV_DONTNEED);
        errno = saved;
    }
    s->warm = false;
}
}  // namespace

namespace {

// One stack from the pool: warm first, then dirty (still warm: the
// scavenger has not run), then cold, then a new slot. Pool lock held.
Stack *pool_take_locked(Pool &pool, int cls) {
    Stack *s;
    if ((s = pool.warm) != nullptr) {
        pool.warm = s->next;
        pool.nwarm--;
    } else if ((s = pool.dirty) != nullptr) {
        pool.dirty = s->next;
        pool.ndirty--;
    } else if ((s = pool.cold) != nullptr) {
        pool.cold = s->next;
    } else {
        s = carve(pool, cls);
        if (s == nullptr && grow(pool, cls)) s = carve(pool, cls);
    }
    return s;
}

// Give s back to the pool; returns true when its pages must be released by
// the caller (outside the lock) before it goes on the cold list. Lock held.
bool pool_give_locked(Pool &pool, Stack *s) {
    if (pool.nwarm < kWarmMax) {
        s->next = pool.warm;
        pool.warm = s;
        pool.nwarm++;
        return false;
    }
    if (pool.ndirty < kDirtyMax) {
        // Too many warm stacks already, but giving the pages back now would
        // cost a system call and a TLB shootdown on every exit of a burst:
        // leave that to the scavenger, which runs when an M goes idle.
        s->next = pool.dirty;
        pool.dirty = s;
        pool.ndirty++;
        g_stacks->scavenge_pending.store(true, std::memory_order_relaxed);
        return false;
    }
    return true;
}

void pool_give(Pool &pool, Stack *s) {
    {
        LockGuard g(pool.lock);
        if (!pool_give_locked(pool, s)) return;
    }
    release_pages(s);
    LockGuard g(pool.lock);
    s->next = pool.cold;
    pool.cold = s;
}

}  // namespace

namespace {

// A P's cache (owner only): p->stack_cache is null while the cache is off
// (it holds no cache reservation: a new P, a retired one, or one that found
// no capacity for it), else a list ending at &g_cache_end (possibly empty).
// Turned on at the P's first use and off only by stack_flush_cache, so the
// reservation is taken and given back rarely, not per goroutine.
Stack g_cache_end;

bool cache_empty(const P *p) { return p->stack_cache == nullptr || p->stack_cache == &g_cache_end; }

// Turn p's cache on: reserve kCacheMax slots for it. False (the cache stays
// off, the P uses the pool directly) when capacity lacks them and no chunk
// can be mapped. Pool lock held.
bool cache_on_locked(Pool &pool, P *p, int cls) {
    if (p->stack_cache != nullptr) return true;
    pool.cache_held.fetch_add(kCacheMax, std::memory_order_seq_cst);
    // Map a chunk if needed, unless the last try failed (an address-space
    // limit: the reservation path retries; this one would only add an mmap
    // call per goroutine start and exit).
    while (!covered(pool)) {
        if (pool.grow_failed || !grow(pool, cls)) {
            pool.cache_held.fetch_sub(kCacheMax, std::memory_order_relaxed);
            return false;
        }
    }
    p->stack_cache = &g_cache_end;
    return true;
}

// Refill half of p's cache under one lock (Go's stackcacherefill) and take
// one stack from it; with the cache off, take one from the pool. Null only
// if the capacity invariant is broken.
Stack *cache_refill_take(P *p, int cls) {
    Pool &pool = g_stacks->pools[cls];
    LockGuard g(pool.lock);
    if (!cache_on_locked(pool, p, cls)) return pool_take_locked(pool, cls);
    Stack *s = pool_take_locked(pool, cls);
    while (s != nullptr && p->nstack_cache < kCacheMax / 2) {
        Stack *t = pool_take_locked(pool, cls);
        if (t == nullptr) break;
        t->next = p->stack_cache;
        p->stack_cache = t;
        p->nstack_cache++;
    }
    return s;
}

}  // namespace

Stack *stack_get(P *p, int cls) {
    Stack *s;
    if (p != nullptr && cls == kDefaultStackClass) {
        if (__builtin_expect(!cache_empty(p), 1)) {
            s = p->stack_cache;
            p->stack_cache = s->next;
            p->nstack_cache--;
            s->next = nullptr;
            return s;
        }
        s = cache_refill_take(p, cls);
    } else {
        Pool &pool = g_stacks->pools[cls];
        LockGuard g(pool.lock);
        s = pool_take_locked(pool, cls);
    }
    if (s == nullptr) {
        // Unreachable while capacity >= live + cache_held holds; a broken
        // invariant is a runtime bug, not a user error.
        fatal_error("runtime: cannot allocate goroutine stack");
    }
    s->next = nullptr;
    return s;
}

void stack_put(P *p, Stack *s) {
    if (p != nullptr && s->cls == kDefaultStackClass) {
        if (__builtin_expect(p->stack_cache == nullptr, 0)) {
            Pool &pool = g_stacks->pools[s->cls];
            bool on;
            {
                LockGuard g(pool.lock);
                on = cache_on_locked(pool, p, s->cls);
            }
            if (!on) {
                pool_give(pool, s);
                return;
            }
        }
        if (p->nstack_cache >= kCacheMax) {
            // Return half the cache under one lock (Go's stackcacherelease).
            Pool &pool = g_stacks->pools[s->cls];
            Stack *release = nullptr;
            {
                LockGuard g(pool.lock);
                while (p->nstack_cache > kCacheMax / 2) {
                    Stack *t = p->stack_cache;
                    p->stack_cache = t->next;
                    p->nstack_cache--;
                    if (pool_give_locked(pool, t)) {
                        t->next = release;
                        release = t;
                    }
                }
            }
            while (release != nullptr) {
                Stack *t = release;
                release = t->next;
                pool_give(pool, t);  // full: release its pages, then cold
            }
        }
        s->next = p->stack_cache;
        p->stack_cache = s;
        p->nstack_cache++;
        return;
    }
    pool_give(g_stacks->pools[s->cls], s);
}

void stack_scavenge() {
    Stacks &st = *g_stacks;
    if (!st.scavenge_pending.load(std::memory_order_relaxed)) return;
    st.scavenge_pending.store(false, std::memory_order_relaxed);
    for (Pool &pool : st.pools) {
        // A batch at a time: the stacks being released are on no list, and
        // a goroutine starting meanwhile (the next burst) must find the
        // others still in the pool rather than carve new slots.
        for (;;) {
            Stack *batch = nullptr, *last = nullptr;
            {
                LockGuard g(pool.lock);
                for (int i = 0; i < kScavengeBatch && pool.dirty != nullptr; i++) {
                    Stack *s = pool.dirty;
                    pool.dirty = s->next;
                    pool.ndirty--;
                    s->next = batch;
                    batch = s;
                    if (last == nullptr) last = s;
                }
            }
            if (batch == nullptr) break;
            for (Stack *s = batch; s != nullptr; s = s->next) release_pages(s);
            LockGuard g(pool.lock);
            last->next = pool.cold;
            pool.cold = batch;
        }
    }
}

void stack_flush_cache(P *p) {
    if (p->stack_cache == nullptr) return;
    Pool &pool = g_stacks->pools[kDefaultStackClass];
    while (!cache_empty(p)) {
        Stack *s = p->stack_cache;
        p->stack_cache = s->next;
        p->nstack_cache--;
        stack_put(nullptr, s);
    }
    p->stack_cache = nullptr;
    LockGuard g(pool.lock);
    pool.cache_held.fetch_sub(kCacheMax, std::memory_order_relaxed);
}

void stack_arm_canary(Stack *s) {
    auto *w = reinterpret_cast<std::uint64_t *>(s->usable_lo());
    for (std::size_t i = 0; i < kCanaryBytes / sizeof *w; i++) w[i] = kCanary;
}

bool stack_canary_ok(const Stack *s) {
    valgrind_mark_defined(s->usable_lo(), kCanaryBytes);
    const auto *w = reinterpret_cast<const std::uint64_t *>(s->usable_lo());
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i < kCanaryBytes / sizeof *w; i++) diff |= w[i] ^ kCanary;
    return diff == 0;
}

void stack_reset_after_fork() {
    Stacks *fresh = new Stacks();
    fresh->previous = g_stacks;
    g_stacks = fresh;
}

}  // namespace gort
