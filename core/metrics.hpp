// metrics.hpp - runtime metrics (gort/metrics.h, Go's runtime/metrics):
// what the scheduler counts for them, and how it stays cheap.
//
// What is measured.
//  - Counters of scheduler events, per P: switches (a P starts running a
//    goroutine: from another goroutine, or from the scheduler loop on g0),
//    parks (a goroutine blocks: channel, WaitGroup, mutex, sleep, I/O),
//    steals (a P took goroutines from another P's run queue).
//  - The scheduling latency (Go's /sched/latencies:seconds): the time from
//    a goroutine becoming runnable -- spawned, or woken by ready() or
//    ready_list() (a channel, a WaitGroup, a mutex, a sleep's timer, an fd
//    closed or past its deadline, sysmon's netpoll) -- to it starting to
//    run, in a histogram per P.
//  - Everything else (goroutines by state, idle Ps and Ms, queue lengths,
//    timers, the system-call counters) is not counted at all: metrics.cpp
//    reads the scheduler's own state when asked.
//
// How it stays cheap.
//  - No locked instruction on any hot path: each counter lives in its P
//    (PMetrics) and is written only by the M that holds the P, with a
//    relaxed load and store (as sched.hpp's bump()). A P changes hands only
//    through sched.lock or a CAS on its status, which orders one owner's
//    stores before the next owner's. Readers sum every P ever made (Ps are
//    never freed, retired ones keep their counts), with relaxed loads.
//  - Latency is sampled as Go samples it, at a lower rate: a goroutine
//    counts its transitions to runnable in G::track_seq (a byte on the
//    cache line its status is written to anyway), seeded with its id at
//    spawn (Go seeds it at random), and every kLatPeriod-th transition
//    reads the clock into G::runnable_at. The others read no clock: an
//    add, a store and a predicted branch. The switch to the goroutine tests
//    runnable_at (zero unless sampled); only a sampled switch reads the
//    clock again and records the difference on the P it runs on. Whoever
//    makes a goroutine runnable owns it (it is in no queue yet) and the
//    queue it goes into publishes the stamp with the G, so the two fields
//    need no atomics.
//  - The period is 64, not Go's 8 (gTrackingPeriod). gort's switches cost
//    a fraction of Go's, and two clock reads (CLOCK_MONOTONIC through the
//    vDSO, 20-25 ns each) per sample are not: at 1 in 8, pingpong at
//    GOMAXPROCS=1 (two wake-ups per round trip) was 17% slower and
//    spawn_join 13% (release builds, this project's bench/, medians of 21
//    alternated runs); rdtsc instead of the vDSO still cost 11%, and the
//    sampled path without any clock read 4%. At 1 in 64 the cost is within
//    the runs' noise, and a busy program still times thousands of
//    wake-ups a second.
//  - The per-G counter, not a per-P one: a goroutine may be made runnable
//    by a thread that holds no P (a foreign thread, the timer thread, under
//    sched.lock in ready_list), and Go counts per goroutine too. The hooks
//    that run unsampled (the counters, the two tests) cost 1-2%, within
//    noise.
//
// What is approximate, and why.
//  - One transition in kLatPeriod is timed, so the histogram's counts are
//    that fraction of the transitions (its shape is what matters). A
//    goroutine made runnable by a path other than ready() -- a yield (the
//    goroutine asked to wait for the others: Go times Gosched, gort does
//    not, to keep go_yield at its cost), a system call's exit that found no
//    P, the netpoller's direct hand-off to the polling M, a GOMAXPROCS
//    decrease -- is never timed. The clock is CLOCK_MONOTONIC (vDSO, about
//    20 ns a read), so the smallest latencies include that.
//  - Buckets are exponential: below 2^kLatLoExp ns one bucket, then
//    kLatSub buckets per power of two (each 1/kLatSub of its octave: at
//    most 12.5% wide) up to 2^kLatHiExp ns (about 69 s), then one bucket to
//    +Inf.
//  - Reading sums the Ps one after the other while they run: the sum is a
//    value the counters had at no single moment, but each counter only
//    grows, so a later read never gives a smaller cumulative value.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

