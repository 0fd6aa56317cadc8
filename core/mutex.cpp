// mutex.cpp - see mutex.hpp.
#include "mutex.hpp"

#include "sched.hpp"
#include "wait.hpp"

namespace gort {

namespace {

constexpr std::int64_t kStarvationNs = 1000000;  // 1 ms, as Go

// Go's sync_runtime_canSpin: spin only a few times, only on a multicore
// machine, only when another processor is running goroutines (the holder may
// be one of them) and this one has nothing else to run.
bool can_spin(int iter) {
    Sched &s = *g_sched;
    if (iter >= 4 || s.ncpu <= 1) return false;
    if (s.gomaxprocs.load(std::memory_order_relaxed) <=
        s.npidle.load(std::memory_order_relaxed) + s.nmspinning.load(std::memory_order_relaxed) + 1)
        return false;
    M *m = current_m();
    if (m != nullptr && m->p != nullptr) {
        P *p = m->p;
        if (p->runq_head.load(std::memory_order_relaxed) != p->runq_tail.load(std::memory_order_relaxed) ||
            p->runnext.load(std::memory_order_relaxed) != nullptr || p->handoff != nullptr)
            return false;
    }
    return true;
}

inline void do_spin() {
    for (int i = 0; i < 30; i++) __builtin_ia32_pause();
}

}  // namespace

// ---------------------------------------------------------------- Mutex

bool Mutex::try_lock() {
    std::int32_t old = state.load(std::memory_order_relaxed);
    if (old & (kLocked | kStarving)) return false;
    return state.compare_exchange_strong(old, old | kLocked, std::memory_order_acquire);
}

void Mutex::lock_slow() {
    ensure_runtime();
    std::int64_t wait_start = 0;
    bool starving = false, awoke = false;
    int iter = 0;
    std::int32_t old = state.load(std::memory_order_relaxed);
    for (;;) {
        // Spin while locked (not starving): the holder may release it soon.
        if ((old & (kLocked | kStarving)) == kLocked && can_spin(iter)) {
            // Tell Unlock not to wake a waiter: we are awake and will take it.
            if (!awoke && (old & kWoken) == 0 && (old >> kWaiterShift) != 0 &&
                state.compare_exchange_strong(old, old | kWoken, std::memory_order_relaxed))
                awoke = true;
            do_spin();
            iter++;
            old = state.load(std::memory_order_relaxed);
            continue;
        }
        std::int32_t nw = old;
        // A starving mutex belongs to the queue: new arrivals queue too.
        if ((old & kStarving) == 0) nw |= kLocked;
        if (old & (kLocked | kStarving)) nw += 1 << kWaiterShift;
        // Switch to starvation mode, if it is still locked.
        if (starving && (old & kLocked)) nw |= kStarving;
        if (awoke) {
            if ((nw & kWoken) == 0) fatal_error("sync: inconsistent mutex state");
            nw &= ~kWoken;
        }
        if (state.compare_exchange_strong(old, nw, std::memory_order_acquire, std::memory_order_relaxed)) {
            if ((old & (kLocked | kStarving)) == 0) break;  // locked with the CAS
            // A waiter that was woken and lost goes to the front of the queue.
            bool lifo = wait_start != 0;
            if (wait_start == 0) wait_start = nanotime();
            sema.acquire("semacquire", lifo);
            starving = starving || nanotime() - wait_start > kStarvationNs;
            old = state.load(std::memory_order_relaxed);
            if (old & kStarving) {
                // Handed to us: fix the state (we own it; one waiter fewer).
                if ((old & (kLocked | kWoken)) != 0 || (old >> kWaiterShift) == 0)
                    fatal_error("sync: inconsistent mutex state");
                std::int32_t delta = kLocked - (1 << kWaiterShift);
                // Leave starvation mode when we are the last waiter, or did
                // not wait long: starvation mode is slow.
                if (!starving || (old >> kWaiterShift) == 1) delta -= kStarving;
                state.fetch_add(delta, std::memory_order_acquire);
                break;
            }
            awoke = true;
            iter = 0;
        } else {
            old = state.load(std::memory_order_relaxed);
        }
    }
}

void Mutex::unlock_slow(std::int32_t n) {
    if (((n + kLocked) & kLocked) == 0) fatal_error("sync: unlock of unlocked mutex");
    if ((n & kStarving) == 0) {
        std::int32_t old = n;
        for (;;) {
            // No waiters, or someone already woken or holding it: done.
            if ((old >> kWaiterShift) == 0 || (old & (kLocked | kWoken | kStarving)) != 0) return;
            std::int32_t nw = (old - (1 << kWaiterShift)) | kWoken;
            if (state.compare_exchange_strong(old, nw, std::memory_order_relaxed)) {
                sema.release(false);
                return;
            }
        }
    }
    // Starvation mode: ownership goes to the next waiter, and we yield to it.
    sema.release(true);
}

bool Mutex::unlock_checked() {
    std::int32_t old = state.load(std::memory_order_relaxed);
    for (;;) {
        if ((old & kLocked) == 0) return false;
        if (state.compare_exchange_weak(old, old - kLocked, std::memory_order_release,
                                        std::memory_order_relaxed))
            break;
    }
    std::int32_t n = old - kLocked;
    if (n != 0) unlock_slow(n);
    return true;
}

// ---------------------------------------------------------------- RWMutex

void RWMutex::rlock() {
    if (reader_count.fetch_add(1, std::memory_order_acquire) + 1 < 0) {
        // A writer is pending: wait for it.
        reader_sem.acquire("semacquire");
    }
}

bool RWMutex::try_rlock() {
    std::int32_t c = reader_count.load(std::memory_order_relaxed);
    for (;;) {
        if (c < 0) return false;
        if (reader_count.compare_exchange_weak(c, c + 1, std::memory_order_acquire,
                                               std::memory_order_relaxed))
            return true;
    }
}

void RWMutex::runlock() {
    std::int32_t r = reader_count.fetch_sub(1, std::memory_order_release) - 1;
    if (r < 0) {
        if (r + 1 == 0 || r + 1 == -kMaxReaders) fatal_error("sync: RUnlock of unlocked RWMutex");
        // A writer is pending: the last departing reader lets it in.
        if (reader_wait.fetch_sub(1, std::memory_order_acq_rel) - 1 == 0) writer_sem.release();
    }
}

void RWMutex::lock() {
    w.lock();  // first, win against the other writers
    // Announce the writer to readers; r: readers still inside.
    std::int32_t r = reader_count.fetch_sub(kMaxReaders, std::memory_order_acq_rel);
    if (r != 0 && reader_wait.fetch_add(r, std::memory_order_acq_rel) + r != 0)
        writer_sem.acquire("semacquire");
}

bool RWMutex::try_lock() {
    if (!w.try_lock()) return false;
    std::int32_t z = 0;
    if (!reader_count.compare_exchange_strong(z, -kMaxReaders, std::memory_order_acquire)) {
        w.unlock();
        return false;
    }
    return true;
}

void RWMutex::unlock() {
    // Announce to readers there is no active writer.
    std::int32_t r = reader_count.fetch_add(kMaxReaders, std::memory_order_release) + kMaxReaders;
    if (r >= kMaxReaders) fatal_error("sync: Unlock of unlocked RWMutex");
    // Let in the readers that blocked meanwhile.
    for (std::int32_t i = 0; i < r; i++) reader_sem.release();
    w.unlock();
}

bool RWMutex::busy() const {
    return reader_count.load() != 0 || w.busy() || const_cast<Sema &>(writer_sem).has_waiters() ||
           const_cast<Sema &>(reader_sem).has_waiters();
}

// ---------------------------------------------------------------- notify list

struct NotifyList::Entry {
    Entry *next;
    std::uint32_t ticket;
    Waiter w;
};

namespace {
void unlock_lock(void *l) { static_cast<Lock *>(l)->unlock(); }
// Ticket a was handed out before ticket b (wrap-around safe).
inline bool ticket_less(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
}  // namespace

void NotifyList::wait_ticket(std::uint32_t t) {
    lock.lock();
    if (ticket_less(t, notify.load(std::memory_order_relaxed))) {  // notified already
        lock.unlock();
        return;
    }
    Entry e{nullptr, t, {}};
    if (tail != nullptr) tail->next = &e;
    else head = &e;
    tail = &e;
    e.w.block(unlock_lock, &lock, "sync.Cond.Wait");
}

void NotifyList::notify_one() {
    // Nothing to do when no Wait happened since the last notification.
    if (wait.load(std::memory_order_seq_cst) == notify.load(std::memory_order_seq_cst)) return;
    lock.lock();
    std::uint32_t t = notify.load(std::memory_order_relaxed);
    if (t == wait.load(std::memory_order_seq_cst)) {
        lock.unlock();
        return;
    }
    notify.store(t + 1, std::memory_order_relaxed);
    // The waiter with ticket t may not have queued yet: then its wait_ticket
    // sees notify > t and returns at once.
    Entry *prev = nullptr;
    for (Entry *e = head; e != nullptr; prev = e, e = e->next) {
        if (e->ticket != t) continue;
        Entry *n = e->next;
        if (prev != nullptr) prev->next = n;
        else head = n;
        if (tail == e) tail = prev;
        lock.unlock();
        e->w.wake();
        return;
    }
    lock.unlock();
}

void NotifyList::notify_all() {
    if (wait.load(std::memory_order_seq_cst) == notify.load(std::memory_order_seq_cst)) return;
    lock.lock();
    Entry *e = head;
    head = tail = nullptr;
    notify.store(wait.load(std::memory_order_seq_cst), std::memory_order_relaxed);
    lock.unlock();
    while (e != nullptr) {
        Entry *n = e->next;  // read before the wake
        e->w.wake();
        e = n;
    }
}

bool NotifyList::has_waiters() {
    LockGuard lg(lock);
    return head != nullptr;
}

}  // namespace gort
