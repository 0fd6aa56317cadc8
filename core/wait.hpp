// wait.hpp - a blocked goroutine or OS thread, as the primitives see it.
//
// Every blocking primitive (channels, select, Sema) queues Waiters. A
// Waiter is either a goroutine (parked with park(), made runnable with
// ready()) or a thread that is not a goroutine (sleeping on its own Note).
// It lives on the waiter's own stack: the side that wakes it must have
// written everything the waiter reads (the value, `fired`) before wake(),
// and must not touch the Waiter after it.
#pragma once

#include <atomic>
#include <cstdint>

#include "sched.hpp"

namespace gort {

struct Sudog;

struct Waiter {
    G *g;
    Note *note;
    // A select's waiters are queued on several channels at once: the first
    // channel to claim the select (0 -> 1) wins, the others skip it (Go's
    // g.selectDone).
    std::atomic<std::uint32_t> selectdone{0};
    Sudog *fired = nullptr;  // the case that woke a select (Go's g.param)

    Waiter() : g(current_g()), note(g == nullptr ? thread_note() : nullptr) {}
    // self: the caller's M (null for a thread that is not a goroutine), as
    // ForeignScope::entry_m() gives it, before any switch.
    explicit Waiter(M *self) : g(self != nullptr ? self->curg : nullptr),
                               note(g == nullptr ? thread_note() : nullptr) {}

    // Block until wake(): unlock(arg) runs once the goroutine's context is
    // saved, or before the thread sleeps.
    void block(void (*unlock)(void *), void *arg, const char *reason) {
        if (g != nullptr) {
            park(unlock, arg, reason);  // carries errno across a change of M
        } else {
            unlock(arg);
            note->sleep();
        }
    }
    void wake() {
        if (g != nullptr) ready(g);
        else note->wake();
    }
    // wake() from a caller whose M (null: not a goroutine) is in hand.
    void wake_from(M *self) {
        if (g != nullptr) ready_on(self, g);
        else note->wake();
    }
};

}  // namespace gort
