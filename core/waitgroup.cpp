// waitgroup.cpp - see waitgroup.hpp.
#include "waitgroup.hpp"

#include <cerrno>
#include <climits>

#include "chaos.hpp"
#include "sched.hpp"

namespace gort {

int WaitGroup::add(std::int64_t delta, const char **panic_msg, bool checked) {
    if (delta > INT32_MAX || delta < INT32_MIN) return -EOVERFLOW;
    std::uint64_t d = static_cast<std::uint64_t>(delta) << 32;
    std::uint64_t old;
    if (checked && delta < 0) {
        // The error twin: refuse, changing nothing, where Go would panic.
        old = state.load(std::memory_order_relaxed);
        for (;;) {
            if (static_cast<std::int64_t>(static_cast<std::int32_t>(old >> 32)) + delta < 0)
                return -ERANGE;
            if (state.compare_exchange_weak(old, old + d, std::memory_order_acq_rel,
                                            std::memory_order_relaxed))
                break;
        }
    } else {
        old = state.fetch_add(d, std::memory_order_acq_rel);
    }
    std::uint64_t now = old + d;
    auto oldv = static_cast<std::int32_t>(old >> 32);
    auto v = static_cast<std::int32_t>(now >> 32);
    auto w = static_cast<std::uint32_t>(now);
    if (delta > 0 && static_cast<std::int64_t>(oldv) + delta > INT32_MAX) {
        state.fetch_sub(d, std::memory_order_acq_rel);  // undo: the counter is 32-bit, as Go's
        return -EOVERFLOW;
    }
    if (v < 0) {
        *panic_msg = "sync: negative WaitGroup counter";
        return 0;
    }
    if (w != 0 && delta > 0 && v == static_cast<std::int32_t>(delta)) {
        *panic_msg = "sync: WaitGroup misuse: Add called concurrently with Wait";
        return 0;
    }
    if (v > 0 || w == 0) return 0;
    // The counter is zero and there are waiters. Nobody may touch the state
    // now: Add must not race with Wait at zero (Go's rule), so check it.
    // Go checks with a load and then stores 0. One CAS does both: between
    // Go's two steps a racing Add and a Wait could register one more waiter
    // that the store would erase, and no later zero would wake it (the API
    // fuzzer's hang: a wg_wait_err parked for good after a misuse); or an
    // Add and a Done could reach this zero over the same waiters, and both
    // would release them (a surplus wake-up lets a later Wait return while
    // the counter is not zero). Here a misuse leaves every waiter counted in
    // the state, and each is released exactly once, when the counter next
    // reaches zero: the WaitGroup works again once the misuse is over.
    GORT_CHAOS();
    if (!state.compare_exchange_strong(now, 0, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        *panic_msg = "sync: WaitGroup misuse: Add called concurrently with Wait";
        return 0;
    }
    sema.release_n(w);  // touches nothing of the WaitGroup after the first wake-up
    return 0;
}

void WaitGroup::wait(const char **panic_msg) {
    for (;;) {
        std::uint64_t s = state.load(std::memory_order_acquire);
        if ((s >> 32) == 0) return;
        if (state.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
            sema.acquire();
            if (state.load(std::memory_order_acquire) != 0)
                *panic_msg = "sync: WaitGroup is reused before previous Wait has returned";
            return;
        }
    }
}

}  // namespace gort
