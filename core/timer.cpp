// timer.cpp - see timer.hpp.
#include "timer.hpp"

#include <cerrno>
#include <ctime>
#include <pthread.h>
#include <signal.h>
#include <vector>

#include "chan.hpp"

namespace gort {

namespace {

// A heap entry carries its deadline, so that sifting compares within the
// heap array: a sleeping goroutine's Timer is on its own stack, and chasing
// 100,000 of those pointers per comparison would be a cache miss each.
struct Entry {
    std::int64_t when;
    std::uint64_t seq;  // FIFO among equal deadlines
    Timer *t;           // a channel or function timer, or null for a sleep
    G *g;               // a sleeping goroutine (t null)
};

struct Timers {
    Lock lock;
    std::vector<Entry> heap;    // guarded by lock
    std::uint64_t seq = 0;      // guarded by lock
    bool started = false;       // guarded by lock
    Note note;                  // wakes the timer thread
    Timers *previous = nullptr; // the parent's, in a forked child (kept reachable)
};

Timers *g_timers = new Timers();

// A function timer whose goroutine could not be spawned tries again this
// much later (timer_thread).
constexpr std::int64_t kSpawnRetryNs = 1000000;

inline bool earlier(const Entry &a, const Entry &b) {
    return a.when < b.when || (a.when == b.when && a.seq < b.seq);
}

// Store e at position i. Only timers that can be stopped or reset keep
// their heap index; a sleep has no Timer record at all.
inline void place(std::vector<Entry> &h, std::size_t i, const Entry &e) {
    h[i] = e;
    if (e.t != nullptr) e.t->index = static_cast<std::int32_t>(i);
}

void sift_up(std::vector<Entry> &h, std::size_t i) {
    Entry e = h[i];
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (!earlier(e, h[parent])) break;
        place(h, i, h[parent]);
        i = parent;
    }
    place(h, i, e);
}

void sift_down(std::vector<Entry> &h, std::size_t i) {
    Entry e = h[i];
    std::size_t n = h.size();
    for (;;) {
        std::size_t l = 2 * i + 1, r = l + 1, m = i;
        const Entry *best = &e;
        if (l < n && earlier(h[l], *best)) { m = l; best = &h[l]; }
        if (r < n && earlier(h[r], *best)) m = r;
        if (m == i) break;
        place(h, i, h[m]);
        i = m;
    }
    place(h, i, e);
}

// Remove the entry at heap position i. Lock held.
void heap_remove(Timers &ts, std::size_t i) {
    std::vector<Entry> &h = ts.heap;
    Timer *t = h[i].t;
    Entry last = h.back();
    h.pop_back();
    if (t != nullptr) t->index = -1;
    g_sched->ntimers.fetch_sub(1, std::memory_order_seq_cst);
    if (i == h.size()) return;
    place(h, i, last);
    if (i > 0 && earlier(last, h[(i - 1) / 2])) sift_up(h, i);
    else sift_down(h, i);
}

void start_thread_locked(Timers &ts);

// Lock held; e.t (if any) not pending.
void heap_add(Timers &ts, Entry e) {
    if (!ts.started) start_thread_locked(ts);
    e.seq = ts.seq++;
    try {
        ts.heap.push_back(e);
    } catch (...) {
        fatal_error("runtime: out of memory for timers");
    }
    g_sched->ntimers.fetch_add(1, std::memory_order_seq_cst);
    std::size_t last = ts.heap.size() - 1;
    sift_up(ts.heap, last);
    if (ts.heap[0].seq == e.seq) ts.note.wake();  // a new earliest deadline
}

// The timer at the top of the heap fires again at when (a ticker's next
// tick, a function timer's retry). ts.lock held.
void requeue_top(Timers &ts, Timer *t, std::int64_t when) {
    t->when = when;
    ts.heap[0].when = when;
    ts.heap[0].seq = ts.seq++;
    sift_down(ts.heap, 0);
}

void heap_add_timer(Timers &ts, Timer *t) { heap_add(ts, Entry{t->when, 0, t, nullptr}); }

void *timer_thread(void *arg) {
    Timers *ts = static_cast<Timers *>(arg);
    Sched &s = *g_sched;
    for (;;) {
        ts->lock.lock();
        std::int64_t now = nanotime();
        G *sleepers = nullptr;
        bool counted = false;
        int popped = 0;
        bool spawn_failed = false;  // in this pass: the others retry without trying
        // At most kBatch timers per lock hold: 100,000 sleepers expiring at
        // once must not keep the goroutines that go to sleep waiting.
        constexpr int kBatch = 256;
        while (popped++ < kBatch && !ts->heap.empty() && ts->heap[0].when <= now) {
            if (!counted) {
                // Until the goroutines woken here are queued, this thread
                // counts as one inside gort (the deadlock check, sched.cpp).
                s.nforeign.fetch_add(1, std::memory_order_seq_cst);
                counted = true;
            }
            Entry top = ts->heap[0];
            if (top.t == nullptr) {  // a sleeping goroutine
                heap_remove(*ts, 0);
                top.g->schedlink = sleepers;
                sleepers = top.g;
                continue;
            }
            Timer *t = top.t;
            switch (t->kind) {
            case Timer::Kind::kChan: {
                if (t->period > 0) {
                    // A ticker: the next tick on the period grid; ticks that
                    // fell behind are skipped, not queued.
                    std::int64_t next = t->when + t->period * (1 + (now - t->when) / t->period);
                    if (next < t->when) next = INT64_MAX;  // overflow
                    requeue_top(*ts, t, next);
                } else {
                    heap_remove(*ts, 0);
                }
                std::int64_t v = now;
                chan_send_impl(t->c, &v, false, nullptr);  // dropped when the buffer is full
                break;
            }
            case Timer::Kind::kFunc: {
                // The goroutine runs fn(arg); a program that is over starts
                // nothing (-ESHUTDOWN).
                std::int64_t id = spawn_failed ? -EAGAIN
                                               : spawn(t->fn, t->arg, 0, kDefaultStackClass, nullptr, false);
                if (id == -EAGAIN || id == -ENOMEM) {
                    // No stack or no memory now (an address-space limit, a
                    // burst): the call must still happen, as Go's AfterFunc
                    // never drops one, and an fd deadline is such a call (a
                    // reader waits for it). The timer stays pending and
                    // tries again; stop and reset still apply to it.
                    // The rest of this pass's function timers wait with it
                    // (100,000 of them must not each fail a spawn a
                    // millisecond).
                    spawn_failed = true;
                    requeue_top(*ts, t, now + kSpawnRetryNs);
                } else {
                    heap_remove(*ts, 0);
                }
                break;
            }
            }
        }
        std::int64_t next = ts->heap.empty() ? -1 : ts->heap[0].when;
        ts->lock.unlock();
        if (sleepers != nullptr) ready_list(sleepers);
        if (counted) foreign_leave();
        if (next >= 0 && next <= now) continue;  // more expired: the next batch
        if (next < 0) {
            ts->note.sleep();
        } else {
            struct timespec tspec = {static_cast<time_t>(next / 1000000000),
                                     static_cast<long>(next % 1000000000)};
            ts->note.sleep_until(&tspec);
        }
    }
    return nullptr;
}

void start_thread_locked(Timers &ts) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256u << 10);
    // The timer thread takes no signals: they belong to the program's threads.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t th;
    int rc = pthread_create(&th, &attr, timer_thread, &ts);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) fatal_error("runtime: failed to create the timer thread");
    ts.started = true;
    g_sched->nruntime_threads.fetch_add(1, std::memory_order_relaxed);
}