struct go_metric_desc;    // gort/metrics.h
struct go_metric_sample;

namespace gort {

// metrics.cpp, for capi/metrics.cpp (the runtime is running for read).
std::size_t metrics_count();
const go_metric_desc *metrics_desc(std::size_t i);  // null past the end
void metrics_read(go_metric_sample *samples, std::size_t n);

std::int64_t nanotime();  // timer.cpp

// Every kLatPeriod-th transition of a goroutine to runnable is timed (a
// power of two that divides 256: track_seq is a byte).
constexpr unsigned kLatPeriod = 64;
static_assert(256 % kLatPeriod == 0, "track_seq wraps at 256");
constexpr int kLatLoExp = 5;    // 32 ns: everything below in bucket 0
constexpr int kLatHiExp = 36;   // 2^36 ns = 68.7 s: everything above in the last bucket
constexpr int kLatSubBits = 3;  // 8 buckets per power of two
constexpr int kLatSub = 1 << kLatSubBits;
constexpr int kLatBuckets = 1 + (kLatHiExp - kLatLoExp) * kLatSub + 1;  // 250

// A P's metrics. Written only by the P's owner (relaxed load + store);
// read by anyone (relaxed loads). Zeroed with the P (new_p). On lines of
// their own: the owner writes switches at every switch.
struct alignas(64) PMetrics {
    std::atomic<std::uint64_t> switches;  // a goroutine started running on this P
    std::atomic<std::uint64_t> parks;     // a goroutine parked (sched.cpp park())
    std::atomic<std::uint64_t> steals;    // run-queue steals that took at least one goroutine
    std::atomic<std::uint64_t> lat[kLatBuckets];  // sampled scheduling latencies
};

// Add n to an owner-written counter (no locked instruction).
inline void owner_add(std::atomic<std::uint64_t> &c, std::uint64_t n) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

// The histogram bucket of a latency of ns nanoseconds.
inline int lat_bucket(std::uint64_t ns) {
    if (ns < (std::uint64_t{1} << kLatLoExp)) return 0;
    int e = 63 - __builtin_clzll(ns);
    if (e >= kLatHiExp) return kLatBuckets - 1;
    return 1 + (e - kLatLoExp) * kLatSub +
           static_cast<int>((ns >> (e - kLatSubBits)) & (kLatSub - 1));
}

// Record the latency of a goroutine made runnable at `since` (nanotime),
// running now on the P whose metrics are pm (owner only). Out of line: one
// switch in kLatPeriod calls it.
void lat_record(PMetrics &pm, std::int64_t since);

// The hooks, templates so that this header needs neither G nor P (sched.hpp
// includes it to put PMetrics in P).

// A goroutine about to be spawned: seed its sampling sequence (g->id set).
template <class Gt>
inline void met_spawn(Gt *g) {
    g->track_seq = static_cast<std::uint8_t>(g->id);
    g->runnable_at = 0;
}

// g becomes runnable (ready, ready_list); the caller owns g.
template <class Gt>
inline void met_runnable(Gt *g) {
    std::uint8_t seq = static_cast<std::uint8_t>(g->track_seq + 1);
    g->track_seq = seq;
    if (__builtin_expect(seq % kLatPeriod == 0, 0)) g->runnable_at = nanotime();
}

// p's owner is about to run g: count the switch, finish a sample.
template <class Pt, class Gt>
inline void met_running(Pt *p, Gt *g) {
    owner_add(p->met.switches, 1);
    if (__builtin_expect(g->runnable_at != 0, 0)) {
        lat_record(p->met, g->runnable_at);
        g->runnable_at = 0;
    }
}

}  // namespace gort
