/* test_wg.c - sync.WaitGroup (gort/sync.h): add/done/wait between
 * goroutines and foreign threads, reuse, errors. The panics (negative
 * counter) are in test_death.c.
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

#include <cmocka.h>

#include "gort_test.h"

static void done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* ------------------------------------------------------------------------ */

enum { BASIC_N = 3 };

typedef struct basic_ctx {
    go_wg_t *wg;
    int work[BASIC_N]; /* plain ints: wg_wait must order them (happens-before) */
} basic_ctx_t;

typedef struct basic_arg {
    basic_ctx_t *c;
    int i;
} basic_arg_t;

static void basic_worker(void *p)
{
    basic_arg_t *a = p;
    a->c->work[a->i] = 100 + a->i;
    wg_done(a->c->wg);
}

static void test_basic(void **state)
{
    (void)state;
    basic_ctx_t c;
    memset(&c, 0, sizeof c);
    basic_arg_t args[BASIC_N];
    c.wg = wg_new();
    assert_non_null(c.wg);
    assert_int_equal(wg_add(c.wg, BASIC_N), 0);
    for (int i = 0; i < BASIC_N; i++) {
        args[i].c = &c;
        args[i].i = i;
        TU_ASSERT_OK(go_spawn(basic_worker, &args[i]));
    }
    assert_int_equal(wg_wait(c.wg), 0);
    for (int i = 0; i < BASIC_N; i++)
        assert_int_equal(c.work[i], 100 + i);
    /* after the wait the counter is zero: waiting again returns at once */
    assert_int_equal(wg_wait(c.wg), 0);
    wg_free(c.wg);
}

static void test_add_negative_delta_and_zero(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    assert_int_equal(wg_add(wg, 0), 0);
    assert_int_equal(wg_wait(wg), 0);
    assert_int_equal(wg_add(wg, 10), 0);
    assert_int_equal(wg_add(wg, 0), 0);
    assert_int_equal(wg_add(wg, -4), 0);
    assert_int_equal(wg_done(wg), 0);
    assert_int_equal(wg_add(wg, -5), 0); /* reaches zero */
    assert_int_equal(wg_wait(wg), 0);
    wg_free(wg);
}

/* ------------------------------------------------------------------------ */

typedef struct zero_ctx {
    go_wg_t *zero;
    go_wg_t *done;
    int rc;
} zero_ctx_t;

static void wait_on_zero(void *p)
{
    zero_ctx_t *c = p;
    c->rc = wg_wait(c->zero) | wg_wait(c->zero);
    wg_done(c->done);
}

static void test_wait_on_zero(void **state)
{
    (void)state;
    zero_ctx_t c = { wg_new(), wg_new(), -1 };
    assert_non_null(c.zero);
    assert_non_null(c.done);
    /* from the test thread */
    for (int i = 0; i < 100; i++)
        assert_int_equal(wg_wait(c.zero), 0);
    /* from a goroutine */
    assert_int_equal(wg_add(c.done, 1), 0);
    TU_ASSERT_OK(go_spawn(wait_on_zero, &c));
    assert_int_equal(wg_wait(c.done), 0);
    assert_int_equal(c.rc, 0);
    wg_free(c.zero);
    wg_free(c.done);
}

/* ------------------------------------------------------------------------ */
/* reuse: Add, spawn, Wait, 1000 times on the same WaitGroup                */

typedef struct reuse_ctx {
    go_wg_t *wg;
    int done_count; /* plain: ordered by the WaitGroup */
    pthread_mutex_t mu;
} reuse_ctx_t;

static reuse_ctx_t rc_ = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void reuse_worker(void *p)
{
    (void)p;
    pthread_mutex_lock(&rc_.mu);
    rc_.done_count++;
    pthread_mutex_unlock(&rc_.mu);
    wg_done(rc_.wg);
}

static void test_reuse(void **state)
{
    (void)state;
    rc_.wg = wg_new();
    assert_non_null(rc_.wg);
    rc_.done_count = 0;
    for (int round = 1; round <= 1000; round++) {
        TU_ASSERT_OK(wg_add(rc_.wg, 2));
        TU_ASSERT_OK(go_spawn(reuse_worker, NULL));
        TU_ASSERT_OK(go_spawn(reuse_worker, NULL));
        TU_ASSERT_OK(wg_wait(rc_.wg));
        pthread_mutex_lock(&rc_.mu);
        int n = rc_.done_count;
        pthread_mutex_unlock(&rc_.mu);
        if (n != 2 * round)
            fail_msg("round %d: %d goroutines done after wg_wait, expected %d", round, n,
                     2 * round);
    }
    wg_free(rc_.wg);
}

/* the same from inside a goroutine (a goroutine that parks and is woken
 * 1000 times) */
