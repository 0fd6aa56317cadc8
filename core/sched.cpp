// sched.cpp - the scheduler. The invariants are at the top of sched.hpp;
// docs/scheduler.md tells the story.
#include "sched.hpp"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <new>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "chaos.hpp"
#include "fatal.hpp"
#include "netpoll.hpp"
#include "print.hpp"
#include "trace.hpp"
#include "traceback.hpp"

namespace gort {

Sched *g_sched = nullptr;

namespace {

std::atomic<bool> g_ready{false};
Sched *g_previous = nullptr;  // a forked child's parent runtime
pthread_mutex_t g_init_mu = PTHREAD_MUTEX_INITIALIZER;

constexpr std::size_t kGSlab = 2u << 20;      // Gs are carved from 2 MiB slabs
constexpr int kGCacheMax = 64;                // free Gs kept per P
constexpr std::size_t kMStackSize = 256u << 10;

inline std::uint32_t fastrand(M *m) {
    // xorshift32
    std::uint32_t x = m->fastrand;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    m->fastrand = x;
    return x;
}

// ---------------------------------------------------------------- run queues

// Global run queue. Called with sched.lock held.
void globrunq_put_locked(G *g) {
    Sched &s = *g_sched;
    RunqBlock *b = s.runq_tail;
    if (b == nullptr || b->tail == kRunqBlock) {
        RunqBlock *nb = s.runq_free;
        if (nb != nullptr) {
            s.runq_free = nb->next;
        } else {
            nb = static_cast<RunqBlock *>(std::malloc(sizeof(RunqBlock)));
            if (nb == nullptr) fatal_error("runtime: out of memory for the run queue");
            nb->allnext = s.runq_all;
            s.runq_all = nb;
        }
        nb->next = nullptr;
        nb->head = nb->tail = 0;
        if (b != nullptr) b->next = nb;
        else s.runq_head = nb;
        s.runq_tail = b = nb;
    }
    b->g[b->tail++] = g;
    s.runq_size.fetch_add(1, std::memory_order_seq_cst);
}

// Pop the oldest G of the global queue (non-empty). sched.lock held.
G *globrunq_pop_locked() {
    Sched &s = *g_sched;
    RunqBlock *b = s.runq_head;
    G *g = b->g[b->head++];
    if (b->head == b->tail) {
        s.runq_head = b->next;
        if (s.runq_head == nullptr) s.runq_tail = nullptr;
        b->next = s.runq_free;
        s.runq_free = b;
    }
    return g;
}

bool runq_put(P *p, G *g, bool next);

// Take up to a fair share of the global queue; return one, put the rest on
// p's local queue. Called with sched.lock held.
G *globrunq_get_locked(P *p, int max) {
    Sched &s = *g_sched;
    int size = s.runq_size.load(std::memory_order_relaxed);
    if (size == 0) return nullptr;
    int n = size / s.gomaxprocs.load(std::memory_order_relaxed) + 1;
    if (n > size) n = size;
    if (max > 0 && n > max) n = max;
    if (n > kRunqSize / 2) n = kRunqSize / 2;
    G *g = globrunq_pop_locked();
    for (int i = 1; i < n; i++) runq_put(p, globrunq_pop_locked(), false);
    GORT_CHAOS();
    // Only now, so that an M that finds the count gone finds the batch in
    // p's queue (find_runnable's re-check reads them in the other order).
    s.runq_size.fetch_sub(n, std::memory_order_seq_cst);
    return g;
}

// Move half of p's local queue plus g to the global queue. Owner only.
bool runq_put_slow(P *p, G *g, std::uint32_t h, std::uint32_t t) {
    constexpr std::uint32_t n = kRunqSize / 2;
    G *batch[n + 1];
    if (t - h != kRunqSize) return false;  // raced with a thief: retry the fast path
    for (std::uint32_t i = 0; i < n; i++)
        batch[i] = p->runq[(h + i) % kRunqSize].load(std::memory_order_relaxed);
    if (!p->runq_head.compare_exchange_strong(h, h + n, std::memory_order_release,
                                              std::memory_order_relaxed))
        return false;
    batch[n] = g;
    LockGuard lg(g_sched->lock);
    for (std::uint32_t i = 0; i <= n; i++) globrunq_put_locked(batch[i]);
    return true;
}

// Put g on p's local queue (in runnext when next). Owner only.
bool runq_put(P *p, G *g, bool next) {
    if (next && g_sched->gomaxprocs.load(std::memory_order_relaxed) == 1) {
        G *old = p->handoff;
        p->handoff = g;
        if (old == nullptr) return true;
        g = old;  // kick the old one to the tail
        next = false;
    }
    if (next) {
        // Only the owner makes runnext non-null (thieves only take it), so
        // an empty slot can be filled with a plain store: a woken goroutine
        // costs no locked instruction here.
        G *old = p->runnext.load(std::memory_order_relaxed);
        if (old == nullptr) {
            p->runnext.store(g, std::memory_order_release);
            return true;
        }
        old = p->runnext.exchange(g, std::memory_order_acq_rel);
        if (old == nullptr) return true;
        g = old;  // kick the old runnext to the tail
    }
    for (;;) {
        std::uint32_t h = p->runq_head.load(std::memory_order_acquire);
        std::uint32_t t = p->runq_tail.load(std::memory_order_relaxed);
        if (t - h < kRunqSize) {
            p->runq[t % kRunqSize].store(g, std::memory_order_relaxed);
            GORT_CHAOS();
            p->runq_tail.store(t + 1, std::memory_order_release);
            return true;
        }
        if (runq_put_slow(p, g, h, t)) return true;
    }
}

// Take a G from p's local queue, runnext first. Owner only.
G *runq_get(P *p) {
    if (G *h = p->handoff) {
        p->handoff = nullptr;
        return h;
    }
    G *next = p->runnext.load(std::memory_order_relaxed);
    if (next != nullptr &&
        p->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel))
        return next;
    for (;;) {
        std::uint32_t h = p->runq_head.load(std::memory_order_acquire);
        std::uint32_t t = p->runq_tail.load(std::memory_order_relaxed);
        if (t == h) return nullptr;
        G *g = p->runq[h % kRunqSize].load(std::memory_order_relaxed);
        if (p->runq_head.compare_exchange_weak(h, h + 1, std::memory_order_release,
                                               std::memory_order_relaxed))
            return g;
    }
}

bool runq_empty(P *p) {
    for (;;) {
        std::uint32_t h = p->runq_head.load(std::memory_order_acquire);
        std::uint32_t t = p->runq_tail.load(std::memory_order_acquire);
        G *next = p->runnext.load(std::memory_order_acquire);
        if (t == p->runq_tail.load(std::memory_order_acquire)) return h == t && next == nullptr;
    }
}

// Grab half of p2's queue into p's ring starting at index `into`. Any M.
std::uint32_t runq_grab(P *p2, P *p, std::uint32_t into, bool steal_next) {
    for (;;) {
        std::uint32_t h = p2->runq_head.load(std::memory_order_acquire);
        std::uint32_t t = p2->runq_tail.load(std::memory_order_acquire);
        std::uint32_t n = t - h;
        n = n - n / 2;
        if (n == 0) {
            if (steal_next) {
                G *next = p2->runnext.load(std::memory_order_acquire);
                // A running P is about to switch to its runnext (a woken
                // receiver, say): give it the 3 us Go gives it before taking
                // it away, or ping-pong would bounce between Ps.
                if (next != nullptr && p2->status.load(std::memory_order_relaxed) == kPRunning) {
                    usleep(3);
                    next = p2->runnext.load(std::memory_order_acquire);
                }
                if (next != nullptr &&
                    p2->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
                    p->runq[into % kRunqSize].store(next, std::memory_order_relaxed);
                    return 1;
                }
            }
            return 0;
        }
        if (n > kRunqSize / 2) continue;  // inconsistent h and t: retry
        GORT_CHAOS();
        for (std::uint32_t i = 0; i < n; i++) {
            G *g = p2->runq[(h + i) % kRunqSize].load(std::memory_order_relaxed);
            p->runq[(into + i) % kRunqSize].store(g, std::memory_order_relaxed);
        }
        if (p2->runq_head.compare_exchange_weak(h, h + n, std::memory_order_acq_rel,
                                                std::memory_order_relaxed))
            return n;
    }
}

// Steal half of p2's queue into p's; return one of them. Owner of p only.
G *runq_steal(P *p, P *p2, bool steal_next) {
    std::uint32_t t = p->runq_tail.load(std::memory_order_relaxed);
    std::uint32_t n = runq_grab(p2, p, t, steal_next);
    if (n == 0) return nullptr;
    owner_add(p->met.steals, 1);
    n--;
    G *g = p->runq[(t + n) % kRunqSize].load(std::memory_order_relaxed);
    if (n > 0) p->runq_tail.store(t + n, std::memory_order_release);
    return g;
}

// ---------------------------------------------------------------- Ps and Ms

P *new_p(int id) {
    void *mem = std::aligned_alloc(alignof(P), sizeof(P));
    if (mem == nullptr) fatal_error("runtime: cannot allocate a P");
    std::memset(mem, 0, sizeof(P));
    P *p = new (mem) P();
    p->id = id;
    p->status.store(kPDead);  // not in the idle list until pidle_put_locked
    return p;
}

// Called with sched.lock held.
void pidle_put_locked(P *p) {
    p->status.store(kPIdle, std::memory_order_relaxed);
    p->m.store(nullptr, std::memory_order_relaxed);
    p->link = g_sched->pidle;
    g_sched->pidle = p;
    g_sched->npidle.fetch_add(1, std::memory_order_seq_cst);
}

P *pidle_get_locked() {
    P *p = g_sched->pidle;
    if (p != nullptr) {
        g_sched->pidle = p->link;
        g_sched->npidle.fetch_sub(1, std::memory_order_seq_cst);
        p->status.store(kPRunning, std::memory_order_relaxed);
    }
    return p;
}

void *mstart(void *arg);

void warn_thread_cap() {
    if (g_sched->cap_warned.exchange(true)) return;
    char buf[160];
    int n = std::snprintf(buf, sizeof buf,
                          "gort: %d threads (GORT_MAXTHREADS): goroutines entering system calls "
                          "keep their processors from now on\n",
                          g_sched->maxthreads);
    int saved = errno;
    if (n > 0 && write(2, buf, static_cast<std::size_t>(n)) < 0) {
    }
    errno = saved;
}

void new_m(P *p, bool spinning) {
    M *m = new (std::nothrow) M();
    if (m == nullptr) fatal_error("runtime: cannot allocate an M");
    m->nextp = p;
    m->spinning = spinning;
    m->fastrand = 0x9e3779b9u ^ static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(m));
    if (m->fastrand == 0) m->fastrand = 1;
    {
        LockGuard lg(g_sched->lock);
        m->id = g_sched->mcount.fetch_add(1, std::memory_order_relaxed);
        g_sched->nruntime_threads.fetch_add(1, std::memory_order_relaxed);
        m->alllink = g_sched->allm;
        g_sched->allm = m;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, kMStackSize);
    pthread_t th;
    int saved = errno;  // a wake-up from any gort call may start an M: errno is the caller's
    int rc = pthread_create(&th, &attr, mstart, m);
    pthread_attr_destroy(&attr);
    errno = saved;
    if (rc != 0) fatal_error("runtime: failed to create new OS thread");
}

