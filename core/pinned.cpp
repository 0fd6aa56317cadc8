// pinned.cpp - pinned goroutines: bodies that run on a pool thread's own
// stack (gort/pinned.h; Go's cgo / LockOSThread model).
//
// A pool thread waits on its Note for a body; spawn_pinned hands one to an
// idle thread, or creates a thread. While a body runs, the thread carries
// the goroutine's id in thread-local storage (go_id, fatal reports), uses
// its thread GState for defer/panic/recover (a thread's own, exactly as
// go_call on a foreign thread does), and counts as "inside gort" for the
// deadlock detector (a running goroutine may wake the others at any time).
// The thread holds no P: the scheduler never sees it, and its blocking
// calls block it like any foreign thread's. Like an M, it has a sigaltstack
// and tells the fault handler where its stack is (signal.cpp): a fault in a
// body is Go's runtime-error panic, an overflow Go's fatal error.
//
// Invariants: `lock` guards the idle list, the counts and the hooks; a
// thread is on the idle list exactly when it waits for work; `work` of a
// thread is written by the spawner before it wakes the thread and read by
// the thread after waking (the Note orders them).
#include <gort/pinned.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "fatal.hpp"
#include "panic.hpp"
#include "print.hpp"
#include "sched.hpp"
#include "timer.hpp"

namespace gort {

namespace {

struct PinnedThread {
    PinnedThread *next_idle = nullptr;
    PinnedThread *all_next = nullptr, *all_prev = nullptr;  // Pool::all; guarded by its lock
    // Blocked in a gort wait, and why (the deadlock report).
    std::atomic<bool> blocked{false};
    // Written by the thread itself before `blocked`, read by dumps under
    // the pool lock (and by the fatal report): atomic, as the thread does
    // not take that lock to write it (TSan found the race in a stress run).
    std::atomic<const char *> waitreason{nullptr};
    Note note;
    // The next body (written by the spawner before the wake-up).
    GoFn fn = nullptr;
    void *arg = nullptr;
    void *heap_args = nullptr;
    std::int64_t id = 0;
};

// A body waiting for a thread (see "The queue" in spawn_pinned).
struct Body {
    GoFn fn;
    void *arg;
    void *heap_args;
    std::int64_t id;
    std::int64_t queued_at;  // nanotime()
};

// The bodies waiting for a thread, oldest first: a ring of Body values that
// doubles when full, so that queueing and taking a body allocate nothing
// once the ring has grown to the longest queue so far (a node malloc'd by
// the spawner and freed by a pool thread cost both a trip to malloc's
// arena). An emptied ring past kKeep bodies is given back. Guarded by the
// pool lock.
struct BodyQueue {
    static constexpr std::size_t kKeep = 1024;
    Body *ring = nullptr;
    std::size_t cap = 0, head = 0, len = 0;  // cap: 0 or a power of two

