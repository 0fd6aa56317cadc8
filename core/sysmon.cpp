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
#include <cstring>
#include <ctime>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fatal.hpp"
#include "netpoll.hpp"
#include "sched.hpp"
#include "schedtrace.hpp"
#include "trace.hpp"
#include "traceback.hpp"

namespace gort {

std::atomic<bool> g_sysmon_idle{false};
bool g_rt_on = false;

namespace {

constexpr std::int64_t kTickMinNs = 20 * 1000;
constexpr std::int64_t kTickMaxNs = 10 * 1000 * 1000;
constexpr std::int64_t kForcePreemptNs = 10 * 1000 * 1000;  // Go's forcePreemptNS
constexpr std::int64_t kPollBackstopNs = 10 * 1000 * 1000;
constexpr int kIdleTicksBeforeBackoff = 50;
constexpr std::int64_t kStampNs = 10LL * 1000 * 1000 * 1000;

Note g_note;
std::atomic<bool> g_started{false};

// GORT_RETAKE=1: retake Ps from goroutines blocked in calls nobody wrapped.
constexpr std::int64_t kBlindNs = 1000 * 1000;  // no schedule for 1 ms...
constexpr int kBlindCpuShare = 10;              // ...and under 1/10 of it on the CPU
constexpr std::int64_t kBlindBurst = 16;         // attempts (membarrier calls) in a burst
constexpr std::int64_t kBlindRefillNs = 1000 * 1000;  // one more per ms: <= 1000/s
bool &g_blind = g_rt_on;
// GORTDEBUG=sysmonwake=0: no backstop wake-ups, so that a lost wake-up
// shows as a stall (the scheduler tests run so) instead of a 20 us delay.
bool g_backstop = true;
// GORTDEBUG=schedtrace=MS (schedtrace.hpp): the period in ns, 0 = off.
std::int64_t g_schedtrace_ns = 0;
std::int64_t g_blind_tokens = kBlindBurst, g_blind_refilled = 0;

void blind_setup() {
    g_blind = false;
    const char *e = std::getenv("GORT_RETAKE");
    if (e == nullptr || *e == 0 || std::strcmp(e, "0") == 0) return;
    if (std::strcmp(e, "1") != 0) {
        write_str("gort: GORT_RETAKE=");
        write_str(e);
        write_str(" is not 0 or 1; calls nobody wrapped are not retaken\n");
        return;
    }
    int saved = errno;
    long rc = syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
    errno = saved;
    if (rc != 0) {
        write_str("gort: GORT_RETAKE=1 needs membarrier(2), which this system refuses; calls "
                  "nobody wrapped are not retaken\n");
        return;
    }
    g_blind = true;
}

std::int64_t thread_cpu(M *m) {
    clockid_t c = m->cpuclock.load(std::memory_order_relaxed);
    struct timespec ts;
    if (c == static_cast<clockid_t>(-1) || clock_gettime(c, &ts) != 0) return -1;
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The scheduler state of thread tid ('R' running or runnable, 'S' asleep,
// 'D' in uninterruptible I/O...), from /proc; 0 when unknown.
char thread_state(int tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    const char *rp = std::strrchr(buf, ')');  // the name may hold spaces and parentheses
    return rp != nullptr && rp[1] == ' ' ? rp[2] : 0;
}

bool blind_token(std::int64_t now) {
    if (g_blind_refilled == 0) g_blind_refilled = now;
    std::int64_t add = (now - g_blind_refilled) / kBlindRefillNs;
    if (add > 0) {
        g_blind_tokens = g_blind_tokens + add > kBlindBurst ? kBlindBurst : g_blind_tokens + add;
        g_blind_refilled += add * kBlindRefillNs;
    }
    if (g_blind_tokens == 0) return false;
    g_blind_tokens--;
    return true;
}

// p (kPRunning) has not scheduled for kBlindNs. If its M barely used the
// CPU meanwhile, it sleeps in the kernel outside gort: take the P. The M
// marks gort code with plain stores (inrt, rt_enter); the membarrier makes
// them visible here, and makes our lostp visible to the M's next rt_enter:
// either we see it inside gort and back off, or it sees lostp and waits
// for our verdict.
int blind_retake(P *p, std::int64_t now) {
    Sched &s = *g_sched;
    M *m = p->m.load(std::memory_order_acquire);
    if (m == nullptr) return 0;
    std::int64_t cpu = thread_cpu(m);
    if (cpu < 0) return 0;
    std::int64_t span = now - p->sm_cpuwhen;
    if (span < kBlindNs) return 0;
    if ((cpu - p->sm_cpu) * kBlindCpuShare >= span) {  // it computes: a new window
        p->sm_cpu = cpu;
        p->sm_cpuwhen = now;
        return 0;
    }
    if (!m_available() || !blind_token(now)) return 0;
    // A thread waiting for a CPU also has a still clock: only one asleep
    // in the kernel ('S', 'D') is blocked.
    char state = thread_state(m->tid.load(std::memory_order_relaxed));
    if (state != 'S' && state != 'D') {
        p->sm_cpu = cpu;
        p->sm_cpuwhen = now;
        return 0;
    }
    std::uint32_t zero = 0;
    if (!m->lostp.compare_exchange_strong(zero, 1, std::memory_order_seq_cst)) return 0;
    int saved = errno;
    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
    errno = saved;
    if (m->inrt.load(std::memory_order_acquire) != 0 || p->m.load(std::memory_order_relaxed) != m ||
        p->status.load(std::memory_order_acquire) != kPRunning ||
        p->schedtick.load(std::memory_order_relaxed) != p->sm_schedtick) {
        m->lostp.store(0, std::memory_order_release);
        p->sm_cpu = cpu;
        p->sm_cpuwhen = now;
        return 0;
    }
    // The M is outside gort and cannot come back in without our verdict.
    p->m.store(nullptr, std::memory_order_relaxed);
    p->status.store(kPIdle, std::memory_order_relaxed);
    m->lostp.store(2, std::memory_order_release);
    s.st_blind_retakes.fetch_add(1, std::memory_order_relaxed);
    handoffp(p);
    return 1;
}

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
                if (g_blind) {
                    M *m = p->m.load(std::memory_order_acquire);
                    p->sm_cpu = m != nullptr ? thread_cpu(m) : 0;
                    p->sm_cpuwhen = now;
                }
                // A request the goroutine outran (it reached a scheduling
                // point): withdraw it.
                if (p->preempt.load(std::memory_order_relaxed) &&
                    p->preempt.exchange(false, std::memory_order_acq_rel))
                    s.preempt_pending.fetch_sub(1, std::memory_order_relaxed);
                continue;
            }
            if (now - p->sm_schedwhen >= kForcePreemptNs && !p->preempt.load(std::memory_order_relaxed)) {
                // pending first: whoever sees the flag may decrement it.
                // The request is counted first too: a yield it causes is
                // counted after it, so yields never exceed requests.
                s.preempt_pending.fetch_add(1, std::memory_order_relaxed);
                s.st_preempt_requests.fetch_add(1, std::memory_order_relaxed);
                p->preempt_tick.store(t, std::memory_order_relaxed);
                p->preempt.store(true, std::memory_order_release);
            }
            if (g_blind && now - p->sm_schedwhen >= kBlindNs) n += blind_retake(p, now);
        }
    }
    return n;
}

