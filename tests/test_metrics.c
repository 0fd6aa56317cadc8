/* test_metrics.c - runtime metrics read by name (gort/metrics.h): the
 * table, every metric read with its kind, unknown names, bad arguments,
 * the goroutine-state counts against go_num_goroutine() with goroutines
 * blocked on a channel, a WaitGroup, a mutex, a sleep, a system call, a
 * pinned goroutine blocked and goroutines running and runnable; exact
 * spawn counts; the latency histogram; and readers on several threads and
 * goroutines at once while goroutines churn and GOMAXPROCS changes (the
 * TSan build runs this one for the races).
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

static int light(void)
{
    const char *e = getenv("GORT_TEST_LIGHT");
    return e != NULL && strcmp(e, "1") == 0;
}

/* Read one uint64 metric by name (the test thread asserts its kind). */
static uint64_t read_u64(const char *name)
{
    go_metric_sample_t s;
    memset(&s, 0, sizeof s);
    s.name = name;
    TU_ASSERT_OK(go_metrics_read(&s, 1));
    if (s.kind != GO_METRIC_UINT64)
        fail_msg("%s: kind %d, expected GO_METRIC_UINT64", name, s.kind);
    return s.value.u64;
}

static uint64_t hist_total(void)
{
    go_metric_sample_t s;
    memset(&s, 0, sizeof s);
    s.name = "/sched/latencies:seconds";
    TU_ASSERT_OK(go_metrics_read(&s, 1));
    assert_int_equal(s.kind, GO_METRIC_HISTOGRAM);
    return s.value.hist.total;
}

/* ------------------------------------------------------------------------ */
/* The table                                                                 */

static void test_table(void **state)
{
    (void)state;
    size_t n = go_metrics_count();
    assert_true(n >= 20);
    assert_null(go_metrics_desc(n));
    assert_null(go_metrics_desc((size_t)-1));
    static const char *const go_names[] = {
        "/sched/gomaxprocs:threads",
        "/sched/goroutines:goroutines",
        "/sched/goroutines-created:goroutines",
        "/sched/goroutines/running:goroutines",
        "/sched/goroutines/runnable:goroutines",
        "/sched/goroutines/waiting:goroutines",
        "/sched/goroutines/not-in-go:goroutines",
        "/sched/latencies:seconds",
        "/sched/threads/total:threads",
    };
    int found[TU_ARRAY_LEN(go_names)] = {0};
    for (size_t i = 0; i < n; i++) {
        const go_metric_desc_t *d = go_metrics_desc(i);
        assert_non_null(d);
        assert_non_null(d->name);
        assert_non_null(d->description);
        if (d->name[0] != '/' || strchr(d->name, ':') == NULL || strchr(d->name, ' ') != NULL)
            fail_msg("bad metric name '%s'", d->name);
        if (strlen(d->description) < 10)
            fail_msg("%s: no description", d->name);
        if (d->kind != GO_METRIC_UINT64 && d->kind != GO_METRIC_FLOAT64 &&
            d->kind != GO_METRIC_HISTOGRAM)
            fail_msg("%s: kind %d", d->name, d->kind);
        assert_true(d->cumulative == 0 || d->cumulative == 1);
        if (strncmp(d->name, "/gort/", 6) != 0 && strncmp(d->name, "/sched/", 7) != 0)
            fail_msg("%s: neither Go's nor under /gort/", d->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(go_metrics_desc(j)->name, d->name) == 0)
                fail_msg("%s: listed twice", d->name);
        for (size_t j = 0; j < TU_ARRAY_LEN(go_names); j++)
            if (strcmp(go_names[j], d->name) == 0)
                found[j] = 1;
    }
    for (size_t j = 0; j < TU_ARRAY_LEN(go_names); j++)
        if (!found[j])
            fail_msg("%s: missing", go_names[j]);
}

/* Every metric of the table, read in one call, has its table kind; the
 * histogram has a sane shape. */
