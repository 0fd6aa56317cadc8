// sched.hpp - the M:P:G scheduler: goroutines (G), OS threads (M) and
// logical processors (P).
//
// Glossary (as in Go's runtime/proc.go):
//   G  a goroutine: a function, its stack and its saved context.
//   M  an OS thread that runs goroutines. Each M has a g0: the thread's own
//      stack, on which the scheduler loop runs when no goroutine does.
//   P  a logical processor: the right to run goroutines, plus the local run
//      queue and caches. There are GOMAXPROCS Ps; an M must hold a P to run a
//      G, so at most GOMAXPROCS goroutines execute at once.
//
// Invariants:
//  1. A G is in exactly one place: running on one M (status Running, the M's
//     curg), in one run queue (Runnable), in one wait list (Waiting; the
//     list's owner releases it), or in a free list (Dead).
//  2. A G's saved context is valid whenever the G is not Running. A G is
//     published (put into a run queue, or its wait list unlocked) only after
//     the switch away from it has stored that context: the switching side
//     records an "after" action in its M, and the side that resumes performs
//     it (post_switch). Nothing parks while holding a runtime Lock except
//     through this mechanism.
//  3. The current M is never read through a thread-local address the
//     compiler could keep across a switch: code that may have switched reads
//     it again through current_m() (an out-of-line accessor in tls.cpp), or
//     takes it from the Transfer the switch returned.
//  4. Only the owner M of a P pushes to that P's local run queue and touches
//     its caches; any M may steal from the queue (lock-free, Go's runq).
//  5. Spinning: an M looking for work while holding a P is "spinning";
//     nmspinning counts them. wakep() starts an M only when there is an idle
//     P and no spinning M; a spinning M that finds work wakes another
//     (ramping up), and one that gives up re-checks every queue after
//     dropping its P (no lost wake-ups); so does a non-spinning M that
//     drops its P while no M spins (a spinner that found work while that
//     M still held its P saw no idle P to wake), and so does a P made
//     idle by a hand-off or a retirement. The re-check reads runq_size
//     after the local queues' batches are in place (a batch leaves
//     runq_size only after it reaches the taker's local queue). An M that
//     skips the look because nmspinning > 0 trusts that count to be a
//     real spinner: so a wakep() that finds no idle P takes its count back
//     under the sched.lock that found none, never after (counted a moment
//     too long, it strands work behind a goroutine that never yields).
//     sysmon is the backstop.
//  6. Lock order: timers lock, then sched.lock, then a pool lock.
//
// Rejected: one global queue (contention at 2+ Ps); a G's stack allocated at
// spawn (a million queued goroutines would fault in a million stacks: see
// stack.hpp); a dedicated scheduler switch per yield (G -> g0 -> G costs two
// jumps; we switch G -> G directly and fall back to g0 only to idle).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <pthread.h>
#include <signal.h>

#include <gort/pinned.h>

#include "context.hpp"
#include "lock.hpp"
#include "metrics.hpp"
#include "panic.hpp"
#include "sema.hpp"
#include "stack.hpp"