// Nobody polled the network for 10 ms (every M busy, none blocked in the
// poller): poll once and queue what became ready.
int poll_backstop(std::int64_t now) {
    if (!netpoll_inited() || netpoll_waiters() == 0 ||
        g_sched->polling.load(std::memory_order_relaxed) || now - netpoll_last() <= kPollBackstopNs)
        return 0;
    int n = 0;
    inject(netpoll(0, &n));
    return n;
}

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
    std::int64_t last_trace = 0;
    std::int64_t last_stamp = 0;
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
        if (g_schedtrace_ns > 0) {
            std::int64_t t = nanotime();
            if (last_trace == 0 || t - last_trace >= g_schedtrace_ns) {
                last_trace = t;
                schedtrace_print(2, schedtrace_detailed());
            }
        }
        // Nothing runs: sleep until something does (Go's sysmonwait; not
        // while schedtrace prints, as Go).
        if (g_schedtrace_ns == 0 && all_idle()) {
            g_sysmon_idle.store(true, std::memory_order_seq_cst);
            if (all_idle()) g_note.sleep();
            g_sysmon_idle.store(false, std::memory_order_seq_cst);
            idle = 0;
            continue;
        }
        std::int64_t now = nanotime();
        trace_tick(now);  // the execution trace's counters (trace.hpp)
        // The minutes a goroutine has waited (traceback.hpp), to 10 s.
        if (now - last_stamp >= kStampNs) {
            last_stamp = now;
            traceback_stamp_waits(now);
        }
        int did = 0;
        did += poll_backstop(now);
        did += retake(now);
        if (g_backstop && wake_stranded()) {
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
    blind_setup();
    const char *dbg = std::getenv("GORTDEBUG");
    g_backstop = dbg == nullptr || std::strstr(dbg, "sysmonwake=0") == nullptr;
    g_schedtrace_ns = schedtrace_setup();
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