static void test_every_metric_reads(void **state)
{
    (void)state;
    size_t n = go_metrics_count();
    go_metric_sample_t *s = calloc(n, sizeof *s);
    uint64_t counts[GO_METRIC_HIST_MAX + 1];
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        const go_metric_desc_t *d = go_metrics_desc(i);
        s[i].name = d->name;
        s[i].kind = -1;
        if (d->kind == GO_METRIC_HISTOGRAM) {
            s[i].value.hist.counts = counts;
            s[i].value.hist.ncounts = TU_ARRAY_LEN(counts);
        }
    }
    counts[GO_METRIC_HIST_MAX] = 0xdeadbeef;
    TU_ASSERT_OK(go_metrics_read(s, n));
    for (size_t i = 0; i < n; i++) {
        const go_metric_desc_t *d = go_metrics_desc(i);
        if (s[i].kind != d->kind)
            fail_msg("%s: read kind %d, table kind %d", d->name, s[i].kind, d->kind);
        if (d->kind != GO_METRIC_HISTOGRAM)
            continue;
        const go_metric_hist_t *h = &s[i].value.hist;
        assert_true(h->nbuckets >= 2 && h->nbuckets <= GO_METRIC_HIST_MAX);
        assert_non_null(h->bounds);
        assert_ptr_equal(h->counts, counts);  /* the caller's fields stay */
        uint64_t sum = 0;
        for (size_t b = 0; b < h->nbuckets; b++) {
            sum += counts[b];
            if (!(h->bounds[b] < h->bounds[b + 1]))
                fail_msg("%s: bounds[%zu] = %g, bounds[%zu] = %g: not increasing", d->name, b,
                         h->bounds[b], b + 1, h->bounds[b + 1]);
        }
        assert_true(h->bounds[0] >= 0);
        assert_true(isinf(h->bounds[h->nbuckets]));
        assert_true(sum == h->total);
        assert_true(counts[GO_METRIC_HIST_MAX] == 0xdeadbeef);  /* nothing past nbuckets */
    }
    free(s);

    assert_int_equal(read_u64("/sched/gomaxprocs:threads"), go_maxprocs(0));
    assert_int_equal(read_u64("/sched/goroutines:goroutines"), go_num_goroutine());
    assert_true(read_u64("/gort/sched/procs/idle:procs") <= (uint64_t)go_maxprocs(0));
    assert_true(read_u64("/gort/sched/threads/max:threads") >= 1);
    assert_true(read_u64("/sched/threads/total:threads") >= read_u64("/gort/sched/threads/idle:threads"));
}

/* A histogram into a short array, or none: min(ncounts, nbuckets) copied,
 * nbuckets and total always. */
static void test_histogram_short_array(void **state)
{
    (void)state;
    uint64_t c[4] = {0, 0, 0, 0xabcdef};
    go_metric_sample_t s;
    memset(&s, 0, sizeof s);
    s.name = "/sched/latencies:seconds";
    s.value.hist.counts = c;
    s.value.hist.ncounts = 3;
    TU_ASSERT_OK(go_metrics_read(&s, 1));
    assert_int_equal(s.kind, GO_METRIC_HISTOGRAM);
    assert_true(s.value.hist.nbuckets > 3);
    assert_true(c[3] == 0xabcdef);
    assert_true(c[0] + c[1] + c[2] <= s.value.hist.total);
    memset(&s, 0, sizeof s);
    s.name = "/sched/latencies:seconds";
    TU_ASSERT_OK(go_metrics_read(&s, 1));  /* counts NULL: only the summary */
    assert_true(s.value.hist.nbuckets > 3);
    assert_non_null(s.value.hist.bounds);
}

/* ------------------------------------------------------------------------ */
/* Unknown names and bad arguments                                           */