// Hand p (status kPRunning, in no list) to an idle or new M; sched.lock is
// held and released here. At the thread cap p goes back to the idle list
// and the work waits for an M to come back (the one blocked in the poller,
// if any, comes now). spinning: the M starts out spinning (the caller
// already counted it in nmspinning).
void start_m_locked(P *p, bool spinning) {
    Sched &s = *g_sched;
    M *m = s.midle;
    if (m != nullptr) {
        s.midle = m->link;
    } else if (s.mcount.load(std::memory_order_relaxed) >= s.maxthreads) {
        // p's own queue goes global first (handoffp hands over a P with
        // work): nobody steals from an idle P nor counts its queue as work
        // waiting (work_anywhere), so whoever popped another P from the
        // idle list would never see it.
        while (G *g = runq_get(p)) globrunq_put_locked(g);
        pidle_put_locked(p);
        // An M may be between its last look for work and stop_m: it must
        // not sleep now (stop_m reads this under the lock).
        s.cap_missed_wake = true;
        if (spinning) s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);  // under the lock, as in start_m
        s.lock.unlock();
        warn_thread_cap();
        // Or on its way to block in the poller, past its last look and not
        // polling yet, never reaching stop_m: break the poll whether or not
        // one is under way. A break nobody waits for makes the next
        // blocking poll return at once, and that M then finds the P.
        netpoll_break();
        return;
    }
    s.lock.unlock();
    GORT_CHAOS();
    sysmon_kick();
    if (m == nullptr) {
        new_m(p, spinning);
        return;
    }
    m->spinning = spinning;
    m->nextp = p;
    m->park.wake();
}

// Hand an idle P to an idle (or new) M.
void start_m(bool spinning) {
    Sched &s = *g_sched;
    s.lock.lock();
    P *p = pidle_get_locked();
    if (p == nullptr) {
        // Undo the caller's count under the lock that found no idle P
        // (invariant 5): an M that drops its P later sees it gone.
        if (spinning) s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
        s.lock.unlock();
        return;
    }
    start_m_locked(p, spinning);
}

// Hand p (held by the caller, status kPRunning) to an idle or new M.
void start_m_with(P *p, bool spinning) {
    g_sched->lock.lock();
    start_m_locked(p, spinning);
}

// Park the calling M (on g0, holding no P) until start_m hands it a P.
void stop_m(M *m) {
    bool took = false;
    {
        LockGuard lg(g_sched->lock);
        // At the thread cap a wake-up found no M to start (start_m_locked):
        // this M, which was on its way here, takes that P and looks again,
        // or the work it was for would wait for good.
        if (g_sched->cap_missed_wake) {
            g_sched->cap_missed_wake = false;
            if (P *p = pidle_get_locked()) {
                m->p = p;
                m->nextp = nullptr;
                took = true;
            }
        }
        if (!took) {
            m->link = g_sched->midle;
            g_sched->midle = m;
        }
    }
    if (took) {
        sysmon_kick();  // a P runs again: sysmon may sleep as if all were idle
        return;
    }
    GORT_CHAOS();
    m->park.sleep();
    m->p = m->nextp;
    m->nextp = nullptr;
}

// Invariant 5's look, by an M that made a P idle: runnable work in the
// global queue or in the local queue of a running P. globrunq_get_locked
// takes a batch off runq_size only after the batch is in the taker's
// queue: one of the two reads sees it.
bool work_anywhere() {
    Sched &s = *g_sched;
    if (s.runq_size.load(std::memory_order_seq_cst) > 0) return true;
    int procs = s.gomaxprocs.load(std::memory_order_seq_cst);
    for (int i = 0; i < procs; i++) {
        P *p2 = s.allp[i];
        if (p2 != nullptr && p2->status.load(std::memory_order_acquire) == kPRunning && !runq_empty(p2))
            return true;
    }
    return false;
}

}  // namespace

