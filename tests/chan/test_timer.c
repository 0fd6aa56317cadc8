/* test_timer.c - the clock, sleeps, timers and tickers (gort/time.h,
 * go_sleep of gort/runtime.h): go_nanotime's monotonicity, sleep
 * durations, go_after (fires once, after its duration, with a go_nanotime
 * value; freed before it fires), go_timer_new/stop/reset's results,
 * deadline order, go_timer_func, tickers (period, stop, reset, dropped
 * ticks, the NewTicker and Ticker.Reset panics and their _err twins), the
 * select-with-timeout pattern, and 1000 concurrent sleepers. From
 * goroutines and foreign threads.
 *
 * These tests measure time. The machine is noisy: lower bounds are exact
 * (a timer never fires early), upper bounds are generous (+500 ms).
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <limits.h>
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
#include "chan_test.h"

/* How late a timer or a sleep may be, at most, before a test calls it a
 * failure: the machine is shared and noisy. */
#define SLACK_NS (500 * TU_MS)

/* Fail unless lo <= x <= hi (nanoseconds; printed in ms). */
#define ASSERT_NS_IN(what, x, lo, hi)                                                   \
    do {                                                                                \
        int64_t x_ = (x), lo_ = (lo), hi_ = (hi);                                       \
        if (x_ < lo_ || x_ > hi_)                                                       \
            fail_msg("%s: %.3f ms, want %.3f .. %.3f ms", (what), x_ / 1e6, lo_ / 1e6,  \
                     hi_ / 1e6);                                                        \
    } while (0)

/* Receive one int64 from ch (a timer's channel); returns chan_recv's rc. */
static int recv_time(go_chan_t *ch, int64_t *t)
{
    *t = -1;
    return chan_recv(ch, t);
}

/* ------------------------------------------------------------------------ */
/* the clock and sleeps                                                     */

typedef struct clock_ctx {
    int backwards;
    int outside;
} clock_ctx_t;

static void clock_body(void *p)
{
    clock_ctx_t *c = p;
    for (int round = 0; round < 20; round++) {
        int64_t before = tu_now_ns();
        int64_t prev = go_nanotime();
        for (int i = 0; i < 2000; i++) {
            int64_t now = go_nanotime();
            if (now < prev)
                c->backwards++;
            prev = now;
        }
        int64_t after = tu_now_ns();
        /* CLOCK_MONOTONIC, the clock gort documents */
        if (prev < before || prev > after)
            c->outside++;
        go_yield(); /* may move to another thread: still monotonic */
    }
}

static void test_nanotime_monotonic(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w++) {
        clock_ctx_t c = { 0, 0 };
        ct_run((ct_where_t)w, clock_body, &c);
        if (c.backwards || c.outside)
            fail_msg("%s: go_nanotime went backwards %d times, left CLOCK_MONOTONIC's bounds %d times",
                     ct_where_name[w], c.backwards, c.outside);
    }
}

typedef struct sleep_ctx {
    int64_t want[5];
    int64_t took[5];
} sleep_ctx_t;

static void sleep_body(void *p)
{
    sleep_ctx_t *c = p;
    for (int i = 0; i < 5; i++) {
        int64_t t0 = go_nanotime();
        go_sleep(c->want[i]);
        c->took[i] = go_nanotime() - t0;
    }
}

static void test_sleep_durations(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w++) {
        sleep_ctx_t c = { { 1 * TU_MS, 12 * TU_MS, 30 * TU_MS, 0, -5 * TU_MS }, { 0 } };
        ct_run((ct_where_t)w, sleep_body, &c);
        char what[64];
        for (int i = 0; i < 5; i++) {
            snprintf(what, sizeof what, "%s: go_sleep(%lld ms)", ct_where_name[w],
                     (long long)(c.want[i] / TU_MS));
            ASSERT_NS_IN(what, c.took[i], c.want[i] > 0 ? c.want[i] : 0,
                         (c.want[i] > 0 ? c.want[i] : 0) + SLACK_NS);
        }
    }
}

/* 1000 goroutines sleeping 20 ms each sleep at the same time: a sleep costs
 * a timer entry, not a thread or a processor, so the whole takes about
 * 20 ms more than 1000 goroutines that do not sleep, not 20 s. (The
 * baseline absorbs the cost of spawning, which sanitizers and valgrind
 * multiply: under TSan 1000 spawns take seconds.) */
enum { SLEEPERS = 1000 };

typedef struct sleeper_ctx {
    int64_t ns;
    atomic_int early;
} sleeper_ctx_t;

static void sleeper(void *p)
{
    sleeper_ctx_t *c = p;
    int64_t t0 = go_nanotime();
    go_sleep(c->ns);
    if (go_nanotime() - t0 < c->ns)
        atomic_fetch_add(&c->early, 1);
}

static int64_t run_sleepers(int64_t ns)
{
    sleeper_ctx_t c;
    memset(&c, 0, sizeof c);
    c.ns = ns;
    ct_group_t g;
    ct_group_init(&g, SLEEPERS);
    int64_t t0 = go_nanotime();
    for (int i = 0; i < SLEEPERS; i++)
        ct_group_go(&g, sleeper, &c);
    ct_group_wait(&g);
    int64_t took = go_nanotime() - t0;
    assert_int_equal(atomic_load(&c.early), 0);
    return took;
}

static void test_many_sleepers(void **state)
{
    (void)state;
    int64_t base = run_sleepers(0);
    int64_t took = run_sleepers(20 * TU_MS);
    print_message("%d goroutines sleeping 20 ms: %.1f ms (not sleeping: %.1f ms)\n", SLEEPERS, took / 1e6,
                  base / 1e6);
    ASSERT_NS_IN("1000 sleepers of 20 ms", took, 20 * TU_MS, 2 * base + SLACK_NS);
}

/* ------------------------------------------------------------------------ */
/* go_after                                                                 */

typedef struct after_ctx {
    int64_t d;
    int rc_recv, rc_again, cap, elem, len_after;
    int64_t start, value, received_at;
} after_ctx_t;