static void test_unknown_names(void **state)
{
    (void)state;
    go_metric_sample_t s[6];
    memset(s, 0, sizeof s);
    s[0].name = "/sched/goroutines:goroutines";
    s[1].name = "/no/such/metric:things";
    s[2].name = NULL;
    s[3].name = "/sched/goroutines:goroutine";   /* a near miss */
    s[4].name = "";
    s[5].name = "/sched/gomaxprocs:threads";
    s[1].value.u64 = 77;  /* left as it was */
    TU_ASSERT_OK(go_metrics_read(s, 6));
    assert_int_equal(s[0].kind, GO_METRIC_UINT64);
    assert_int_equal(s[1].kind, GO_METRIC_BAD);
    assert_int_equal(s[1].value.u64, 77);
    assert_int_equal(s[2].kind, GO_METRIC_BAD);
    assert_int_equal(s[3].kind, GO_METRIC_BAD);
    assert_int_equal(s[4].kind, GO_METRIC_BAD);
    assert_int_equal(s[5].kind, GO_METRIC_UINT64);
    assert_int_equal(s[5].value.u64, go_maxprocs(0));

    TU_ASSERT_ERR(go_metrics_read(NULL, 1), GO_EINVAL);
    assert_int_equal(go_metrics_read(NULL, 0), 0);
    assert_int_equal(go_metrics_read(s, 0), 0);
    errno = 1234;
    TU_ASSERT_OK(go_metrics_read(s, 6));
    assert_int_equal(errno, 1234);
}

/* ------------------------------------------------------------------------ */
/* Goroutines by state                                                       */

enum { N_CHAN = 5, N_WG = 4, N_MUTEX = 3, N_SLEEP = 3 };

typedef struct states_ctx {
    go_chan_t *ch;
    go_wg_t *gate;
    go_mutex_t *mu;
    int pipe_fds[2];
    atomic_int stop;
    atomic_int arrived;
    go_wg_t *all;
} states_ctx_t;

static void chan_blocked(void *p)
{
    states_ctx_t *c = p;
    int64_t v;
    atomic_fetch_add(&c->arrived, 1);
    chan_recv(c->ch, &v);
    wg_done(c->all);
}

static void wg_blocked(void *p)
{
    states_ctx_t *c = p;
    atomic_fetch_add(&c->arrived, 1);
    wg_wait(c->gate);
    wg_done(c->all);
}

static void mutex_blocked(void *p)
{
    states_ctx_t *c = p;
    atomic_fetch_add(&c->arrived, 1);
    mutex_lock(c->mu);
    mutex_unlock(c->mu);
    wg_done(c->all);
}

static void sleeper(void *p)
{
    states_ctx_t *c = p;
    atomic_fetch_add(&c->arrived, 1);
    while (!atomic_load(&c->stop))
        go_sleep(20 * TU_MS);
    wg_done(c->all);
}

static void spinner(void *p)
{
    states_ctx_t *c = p;
    atomic_fetch_add(&c->arrived, 1);
    while (!atomic_load(&c->stop))
        go_yield();
    wg_done(c->all);
}

static intptr_t read_pipe(void *p)
{
    states_ctx_t *c = p;
    char b;
    return read(c->pipe_fds[0], &b, 1);
}

static void in_syscall(void *p)
{
    states_ctx_t *c = p;
    atomic_fetch_add(&c->arrived, 1);
    go_blocking(read_pipe, c);
    wg_done(c->all);
}

typedef struct state_read {
    uint64_t running, runnable, waiting, not_in_go, goroutines;
} state_read_t;

static state_read_t read_states(void)
{
    go_metric_sample_t s[5];
    memset(s, 0, sizeof s);
    s[0].name = "/sched/goroutines/running:goroutines";
    s[1].name = "/sched/goroutines/runnable:goroutines";
    s[2].name = "/sched/goroutines/waiting:goroutines";
    s[3].name = "/sched/goroutines/not-in-go:goroutines";
    s[4].name = "/sched/goroutines:goroutines";
    TU_ASSERT_OK(go_metrics_read(s, 5));
    for (int i = 0; i < 5; i++)
        if (s[i].kind != GO_METRIC_UINT64)
            fail_msg("%s: kind %d", s[i].name, s[i].kind);
    state_read_t r = {s[0].value.u64, s[1].value.u64, s[2].value.u64, s[3].value.u64,
                      s[4].value.u64};
    return r;
}