    bool empty() const { return len == 0; }
    const Body &front() const { return ring[head]; }
    void pop() {
        head = (head + 1) & (cap - 1);
        if (--len == 0 && cap > kKeep) {
            std::free(ring);
            ring = nullptr;
            cap = head = 0;
        }
    }
    // False when the ring cannot grow (no memory): nothing changed.
    bool push(const Body &b) {
        if (len == cap) {
            std::size_t ncap = cap != 0 ? 2 * cap : 64;
            auto *nr = static_cast<Body *>(std::malloc(ncap * sizeof(Body)));
            if (nr == nullptr) return false;
            for (std::size_t i = 0; i < len; i++) nr[i] = ring[(head + i) & (cap - 1)];
            std::free(ring);
            ring = nr;
            cap = ncap;
            head = 0;
        }
        ring[(head + len) & (cap - 1)] = b;
        len++;
        return true;
    }
};

struct Pool {
    Lock lock;
    BodyQueue queue;               // guarded by lock
    int nrunning = 0;              // threads running a body, not asleep in a gort wait; guarded by lock
    bool watchdog_armed = false;   // guarded by lock
    Timer watchdog;                // guarded by lock (armed: in the timer heap)
    PinnedThread *idle = nullptr;  // guarded by lock
    PinnedThread *all = nullptr;   // every pool thread; guarded by lock
    int nidle = 0;                 // guarded by lock
    int nthreads = 0;              // guarded by lock
    bool hooks_set = false;        // guarded by lock
    go_pinned_hooks_t hooks{};     // guarded by lock; read-only once a thread exists
    std::atomic<long> live{0};     // pinned goroutines that exist now
    Pool *previous = nullptr;      // the parent's, in a forked child (kept reachable)
};

Pool *g_pool = new Pool();

__attribute__((tls_model("initial-exec"))) thread_local std::int64_t t_pinned_id = 0;
__attribute__((tls_model("initial-exec"))) thread_local PinnedThread *t_self = nullptr;

void *pool_thread(void *arg) {
    auto *t = static_cast<PinnedThread *>(arg);
    adopt_program_sigmask();
    t_self = t;
    void *altstack = thread_signal_stack();
    {
        pthread_attr_t attr;
        void *lo = nullptr;
        std::size_t size = 0, guard = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &lo, &size);
            pthread_attr_getguardsize(&attr, &guard);
            pthread_attr_destroy(&attr);
        }
        // glibc reports the usable stack; the guard lies just below it.
        auto ulo = reinterpret_cast<std::uintptr_t>(lo);
        if (size != 0) thread_goroutine_stack(ulo - guard, ulo + size, guard);
    }
    Pool &pool = *g_pool;
    go_pinned_hooks_t hooks;
    {
        LockGuard lg(pool.lock);
        hooks = pool.hooks;
    }
    if (hooks.thread_start != nullptr) hooks.thread_start(hooks.ctx);
    bool have_work = false;  // took a queued body: no need to sleep
    for (;;) {
        if (!have_work) t->note.sleep();  // the spawner set the work, then woke us
        have_work = false;
        t_pinned_id = t->id;
        errno = 0;  // a goroutine starts with errno 0
        // The body is a frame (gort/defer.h), on this thread's own defer
        // state; an unrecovered panic ends the process there, as Go's does.
        call_frame(thread_gstate(), t->fn, t->arg);
        std::free(t->heap_args);
        t->heap_args = nullptr;
        t_pinned_id = 0;
        // Back on the idle list before the goroutine stops counting, so
        // that whoever waits for go_num_goroutine to drop finds the thread
        // ready for reuse. A spawner may hand us work at once: the Note
        // keeps its wake-up until our next sleep. fn and id change under
        // the lock: dumps (pinned_for_each, pinned_write_all) read them
        // under it.
        pool.lock.lock();
        t->fn = nullptr;
        pool.nrunning--;
        if (!pool.queue.empty()) {
            // More work queued: take it without going to sleep (no wake-up
            // system call for the spawner, none for us).
            const Body &b = pool.queue.front();
            pool.nrunning++;
            t->fn = b.fn;
            t->arg = b.arg;
            t->heap_args = b.heap_args;
            t->id = b.id;
            pool.queue.pop();
            pool.lock.unlock();
            pool.live.fetch_sub(1, std::memory_order_relaxed);
            foreign_leave();  // the body that ended; the next one is counted already
            have_work = true;
            continue;
        }
        bool keep = pool.nidle < GO_PINNED_IDLE_MAX;
        if (keep) {
            t->next_idle = pool.idle;
            pool.idle = t;
            pool.nidle++;
        } else {
            pool.nthreads--;
            if (t->all_prev != nullptr) t->all_prev->all_next = t->all_next;
            else pool.all = t->all_next;
            if (t->all_next != nullptr) t->all_next->all_prev = t->all_prev;
        }
        pool.lock.unlock();
        // A thread that leaves the pool detaches (thread_exit) before its
        // goroutine stops counting: whoever waits for go_num_goroutine to
        // drop then finds it gone from the VM too.
        if (!keep && hooks.thread_exit != nullptr) hooks.thread_exit(hooks.ctx);
        pool.live.fetch_sub(1, std::memory_order_relaxed);
        foreign_leave();  // spawn_pinned counted the body as inside gort
        if (keep) continue;
        break;
    }
    delete t;
    thread_goroutine_stack(0, 0, 0);
    thread_signal_stack_free(altstack);
    g_sched->nruntime_threads.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
}

// A new pool thread, waiting for its first body. Pool lock held.
PinnedThread *new_thread_locked(Pool &pool) {
    auto *t = new (std::nothrow) PinnedThread();
    if (t == nullptr) return nullptr;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // The thread's own stack: the size a main thread would have (8 MiB), as
    // managed runtimes expect.
    pthread_attr_setstacksize(&attr, 8u << 20);
    pthread_t th;
    g_sched->nruntime_threads.fetch_add(1, std::memory_order_relaxed);
    int rc = pthread_create(&th, &attr, pool_thread, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        g_sched->nruntime_threads.fetch_sub(1, std::memory_order_relaxed);
        delete t;
        return nullptr;
    }
    pool.nthreads++;
    t->all_next = pool.all;
    if (pool.all != nullptr) pool.all->all_prev = t;
    pool.all = t;
    return t;
}

}  // namespace