static void after_body(void *p)
{
    after_ctx_t *c = p;
    c->start = go_nanotime();
    go_chan_t *ch = go_after(c->d);
    if (ch == NULL) {
        c->rc_recv = -1000;
        return;
    }
    c->cap = chan_cap(ch);
    c->elem = chan_elem_size(ch);
    c->rc_recv = recv_time(ch, &c->value);
    c->received_at = go_nanotime();
    /* it fires once: nothing more comes */
    go_sleep(c->d > 0 ? c->d + 10 * TU_MS : 10 * TU_MS);
    int ok = -1;
    int64_t v;
    c->rc_again = chan_try_recv(ch, &v, &ok);
    c->len_after = chan_len(ch);
    chan_free(ch);
}

static void test_after_fires_once(void **state)
{
    (void)state;
    static const int64_t ds[] = { 25 * TU_MS, 0, -3 * TU_MS, 1 };
    for (int w = 0; w < CT_WHERE_N; w++) {
        for (size_t k = 0; k < TU_ARRAY_LEN(ds); k++) {
            after_ctx_t c;
            memset(&c, 0, sizeof c);
            c.d = ds[k];
            ct_run((ct_where_t)w, after_body, &c);
            char what[96];
            snprintf(what, sizeof what, "%s: go_after(%lld ns) fired", ct_where_name[w], (long long)c.d);
            assert_int_equal(c.rc_recv, 1);
            assert_int_equal(c.cap, 1);
            assert_int_equal(c.elem, 8);
            int64_t d = c.d > 0 ? c.d : 0;
            /* the value is go_nanotime() when it fired: not before start+d,
             * not after we received it */
            ASSERT_NS_IN(what, c.value - c.start, d, c.received_at - c.start);
            ASSERT_NS_IN(what, c.received_at - c.start, d, d + SLACK_NS);
            assert_int_equal(c.rc_again, 0);
            assert_int_equal(c.len_after, 0);
        }
    }
}

/* Channels of go_after freed before they fired: the timers are cancelled
 * (under ASan, a timer that fired into freed memory is an error report). */
typedef struct after_free_ctx {
    int failed;
} after_free_ctx_t;

static void after_free_body(void *p)
{
    after_free_ctx_t *c = p;
    for (int i = 0; i < 100; i++) {
        go_chan_t *ch = go_after((int64_t)(1 + i % 20) * TU_MS);
        if (ch == NULL) {
            c->failed++;
            continue;
        }
        chan_free(ch);
    }
    /* some that fired, their value never received */
    for (int i = 0; i < 5; i++) {
        go_chan_t *ch = go_after(0);
        if (ch == NULL) {
            c->failed++;
            continue;
        }
        int64_t deadline = go_nanotime() + 5000 * TU_MS;
        while (chan_len(ch) == 0 && go_nanotime() < deadline)
            go_sleep(1 * TU_MS);
        if (chan_len(ch) != 1)
            c->failed++;
        chan_free(ch);
    }
}

static void test_after_freed_before_firing(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w++) {
        after_free_ctx_t c = { 0 };
        ct_run((ct_where_t)w, after_free_body, &c);
        assert_int_equal(c.failed, 0);
    }
    /* past every deadline: nothing fired into the freed channels */
    go_sleep(40 * TU_MS);
}

/* ------------------------------------------------------------------------ */
/* go_timer_new, stop, reset                                                */

static void test_timer_stop_reset(void **state)
{
    (void)state;
    go_timer_t *t = go_timer_new(10000 * TU_MS);
    assert_non_null(t);
    go_chan_t *ch = go_timer_chan(t);
    assert_non_null(ch);
    assert_int_equal(chan_cap(ch), 1);
    assert_int_equal(chan_elem_size(ch), 8);
    assert_int_equal(go_timer_chan(t), ch); /* the same channel every time */

    /* stop before it fired: 1, then 0 */
    assert_int_equal(go_timer_stop(t), 1);
    assert_int_equal(go_timer_stop(t), 0);
    assert_int_equal(chan_len(ch), 0);

    /* reset of a stopped timer: 0, and it fires after the new duration */
    int64_t t0 = go_nanotime();
    assert_int_equal(go_timer_reset(t, 15 * TU_MS), 0);
    int64_t v;
    assert_int_equal(recv_time(ch, &v), 1);
    int64_t now = go_nanotime();
    ASSERT_NS_IN("reset stopped timer: value", v - t0, 15 * TU_MS, now - t0);
    ASSERT_NS_IN("reset stopped timer: received", now - t0, 15 * TU_MS, 15 * TU_MS + SLACK_NS);
    /* fired: stop 0, reset 0 */
    assert_int_equal(go_timer_stop(t), 0);
    assert_int_equal(go_timer_reset(t, 10000 * TU_MS), 0);
    /* pending: reset 1, and the new duration counts, not the old one */
    t0 = go_nanotime();
    assert_int_equal(go_timer_reset(t, 10 * TU_MS), 1);
    assert_int_equal(recv_time(ch, &v), 1);
    now = go_nanotime();
    ASSERT_NS_IN("reset pending timer: received", now - t0, 10 * TU_MS, 10 * TU_MS + SLACK_NS);
    assert_true(v >= t0 + 10 * TU_MS);

    /* stop does not drain: a value sent before the stop stays */
    t0 = go_nanotime();
    assert_int_equal(go_timer_reset(t, 1 * TU_MS), 0);
    int64_t deadline = go_nanotime() + 5000 * TU_MS;
    while (chan_len(ch) == 0 && go_nanotime() < deadline)
        go_sleep(1 * TU_MS);
    assert_int_equal(chan_len(ch), 1);
    assert_int_equal(go_timer_stop(t), 0);
    assert_int_equal(chan_len(ch), 1);
    int ok = -1;
    assert_int_equal(chan_try_recv(ch, &v, &ok), 1);
    assert_int_equal(ok, 1);
    assert_true(v >= t0 + 1 * TU_MS);

    /* reset of a fired timer whose value was not received (Go 1.19 asks
     * for a drain first; without it): the channel is full, so the second
     * firing's value is dropped, and the first one stays */
    t0 = go_nanotime();
    assert_int_equal(go_timer_reset(t, 1 * TU_MS), 0);
    deadline = go_nanotime() + 5000 * TU_MS;
    while (chan_len(ch) == 0 && go_nanotime() < deadline)
        go_sleep(1 * TU_MS);
    assert_int_equal(chan_len(ch), 1);
    int64_t reset_at = go_nanotime();
    assert_int_equal(go_timer_reset(t, 1 * TU_MS), 0);
    /* a witness armed after it: one heap, one timer thread, deadline order
     * (FIFO among equals), so once the witness fired, t has (a fixed sleep
     * was a guess a late timer thread under TSan could beat) */
    go_chan_t *witness = go_after(1 * TU_MS);
    assert_non_null(witness);
    assert_int_equal(chan_recv(witness, NULL), 1);
    chan_free(witness);
    assert_int_equal(go_timer_stop(t), 0); /* it fired (into a full channel) */
    assert_int_equal(chan_len(ch), 1);
    assert_int_equal(chan_try_recv(ch, &v, &ok), 1);
    if (v < t0 + 1 * TU_MS || v >= reset_at)
        fail_msg("the waiting value is %.3f ms after the first reset; want the first firing's, before "
                 "%.3f ms", (v - t0) / 1e6, (reset_at - t0) / 1e6);
    assert_int_equal(chan_len(ch), 0);

    /* a zero or negative duration fires at once */
    for (int64_t d = 0; d >= -1; d--) {
        t0 = go_nanotime();
        assert_int_equal(go_timer_reset(t, d), 0);
        assert_int_equal(recv_time(ch, &v), 1);
        ASSERT_NS_IN("reset(<= 0)", go_nanotime() - t0, 0, SLACK_NS);
    }
    go_timer_free(t);

    t0 = go_nanotime();
    t = go_timer_new(-5);
    assert_non_null(t);
    assert_int_equal(recv_time(go_timer_chan(t), &v), 1);
    assert_true(v >= t0);
    ASSERT_NS_IN("go_timer_new(-5)", go_nanotime() - t0, 0, SLACK_NS);
    assert_int_equal(go_timer_stop(t), 0);
    go_timer_free(t);

    /* free a pending timer and a fired, undrained one */
    go_timer_free(go_timer_new(5 * TU_MS));
    t = go_timer_new(0);
    assert_non_null(t);
    deadline = go_nanotime() + 5000 * TU_MS;
    while (chan_len(go_timer_chan(t)) == 0 && go_nanotime() < deadline)
        go_sleep(1 * TU_MS);
    go_timer_free(t);
    go_timer_free(NULL);
    go_sleep(20 * TU_MS); /* past the freed pending timer's deadline */
}