typedef struct reuse_g_ctx {
    go_wg_t *outer;
    int failures;
} reuse_g_ctx_t;

static void reuse_driver(void *p)
{
    reuse_g_ctx_t *c = p;
    for (int round = 1; round <= 1000; round++) {
        if (wg_add(rc_.wg, 2) != 0 || go_spawn(reuse_worker, NULL) < 1 ||
            go_spawn(reuse_worker, NULL) < 1 || wg_wait(rc_.wg) != 0) {
            c->failures++;
            break;
        }
        pthread_mutex_lock(&rc_.mu);
        if (rc_.done_count != 2 * round)
            c->failures++;
        pthread_mutex_unlock(&rc_.mu);
    }
    wg_done(c->outer);
}

static void test_reuse_from_goroutine(void **state)
{
    (void)state;
    rc_.wg = wg_new();
    assert_non_null(rc_.wg);
    rc_.done_count = 0;
    reuse_g_ctx_t c = { wg_new(), 0 };
    assert_non_null(c.outer);
    TU_ASSERT_OK(wg_add(c.outer, 1));
    TU_ASSERT_OK(go_spawn(reuse_driver, &c));
    TU_ASSERT_OK(wg_wait(c.outer));
    assert_int_equal(c.failures, 0);
    assert_int_equal(rc_.done_count, 2000);
    wg_free(c.outer);
    wg_free(rc_.wg);
}

/* ------------------------------------------------------------------------ */
/* Go's TestWaitGroup: a barrier must not release anyone too soon           */

enum { BARRIER_N = 16 };

typedef struct barrier_ctx {
    go_wg_t *wg1, *wg2, *exited_wg;
    atomic_int exited;
} barrier_ctx_t;

static barrier_ctx_t bc;

static void barrier_worker(void *p)
{
    (void)p;
    wg_done(bc.wg1);
    wg_wait(bc.wg2);
    atomic_fetch_add(&bc.exited, 1);
    wg_done(bc.exited_wg);
}

static void test_go_barrier(void **state)
{
    (void)state;
    for (int rep = 0; rep < 20; rep++) {
        bc.wg1 = wg_new();
        bc.wg2 = wg_new();
        bc.exited_wg = wg_new();
        assert_non_null(bc.wg1);
        assert_non_null(bc.wg2);
        assert_non_null(bc.exited_wg);
        atomic_store(&bc.exited, 0);
        TU_ASSERT_OK(wg_add(bc.wg1, BARRIER_N));
        TU_ASSERT_OK(wg_add(bc.wg2, BARRIER_N));
        TU_ASSERT_OK(wg_add(bc.exited_wg, BARRIER_N));
        for (int i = 0; i < BARRIER_N; i++)
            TU_ASSERT_OK(go_spawn(barrier_worker, NULL));
        TU_ASSERT_OK(wg_wait(bc.wg1));
        for (int i = 0; i < BARRIER_N; i++) {
            if (atomic_load(&bc.exited) != 0)
                fail_msg("WaitGroup released group too soon");
            TU_ASSERT_OK(wg_done(bc.wg2));
        }
        TU_ASSERT_OK(wg_wait(bc.exited_wg)); /* blocks if someone was never released */
        assert_int_equal(atomic_load(&bc.exited), BARRIER_N);
        wg_free(bc.wg1);
        wg_free(bc.wg2);
        wg_free(bc.exited_wg);
    }
}

/* ------------------------------------------------------------------------ */
/* foreign threads and goroutines waking each other                         */

enum { FW_THREADS = 4, FW_GOROUTINES = 32, MANY_G = 300, MANY_T = 4 };

typedef struct cross_ctx {
    go_wg_t *gate;      /* waited on */
    go_wg_t *finished;  /* every waiter marks it done */
    int payload;        /* written before the gate opens, plain */
    int seen[MANY_T + MANY_G]; /* one slot per waiter */
    int rcs[MANY_T + MANY_G];
} cross_ctx_t;

static cross_ctx_t xc;

static void *foreign_waiter(void *p)
{
    int i = (int)(intptr_t)p;
    xc.rcs[i] = wg_wait(xc.gate);
    xc.seen[i] = xc.payload;
    wg_done(xc.finished);
    return NULL;
}

static void goroutine_waiter(void *p)
{
    int i = (int)(intptr_t)p;
    xc.rcs[i] = wg_wait(xc.gate);
    xc.seen[i] = xc.payload;
    wg_done(xc.finished);
}

static void goroutine_opener(void *p)
{
    (void)p;
    xc.payload = 4242;
    wg_done(xc.gate);
}

static void *foreign_opener(void *p)
{
    (void)p;
    xc.payload = 4343;
    wg_done(xc.gate);
    return NULL;
}