static void test_states_add_up(void **state)
{
    (void)state;
    states_ctx_t c;
    memset(&c, 0, sizeof c);
    int procs = go_maxprocs(0);
    int n_spin = procs + 2;  /* more than can run: some are runnable */
    int total = N_CHAN + N_WG + N_MUTEX + N_SLEEP + n_spin + 1 /* syscall */ + 1 /* pinned */;
    c.ch = chan_new(sizeof(int64_t), 0);
    c.gate = wg_new();
    c.mu = mutex_new();
    c.all = wg_new();
    assert_non_null(c.ch);
    assert_non_null(c.gate);
    assert_non_null(c.mu);
    assert_non_null(c.all);
    assert_int_equal(pipe(c.pipe_fds), 0);
    TU_ASSERT_OK(wg_add(c.gate, 1));
    TU_ASSERT_OK(mutex_lock(c.mu));  /* held by this thread: the goroutines wait */
    TU_ASSERT_OK(wg_add(c.all, total));
    int base = go_num_goroutine();

    for (int i = 0; i < N_CHAN; i++) TU_ASSERT_OK(go_spawn(chan_blocked, &c));
    for (int i = 0; i < N_WG; i++) TU_ASSERT_OK(go_spawn(wg_blocked, &c));
    for (int i = 0; i < N_MUTEX; i++) TU_ASSERT_OK(go_spawn(mutex_blocked, &c));
    for (int i = 0; i < N_SLEEP; i++) TU_ASSERT_OK(go_spawn(sleeper, &c));
    for (int i = 0; i < n_spin; i++) TU_ASSERT_OK(go_spawn(spinner, &c));
    TU_ASSERT_OK(go_spawn(in_syscall, &c));
    TU_ASSERT_OK(go_spawn_pinned(wg_blocked, &c));

    /* Wait (bounded) until every goroutine sits where it should: the
     * exactly-blocked ones waiting (sleepers too, most of the time: they
     * wake every 20 ms), the reader in its system call. */
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    uint64_t want_waiting = N_CHAN + N_WG + N_MUTEX + N_SLEEP + 1;
    state_read_t r;
    int settled = 0;
    for (;;) {
        r = read_states();
        if (atomic_load(&c.arrived) == total && r.waiting == want_waiting && r.not_in_go == 1) {
            settled = 1;
            break;
        }
        if (tu_now_ns() > deadline)
            break;
        tu_thread_sleep_ns(1 * TU_MS);
    }
    if (!settled)
        fail_msg("never settled: arrived %d of %d; running %llu runnable %llu waiting %llu "
                 "(want %llu) not-in-go %llu (want 1)",
                 atomic_load(&c.arrived), total, (unsigned long long)r.running,
                 (unsigned long long)r.runnable, (unsigned long long)r.waiting,
                 (unsigned long long)want_waiting, (unsigned long long)r.not_in_go);

    /* Nothing starts or ends from here: every read adds up, however the
     * spinners and sleepers move between running, runnable and waiting. */
    for (int k = 0; k < 50; k++) {
        r = read_states();
        uint64_t sum = r.running + r.runnable + r.waiting + r.not_in_go;
        if (sum != r.goroutines || r.goroutines != (uint64_t)(base + total))
            fail_msg("read %d: running %llu + runnable %llu + waiting %llu + not-in-go %llu = "
                     "%llu; /sched/goroutines %llu; expected %d",
                     k, (unsigned long long)r.running, (unsigned long long)r.runnable,
                     (unsigned long long)r.waiting, (unsigned long long)r.not_in_go,
                     (unsigned long long)sum, (unsigned long long)r.goroutines, base + total);
        assert_int_equal(go_num_goroutine(), base + total);
        assert_true(r.running <= (uint64_t)procs);
        assert_true(r.waiting >= want_waiting - N_SLEEP);
        assert_true(r.running + r.runnable >= (uint64_t)n_spin);
        if (k % 10 == 0)
            tu_thread_sleep_ns(2 * TU_MS);
    }
    /* With more spinners than processors, some are runnable at a time. */
    int saw_runnable = 0;
    for (int k = 0; k < 2000 && !saw_runnable; k++)
        saw_runnable = read_states().runnable > 0;
    assert_true(saw_runnable);

    /* Release everyone. */
    atomic_store(&c.stop, 1);
    TU_ASSERT_OK(chan_close(c.ch));
    TU_ASSERT_OK(wg_done(c.gate));
    TU_ASSERT_OK(mutex_unlock(c.mu));
    assert_int_equal(write(c.pipe_fds[1], "x", 1), 1);
    TU_ASSERT_OK(wg_wait(c.all));
    close(c.pipe_fds[0]);
    close(c.pipe_fds[1]);
    chan_free(c.ch);
    wg_free(c.gate);
    wg_free(c.all);
    tu_settle_goroutines(tu_baseline_goroutines);
    mutex_free(c.mu);
}

