// chan.hpp - channels and select, with Go's algorithm (runtime/chan.go,
// runtime/select.go).
//
// A channel is a lock, a ring buffer of `cap` elements and two FIFO queues
// of waiters (Sudogs): blocked receivers and blocked senders. A send that
// finds a waiting receiver copies the value straight into the receiver's
// destination and wakes it; a receive that finds a waiting sender on a full
// buffer takes the head of the buffer and moves the sender's value to the
// tail, so FIFO order holds across the buffer and the queue.
//
// Invariants (c->lock guards everything but magic and the constants):
//  1. sendq non-empty implies the buffer is full (cap == 0: no receiver
//     waits); recvq non-empty implies the buffer is empty (and no sender
//     waits). A closed channel has no waiting sender and, once drained, no
//     waiting receiver.
//  2. A Sudog lives on its waiter's stack. Whoever dequeues it (under the
//     lock) completes the operation for the waiter (copies the value, sets
//     success, and for a select claims it with selectdone) and wakes the
//     waiter after unlocking; nothing touches the Sudog after the wake.
//  3. A select's Sudogs are queued on every channel of its cases at once;
//     the first channel whose dequeue wins the CAS on the Waiter's
//     selectdone completes the select, the others skip those Sudogs. The
//     select, once awake, takes all its locks again and unlinks the rest.
//  4. Locks are taken in address order (select), and a channel lock is
//     never held while taking the timers lock: timers -> channel -> sched.
#pragma once

#include <cstddef>
#include <cstdint>

#include <gort/chan.h>

#include "lock.hpp"

namespace gort {

struct Chan;
struct M;
struct Waiter;
struct Timer;

struct Sudog {
    Sudog *next = nullptr, *prev = nullptr;
    Waiter *w = nullptr;
    void *elem = nullptr;   // send: the value; receive: the destination (may be null)
    Chan *c = nullptr;
    int case_index = 0;
    bool is_select = false;
    bool success = false;   // a value passed (false: woken by close)
};

struct WaitQ {
    Sudog *first = nullptr, *last = nullptr;
    void enqueue(Sudog *sg);
    // The oldest waiter that can be completed (claims a select's), or null.
    Sudog *dequeue();
    // Unlink sg if it is still queued.
    void remove(Sudog *sg);
};

// Who owns a channel: its creator, or a timer (go_after's channel is the
// creator's, with its timer attached; a go_timer_t's or go_ticker_t's is
// the timer's).
enum class ChanOwner : std::uint8_t { kUser, kUserWithTimer, kTimer };

struct Chan {
    static constexpr std::uint32_t kMagic = 0x6368414eu;  // "chAN"
    std::uint32_t magic = kMagic;
    std::uint32_t elemsize = 0;
    std::uint32_t cap = 0;
    ChanOwner owner = ChanOwner::kUser;
    Timer *timer = nullptr;   // kUserWithTimer: the go_after timer to cancel on free
    unsigned char *buf = nullptr;  // cap * elemsize bytes (malloc'd; the header is a handle-pool slot)
    // The fields above are read-only after chan_make; the lock and the state
    // it guards get their own cache line, so that checking a handle does not
    // pull in the line another processor is writing.
    alignas(64) SpinLock lock;
    bool closed = false;      // guarded by lock
    std::uint32_t qcount = 0, sendx = 0, recvx = 0;  // guarded by lock
    WaitQ recvq, sendq;       // guarded by lock
};

// Results of the channel operations.
enum : int {
    kChanOk = 1,          // sent / received a value
    kChanClosed = 0,      // receive: closed and drained (zero value stored)
    kChanWouldBlock = -1, // non-blocking: nothing ready
    kChanSendClosed = -2, // send on a closed channel (the caller panics or reports)
};

Chan *chan_make(std::size_t elemsize, std::size_t cap);  // null: errno set
void chan_destroy(Chan *c);  // fatal error if a waiter remains
// c may be null (the nil channel: blocks forever, or would block). self:
// the caller's M when it is a goroutine, else null (ForeignScope::entry_m).
int chan_send_impl(Chan *c, const void *ep, bool block, M *self);
int chan_recv_impl(Chan *c, void *ep, bool block, M *self);
// kChanOk, or kChanSendClosed when already closed. c not null.
int chan_close_impl(Chan *c, M *self);
int chan_len_locked_read(Chan *c);
bool chan_has_waiters(Chan *c);

// Go's selectgo over the public case array (gort/chan.h; validated by the
// caller). Cases with a null channel or GO_SELECT_DEFAULT are never ready.
// Returns the index of the case that ran (a receive sets its ok), or -1
// when block is false and nothing was ready. *send_closed: the chosen case
// is a send that found the channel closed (the caller panics or reports).
int select_impl(go_select_case_t *cases, int n, bool block, bool *send_closed, M *self);

}  // namespace gort
