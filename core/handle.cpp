// handle.cpp - the handle pools. See handle.hpp for the design and the
// invariants.
#include "handle.hpp"

#include <cerrno>
#include <cstdlib>
#include <pthread.h>

#include "lock.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define GORT_HANDLE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORT_HANDLE_ASAN 1
#endif
#endif
#ifdef GORT_HANDLE_ASAN
#include <sanitizer/asan_interface.h>
#endif
#ifdef GORT_HAVE_VALGRIND
#include <valgrind/memcheck.h>
#endif

namespace gort {

namespace {

constexpr std::size_t kSlabBytes = 16 * 1024;
// A freed slot is reused only after this many later frees of its kind.
constexpr long kQuarantine = 256;
// A quarantined slot keeps its magic (offset 0) and its queue link (offset
// 8) readable; the rest is poisoned for ASan and valgrind, so that gort's
// own use of a freed object is reported too, not only the C API's.
constexpr std::size_t kKeptBytes = 16;

struct Slab {
    Slab *next;
};

struct alignas(64) Pool {
    SpinLock lock;
    char *cur = nullptr, *end = nullptr;  // guarded by lock: the slab being carved
    void *qhead = nullptr, *qtail = nullptr;  // guarded by lock: the quarantine, oldest first
    long qcount = 0;                      // guarded by lock
    Slab *slabs = nullptr;                // guarded by lock: every slab, for leak checkers
    long nslabs = 0;                      // guarded by lock
};

Pool g_pools[kHandleKinds];

constexpr std::size_t slot_bytes(std::size_t size) {
    return (size + kHandleAlign - 1) & ~(kHandleAlign - 1);
}

// The quarantine's link, at offset 8 of a freed slot (memcpy: no object
// lives there any more).
inline void *link_of(void *slot) {
    void *next;
    std::memcpy(&next, static_cast<char *>(slot) + 8, sizeof next);
    return next;
}
inline void set_link(void *slot, void *next) {
    std::memcpy(static_cast<char *>(slot) + 8, &next, sizeof next);
}

inline void poison_freed(void *p, std::size_t slot) {
    char *rest = static_cast<char *>(p) + kKeptBytes;
    (void)rest;
    (void)slot;
#ifdef GORT_HANDLE_ASAN
    ASAN_POISON_MEMORY_REGION(rest, slot - kKeptBytes);
#endif
#ifdef GORT_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_NOACCESS(rest, slot - kKeptBytes);
#endif
}

inline void unpoison_reused(void *p, std::size_t slot) {
    (void)p;
    (void)slot;
#ifdef GORT_HANDLE_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, slot);
#endif
#ifdef GORT_HAVE_VALGRIND
    VALGRIND_MAKE_MEM_UNDEFINED(p, slot);
#endif
}

// The oldest quarantined slot once kQuarantine frees came after it (*reused
// set), else a slot carved from the current slab, else null. pool.lock held.
void *take_locked(Pool &pool, std::size_t slot, bool *reused) {
    if (pool.qcount > kQuarantine) {
        void *p = pool.qhead;
        pool.qhead = link_of(p);
        if (pool.qhead == nullptr) pool.qtail = nullptr;
        pool.qcount--;
        *reused = true;
        return p;
    }
    *reused = false;
    if (static_cast<std::size_t>(pool.end - pool.cur) >= slot) {
        void *p = pool.cur;
        pool.cur += slot;
        return p;
    }
    return nullptr;
}

// fork: no pool lock may be held by a thread that the child lacks.
void fork_prepare() {
    for (Pool &p : g_pools) p.lock.lock();
}
void fork_release() {
    for (int i = kHandleKinds - 1; i >= 0; i--) g_pools[i].lock.unlock();
}

struct ForkHandlers {
    ForkHandlers() { pthread_atfork(fork_prepare, fork_release, fork_release); }
} g_fork_handlers;

}  // namespace

void *handle_alloc(HandleKind kind, std::size_t size) {
    Pool &pool = g_pools[static_cast<int>(kind)];
    const std::size_t slot = slot_bytes(size);
    if (slot > kSlabBytes - kHandleAlign) {  // no handle type is near this
        errno = ENOMEM;
        return nullptr;
    }
    void *fresh = nullptr;  // a new slab, allocated without the lock
    for (;;) {
        bool reused;
        pool.lock.lock();
        void *p = take_locked(pool, slot, &reused);
        if (p == nullptr && fresh != nullptr) {
            auto *s = static_cast<Slab *>(fresh);
            s->next = pool.slabs;
            pool.slabs = s;
            pool.nslabs++;
            pool.cur = static_cast<char *>(fresh) + kHandleAlign;  // after the Slab header's line
            pool.end = static_cast<char *>(fresh) + kSlabBytes;
            fresh = nullptr;
            p = take_locked(pool, slot, &reused);
        }
        pool.lock.unlock();
        if (p != nullptr) {
            // Another thread installed a slab while this one allocated its
            // own: give this one back (nothing was carved from it).
            if (fresh != nullptr) std::free(fresh);
            if (reused) unpoison_reused(p, slot);
            return p;
        }
        fresh = std::aligned_alloc(kHandleAlign, kSlabBytes);
        if (fresh == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
    }
}

void handle_free(HandleKind kind, void *p, std::size_t size) {
    Pool &pool = g_pools[static_cast<int>(kind)];
    // The slot stays linked from the pool: neither store is dead, and the
    // magic is what the next handle_is on this pointer reads. Both happen
    // before the slot is queued: after that, only the pool touches it.
    std::memcpy(p, &kFreedMagic, sizeof kFreedMagic);
    set_link(p, nullptr);
    poison_freed(p, slot_bytes(size));
    pool.lock.lock();
    if (pool.qtail != nullptr) set_link(pool.qtail, p);
    else pool.qhead = p;
    pool.qtail = p;
    pool.qcount++;
    pool.lock.unlock();
}

}  // namespace gort
