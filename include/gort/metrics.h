/* gort/metrics.h - runtime metrics read by name (Go's runtime/metrics).
 *
 * A metric is a named value the runtime keeps: a gauge of now (goroutines
 * that exist, idle processors) or a cumulative count since the runtime
 * started (goroutines created, context switches), or a histogram (the
 * scheduling latency). go_metrics_read fills an array of samples, each
 * naming the metric it wants:
 *
 *     go_metric_sample_t s[2] = {
 *         {.name = "/sched/goroutines:goroutines"},
 *         {.name = "/sched/latencies:seconds"},
 *     };
 *     uint64_t counts[GO_METRIC_HIST_MAX];
 *     s[1].value.hist.counts = counts;
 *     s[1].value.hist.ncounts = GO_METRIC_HIST_MAX;
 *     go_metrics_read(s, 2);
 *     if (s[0].kind == GO_METRIC_UINT64) printf("%llu goroutines\n",
 *                                               (unsigned long long)s[0].value.u64);
 *
 * Names. A name is "/path:unit". Where Go has the metric, the name and its
 * meaning are Go's (/sched/goroutines:goroutines, /sched/latencies:seconds,
 * /sched/goroutines/waiting:goroutines...); gort's own live under /gort/.
 * docs/metrics.md lists them all; go_metrics_count and go_metrics_desc list
 * those of the loaded library at run time.
 *
 * Stability (Go's rules). Metrics may be added in later versions; a name
 * never changes meaning or kind, and is never removed without a release
 * note. A name the library does not know (a newer metric, a typo) is not an
 * error: its sample gets kind GO_METRIC_BAD and the others are read (Go's
 * KindBad), so a program written for a newer gort runs on an older one.
 *
 * Consistency. Each sample is read on its own, without stopping the
 * scheduler: values read in one call describe nearby moments, not one.
 * Exception: the four goroutine-state counts (running, runnable, waiting,
 * not-in-go) are counted together, in one pass over the goroutines, when a
 * call asks for any of them; their sum is /sched/goroutines:goroutines
 * whenever no goroutine starts or ends while the call runs. A cumulative
 * metric read again later (by the same thread, or by one that synchronized
 * with it) is never smaller.
 *
 * Cost. Counters cost the scheduler no locked instruction: each processor
 * (P) keeps its own, written only by the thread that holds it, and a read
 * sums them. The scheduling latency is sampled (one goroutine wake-up in
 * 64 is timed; Go times one in 8, which would cost gort's faster switches
 * too much). Reading the goroutine-state counts walks every
 * goroutine made so far (about 20 ms per million, without holding the
 * scheduler's lock): poll them seldom in a program with millions of
 * goroutines. The other metrics cost a few loads each (15 ns a read).
 *
 * Since 0.6.0.
 */
#ifndef GORT_METRICS_H
#define GORT_METRICS_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kind of a metric's value (go_metric_desc_t.kind,
 * go_metric_sample_t.kind), and which member of the value union holds it. */
#define GO_METRIC_BAD       0  /* not a metric of this library (unknown name, NULL name) */
#define GO_METRIC_UINT64    1  /* value.u64 */
#define GO_METRIC_FLOAT64   2  /* value.f64 */
#define GO_METRIC_HISTOGRAM 3  /* value.hist (Go's Float64Histogram) */

/* The most buckets any histogram metric of this version has: a counts
 * array this long is always long enough (a later version may raise it;
 * nbuckets tells the truth). */
#define GO_METRIC_HIST_MAX 256

/* One metric of the library: static storage, never freed. New fields may
 * be added at the end in later versions (go_metrics_desc returns a pointer,
 * never an array of these, so that stays compatible). */
typedef struct go_metric_desc {
    const char *name;         /* "/sched/goroutines:goroutines" */
    const char *description;  /* one or two sentences, English */
    int kind;                 /* GO_METRIC_UINT64, _FLOAT64 or _HISTOGRAM */
    int cumulative;           /* 1: a count since the runtime started (never decreases); 0: a reading of now */
} go_metric_desc_t;

/* A histogram's value. counts and ncounts are the caller's (in); the rest is
 * written by go_metrics_read (out). */
typedef struct go_metric_hist {
    uint64_t *counts;      /* in: an array of ncounts entries to fill, or NULL */
    size_t ncounts;        /* in: its length */
    size_t nbuckets;       /* out: the histogram's bucket count (fixed per metric) */
    const double *bounds;  /* out: nbuckets + 1 increasing boundaries; bucket i counts
                              values v with bounds[i] <= v < bounds[i+1]; the last
                              boundary may be +Inf. Static storage. */
    uint64_t total;        /* out: the sum of every bucket's count */
} go_metric_hist_t;

/* One value to read. Set name (and, for a histogram, value.hist.counts and
 * value.hist.ncounts); go_metrics_read sets kind and the value. */
typedef struct go_metric_sample {
    const char *name;  /* in: the metric's name; not kept after the call */
    int kind;          /* out: GO_METRIC_*; GO_METRIC_BAD for an unknown name */
    int reserved_;     /* 0 */
    union {
        uint64_t u64;          /* GO_METRIC_UINT64 */
        double f64;            /* GO_METRIC_FLOAT64 */
        go_metric_hist_t hist; /* GO_METRIC_HISTOGRAM */
        uint64_t pad_[8];      /* room for kinds to come: the struct never changes size */
    } value;
} go_metric_sample_t;

/* go_metrics_count - how many metrics this library supports (the indices
 * go_metrics_desc accepts). Safe from any thread at any time; does not start
 * the runtime. Since 0.6.0. */
GORT_API size_t go_metrics_count(void) GORT_NOEXCEPT;

/* go_metrics_desc - the description of metric number @i (0 <= i <
 * go_metrics_count()), or NULL when i is out of range. The order is fixed
 * for a given library version only. Static storage: never free it. Safe
 * from any thread at any time. Since 0.6.0. */
GORT_API const go_metric_desc_t *go_metrics_desc(size_t i) GORT_NOEXCEPT;

/* go_metrics_read - read the @n samples of @samples, each by its name.
 * For each sample: a known name gets its kind and value (a histogram: its
 * bucket count, boundaries and total, and min(ncounts, nbuckets) counts
 * copied into the caller's counts array, when counts is not NULL); an
 * unknown or NULL name gets kind GO_METRIC_BAD and its value is left as it
 * was. Names may repeat.
 * Returns 0 (also when some names were unknown: check each kind), or
 * GO_EINVAL when samples is NULL and n > 0 (nothing is read). n == 0 reads
 * nothing and returns 0.
 * Never parks the calling goroutine; it may wait briefly for the
 * scheduler's lock. Safe from any thread (goroutine, pinned goroutine or
 * foreign thread), concurrently with other readers. Starts the runtime if
 * it is not running. errno is left as it was. Since 0.6.0. */
GORT_API int go_metrics_read(go_metric_sample_t *samples, size_t n) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_METRICS_H */