std::int64_t pinned_id() { return t_pinned_id; }

long pinned_live() { return g_pool->live.load(std::memory_order_relaxed); }

int pinned_set_hooks(const go_pinned_hooks_t *hooks) {
    // Read only the fields the caller's version of the struct has.
    auto has = [hooks](std::size_t off, std::size_t len) { return hooks->size >= off + len; };
    if (!has(offsetof(go_pinned_hooks_t, thread_start), sizeof hooks->thread_start)) return -EINVAL;
    Pool &pool = *g_pool;
    LockGuard lg(pool.lock);
    if (pool.hooks_set || pool.nthreads > 0) return -EALREADY;
    pool.hooks.size = sizeof pool.hooks;
    pool.hooks.thread_start = hooks->thread_start;
    if (has(offsetof(go_pinned_hooks_t, thread_exit), sizeof hooks->thread_exit))
        pool.hooks.thread_exit = hooks->thread_exit;
    if (has(offsetof(go_pinned_hooks_t, ctx), sizeof hooks->ctx)) pool.hooks.ctx = hooks->ctx;
    pool.hooks_set = true;
    return 0;
}

namespace {

constexpr std::int64_t kQueueWaitNs = 1000000;  // 1 ms: the longest a queued body waits for a thread

// Give body (fn, arg, heap_args, id) to an idle thread, or to a new one.
// Pool lock held. False when no thread could be had.
bool dispatch_locked(Pool &pool, GoFn fn, void *arg, void *heap_args, std::int64_t id) {
    PinnedThread *t = pool.idle;
    if (t != nullptr) {
        pool.idle = t->next_idle;
        pool.nidle--;
    } else {
        t = new_thread_locked(pool);
        if (t == nullptr) return false;
    }
    t->fn = fn;
    t->arg = arg;
    t->heap_args = heap_args;
    t->id = id;
    pool.nrunning++;
    t->note.wake();
    return true;
}

// Hand the oldest queued body to a thread of its own. Pool lock held.
bool dispatch_head_locked(Pool &pool) {
    if (pool.queue.empty()) return false;
    const Body &b = pool.queue.front();
    if (!dispatch_locked(pool, b.fn, b.arg, b.heap_args, b.id)) return false;
    pool.queue.pop();
    return true;
}

void arm_watchdog_locked(Pool &pool);

// The timer's goroutine: a body queued for 1 ms gets a thread of its own,
// whatever the others do (they may be blocked outside gort: in a system
// call, a managed sleep, a long computation).
void watchdog(void *) {
    Pool &pool = *g_pool;
    LockGuard lg(pool.lock);
    pool.watchdog_armed = false;
    // One more thread per tick, not one per stale body: the new thread
    // drains the queue too, and a burst of spawns must not become a burst
    // of threads.
    if (!pool.queue.empty() && nanotime() - pool.queue.front().queued_at >= kQueueWaitNs)
        dispatch_head_locked(pool);
    if (!pool.queue.empty()) arm_watchdog_locked(pool);
}

void arm_watchdog_locked(Pool &pool) {
    if (pool.watchdog_armed) return;
    pool.watchdog_armed = true;
    pool.watchdog.kind = Timer::Kind::kFunc;
    pool.watchdog.fn = watchdog;
    pool.watchdog.arg = nullptr;
    timer_add(&pool.watchdog, deadline_after(kQueueWaitNs), 0);
}

}  // namespace

