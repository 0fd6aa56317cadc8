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
    Note *note = nullptr;
    // A select's waiters are queued on several channels at once: the first
    // channel to claim the select (0 -> 1) wins, the others skip it (Go's
    // g.selectDone).
    std::atomic<std::uint32_t> selectdone{0};
    Sudog *fired = nullptr;  // the case that woke a select (Go's g.param)

    // A pinned goroutine's thread (gort/pinned.h): while it sleeps here it
    // is a blocked goroutine, not a running one, for the deadlock detector.
    bool pinned = false;

    Waiter() : g(current_g()) { init_thread(); }
    // self: the caller's M (null for a thread that is not a goroutine), as
    // ForeignScope::entry_m() gives it, before any switch.
    explicit Waiter(M *self) : g(self != nullptr ? self->curg : nullptr) { init_thread(); }

    // Block until wake(): unlock(arg) runs once the goroutine's context is
    // saved, or before the thread sleeps.
    void block(void (*unlock)(void *), void *arg, const char *reason) {
        if (g != nullptr) {
            park(unlock, arg, reason);  // carries errno across a change of M
        } else {
            unlock(arg);
            if (pinned) pinned_blocking(reason);  // no longer counts as running
            note->sleep();
            if (pinned) pinned_unblocked();       // the waker counted us back in
        }
    }
    void wake() {
        if (g != nullptr) {
            ready(g);
        } else {
            wake_thread();
        }
    }
    // wake() from a caller whose M (null: not a goroutine) is in hand.
    void wake_from(M *self) {
        if (g != nullptr) ready_on(self, g);
        else wake_thread();
    }

private:
    void init_thread() {
        note = g == nullptr ? thread_note() : nullptr;
        pinned = g == nullptr && pinned_id() != 0;
    }
    void wake_thread() {
        // A pinned goroutine runs again from here: count it in before it
        // wakes (it counted itself out when it went to sleep).
        if (pinned) g_sched->nforeign.fetch_add(1, std::memory_order_seq_cst);
        note->wake();
    }
};

}  // namespace gort
