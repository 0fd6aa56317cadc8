// timer.hpp - the timer heap: sleeping goroutines, channel timers
// (time.After, time.NewTimer, tickers) and function timers (time.AfterFunc).
//
// One binary heap, ordered by deadline (FIFO among equal deadlines), under
// one lock, served by one timer thread that sleeps until the earliest
// deadline. A pending timer costs one heap slot, not a thread.
//
// Invariants: `index` is the timer's heap position while it is pending and
// -1 otherwise, both guarded by the timers lock; a channel timer sends (a
// non-blocking send) with the timers lock held, so once timer_del returned
// the timer will never touch its channel again and both may be freed. Lock
// order: timers, then a channel, then sched.
#pragma once

#include <cstdint>

#include "sched.hpp"

namespace gort {

struct Chan;

struct Timer {
    // (A sleeping goroutine has no Timer: it is a bare heap entry.)
    enum class Kind : std::uint8_t { kChan, kFunc };
    static constexpr std::uint32_t kMagic = 0x74494d52u;  // "tIMR"
    std::uint32_t magic = kMagic;
    Kind kind = Kind::kChan;
    std::int32_t index = -1;   // heap position while pending
    std::int64_t when = 0;     // absolute, nanotime()
    std::int64_t period = 0;   // > 0: re-arm after firing (a ticker)
    Chan *c = nullptr;         // kChan
    GoFn fn = nullptr;         // kFunc
    void *arg = nullptr;
};

// Deadline ns from now, saturating.
std::int64_t deadline_after(std::int64_t ns);
// Arm t (not pending) for `when`, with `period` (0: once).
void timer_add(Timer *t, std::int64_t when, std::int64_t period);
// Disarm t; true when it was pending.
bool timer_del(Timer *t);
// Disarm and re-arm in one step; true when it was pending.
bool timer_modify(Timer *t, std::int64_t when, std::int64_t period);

}  // namespace gort
