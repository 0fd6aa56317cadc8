// handle.hpp - type-stable memory for the objects behind the C API's
// handles (go_chan_t, go_mutex_t, go_rwmutex_t, go_once_t, go_cond_t,
// go_wg_t, go_timer_t, go_ticker_t), so that a freed or foreign handle is
// caught instead of being undefined behaviour.
//
// Every handle object starts with a 32-bit magic word that names its type.
// The C API checks it before it touches anything else (handle_is, below).
// That check only means something if the memory of a freed handle is still
// ours and still says "freed": with malloc, the "magic = 0" store before
// free() is a dead store the compiler removes, the memory belongs to malloc
// (whose own bookkeeping lands on the magic), and merely reading it is a
// use-after-free for ASan. So the handle objects live in slabs that gort
// never gives back:
//
//   pool      one per HandleKind; a slot is only ever reused for an object
//             of the same kind, so the magic at offset 0 of any slot is
//             always that kind's live magic or kFreedMagic.
//   slot      a multiple of 64 bytes, 64-byte aligned (Chan and Mutex are
//             alignas(64) types); a handle that is not 64-byte aligned is
//             rejected without being read.
//   slab      kSlabBytes from aligned_alloc (so LeakSanitizer scans it: a
//             Chan points to its malloc'd buffer), carved from the front
//             and kept for the life of the process, linked from its pool.
//   quarantine  freed slots wait in a FIFO; a slot is reused only once
//             kQuarantine later frees of that kind came after it. A double
//             free or a use right after a free finds kFreedMagic; only a
//             handle whose slot was reused by a new object of the same kind
//             (kQuarantine frees later) cannot be told from that object.
//
// Invariants: `lock` of a pool guards its lists and its carving cursor; a
// slot is in exactly one of: carved and live (the owner's), quarantined
// (magic kFreedMagic, linked through the pointer at offset 8), or not yet
// carved. kFreedMagic is stored while the slot is still linked from the
// pool, so it is not a dead store. The lock is a SpinLock: it is held for a
// few loads and stores, never across a system call (a new slab is allocated
// before the lock is taken). fork: a pthread_atfork handler takes every
// pool's lock before fork and releases it in both processes, so the child
// never inherits a lock held by a thread that does not exist there.
//
// Memory: a pool retains the slots of its high-water mark of live objects
// plus the quarantine (kQuarantine = 256 slots), in 16 KiB slabs; nothing
// is returned to the system. Slots: 128 bytes for a channel header (its
// buffer is malloc'd and freed with it) and a Mutex, 256 for an RWMutex,
// 192 for a Once, 64 for a WaitGroup, Cond, timer or ticker; so the
// quarantines add at most 32 KiB per kind (64 KiB for RWMutexes), 240 KiB
// for all eight, and a program that once had a million channels alive
// keeps 128 MB of channel slots (Go's GC would give them back).
//
// Rejected: a generation-counted index table (as go_fd_t's) changes the
// handles into integers, which the C API's pointer types cannot take back;
// per-thread caches would make allocation cheaper under contention, but the
// quarantine's "N later frees" must then be counted per thread and the
// caches drained at thread exit, for a cost the measurements did not call
// for (a lock/unlock pair on an uncontended line, as malloc's arena).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

namespace gort {

enum class HandleKind : int { kChan, kWaitGroup, kMutex, kRWMutex, kOnce, kCond, kTimer, kTicker };
constexpr int kHandleKinds = 8;

constexpr std::size_t kHandleAlign = 64;
// What a freed slot's magic says ("fREE"): no live kind uses it.
constexpr std::uint32_t kFreedMagic = 0x66524545u;

// True when p is a non-null, 64-byte aligned pointer whose first 32 bits
// are `magic`. The word is read with memcpy, not through a typed member
// access: a garbage or other-kind pointer is not a T, and a typed access
// through it is undefined (UBSan's "misaligned address"). A misaligned
// pointer is rejected before any read. Any thread.
inline bool handle_is(const void *p, std::uint32_t magic) {
    if (p == nullptr || (reinterpret_cast<std::uintptr_t>(p) & (kHandleAlign - 1)) != 0) return false;
    std::uint32_t m;
    std::memcpy(&m, p, sizeof m);
    return m == magic;
}

// A slot of kind's pool for an object of `size` bytes (always the same size
// for a kind), 64-byte aligned, uninitialized; null when out of memory
// (errno ENOMEM). Any thread, goroutine or not; never parks.
void *handle_alloc(HandleKind kind, std::size_t size);
// Return p (from handle_alloc(kind, size), its object destroyed) to its
// pool: stores kFreedMagic at offset 0 and quarantines the slot. Any
// thread; never parks.
void handle_free(HandleKind kind, void *p, std::size_t size);

template <class T, class... Args>
T *handle_new(HandleKind kind, Args &&...args) {
    static_assert(alignof(T) <= kHandleAlign, "a handle object is at most 64-byte aligned");
    void *p = handle_alloc(kind, sizeof(T));
    return p != nullptr ? new (p) T(std::forward<Args>(args)...) : nullptr;
}

template <class T>
void handle_delete(HandleKind kind, T *x) {
    x->~T();
    handle_free(kind, x, sizeof(T));
}

}  // namespace gort