// Try to add one more M to run goroutines: when a G was made runnable.
void wakep() {
    Sched &s = *g_sched;
    if (s.npidle.load(std::memory_order_seq_cst) == 0) return;
    GORT_CHAOS();
    std::int32_t zero = 0;
    if (s.nmspinning.load(std::memory_order_seq_cst) != 0 ||
        !s.nmspinning.compare_exchange_strong(zero, 1, std::memory_order_seq_cst))
        return;
    start_m(true);
}

namespace {

void reset_spinning(M *m) {
    m->spinning = false;
    std::int32_t n = g_sched->nmspinning.fetch_sub(1, std::memory_order_seq_cst) - 1;
    GORT_CHAOS();
    // The last spinner found work: another M should look for more.
    if (n == 0 && g_sched->npidle.load(std::memory_order_seq_cst) > 0) wakep();
}

bool p_retiring(P *p) { return p->id >= g_sched->gomaxprocs.load(std::memory_order_relaxed); }

// Free-G management.
void gfree_put(P *p, G *g) {
    g->status.store(kGDead, std::memory_order_relaxed);
    if (p == nullptr) {
        LockGuard lg(g_sched->lock);
        g->schedlink = g_sched->gfree;
        g_sched->gfree = g;
        g_sched->ngfree++;
        return;
    }
    g->schedlink = p->gfree;
    p->gfree = g;
    if (++p->ngfree < kGCacheMax) return;
    // Move half of the cache to the global list, under one lock.
    LockGuard lg(g_sched->lock);
    while (p->ngfree > kGCacheMax / 2) {
        G *g1 = p->gfree;
        p->gfree = g1->schedlink;
        p->ngfree--;
        g1->schedlink = g_sched->gfree;
        g_sched->gfree = g1;
        g_sched->ngfree++;
    }
}

G *galloc(P *p) {
    if (p != nullptr && p->gfree != nullptr) {
        G *g = p->gfree;
        p->gfree = g->schedlink;
        p->ngfree--;
        return g;
    }
    Sched &s = *g_sched;
    LockGuard lg(s.lock);
    if (s.gfree != nullptr) {
        G *g = s.gfree;
        s.gfree = g->schedlink;
        s.ngfree--;
        // Refill the P's cache while we hold the lock.
        while (p != nullptr && s.gfree != nullptr && p->ngfree < kGCacheMax / 2) {
            G *g1 = s.gfree;
            s.gfree = g1->schedlink;
            s.ngfree--;
            g1->schedlink = p->gfree;
            p->gfree = g1;
            p->ngfree++;
        }
        return g;
    }
    if (s.gslab_cur == nullptr || s.gslab_cur + sizeof(G) > s.gslab_end) {
        // 2 MiB-aligned, so that huge pages apply: a million Gs then fault
        // in about 80 pages, not 40,000.
        void *m = mmap(nullptr, 2 * kGSlab, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (m == MAP_FAILED) return nullptr;
        auto base = reinterpret_cast<std::uintptr_t>(m);
        auto aligned = (base + kGSlab - 1) & ~(std::uintptr_t{kGSlab} - 1);
        if (aligned > base) munmap(m, aligned - base);
        if (aligned + kGSlab < base + 2 * kGSlab)
            munmap(reinterpret_cast<void *>(aligned + kGSlab), base + 2 * kGSlab - aligned - kGSlab);
        m = reinterpret_cast<void *>(aligned);
        madvise(m, kGSlab, MADV_HUGEPAGE);
        if (s.ngslabs < static_cast<int>(sizeof s.gslabs / sizeof s.gslabs[0]))
            s.gslabs[s.ngslabs++] = static_cast<char *>(m);
        sanitizer_root_region(m, kGSlab);  // Gs point at malloc'd names and arguments
        s.gslab_cur = static_cast<char *>(m);
        s.gslab_end = s.gslab_cur + kGSlab;
    }
    G *g = new (s.gslab_cur) G();
    s.gslab_cur += sizeof(G);
    return g;
}

// Batch moves of stack reservations (see take_reservation)
//
// num_goroutine() is the live reservations minus every P's spares. A batch
// moves between the global count and a P's spares in two steps, and a
// reader that saw one step and not the other was off by a whole batch: 64
// too low, which showed as a negative go_num_goroutine() and could make
// check_main_goexit_deadlock see 0 goroutines with some alive. The batch
// moves (rare: one per 64 spawns or exits) are therefore bracketed like a
// seqlock with several writers: g_resv_active counts moves in progress,
// g_resv_version counts finished ones, and a reader retries until it saw
// none start or end. Single spawns and exits change a spare count by one,
// which is always a consistent count; they take no part.
std::atomic<std::uint32_t> g_resv_active{0};
std::atomic<std::uint64_t> g_resv_version{0};

struct BatchMove {
    BatchMove() { g_resv_active.fetch_add(1, std::memory_order_seq_cst); }
    ~BatchMove() {
        g_resv_version.fetch_add(1, std::memory_order_seq_cst);
        g_resv_active.fetch_sub(1, std::memory_order_seq_cst);
    }
};

// Release p (retired by a GOMAXPROCS decrease, held by the caller): its
// queue goes global.
void retire_p_owned(P *p) {
    Sched &s = *g_sched;
    stack_flush_cache(p);
    {
        BatchMove bm;
        stack_unreserve_n(kDefaultStackClass, p->spare_reservations.exchange(0));
    }
    {
        LockGuard lg(s.lock);
        while (G *g = runq_get(p)) globrunq_put_locked(g);
        while (G *g = p->gfree) {
            p->gfree = g->schedlink;
            g->schedlink = s.gfree;
            s.gfree = g;
            s.ngfree++;
        }
        p->ngfree = 0;
        p->m.store(nullptr, std::memory_order_relaxed);
        // A concurrent increase may have revived this id meanwhile.
        if (p_retiring(p)) {
            p->status.store(kPDead, std::memory_order_release);
        } else {
            pidle_put_locked(p);
        }
    }
}

void retire_p(M *m) {
    Sched &s = *g_sched;
    retire_p_owned(m->p);
    m->p = nullptr;
    bool was_spinning = m->spinning;
    if (m->spinning) {
        m->spinning = false;
        s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
    }
    // The retired P's queue went global; and a producer may have skipped
    // wakep() because we were spinning (invariant 5).
    if (s.runq_size.load(std::memory_order_seq_cst) > 0 ||
        ((was_spinning || s.nmspinning.load(std::memory_order_seq_cst) == 0) && work_anywhere()))
        wakep();
}

// ---------------------------------------------------------------- switching

void post_switch(M *m, void *from_fctx) {
    // Release: a dump that reads the context reads the stack it points into
    // (traceback.cpp, collect_parked).
    __atomic_store_n(&m->after_from->fctx, from_fctx, __ATOMIC_RELEASE);
    G *g = m->after_g;
    switch (m->after) {
    case After::kNone:
        break;
    case After::kReadyLocal:
        runq_put(m->p, g, false);
        break;
    case After::kReadyGlobal: {
        {
            LockGuard lg(g_sched->lock);
            globrunq_put_locked(g);
        }
        wakep();
        break;
    }
    case After::kPark:
        m->after_unlock(m->after_arg);
        break;
    case After::kExit:
        stack_put(m->p, g->stack);
        g->stack = nullptr;
        // The G keeps its sanitizer fiber for its next goroutine: creating
        // one per goroutine costs TSan a mapping each time.
        gfree_put(m->p, g);
        break;
    }
    m->after = After::kNone;
    m->after_g = nullptr;
}

// Give g its stack and initial context if it never ran. On an M with a P.
inline void prepare(M *m, G *g) {
    met_running(m->p, g);  // count the switch, end a latency sample (metrics.hpp)
    if (g->stack == nullptr) {
        Stack *st = stack_get(m->p, g->stack_cls);
        g->stack = st;
        if (st->guard == 0) stack_arm_canary(st);
        std::size_t canary = st->guard == 0 ? kCanaryBytes : 0;
        fiber_prepare(&g->fiber, st->usable_lo() + canary, st->usable_size() - canary);
    }
}

// The next G for a goroutine that is switching away, without blocking:
// null sends it to g0 (which can steal, idle, retire or stop).
inline G *next_quick(M *m) {
    Sched &s = *g_sched;
    GORT_CHAOS();
    P *p = m->p;
    if (__builtin_expect(s.stopped.load(std::memory_order_relaxed) || p_retiring(p), 0))
        return nullptr;
    // Every 61st schedule, look at the global queue first (fairness, as Go).
    if (p_tick(p) % 61 == 0 && s.runq_size.load(std::memory_order_relaxed) > 0) {
        LockGuard lg(s.lock);
        if (G *g = globrunq_get_locked(p, 1)) return g;
    }
    if (G *g = runq_get(p)) return g;
    if (s.runq_size.load(std::memory_order_relaxed) > 0) {
        LockGuard lg(s.lock);
        return globrunq_get_locked(p, 0);
    }
    return nullptr;
}

inline void check_canary(G *g) {
    if (__builtin_expect(g->stack->guard == 0, 0) && !stack_canary_ok(g->stack)) {
        // Unguarded stack (old kernel, mprotect budget exhausted): the
        // goroutine wrote below its stack; report it as Go would. The
        // first line is the report's: it waits for the right to print, or
        // another thread's report could land inside it.
        begin_dying();
        write_str("runtime: goroutine ");
        write_int(g->id);
        write_str(" overwrote the canary below its unguarded stack\n");
        fatal_error_begun("stack overflow");
    }
}

// Leave the running goroutine g (the caller set m->after*) for the next
// runnable G or, failing that, for g0. Returns when g is resumed.
inline __attribute__((always_inline)) M *switch_out(M *m, G *g, G *next) {
    check_canary(g);
    Fiber *to;
    if (next != nullptr) {
        prepare(m, next);
        next->status.store(kGRunning, std::memory_order_relaxed);
        m->curg = next;
        set_dstate_tls(&next->ds);
        to = &next->fiber;
    } else {
        m->curg = nullptr;
        set_dstate_tls(nullptr);
        to = &m->g0;
    }
    switch_hook(m, g, next);
    m->after_from = &g->fiber;
    m->after_g = g;
    Transfer t = fiber_switch(&g->fiber, to, m);
    M *now = static_cast<M *>(t.data);
    post_switch(now, t.from_fctx);
    return now;
}

// Run g from g0. Returns when the M is back on g0.
void execute(M *m, G *g) {
    prepare(m, g);
    g->status.store(kGRunning, std::memory_order_relaxed);
    m->after = After::kNone;
    switch_hook(m, nullptr, g);
    m->curg = g;
    set_dstate_tls(&g->ds);
    m->after = After::kNone;
    m->after_from = &m->g0;
    m->after_g = nullptr;
    Transfer t = fiber_switch(&m->g0, &g->fiber, m);
    post_switch(static_cast<M *>(t.data), t.from_fctx);
}

// Stack reservations (stack.hpp): the default class goes through a per-P
// spare count, so that spawn and exit cost no atomic read-modify-write.
constexpr std::int32_t kSpareBatch = 64;
bool take_reservation(P *p, int cls) {
    if (p == nullptr || cls != kDefaultStackClass) return stack_reserve(cls);
    std::int32_t spare = p->spare_reservations.load(std::memory_order_relaxed);
    if (__builtin_expect(spare > 0, 1)) {
        p->spare_reservations.store(spare - 1, std::memory_order_relaxed);
        return true;
    }
    {
        BatchMove bm;
        if (stack_reserve_n(cls, kSpareBatch)) {
            p->spare_reservations.store(kSpareBatch - 1, std::memory_order_relaxed);
            return true;
        }
    }
    return stack_reserve(cls);
}

void release_reservation(P *p, int cls) {
    if (p == nullptr || cls != kDefaultStackClass) {
        stack_unreserve(cls);
        return;
    }
    std::int32_t spare = p->spare_reservations.load(std::memory_order_relaxed) + 1;
    if (spare > 2 * kSpareBatch) {
        BatchMove bm;
        stack_unreserve_n(cls, kSpareBatch);
        p->spare_reservations.store(spare - kSpareBatch, std::memory_order_relaxed);
        return;
    }
    p->spare_reservations.store(spare, std::memory_order_relaxed);
}

template <class F>
void for_each_g(Sched &s, F f) {
    for (int i = 0; i < s.ngslabs; i++) {
        char *lo = s.gslabs[i];
        char *hi = lo + kGSlab;
        if (s.gslab_cur != nullptr && s.gslab_cur >= lo && s.gslab_cur <= hi) hi = s.gslab_cur;
        for (char *c = lo; c + sizeof(G) <= hi; c += sizeof(G)) f(reinterpret_cast<G *>(c));
    }
}

bool other_threads_exist(Sched &s);

// main called go_exit and no goroutine is left: Go's fatal error. The
// count is summed without a lock and can read one low (a goroutine spawned
// from a thread, a pinned one's included, and ended on a P during the sum:
// num_goroutine), so a zero is only a hint: the walk under sched.lock
// decides. exiting is the goroutine on its way out (its reservation
// already released, its status not yet dead), or null. A thread of the
// program's own may still spawn one: then, as check_dead, no report.
void check_main_goexit_deadlock(G *exiting) {
    Sched &s = *g_sched;
    if (!s.main_goexited.load(std::memory_order_seq_cst) || num_goroutine() != 0) return;
    GORT_CHAOS();  // a goroutine spawned from a thread may end here
    s.lock.lock();
    bool alive = pinned_live() != 0;
    for_each_g(s, [&](G *g) {
        if (g != exiting && g->status.load(std::memory_order_acquire) != kGDead) alive = true;
    });
    s.lock.unlock();
    if (!alive && !other_threads_exist(s))
        fatal_error_plain("no goroutines (main called runtime.Goexit) - deadlock!");
}

// Whether the process has threads other than gort's own and go_main's
// caller (read from /proc/self/status). Such a thread may call gort later
// (a pthread that will send on a channel, or call wg_done): as Go stands
// its detector down once cgo threads may call in, so do we. Unknown (no
// /proc) counts as yes: never report a deadlock that might not be one.
bool other_threads_exist(Sched &s) {
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return true;
    char buf[4096];
    std::size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        len += static_cast<std::size_t>(r);
        if (len == sizeof buf - 1) break;
    }
    close(fd);
    buf[len] = 0;
    const char *t = std::strstr(buf, "\nThreads:");
    if (t == nullptr) return true;
    long threads = std::strtol(t + 9, nullptr, 10);
    long known = s.nruntime_threads.load(std::memory_order_relaxed) + 1;  // + go_main's caller
#if defined(__SANITIZE_THREAD__)
    // TSan's background threads: one, and a second in a forked child. (So
    // under TSan, one thread of the program's own may go unnoticed.)
    known += 2;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    known += 2;
#endif
#endif
    return threads > known;
}

// Go's checkdead, run by an M about to sleep for want of work. Under
// go_main, the program is deadlocked when no P runs a goroutine, none is
// queued, no timer is pending, no foreign thread is inside gort, and some
// goroutine waits: nothing can ever wake it.
void check_dead() {
    Sched &s = *g_sched;
    if (!s.main_called.load(std::memory_order_relaxed) || s.stopped.load(std::memory_order_relaxed))
        return;
    if (s.npidle.load(std::memory_order_seq_cst) < s.gomaxprocs.load(std::memory_order_seq_cst))
        return;
    s.lock.lock();
    // Read in this order (timer.cpp and ForeignScope count the other way
    // round): a timer that fires counts as a foreign thread until the
    // goroutines it wakes are queued.
    bool dead = s.npidle.load(std::memory_order_seq_cst) >= s.gomaxprocs.load(std::memory_order_seq_cst) &&
                s.runq_size.load(std::memory_order_seq_cst) == 0 &&
                s.ntimers.load(std::memory_order_seq_cst) == 0 &&
                s.nforeign.load(std::memory_order_seq_cst) == 0 &&
                netpoll_waiters() == 0;  // Go: no report while the netpoller has waiters
    int waiting = 0;
    if (dead) {
        for_each_g(s, [&](G *g) {
            std::uint32_t st = g->status.load(std::memory_order_acquire);
            if (st == kGWaiting) waiting++;
            else if (st != kGDead) dead = false;
        });
    }
    if (dead) waiting += pinned_count_blocked();
    if (!dead || waiting == 0 || other_threads_exist(s)) {
        s.lock.unlock();
        return;
    }
    // Keep sched.lock: nothing runs any more.
    if (!begin_dying()) {
        for (;;) pause();
    }
    std::fflush(stdout);
    write_str("fatal error: all goroutines are asleep - deadlock!\n");
    {
        // Every waiting goroutine with its stack (traceback.hpp); the world
        // is stopped, so their stacks hold still.
        Out o(2);
        traceback_deadlock(o);
    }
    if (traceback_level() != kTbNone) pinned_write_blocked();
    trace_fatal();
    if (traceback_level() == kTbCrash) abort();
    _exit(2);
}

}  // namespace

