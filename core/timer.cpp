// timer.cpp - sleeping goroutines.
//
// A sleeping goroutine costs one entry in a binary heap ordered by deadline,
// not a thread. One timer thread sleeps (futex with an absolute monotonic
// deadline) until the earliest deadline, then makes every expired goroutine
// runnable on the global queue.
//
// Invariants: `lock` guards the heap; a goroutine is pushed and parked with
// the lock held, and the lock is released only after its context is saved
// (park's after-action), so the timer thread never readies a goroutine that
// is still running. Lock order: timers, then sched (ready() takes sched.lock).
#include <cerrno>
#include <ctime>
#include <pthread.h>
#include <signal.h>
#include <vector>

#include "sched.hpp"

namespace gort {

namespace {

struct TimerEntry {
    std::int64_t when;
    std::uint64_t seq;  // FIFO among equal deadlines
    G *g;
};

struct Timers {
    Lock lock;
    std::vector<TimerEntry> heap;  // guarded by lock
    std::uint64_t seq = 0;         // guarded by lock
    bool started = false;          // guarded by lock
    Note note;                     // wakes the timer thread
    Timers *previous = nullptr;    // the parent's, in a forked child (kept reachable)
};

Timers *g_timers = new Timers();

bool earlier(const TimerEntry &a, const TimerEntry &b) {
    return a.when < b.when || (a.when == b.when && a.seq < b.seq);
}

void heap_push(std::vector<TimerEntry> &h, TimerEntry e) {
    h.push_back(e);
    std::size_t i = h.size() - 1;
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (!earlier(h[i], h[parent])) break;
        std::swap(h[i], h[parent]);
        i = parent;
    }
}

TimerEntry heap_pop(std::vector<TimerEntry> &h) {
    TimerEntry top = h[0];
    h[0] = h.back();
    h.pop_back();
    std::size_t i = 0, n = h.size();
    for (;;) {
        std::size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && earlier(h[l], h[m])) m = l;
        if (r < n && earlier(h[r], h[m])) m = r;
        if (m == i) break;
        std::swap(h[i], h[m]);
        i = m;
    }
    return top;
}

void *timer_thread(void *arg) {
    Timers *t = static_cast<Timers *>(arg);
    for (;;) {
        t->lock.lock();
        std::int64_t now = nanotime();
        while (!t->heap.empty() && t->heap[0].when <= now) ready(heap_pop(t->heap).g);
        std::int64_t next = t->heap.empty() ? -1 : t->heap[0].when;
        t->lock.unlock();
        if (next < 0) {
            t->note.sleep();
        } else {
            struct timespec ts = {static_cast<time_t>(next / 1000000000),
                                  static_cast<long>(next % 1000000000)};
            t->note.sleep_until(&ts);
        }
    }
    return nullptr;
}

void unlock_timers(void *arg) { static_cast<Lock *>(arg)->unlock(); }

}  // namespace

std::int64_t nanotime() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void sleep_goroutine(std::int64_t ns) {
    G *g = current_g();
    std::int64_t now = nanotime();
    std::int64_t when = ns > INT64_MAX - now ? INT64_MAX : now + ns;
    Timers &t = *g_timers;
    t.lock.lock();
    if (!t.started) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 128u << 10);
        // The timer thread takes no signals: they belong to the program's threads.
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t th;
        int rc = pthread_create(&th, &attr, timer_thread, &t);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        pthread_attr_destroy(&attr);
        if (rc != 0) fatal_error("runtime: failed to create the timer thread");
        t.started = true;
    }
    try {
        heap_push(t.heap, TimerEntry{when, t.seq++, g});
    } catch (...) {
        fatal_error("runtime: out of memory for timers");
    }
    if (t.heap[0].g == g) t.note.wake();  // a new earliest deadline
    park(unlock_timers, &t.lock);
}

void timers_reset_after_fork() {
    Timers *fresh = new Timers();
    fresh->previous = g_timers;
    g_timers = fresh;
}

}  // namespace gort