static void test_timer_handles_einval(void **state)
{
    (void)state;
    void *g = ct_garbage();
    assert_null(go_timer_chan(g));
    TU_ASSERT_ERR(go_timer_stop(g), GO_EINVAL);
    TU_ASSERT_ERR(go_timer_reset(g, TU_MS), GO_EINVAL);
    assert_null(go_timer_chan(NULL));
    TU_ASSERT_ERR(go_timer_stop(NULL), GO_EINVAL);
    TU_ASSERT_ERR(go_timer_reset(NULL, TU_MS), GO_EINVAL);
    assert_null(go_ticker_chan(g));
    TU_ASSERT_ERR(go_ticker_stop(g), GO_EINVAL);
    TU_ASSERT_ERR(go_ticker_reset(g, TU_MS), GO_EINVAL);
    TU_ASSERT_ERR(go_ticker_reset_err(g, TU_MS), GO_EINVAL);
    assert_null(go_ticker_chan(NULL));
    TU_ASSERT_ERR(go_ticker_stop(NULL), GO_EINVAL);
    TU_ASSERT_ERR(go_ticker_reset_err(NULL, TU_MS), GO_EINVAL);
    go_timer_free(NULL);
    go_ticker_free(NULL);
    errno = 0;
    assert_null(go_timer_func(TU_MS, NULL, NULL));
    assert_int_equal(errno, EINVAL);
}

/* Timers fire in deadline order: the fire values (go_nanotime when each
 * fired) follow the deadlines, whichever goroutine waits on which. */
enum { ORDER_N = 8 };

typedef struct order_arg {
    go_chan_t *ch;
    int rc;
    int64_t value;
    atomic_int *seq;
    int woke;
} order_arg_t;

static void order_waiter(void *p)
{
    order_arg_t *a = p;
    a->rc = recv_time(a->ch, &a->value);
    a->woke = atomic_fetch_add(a->seq, 1);
}

static void test_timers_fire_in_deadline_order(void **state)
{
    (void)state;
    /* durations (in units of 15 ms) in a scrambled order */
    static const int units[ORDER_N] = { 5, 1, 8, 3, 7, 2, 6, 4 };
    order_arg_t args[ORDER_N];
    go_timer_t *timers[ORDER_N];
    /* Each deadline lies in [created + d, made + d]. All timers are made
     * first, in a tight loop, so that the waiters' start-up (a thread, M
     * wake-ups: tens of ms under TSan) does not separate their deadlines
     * by more than the 15 ms steps; the order is checked only between
     * timers whose deadline intervals do not overlap. */
    int64_t created[ORDER_N], made[ORDER_N];
    atomic_int seq = 0;
    ct_group_t g;
    ct_group_init(&g, ORDER_N);
    ct_task_t thread;
    for (int i = 0; i < ORDER_N; i++) {
        created[i] = go_nanotime();
        timers[i] = go_timer_new(units[i] * 15 * TU_MS);
        made[i] = go_nanotime();
        assert_non_null(timers[i]);
    }
    for (int i = 0; i < ORDER_N; i++) {
        args[i].ch = go_timer_chan(timers[i]);
        args[i].seq = &seq;
        args[i].rc = -99;
        if (i == 3) /* one waiter is a foreign thread */
            assert_int_equal(ct_start(&thread, CT_THREAD, order_waiter, &args[i]), 0);
        else
            ct_group_go(&g, order_waiter, &args[i]);
    }
    ct_group_wait(&g);
    assert_int_equal(ct_join(&thread), 0);
    for (int i = 0; i < ORDER_N; i++) {
        assert_int_equal(args[i].rc, 1);
        if (args[i].value < created[i] + units[i] * 15 * TU_MS)
            fail_msg("timer %d (%d ms) fired %.3f ms early", i, units[i] * 15,
                     (created[i] + units[i] * 15 * TU_MS - args[i].value) / 1e6);
        for (int j = 0; j < ORDER_N; j++)
            if (made[i] + units[i] * 15 * TU_MS < created[j] + units[j] * 15 * TU_MS &&
                args[i].value > args[j].value)
                fail_msg("the %d ms timer fired after the %d ms one", units[i] * 15, units[j] * 15);
        go_timer_free(timers[i]);
    }
    int order[ORDER_N];
    for (int i = 0; i < ORDER_N; i++)
        order[args[i].woke] = units[i];
    print_message("woke in the order %d %d %d %d %d %d %d %d (x 15 ms)\n", order[0], order[1], order[2],
                  order[3], order[4], order[5], order[6], order[7]);
}