[[noreturn]] GORT_NO_TSAN void goroutine_exit(bool by_goexit) {
    M *m = current_m();
    G *g = m->curg;
    Sched &s = *g_sched;
    gstate_reset(&g->ds);
    if (by_goexit && g->is_main) {
        // runtime.Goexit in main: the others go on; none left is a deadlock.
        g->is_main = false;
        s.main_goexited.store(true, std::memory_order_seq_cst);
    }
    if (g->heap_args != nullptr) {
        std::free(g->heap_args);
        g->heap_args = nullptr;
    }
    if (g->name != nullptr) {
        std::free(g->name);
        g->name = nullptr;
    }
    release_reservation(m->p, g->stack_cls);
    if (g->is_main) {
        g->is_main = false;
        s.stopped.store(true, std::memory_order_seq_cst);
        s.main_done.wake();
    }
    check_main_goexit_deadlock(g);
    check_canary(g);
    m->after = After::kExit;
    m->after_from = &g->fiber;
    m->after_g = g;
    G *next = next_quick(m);
    Fiber *to;
    if (next != nullptr) {
        prepare(m, next);
        next->status.store(kGRunning, std::memory_order_relaxed);
        m->curg = next;
        set_dstate_tls(&next->ds);
        to = &next->fiber;
    } else {
        m->curg = nullptr;
        set_dstate_tls(nullptr);
        to = &m->g0;
    }
    switch_hook(m, g, next);
    fiber_switch_final(&g->fiber, to, m);
}

