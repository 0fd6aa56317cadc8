// mutex.hpp - sync.Mutex, sync.RWMutex and sync.Cond's notify list, with
// Go's algorithms (sync/mutex.go, sync/rwmutex.go, runtime/sema.go's
// notifyList).
//
// Mutex: one atomic state word (locked, woken, starving bits and a waiter
// count) plus a Sema the waiters sleep on. Lock is one CAS when free; a
// contended Lock spins a little (when other processors run goroutines, as
// Go's canSpin), then sleeps. Normal mode: a woken waiter competes with new
// arrivals (fast under contention); a waiter that waited more than 1 ms
// switches the mutex to starvation mode, where Unlock hands ownership
// straight to the oldest waiter, so nobody starves.
// Misuse (unlocking an unlocked mutex) is Go's unrecoverable fatal error.
#pragma once

#include <atomic>
#include <cstdint>

#include "lock.hpp"
#include "sema.hpp"

namespace gort {

struct Waiter;

struct Mutex {
    static constexpr std::uint32_t kMagic = 0x6d55544bu;  // "mUTK"
    std::uint32_t magic = kMagic;
    // The state has a cache line of its own: the handle check reads magic,
    // and a magic on the contended line would cost every Lock a second
    // transfer of that line (a read, then the upgrade for the CAS).
    alignas(64) std::atomic<std::int32_t> state{0};
    Sema sema{0};

    // mutex_lock's and mutex_unlock's inline paths (gort/sync.h) do these
    // same two CASes on this word in the caller: its offset (64), encoding
    // (kLocked = 1, no other bit: no waiter) and the magic are ABI (static
    // asserts in capi/sync.cpp): programs compiled with them do these CASes.
    void lock() {
        std::int32_t z = 0;
        if (__builtin_expect(state.compare_exchange_strong(z, kLocked, std::memory_order_acquire), 1))
            return;
        lock_slow();
    }
    bool try_lock();
    // Returns false (and changes nothing) when the mutex is not locked and
    // fatal is false; with fatal, that is Go's fatal error.
    bool unlock(bool fatal = true) {
        if (fatal) {
            std::int32_t n = state.fetch_sub(kLocked, std::memory_order_release) - kLocked;
            if (__builtin_expect(n != 0, 0)) unlock_slow(n);
            return true;
        }
        return unlock_checked();
    }
    bool busy() const { return state.load() != 0 || const_cast<Sema &>(sema).has_waiters(); }

    static constexpr std::int32_t kLocked = 1, kWoken = 2, kStarving = 4, kWaiterShift = 3;

private:
    void lock_slow();
    void unlock_slow(std::int32_t n);
    bool unlock_checked();
};

struct RWMutex {
    static constexpr std::uint32_t kMagic = 0x72774d58u;  // "rwMX"
    static constexpr std::int32_t kMaxReaders = 1 << 30;
    std::uint32_t magic = kMagic;
    Mutex w;                               // held by a writer (pending or active)
    std::atomic<std::int32_t> reader_count{0};  // < 0: a writer is pending
    std::atomic<std::int32_t> reader_wait{0};   // readers the pending writer waits for
    Sema writer_sem{0}, reader_sem{0};

    void rlock();
    bool try_rlock();
    void runlock();
    void lock();
    bool try_lock();
    void unlock();
    bool busy() const;
};

// Cond's wait list: tickets in arrival order, so that Signal wakes the
// longest waiter and a Signal before a Wait's sleep is not lost.
struct NotifyList {
    std::atomic<std::uint32_t> wait{0};    // next ticket
    std::atomic<std::uint32_t> notify{0};  // next ticket to wake
    Lock lock;
    struct Entry;
    Entry *head = nullptr, *tail = nullptr;  // guarded by lock

    std::uint32_t add() { return wait.fetch_add(1, std::memory_order_seq_cst); }
    void wait_ticket(std::uint32_t t);  // block until ticket t is notified
    void notify_one();
    void notify_all();
    bool has_waiters();
};

}  // namespace gort