/* ------------------------------------------------------------------------ */
/* Counters                                                                  */

static void done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* In a quiet phase, the created count grows by exactly what was spawned,
 * and the histogram gets one spawn in 64. Pinned goroutines count
 * too (at least: a body queued for a pool thread arms the pool's watchdog,
 * a function timer, whose goroutine counts as well). */
static void test_created_and_latency(void **state)
{
    (void)state;
    int n = light() ? 2000 : 20000;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    uint64_t created0 = read_u64("/sched/goroutines-created:goroutines");
    uint64_t switches0 = read_u64("/gort/sched/switches:events");
    uint64_t lat0 = hist_total();
    for (int i = 0; i < n; i++) {
        TU_ASSERT_OK(wg_add(wg, 1));
        TU_ASSERT_OK(go_spawn(done_fn, wg));
        if (i % 500 == 499)
            TU_ASSERT_OK(wg_wait(wg));  /* rounds: Gs are reused */
    }
    TU_ASSERT_OK(wg_wait(wg));
    tu_settle_goroutines(tu_baseline_goroutines);
    uint64_t created1 = read_u64("/sched/goroutines-created:goroutines");
    uint64_t switches1 = read_u64("/gort/sched/switches:events");
    uint64_t lat1 = hist_total();
    if (created1 - created0 != (uint64_t)n)
        fail_msg("created %llu -> %llu: +%llu, spawned %d", (unsigned long long)created0,
                 (unsigned long long)created1, (unsigned long long)(created1 - created0), n);
    TU_ASSERT_OK(wg_add(wg, 3));
    for (int i = 0; i < 3; i++) TU_ASSERT_OK(go_spawn_pinned(done_fn, wg));
    TU_ASSERT_OK(wg_wait(wg));
    tu_settle_goroutines(tu_baseline_goroutines);
    uint64_t created2 = read_u64("/sched/goroutines-created:goroutines");
    if (created2 - created1 < 3)
        fail_msg("created %llu -> %llu after 3 pinned spawns", (unsigned long long)created1,
                 (unsigned long long)created2);
    assert_true(switches1 - switches0 >= (uint64_t)n);
    /* Ids are consecutive and seed the sampling: one spawn in 64. */
    if (lat1 - lat0 < (uint64_t)n / 128)
        fail_msg("latency samples %llu -> %llu after %d spawns", (unsigned long long)lat0,
                 (unsigned long long)lat1, n);
    wg_free(wg);
}

typedef struct pp_ctx {
    go_chan_t *a, *b;
    int n;
    go_wg_t *wg;
} pp_ctx_t;

static void pp_echo(void *p)
{
    pp_ctx_t *c = p;
    int64_t v;
    while (chan_recv(c->a, &v) == 1)
        chan_send(c->b, &v);
    wg_done(c->wg);
}

static void pp_main(void *p)
{
    pp_ctx_t *c = p;
    int64_t v = 0;
    for (int i = 0; i < c->n; i++) {
        chan_send(c->a, &v);
        chan_recv(c->b, &v);
    }
    chan_close(c->a);
    wg_done(c->wg);
}

/* Parks and switches grow with a ping-pong (two parks per round trip). */
static void test_parks_and_switches(void **state)
{
    (void)state;
    pp_ctx_t c = {chan_new(sizeof(int64_t), 0), chan_new(sizeof(int64_t), 0), 1000, wg_new()};
    assert_non_null(c.a);
    assert_non_null(c.b);
    uint64_t parks0 = read_u64("/gort/sched/parks:events");
    uint64_t sw0 = read_u64("/gort/sched/switches:events");
    TU_ASSERT_OK(wg_add(c.wg, 2));
    TU_ASSERT_OK(go_spawn(pp_echo, &c));
    TU_ASSERT_OK(go_spawn(pp_main, &c));
    TU_ASSERT_OK(wg_wait(c.wg));
    uint64_t parks1 = read_u64("/gort/sched/parks:events");
    uint64_t sw1 = read_u64("/gort/sched/switches:events");
    /* Each round trip, each side blocks at least once in one of its two
     * operations (the other may find its partner waiting). */
    if (parks1 - parks0 < (uint64_t)c.n)
        fail_msg("parks %llu -> %llu for %d round trips", (unsigned long long)parks0,
                 (unsigned long long)parks1, c.n);
    assert_true(sw1 - sw0 >= (uint64_t)c.n);
    chan_free(c.a);
    chan_free(c.b);
    wg_free(c.wg);
}