static void cross_setup(void)
{
    memset(&xc, 0, sizeof xc);
    xc.gate = wg_new();
    xc.finished = wg_new();
    assert_non_null(xc.gate);
    assert_non_null(xc.finished);
    TU_ASSERT_OK(wg_add(xc.gate, 1));
}

/* foreign threads blocked in wg_wait, released by a goroutine */
static void test_foreign_waiters_goroutine_releases(void **state)
{
    (void)state;
    cross_setup();
    TU_ASSERT_OK(wg_add(xc.finished, FW_THREADS));
    pthread_t th[FW_THREADS];
    for (int i = 0; i < FW_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, foreign_waiter, (void *)(intptr_t)i), 0);
    TU_ASSERT_OK(go_spawn(goroutine_opener, NULL));
    TU_ASSERT_OK(wg_wait(xc.finished));
    for (int i = 0; i < FW_THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(xc.rcs[i], 0);
        assert_int_equal(xc.seen[i], 4242);
    }
    wg_free(xc.gate);
    wg_free(xc.finished);
}

/* goroutines parked in wg_wait, released by a foreign thread */
static void test_goroutine_waiters_foreign_releases(void **state)
{
    (void)state;
    cross_setup();
    TU_ASSERT_OK(wg_add(xc.finished, FW_GOROUTINES));
    for (int i = 0; i < FW_GOROUTINES; i++)
        TU_ASSERT_OK(go_spawn(goroutine_waiter, (void *)(intptr_t)i));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, foreign_opener, NULL), 0);
    TU_ASSERT_OK(wg_wait(xc.finished));
    assert_int_equal(pthread_join(t, NULL), 0);
    for (int i = 0; i < FW_GOROUTINES; i++) {
        assert_int_equal(xc.rcs[i], 0);
        assert_int_equal(xc.seen[i], 4343);
    }
    wg_free(xc.gate);
    wg_free(xc.finished);
}

/* the test thread itself releasing parked goroutines, and a goroutine
 * waiting for a foreign thread's work */
static void *foreign_worker(void *p)
{
    (void)p;
    xc.payload = 77;
    wg_done(xc.gate);
    return NULL;
}

typedef struct gwf_ctx {
    go_wg_t *done;
    int seen;
} gwf_ctx_t;

static void wait_for_foreign(void *p)
{
    gwf_ctx_t *c = p;
    pthread_t t;
    if (pthread_create(&t, NULL, foreign_worker, NULL) == 0) {
        wg_wait(xc.gate);
        c->seen = xc.payload;
        pthread_join(t, NULL);
    }
    wg_done(c->done);
}

static void test_goroutine_waits_for_thread_it_started(void **state)
{
    (void)state;
    cross_setup();
    gwf_ctx_t c = { wg_new(), 0 };
    assert_non_null(c.done);
    TU_ASSERT_OK(wg_add(c.done, 1));
    TU_ASSERT_OK(go_spawn(wait_for_foreign, &c));
    TU_ASSERT_OK(wg_wait(c.done));
    assert_int_equal(c.seen, 77);
    wg_free(c.done);
    wg_free(xc.gate);
    wg_free(xc.finished);
}

/* ------------------------------------------------------------------------ */
/* many waiters on one WaitGroup, all released by one wg_done              */

static void test_many_waiters(void **state)
{
    (void)state;
    cross_setup();
    TU_ASSERT_OK(wg_add(xc.finished, MANY_G + MANY_T));
    for (int r = 0; r < 3; r++) {
        /* rounds: the gate is reused once everyone has returned */
        if (r > 0) {
            TU_ASSERT_OK(wg_add(xc.gate, 1));
            TU_ASSERT_OK(wg_add(xc.finished, MANY_G + MANY_T));
        }
        pthread_t th[MANY_T];
        for (int i = 0; i < MANY_T; i++)
            assert_int_equal(pthread_create(&th[i], NULL, foreign_waiter, (void *)(intptr_t)i), 0);
        for (int i = 0; i < MANY_G; i++)
            TU_ASSERT_OK(go_spawn(goroutine_waiter, (void *)(intptr_t)(MANY_T + i)));
        xc.payload = 5000 + r;
        TU_ASSERT_OK(wg_done(xc.gate));
        TU_ASSERT_OK(wg_wait(xc.finished));
        for (int i = 0; i < MANY_T; i++)
            assert_int_equal(pthread_join(th[i], NULL), 0);
        for (int i = 0; i < MANY_T + MANY_G; i++) {
            assert_int_equal(xc.rcs[i], 0);
            assert_int_equal(xc.seen[i], 5000 + r);
        }
    }
    wg_free(xc.gate);
    wg_free(xc.finished);
}

/* ------------------------------------------------------------------------ */
/* a stress round: Go's TestWaitGroupRace                                   */

typedef struct race_ctx {
    go_wg_t *wg;
    atomic_int n;
} race_ctx_t;