/* Many goroutines and threads reset and stop their timers at once: the
 * shared timer heap keeps every result right, and each timer fires once,
 * at its last deadline. */
enum { CHURN_WORKERS = 12, CHURN_THREADS = 2, CHURN_RESETS = 150 };

typedef struct churn_ctx {
    int bad;          /* a wrong return value */
    int fired_early;
    int rc_recv;
    int func_runs;
} churn_ctx_t;

static void churn_never(void *p)
{
    churn_ctx_t *c = p;
    c->func_runs++; /* read after the worker is joined: runs only on a bug */
}

static void churn_worker(void *p)
{
    churn_ctx_t *c = p;
    go_timer_t *t = go_timer_new(10000 * TU_MS);
    go_timer_t *f = go_timer_func(10000 * TU_MS, churn_never, c);
    if (t == NULL || f == NULL) {
        c->bad = -1000;
        return;
    }
    for (int i = 0; i < CHURN_RESETS; i++) {
        /* long deadlines: pending all along, so each reset answers 1 */
        int64_t d = (int64_t)(1000 + (i * 37) % 5000) * TU_MS;
        if (go_timer_reset(t, d) != 1)
            c->bad++;
        if (go_timer_reset(f, d) != 1)
            c->bad++;
        if (i % 16 == 0)
            go_yield();
    }
    if (go_timer_stop(t) != 1 || go_timer_stop(t) != 0)
        c->bad++;
    if (go_timer_stop(f) != 1 || go_timer_stop(f) != 0)
        c->bad++;
    int64_t t0 = go_nanotime();
    if (go_timer_reset(t, 3 * TU_MS) != 0)
        c->bad++;
    int64_t v = -1;
    c->rc_recv = chan_recv(go_timer_chan(t), &v);
    if (v < t0 + 3 * TU_MS)
        c->fired_early++;
    if (go_timer_stop(t) != 0 || chan_len(go_timer_chan(t)) != 0)
        c->bad++;
    go_timer_free(t);
    go_timer_free(f);
}

static void test_timer_churn(void **state)
{
    (void)state;
    churn_ctx_t c[CHURN_WORKERS];
    ct_task_t t[CHURN_WORKERS];
    memset(c, 0, sizeof c);
    for (int i = 0; i < CHURN_WORKERS; i++)
        assert_int_equal(ct_start(&t[i], i < CHURN_THREADS ? CT_THREAD : CT_GOROUTINE, churn_worker, &c[i]), 0);
    for (int i = 0; i < CHURN_WORKERS; i++)
        assert_int_equal(ct_join(&t[i]), 0);
    for (int i = 0; i < CHURN_WORKERS; i++) {
        if (c[i].bad || c[i].fired_early || c[i].rc_recv != 1 || c[i].func_runs)
            fail_msg("worker %d: %d wrong results, fired early %d, recv %d, stopped AfterFunc ran %d times",
                     i, c[i].bad, c[i].fired_early, c[i].rc_recv, c[i].func_runs);
    }
}

/* Foreign threads sleeping at once sleep concurrently too. */
typedef struct tsleep_ctx {
    int64_t took;
} tsleep_ctx_t;

static void tsleep_body(void *p)
{
    tsleep_ctx_t *c = p;
    int64_t t0 = go_nanotime();
    go_sleep(30 * TU_MS);
    c->took = go_nanotime() - t0;
}