namespace {

// Every goroutine starts here, on its own stack.
GORT_NO_TSAN void g_entry(Transfer t) {
    M *m = static_cast<M *>(t.data);
    post_switch(m, t.from_fctx);
    G *g = m->curg;
    g->ran = true;
    *m->errno_ptr = 0;  // a goroutine starts with errno 0, whatever ran before on this M
    m->inrt.store(0, std::memory_order_release);  // user code from here (rt_enter)
    // The body is a frame (defer.h); a panic it recovers ends it normally.
    call_frame(&g->ds, g->fn, g->arg);
    if (__builtin_expect(g_rt_on, 0)) rt_enter(current_m());
    goroutine_exit(false);
}

// ---------------------------------------------------------------- the M loop

// Look for a runnable G; may drop the P and park the M. Returns a G with
// m->p held, or null when the caller must start over (P lost or retired).
// The goroutines netpoll() made runnable: the first for the caller to run,
// the others on p's queue (p held by the caller), with an idle P woken to
// steal them.
G *netpoll_inject(P *p, G *list) {
    if (list == nullptr) return nullptr;
    G *first = list;
    bool more = false;
    for (G *g = list->schedlink; g != nullptr;) {
        G *next = g->schedlink;
        runq_put(p, g, false);
        g = next;
        more = true;
    }
    if (more) {
        std::atomic_thread_fence(std::memory_order_seq_cst);  // as in ready_on
        wakep();
    }
    return first;
}

G *find_runnable(M *m) {
    Sched &s = *g_sched;
top:
    if (s.stopped.load(std::memory_order_relaxed)) {
        for (;;) m->park.sleep();  // the program is over: never run a G again
    }
    P *p = m->p;
    if (p == nullptr) return nullptr;
    if (p_retiring(p)) {
        retire_p(m);
        return nullptr;
    }
    if (p_tick(p) % 61 == 0 && s.runq_size.load(std::memory_order_relaxed) > 0) {
        LockGuard lg(s.lock);
        if (G *g = globrunq_get_locked(p, 1)) return g;
    }
    if (G *g = runq_get(p)) return g;
    if (s.runq_size.load(std::memory_order_relaxed) > 0) {
        LockGuard lg(s.lock);
        if (G *g = globrunq_get_locked(p, 0)) return g;
    }
    // The network, before stealing (Go's findRunnable): goroutines whose
    // fds became ready, unless an M blocks in the poller already.
    if (netpoll_inited() && netpoll_waiters() > 0 && !s.polling.load(std::memory_order_relaxed)) {
        if (G *g = netpoll_inject(p, netpoll(0, nullptr))) return g;
    }
    // Steal, unless too many Ms are spinning already.
    int procs = s.gomaxprocs.load(std::memory_order_relaxed);
    if (m->spinning ||
        2 * s.nmspinning.load(std::memory_order_relaxed) < procs - s.npidle.load(std::memory_order_relaxed)) {
        if (!m->spinning) {
            m->spinning = true;
            s.nmspinning.fetch_add(1, std::memory_order_seq_cst);
        }
        for (int round = 0; round < 4; round++) {
            int n = procs;
            int off = static_cast<int>(fastrand(m) % static_cast<std::uint32_t>(n));
            for (int i = 0; i < n; i++) {
                int id = (off + i) % n;
                P *p2 = s.allp[id];
                if (p2 == nullptr || p2 == p) continue;
                if (p2->status.load(std::memory_order_relaxed) != kPRunning) continue;
                if (G *g = runq_steal(p, p2, round == 3)) return g;
            }
        }
    }
    // Nothing: drop the P.
    GORT_CHAOS();
    s.lock.lock();
    if (s.runq_size.load(std::memory_order_relaxed) > 0) {
        G *g = globrunq_get_locked(p, 0);
        s.lock.unlock();
        return g;
    }
    if (p_retiring(p)) {
        s.lock.unlock();
        goto top;
    }
    pidle_put_locked(p);
    m->p = nullptr;
    s.lock.unlock();
    GORT_CHAOS();
    bool was_spinning = m->spinning;
    if (m->spinning) {
        m->spinning = false;
        s.nmspinning.fetch_sub(1, std::memory_order_seq_cst);
    }
    GORT_CHAOS();
    // Invariant 5: a producer may have skipped wakep() because we were
    // spinning; look again now that nmspinning and npidle say we are idle.
    // Not spinning, look too when no M spins: a spinner that found work
    // while we still held our P saw no idle P and woke nobody
    // (reset_spinning), and the rest of its batch waits in its queue.
    // nmspinning counts only Ms that will look for work after this point:
    // a wakep() that finds no idle P takes its count back under the lock
    // that found none (start_m), so a count seen here is a real spinner.
    if (was_spinning || s.nmspinning.load(std::memory_order_seq_cst) == 0) {
        if (work_anywhere()) {
            s.lock.lock();
            P *np = pidle_get_locked();
            s.lock.unlock();
            if (np != nullptr) {
                np->m.store(m, std::memory_order_relaxed);
                m->p = np;
                m->spinning = true;
                s.nmspinning.fetch_add(1, std::memory_order_seq_cst);
                // sysmon may have gone to sleep when this P went idle: it
                // must watch a running P (retake, the stranded-work backstop).
                sysmon_kick();
                goto top;
            }
        }
    }
    // Goroutines wait for I/O and nobody polls: this M blocks in the
    // poller instead of on its futex (Go's lastpoll = 0), until an event
    // or netpoll_break. Timers need nothing from it: they have a thread.
    GORT_CHAOS();  // a wake-up here at the thread cap must break the poll (start_m_locked)
    while (netpoll_inited() && netpoll_waiters() > 0 &&
           !s.polling.exchange(true, std::memory_order_seq_cst)) {
        G *list = netpoll(-1, nullptr);
        s.polling.store(false, std::memory_order_seq_cst);
        P *np = pidle_get();
        if (np == nullptr) {
            if (list != nullptr) ready_list(list);  // the running Ps take them
            continue;
        }
        np->m.store(m, std::memory_order_relaxed);
        m->p = np;
        sysmon_kick();
        if (G *g = netpoll_inject(np, list)) return g;
        goto top;  // woken for something else: look for it with a P
    }
    check_main_goexit_deadlock(nullptr);
    check_dead();
    // Idle: a good moment to give back the memory of a burst of exited
    // goroutines (it costs a system call per stack).
    stack_scavenge();
    stop_m(m);
    if (m->p != nullptr) m->p->m.store(m, std::memory_order_relaxed);
    goto top;
}

[[noreturn]] void schedule_loop(M *m) {
    for (;;) {
        m->inrt.store(1, std::memory_order_relaxed);  // g0 is gort code (rt_enter)
        if (m->p == nullptr) {
            stop_m(m);
            if (m->p != nullptr) m->p->m.store(m, std::memory_order_relaxed);
            continue;
        }
        G *g = find_runnable(m);
        if (g == nullptr) continue;
        GORT_CHAOS();
        if (m->spinning) reset_spinning(m);
        execute(m, g);
    }
}

void *mstart(void *arg) {
    M *m = static_cast<M *>(arg);
    adopt_program_sigmask();
    set_current_m(m);
    m->errno_ptr = &errno;
    clockid_t clk;
    if (pthread_getcpuclockid(pthread_self(), &clk) != 0) clk = static_cast<clockid_t>(-1);
    m->cpuclock.store(clk, std::memory_order_relaxed);
    m->tid.store(static_cast<int>(syscall(SYS_gettid)), std::memory_order_relaxed);
    fiber_init_thread(&m->g0);
    m_signal_stack(m);
    m->p = m->nextp;
    m->nextp = nullptr;
    if (m->p != nullptr) m->p->m.store(m, std::memory_order_relaxed);
    schedule_loop(m);
}

void init_runtime() {
    Sched *s = new Sched();
    s->previous = g_previous;
    pthread_sigmask(SIG_SETMASK, nullptr, &s->sigmask);
    s->ncpu = count_cpus();
    int procs = env_gomaxprocs();
    if (procs <= 0) procs = s->ncpu;
    if (procs > kMaxProcs) procs = kMaxProcs;
    s->gomaxprocs.store(procs);
    for (int i = procs - 1; i >= 0; i--) {
        s->allp[i] = new_p(i);
    }
    s->nallp = procs;
    g_sched = s;
    for (int i = procs - 1; i >= 0; i--) pidle_put_locked(s->allp[i]);
    fiber_set_entry(g_entry);
    install_signal_handlers();
    if (const char *e = std::getenv("GORT_MAXTHREADS"); e != nullptr && *e != 0) {
        char *end = nullptr;
        errno = 0;
        long v = std::strtol(e, &end, 10);
        if (errno != 0 || *end != 0 || v <= 0 || v > 1000000) {
            write_str("gort: GORT_MAXTHREADS=");
            write_str(e);
            write_str(" is not a thread count in [1, 1000000]; using 10000\n");
        } else {
            s->maxthreads = static_cast<int>(v);
        }
    }
    sysmon_start();
    sigquit_from_env();
    trace_from_env();
}

void after_fork_child() {
    // Only the forking thread exists in the child. The parent's runtime
    // (its Ms, goroutines, locks) is gone: start afresh on first use.
    g_ready.store(false);
    g_previous = g_sched;  // reachable, for leak checkers; never used again
    g_sched = nullptr;
    g_init_mu = PTHREAD_MUTEX_INITIALIZER;
    set_current_m(nullptr);
    stack_reset_after_fork();
    timers_reset_after_fork();
    pinned_reset_after_fork();
    sysmon_reset_after_fork();
    netpoll_reset_after_fork();
    trace_reset_after_fork();
}

}  // namespace