static race_ctx_t rac;

static void race_worker(void *p)
{
    (void)p;
    atomic_fetch_add(&rac.n, 1);
    wg_done(rac.wg);
}

static void test_race(void **state)
{
    (void)state;
    for (int i = 0; i < 1000; i++) {
        rac.wg = wg_new();
        assert_non_null(rac.wg);
        atomic_store(&rac.n, 0);
        TU_ASSERT_OK(wg_add(rac.wg, 1));
        TU_ASSERT_OK(go_spawn(race_worker, NULL));
        TU_ASSERT_OK(wg_add(rac.wg, 1));
        TU_ASSERT_OK(go_spawn(race_worker, NULL));
        TU_ASSERT_OK(wg_wait(rac.wg));
        if (atomic_load(&rac.n) != 2)
            fail_msg("iteration %d: spurious wakeup, n = %d", i, atomic_load(&rac.n));
        wg_free(rac.wg);
    }
}

/* ------------------------------------------------------------------------ */
/* errors                                                                   */

static void test_null_handle(void **state)
{
    (void)state;
    TU_ASSERT_ERR(wg_add(NULL, 1), GO_EINVAL);
    TU_ASSERT_ERR(wg_add(NULL, 0), GO_EINVAL);
    TU_ASSERT_ERR(wg_add(NULL, -1), GO_EINVAL);
    TU_ASSERT_ERR(wg_done(NULL), GO_EINVAL);
    TU_ASSERT_ERR(wg_wait(NULL), GO_EINVAL);
    wg_free(NULL);
}

static void test_overflow(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);

    /* delta out of the int32 range */
    TU_ASSERT_ERR(wg_add(wg, (int64_t)INT32_MAX + 1), GO_EOVERFLOW);
    TU_ASSERT_ERR(wg_add(wg, INT64_MAX), GO_EOVERFLOW);
    TU_ASSERT_ERR(wg_add(wg, (int64_t)INT32_MIN - 1), GO_EOVERFLOW);
    TU_ASSERT_ERR(wg_add(wg, INT64_MIN), GO_EOVERFLOW);
    /* the failed calls left the counter at zero */
    assert_int_equal(wg_wait(wg), 0);

    /* counter overflow */
    TU_ASSERT_OK(wg_add(wg, 5));
    TU_ASSERT_ERR(wg_add(wg, INT32_MAX), GO_EOVERFLOW);
    TU_ASSERT_ERR(wg_add(wg, INT32_MAX - 4), GO_EOVERFLOW);
    TU_ASSERT_OK(wg_add(wg, INT32_MAX - 5)); /* exactly INT32_MAX */
    TU_ASSERT_ERR(wg_add(wg, 1), GO_EOVERFLOW);
    TU_ASSERT_OK(wg_add(wg, -(INT32_MAX - 5)));
    /* back at 5: five dones release a waiter */
    go_wg_t *done = wg_new();
    assert_non_null(done);
    TU_ASSERT_OK(wg_add(done, 5));
    for (int i = 0; i < 5; i++) {
        TU_ASSERT_OK(go_spawn(done_fn, wg));
        TU_ASSERT_OK(go_spawn(done_fn, done));
    }
    TU_ASSERT_OK(wg_wait(wg));
    TU_ASSERT_OK(wg_wait(done));

    /* the full int32 range in one step each way */
    TU_ASSERT_OK(wg_add(wg, INT32_MAX));
    TU_ASSERT_OK(wg_add(wg, -INT32_MAX));
    assert_int_equal(wg_wait(wg), 0);
    wg_free(wg);
    wg_free(done);
}

static void test_new_free(void **state)
{
    (void)state;
    go_wg_t *a = wg_new(), *b = wg_new();
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    wg_free(a);
    wg_free(b);
    /* new/free many times */
    for (int i = 0; i < 20000; i++) {
        go_wg_t *w = wg_new();
        if (w == NULL)
            fail_msg("wg_new failed at %d: errno %d", i, errno);
        if (i % 2) {
            TU_ASSERT_OK(wg_add(w, 1));
            TU_ASSERT_OK(wg_done(w));
        }
        wg_free(w);
    }
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_basic),
        TU_TEST(test_add_negative_delta_and_zero),
        TU_TEST(test_wait_on_zero),
        TU_TEST(test_reuse),
        TU_TEST(test_reuse_from_goroutine),
        TU_TEST(test_go_barrier),
        TU_TEST(test_foreign_waiters_goroutine_releases),
        TU_TEST(test_goroutine_waiters_foreign_releases),
        TU_TEST(test_goroutine_waits_for_thread_it_started),
        TU_TEST(test_many_waiters),
        TU_TEST(test_race),
        TU_TEST(test_null_handle),
        TU_TEST(test_overflow),
        TU_TEST(test_new_free),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