static void test_threads_sleep_concurrently(void **state)
{
    (void)state;
    enum { N = 8 };
    tsleep_ctx_t c[N];
    ct_task_t t[N];
    int64_t t0 = go_nanotime();
    for (int i = 0; i < N; i++)
        assert_int_equal(ct_start(&t[i], i % 2 ? CT_THREAD : CT_GOROUTINE, tsleep_body, &c[i]), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(ct_join(&t[i]), 0);
    int64_t took = go_nanotime() - t0;
    for (int i = 0; i < N; i++)
        ASSERT_NS_IN("a 30 ms sleep among 8", c[i].took, 30 * TU_MS, 30 * TU_MS + SLACK_NS);
    ASSERT_NS_IN("8 concurrent sleeps of 30 ms", took, 30 * TU_MS, 30 * TU_MS + SLACK_NS);
}

/* ------------------------------------------------------------------------ */
/* go_timer_func                                                            */

typedef struct tf_ctx {
    atomic_int runs;
    go_id_t id;
    int64_t at;
    go_chan_t *report;   /* fn sends here: it is a goroutine, it may block */
} tf_ctx_t;

static void tf_fn(void *p)
{
    tf_ctx_t *c = p;
    c->at = go_nanotime();
    c->id = go_id();
    atomic_fetch_add(&c->runs, 1);
    if (c->report != NULL)
        chan_send(c->report, &c->id);
}

static void test_timer_func(void **state)
{
    (void)state;
    tf_ctx_t c;
    memset(&c, 0, sizeof c);
    c.report = chan_new(sizeof(go_id_t), 0);
    assert_non_null(c.report);
    int64_t t0 = go_nanotime();
    go_timer_t *t = go_timer_func(20 * TU_MS, tf_fn, &c);
    assert_non_null(t);
    assert_null(go_timer_chan(t)); /* an AfterFunc timer has no channel */
    go_id_t id = 0;
    assert_int_equal(chan_recv(c.report, &id), 1);
    int64_t now = go_nanotime();
    assert_true(id > 0);
    assert_int_equal(id, c.id);
    assert_int_equal(atomic_load(&c.runs), 1);
    ASSERT_NS_IN("go_timer_func(20 ms) ran", c.at - t0, 20 * TU_MS, 20 * TU_MS + SLACK_NS);
    assert_true(c.at <= now);
    /* fired: stop 0; reset 0, and it runs again in a new goroutine */
    assert_int_equal(go_timer_stop(t), 0);
    assert_int_equal(go_timer_reset(t, 5 * TU_MS), 0);
    go_id_t id2 = 0;
    assert_int_equal(chan_recv(c.report, &id2), 1);
    assert_true(id2 > id);
    assert_int_equal(atomic_load(&c.runs), 2);
    go_timer_free(t);

    /* stopped before it fired: fn never runs */
    tf_ctx_t quiet;
    memset(&quiet, 0, sizeof quiet);
    t = go_timer_func(30 * TU_MS, tf_fn, &quiet);
    assert_non_null(t);
    go_timer_t *freed = go_timer_func(30 * TU_MS, tf_fn, &quiet);
    assert_non_null(freed);
    go_timer_free(freed); /* free stops it too */
    assert_int_equal(go_timer_stop(t), 1);
    assert_int_equal(go_timer_stop(t), 0);
    go_sleep(80 * TU_MS);
    assert_int_equal(atomic_load(&quiet.runs), 0);
    /* a pending AfterFunc reset: 1, runs once, at the new time (fn reports
     * on the channel now: set before the reset, which orders it before fn) */
    quiet.report = c.report;
    assert_int_equal(go_timer_reset(t, 10000 * TU_MS), 0);
    t0 = go_nanotime();
    assert_int_equal(go_timer_reset(t, 10 * TU_MS), 1);
    assert_int_equal(chan_recv(c.report, &id), 1);
    assert_int_equal(atomic_load(&quiet.runs), 1);
    assert_true(quiet.at - t0 >= 10 * TU_MS);
    go_timer_free(t);
    chan_free(c.report);
}

/* An AfterFunc that re-arms its own timer (a periodic AfterFunc), and one
 * that frees its own timer: fn runs in a goroutine of its own, after the
 * timer is done with it. */
typedef struct rearm_ctx {
    go_timer_t *t;
    atomic_int runs;
    int bad;
    go_chan_t *done;
} rearm_ctx_t;

static void rearm_fn(void *p)
{
    rearm_ctx_t *c = p;
    int n = atomic_fetch_add(&c->runs, 1) + 1;
    if (go_timer_stop(c->t) != 0) /* it fired: nothing to stop */
        c->bad++;
    if (n < 5) {
        if (go_timer_reset(c->t, 2 * TU_MS) != 0)
            c->bad++;
    } else {
        chan_close(c->done);
    }
}

static void self_free_fn(void *p)
{
    rearm_ctx_t *c = p;
    atomic_fetch_add(&c->runs, 1);
    go_timer_free(c->t);
    chan_close(c->done);
}

static void test_timer_func_uses_its_timer(void **state)
{
    (void)state;
    rearm_ctx_t c;
    memset(&c, 0, sizeof c);
    c.done = chan_new(0, 0);
    assert_non_null(c.done);
    /* armed for 10 s, so it cannot fire before c.t is set; the reset arms it */
    c.t = go_timer_func(10000 * TU_MS, rearm_fn, &c);
    assert_non_null(c.t);
    assert_int_equal(go_timer_reset(c.t, 2 * TU_MS), 1);
    assert_int_equal(chan_recv(c.done, NULL), 0);
    assert_int_equal(atomic_load(&c.runs), 5);
    assert_int_equal(c.bad, 0);
    go_timer_free(c.t);
    chan_free(c.done);

    for (int i = 0; i < 20; i++) {
        memset(&c, 0, sizeof c);
        c.done = chan_new(0, 0);
        assert_non_null(c.done);
        c.t = go_timer_func(10000 * TU_MS, self_free_fn, &c);
        assert_non_null(c.t);
        assert_int_equal(go_timer_reset(c.t, i % 3), 1);
        assert_int_equal(chan_recv(c.done, NULL), 0);
        assert_int_equal(atomic_load(&c.runs), 1);
        chan_free(c.done);
    }
}

/* Freeing races firing: go_after channels, timers and tickers freed at
 * about the moment they fire (ASan and TSan watch the timer thread). */
typedef struct fire_race_ctx {
    int failed;
} fire_race_ctx_t;

static void fire_race_body(void *p)
{
    fire_race_ctx_t *c = p;
    for (int i = 0; i < 300; i++) {
        int64_t d = (int64_t)(i % 7) * 20000; /* 0 .. 120 us */
        go_chan_t *a = go_after(d);
        go_timer_t *t = go_timer_new(d);
        go_ticker_t *k = go_ticker_new(d + 10000);
        if (a == NULL || t == NULL || k == NULL) {
            c->failed++;
            return;
        }
        if (i % 2)
            go_yield();
        if (i % 5 == 0) {
            int64_t until = go_nanotime() + d;
            while (go_nanotime() < until) {
            }
        }
        chan_free(a);
        go_timer_free(t);
        go_ticker_free(k);
    }
}

static void test_free_races_firing(void **state)
{
    (void)state;
    enum { N = 6 };
    fire_race_ctx_t c[N];
    ct_task_t t[N];
    memset(c, 0, sizeof c);
    for (int i = 0; i < N; i++)
        assert_int_equal(ct_start(&t[i], i % 3 == 0 ? CT_THREAD : CT_GOROUTINE, fire_race_body, &c[i]), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(ct_join(&t[i]), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(c[i].failed, 0);
}

/* ------------------------------------------------------------------------ */
/* tickers                                                                  */

typedef struct tick_ctx {
    int64_t period;
    int rc[6];
    int64_t start, v[6], end;
    int stop_rc, len_after_stop, late_tick;
} tick_ctx_t;

static void tick_body(void *p)
{
    tick_ctx_t *c = p;
    c->start = go_nanotime();
    go_ticker_t *t = go_ticker_new(c->period);
    if (t == NULL) {
        c->rc[0] = -1000;
        return;
    }
    go_chan_t *ch = go_ticker_chan(t);
    for (int i = 0; i < 6; i++)
        c->rc[i] = recv_time(ch, &c->v[i]);
    c->end = go_nanotime();
    c->stop_rc = go_ticker_stop(t);
    /* a tick sent before the stop may be waiting: take it, then none more */
    chan_try_recv(ch, NULL, NULL);
    go_sleep(4 * c->period);
    c->len_after_stop = chan_len(ch);
    c->late_tick = go_ticker_stop(t); /* stopping twice is fine */
    go_ticker_free(t);
}

static void test_ticker_ticks_and_stops(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w++) {
        tick_ctx_t c;
        memset(&c, 0, sizeof c);
        c.period = 10 * TU_MS;
        ct_run((ct_where_t)w, tick_body, &c);
        for (int i = 0; i < 6; i++) {
            assert_int_equal(c.rc[i], 1);
            /* the i-th tick is never before start + (i+1) periods */
            if (c.v[i] < c.start + (i + 1) * c.period)
                fail_msg("%s: tick %d at %.3f ms, before %d periods", ct_where_name[w], i,
                         (c.v[i] - c.start) / 1e6, i + 1);
            if (i > 0 && c.v[i] <= c.v[i - 1])
                fail_msg("%s: tick %d not after tick %d", ct_where_name[w], i, i - 1);
        }
        ASSERT_NS_IN("6 ticks of 10 ms", c.end - c.start, 6 * c.period, 6 * c.period + SLACK_NS);
        assert_int_equal(c.stop_rc, 0);
        assert_int_equal(c.late_tick, 0);
        assert_int_equal(c.len_after_stop, 0);
    }
}

static void test_ticker_reset(void **state)
{
    (void)state;
    /* a slow ticker made fast: the next tick comes one new period later */
    go_ticker_t *t = go_ticker_new(10000 * TU_MS);
    assert_non_null(t);
    go_chan_t *ch = go_ticker_chan(t);
    assert_non_null(ch);
    assert_int_equal(chan_cap(ch), 1);
    assert_int_equal(chan_elem_size(ch), 8);
    int64_t t0 = go_nanotime();
    TU_ASSERT_OK(go_ticker_reset(t, 10 * TU_MS));
    int64_t v[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(recv_time(ch, &v[i]), 1);
    int64_t now = go_nanotime();
    ASSERT_NS_IN("3 ticks after reset to 10 ms", now - t0, 30 * TU_MS, 30 * TU_MS + SLACK_NS);
    assert_true(v[0] >= t0 + 10 * TU_MS);

    /* a fast one made slow: no tick for the new period */
    t0 = go_nanotime();
    TU_ASSERT_OK(go_ticker_reset(t, 120 * TU_MS));
    chan_try_recv(ch, NULL, NULL); /* a tick of the old period may wait */
    int64_t nv;
    assert_int_equal(recv_time(ch, &nv), 1);
    ASSERT_NS_IN("the first tick after reset to 120 ms", nv - t0, 120 * TU_MS, 120 * TU_MS + SLACK_NS);

    /* a stopped ticker restarts with reset */
    TU_ASSERT_OK(go_ticker_stop(t));
    chan_try_recv(ch, NULL, NULL);
    t0 = go_nanotime();
    TU_ASSERT_OK(go_ticker_reset_err(t, 5 * TU_MS));
    assert_int_equal(recv_time(ch, &nv), 1);
    assert_true(nv >= t0 + 5 * TU_MS);
    go_ticker_free(t);
}

static void test_ticker_drops_ticks(void **state)
{
    (void)state;
    /* nobody receives for 20 periods: one tick waits (the first: later ones
     * found the channel full and were dropped), never a backlog */
    int64_t t0 = go_nanotime();
    go_ticker_t *t = go_ticker_new(10 * TU_MS);
    assert_non_null(t);
    go_chan_t *ch = go_ticker_chan(t);
    go_sleep(200 * TU_MS);
    int64_t woke = go_nanotime();
    assert_int_equal(chan_len(ch), 1);
    int64_t stale = -1;
    int ok = -1;
    assert_int_equal(chan_try_recv(ch, &stale, &ok), 1);
    assert_int_equal(ok, 1);
    /* a ticker that kept the newest tick would show one at most a period
     * old; 3 periods leave the first tick 170 ms to be late on a loaded
     * machine */
    if (stale > woke - 30 * TU_MS)
        fail_msg("the waiting tick is %.3f ms old; the first tick (about 190 ms old) should have "
                 "stayed, the later ones dropped", (woke - stale) / 1e6);
    assert_true(stale >= t0 + 10 * TU_MS);
    /* the ticker goes on: a fresh tick, on the ticker's own schedule */
    int64_t fresh;
    assert_int_equal(recv_time(ch, &fresh), 1);
    assert_true(fresh >= woke - 10 * TU_MS);
    assert_true(fresh - stale >= 10 * TU_MS);
    go_ticker_free(t);
}

typedef struct tp_ctx {
    int64_t period;
    go_ticker_t *t;
    int reached;
    int rc;
} tp_ctx_t;

static void ticker_new_bad(void *p)
{
    tp_ctx_t *c = p;
    c->t = go_ticker_new(c->period);
    c->reached = 1;
}

static void ticker_reset_bad(void *p)
{
    tp_ctx_t *c = p;
    c->rc = go_ticker_reset(c->t, c->period);
    c->reached = 1;
}

typedef struct tp_run {
    go_fn_t fn;
    tp_ctx_t *c;
    ct_rec_t rec;
    int go_call_rc;
} tp_run_t;

static void tp_in_frame(void *p)
{
    tp_run_t *r = p;
    r->go_call_rc = ct_catch(r->fn, r->c, &r->rec);
}

static void test_ticker_bad_period(void **state)
{
    (void)state;
    static const int64_t bad[] = { 0, -1, INT64_MIN };
    go_ticker_t *live = go_ticker_new(10000 * TU_MS);
    assert_non_null(live);
    for (int w = 0; w < CT_WHERE_N; w++) {
        for (size_t k = 0; k < TU_ARRAY_LEN(bad); k++) {
            tp_ctx_t c = { bad[k], NULL, 0, -99 };
            tp_run_t r = { ticker_new_bad, &c, { 0 }, -1 };
            ct_run((ct_where_t)w, tp_in_frame, &r);
            if (c.reached)
                fail_msg("%s: go_ticker_new(%lld) returned %p", ct_where_name[w], (long long)bad[k],
                         (void *)c.t);
            CT_ASSERT_PANICKED(r.go_call_rc, r.rec, "non-positive interval for NewTicker");
            assert_int_equal(r.rec.is_runtime_error, 0); /* Go: an errors.New value */

            tp_ctx_t d = { bad[k], live, 0, -99 };
            tp_run_t s = { ticker_reset_bad, &d, { 0 }, -1 };
            ct_run((ct_where_t)w, tp_in_frame, &s);
            if (d.reached)
                fail_msg("%s: go_ticker_reset(%lld) returned %d", ct_where_name[w], (long long)bad[k], d.rc);
            CT_ASSERT_PANICKED(s.go_call_rc, s.rec, "non-positive interval for Ticker.Reset");
            assert_int_equal(s.rec.is_runtime_error, 0);

            errno = 0;
            assert_null(go_ticker_new_err(bad[k]));
            assert_int_equal(errno, EINVAL);
            TU_ASSERT_ERR(go_ticker_reset_err(live, bad[k]), GO_EINVAL);
        }
    }
    /* the failed resets changed nothing: the ticker still has its period
     * (a reset to 10 s restarted nothing), and a good reset works */
    assert_int_equal(chan_len(go_ticker_chan(live)), 0);
    int64_t t0 = go_nanotime();
    TU_ASSERT_OK(go_ticker_reset_err(live, 5 * TU_MS));
    int64_t v;
    assert_int_equal(recv_time(go_ticker_chan(live), &v), 1);
    assert_true(v >= t0 + 5 * TU_MS);
    go_ticker_free(live);

    /* a ticker that is still running when reset fails keeps ticking */
    go_ticker_t *fast = go_ticker_new(5 * TU_MS);
    assert_non_null(fast);
    TU_ASSERT_ERR(go_ticker_reset_err(fast, 0), GO_EINVAL);
    chan_try_recv(go_ticker_chan(fast), NULL, NULL);
    t0 = go_nanotime();
    assert_int_equal(recv_time(go_ticker_chan(fast), &v), 1);
    ASSERT_NS_IN("a tick after a failed reset", go_nanotime() - t0, 0, SLACK_NS);
    go_ticker_free(fast);
}

/* Durations at the ends of the range: INT64_MAX never fires (no overflow
 * into the past), and a 1 us ticker, faster than anyone receives, neither
 * piles up ticks nor starves the other timers. */
typedef struct fast_tick_ctx {
    int ticks;
    int rc_bad;
} fast_tick_ctx_t;

static void fast_tick_body(void *p)
{
    fast_tick_ctx_t *c = p;
    go_ticker_t *t = go_ticker_new(1000);
    if (t == NULL) {
        c->rc_bad = -1;
        return;
    }
    for (int i = 0; i < 300; i++) {
        if (chan_recv(go_ticker_chan(t), NULL) != 1)
            c->rc_bad++;
        c->ticks++;
        if (chan_len(go_ticker_chan(t)) > 1)
            c->rc_bad++;
    }
    go_ticker_free(t);
}

static void test_extreme_durations(void **state)
{
    (void)state;
    go_chan_t *after = go_after(INT64_MAX);
    go_timer_t *timer = go_timer_new(INT64_MAX);
    go_ticker_t *ticker = go_ticker_new(INT64_MAX);
    assert_non_null(after);
    assert_non_null(timer);
    assert_non_null(ticker);
    go_timer_t *pending = go_timer_new(10000 * TU_MS);
    assert_non_null(pending);
    assert_int_equal(go_timer_reset(pending, INT64_MAX), 1);
    TU_ASSERT_OK(go_ticker_reset(ticker, INT64_MAX - 1));
    go_sleep(30 * TU_MS);
    assert_int_equal(chan_len(after), 0);
    assert_int_equal(chan_len(go_timer_chan(timer)), 0);
    assert_int_equal(chan_len(go_timer_chan(pending)), 0);
    assert_int_equal(chan_len(go_ticker_chan(ticker)), 0);
    assert_int_equal(go_timer_stop(timer), 1);
    assert_int_equal(go_timer_stop(pending), 1);
    chan_free(after);
    go_timer_free(timer);
    go_timer_free(pending);
    go_ticker_free(ticker);

    /* a 1 us ticker in a goroutine and on a thread, beside a sleep */
    fast_tick_ctx_t c[2];
    memset(c, 0, sizeof c);
    ct_task_t t[2];
    assert_int_equal(ct_start(&t[0], CT_GOROUTINE, fast_tick_body, &c[0]), 0);
    assert_int_equal(ct_start(&t[1], CT_THREAD, fast_tick_body, &c[1]), 0);
    int64_t t0 = go_nanotime();
    go_sleep(20 * TU_MS);
    ASSERT_NS_IN("a 20 ms sleep beside 1 us tickers", go_nanotime() - t0, 20 * TU_MS, 20 * TU_MS + SLACK_NS);
    assert_int_equal(ct_join(&t[0]), 0);
    assert_int_equal(ct_join(&t[1]), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(c[i].rc_bad, 0);
        assert_int_equal(c[i].ticks, 300);
    }
}

/* ------------------------------------------------------------------------ */
/* select with a timeout                                                    */

typedef struct to_ctx {
    go_chan_t *data;
    int rc_timeout, rc_data;
    int64_t took_timeout, fired_value, start, data_value;
    int data_ok;
} to_ctx_t;

static void to_sender(void *p)
{
    go_chan_t *ch = p;
    int64_t v = 4242;
    chan_send(ch, &v);
}

static void timeout_body(void *p)
{
    to_ctx_t *c = p;
    /* nothing comes: the timeout case fires */
    c->start = go_nanotime();
    go_chan_t *after = go_after(20 * TU_MS);
    int64_t got = -1, fired = -1;
    go_select_case_t cs[] = {
        { .chan = c->data, .dir = GO_SELECT_RECV, .value = &got },
        { .chan = after, .dir = GO_SELECT_RECV, .value = &fired },
    };
    c->rc_timeout = go_select(cs, 2);
    c->took_timeout = go_nanotime() - c->start;
    c->fired_value = fired;
    chan_free(after);

    /* data comes first: the timeout never fires (its channel is freed
     * before it would) */
    after = go_after(10000 * TU_MS);
    go_timer_t *timer = go_timer_new(10000 * TU_MS);
    go_spawn(to_sender, c->data);
    go_select_case_t cs2[] = {
        { .chan = after, .dir = GO_SELECT_RECV, .value = &fired },
        { .chan = c->data, .dir = GO_SELECT_RECV, .value = &got },
        { .chan = go_timer_chan(timer), .dir = GO_SELECT_RECV, .value = &fired },
    };
    c->rc_data = go_select(cs2, 3);
    c->data_value = got;
    c->data_ok = cs2[1].ok;
    chan_free(after);
    go_timer_free(timer);
}

static void test_select_timeout(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w++) {
        to_ctx_t c;
        memset(&c, 0, sizeof c);
        c.data = chan_new(sizeof(int64_t), 0);
        assert_non_null(c.data);
        ct_run((ct_where_t)w, timeout_body, &c);
        assert_int_equal(c.rc_timeout, 1);
        ASSERT_NS_IN("select timeout of 20 ms", c.took_timeout, 20 * TU_MS, 20 * TU_MS + SLACK_NS);
        assert_true(c.fired_value >= c.start + 20 * TU_MS);
        assert_int_equal(c.rc_data, 1);
        assert_int_equal(c.data_value, 4242);
        assert_int_equal(c.data_ok, 1);
        chan_free(c.data);
    }
}

/* A goroutine and a foreign thread each wait on their own timer inside a
 * select loop, with a ticker as a heartbeat: many timer channels at once. */
typedef struct hb_ctx {
    int beats;
    int rc;
    int64_t took;
    int64_t first; /* when the first select began, from the start */
} hb_ctx_t;

static void heartbeat_body(void *p)
{
    hb_ctx_t *c = p;
    int64_t t0 = go_nanotime();
    go_ticker_t *tick = go_ticker_new(4 * TU_MS);
    go_timer_t *stop = go_timer_new(60 * TU_MS);
    c->rc = -1;
    c->first = -1;
    for (;;) {
        if (c->first < 0)
            c->first = go_nanotime() - t0;
        go_select_case_t cs[] = {
            { .chan = go_ticker_chan(tick), .dir = GO_SELECT_RECV },
            { .chan = go_timer_chan(stop), .dir = GO_SELECT_RECV },
        };
        int rc = go_select(cs, 2);
        if (rc == 0) {
            c->beats++;
        } else {
            c->rc = rc;
            break;
        }
    }
    c->took = go_nanotime() - t0;
    go_ticker_free(tick);
    go_timer_free(stop);
}

static void test_heartbeat_select(void **state)
{
    (void)state;
    hb_ctx_t c[CT_WHERE_N];
    ct_task_t t[CT_WHERE_N];
    memset(c, 0, sizeof c);
    for (int w = CT_THREAD; w < CT_WHERE_N; w++)
        assert_int_equal(ct_start(&t[w], (ct_where_t)w, heartbeat_body, &c[w]), 0);
    heartbeat_body(&c[CT_TEST_THREAD]);
    for (int w = CT_THREAD; w < CT_WHERE_N; w++)
        assert_int_equal(ct_join(&t[w]), 0);
    for (int w = 0; w < CT_WHERE_N; w++) {
        assert_int_equal(c[w].rc, 1);
        ASSERT_NS_IN("a 60 ms timer beside a ticker", c[w].took, 60 * TU_MS, 60 * TU_MS + SLACK_NS);
        /* some ticks arrived, and no more than fired while the loop ran
         * (15 in 60 ms; more when the loop was late: once stop is ready, a
         * ready tick still wins half of the selects). No tick at all is
         * right only for a loop that began once stop was ready (a stalled
         * thread): then the first select may take stop. */
        if ((c[w].beats < 1 && c[w].first < 50 * TU_MS) || c[w].beats > c[w].took / (4 * TU_MS))
            fail_msg("%s: %d beats of 4 ms in %.1f ms (first select at %.1f ms)", ct_where_name[w],
                     c[w].beats, c[w].took / 1e6, c[w].first / 1e6);
    }
}

/* ------------------------------------------------------------------------ */
/* unrecovered ticker panics (in children)                                  */

static void main_ticker_zero(void *p)
{
    (void)p;
    go_ticker_new(0);
}

static void main_ticker_reset_negative(void *p)
{
    (void)p;
    go_ticker_t *t = go_ticker_new(1000 * TU_MS);
    go_ticker_reset(t, -1);
}

static void test_unrecovered_ticker_panics(void **state)
{
    (void)state;
    ct_expect_death(main_ticker_zero, "panic: non-positive interval for NewTicker\n\ngoroutine ", 1);
    ct_expect_death(main_ticker_reset_negative, "panic: non-positive interval for Ticker.Reset\n\ngoroutine ", 1);
}

/* ------------------------------------------------------------------------ */

static void test_no_goroutine_leaked(void **state)
{
    (void)state;
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    if (getenv("CHAN_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("CHAN_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_nanotime_monotonic),
        TU_TEST(test_sleep_durations),
        TU_TEST(test_many_sleepers),
        TU_TEST(test_after_fires_once),
        TU_TEST(test_after_freed_before_firing),
        TU_TEST(test_timer_stop_reset),
        TU_TEST(test_timer_handles_einval),
        TU_TEST(test_timers_fire_in_deadline_order),
        TU_TEST(test_timer_churn),
        TU_TEST(test_threads_sleep_concurrently),
        TU_TEST(test_timer_func),
        TU_TEST(test_timer_func_uses_its_timer),
        TU_TEST(test_free_races_firing),
        TU_TEST(test_ticker_ticks_and_stops),
        TU_TEST(test_ticker_reset),
        TU_TEST(test_ticker_drops_ticks),
        TU_TEST(test_ticker_bad_period),
        TU_TEST(test_extreme_durations),
        TU_TEST(test_select_timeout),
        TU_TEST(test_heartbeat_select),
        TU_TEST(test_unrecovered_ticker_panics),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
