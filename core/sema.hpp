// sema.hpp - a counting semaphore whose waiters are goroutines or OS threads.
//
// The building block of every blocking primitive (Go's runtime/sema.go plays
// the same part). A waiting goroutine parks (its M goes on running others);
// a waiting thread that is not a goroutine sleeps on its own futex. release()
// hands the count straight to the oldest waiter (FIFO), so a release before
// the matching acquire is never lost.
//
// Invariants: count > 0 implies no waiters; `lock` guards count and the
// queue; a Waiter lives on its waiter's stack and is touched by the releaser
// only until it wakes that waiter.
#pragma once

#include <cstdint>

#include "lock.hpp"

namespace gort {

struct G;

class Sema {
public:
    explicit Sema(std::uint32_t count = 0) : count_(count) {}
    // Take one unit, blocking (parking the goroutine, or sleeping the
    // thread) while there is none. reason: the wait reason a deadlock report
    // shows. lifo: queue at the front (a Mutex waiter that was woken and
    // lost the race waits first next time, as in Go). Any thread.
    void acquire(const char *reason = "semacquire", bool lifo = false);
    // Give one unit: to the oldest waiter if there is one. handoff: the
    // caller, when it is a goroutine, yields to the waiter at once (a
    // starving Mutex's handoff). Any thread; never blocks.
    void release(bool handoff = false);
    // release() n times, but the waiters are taken under one lock and woken
    // after it: the first to wake may free the Sema (a WaitGroup freed right
    // after wg_wait returns) without the releaser touching it again.
    void release_n(std::uint32_t n);
    // Waiters right now (diagnostics and wg_free's check).
    bool has_waiters();
    void reset();

private:
    struct Entry;
    Lock lock_;
    std::uint32_t count_;          // guarded by lock_
    Entry *head_ = nullptr;        // guarded by lock_
    Entry *tail_ = nullptr;        // guarded by lock_
};

}  // namespace gort
