// lock.hpp - the runtime's own low-level locks, built on futexes.
//
// These lock OS threads (Ms), not goroutines: a Lock is never held across a
// goroutine switch, except by park(), which releases it only after the
// parking goroutine's context has been saved (see sched.hpp) — on the same
// OS thread, by whatever runs there next.
//
// No count of held locks is kept (Go's m.locks): a fault in runtime code is
// recognised by its pc instead (signal.cpp), which costs the lock paths
// nothing — a per-thread counter here cost pingpong 6-8 ns a round trip.
#pragma once

#include <atomic>
#include <cstdint>
#include <ctime>

namespace gort {

// futex helpers: wait while *addr == expected (until woken, a signal or the
// absolute CLOCK_MONOTONIC deadline, if given); wake up to n waiters.
void futex_wait(std::atomic<uint32_t> *addr, uint32_t expected,
                const struct timespec *abs_deadline = nullptr);
void futex_wake(std::atomic<uint32_t> *addr, int n);

// A mutex: 0 unlocked, 1 locked, 2 locked with waiters (Drepper's futex mutex).
class Lock {
public:
    void lock() {
        uint32_t c = 0;
        if (__builtin_expect(state_.compare_exchange_strong(c, 1, std::memory_order_acquire), 1))
            return;
        lock_slow();
    }
    bool try_lock() {
        uint32_t c = 0;
        return state_.compare_exchange_strong(c, 1, std::memory_order_acquire);
    }
    void unlock() {
        if (__builtin_expect(state_.exchange(0, std::memory_order_release) == 2, 0))
            futex_wake(&state_, 1);
    }
    void reset() { state_.store(0, std::memory_order_relaxed); }

private:
    void lock_slow();
    std::atomic<uint32_t> state_{0};
};

// A spin lock for the shortest critical sections (a channel's): unlock is
// a plain release store, so a lock/unlock pair costs one locked instruction
// instead of the Lock's two. Waiters spin, then yield the CPU, then sleep
// briefly: a holder never blocks, makes no system call and never switches
// goroutines while holding one (park releases it only after the switch).
class SpinLock {
public:
    void lock() {
        if (__builtin_expect(state_.exchange(1, std::memory_order_acquire) == 0, 1)) return;
        lock_slow();
    }
    bool try_lock() { return state_.exchange(1, std::memory_order_acquire) == 0; }
    void unlock() { state_.store(0, std::memory_order_release); }

private:
    void lock_slow();
    std::atomic<uint32_t> state_{0};
};

template <class L>
class BasicLockGuard {
public:
    explicit BasicLockGuard(L &l) : l_(l) { l_.lock(); }
    ~BasicLockGuard() { l_.unlock(); }
    BasicLockGuard(const BasicLockGuard &) = delete;
    BasicLockGuard &operator=(const BasicLockGuard &) = delete;

private:
    L &l_;
};
using LockGuard = BasicLockGuard<Lock>;
using SpinLockGuard = BasicLockGuard<SpinLock>;

// A one-token binary semaphore for parking an OS thread: wake() leaves a
// token (at most one), sleep() waits for it and takes it.
class Note {
public:
    void sleep() {
        while (token_.exchange(0, std::memory_order_acquire) == 0) futex_wait(&token_, 0);
    }
    // Returns false when the absolute monotonic deadline passed first.
    bool sleep_until(const struct timespec *abs_deadline);
    void wake() {
        token_.store(1, std::memory_order_release);
        futex_wake(&token_, 1);
    }

private:
    std::atomic<uint32_t> token_{0};
};

}  // namespace gort
