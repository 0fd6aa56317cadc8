// metrics.cpp - the metrics of gort/metrics.h: the table of names and how
// each is read. What the scheduler counts for them, and why it is cheap,
// is in metrics.hpp.
//
// A read takes no lock except where the state it reads is guarded by one:
// sched.lock for the idle-M list and, briefly, to copy the list of G slabs
// that the goroutine-state counts walk (the walk itself holds no lock), the
// pinned pool's lock for its blocked count. Everything else is a relaxed
// load of an atomic (a gauge written under a lock is read racily, as
// schedtrace reads it: a value that is a moment old). Readers may run on
// any thread, concurrently with each other and with the scheduler.
#include "metrics.hpp"

#include <gort/metrics.h>

#include <cstring>
#include <limits>

#include "netpoll.hpp"
#include "sched.hpp"

namespace gort {

void lat_record(PMetrics &pm, std::int64_t since) {
    std::int64_t d = nanotime() - since;
    owner_add(pm.lat[lat_bucket(d > 0 ? static_cast<std::uint64_t>(d) : 0)], 1);
}

namespace {

// The histogram's boundaries in seconds: bucket i is [b[i], b[i+1]).
struct LatBounds {
    double b[kLatBuckets + 1];
};
constexpr LatBounds make_lat_bounds() {
    LatBounds r{};
    int i = 0;
    r.b[i++] = 0;
    for (int e = kLatLoExp; e < kLatHiExp; e++)
        for (int m = 0; m < kLatSub; m++)
            r.b[i++] = (static_cast<double>(std::uint64_t{1} << e) +
                        m * static_cast<double>(std::uint64_t{1} << (e - kLatSubBits))) / 1e9;
    r.b[i++] = static_cast<double>(std::uint64_t{1} << kLatHiExp) / 1e9;
    r.b[i] = std::numeric_limits<double>::infinity();
    return r;
}
constexpr LatBounds kLatBounds = make_lat_bounds();
static_assert(kLatBuckets <= GO_METRIC_HIST_MAX, "GO_METRIC_HIST_MAX is a promise");

enum Id {
    kGomaxprocs,
    kGoroutines,
    kCreated,
    kRunning,
    kRunnable,
    kWaiting,
    kNotInGo,
    kLatencies,
    kThreadsTotal,
    kProcsIdle,
    kMs,
    kMsIdle,
    kMsSpinning,
    kThreadsMax,
    kRunqGlobal,
    kRunqLocal,
    kSwitches,
    kParks,
    kSteals,
    kTimers,
    kNetpollWaiters,
    kPinned,
    kSyscalls,
    kSyscallFastExits,
    kSyscallIdleExits,
    kSyscallQueuedExits,
    kHandoffs,
    kRetakes,
    kBlindRetakes,
    kPreemptRequests,
    kPreemptYields,
    kSysmonWakeups,
    kNumMetrics
};

constexpr int U = GO_METRIC_UINT64;
constexpr int H = GO_METRIC_HISTOGRAM;

// In Id order. Go's names and descriptions where Go has the metric (Go
// 1.19 and 1.26's runtime/metrics); docs/metrics.md repeats this table.
const go_metric_desc_t kDescs[kNumMetrics] = {
    {"/sched/gomaxprocs:threads",
     "The current GOMAXPROCS setting: how many goroutines may execute at once.", U, 0},
    {"/sched/goroutines:goroutines", "Count of live goroutines (go_num_goroutine).", U, 0},
    {"/sched/goroutines-created:goroutines",
     "Count of goroutines created since the runtime started (pinned goroutines, the main "
     "goroutine and the goroutines of function timers included).",
     U, 1},
    {"/sched/goroutines/running:goroutines",
     "Goroutines executing on a processor now. At most /sched/gomaxprocs:threads.", U, 0},
    {"/sched/goroutines/runnable:goroutines",
     "Goroutines ready to execute, waiting in a run queue.", U, 0},
    {"/sched/goroutines/waiting:goroutines",
     "Goroutines blocked in gort: channel, select, WaitGroup, mutex, cond, sleep, I/O "
     "(pinned goroutines blocked in gort included).",
     U, 0},
    {"/sched/goroutines/not-in-go:goroutines",
     "Goroutines in a system call (go_syscall_enter, go_blocking), and pinned goroutines "
     "running their body on their own thread.",
     U, 0},
    {"/sched/latencies:seconds",
     "Distribution of the time goroutines spent runnable before they ran (from a spawn or a "
     "wake-up to the switch to them); one transition in 64 is sampled.",
     H, 1},
    {"/sched/threads/total:threads",
     "Live OS threads gort created: Ms, sysmon, the timer thread, pinned pool threads.", U, 0},
    {"/gort/sched/procs/idle:procs", "Processors (Ps) with nothing to run now.", U, 0},
    {"/gort/sched/threads/ms:threads",
     "OS threads made to run goroutines (Ms) so far; Ms never exit.", U, 0},
    {"/gort/sched/threads/idle:threads", "Ms parked for want of work now.", U, 0},
    {"/gort/sched/threads/spinning:threads",
     "Ms holding a processor and looking for work now.", U, 0},
    {"/gort/sched/threads/max:threads", "The cap on Ms (GORT_MAXTHREADS, default 10000).", U, 0},
    {"/gort/sched/runqueue/global:goroutines", "Goroutines in the global run queue now.", U,
     0},
    {"/gort/sched/runqueue/local:goroutines",
     "Goroutines in the processors' local run queues now (each P's next-to-run slot not "
     "counted).",
     U, 0},
    {"/gort/sched/switches:events",
     "Context switches: times a processor started running a goroutine.", U, 1},
    {"/gort/sched/parks:events",
     "Times a goroutine blocked in gort (parked: channel, WaitGroup, mutex, sleep, I/O...).", U,
     1},
    {"/gort/sched/steals:events",
     "Times a processor took goroutines from another processor's run queue.", U, 1},
    {"/gort/sched/timers:timers",
     "Pending timers now: sleeping goroutines, channel timers, tickers, function timers.", U, 0},
    {"/gort/sched/netpoll/waiters:goroutines",
     "Goroutines parked waiting for a file descriptor to be ready now.", U, 0},
    {"/gort/sched/goroutines/pinned:goroutines",
     "Live pinned goroutines (go_spawn_pinned), running, queued or blocked.", U, 0},
    {"/gort/syscall/calls:calls",
     "System calls entered by goroutines (go_syscall_enter, go_blocking; nested ones "
     "excluded).",
     U, 1},
    {"/gort/syscall/fast-exits:calls",
     "System calls that ended by taking the same processor back (one CAS).", U, 1},
    {"/gort/syscall/idle-exits:calls",
     "System calls that ended by taking another, idle processor.", U, 1},
    {"/gort/syscall/queued-exits:calls",
     "System calls that ended with no processor free: the goroutine was queued.", U, 1},
    {"/gort/syscall/handoffs:events",
     "Processors handed off at once by go_syscall_enter_block.", U, 1},
    {"/gort/sysmon/retakes:events",
     "Processors sysmon took from goroutines blocked in system calls.", U, 1},
    {"/gort/sysmon/blind-retakes:events",
     "GORT_RETAKE=1: processors sysmon took from goroutines blocked in calls nobody wrapped.",
     U, 1},
    {"/gort/sysmon/preempt-requests:events",
     "Goroutines sysmon asked to yield (10 ms without a scheduling point).", U, 1},
    {"/gort/sched/preempt-yields:events", "go_preempt_point calls that yielded.", U, 1},
    {"/gort/sysmon/wakeups:events",
     "Idle processors sysmon started because runnable goroutines waited.", U, 1},
};

int lookup(const char *name) {
    if (name == nullptr) return -1;
    for (int i = 0; i < kNumMetrics; i++)
        if (std::strcmp(kDescs[i].name, name) == 0) return i;
    return -1;
}

std::uint64_t load(const std::atomic<std::uint64_t> &c) {
    return c.load(std::memory_order_relaxed);
}

std::uint64_t nonneg(long long v) { return v > 0 ? static_cast<std::uint64_t>(v) : 0; }

struct StateCounts {
    std::uint64_t running = 0, runnable = 0, waiting = 0, syscall = 0;
};

void count_state(G *g, void *arg) {
    auto *c = static_cast<StateCounts *>(arg);
    switch (g->status.load(std::memory_order_relaxed)) {
    case kGRunning: c->running++; break;
    case kGRunnable: c->runnable++; break;
    case kGWaiting: c->waiting++; break;
    case kGSyscall: c->syscall++; break;
    default: break;  // kGDead
    }
}

// The goroutine-state counts, in one pass (see gort/metrics.h).
StateCounts read_states(Sched &s) {
    StateCounts c;
    // Outside sched.lock (taken only to copy the slab list): the walk costs
    // a cache miss per G ever made, ~20 ms per million, which the
    // scheduler must not wait for. Each status is read once, atomically.
    for_each_g_snapshot(count_state, &c, true);
    // The walk is not instantaneous: a P that switched from a goroutine
    // already counted to one not yet counted shows both running. Go
    // promises running <= GOMAXPROCS; the surplus was runnable at one of
    // the moments the walk saw (the total stays exact).
    std::uint64_t procs = nonneg(s.gomaxprocs.load(std::memory_order_relaxed));
    if (c.running > procs) {
        c.runnable += c.running - procs;
        c.running = procs;
    }
    // Pinned goroutines are no G: their pool counts them, under a lock of
    // its own (not nested in sched.lock here: nothing needs both at once).
    long live = pinned_live();
    long blocked = pinned_count_blocked();
    if (blocked > live) blocked = live;  // one started and blocked between the two reads
    c.waiting += nonneg(blocked);
    c.syscall += nonneg(live - blocked);
    return c;
}

// A sum over every P ever made (retired ones keep their counts).
template <class F>
std::uint64_t sum_ps(Sched &s, F f) {
    std::uint64_t n = 0;
    for (auto &slot : s.allp) {
        P *p = slot.load(std::memory_order_acquire);
        if (p != nullptr) n += f(p);
    }
    return n;
}

void read_histogram(Sched &s, go_metric_hist_t *h) {
    std::uint64_t counts[kLatBuckets] = {};
    for (auto &slot : s.allp) {
        P *p = slot.load(std::memory_order_acquire);
        if (p == nullptr) continue;
        for (int i = 0; i < kLatBuckets; i++) counts[i] += load(p->met.lat[i]);
    }
    std::uint64_t total = 0;
    for (std::uint64_t c : counts) total += c;
    if (h->counts != nullptr) {
        std::size_t n = h->ncounts < kLatBuckets ? h->ncounts : kLatBuckets;
        std::memcpy(h->counts, counts, n * sizeof counts[0]);
    }
    h->nbuckets = kLatBuckets;
    h->bounds = kLatBounds.b;
    h->total = total;
}

std::uint64_t read_u64(Sched &s, int id, StateCounts &states, bool &have_states) {
    if (id >= kRunning && id <= kNotInGo && !have_states) {
        states = read_states(s);
        have_states = true;
    }
    switch (id) {
    case kGomaxprocs: return nonneg(s.gomaxprocs.load(std::memory_order_relaxed));
    case kGoroutines: return nonneg(num_goroutine());
    case kCreated: return nonneg(s.goid.load(std::memory_order_relaxed));
    case kRunning: return states.running;
    case kRunnable: return states.runnable;
    case kWaiting: return states.waiting;
    case kNotInGo: return states.syscall;
    case kThreadsTotal: return nonneg(s.nruntime_threads.load(std::memory_order_relaxed));
    case kProcsIdle: return nonneg(s.npidle.load(std::memory_order_relaxed));
    case kMs: return nonneg(s.mcount.load(std::memory_order_relaxed));
    case kMsIdle: {
        std::uint64_t n = 0;
        LockGuard lg(s.lock);
        for (M *m = s.midle; m != nullptr; m = m->link) n++;
        return n;
    }
    case kMsSpinning: return nonneg(s.nmspinning.load(std::memory_order_relaxed));
    case kThreadsMax: return nonneg(s.maxthreads);
    case kRunqGlobal: return nonneg(s.runq_size.load(std::memory_order_relaxed));
    case kRunqLocal:
        return sum_ps(s, [](P *p) -> std::uint64_t {
            // Head first: the tail read after it is never behind it.
            std::uint32_t h = p->runq_head.load(std::memory_order_acquire);
            std::uint32_t t = p->runq_tail.load(std::memory_order_acquire);
            std::uint32_t n = t - h;
            return n > static_cast<std::uint32_t>(kRunqSize) ? kRunqSize : n;
        });
    case kSwitches: return sum_ps(s, [](P *p) { return load(p->met.switches); });
    case kParks: return sum_ps(s, [](P *p) { return load(p->met.parks); });
    case kSteals: return sum_ps(s, [](P *p) { return load(p->met.steals); });
    case kTimers: return nonneg(s.ntimers.load(std::memory_order_relaxed));
    case kNetpollWaiters: return nonneg(netpoll_waiters());
    case kPinned: return nonneg(pinned_live());
    case kSyscalls: return sum_ps(s, [](P *p) { return load(p->st_syscalls); });
    case kSyscallFastExits: return sum_ps(s, [](P *p) { return load(p->st_fast_exits); });
    case kSyscallIdleExits: return load(s.st_idle_exits);
    case kSyscallQueuedExits: return load(s.st_queued_exits);
    case kHandoffs: return load(s.st_handoffs);
    case kRetakes: return load(s.st_retakes);
    case kBlindRetakes: return load(s.st_blind_retakes);
    case kPreemptRequests: return load(s.st_preempt_requests);
    case kPreemptYields: return load(s.st_preempt_yields);
    case kSysmonWakeups: return load(s.st_sysmon_wakeups);
    default: return 0;
    }
}

}  // namespace

std::size_t metrics_count() { return kNumMetrics; }

const go_metric_desc_t *metrics_desc(std::size_t i) {
    return i < static_cast<std::size_t>(kNumMetrics) ? &kDescs[i] : nullptr;
}

void metrics_read(go_metric_sample_t *samples, std::size_t n) {
    Sched &s = *g_sched;
    StateCounts states;
    bool have_states = false;
    for (std::size_t i = 0; i < n; i++) {
        go_metric_sample_t &x = samples[i];
        int id = lookup(x.name);
        if (id < 0) {
            x.kind = GO_METRIC_BAD;
            continue;
        }
        x.kind = kDescs[id].kind;
        if (id == kLatencies) read_histogram(s, &x.value.hist);
        else x.value.u64 = read_u64(s, id, states, have_states);
    }
}

}  // namespace gort
