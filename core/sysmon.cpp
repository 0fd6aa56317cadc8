// sysmon.cpp - the system monitor: a thread of the runtime's own that holds
// no P and watches the Ps (Go's sysmon, runtime/proc.go).
//
// Why a monitor. gort's scheduler is cooperative and its Ms park when idle,
// so some decisions can only be taken by a thread that is outside the game:
//   - retake: a P whose goroutine has sat in the same system call for two
//     ticks is taken from it and handed to another M (syscall.cpp has the
//     protocol). Go's rule, kept: a P with an empty run queue is left
//     alone for 10 ms while some other M spins or some P is idle, since
//     nobody is waiting for it.
//   - preemption requests: a goroutine that has run 10 ms without a
//     scheduling point gets a flag that go_preempt_point() honours. C code
//     is never interrupted (gort/syscall.h says why).
//   - the backstop against lost wake-ups: runnable goroutines queued while
//     a P is idle and no M looks for work are a bug in the wake-up
//     protocol (sched.hpp invariant 5). If it ever happens, the next tick
//     starts an M: a stranding lasts one tick, never forever. Counted in
//     go_sched_stats().sysmon_wakeups, which tests expect to stay 0.
//   - the network poller's backstop (netpoll.hpp): when nobody polled for
//     10 ms, sysmon polls and queues what became ready.
//
// Timing, as Go: the tick is 20 us; after 50 ticks (1 ms) with nothing to
// do it doubles each tick, up to 10 ms; anything done resets it to 20 us.
// With no P running (every P idle) sysmon sleeps until start_m, or a
// goroutine leaving a system call, kicks it (sysmon_kick: one load). The
// thread's timer slack is 1 us (PR_SET_TIMERSLACK): with Linux's default
// 50 us, usleep(20) sleeps about 100 us here, and a retake takes two.
//
// Invariants: sysmon owns the sm_* fields of every P; it takes a P only
// with a CAS out of kPSyscall (it never touches a kPRunning P's queue);
// it holds no lock across a sleep. g_sysmon_idle is set (seq_cst) before
// sysmon reads npidle to decide to sleep, and start_m changes npidle
// before it reads g_sysmon_idle: one of the two sees the other.
#include <cerrno>
#include <new>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "netpoll.hpp"
#include "sched.hpp"