/* ------------------------------------------------------------------------ */
/* Concurrent readers while goroutines churn                                 */

typedef struct churn_ctx {
    atomic_int stop;
    atomic_int failed;      /* first failure's reader + 1 */
    char why[256];          /* written once, by the first failing reader (CAS on failed) */
    go_wg_t *workers;
    int reads;              /* reads per reader, at least */
    int64_t until;          /* and until then (tu_now_ns) */
    int procs;
} churn_ctx_t;

static void churn_fail(churn_ctx_t *c, int who, const char *fmt, const char *name,
                       unsigned long long a, unsigned long long b)
{
    int zero = 0;
    if (atomic_compare_exchange_strong(&c->failed, &zero, who + 1))
        snprintf(c->why, sizeof c->why, fmt, name, a, b);
}

/* Read every metric `reads` times and for as long as `until` says;
 * cumulative ones (and every histogram
 * bucket) must never go down. */
static void reader_loop(churn_ctx_t *c, int who)
{
    size_t n = go_metrics_count();
    go_metric_sample_t *s = calloc(n, sizeof *s);
    uint64_t *prev = calloc(n, sizeof *prev);
    uint64_t counts[GO_METRIC_HIST_MAX], prev_counts[GO_METRIC_HIST_MAX];
    if (s == NULL || prev == NULL) {
        churn_fail(c, who, "%s %llu %llu", "calloc", 0, 0);
        free(s);
        free(prev);
        return;
    }
    memset(prev_counts, 0, sizeof prev_counts);
    for (int r = 0; (r < c->reads || tu_now_ns() < c->until) && !atomic_load(&c->failed); r++) {
        for (size_t i = 0; i < n; i++) {
            memset(&s[i], 0, sizeof s[i]);
            s[i].name = go_metrics_desc(i)->name;
            if (go_metrics_desc(i)->kind == GO_METRIC_HISTOGRAM) {
                s[i].value.hist.counts = counts;
                s[i].value.hist.ncounts = GO_METRIC_HIST_MAX;
            }
        }
        if (go_metrics_read(s, n) != 0) {
            churn_fail(c, who, "%s failed %llu %llu", "go_metrics_read", 0, 0);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            const go_metric_desc_t *d = go_metrics_desc(i);
            if (s[i].kind != d->kind) {
                churn_fail(c, who, "%s: kind %llu, table %llu", d->name,
                           (unsigned long long)s[i].kind, (unsigned long long)d->kind);
                break;
            }
            uint64_t v = d->kind == GO_METRIC_HISTOGRAM ? s[i].value.hist.total : s[i].value.u64;
            if (d->cumulative && v < prev[i])
                churn_fail(c, who, "%s went down: %llu -> %llu", d->name, prev[i], v);
            prev[i] = v;
            if (d->kind == GO_METRIC_HISTOGRAM) {
                for (size_t b = 0; b < s[i].value.hist.nbuckets; b++) {
                    if (counts[b] < prev_counts[b])
                        churn_fail(c, who, "%s: a bucket went down: %llu -> %llu", d->name,
                                   prev_counts[b], counts[b]);
                    prev_counts[b] = counts[b];
                }
            }
        }
    }
    free(s);
    free(prev);
}

typedef struct reader_arg {
    churn_ctx_t *c;
    int who;
} reader_arg_t;

static void *reader_thread(void *p)
{
    reader_arg_t *a = p;
    reader_loop(a->c, a->who);
    return NULL;
}

static void reader_goroutine(void *p)
{
    reader_arg_t *a = p;
    reader_loop(a->c, a->who);
    wg_done(a->c->workers);
}

static void churn_child(void *wg)
{
    if (go_id() % 3 == 0)
        go_yield();
    wg_done((go_wg_t *)wg);
}