void adopt_program_sigmask() { pthread_sigmask(SIG_SETMASK, &g_sched->sigmask, nullptr); }

void ensure_runtime() {
    if (__builtin_expect(g_ready.load(std::memory_order_acquire), 1)) return;
    pthread_mutex_lock(&g_init_mu);
    if (!g_ready.load(std::memory_order_relaxed)) {
        static bool atfork_done = false;
        if (!atfork_done) {
            pthread_atfork(nullptr, nullptr, after_fork_child);
            atfork_done = true;
        }
        init_runtime();
        g_ready.store(true, std::memory_order_release);
    }
    pthread_mutex_unlock(&g_init_mu);
}


bool ForeignScope::enter_foreign() {
    ensure_runtime();
    if (pinned_id() != 0) return false;
    g_sched->nforeign.fetch_add(1, std::memory_order_seq_cst);
    return true;
}

void foreign_leave() {
    // The last foreign thread to leave may be what the idle Ms were waiting
    // for: if nothing else can run now, the program is deadlocked, and no M
    // will look again (they all sleep). Look here, as Go's checkdead runs
    // whenever an M stops.
    if (g_sched->nforeign.fetch_sub(1, std::memory_order_seq_cst) == 1) check_dead();
}

void ready_list(G *head) {
    if (head == nullptr) return;
    {
        LockGuard lg(g_sched->lock);
        while (head != nullptr) {
            G *g = head;
            head = g->schedlink;
            if (trace_on()) trace_emit(nullptr, TraceEv::kUnblock, g->id, 0);
            met_runnable(g);
            g->status.store(kGRunnable, std::memory_order_release);  // a dump that holds it reads its fields
            globrunq_put_locked(g);
        }
    }
    // A spinning M that finds work wakes the next one: one wakep ramps up.
    wakep();
}

void ready(G *g) { ready_on(current_m(), g); }