void unlock_timers(void *arg) { static_cast<Lock *>(arg)->unlock(); }

}  // namespace

std::int64_t nanotime() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t deadline_after(std::int64_t ns) {
    std::int64_t now = nanotime();
    if (ns <= 0) return now;
    return ns > INT64_MAX - now ? INT64_MAX : now + ns;
}

void timer_add(Timer *t, std::int64_t when, std::int64_t period) {
    ensure_runtime();
    Timers &ts = *g_timers;
    LockGuard lg(ts.lock);
    t->when = when;
    t->period = period;
    heap_add_timer(ts, t);
}

bool timer_del(Timer *t) {
    Timers &ts = *g_timers;
    LockGuard lg(ts.lock);
    if (t->index < 0) return false;
    heap_remove(ts, static_cast<std::size_t>(t->index));
    return true;
}

bool timer_modify(Timer *t, std::int64_t when, std::int64_t period) {
    ensure_runtime();
    Timers &ts = *g_timers;
    LockGuard lg(ts.lock);
    bool pending = t->index >= 0;
    if (pending) heap_remove(ts, static_cast<std::size_t>(t->index));
    t->when = when;
    t->period = period;
    heap_add_timer(ts, t);
    return pending;
}

void sleep_goroutine(std::int64_t ns) {
    G *g = current_g();
    std::int64_t when = deadline_after(ns);
    Timers &ts = *g_timers;
    ts.lock.lock();
    heap_add(ts, Entry{when, 0, nullptr, g});
    // The timer thread readies us only after our context is saved: the
    // timers lock is released by park's after-action.
    park(unlock_timers, &ts.lock, "sleep");
}

void timers_reset_after_fork() {
    Timers *fresh = new Timers();
    fresh->previous = g_timers;
    g_timers = fresh;
}

}  // namespace gort