namespace gort {

std::atomic<bool> g_sysmon_idle{false};

namespace {

constexpr std::int64_t kTickMinNs = 20 * 1000;
constexpr std::int64_t kTickMaxNs = 10 * 1000 * 1000;
constexpr std::int64_t kForcePreemptNs = 10 * 1000 * 1000;  // Go's forcePreemptNS
constexpr std::int64_t kPollBackstopNs = 10 * 1000 * 1000;
constexpr int kIdleTicksBeforeBackoff = 50;

Note g_note;
std::atomic<bool> g_started{false};

void inject(G *list) {
    if (list != nullptr) ready_list(list);
}

// Go's retake: returns how many Ps it took.
int retake(std::int64_t now) {
    Sched &s = *g_sched;
    int n = 0;
    int procs = s.gomaxprocs.load(std::memory_order_relaxed);
    for (int i = 0; i < procs; i++) {
        P *p = s.allp[i];
        if (p == nullptr) continue;
        std::uint32_t st = p->status.load(std::memory_order_acquire);
        if (st == kPSyscall) {
            std::uint32_t t = p->syscalltick.load(std::memory_order_relaxed);
            if (p->sm_syscalltick != t) {  // a new call since the last tick
                p->sm_syscalltick = t;
                p->sm_syscallwhen = now;
                continue;
            }
            // Nobody waits for this P's work and others look for work
            // anyway: leave it to the goroutine for up to 10 ms (a hand-off
            // costs a thread wake-up; Go's rule).
            if (p_runq_empty(p) &&
                s.nmspinning.load(std::memory_order_relaxed) + s.npidle.load(std::memory_order_relaxed) > 0 &&
                p->sm_syscallwhen + kForcePreemptNs > now)
                continue;
            if (!m_available()) continue;
            if (p->status.compare_exchange_strong(st, kPIdle, std::memory_order_acq_rel)) {
                n++;
                s.st_retakes.fetch_add(1, std::memory_order_relaxed);
                handoffp(p);
            }
        } else if (st == kPRunning) {
            std::uint32_t t = p->schedtick.load(std::memory_order_relaxed);
            if (p->sm_schedtick != t) {
                p->sm_schedtick = t;
                p->sm_schedwhen = now;
                // A request the goroutine outran (it reached a scheduling
                // point): withdraw it.
                if (p->preempt.load(std::memory_order_relaxed) &&
                    p->preempt.exchange(false, std::memory_order_acq_rel))
                    s.preempt_pending.fetch_sub(1, std::memory_order_relaxed);
                continue;
            }
            if (now - p->sm_schedwhen >= kForcePreemptNs && !p->preempt.load(std::memory_order_relaxed)) {
                // pending first: whoever sees the flag may decrement it.
                s.preempt_pending.fetch_add(1, std::memory_order_relaxed);
                p->preempt_tick.store(t, std::memory_order_relaxed);
                p->preempt.store(true, std::memory_order_release);
                s.st_preempt_requests.fetch_add(1, std::memory_order_relaxed);
            }
        }
    }
    return n;
}

// NETPOLL-WIRING: replaced when netpoll.cpp lands.
int poll_backstop(std::int64_t) { return 0; }

bool all_idle() {
    Sched &s = *g_sched;
    return s.npidle.load(std::memory_order_seq_cst) >= s.gomaxprocs.load(std::memory_order_seq_cst);
}

void *sysmon_main(void *) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, nullptr);
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);  // 1 us
    Sched &s = *g_sched;
    int idle = 0;
    std::int64_t delay = kTickMinNs;
    for (;;) {
        if (idle == 0) delay = kTickMinNs;
        else if (idle > kIdleTicksBeforeBackoff && delay < kTickMaxNs) delay *= 2;
        if (delay > kTickMaxNs) delay = kTickMaxNs;
        std::int64_t until = nanotime() + delay;
        struct timespec ts = {static_cast<time_t>(until / 1000000000), static_cast<long>(until % 1000000000)};
        g_note.sleep_until(&ts);
        if (s.stopped.load(std::memory_order_relaxed)) {
            for (;;) g_note.sleep();  // the program is over
        }
        // Nothing runs: sleep until something does (Go's sysmonwait).
        if (all_idle()) {
            g_sysmon_idle.store(true, std::memory_order_seq_cst);
            if (all_idle()) g_note.sleep();
            g_sysmon_idle.store(false, std::memory_order_seq_cst);
            idle = 0;
            continue;
        }
        std::int64_t now = nanotime();
        int did = 0;
        did += poll_backstop(now);
        did += retake(now);
        if (wake_stranded()) {
            s.st_sysmon_wakeups.fetch_add(1, std::memory_order_relaxed);
            did++;
        }
        idle = did != 0 ? 0 : idle + 1;
    }
    return nullptr;
}

}  // namespace

void sysmon_wake() {
    if (!g_sysmon_idle.exchange(false, std::memory_order_seq_cst)) return;
    int saved = errno;
    g_note.wake();
    errno = saved;
}

void sysmon_start() {
    if (g_started.exchange(true)) return;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64u << 10);
    pthread_t th;
    int saved = errno;
    g_sched->nruntime_threads.fetch_add(1, std::memory_order_relaxed);
    int rc = pthread_create(&th, &attr, sysmon_main, nullptr);
    pthread_attr_destroy(&attr);
    errno = saved;
    if (rc != 0) fatal_error("runtime: failed to create the sysmon thread");
}

void sysmon_reset_after_fork() {
    g_started.store(false);
    g_sysmon_idle.store(false);
    new (&g_note) Note();
}

}  // namespace gort