std::int64_t spawn_pinned(GoFn fn, void *arg, std::size_t args_size) {
    Sched &s = *g_sched;
    if (s.stopped.load(std::memory_order_relaxed)) return -ESHUTDOWN;
    void *heap_args = nullptr;
    if (args_size > 0) {
        heap_args = std::malloc(args_size);
        if (heap_args == nullptr) return -ENOMEM;
        std::memcpy(heap_args, arg, args_size);
        arg = heap_args;
    }
    Pool &pool = *g_pool;
    std::int64_t id = s.goid.fetch_add(1, std::memory_order_relaxed) + 1;
    // A pinned goroutine counts as a thread inside gort from now (queued or
    // running, it may wake the others at any time) until its body returns.
    pool.live.fetch_add(1, std::memory_order_relaxed);
    s.nforeign.fetch_add(1, std::memory_order_seq_cst);
    LockGuard lg(pool.lock);
    // The queue: when as many bodies run as there are CPUs, another thread
    // would not make anything faster, so the body waits for the first of
    // them to finish (which takes it without sleeping: no system call on
    // either side). It never waits behind a body that blocks in gort (see
    // pinned_blocking) nor, thanks to the watchdog, more than about 1 ms
    // behind one that blocks elsewhere.
    // Without memory for the queue, the body gets a thread.
    if (pool.nrunning >= s.ncpu && pool.queue.push(Body{fn, arg, heap_args, id, nanotime()})) {
        arm_watchdog_locked(pool);
        return id;
    }
    if (!dispatch_locked(pool, fn, arg, heap_args, id)) {
        pool.live.fetch_sub(1, std::memory_order_relaxed);
        s.nforeign.fetch_sub(1, std::memory_order_seq_cst);
        std::free(heap_args);
        return -EAGAIN;
    }
    return id;
}

void pinned_blocking(const char *reason) {
    PinnedThread *t = t_self;
    t->waitreason.store(reason, std::memory_order_relaxed);
    t->blocked.store(true, std::memory_order_seq_cst);
    {
        // One body fewer runs: a queued one must not wait behind us.
        Pool &pool = *g_pool;
        LockGuard lg(pool.lock);
        pool.nrunning--;
        if (!pool.queue.empty()) dispatch_head_locked(pool);
    }
    foreign_leave();  // the last one out runs the deadlock check
}

void pinned_unblocked() {
    t_self->blocked.store(false, std::memory_order_relaxed);
    Pool &pool = *g_pool;
    LockGuard lg(pool.lock);
    pool.nrunning++;
}

int pinned_count_blocked() {
    Pool &pool = *g_pool;
    LockGuard lg(pool.lock);
    int n = 0;
    for (PinnedThread *t = pool.all; t != nullptr; t = t->all_next)
        if (t->blocked.load(std::memory_order_seq_cst)) n++;
    return n;
}

void pinned_write_blocked() {
    Pool &pool = *g_pool;
    // A fatal report: the pool's lock may be held by this thread, or by one
    // that waits for a lock this one holds. Try for 100 ms; past that the
    // walk goes without it (a thread that leaves the pool meanwhile could
    // be read after it was freed, in a process about to exit).
    bool locked = false;
    for (int i = 0; i < 100 && !(locked = pool.lock.try_lock()); i++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, nullptr);
    }
    for (PinnedThread *t = pool.all; t != nullptr; t = t->all_next) {
        if (!t->blocked.load(std::memory_order_relaxed)) continue;
        write_str("\ngoroutine ");
        write_int(t->id);
        write_str(" [");
        const char *why = t->waitreason.load(std::memory_order_relaxed);
        write_str(why != nullptr ? why : "waiting");
        write_str(", locked to thread]:\n");
    }
    if (locked) pool.lock.unlock();
}

bool pinned_write_all(Out &o, bool first) {
    Pool &pool = *g_pool;
    std::int64_t self = t_pinned_id;
    LockGuard lg(pool.lock);
    for (PinnedThread *t = pool.all; t != nullptr; t = t->all_next) {
        if (t->fn == nullptr || t->id == self) continue;  // idle, or the caller (printed already)
        if (!first) o.ch('\n');
        first = false;
        bool blocked = t->blocked.load(std::memory_order_acquire);
        const char *why = t->waitreason.load(std::memory_order_relaxed);
        o.str("goroutine ").num(t->id).str(" [");
        o.str(blocked ? (why != nullptr ? why : "waiting") : "running");
        // Its stack is its own thread's, which gort cannot read from here.
        o.str(", locked to thread]:\n\tgoroutine running on other thread; stack unavailable\n");
    }
    return first;
}

void pinned_for_each(void (*f)(std::int64_t, bool, const char *, void *, void *), void *arg) {
    Pool &pool = *g_pool;
    LockGuard lg(pool.lock);
    for (PinnedThread *t = pool.all; t != nullptr; t = t->all_next) {
        if (t->fn == nullptr) continue;
        f(t->id, t->blocked.load(std::memory_order_acquire), t->waitreason.load(std::memory_order_relaxed),
          reinterpret_cast<void *>(t->fn), arg);
    }
}

void pinned_reset_after_fork() {
    Pool *fresh = new Pool();
    fresh->previous = g_pool;
    g_pool = fresh;
    t_pinned_id = 0;
}

}  // namespace gort
