// syscall.cpp - a goroutine in a blocking system call gives up its P.
//
// Go's entersyscall/exitsyscall (runtime/proc.go), for C callers.
//
// The protocol. A goroutine about to make a call that may block marks its
// P kPSyscall with a plain release store and leaves it: the M keeps a
// pointer to it (m->oldp) but no longer owns it (m->p is null). Nothing is
// woken: most calls return in microseconds, and waking a thread per call
// is what makes other runtimes' blocking wrappers slow (io.md §1).
//
//            go_syscall_enter                      go_syscall_exit
//   P: kPRunning ---------> kPSyscall --CAS--> kPRunning   (fast: same P)
//                               |
//                               | sysmon, after two ticks in the same call
//                               v   (CAS kPSyscall -> kPIdle, handoffp)
//                            another M runs the P's goroutines
//                               ... exit: CAS fails -> an idle P, or
//                               the goroutine goes to the global queue
//                               and this M parks (requeue_and_stop)
//
// Whoever wins the CAS out of kPSyscall owns the P: the exiting M (back to
// kPRunning), sysmon (to kPIdle, then handoffp gives it to an M or to the
// idle list), or a GOMAXPROCS decrease (which retires it). The release
// store at entry publishes the P's state (its run queue, its caches) to
// that winner; the CAS's acquire gives it to the exiting M when it wins.
//
// go_syscall_enter_block hands the P off at once (Go's entersyscallblock):
// for calls known to block long, the retake delay is pure loss.
//
// The goroutine is kGSyscall meanwhile: the deadlock detector counts it as
// running (Go's rule), and it may not call gort (it holds no P; park and
// yield turn that misuse into a fatal error instead of a crash).
//
// Nesting (go_blocking inside a function called by go_blocking) is counted
// in the G: only the outermost pair acts. A thread that is not running a
// goroutine (a foreign thread, a pinned goroutine's thread) has no P to
// give: every call is a no-op there.
//
// Thread cap: a hand-off needs an M. At GORT_MAXTHREADS, enter_block keeps
// the P like a plain enter, and sysmon does not retake (one warning).
#include <gort/syscall.h>

#include <cerrno>

#include "sched.hpp"
#include "syscall.hpp"

namespace gort {

namespace {

inline M *syscall_m() {
    M *m = current_m();
    return (m != nullptr && m->curg != nullptr) ? m : nullptr;
}

}  // namespace

// The outermost enter, after rt_enter (inrt is 1 on entry): retaken blind
// P settled, then the P left in kPSyscall or handed off (block).
void syscall_enter_slow(M *m, bool block, std::uint32_t prev) {
    m = rt_enter(m);
    P *p = syscall_leave_p(m, m->curg);
    if (block && m_available()) {
        m->oldp = nullptr;
        g_sched->st_handoffs.fetch_add(1, std::memory_order_relaxed);
        p->status.store(kPIdle, std::memory_order_relaxed);
        handoffp(p);
    } else {
        syscall_keep_p(m, p);
    }
    // Back to the caller's code (a system call): its mark again.
    m->inrt.store(prev, std::memory_order_release);
}

// The same P was taken (by sysmon, or by a GOMAXPROCS decrease): any idle
// P, else the global queue and this M parks.
void syscall_exit_slow(M *m, G *g, P *p) {
    (void)p;
    int saved = *m->errno_ptr;
    if (P *np = pidle_get()) {
        m->p = np;
        np->m.store(m, std::memory_order_relaxed);
        bump(np->syscalltick);
        g_sched->st_idle_exits.fetch_add(1, std::memory_order_relaxed);
        g->status.store(kGRunning, std::memory_order_relaxed);
        sysmon_kick();
        *m->errno_ptr = saved;
        return;
    }
    // None: run later, wherever a P is (errno travels with the goroutine).
    g_sched->st_queued_exits.fetch_add(1, std::memory_order_relaxed);
    g->status.store(kGRunnable, std::memory_order_release);  // as park's (sched.cpp)
    requeue_and_stop(m);
    // Resumed by an M that was in gort code; back to the caller's.
    current_m()->inrt.store(0, std::memory_order_release);
}

void syscall_enter(bool block) {
    M *m = syscall_m();
    if (m == nullptr) return;
    G *g = m->curg;
    if (g->syscall_depth != 0) {
        g->syscall_depth++;
        return;
    }
    syscall_enter_slow(m, block, m->inrt.load(std::memory_order_relaxed));
}

void syscall_exit() { syscall_exit_fast(); }

M *rt_lost(M *m) {
    std::uint32_t v;
    while ((v = m->lostp.load(std::memory_order_acquire)) == 1) __builtin_ia32_pause();
    if (v == 0) return m;  // sysmon changed its mind
    // Taken: the goroutine blocked outside gort long enough for sysmon to
    // give its P to another M. Go on as after a retaken system call.
    m->lostp.store(0, std::memory_order_relaxed);
    m->p = nullptr;
    G *g = m->curg;
    if (P *np = pidle_get()) {
        m->p = np;
        np->m.store(m, std::memory_order_relaxed);
        sysmon_kick();
        return m;
    }
    int saved = *m->errno_ptr;
    g->status.store(kGRunnable, std::memory_order_release);  // as park's (sched.cpp)
    requeue_and_stop(m);
    M *now = current_m();
    *now->errno_ptr = saved;
    return now;
}

void rt_leave(std::uint32_t prev) {
    current_m()->inrt.store(prev, std::memory_order_release);
}


// go_preempt_point's slow half: some goroutine was asked to yield; is it
// this one, and is the request still current?
void preempt_check() {
    M *m = syscall_m();
    if (m == nullptr) return;
    P *p = m->p;
    if (p == nullptr || !p->preempt.load(std::memory_order_acquire)) return;
    if (!p->preempt.exchange(false, std::memory_order_acq_rel)) return;  // sysmon cleared it
    g_sched->preempt_pending.fetch_sub(1, std::memory_order_relaxed);
    // Stale: the goroutine reached a scheduling point since the request.
    if (p->preempt_tick.load(std::memory_order_relaxed) != p->schedtick.load(std::memory_order_relaxed))
        return;
    g_sched->st_preempt_yields.fetch_add(1, std::memory_order_relaxed);
    int saved = *m->errno_ptr;
    yield(m);
    *current_m()->errno_ptr = saved;
}

}  // namespace gort