void ready_on(M *m, G *g) {
    if (trace_on() && g->ran) {
        bool owner = m != nullptr && m->p != nullptr;
        trace_emit(owner ? m->p : nullptr, TraceEv::kUnblock, g->id,
                   m != nullptr && m->curg != nullptr ? m->curg->id : 0);
    }
    met_runnable(g);
    g->status.store(kGRunnable, std::memory_order_release);  // a dump that holds it reads its fields
    if (m != nullptr && m->p != nullptr && m->curg != nullptr) {
        runq_put(m->p, g, true);
        // Invariant 5 is Dekker's: this side stores g, then reads npidle
        // and nmspinning; a spinner that gives up decrements nmspinning (a
        // locked instruction), then reads the queues. x86 lets this side's
        // reads pass its store (runq_put's is a plain one), so both could
        // miss the other: g would wait behind this M's goroutine (until
        // sysmon's backstop). Go has the barrier from runqput's CAS on
        // runnext; here a fence (GCC: a locked OR on the stack) orders them.
        std::atomic_thread_fence(std::memory_order_seq_cst);
    } else {
        LockGuard lg(g_sched->lock);
        globrunq_put_locked(g);
    }
    GORT_CHAOS();
    wakep();
}

std::int64_t spawn(GoFn fn, void *arg, std::size_t args_size, int stack_cls, const char *name,
                   bool is_main, std::uintptr_t gopc) {
    Sched &s = *g_sched;
    if (s.stopped.load(std::memory_order_relaxed)) return -ESHUTDOWN;
    M *m = current_m();
    P *p = (m != nullptr && m->curg != nullptr) ? m->p : nullptr;
    // A thread that is not a goroutine counts as inside gort until the new
    // goroutine is queued (the deadlock detector must not fire in between).
    struct Inside {
        bool on;
        explicit Inside(bool foreign) : on(foreign) {
            if (on) g_sched->nforeign.fetch_add(1, std::memory_order_seq_cst);
        }
        ~Inside() {
            if (on) foreign_leave();
        }
    } inside(p == nullptr);
    if (!take_reservation(p, stack_cls)) return -EAGAIN;
    G *g = galloc(p);
    if (g == nullptr) {
        release_reservation(p, stack_cls);
        return -ENOMEM;
    }
    g->fn = fn;
    g->heap_args = nullptr;
    g->name = nullptr;
    if (args_size == 0) {
        g->arg = arg;
    } else if (args_size <= kInlineArgs) {
        std::memcpy(g->inline_args, arg, args_size);
        g->arg = g->inline_args;
    } else {
        g->heap_args = std::malloc(args_size);
        if (g->heap_args == nullptr) {
            gfree_put(p, g);
            release_reservation(p, stack_cls);
            return -ENOMEM;
        }
        std::memcpy(g->heap_args, arg, args_size);
        g->arg = g->heap_args;
    }
    if (name != nullptr) {
        g->name = strndup(name, kNameMax);
        if (g->name == nullptr) {
            std::free(g->heap_args);
            gfree_put(p, g);
            release_reservation(p, stack_cls);
            return -ENOMEM;
        }
    }
    g->stack = nullptr;
    g->stack_cls = static_cast<std::uint8_t>(stack_cls);
    g->is_main = is_main;
    g->ran = false;
    g->gopc = gopc;
    g->parent = p != nullptr ? m->curg->id : 0;
    // waitsince needs no reset here: park() clears it before the G waits.
    g->schedlink = nullptr;
    std::int64_t id = s.goid.fetch_add(1, std::memory_order_relaxed) + 1;
    g->id = id;
    met_spawn(g);
    if (trace_on()) trace_emit(p, TraceEv::kCreate, id, g->parent);
    GORT_CHAOS();
    ready(g);
    // A spawning loop is a scheduling point once its processor has a full
    // queue of runnable goroutines (as Go's preemption would make it): the
    // spawner yields, the backlog runs, and a loop that spawns a million
    // goroutines keeps a few hundred alive, on warm Gs and stacks, instead
    // of a million.
    if (p != nullptr) {
        std::uint32_t h = p->runq_head.load(std::memory_order_relaxed);
        std::uint32_t t = p->runq_tail.load(std::memory_order_relaxed);
        if (t - h >= kRunqSize) yield(m);
    }
    return id;
}

[[noreturn]] __attribute__((noinline, cold)) void gort_call_in_syscall() {
    fatal_error("gort: a goroutine blocked in gort between go_syscall_enter and go_syscall_exit");
}

void park(void (*unlock)(void *), void *arg, const char *reason) {
    M *m = current_m();
    G *g = m->curg;
    if (__builtin_expect(m->p == nullptr, 0)) gort_call_in_syscall();
    owner_add(m->p->met.parks, 1);
    g->waitreason = reason;
    g->waitsince.store(0, std::memory_order_relaxed);
    // Release: a dump that reads Waiting then reads the context this switch
    // saves, never one from before g last resumed (Fiber::fctx).
    g->status.store(kGWaiting, std::memory_order_release);
    GORT_CHAOS();  // Waiting, its context not saved yet (a dump must wait)
    m->after = After::kPark;
    m->after_unlock = unlock;
    m->after_arg = arg;
    // The goroutine may resume on another M, whose errno is another
    // variable: carry the value across.
    int saved_errno = *m->errno_ptr;
    M *now = switch_out(m, g, next_quick(m));
    *now->errno_ptr = saved_errno;
}

long num_goroutine() {
    if (g_sched == nullptr) return 0;
    // A reader that saw no batch move start or end (see take_reservation).
    for (int tries = 0;; tries++) {
        if (tries >= 64) sched_yield();
        std::uint64_t v = g_resv_version.load(std::memory_order_seq_cst);
        if (g_resv_active.load(std::memory_order_seq_cst) != 0) continue;
        long n = stack_live_total() + pinned_live();
        for (P *p : g_sched->allp)
            if (p != nullptr) n -= p->spare_reservations.load(std::memory_order_seq_cst);
        if (g_resv_active.load(std::memory_order_seq_cst) == 0 &&
            g_resv_version.load(std::memory_order_seq_cst) == v)
            return n;
    }
}

void yield(M *m) {
    G *g = m->curg;
    P *p = m->p;
    Sched &s = *g_sched;
    G *next;
    if (__builtin_expect(p == nullptr, 0)) gort_call_in_syscall();
    if (__builtin_expect(s.stopped.load(std::memory_order_relaxed) || p_retiring(p), 0)) {
        g->status.store(kGRunnable, std::memory_order_release);  // a dump that holds it reads its fields
        m->after = After::kReadyGlobal;
        switch_out(m, g, nullptr);
        return;
    }
    // The fast path: the next local goroutine. The global queue gets its
    // turn every 61st schedule and whenever the local queue is empty.
    std::uint32_t tick = p->schedtick.load(std::memory_order_relaxed) + 1;
    if (__builtin_expect(tick % 61 != 0, 1) && (next = runq_get(p)) != nullptr) {
        p->schedtick.store(tick, std::memory_order_relaxed);
    } else {
        // next_quick counts this schedule
        next = next_quick(m);
        if (next == nullptr) {  // nothing else to run here: keep going
            check_canary(g);
            return;
        }
    }
    g->status.store(kGRunnable, std::memory_order_release);  // as park's
    m->after = After::kReadyLocal;
    switch_out(m, g, next);
}

