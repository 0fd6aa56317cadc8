// chan.cpp - see chan.hpp.
#include "chan.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "handle.hpp"
#include "sched.hpp"
#include "wait.hpp"

namespace gort {

// ---------------------------------------------------------------- WaitQ

void WaitQ::enqueue(Sudog *sg) {
    sg->next = nullptr;
    sg->prev = last;
    if (last != nullptr) last->next = sg;
    else first = sg;
    last = sg;
}

Sudog *WaitQ::dequeue() {
    for (;;) {
        Sudog *sg = first;
        if (sg == nullptr) return nullptr;
        first = sg->next;
        if (first != nullptr) first->prev = nullptr;
        else last = nullptr;
        sg->next = sg->prev = nullptr;
        // A select waits on several channels: only the first to claim it
        // completes it (invariant 3).
        if (sg->is_select) {
            std::uint32_t zero = 0;
            if (!sg->w->selectdone.compare_exchange_strong(zero, 1, std::memory_order_acq_rel))
                continue;
            sg->w->fired = sg;
        }
        return sg;
    }
}

void WaitQ::remove(Sudog *sg) {
    Sudog *p = sg->prev, *n = sg->next;
    if (p == nullptr && first != sg) return;  // not queued (dequeued meanwhile)
    if (p != nullptr) p->next = n;
    else first = n;
    if (n != nullptr) n->prev = p;
    else last = p;
    sg->next = sg->prev = nullptr;
}

// ---------------------------------------------------------------- helpers

namespace {

inline unsigned char *slot(Chan *c, std::uint32_t i) { return c->buf + std::size_t{i} * c->elemsize; }

// The copies to and from user memory run in gort's own code, never in
// libc's memcpy: a bad user pointer then faults at a pc inside libgort,
// which the fault handler (signal.cpp) recognises as a fault in runtime code
// — fatal, as Go's, because it happens under the channel's lock and a
// recovered panic would leave the lock held for good.
inline void user_copy(void *dst, const void *src, std::size_t n) {
#if defined(__x86_64__)
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
#else
    std::memcpy(dst, src, n);
#endif
}

inline void copy_elem(Chan *c, void *dst, const void *src) {
    if (dst == nullptr) return;
    // Word-sized elements (ints, pointers: the common case) without a call.
    switch (c->elemsize) {
    case 0: return;
    case 4: std::memcpy(dst, src, 4); return;
    case 8: std::memcpy(dst, src, 8); return;
    case 16: std::memcpy(dst, src, 16); return;
    default: user_copy(dst, src, c->elemsize); return;
    }
}

inline void zero_elem(Chan *c, void *dst) {
    if (dst == nullptr || c->elemsize == 0) return;
#if defined(__x86_64__)
    std::size_t n = c->elemsize;
    asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
#else
    std::memset(dst, 0, c->elemsize);
#endif
}

void unlock_chan(void *arg) { static_cast<Chan *>(arg)->lock.unlock(); }
void unlock_nothing(void *) {}

// Block forever (the nil channel, an empty select).
[[noreturn]] void block_forever(const char *reason) {
    Waiter w;
    for (;;) w.block(unlock_nothing, nullptr, reason);
}

// Complete a send to the dequeued receiver sg (chan.go's send): its value
// and success. c->lock held; returns the waiter to wake once the caller has
// unlocked (a plain send unlocks c, a select all its channels).
inline Waiter *send_to_locked(Chan *c, Sudog *sg, const void *ep) {
    copy_elem(c, sg->elem, ep);
    sg->success = true;
    return sg->w;
}

// Complete a receive from the dequeued sender sg (chan.go's recv), as
// send_to_locked.
inline Waiter *recv_from_locked(Chan *c, Sudog *sg, void *ep) {
    if (c->cap == 0) {
        copy_elem(c, ep, sg->elem);
    } else {
        // The buffer is full: take its head, and the sender's value goes to
        // the tail (the slot just freed).
        unsigned char *s = slot(c, c->recvx);
        copy_elem(c, ep, s);
        copy_elem(c, s, sg->elem);
        if (++c->recvx == c->cap) c->recvx = 0;
        c->sendx = c->recvx;
    }
    sg->success = true;
    return sg->w;
}

inline void buf_put(Chan *c, const void *ep) {
    copy_elem(c, slot(c, c->sendx), ep);
    if (++c->sendx == c->cap) c->sendx = 0;
    c->qcount++;
}

inline void buf_take(Chan *c, void *ep) {
    copy_elem(c, ep, slot(c, c->recvx));
    if (++c->recvx == c->cap) c->recvx = 0;
    c->qcount--;
}

}  // namespace

// ---------------------------------------------------------------- make/free

// A channel's header comes from the handle pool (handle.hpp: a freed
// channel stays recognisable as freed); its buffer, when it has one, from
// malloc. A channel without buffer bytes points at g_no_buf, so that buf is
// never null.
namespace {
unsigned char g_no_buf[1];
}

Chan *chan_make(std::size_t elemsize, std::size_t cap) {
    if (elemsize > 65535 || cap > 0x7fffffffu) {
        errno = EINVAL;
        return nullptr;
    }
    std::size_t bytes = elemsize * cap;  // < 2^16 * 2^31: no overflow
    if (bytes > (std::size_t{1} << 40)) {  // Go's maxAlloc is 2^48; keep far below it
        errno = EINVAL;
        return nullptr;
    }
    unsigned char *buf = g_no_buf;
    if (bytes > 0) {
        buf = static_cast<unsigned char *>(std::malloc(bytes));
        if (buf == nullptr) {
            errno = ENOMEM;
            return nullptr;
        }
    }
    Chan *c = handle_new<Chan>(HandleKind::kChan);
    if (c == nullptr) {
        if (buf != g_no_buf) std::free(buf);
        errno = ENOMEM;
        return nullptr;
    }
    c->elemsize = static_cast<std::uint32_t>(elemsize);
    c->cap = static_cast<std::uint32_t>(cap);
    c->buf = buf;
    return c;
}

bool chan_has_waiters(Chan *c) {
    SpinLockGuard lg(c->lock);
    return c->recvq.first != nullptr || c->sendq.first != nullptr;
}

void chan_destroy(Chan *c) {
    if (chan_has_waiters(c)) fatal_error("chan_free of a channel that has blocked goroutines");
    if (c->buf != g_no_buf) std::free(c->buf);
    handle_delete(HandleKind::kChan, c);  // the slot now reads as freed
}

int chan_len_locked_read(Chan *c) {
    SpinLockGuard lg(c->lock);
    return static_cast<int>(c->qcount);
}

// ---------------------------------------------------------------- send/recv

int chan_send_impl(Chan *c, const void *ep, bool block, M *self) {
    if (c == nullptr) {
        if (!block) return kChanWouldBlock;
        block_forever("chan send (nil chan)");
    }
    c->lock.lock();
    if (c->closed) {
        c->lock.unlock();
        return kChanSendClosed;
    }
    if (Sudog *sg = c->recvq.dequeue()) {
        Waiter *w = send_to_locked(c, sg, ep);
        c->lock.unlock();
        w->wake_from(self);
        return kChanOk;
    }
    if (c->qcount < c->cap) {
        buf_put(c, ep);
        c->lock.unlock();
        return kChanOk;
    }
    if (!block) {
        c->lock.unlock();
        return kChanWouldBlock;
    }
    Waiter w(self);
    Sudog sg;
    sg.w = &w;
    sg.elem = const_cast<void *>(ep);
    sg.c = c;
    c->sendq.enqueue(&sg);
    w.block(unlock_chan, c, "chan send");
    // A receiver took the value, or close woke us (success false).
    return sg.success ? kChanOk : kChanSendClosed;
}

int chan_recv_impl(Chan *c, void *ep, bool block, M *self) {
    if (c == nullptr) {
        if (!block) return kChanWouldBlock;
        block_forever("chan receive (nil chan)");
    }
    c->lock.lock();
    if (c->closed && c->qcount == 0) {
        c->lock.unlock();
        zero_elem(c, ep);
        return kChanClosed;
    }
    if (Sudog *sg = c->sendq.dequeue()) {
        Waiter *w = recv_from_locked(c, sg, ep);
        c->lock.unlock();
        w->wake_from(self);
        return kChanOk;
    }
    if (c->qcount > 0) {
        buf_take(c, ep);
        c->lock.unlock();
        return kChanOk;
    }
    if (!block) {
        c->lock.unlock();
        return kChanWouldBlock;
    }
    Waiter w(self);
    Sudog sg;
    sg.w = &w;
    sg.elem = ep;
    sg.c = c;
    c->recvq.enqueue(&sg);
    w.block(unlock_chan, c, "chan receive");
    // A sender gave us a value, or close zeroed *ep and woke us.
    return sg.success ? kChanOk : kChanClosed;
}

int chan_close_impl(Chan *c, M *self) {
    c->lock.lock();
    if (c->closed) {
        c->lock.unlock();
        return kChanSendClosed;
    }
    c->closed = true;
    // Complete every waiter under the lock (receivers get the zero value,
    // senders learn it is closed), then wake them outside it.
    Sudog *wake = nullptr;
    while (Sudog *sg = c->recvq.dequeue()) {
        zero_elem(c, sg->elem);
        sg->success = false;
        sg->next = wake;
        wake = sg;
    }
    while (Sudog *sg = c->sendq.dequeue()) {
        sg->success = false;
        sg->next = wake;
        wake = sg;
    }
    c->lock.unlock();
    while (wake != nullptr) {
        Sudog *next = wake->next;  // read before the wake: the Sudog dies with it
        wake->w->wake_from(self);
        wake = next;
    }
    return kChanOk;
}

// ---------------------------------------------------------------- select

namespace {

// A per-thread generator for the poll order (xorshift64*); read only between
// scheduling points, so a goroutine that migrates just uses another's.
thread_local std::uint64_t t_rand = 0;

inline std::uint32_t cheaprand() {
    std::uint64_t x = t_rand;
    if (__builtin_expect(x == 0, 0)) {
        x = static_cast<std::uint64_t>(nanotime()) ^ reinterpret_cast<std::uintptr_t>(&t_rand) ^
            0x9e3779b97f4a7c15ull;
        if (x == 0) x = 1;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    t_rand = x;
    return static_cast<std::uint32_t>((x * 0x2545f4914f6cdd1dull) >> 32);
}

// Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-16 for
// the sizes a select has).
inline std::uint32_t randn(std::uint32_t n) {
    return static_cast<std::uint32_t>((std::uint64_t{cheaprand()} * n) >> 32);
}

inline bool is_send(const go_select_case_t &cs) { return cs.dir == GO_SELECT_SEND; }
inline Chan *chan_of(const go_select_case_t &cs) {
    return cs.dir == GO_SELECT_DEFAULT ? nullptr : reinterpret_cast<Chan *>(cs.chan);
}

struct SelState {
    const go_select_case_t *cases;
    const std::uint32_t *lockorder;  // case indices sorted by channel address
    int nlocks;                       // entries of lockorder (non-nil cases)
};

void sellock(const SelState &s) {
    Chan *prev = nullptr;
    for (int i = 0; i < s.nlocks; i++) {
        Chan *c = chan_of(s.cases[s.lockorder[i]]);
        if (c != prev) c->lock.lock();
        prev = c;
    }
}

// Unlock in reverse order. Once the last lock is released a waker may run
// the select's goroutine, whose stack holds `s`: read nothing after that
// (Go's selunlock has the same care).
void selunlock(const SelState *s) {
    const go_select_case_t *cases = s->cases;
    const std::uint32_t *order = s->lockorder;
    for (int i = s->nlocks - 1; i >= 0; i--) {
        Chan *c = chan_of(cases[order[i]]);
        if (i > 0 && c == chan_of(cases[order[i - 1]])) continue;  // unlock the last copy only
        c->lock.unlock();
    }
}

void selunlock_fn(void *arg) { selunlock(static_cast<const SelState *>(arg)); }

constexpr int kInlineCases = 8;

}  // namespace

int select_impl(go_select_case_t *cases, int n, bool block, bool *send_closed, M *self) {
    *send_closed = false;
    // Scratch: poll order, lock order, and (when blocking) one Sudog per case.
    std::uint32_t inline_order[2 * kInlineCases];
    Sudog inline_sg[kInlineCases];
    std::uint32_t *order = inline_order;
    Sudog *sgs = inline_sg;
    void *heap = nullptr;
    if (n > kInlineCases) {
        heap = std::malloc(2 * sizeof(std::uint32_t) * static_cast<std::size_t>(n) +
                           sizeof(Sudog) * static_cast<std::size_t>(n) + alignof(Sudog));
        if (heap == nullptr) fatal_error("runtime: out of memory for select");
        order = static_cast<std::uint32_t *>(heap);
        auto sgaddr = reinterpret_cast<std::uintptr_t>(order + 2 * n);
        sgaddr = (sgaddr + alignof(Sudog) - 1) & ~std::uintptr_t{alignof(Sudog) - 1};
        sgs = reinterpret_cast<Sudog *>(sgaddr);
        for (int i = 0; i < n; i++) new (&sgs[i]) Sudog();
    }
    std::uint32_t *pollorder = order;
    std::uint32_t *lockorder = order + n;

    // The poll order: a random permutation of the non-nil cases (inside-out
    // Fisher-Yates, as Go's).
    int npoll = 0;
    for (int i = 0; i < n; i++) {
        if (chan_of(cases[i]) == nullptr) continue;
        std::uint32_t j = randn(static_cast<std::uint32_t>(npoll + 1));
        pollorder[npoll] = pollorder[j];
        pollorder[j] = static_cast<std::uint32_t>(i);
        npoll++;
    }
    if (npoll == 0) {
        std::free(heap);
        if (!block) return -1;
        block_forever(n == 0 ? "select (no cases)" : "select");
    }
    // The lock order: by channel address, so that two selects never lock
    // the same channels in opposite orders.
    std::copy(pollorder, pollorder + npoll, lockorder);
    std::sort(lockorder, lockorder + npoll, [cases](std::uint32_t a, std::uint32_t b) {
        return reinterpret_cast<std::uintptr_t>(cases[a].chan) < reinterpret_cast<std::uintptr_t>(cases[b].chan);
    });
    SelState st{cases, lockorder, npoll};
    sellock(st);

    // Pass 1: a case that can proceed now, in poll order.
    for (int k = 0; k < npoll; k++) {
        int i = static_cast<int>(pollorder[k]);
        go_select_case_t &cs = cases[i];
        Chan *c = chan_of(cs);
        if (is_send(cs)) {
            if (c->closed) {
                selunlock(&st);
                std::free(heap);
                *send_closed = true;
                return i;
            }
            if (Sudog *sg = c->recvq.dequeue()) {
                Waiter *w = send_to_locked(c, sg, cs.value);
                selunlock(&st);
                w->wake_from(self);
                std::free(heap);
                return i;
            }
            if (c->qcount < c->cap) {
                buf_put(c, cs.value);
                selunlock(&st);
                std::free(heap);
                return i;
            }
        } else {
            if (Sudog *sg = c->sendq.dequeue()) {
                Waiter *w = recv_from_locked(c, sg, cs.value);
                selunlock(&st);
                w->wake_from(self);
                std::free(heap);
                cs.ok = 1;
                return i;
            }
            if (c->qcount > 0) {
                buf_take(c, cs.value);
                selunlock(&st);
                std::free(heap);
                cs.ok = 1;
                return i;
            }
            if (c->closed) {
                selunlock(&st);
                zero_elem(c, cs.value);
                std::free(heap);
                cs.ok = 0;
                return i;
            }
        }
    }
    if (!block) {
        selunlock(&st);
        std::free(heap);
        return -1;
    }

    // Pass 2: queue on every channel, in lock order, and sleep.
    Waiter w(self);
    for (int k = 0; k < npoll; k++) {
        int i = static_cast<int>(lockorder[k]);
        Sudog *sg = &sgs[i];
        Chan *c = chan_of(cases[i]);
        sg->w = &w;
        sg->c = c;
        sg->elem = cases[i].value;
        sg->case_index = i;
        sg->is_select = true;
        sg->success = false;
        if (is_send(cases[i])) c->sendq.enqueue(sg);
        else c->recvq.enqueue(sg);
    }
    w.block(selunlock_fn, &st, "select");

    // Pass 3: the case that woke us is w.fired; unlink the others.
    sellock(st);
    Sudog *fired = w.fired;
    for (int k = 0; k < npoll; k++) {
        int i = static_cast<int>(lockorder[k]);
        Sudog *sg = &sgs[i];
        if (sg == fired) continue;
        if (is_send(cases[i])) sg->c->sendq.remove(sg);
        else sg->c->recvq.remove(sg);
    }
    selunlock(&st);
    int i = fired->case_index;
    bool success = fired->success;
    std::free(heap);
    if (is_send(cases[i])) *send_closed = !success;
    else cases[i].ok = success ? 1 : 0;
    return i;
}

}  // namespace gort
