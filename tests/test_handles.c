/* test_handles.c - what the C API does with handles that are not live
 * objects (core/handle.hpp): freed ones (a second free is ignored, every
 * other call returns GO_EINVAL), handles of another type and misaligned
 * garbage (GO_EINVAL, with no sanitizer report: the check reads nothing
 * through a typed pointer); a freed slot is not handed out again right away
 * (the quarantine); memory stays bounded; handles created and freed from
 * many goroutines and threads at once, and across fork. Also go_main from a
 * pinned goroutine (GO_EPERM).
 *
 * Each test uses a freed handle only right after freeing it: a slot is
 * reused once a few hundred later frees of its type came after it, and then
 * the old handle names the new object (documented in the headers).
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <errno.h>
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

static int light(void)
{
    const char *e = getenv("GORT_TEST_LIGHT");
    return e != NULL && e[0] == '1';
}

static void nop_fn(void *arg)
{
    (void)arg;
}

/* ------------------------------------------------------------------------ */
/* freed handles: a second free is ignored, every call returns GO_EINVAL     */

static void test_chan_freed(void **state)
{
    (void)state;
    go_chan_t *c = chan_new(sizeof(int64_t), 2);
    assert_non_null(c);
    int64_t v = 7;
    TU_ASSERT_OK(chan_send(c, &v));
    chan_free(c);
    chan_free(c); /* ignored: before the handle pool, glibc's "double free" abort */
    TU_ASSERT_ERR(chan_send(c, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_send_err(c, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_send(c, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_send_err(c, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_recv(c, &v), GO_EINVAL);
    int ok = 5;
    TU_ASSERT_ERR(chan_try_recv(c, &v, &ok), GO_EINVAL);
    assert_int_equal(ok, 5);
    TU_ASSERT_ERR(chan_close(c), GO_EINVAL);
    TU_ASSERT_ERR(chan_close_err(c), GO_EINVAL);
    TU_ASSERT_ERR(chan_len(c), GO_EINVAL);
    TU_ASSERT_ERR(chan_cap(c), GO_EINVAL);
    TU_ASSERT_ERR(chan_elem_size(c), GO_EINVAL);
    go_select_case_t cases[2] = {
        {.chan = c, .dir = GO_SELECT_RECV, .value = &v},
        {.dir = GO_SELECT_DEFAULT},
    };
    TU_ASSERT_ERR(go_select(cases, 2), GO_EINVAL);
    cases[0].dir = GO_SELECT_SEND;
    TU_ASSERT_ERR(go_select_err(cases, 2), GO_EINVAL);
    chan_free(c); /* a third time: still ignored */

    /* A large buffer: with the header and the buffer in one malloc'd block,
     * that block went back to the system (munmap) on the first free, and
     * the second one read unmapped memory. The header is a pool slot now. */
    c = chan_new(1024, 512);
    assert_non_null(c);
    chan_free(c);
    chan_free(c);
    TU_ASSERT_ERR(chan_cap(c), GO_EINVAL);
}

static void test_unbuffered_and_after_freed(void **state)
{
    (void)state;
    go_chan_t *c = chan_new(0, 0);
    assert_non_null(c);
    chan_free(c);
    chan_free(c);
    TU_ASSERT_ERR(chan_try_send_err(c, NULL), GO_EINVAL);
    /* go_after's channel: the caller's, with a timer attached */
    go_chan_t *a = go_after(3600LL * 1000 * TU_MS);
    assert_non_null(a);
    chan_free(a); /* cancels the timer */
    chan_free(a);
    TU_ASSERT_ERR(chan_len(a), GO_EINVAL);
}

static void test_mutex_freed(void **state)
{
    (void)state;
    go_mutex_t *m = mutex_new();
    assert_non_null(m);
    TU_ASSERT_OK(mutex_lock(m));
    TU_ASSERT_OK(mutex_unlock(m));
    mutex_free(m);
    mutex_free(m); /* ignored */
    TU_ASSERT_ERR(mutex_lock(m), GO_EINVAL);
    TU_ASSERT_ERR(mutex_trylock(m), GO_EINVAL);
    TU_ASSERT_ERR(mutex_unlock(m), GO_EINVAL);
    TU_ASSERT_ERR(mutex_unlock_err(m), GO_EINVAL);
    errno = 0;
    assert_null(cond_new(m));
    assert_int_equal(errno, EINVAL);
}

static void test_rwmutex_freed(void **state)
{
    (void)state;
    go_rwmutex_t *rw = rwmutex_new();
    assert_non_null(rw);
    rwmutex_free(rw);
    rwmutex_free(rw); /* ignored */
    TU_ASSERT_ERR(rwmutex_rlock(rw), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_tryrlock(rw), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_runlock(rw), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_lock(rw), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_trylock(rw), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_unlock(rw), GO_EINVAL);
}

static int once_calls;
static void once_fn(void *arg)
{
    (void)arg;
    once_calls++;
}

static void test_once_freed(void **state)
{
    (void)state;
    go_once_t *o = once_new();
    assert_non_null(o);
    once_calls = 0;
    TU_ASSERT_OK(once_do(o, once_fn, NULL));
    once_free(o);
    once_free(o); /* ignored */
    TU_ASSERT_ERR(once_do(o, once_fn, NULL), GO_EINVAL);
    assert_int_equal(once_calls, 1);
}

static void test_cond_freed(void **state)
{
    (void)state;
    go_mutex_t *m = mutex_new();
    assert_non_null(m);
    go_cond_t *c = cond_new(m);
    assert_non_null(c);
    cond_free(c);
    cond_free(c); /* ignored */
    TU_ASSERT_ERR(cond_signal(c), GO_EINVAL);
    TU_ASSERT_ERR(cond_broadcast(c), GO_EINVAL);
    TU_ASSERT_ERR(cond_wait(c), GO_EINVAL);
    /* a live Cond whose mutex was freed first */
    c = cond_new(m);
    assert_non_null(c);
    mutex_free(m);
    TU_ASSERT_ERR(cond_wait(c), GO_EINVAL);
    TU_ASSERT_OK(cond_signal(c));
    cond_free(c);
}

static void test_wg_freed(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    TU_ASSERT_OK(wg_add(wg, 1));
    TU_ASSERT_OK(wg_done(wg));
    wg_free(wg);
    wg_free(wg); /* ignored */
    TU_ASSERT_ERR(wg_add(wg, 1), GO_EINVAL);
    TU_ASSERT_ERR(wg_done(wg), GO_EINVAL);
    TU_ASSERT_ERR(wg_wait(wg), GO_EINVAL);
    TU_ASSERT_ERR(wg_add_err(wg, 1), GO_EINVAL);
    TU_ASSERT_ERR(wg_done_err(wg), GO_EINVAL);
    TU_ASSERT_ERR(wg_wait_err(wg), GO_EINVAL);
}

static void test_timer_freed(void **state)
{
    (void)state;
    go_timer_t *t = go_timer_new(3600LL * 1000 * TU_MS);
    assert_non_null(t);
    go_chan_t *tc = go_timer_chan(t);
    assert_non_null(tc);
    go_timer_free(t);
    go_timer_free(t); /* ignored */
    TU_ASSERT_ERR(go_timer_stop(t), GO_EINVAL);
    TU_ASSERT_ERR(go_timer_reset(t, TU_MS), GO_EINVAL);
    assert_null(go_timer_chan(t));
    TU_ASSERT_ERR(chan_len(tc), GO_EINVAL); /* its channel went with it */

    t = go_timer_func(3600LL * 1000 * TU_MS, nop_fn, NULL);
    assert_non_null(t);
    go_timer_free(t);
    go_timer_free(t);
    TU_ASSERT_ERR(go_timer_stop(t), GO_EINVAL);
}

static void test_ticker_freed(void **state)
{
    (void)state;
    go_ticker_t *t = go_ticker_new(3600LL * 1000 * TU_MS);
    assert_non_null(t);
    go_ticker_free(t);
    go_ticker_free(t); /* ignored */
    TU_ASSERT_ERR(go_ticker_stop(t), GO_EINVAL);
    TU_ASSERT_ERR(go_ticker_reset(t, TU_MS), GO_EINVAL);
    TU_ASSERT_ERR(go_ticker_reset_err(t, TU_MS), GO_EINVAL);
    assert_null(go_ticker_chan(t));
}

/* ------------------------------------------------------------------------ */
/* handles of another type, and garbage                                      */

static void test_wrong_type(void **state)
{
    (void)state;
    go_mutex_t *m = mutex_new();
    go_wg_t *wg = wg_new();
    go_once_t *o = once_new();
    go_chan_t *c = chan_new(sizeof(int), 1);
    go_timer_t *tm = go_timer_new(3600LL * 1000 * TU_MS);
    go_ticker_t *tk = go_ticker_new(3600LL * 1000 * TU_MS);
    assert_true(m && wg && o && c && tm && tk);
    int v = 1;

    /* not channels */
    go_chan_t *fakes[] = {(go_chan_t *)m, (go_chan_t *)wg, (go_chan_t *)o, (go_chan_t *)tm};
    for (size_t i = 0; i < TU_ARRAY_LEN(fakes); i++) {
        TU_ASSERT_ERR(chan_send_err(fakes[i], &v), GO_EINVAL);
        TU_ASSERT_ERR(chan_try_recv(fakes[i], &v, NULL), GO_EINVAL);
        TU_ASSERT_ERR(chan_len(fakes[i]), GO_EINVAL);
        TU_ASSERT_ERR(chan_close_err(fakes[i]), GO_EINVAL);
        chan_free(fakes[i]); /* ignored: frees nothing */
    }
    /* not mutexes, WaitGroups, Onces */
    TU_ASSERT_ERR(mutex_lock((go_mutex_t *)c), GO_EINVAL);
    TU_ASSERT_ERR(mutex_trylock((go_mutex_t *)wg), GO_EINVAL);
    TU_ASSERT_ERR(rwmutex_lock((go_rwmutex_t *)m), GO_EINVAL);
    TU_ASSERT_ERR(wg_add((go_wg_t *)m, 1), GO_EINVAL);
    TU_ASSERT_ERR(once_do((go_once_t *)m, nop_fn, NULL), GO_EINVAL);
    TU_ASSERT_ERR(cond_signal((go_cond_t *)wg), GO_EINVAL);
    mutex_free((go_mutex_t *)c); /* ignored */
    wg_free((go_wg_t *)o);       /* ignored */
    /* a timer is not a ticker, nor the reverse */
    TU_ASSERT_ERR(go_ticker_stop((go_ticker_t *)tm), GO_EINVAL);
    TU_ASSERT_ERR(go_timer_stop((go_timer_t *)tk), GO_EINVAL);
    go_ticker_free((go_ticker_t *)tm); /* ignored */
    go_timer_free((go_timer_t *)tk);   /* ignored */

    /* every real one still works */
    TU_ASSERT_OK(mutex_lock(m));
    TU_ASSERT_OK(mutex_unlock(m));
    TU_ASSERT_OK(wg_add(wg, 1));
    TU_ASSERT_OK(wg_done(wg));
    TU_ASSERT_OK(once_do(o, nop_fn, NULL));
    TU_ASSERT_OK(chan_send(c, &v));
    assert_int_equal(chan_len(c), 1);
    assert_int_equal(go_timer_stop(tm), 1);
    TU_ASSERT_OK(go_ticker_stop(tk));
    go_ticker_free(tk);
    go_timer_free(tm);
    chan_free(c);
    once_free(o);
    wg_free(wg);
    mutex_free(m);
}

static void test_misaligned_garbage(void **state)
{
    (void)state;
    static _Alignas(64) unsigned char garbage[256];
    memset(garbage, 0xa5, sizeof garbage);
    int v = 0;
    for (int off = 0; off < 64; off++) {
        /* off 0: aligned, but not an object of any type (the magic is wrong) */
        void *p = garbage + off;
        TU_ASSERT_ERR(chan_send_err((go_chan_t *)p, &v), GO_EINVAL);
        TU_ASSERT_ERR(chan_recv((go_chan_t *)p, &v), GO_EINVAL);
        TU_ASSERT_ERR(chan_cap((go_chan_t *)p), GO_EINVAL);
        TU_ASSERT_ERR(mutex_lock((go_mutex_t *)p), GO_EINVAL);
        TU_ASSERT_ERR(rwmutex_rlock((go_rwmutex_t *)p), GO_EINVAL);
        TU_ASSERT_ERR(once_do((go_once_t *)p, nop_fn, NULL), GO_EINVAL);
        TU_ASSERT_ERR(cond_broadcast((go_cond_t *)p), GO_EINVAL);
        TU_ASSERT_ERR(wg_add((go_wg_t *)p, 1), GO_EINVAL);
        TU_ASSERT_ERR(go_timer_stop((go_timer_t *)p), GO_EINVAL);
        TU_ASSERT_ERR(go_ticker_stop((go_ticker_t *)p), GO_EINVAL);
        chan_free((go_chan_t *)p);
        mutex_free((go_mutex_t *)p);
        go_timer_free((go_timer_t *)p);
    }
    /* a live handle, off by a few bytes */
    go_chan_t *c = chan_new(sizeof v, 1);
    assert_non_null(c);
    TU_ASSERT_ERR(chan_len((go_chan_t *)((char *)c + 4)), GO_EINVAL);
    TU_ASSERT_ERR(chan_len((go_chan_t *)((char *)c + 1)), GO_EINVAL);
    chan_free((go_chan_t *)((char *)c + 8)); /* ignored */
    assert_int_equal(chan_len(c), 0);
    chan_free(c);
}

/* ------------------------------------------------------------------------ */
/* the quarantine, and bounded memory                                        */

enum { Q_OTHERS = 100, Q_NEW = 300 };

static void test_quarantine(void **state)
{
    (void)state;
    static go_chan_t *others[Q_OTHERS], *fresh[Q_NEW];
    static go_mutex_t *mothers[Q_OTHERS], *mfresh[Q_NEW];
    for (int i = 0; i < Q_OTHERS; i++) {
        others[i] = chan_new(0, 0);
        mothers[i] = mutex_new();
        assert_true(others[i] && mothers[i]);
    }
    go_chan_t *x = chan_new(0, 0);
    go_mutex_t *mx = mutex_new();
    assert_true(x && mx);
    chan_free(x);
    mutex_free(mx);
    /* Q_OTHERS later frees, then Q_NEW allocations: x's slot waits for more
     * later frees than that, so none of them may get it. */
    for (int i = 0; i < Q_OTHERS; i++) {
        chan_free(others[i]);
        mutex_free(mothers[i]);
    }
    int reused = 0;
    for (int i = 0; i < Q_NEW; i++) {
        fresh[i] = chan_new(0, 0);
        mfresh[i] = mutex_new();
        assert_true(fresh[i] && mfresh[i]);
        reused += fresh[i] == x || mfresh[i] == mx;
    }
    assert_int_equal(reused, 0);
    TU_ASSERT_ERR(chan_len(x), GO_EINVAL);
    TU_ASSERT_ERR(mutex_trylock(mx), GO_EINVAL);
    chan_free(x);
    mutex_free(mx);
    for (int i = 0; i < Q_NEW; i++) {
        chan_free(fresh[i]);
        mutex_free(mfresh[i]);
    }
}

/* ASan's and valgrind's malloc hold freed blocks back (their quarantines,
 * tens of MiB): the buffers of the channels make the RSS grow there by
 * design. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_MALLOC_QUARANTINE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_MALLOC_QUARANTINE 1
#endif
#endif

static void test_memory_bounded(void **state)
{
    (void)state;
#ifdef TU_MALLOC_QUARANTINE
    skip();
#endif
    if (light()) skip(); /* valgrind */
    int n = 200000;
    /* warm up (the first slabs, malloc's arenas), then measure */
    for (int i = 0; i < 2000; i++) {
        chan_free(chan_new(8, 4));
        mutex_free(mutex_new());
    }
    long before = tu_vmrss_kib();
    for (int i = 0; i < n; i++) {
        chan_free(chan_new(8, 4));
        mutex_free(mutex_new());
        wg_free(wg_new());
    }
    long after = tu_vmrss_kib();
    if (before >= 0 && after >= 0 && after - before > 1024)
        fail_msg("VmRSS grew by %ld KiB over %d create/free cycles", after - before, n);
}

/* ------------------------------------------------------------------------ */
/* many creators at once                                                     */

enum { CHURN_WORKERS = 4 };

typedef struct churn_ctx {
    go_wg_t *wg;
    int iters;
    atomic_int errors;
} churn_ctx_t;

static void churn(churn_ctx_t *cx)
{
    for (int i = 0; i < cx->iters; i++) {
        go_chan_t *c = chan_new(sizeof(int), 1);
        go_mutex_t *m = mutex_new();
        go_once_t *o = once_new();
        if (c == NULL || m == NULL || o == NULL) {
            atomic_fetch_add(&cx->errors, 1);
            return;
        }
        int v = i, w = -1;
        if (chan_send(c, &v) != 0 || chan_recv(c, &w) != 1 || w != i) atomic_fetch_add(&cx->errors, 1);
        if (mutex_lock(m) != 0 || mutex_unlock(m) != 0) atomic_fetch_add(&cx->errors, 1);
        if (once_do(o, nop_fn, NULL) != 0) atomic_fetch_add(&cx->errors, 1);
        chan_free(c);
        mutex_free(m);
        once_free(o);
        /* (No check of c after the free here: the other workers' frees may
         * reach the quarantine's length while this thread is descheduled.) */
        if (i % 64 == 0) go_yield();
    }
}

static void churn_goroutine(void *arg)
{
    churn_ctx_t *cx = arg;
    churn(cx);
    wg_done(cx->wg);
}

static void *churn_thread(void *arg)
{
    churn((churn_ctx_t *)arg);
    return NULL;
}

static void test_concurrent_churn(void **state)
{
    (void)state;
    churn_ctx_t cx;
    memset(&cx, 0, sizeof cx);
    cx.iters = light() ? 500 : 5000;
    cx.wg = wg_new();
    assert_non_null(cx.wg);
    TU_ASSERT_OK(wg_add(cx.wg, CHURN_WORKERS));
    for (int i = 0; i < CHURN_WORKERS; i++) TU_ASSERT_OK(go_spawn(churn_goroutine, &cx));
    pthread_t th[2];
    for (int i = 0; i < 2; i++) assert_int_equal(pthread_create(&th[i], NULL, churn_thread, &cx), 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    TU_ASSERT_OK(wg_wait(cx.wg));
    wg_free(cx.wg);
    assert_int_equal(atomic_load(&cx.errors), 0);
}

/* fork while another thread creates and frees handles: the child must find
 * no pool lock held by a thread it does not have. */
/* A fork costs TSan about a second (its shadow memory). */
#if defined(__SANITIZE_THREAD__)
#define TU_SLOW_FORK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TU_SLOW_FORK 1
#endif
#endif
#ifndef TU_SLOW_FORK
#define TU_SLOW_FORK 0
#endif

static atomic_int fork_stop, fork_rounds;

static void *fork_churner(void *arg)
{
    (void)arg;
    /* Unbuffered: a buffer malloc'd by this thread at the moment of the
     * fork would be a leak in the child, which lacks this thread. */
    while (!atomic_load(&fork_stop)) {
        chan_free(chan_new(8, 0));
        mutex_free(mutex_new());
        atomic_fetch_add(&fork_rounds, 1);
    }
    return NULL;
}

static void fork_child(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        go_chan_t *c = chan_new(8, 1);
        go_mutex_t *m = mutex_new();
        TU_CHILD_CHECK(c != NULL && m != NULL);
        chan_free(c);
        mutex_free(m);
        TU_CHILD_CHECK(chan_len(c) == GO_EINVAL);
    }
}

static void test_fork_while_churning(void **state)
{
    (void)state;
    atomic_store(&fork_stop, 0);
    atomic_store(&fork_rounds, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fork_churner, NULL), 0);
    /* Fork only once the churner is past its start and the pools' first
     * slabs: then it calls no malloc, and a fork cannot catch it inside
     * one (GCC 12's ASan does not lock its allocator around fork, and the
     * child's leak check would wait for that lock forever). */
    while (atomic_load(&fork_rounds) < 2000) go_yield();
    int forks = light() || TU_SLOW_FORK ? 3 : 20;
    for (int i = 0; i < forks; i++) {
        tu_child_t r;
        tu_run_child(fork_child, NULL, 30000, &r);
        int ok = r.exited && r.exit_status == 0;
        if (!ok) {
            atomic_store(&fork_stop, 1);
            pthread_join(th, NULL);
            fail_msg("child %d: %s; stderr: %s", i, tu_child_describe(&r), r.err);
        }
        tu_child_free(&r);
    }
    atomic_store(&fork_stop, 1);
    pthread_join(th, NULL);
}

/* ------------------------------------------------------------------------ */
/* go_main from a pinned goroutine                                           */

typedef struct main_ctx {
    go_wg_t *wg;
    int rc;
} main_ctx_t;

static atomic_int main_fn_ran;
static void main_fn(void *arg)
{
    (void)arg;
    atomic_store(&main_fn_ran, 1);
}

static void pinned_calls_go_main(void *arg)
{
    main_ctx_t *mc = arg;
    mc->rc = go_main(main_fn, NULL);
    wg_done(mc->wg);
}

/* In a child: had go_main run, the child would have a main goroutine (and
 * the deadlock detector) that the test process must not get. */
static void go_main_child(void *arg)
{
    (void)arg;
    main_ctx_t mc = {wg_new(), 12345};
    TU_CHILD_CHECK(mc.wg != NULL);
    TU_CHILD_CHECK(wg_add(mc.wg, 1) == 0);
    TU_CHILD_CHECK(go_spawn_pinned(pinned_calls_go_main, &mc) > 0);
    TU_CHILD_CHECK(wg_wait(mc.wg) == 0);
    wg_free(mc.wg);
    if (mc.rc != GO_EPERM) fprintf(stderr, "go_main in a pinned goroutine returned %d\n", mc.rc);
    TU_CHILD_CHECK(mc.rc == GO_EPERM);
    TU_CHILD_CHECK(atomic_load(&main_fn_ran) == 0);
}

static void test_go_main_from_pinned(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(go_main_child, NULL, 60000, &r);
    int ok = r.exited && r.exit_status == 0;
    if (!ok) fail_msg("%s; stderr: %s", tu_child_describe(&r), r.err);
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_chan_freed),
        TU_TEST(test_unbuffered_and_after_freed),
        TU_TEST(test_mutex_freed),
        TU_TEST(test_rwmutex_freed),
        TU_TEST(test_once_freed),
        TU_TEST(test_cond_freed),
        TU_TEST(test_wg_freed),
        TU_TEST(test_timer_freed),
        TU_TEST(test_ticker_freed),
        TU_TEST(test_wrong_type),
        TU_TEST(test_misaligned_garbage),
        TU_TEST(test_quarantine),
        TU_TEST(test_memory_bounded),
        TU_TEST(test_concurrent_churn),
        TU_TEST(test_fork_while_churning),
        TU_TEST(test_go_main_from_pinned),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