int maxprocs_set(int n) {
    Sched &s = *g_sched;
    if (n > kMaxProcs) n = kMaxProcs;
    s.maxprocs_sema.acquire();  // a goroutine may park in here: not a Lock
    int old;
    {
        LockGuard lg(s.lock);
        old = s.gomaxprocs.load();
        if (n > old) {
            for (int i = old; i < n; i++) {
                if (s.allp[i] == nullptr) {
                    s.allp[i] = new_p(i);
                    if (s.nallp < i + 1) s.nallp = i + 1;
                }
                // Serialised decreases wait for retirement, so the P is dead here.
                if (s.allp[i].load()->status.load() == kPDead) pidle_put_locked(s.allp[i]);
            }
            s.gomaxprocs.store(n, std::memory_order_seq_cst);
        } else if (n < old) {
            s.gomaxprocs.store(n, std::memory_order_seq_cst);
            // Idle Ps above the new count leave the idle list now; running
            // ones retire at their M's next scheduling point.
            P **pp = &s.pidle;
            while (*pp != nullptr) {
                P *p = *pp;
                if (p->id >= n) {
                    *pp = p->link;
                    s.npidle.fetch_sub(1, std::memory_order_seq_cst);
                    p->status.store(kPDead, std::memory_order_release);
                    while (G *g = runq_get(p)) globrunq_put_locked(g);
                } else {
                    pp = &p->link;
                }
            }
        }
    }
    if (n > old) {
        for (int i = old; i < n; i++) wakep();
    } else if (n < old) {
        // Wait until the removed Ps stop executing goroutines.
        for (;;) {
            bool busy = false;
            for (int i = n; i < old; i++) {
                P *p = s.allp[i];
                if (p == nullptr) continue;
                std::uint32_t st = p->status.load(std::memory_order_acquire);
                // A P whose goroutine is in a system call: take it now (its
                // M finds it gone on exit and takes the slow path).
                if (st == kPSyscall &&
                    p->status.compare_exchange_strong(st, kPIdle, std::memory_order_acq_rel)) {
                    retire_p_owned(p);
                    continue;
                }
                if (st == kPRunning || st == kPSyscall) busy = true;
            }
            if (!busy) break;
            if (current_g() != nullptr) {
                yield(current_m());  // on a retiring P this moves us off it
                sleep_goroutine(20000);
            } else {
                struct timespec ts = {0, 20000};
                nanosleep(&ts, nullptr);
            }
        }
        if (s.runq_size.load() > 0) wakep();
    }
    s.maxprocs_sema.release();
    return old;
}

// ---------------------------------------------------------------- system calls
// (the protocol is in syscall.cpp; these are the scheduler's halves)

bool work_waiting(P *p) {
    if (g_sched->runq_size.load(std::memory_order_seq_cst) > 0) return true;
    return p != nullptr && (p->handoff != nullptr || !runq_empty(p));
}

void handoffp(P *p) {
    Sched &s = *g_sched;
    // Work on its queue or the global one: an M runs it now.
    if (work_waiting(p)) {
        p->status.store(kPRunning, std::memory_order_relaxed);
        start_m_with(p, false);
        return;
    }
    // Nobody looks for work and no P is idle: this one starts looking
    // (whatever is made runnable next finds a spinning M).
    std::int32_t zero = 0;
    if (s.npidle.load(std::memory_order_seq_cst) == 0 &&
        s.nmspinning.load(std::memory_order_seq_cst) == 0 &&
        s.nmspinning.compare_exchange_strong(zero, 1, std::memory_order_seq_cst)) {
        p->status.store(kPRunning, std::memory_order_relaxed);
        start_m_with(p, true);
        return;
    }
    s.lock.lock();
    if (s.runq_size.load(std::memory_order_relaxed) > 0) {
        s.lock.unlock();
        p->status.store(kPRunning, std::memory_order_relaxed);
        start_m_with(p, false);
        return;
    }
    if (p_retiring(p)) {
        s.lock.unlock();
        retire_p_owned(p);
        return;
    }
    pidle_put_locked(p);
    s.lock.unlock();
    // A producer that saw no idle P skipped wakep(), and while no M spins
    // a batch may wait in a running P's queue: look again (invariant 5).
    if (work_waiting(nullptr) || (s.nmspinning.load(std::memory_order_seq_cst) == 0 && work_anywhere()))
        wakep();
}

bool p_runq_empty(P *p) { return runq_empty(p); }

P *pidle_get() {
    if (g_sched->npidle.load(std::memory_order_seq_cst) == 0) return nullptr;
    LockGuard lg(g_sched->lock);
    return pidle_get_locked();
}

bool m_available() {
    Sched &s = *g_sched;
    if (s.mcount.load(std::memory_order_relaxed) < s.maxthreads) return true;
    bool idle;
    {
        LockGuard lg(s.lock);
        idle = s.midle != nullptr;
    }
    if (!idle) warn_thread_cap();
    return idle;
}

void requeue_and_stop(M *m) {
    G *g = m->curg;
    m->inrt.store(1, std::memory_order_relaxed);  // g0 runs next: gort code
    m->after = After::kReadyGlobal;
    int saved_errno = *m->errno_ptr;
    M *now = switch_out(m, g, nullptr);
    *now->errno_ptr = saved_errno;
}

bool wake_stranded() {
    Sched &s = *g_sched;
    if (s.npidle.load(std::memory_order_seq_cst) == 0 ||
        s.nmspinning.load(std::memory_order_seq_cst) != 0)
        return false;
    if (!work_anywhere()) return false;
    wakep();
    return true;
}

void switch_slow(M *m, G *from, G *next) {
    int f = g_tracing.load(std::memory_order_relaxed);
    if (f & kTraceOn) trace_switch(m->p, from, next, static_cast<int>(m->after));
    // A dump reads goroutines' stacks (traceback.cpp): a load of the word
    // that saw no dump ran before the dump's barrier, so skipping is safe.
    if ((f & ~kTraceOn) != 0 && next != nullptr) trace_wait(next);
}

void for_each_g_locked(void (*f)(G *, void *), void *arg) {
    for_each_g(*g_sched, [&](G *g) { f(g, arg); });
}

// Slabs are only ever added (never freed), so a copy of the list taken at
// one moment stays valid: G memory is always mapped, whatever state its G
// is in. take_lock = false reads the list without sched.lock (the fatal
// paths: the failing thread may hold it); a slab being added may then be
// missed, nothing worse.
namespace {
GORT_NO_TSAN void walk_slab(char *lo, char *cur, void (*f)(G *, void *), void *arg) {
    char *hi = lo + kGSlab;
    if (cur != nullptr && cur >= lo && cur <= hi) hi = cur;
    for (char *c = lo; c + sizeof(G) <= hi; c += sizeof(G)) f(reinterpret_cast<G *>(c), arg);
}
}  // namespace

GORT_NO_TSAN void for_each_g_snapshot(void (*f)(G *, void *), void *arg, bool take_lock) {
    Sched &s = *g_sched;
    if (!take_lock) {
        // The fatal paths: the live list, read as it is (no copy, no lock:
        // the failing thread may hold either).
        int n = s.ngslabs;
        char *cur = s.gslab_cur;
        for (int i = 0; i < n; i++) walk_slab(s.gslabs[i], cur, f, arg);
        return;
    }
    static char *slabs[sizeof s.gslabs / sizeof s.gslabs[0]];
    static SpinLock copy_mu;  // guards the static copy (dumps are rare)
    copy_mu.lock();
    s.lock.lock();
    int n = s.ngslabs;
    char *cur = s.gslab_cur;
    for (int i = 0; i < n; i++) slabs[i] = s.gslabs[i];
    s.lock.unlock();
    for (int i = 0; i < n; i++) walk_slab(slabs[i], cur, f, arg);
    copy_mu.unlock();
}

}  // namespace gort