namespace gort {

using GoFn = void (*)(void *);

constexpr int kMaxProcs = 256;
constexpr int kRunqSize = 256;
constexpr int kDefaultStackClass = 2;  // 64 KiB
constexpr std::size_t kInlineArgs = 32;  // four words: a channel and three integers (skynet's node)
constexpr std::size_t kNameMax = 31;

// G status. Who owns the G (and its stack) in each state:
enum GStatus : std::uint32_t {
    kGDead = 0,      // in a free list; owned by that list. No stack.
    kGRunnable = 1,  // in a run queue; not executing; the stack is not owned.
    kGRunning = 2,   // executing on its M; the M owns it and its stack.
    kGWaiting = 3,   // parked in a wait list (WaitGroup, sleep); the list owns it.
    kGSyscall = 4,   // executing a system call on its M, which may hold no P
                     // (syscall.cpp); counts as running for the deadlock check.
};

struct M;
struct P;
struct G;

constexpr int kRunqBlock = 254;
struct RunqBlock {
    RunqBlock *next;
    RunqBlock *allnext;        // every block ever made (blocks are recycled, never freed)
    std::uint32_t head, tail;  // g[head, tail) are queued
    G *g[kRunqBlock];
};

struct G {
    Fiber fiber;              // context + stack bounds; first member
    Stack *stack;             // null until first run
    G *schedlink;             // run queue / free list / wait list link
    std::int64_t id;
    GoFn fn;
    void *arg;                // what fn receives
    void *heap_args;          // malloc'd argument copy, or null
    char *name;               // malloc'd name, or null
    std::atomic<std::uint32_t> status;
    const char *waitreason;   // what a Waiting G waits for (Go's waitReason), for the deadlock report
    std::uintptr_t gopc;      // the go statement: where go_spawn was called from (traceback's "created by")
    std::int64_t parent;      // the goroutine that ran that go statement, 0 if none (go_goroutines)
    // When the current wait began, stamped lazily by sysmon (traceback.hpp);
    // 0 = not yet seen waiting. park() clears it.
    std::atomic<std::int64_t> waitsince;
    std::uint8_t stack_cls;
    bool is_main;
    bool ran;                 // has run at least once: its saved context is a real one (traceback)
    std::uint16_t syscall_depth;  // nested go_syscall_enter calls (syscall.cpp)
    std::uint8_t track_seq;   // transitions to runnable, for latency sampling (metrics.hpp)
    std::int64_t runnable_at; // nanotime() it became runnable when sampled, else 0 (metrics.hpp)
    alignas(8) unsigned char inline_args[kInlineArgs];  // small go_spawn_copy arguments
    GState ds;                // defer stack, frames, panics (kept for the next goroutine)
};

// What the side that resumes after a switch must do about the fiber left.
enum class After : std::uint8_t {
    kNone,         // nothing (left g0, or a G that stays referenced elsewhere)
    kReadyLocal,   // put the G at the tail of this P's run queue (yield)
    kReadyGlobal,  // put the G on the global run queue (yield on a retiring P)
    kPark,         // the G is Waiting: call unlock(arg) to publish it
    kExit,         // the G ended: free its stack and recycle it
};

struct alignas(64) P {
    int id;
    std::atomic<std::uint32_t> status;  // kPIdle / kPRunning / kPDead
    std::atomic<M *> m;                  // owner while running (sysmon reads it)
    P *link;                             // idle list; guarded by sched.lock
    // Schedules on this P: written by the owner (load + store, no RMW),
    // read by sysmon to see a P that has not scheduled for a while.
    std::atomic<std::uint32_t> schedtick;
    // Bumped at every system call entry and exit on this P (Go's
    // syscalltick): sysmon retakes a P only after seeing the same call
    // twice.
    std::atomic<std::uint32_t> syscalltick;
    // sysmon's request that the goroutine running here yield at its next
    // go_preempt_point (it has run 10 ms without a scheduling point), and
    // the schedtick it was made at (a request is stale once that moved).
    std::atomic<bool> preempt;
    std::atomic<std::uint32_t> preempt_tick;
    // Owner-written statistics (go_sched_stats sums them).
    std::atomic<std::uint64_t> st_syscalls, st_fast_exits;
    // sysmon's own notes (sysmon thread only; Go's sysmontick).
    std::uint32_t sm_schedtick, sm_syscalltick;
    std::int64_t sm_schedwhen, sm_syscallwhen, sm_cpu, sm_cpuwhen;
    // Local run queue (Go's runq): head advanced by owner and thieves (CAS),
    // tail written only by the owner.
    alignas(64) std::atomic<std::uint32_t> runq_head;
    std::atomic<std::uint32_t> runq_tail;
    std::atomic<G *> runnext;
    // runnext at GOMAXPROCS=1, where no other P can steal: a plain slot, so
    // a wake-up and the switch to the woken G cost no locked instruction.
    // Owner only; runq_get takes it first.
    G *handoff;
    std::atomic<G *> runq[kRunqSize];
    // Caches: owner only.
    G *gfree;
    int ngfree;
    Stack *stack_cache;
    int nstack_cache;
    // Default-class stack reservations taken from the global count in
    // batches and not yet used by a goroutine (owner writes; any reads).
    std::atomic<std::int32_t> spare_reservations;
    // Scheduler metrics (metrics.hpp): owner-written counters.
    PMetrics met;
};
// kPSyscall: the owner M is in a system call (syscall.cpp) and holds the P
// only loosely: it takes it back with a CAS to kPRunning, unless sysmon
// CASed it to kPIdle first and handed it to another M.
enum : std::uint32_t { kPIdle = 0, kPRunning = 1, kPDead = 2, kPSyscall = 3 };

// Count one schedule on p (owner only); returns the new count.
inline std::uint32_t p_tick(P *p) {
    std::uint32_t t = p->schedtick.load(std::memory_order_relaxed) + 1;
    p->schedtick.store(t, std::memory_order_relaxed);
    return t;
}
// Add one to an owner-written counter (no locked instruction).
template <class T>
inline void bump(std::atomic<T> &c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

struct M {
    Fiber g0;                 // the thread's own stack
    G *curg;                  // running goroutine, or null on g0
    P *p;                     // held P, or null
    P *nextp;                 // P handed over by startm
    P *oldp;                  // the P left in kPSyscall by go_syscall_enter
    std::atomic<clockid_t> cpuclock;  // this thread's CPU clock (sysmon's GORT_RETAKE check)
    std::atomic<int> tid{0};          // its kernel thread id (ditto)
    // GORT_RETAKE=1 (sysmon.cpp): inrt is 1 while the M runs gort code that
    // may use its P (the scheduler, a gort call), 0 while it runs user code
    // of a goroutine; written by the M with plain stores. lostp is sysmon's:
    // 1 while it decides to take the P (the M waits), 2 once it took it.
    std::atomic<std::uint32_t> inrt{1};
    std::atomic<std::uint32_t> lostp{0};
    M *link;                  // idle list; guarded by sched.lock
    M *alllink;               // every M ever made (sched.allm)
    bool spinning;
    // The pending post-switch action (invariant 2).
    After after;
    Fiber *after_from;
    G *after_g;
    void (*after_unlock)(void *);
    void *after_arg;
    std::uint32_t fastrand;
    int id;
    int *errno_ptr;           // this thread's errno, looked up once at thread start
    // A fault the signal handler turns into a panic (sigpanic reads it).
    int sig, sigcode;
    std::uintptr_t sigaddr, sigpc;
    Note park;
    void *altstack;
};

// Scheduler-wide state. One instance per process (a forked child makes a
// fresh one).
struct Sched {
    Lock lock;
    // Global run queue: a FIFO of blocks of G pointers (so that moving
    // goroutines in and out touches no G); guarded by lock (runq_size is
    // also read racily).
    RunqBlock *runq_head = nullptr, *runq_tail = nullptr, *runq_free = nullptr;
    RunqBlock *runq_all = nullptr;
    std::atomic<std::int32_t> runq_size{0};
    // Idle Ps and Ms; guarded by lock.
    P *pidle = nullptr;
    std::atomic<std::int32_t> npidle{0};
    M *midle = nullptr;
    bool cap_missed_wake = false;  // lock: a wake-up at the thread cap found no M (stop_m)
    M *allm = nullptr;        // guarded by lock; Ms are never freed
    std::atomic<int> mcount{0};  // Ms made (written under lock)
    int maxthreads = 10000;      // the cap on Ms (GORT_MAXTHREADS), set at start
    std::atomic<bool> cap_warned{false};
    std::atomic<std::int32_t> nmspinning{0};
    // An M (holding no P) blocks in netpoll(-1): the others need not poll.
    std::atomic<bool> polling{false};
    std::atomic<std::int32_t> gomaxprocs{1};
    // Allocated Ps, entries never freed: written under lock (a GOMAXPROCS
    // increase), read by thieves and sysmon without it.
    std::atomic<P *> allp[kMaxProcs] = {};
    int nallp = 0;            // guarded by lock
    // Free Gs beyond the P caches, and the slab they are carved from;
    // guarded by lock.
    G *gfree = nullptr;
    int ngfree = 0;
    char *gslab_cur = nullptr, *gslab_end = nullptr;
    // Goroutines asked to yield by sysmon and not yet seen (go_preempt_point
    // reads it: one load when zero). Written rarely: a line of its own.
    alignas(64) std::atomic<std::int32_t> preempt_pending{0};
    // Statistics that no P owns (go_sched_stats).
    std::atomic<std::uint64_t> st_idle_exits{0}, st_queued_exits{0}, st_handoffs{0},
        st_retakes{0}, st_blind_retakes{0}, st_preempt_requests{0}, st_preempt_yields{0},
        st_sysmon_wakeups{0};
    // Written by every spawn: on a line of its own, away from the flags
    // every scheduling point reads.
    alignas(64) std::atomic<std::int64_t> goid{0};
    char goid_pad[56];
    std::atomic<bool> stopped{false};  // the main goroutine returned
    std::atomic<bool> main_called{false};
    std::atomic<bool> main_goexited{false};  // the main goroutine called go_exit
    Note main_done;
    Sched *previous = nullptr;  // the parent's runtime, in a forked child (kept reachable)
    Sema maxprocs_sema{1};  // serialises go_maxprocs
    int ncpu = 1;
    // Every G slab (Gs are never freed): the deadlock report walks them.
    // Guarded by lock.
    char *gslabs[4096] = {};
    int ngslabs = 0;
    // Threads that are not goroutines and are inside a gort call that can
    // block or wake a goroutine (ForeignScope), the timer thread while it
    // fires timers included: while one is, the program is not deadlocked.
    std::atomic<std::int32_t> nforeign{0};
    // Timers pending in the heap (timer.cpp): a pending timer can wake.
    std::atomic<std::int64_t> ntimers{0};
    // OS threads gort created (Ms, the timer thread): any other thread but
    // go_main's caller may call gort later, so the deadlock check stands
    // down while one exists.
    std::atomic<std::int32_t> nruntime_threads{0};
    // The signal mask of the thread that started the runtime: every thread
    // gort creates runs goroutines (or pinned bodies) with it, whichever
    // thread created it (the timer thread blocks every signal, and a thread
    // inherits its creator's mask: a goroutine on such a thread could not
    // take a fault as a panic, nor a VM its suspend signals).
    sigset_t sigmask;
};

extern Sched *g_sched;

// ---- used by syscall.cpp and sysmon.cpp (defined in sched.cpp)
// Give p (held by the caller, in no list, status anything but kPDead) to
// an M that will run its work, or to the idle list (Go's handoffp).
void handoffp(P *p);
// Take an idle P (status kPRunning, owner unset), or null.
P *pidle_get();
// Whether a P could be given to an M now: an idle M exists, or the cap
// (GORT_MAXTHREADS) allows one more. Racy; warns once at the cap.
bool m_available();
// The running goroutine (status kGRunnable already) goes to the global run
// queue and its M, which holds no P, parks; returns when the goroutine
// runs again, on whichever M. errno is carried across.
void requeue_and_stop(M *m);
// Whether a runnable goroutine waits on p (local queue, runnext, handoff
// slot) or on the global queue. p must not be changing owner.
bool work_waiting(P *p);
// p's local queue and runnext are empty (not the handoff slot). Any thread.
bool p_runq_empty(P *p);
// Start an M for an idle P when runnable work waits and nobody looks for
// it (sysmon's backstop against lost wake-ups). Returns true if it did.
bool wake_stranded();
// Every G ever made (sched.lock held).
void for_each_g_locked(void (*f)(G *, void *), void *arg);
// Every G made so far, without holding sched.lock while f runs (see
// sched.cpp). take_lock = false: not even to copy the slab list (fatal
// paths). f reads each G racily.
void for_each_g_snapshot(void (*f)(G *, void *), void *arg, bool take_lock);
void wakep();
// syscall.cpp (gort/syscall.h): no-ops unless a goroutine calls them.
void syscall_enter(bool block);
void syscall_exit();
void preempt_check();
// sysmon.cpp
void sysmon_start();
void sysmon_wake();              // out of deep sleep / a long tick, now
extern std::atomic<bool> g_sysmon_idle;  // sysmon sleeps long: wake it when work starts
inline void sysmon_kick() {
    if (__builtin_expect(g_sysmon_idle.load(std::memory_order_seq_cst), 0)) sysmon_wake();
}
void sysmon_reset_after_fork();

// tls.cpp: out-of-line accessors (invariant 3).
M *current_m();
// The calling thread's M read straight from the thread-local: only at the
// top of a function, before anything that can switch stacks (a compiler
// may keep the variable's address across the switch; invariant 3).
extern __thread M *g_tls_m __attribute__((tls_model("initial-exec")));
inline M *current_m_entry() { return g_tls_m; }
void set_current_m(M *m);
int *errno_location();  // the calling thread's errno, looked up afresh
GState *thread_gstate();  // a thread's own defer state (threads that are not goroutines)
Note *thread_note();

// Start the runtime if needed. Cheap when it runs already.
void ensure_runtime();
// Give the calling thread, just created by gort, the program's signal mask.
void adopt_program_sigmask();

// Spawn a goroutine. args_size == 0: fn gets arg; otherwise a copy.
// gopc: the caller's return address in the public entry point (0: none).
std::int64_t spawn(GoFn fn, void *arg, std::size_t args_size, int stack_cls, const char *name,
                   bool is_main, std::uintptr_t gopc = 0);

// traceback.cpp: a goroutine dump (go_dump) reads the stacks of goroutines
// that are not running while the program runs. A switch to a goroutine
// calls trace_guard(g) after storing kGRunning and before jumping: while a
// dump is under way (g_tracing, one relaxed load otherwise) it waits until
// the dump is done with g's stack (the protocol is in traceback.cpp).
// The same word carries kTraceOn while the execution trace records
// (trace.hpp): the switch hook then records the stop of `from` and the
// start of `next`. Spawns and wake-ups test the bit too.
extern std::atomic<int> g_tracing;  // alignas(64) in traceback.cpp
constexpr int kTraceOn = 1 << 30;
void trace_wait(G *g);
void switch_slow(M *m, G *from, G *next);
// After kGRunning is stored in next (if any), before the jump.
inline void switch_hook(M *m, G *from, G *next) {
    // acquire: a dump that just let go of next (its fetch_sub) is ordered
    // before what next does now (free its name, write its wait reason)
    if (__builtin_expect(g_tracing.load(std::memory_order_acquire) != 0, 0)) switch_slow(m, from, next);
}
inline bool trace_on() {
    return __builtin_expect((g_tracing.load(std::memory_order_relaxed) & kTraceOn) != 0, 0);
}

// Make a Waiting (or never-run) G runnable. Any thread.
void ready(G *g);
// ready(), with the caller's current_m() (null on a thread that is not an
// M) already in hand: valid only until the caller next switches.
void ready_on(M *m, G *g);

// Park the running goroutine: it is Waiting from now; unlock(arg) runs once
// its context is saved (invariant 2). reason: Go's wait reason ("chan
// receive"), a static string shown by the deadlock report. errno is
// carried across (the goroutine may resume on another M). Goroutine only.
void park(void (*unlock)(void *), void *arg, const char *reason);

// Make a list of Waiting Gs (linked through schedlink) runnable, on the
// global queue under one lock. Any thread.
void ready_list(G *head);

// A thread that is not a goroutine leaves gort (Sched::nforeign): the last
// one to leave runs the deadlock check.
void foreign_leave();

// GORT_RETAKE=1 (sysmon.cpp): a goroutine's M enters gort code that may
// use its P. A plain store and a load: sysmon's membarrier() orders them
// against its own store of lostp. When sysmon took the P meanwhile,
// rt_lost() goes on as after a retaken system call and returns the M the
// goroutine runs on now (no lock may be held: call it at a gort entry).
M *rt_lost(M *m);
// Whether GORT_RETAKE=1 is on (set once, before any goroutine runs): the
// marks cost nothing when it is off.
extern bool g_rt_on;
inline M *rt_enter(M *m) {
    m->inrt.store(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    if (__builtin_expect(m->lostp.load(std::memory_order_relaxed) != 0, 0)) return rt_lost(m);
    return m;
}
// Back to the code that called gort: prev is what rt_enter found (0 in a
// goroutine's own code). Looks the M up afresh: the goroutine may have moved.
void rt_leave(std::uint32_t prev);

// Opens a gort entry point that may use the goroutine's P (see rt_enter).
class RtScope {
public:
    RtScope() {
        M *m = current_m();
        m_ = nullptr;
        if (m != nullptr && m->curg != nullptr) {
            m_ = m;
            if (__builtin_expect(g_rt_on, 0)) {
                prev_ = m->inrt.load(std::memory_order_relaxed);
                m_ = rt_enter(m);
            }
        }
    }
    ~RtScope() {
        if (__builtin_expect(g_rt_on, 0) && m_ != nullptr) rt_leave(prev_);
    }
    RtScope(const RtScope &) = delete;
    RtScope &operator=(const RtScope &) = delete;
    // The caller's M when it is a goroutine (null otherwise), valid until
    // the caller's first switch (invariant 3).
    M *entry_m() const { return m_; }

private:
    M *m_;
    std::uint32_t prev_ = 0;
};

// Counts the calling thread as "inside gort" while it lives when that
// thread is not a goroutine (see Sched::nforeign). Cheap for goroutines,
// for which it is an RtScope.
class ForeignScope {
public:
    ForeignScope() {
        M *m = current_m();
        foreign_ = m == nullptr || m->curg == nullptr;
        m_ = nullptr;
        if (__builtin_expect(foreign_, 0)) {
            foreign_ = enter_foreign();
        } else {
            m_ = m;
            if (__builtin_expect(g_rt_on, 0)) {
                prev_ = m->inrt.load(std::memory_order_relaxed);
                m_ = rt_enter(m);
            }
        }
    }
    ~ForeignScope() {
        if (__builtin_expect(foreign_, 0)) foreign_leave();
        else if (__builtin_expect(g_rt_on, 0) && m_ != nullptr) rt_leave(prev_);
    }
    ForeignScope(const ForeignScope &) = delete;
    ForeignScope &operator=(const ForeignScope &) = delete;
    // The caller's M when it is a goroutine (null otherwise), read once at
    // entry: valid until the caller's first switch (invariant 3).
    M *entry_m() const { return m_; }

private:
    // Counts the thread in; false for a pinned goroutine's thread, which its
    // running body already counts.
    static bool enter_foreign();
    bool foreign_;
    M *m_;
    std::uint32_t prev_ = 0;
};

// Yield (runtime.Gosched). m is current_m(), running a goroutine.
void yield(M *m);

// The running goroutine, or null on a thread that is not running one.
inline G *current_g() {
    M *m = current_m();
    return m != nullptr ? m->curg : nullptr;
}

// The calling goroutine's defer state, or the calling thread's.
inline GState *gstate() {
    G *g = current_g();
    return g != nullptr ? &g->ds : thread_gstate();
}

// Goroutines that exist now.
long num_goroutine();

int maxprocs_set(int n);  // returns the previous value

// End the running goroutine (its deferred calls have run). by_goexit: the
// main goroutine's go_exit does not end the program.
[[noreturn]] void goroutine_exit(bool by_goexit);

// fatal.cpp
[[noreturn]] void fatal_error(const char *msg);
// fatal_error for a thread that already called begin_dying (and wrote the
// report's first lines): the rest of the report.
[[noreturn]] void fatal_error_begun(const char *msg);
// Go's throw without a goroutine trace (its deadlock errors print none).
[[noreturn]] void fatal_error_plain(const char *msg);
// signal.cpp
void install_signal_handlers();
void m_signal_stack(M *m);
// cpu.cpp
int count_cpus();
int env_gomaxprocs();
// pinned.cpp (gort/pinned.h)
std::int64_t pinned_id();  // the calling thread's pinned goroutine, or 0
long pinned_live();        // pinned goroutines that exist now
int pinned_set_hooks(const go_pinned_hooks_t *hooks);
std::int64_t spawn_pinned(GoFn fn, void *arg, std::size_t args_size);
void pinned_reset_after_fork();
// The calling pinned goroutine blocks in a gort wait (reason: Go's wait
// reason) / runs again; see Waiter.
void pinned_blocking(const char *reason);
void pinned_unblocked();
// For the deadlock report (sched.lock held): how many pinned goroutines
// are blocked, and print "goroutine N [reason, locked to thread]:" for each.
int pinned_count_blocked();
void pinned_write_blocked();
// go_dump: every pinned goroutine running a body but the caller's (header,
// and Go's "stack unavailable": its stack is its thread's). first: no
// blank line before the first; returns whether still none was printed.
class Out;
bool pinned_write_all(Out &o, bool first);
// go_goroutines: f(id, blocked, wait reason, function, arg) for every
// pinned goroutine running a body.
void pinned_for_each(void (*f)(std::int64_t, bool, const char *, void *, void *), void *arg);
// timer.cpp
void sleep_goroutine(std::int64_t ns);
void timers_reset_after_fork();
std::int64_t nanotime();

}  // namespace gort