/* Spawn, wait, ping-pong, sleep and yield until told to stop. */
static void churner(void *p)
{
    churn_ctx_t *c = p;
    go_wg_t *wg = wg_new();
    go_chan_t *ch = chan_new(sizeof(int64_t), 0);
    go_chan_t *back = chan_new(sizeof(int64_t), 0);
    pp_ctx_t pp = {ch, back, 0, wg};
    if (wg == NULL || ch == NULL || back == NULL || wg_add(wg, 1) != 0 ||
        go_spawn(pp_echo, &pp) < 0) {
        churn_fail(c, 99, "%s %llu %llu", "churner setup", 0, 0);
        wg_free(wg);
        chan_free(ch);
        chan_free(back);
        wg_done(c->workers);
        return;
    }
    for (int64_t i = 0; !atomic_load(&c->stop); i++) {
        wg_add(wg, 8);
        for (int k = 0; k < 8; k++)
            if (go_spawn(churn_child, wg) < 0)
                wg_done(wg);
        chan_send(ch, &i);   /* a round trip with pp_echo */
        chan_recv(back, &i);
        if (i % 16 == 0)
            go_sleep(100000);
        go_yield();
    }
    chan_close(ch);  /* pp_echo ends */
    wg_wait(wg);     /* the children and pp_echo */
    wg_free(wg);
    chan_free(ch);
    chan_free(back);
    wg_done(c->workers);
}

/* Changes GOMAXPROCS back and forth (new Ps appear while readers sum). */
static void procs_flipper(void *p)
{
    churn_ctx_t *c = p;
    for (int i = 0; !atomic_load(&c->stop); i++) {
        go_maxprocs(c->procs + 1 + i % 3);
        go_sleep(200000);
        go_maxprocs(c->procs);
        go_sleep(200000);
    }
    go_maxprocs(c->procs);
    wg_done(c->workers);
}

enum { N_READER_THREADS = 3, N_CHURNERS = 4 };

static void test_concurrent_readers(void **state)
{
    (void)state;
    churn_ctx_t c;
    memset(&c, 0, sizeof c);
    c.reads = light() ? 30 : 300;
    c.until = light() ? 0 : tu_now_ns() + 300 * TU_MS;
    c.procs = go_maxprocs(0);
    c.workers = wg_new();
    assert_non_null(c.workers);
    TU_ASSERT_OK(wg_add(c.workers, N_CHURNERS + 1));
    for (int i = 0; i < N_CHURNERS; i++) TU_ASSERT_OK(go_spawn(churner, &c));
    TU_ASSERT_OK(go_spawn(procs_flipper, &c));

    reader_arg_t args[N_READER_THREADS + 1];
    pthread_t th[N_READER_THREADS];
    for (int i = 0; i < N_READER_THREADS; i++) {
        args[i].c = &c;
        args[i].who = i;
        assert_int_equal(pthread_create(&th[i], NULL, reader_thread, &args[i]), 0);
    }
    /* One reader is a goroutine (it holds a P while it reads). */
    args[N_READER_THREADS].c = &c;
    args[N_READER_THREADS].who = N_READER_THREADS;
    TU_ASSERT_OK(wg_add(c.workers, 1));
    TU_ASSERT_OK(go_spawn(reader_goroutine, &args[N_READER_THREADS]));

    /* The churn lasts as long as the reader threads read (the reader
     * goroutine finishes its reads after the stop if it is behind). */
    for (int i = 0; i < N_READER_THREADS; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    atomic_store(&c.stop, 1);
    TU_ASSERT_OK(wg_wait(c.workers));
    wg_free(c.workers);
    assert_int_equal(go_maxprocs(0), c.procs);
    if (atomic_load(&c.failed))
        fail_msg("reader %d: %s", atomic_load(&c.failed) - 1, c.why);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_table),
        TU_TEST(test_every_metric_reads),
        TU_TEST(test_histogram_short_array),
        TU_TEST(test_unknown_names),
        TU_TEST(test_states_add_up),
        TU_TEST(test_created_and_latency),
        TU_TEST(test_parks_and_switches),
        TU_TEST(test_concurrent_readers),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
