/* test_once_cond.c - sync.Once, sync.Cond and the WaitGroup error twins
 * (gort/sync.h), from goroutines and foreign threads (pthreads):
 *   - Once: fn runs exactly once under a race of 100 goroutines and a few
 *     threads, and no caller returns before fn finished; a panicking fn
 *     counts as done, its panic reaches that caller (recovered here with
 *     go_call + defer_push), and the callers that waited meanwhile return;
 *   - Cond: Signal wakes one waiter, the longest waiting; a Signal with no
 *     waiter is lost; Broadcast wakes all; waiting in a loop on a predicate;
 *     a bounded producer/consumer queue;
 *   - wg_add_err / wg_done_err / wg_wait_err: the errors where their
 *     namesakes panic, with the WaitGroup left as it was.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
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

/* Memory that is not a live handle of any kind (see test_mutex.c). */
static _Alignas(64) unsigned char not_a_handle[4096];

#define RC_UNSET (-9999)

static go_wg_t *new_wg(int64_t n)
{
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    assert_int_equal(wg_add(wg, n), 0);
    return wg;
}

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
    assert_int_equal(pthread_create(t, NULL, fn, arg), 0);
}

static void join_thread(pthread_t t)
{
    assert_int_equal(pthread_join(t, NULL), 0);
}

/* Let the other goroutines and threads run for a while: only to give a
 * wrong implementation the chance to show itself, never to wait for
 * something (the tests wait with WaitGroups and Conds). */
static void let_others_run(void)
{
    for (int i = 0; i < 500; i++)
        go_yield();
}

/* ======================================================================== */
/* Once                                                                     */

static void count_call(void *p)
{
    atomic_fetch_add((atomic_int *)p, 1);
}

static void test_once_basic(void **state)
{
    (void)state;
    atomic_int a = 0, b = 0;
    go_once_t *o = once_new();
    assert_non_null(o);
    assert_int_equal(once_do(o, count_call, &a), 0);
    assert_int_equal(atomic_load(&a), 1);
    /* done: neither the same fn nor another is called again */
    assert_int_equal(once_do(o, count_call, &a), 0);
    assert_int_equal(once_do(o, count_call, &b), 0);
    assert_int_equal(atomic_load(&a), 1);
    assert_int_equal(atomic_load(&b), 0);
    once_free(o);
    once_free(NULL);

    /* a fresh Once is independent */
    go_once_t *o2 = once_new();
    assert_non_null(o2);
    assert_int_equal(once_do(o2, count_call, &b), 0);
    assert_int_equal(atomic_load(&b), 1);
    once_free(o2);
}

static void test_once_bad(void **state)
{
    (void)state;
    atomic_int a = 0;
    go_once_t *o = once_new();
    assert_non_null(o);
    assert_int_equal(once_do(NULL, count_call, &a), GO_EINVAL);
    assert_int_equal(once_do((go_once_t *)not_a_handle, count_call, &a), GO_EINVAL);
    /* fn NULL: an error, and it does not use up the Once */
    assert_int_equal(once_do(o, NULL, NULL), GO_EINVAL);
    assert_int_equal(atomic_load(&a), 0);
    assert_int_equal(once_do(o, count_call, &a), 0);
    assert_int_equal(atomic_load(&a), 1);
    once_free(o);
}

/* ------------------------------------------------------------------------ */
/* Once under a race                                                        */

enum { OR_GOROUTINES = 100, OR_THREADS = 4, OR_ALL = OR_GOROUTINES + OR_THREADS };

typedef struct once_race {
    go_once_t *o;
    go_wg_t *gate;
    go_wg_t *done;
    atomic_int calls;      /* of fn */
    atomic_int finished;   /* fn has finished */
    atomic_int early;      /* callers that returned before fn finished */
    atomic_int errors;
    atomic_int returned;
} once_race_t;

static void race_fn(void *p)
{
    once_race_t *r = p;
    atomic_fetch_add(&r->calls, 1);
    /* take a while (and a few reschedules): the other callers arrive and
     * must wait for us */
    for (int i = 0; i < 50; i++)
        go_yield();
    atomic_store(&r->finished, 1);
}

static void race_body(once_race_t *r)
{
    wg_wait(r->gate);
    if (once_do(r->o, race_fn, r) != 0)
        atomic_fetch_add(&r->errors, 1);
    if (!atomic_load(&r->finished))
        atomic_fetch_add(&r->early, 1);
    atomic_fetch_add(&r->returned, 1);
}

static void race_goroutine(void *p)
{
    once_race_t *r = p;
    race_body(r);
    wg_done(r->done);
}

static void *race_thread(void *p)
{
    race_body(p);
    return NULL;
}

static void test_once_race(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        once_race_t r;
        memset(&r, 0, sizeof r);
        r.o = once_new();
        assert_non_null(r.o);
        r.gate = new_wg(1);
        r.done = new_wg(OR_GOROUTINES);
        pthread_t t[OR_THREADS];
        for (int i = 0; i < OR_GOROUTINES; i++)
            TU_ASSERT_OK(go_spawn(race_goroutine, &r));
        for (int i = 0; i < OR_THREADS; i++)
            start_thread(&t[i], race_thread, &r);
        assert_int_equal(wg_done(r.gate), 0);
        assert_int_equal(wg_wait(r.done), 0);
        for (int i = 0; i < OR_THREADS; i++)
            join_thread(t[i]);
        assert_int_equal(atomic_load(&r.errors), 0);
        assert_int_equal(atomic_load(&r.calls), 1);
        assert_int_equal(atomic_load(&r.early), 0);
        assert_int_equal(atomic_load(&r.returned), OR_ALL);
        once_free(r.o);
        wg_free(r.gate);
        wg_free(r.done);
    }
}

/* ------------------------------------------------------------------------ */
/* Once whose fn panics                                                     */

typedef struct once_panic {
    go_once_t *o;
    go_wg_t *gate;          /* NULL, or fn waits for it before panicking */
    go_wg_t *started;       /* the other callers are about to call once_do */
    go_wg_t *done;
    atomic_int calls;       /* of the panicking fn */
    atomic_int panicking;   /* fn is about to panic */
    atomic_int later_calls; /* of the fns given to later once_do calls */
    /* what the caller whose fn panicked saw */
    int call_rc;
    int recovered;
    char message[64];
    int after_once_do;      /* the code after the panicking once_do ran: it must not */
    int later_rc;
    /* the other callers */
    atomic_int others_errors;
    atomic_int others_early; /* returned before fn had panicked */
} once_panic_t;

static void panicking_fn(void *p)
{
    once_panic_t *op = p;
    atomic_fetch_add(&op->calls, 1);
    if (op->gate != NULL)
        wg_wait(op->gate);
    atomic_store(&op->panicking, 1);
    panic_raise("once: boom");
}

static void recover_into(void *p)
{
    once_panic_t *op = p;
    go_recovered_t r;
    if (panic_recover(&r)) {
        op->recovered = 1;
        snprintf(op->message, sizeof op->message, "%s", r.message ? r.message : "(nil)");
    }
}

static void once_frame(void *p)
{
    once_panic_t *op = p;
    defer_push(recover_into, op);
    once_do(op->o, panicking_fn, op);
    op->after_once_do = 1;
}

/* the caller whose fn panics: recover it, then call once_do again */
static void panic_caller_body(once_panic_t *op)
{
    op->call_rc = go_call(once_frame, op);
    op->later_rc = once_do(op->o, count_call, &op->later_calls);
}

static void panic_caller_goroutine(void *p)
{
    once_panic_t *op = p;
    panic_caller_body(op);
    wg_done(op->done);
}

static void panic_init(once_panic_t *op)
{
    memset(op, 0, sizeof *op);
    op->o = once_new();
    assert_non_null(op->o);
    op->call_rc = op->later_rc = RC_UNSET;
}

static void panic_check(once_panic_t *op)
{
    assert_int_equal(op->call_rc, GO_RECOVERED);
    assert_true(op->recovered);
    assert_string_equal(op->message, "once: boom");
    assert_int_equal(op->after_once_do, 0);
    assert_int_equal(atomic_load(&op->calls), 1);
    /* fn counts as having returned: later calls do not call their fn */
    assert_int_equal(op->later_rc, 0);
    assert_int_equal(atomic_load(&op->later_calls), 0);
    atomic_int more = 0;
    assert_int_equal(once_do(op->o, count_call, &more), 0);
    assert_int_equal(atomic_load(&more), 0);
}

static void test_once_panic_goroutine(void **state)
{
    (void)state;
    once_panic_t op;
    panic_init(&op);
    op.done = new_wg(1);
    TU_ASSERT_OK(go_spawn(panic_caller_goroutine, &op));
    assert_int_equal(wg_wait(op.done), 0);
    panic_check(&op);
    once_free(op.o);
    wg_free(op.done);
}

static void test_once_panic_thread(void **state)
{
    (void)state;
    once_panic_t op;
    panic_init(&op);
    panic_caller_body(&op); /* the test thread: go_call gives it a frame */
    panic_check(&op);
    once_free(op.o);
}

/* callers that arrive while fn runs (and then panics) wait, and return
 * without calling their fn once it panicked */
enum { OP_OTHERS_G = 6, OP_OTHERS_T = 2, OP_OTHERS = OP_OTHERS_G + OP_OTHERS_T };

static void other_body(once_panic_t *op)
{
    wg_done(op->started);
    if (once_do(op->o, count_call, &op->later_calls) != 0)
        atomic_fetch_add(&op->others_errors, 1);
    if (!atomic_load(&op->panicking))
        atomic_fetch_add(&op->others_early, 1);
}

static void other_goroutine(void *p)
{
    once_panic_t *op = p;
    other_body(op);
    wg_done(op->done);
}

static void *other_thread(void *p)
{
    other_body(p);
    return NULL;
}

static void test_once_panic_with_waiters(void **state)
{
    (void)state;
    once_panic_t op;
    panic_init(&op);
    op.gate = new_wg(1);
    op.started = new_wg(OP_OTHERS);
    op.done = new_wg(1 + OP_OTHERS_G);
    TU_ASSERT_OK(go_spawn(panic_caller_goroutine, &op));
    /* fn is running (and waits for the gate) before the others start */
    int64_t deadline = tu_now_ns() + 20000 * TU_MS;
    while (atomic_load(&op.calls) == 0) {
        if (tu_now_ns() > deadline)
            fail_msg("fn was never called");
        go_yield();
    }
    pthread_t t[OP_OTHERS_T];
    for (int i = 0; i < OP_OTHERS_G; i++)
        TU_ASSERT_OK(go_spawn(other_goroutine, &op));
    for (int i = 0; i < OP_OTHERS_T; i++)
        start_thread(&t[i], other_thread, &op);
    assert_int_equal(wg_wait(op.started), 0);
    let_others_run();
    assert_int_equal(atomic_load(&op.panicking), 0);
    assert_int_equal(wg_done(op.gate), 0); /* fn panics now */
    assert_int_equal(wg_wait(op.done), 0);
    for (int i = 0; i < OP_OTHERS_T; i++)
        join_thread(t[i]);
    assert_int_equal(atomic_load(&op.others_errors), 0);
    assert_int_equal(atomic_load(&op.others_early), 0);
    panic_check(&op);
    once_free(op.o);
    wg_free(op.gate);
    wg_free(op.started);
    wg_free(op.done);
}

/* ======================================================================== */
/* Cond                                                                     */

static void test_cond_bad(void **state)
{
    (void)state;
    errno = 0;
    assert_null(cond_new(NULL));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(cond_new((go_mutex_t *)not_a_handle));
    assert_int_equal(errno, EINVAL);
    go_cond_t *bogus = (go_cond_t *)not_a_handle;
    assert_int_equal(cond_wait(NULL), GO_EINVAL);
    assert_int_equal(cond_signal(NULL), GO_EINVAL);
    assert_int_equal(cond_broadcast(NULL), GO_EINVAL);
    assert_int_equal(cond_wait(bogus), GO_EINVAL);
    assert_int_equal(cond_signal(bogus), GO_EINVAL);
    assert_int_equal(cond_broadcast(bogus), GO_EINVAL);
    cond_free(NULL);
    /* signal and broadcast with no waiter: nothing happens, no lock needed */
    go_mutex_t *mu = mutex_new();
    assert_non_null(mu);
    go_cond_t *c = cond_new(mu);
    assert_non_null(c);
    assert_int_equal(cond_signal(c), 0);
    assert_int_equal(cond_broadcast(c), 0);
    assert_int_equal(mutex_trylock(mu), 1);
    assert_int_equal(cond_signal(c), 0);
    assert_int_equal(mutex_unlock(mu), 0);
    /* two Conds may share a mutex */
    go_cond_t *c2 = cond_new(mu);
    assert_non_null(c2);
    cond_free(c2);
    cond_free(c);
    mutex_free(mu);
}

/* ------------------------------------------------------------------------ */
/* Signal wakes one waiter, the longest waiting; a Signal with no waiter is
 * lost.
 *
 * Each waiter counts itself as arrived under the mutex, then waits ONCE (no
 * predicate: gort's Cond, as Go's, has no spurious wake-ups) and records
 * when it was woken. cond_wait takes the waiter's place in the queue before
 * it releases the mutex, so once the test thread holds the mutex and sees
 * `arrived` at n, n waiters are queued, in the order they arrived (the test
 * thread lets them arrive one at a time). `ev` tells the test thread that
 * something changed. */

enum {
    SF_N = 6,             /* waiters in the Signal test */
    SF_THREAD_AT = 2,     /* the one of them that is a thread */
    SF_MAX_WAITERS = 32,  /* of any test using sigfifo_t */
};

typedef struct sigfifo {
    go_mutex_t *mu;
    go_cond_t *c;
    go_cond_t *ev;
    go_wg_t *done;
    int arrived;           /* guarded by mu */
    int nwoke;             /* guarded by mu */
    int order[SF_MAX_WAITERS]; /* guarded by mu: who was woken, in order */
    atomic_int errors;
} sigfifo_t;

typedef struct sigfifo_arg {
    sigfifo_t *s;
    int i;
} sigfifo_arg_t;

static void sigfifo_body(sigfifo_arg_t *a)
{
    sigfifo_t *s = a->s;
    if (mutex_lock(s->mu) != 0) {
        atomic_fetch_add(&s->errors, 1);
        return;
    }
    s->arrived++;
    cond_broadcast(s->ev);
    if (cond_wait(s->c) != 0)
        atomic_fetch_add(&s->errors, 1);
    s->order[s->nwoke++] = a->i;
    cond_broadcast(s->ev);
    if (mutex_unlock(s->mu) != 0) /* cond_wait gave the mutex back locked */
        atomic_fetch_add(&s->errors, 1);
}

static void sigfifo_goroutine(void *p)
{
    sigfifo_arg_t *a = p;
    sigfifo_body(a);
    wg_done(a->s->done);
}

static void *sigfifo_thread(void *p)
{
    sigfifo_body(p);
    return NULL;
}

/* the test thread: wait (on ev) until *field >= n; mu held */
static void wait_until(sigfifo_t *s, const int *field, int n)
{
    while (*field < n)
        assert_int_equal(cond_wait(s->ev), 0);
}

static void test_cond_signal_fifo(void **state)
{
    (void)state;
    sigfifo_t s;
    memset(&s, 0, sizeof s);
    sigfifo_arg_t args[SF_N + 1];
    s.mu = mutex_new();
    assert_non_null(s.mu);
    s.c = cond_new(s.mu);
    s.ev = cond_new(s.mu);
    assert_non_null(s.c);
    assert_non_null(s.ev);
    s.done = new_wg(SF_N); /* SF_N - 1 goroutines now, one more later */
    pthread_t t;

    for (int i = 0; i < SF_N; i++) {
        args[i].s = &s;
        args[i].i = i;
        if (i == SF_THREAD_AT)
            start_thread(&t, sigfifo_thread, &args[i]);
        else
            TU_ASSERT_OK(go_spawn(sigfifo_goroutine, &args[i]));
        assert_int_equal(mutex_lock(s.mu), 0);
        wait_until(&s, &s.arrived, i + 1);
        assert_int_equal(mutex_unlock(s.mu), 0);
    }
    /* one Signal at a time: exactly one more waiter wakes, the oldest */
    for (int k = 0; k < SF_N; k++) {
        assert_int_equal(mutex_lock(s.mu), 0);
        assert_int_equal(s.nwoke, k);
        assert_int_equal(cond_signal(s.c), 0);
        wait_until(&s, &s.nwoke, k + 1);
        assert_int_equal(mutex_unlock(s.mu), 0);
        let_others_run(); /* a second waiter woken by that Signal would show now */
        assert_int_equal(mutex_lock(s.mu), 0);
        assert_int_equal(s.nwoke, k + 1);
        assert_int_equal(mutex_unlock(s.mu), 0);
    }
    for (int k = 0; k < SF_N; k++)
        assert_int_equal(s.order[k], k);

    /* a Signal with nobody waiting is not kept for a later waiter */
    assert_int_equal(cond_signal(s.c), 0);
    args[SF_N].s = &s;
    args[SF_N].i = SF_N;
    TU_ASSERT_OK(go_spawn(sigfifo_goroutine, &args[SF_N]));
    assert_int_equal(mutex_lock(s.mu), 0);
    wait_until(&s, &s.arrived, SF_N + 1);
    assert_int_equal(mutex_unlock(s.mu), 0);
    let_others_run();
    assert_int_equal(mutex_lock(s.mu), 0);
    assert_int_equal(s.nwoke, SF_N);
    assert_int_equal(cond_broadcast(s.c), 0);
    wait_until(&s, &s.nwoke, SF_N + 1);
    assert_int_equal(mutex_unlock(s.mu), 0);

    assert_int_equal(wg_wait(s.done), 0);
    join_thread(t);
    assert_int_equal(atomic_load(&s.errors), 0);
    assert_int_equal(s.nwoke, SF_N + 1);
    assert_int_equal(s.order[SF_N], SF_N);
    cond_free(s.c);
    cond_free(s.ev);
    mutex_free(s.mu);
    wg_free(s.done);
}

/* ------------------------------------------------------------------------ */
/* Broadcast wakes every waiter                                             */

enum { BC_GOROUTINES = 12, BC_THREADS = 3, BC_ALL = BC_GOROUTINES + BC_THREADS };

static void test_cond_broadcast(void **state)
{
    (void)state;
    sigfifo_t s;
    memset(&s, 0, sizeof s);
    sigfifo_arg_t args[BC_ALL];
    s.mu = mutex_new();
    assert_non_null(s.mu);
    s.c = cond_new(s.mu);
    s.ev = cond_new(s.mu);
    assert_non_null(s.c);
    assert_non_null(s.ev);
    s.done = new_wg(BC_GOROUTINES);
    pthread_t t[BC_THREADS];
    for (int round = 0; round < 3; round++) {
        s.arrived = s.nwoke = 0;
        if (round > 0)
            assert_int_equal(wg_add(s.done, BC_GOROUTINES), 0);
        for (int i = 0; i < BC_ALL; i++) {
            args[i].s = &s;
            args[i].i = i;
            if (i < BC_GOROUTINES)
                TU_ASSERT_OK(go_spawn(sigfifo_goroutine, &args[i]));
            else
                start_thread(&t[i - BC_GOROUTINES], sigfifo_thread, &args[i]);
        }
        assert_int_equal(mutex_lock(s.mu), 0);
        wait_until(&s, &s.arrived, BC_ALL);
        assert_int_equal(mutex_unlock(s.mu), 0);
        /* everybody waits; round 0 and 2 broadcast without holding the
         * mutex, round 1 with it */
        if (round == 1)
            assert_int_equal(mutex_lock(s.mu), 0);
        assert_int_equal(cond_broadcast(s.c), 0);
        if (round != 1)
            assert_int_equal(mutex_lock(s.mu), 0);
        wait_until(&s, &s.nwoke, BC_ALL);
        assert_int_equal(mutex_unlock(s.mu), 0);
        assert_int_equal(wg_wait(s.done), 0);
        for (int i = 0; i < BC_THREADS; i++)
            join_thread(t[i]);
        assert_int_equal(atomic_load(&s.errors), 0);
        assert_int_equal(s.nwoke, BC_ALL);
        /* each waiter woke once */
        int woke[BC_ALL] = { 0 };
        for (int k = 0; k < BC_ALL; k++)
            woke[s.order[k]]++;
        for (int i = 0; i < BC_ALL; i++)
            assert_int_equal(woke[i], 1);
    }
    cond_free(s.c);
    cond_free(s.ev);
    mutex_free(s.mu);
    wg_free(s.done);
}

_Static_assert((int)BC_ALL <= (int)SF_MAX_WAITERS, "sigfifo_t.order is too small");

/* ------------------------------------------------------------------------ */
/* Waiting in a loop on a predicate                                         */
/*
 * A level goes from 0 to PL_TOP, one step at a time, with a Broadcast after
 * each step. Each waiter waits until the level reaches its own threshold.
 * The stepper starts only when every waiter has arrived, so every waiter
 * really waits, and most are woken many times before their threshold. */

enum { PL_GOROUTINES = 8, PL_THREADS = 2, PL_ALL = PL_GOROUTINES + PL_THREADS, PL_TOP = 60 };

typedef struct predloop {
    go_mutex_t *mu;
    go_cond_t *level_changed;
    go_cond_t *arrived_cond;
    go_wg_t *done;
    int level;              /* guarded by mu */
    int arrived;            /* guarded by mu */
    int seen[PL_ALL];       /* the level each waiter saw when it stopped waiting */
    int wakeups[PL_ALL];
    atomic_int errors;
} predloop_t;

typedef struct predloop_arg {
    predloop_t *p;
    int i;
} predloop_arg_t;

static int pl_threshold(int i)
{
    return 1 + (i * 23) % PL_TOP;
}

static void pl_wait_body(predloop_arg_t *a)
{
    predloop_t *p = a->p;
    if (mutex_lock(p->mu) != 0) {
        atomic_fetch_add(&p->errors, 1);
        return;
    }
    p->arrived++;
    cond_signal(p->arrived_cond);
    while (p->level < pl_threshold(a->i)) {
        if (cond_wait(p->level_changed) != 0) {
            atomic_fetch_add(&p->errors, 1);
            break;
        }
        p->wakeups[a->i]++;
    }
    p->seen[a->i] = p->level;
    mutex_unlock(p->mu);
}

static void pl_goroutine(void *v)
{
    predloop_arg_t *a = v;
    pl_wait_body(a);
    wg_done(a->p->done);
}

static void *pl_thread(void *v)
{
    pl_wait_body(v);
    return NULL;
}

static void pl_stepper(void *v)
{
    predloop_t *p = v;
    mutex_lock(p->mu);
    while (p->arrived < PL_ALL)
        if (cond_wait(p->arrived_cond) != 0) {
            atomic_fetch_add(&p->errors, 1);
            break;
        }
    mutex_unlock(p->mu);
    for (int i = 0; i < PL_TOP; i++) {
        mutex_lock(p->mu);
        p->level++;
        mutex_unlock(p->mu);
        cond_broadcast(p->level_changed);
        go_yield();
    }
    wg_done(p->done);
}

static void test_cond_predicate_loop(void **state)
{
    (void)state;
    predloop_t p;
    memset(&p, 0, sizeof p);
    predloop_arg_t args[PL_ALL];
    p.mu = mutex_new();
    assert_non_null(p.mu);
    p.level_changed = cond_new(p.mu);
    p.arrived_cond = cond_new(p.mu);
    assert_non_null(p.level_changed);
    assert_non_null(p.arrived_cond);
    p.done = new_wg(PL_GOROUTINES + 1);
    pthread_t t[PL_THREADS];
    TU_ASSERT_OK(go_spawn(pl_stepper, &p));
    for (int i = 0; i < PL_ALL; i++) {
        args[i].p = &p;
        args[i].i = i;
        if (i < PL_GOROUTINES)
            TU_ASSERT_OK(go_spawn(pl_goroutine, &args[i]));
        else
            start_thread(&t[i - PL_GOROUTINES], pl_thread, &args[i]);
    }
    assert_int_equal(wg_wait(p.done), 0);
    for (int i = 0; i < PL_THREADS; i++)
        join_thread(t[i]);
    assert_int_equal(atomic_load(&p.errors), 0);
    assert_int_equal(p.level, PL_TOP);
    for (int i = 0; i < PL_ALL; i++) {
        if (p.seen[i] < pl_threshold(i))
            fail_msg("waiter %d stopped waiting at level %d, below its threshold %d", i, p.seen[i],
                     pl_threshold(i));
        /* it arrived before the first step, so it waited at least once */
        if (p.wakeups[i] < 1)
            fail_msg("waiter %d never waited", i);
    }
    cond_free(p.level_changed);
    cond_free(p.arrived_cond);
    mutex_free(p.mu);
    wg_free(p.done);
}

/* ------------------------------------------------------------------------ */
/* A bounded producer/consumer queue                                        */

enum {
    PC_CAP = 4,
    PC_PRODUCERS_G = 3,
    PC_PRODUCERS_T = 1,
    PC_PRODUCERS = PC_PRODUCERS_G + PC_PRODUCERS_T,
    PC_CONSUMERS_G = 3,
    PC_CONSUMERS_T = 1,
    PC_CONSUMERS = PC_CONSUMERS_G + PC_CONSUMERS_T,
    PC_ITEMS = 300, /* per producer */
    PC_TOTAL = PC_PRODUCERS * PC_ITEMS,
};

typedef struct pcq {
    go_mutex_t *mu;
    go_cond_t *not_full;
    go_cond_t *not_empty;
    go_wg_t *done;
    int buf[PC_CAP];        /* guarded by mu */
    int head, count;        /* guarded by mu */
    int consumed;           /* guarded by mu */
    int max_count;          /* guarded by mu */
    unsigned char seen[PC_TOTAL];
    long sum;               /* guarded by mu */
    atomic_int errors;
} pcq_t;

typedef struct pcq_arg {
    pcq_t *q;
    int id;
} pcq_arg_t;

static void pcq_produce(pcq_arg_t *a)
{
    pcq_t *q = a->q;
    for (int k = 0; k < PC_ITEMS; k++) {
        int v = a->id * PC_ITEMS + k;
        if (mutex_lock(q->mu) != 0)
            atomic_fetch_add(&q->errors, 1);
        while (q->count == PC_CAP)
            if (cond_wait(q->not_full) != 0)
                atomic_fetch_add(&q->errors, 1);
        q->buf[(q->head + q->count) % PC_CAP] = v;
        q->count++;
        if (q->count > q->max_count)
            q->max_count = q->count;
        cond_signal(q->not_empty);
        mutex_unlock(q->mu);
    }
}

static void pcq_consume(pcq_arg_t *a)
{
    pcq_t *q = a->q;
    for (;;) {
        if (mutex_lock(q->mu) != 0)
            atomic_fetch_add(&q->errors, 1);
        while (q->count == 0 && q->consumed < PC_TOTAL)
            if (cond_wait(q->not_empty) != 0)
                atomic_fetch_add(&q->errors, 1);
        if (q->count == 0) { /* everything was consumed */
            mutex_unlock(q->mu);
            return;
        }
        int v = q->buf[q->head];
        q->head = (q->head + 1) % PC_CAP;
        q->count--;
        q->consumed++;
        if (v < 0 || v >= PC_TOTAL)
            atomic_fetch_add(&q->errors, 1);
        else
            q->seen[v]++;
        q->sum += v;
        if (q->consumed == PC_TOTAL)
            cond_broadcast(q->not_empty); /* the other consumers stop waiting */
        cond_signal(q->not_full);
        mutex_unlock(q->mu);
    }
}

static void pcq_producer_goroutine(void *p)
{
    pcq_arg_t *a = p;
    pcq_produce(a);
    wg_done(a->q->done);
}

static void pcq_consumer_goroutine(void *p)
{
    pcq_arg_t *a = p;
    pcq_consume(a);
    wg_done(a->q->done);
}

static void *pcq_producer_thread(void *p)
{
    pcq_produce(p);
    return NULL;
}

static void *pcq_consumer_thread(void *p)
{
    pcq_consume(p);
    return NULL;
}

static void test_cond_producer_consumer(void **state)
{
    (void)state;
    static pcq_t q; /* static: seen[] is large */
    memset(&q, 0, sizeof q);
    pcq_arg_t pargs[PC_PRODUCERS], cargs[PC_CONSUMERS];
    q.mu = mutex_new();
    assert_non_null(q.mu);
    q.not_full = cond_new(q.mu);
    q.not_empty = cond_new(q.mu);
    assert_non_null(q.not_full);
    assert_non_null(q.not_empty);
    q.done = new_wg(PC_PRODUCERS_G + PC_CONSUMERS_G);
    pthread_t pt[PC_PRODUCERS_T], ct[PC_CONSUMERS_T];
    for (int i = 0; i < PC_CONSUMERS; i++) {
        cargs[i].q = &q;
        cargs[i].id = i;
        if (i < PC_CONSUMERS_G)
            TU_ASSERT_OK(go_spawn(pcq_consumer_goroutine, &cargs[i]));
        else
            start_thread(&ct[i - PC_CONSUMERS_G], pcq_consumer_thread, &cargs[i]);
    }
    for (int i = 0; i < PC_PRODUCERS; i++) {
        pargs[i].q = &q;
        pargs[i].id = i;
        if (i < PC_PRODUCERS_G)
            TU_ASSERT_OK(go_spawn(pcq_producer_goroutine, &pargs[i]));
        else
            start_thread(&pt[i - PC_PRODUCERS_G], pcq_producer_thread, &pargs[i]);
    }
    assert_int_equal(wg_wait(q.done), 0);
    for (int i = 0; i < PC_PRODUCERS_T; i++)
        join_thread(pt[i]);
    for (int i = 0; i < PC_CONSUMERS_T; i++)
        join_thread(ct[i]);
    assert_int_equal(atomic_load(&q.errors), 0);
    assert_int_equal(q.consumed, PC_TOTAL);
    assert_int_equal(q.count, 0);
    assert_in_range(q.max_count, 1, PC_CAP);
    for (int v = 0; v < PC_TOTAL; v++)
        if (q.seen[v] != 1)
            fail_msg("value %d was consumed %d times", v, q.seen[v]);
    assert_int_equal(q.sum, (long)PC_TOTAL * (PC_TOTAL - 1) / 2);
    cond_free(q.not_full);
    cond_free(q.not_empty);
    mutex_free(q.mu);
    wg_free(q.done);
}

/* ======================================================================== */
/* WaitGroup error twins                                                    */

static void test_wg_err_negative(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    /* from zero: GO_ERANGE, and the counter stays 0 (wait returns at once) */
    assert_int_equal(wg_add_err(wg, -1), GO_ERANGE);
    assert_int_equal(wg_done_err(wg), GO_ERANGE);
    assert_int_equal(wg_wait_err(wg), 0);
    assert_int_equal(wg_wait(wg), 0);
    /* from 3: -4 fails and leaves 3, which three Dones bring to zero */
    assert_int_equal(wg_add_err(wg, 3), 0);
    assert_int_equal(wg_add_err(wg, -4), GO_ERANGE);
    assert_int_equal(wg_add_err(wg, INT32_MIN), GO_ERANGE);
    assert_int_equal(wg_done_err(wg), 0);
    assert_int_equal(wg_add_err(wg, -3), GO_ERANGE);
    assert_int_equal(wg_done_err(wg), 0);
    assert_int_equal(wg_done_err(wg), 0);
    assert_int_equal(wg_done_err(wg), GO_ERANGE);
    assert_int_equal(wg_wait_err(wg), 0);
    /* the twins and the panicking forms mix on one WaitGroup */
    assert_int_equal(wg_add(wg, 2), 0);
    assert_int_equal(wg_add_err(wg, -3), GO_ERANGE);
    assert_int_equal(wg_done(wg), 0);
    assert_int_equal(wg_add_err(wg, -1), 0);
    assert_int_equal(wg_wait_err(wg), 0);
    assert_int_equal(wg_add_err(wg, 0), 0);
    wg_free(wg);
}

/* A goroutine parked in wg_wait_err is released by wg_done_err; a failed
 * twin inside a goroutine returns (no panic: the code after it runs). */
typedef struct twin_g {
    go_wg_t *wg;
    go_wg_t *done;
    int wait_rc;
    int range_rc;
    int after;
} twin_g_t;

static void twin_waiter(void *p)
{
    twin_g_t *t = p;
    t->wait_rc = wg_wait_err(t->wg);
    /* the counter is zero again: a twin that would panic returns instead */
    t->range_rc = wg_done_err(t->wg);
    t->after = 1;
    wg_done(t->done);
}

static void test_wg_err_in_goroutine(void **state)
{
    (void)state;
    twin_g_t t = { wg_new(), new_wg(1), RC_UNSET, RC_UNSET, 0 };
    assert_non_null(t.wg);
    assert_int_equal(wg_add_err(t.wg, 2), 0);
    TU_ASSERT_OK(go_spawn(twin_waiter, &t));
    assert_int_equal(wg_done_err(t.wg), 0);
    assert_int_equal(wg_add_err(t.wg, -1), 0); /* zero: the waiter is released */
    assert_int_equal(wg_wait(t.done), 0);
    assert_int_equal(t.wait_rc, 0);
    assert_int_equal(t.range_rc, GO_ERANGE);
    assert_int_equal(t.after, 1);
    assert_int_equal(wg_wait_err(t.wg), 0);
    wg_free(t.wg);
    wg_free(t.done);
}

static void test_wg_err_overflow_and_handles(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    assert_int_equal(wg_add_err(wg, INT32_MAX), 0);
    assert_int_equal(wg_add_err(wg, 1), GO_EOVERFLOW);
    assert_int_equal(wg_add_err(wg, (int64_t)INT32_MAX + 1), GO_EOVERFLOW);
    assert_int_equal(wg_add_err(wg, INT64_MIN), GO_EOVERFLOW);
    assert_int_equal(wg_add_err(wg, -INT32_MAX), 0); /* back to zero: unchanged by the failures */
    assert_int_equal(wg_wait_err(wg), 0);
    assert_int_equal(wg_done_err(wg), GO_ERANGE);
    wg_free(wg);

    go_wg_t *bogus = (go_wg_t *)not_a_handle;
    assert_int_equal(wg_add_err(NULL, 1), GO_EINVAL);
    assert_int_equal(wg_done_err(NULL), GO_EINVAL);
    assert_int_equal(wg_wait_err(NULL), GO_EINVAL);
    assert_int_equal(wg_add_err(bogus, 1), GO_EINVAL);
    assert_int_equal(wg_done_err(bogus), GO_EINVAL);
    assert_int_equal(wg_wait_err(bogus), GO_EINVAL);
}

/* wg_wait_err: "sync: WaitGroup is reused before previous Wait has
 * returned" becomes GO_EBUSY. Go's sequence, made deterministic with one P:
 * a waiter parks in Wait; Done brings the counter to zero and makes the
 * waiter runnable, and an Add starts the next round before the waiter ran.
 * The same program in Go 1.19 (GOMAXPROCS(1)) panics with that text. */
typedef struct reuse {
    go_wg_t *wg;
    go_wg_t *waiter_done;
    go_wg_t *done;
    int wait_rc;
    int rc_done1, rc_done2;
    int driver_errors;
} reuse_t;

static void reuse_waiter(void *p)
{
    reuse_t *r = p;
    r->wait_rc = wg_wait_err(r->wg);
    wg_done(r->waiter_done);
}

static void reuse_driver(void *p)
{
    reuse_t *r = p;
    if (wg_add(r->wg, 1) != 0 || go_spawn(reuse_waiter, r) < 1)
        r->driver_errors++;
    for (int i = 0; i < 20; i++)
        go_yield(); /* one P: the waiter runs and parks in wg_wait_err */
    if (wg_done(r->wg) != 0 || wg_add(r->wg, 1) != 0)
        r->driver_errors++;
    wg_wait(r->waiter_done);
    /* nothing changed: the counter is exactly 1 */
    r->rc_done1 = wg_done_err(r->wg);
    r->rc_done2 = wg_done_err(r->wg);
    wg_done(r->done);
}

static void test_wg_wait_err_reused(void **state)
{
    (void)state;
    reuse_t r = { wg_new(), new_wg(1), new_wg(1), RC_UNSET, RC_UNSET, RC_UNSET, 0 };
    assert_non_null(r.wg);
    int prev = go_maxprocs(1);
    assert_true(prev >= 1);
    TU_ASSERT_OK(go_spawn(reuse_driver, &r));
    assert_int_equal(wg_wait(r.done), 0);
    assert_int_equal(go_maxprocs(prev), 1);
    assert_int_equal(r.driver_errors, 0);
    assert_int_equal(r.wait_rc, GO_EBUSY);
    assert_int_equal(r.rc_done1, 0);
    assert_int_equal(r.rc_done2, GO_ERANGE);
    assert_int_equal(wg_wait_err(r.wg), 0);
    wg_free(r.wg);
    wg_free(r.waiter_done);
    wg_free(r.done);
}

/* After a misuse no waiter is lost: a WaitGroup whose Adds race its Waits
 * (GO_EBUSY, "the state is unreliable", as Go's panic) still counts every
 * parked waiter, so the next time the counter reaches zero releases them
 * all. Go checks the state with a load and then stores zero; an Add and a
 * Wait between the two registered a waiter that the store erased, parked
 * for good (the API fuzzer's hang), and two Adds that reached zero over the
 * same waiters both released them (a surplus wake-up, that lets a later
 * Wait return early). Here churners make zero crossings (Add(1), Done)
 * while waiters Wait in a loop, and racers Add(1) and Wait nearly back to
 * back (a doner goroutine undoes their Adds); then the counter is brought
 * to zero until every goroutine has ended, and one Wait must block. A chaos
 * build (core/chaos.hpp) widens the window: with GORT_CHAOS=2 at
 * GOMAXPROCS 2 and 4, the old code failed 6 runs of 6. */
enum { MISUSE_WAITERS = 4, MISUSE_CHURNERS = 2, MISUSE_RACERS = 2, MISUSE_ROUNDS = 2000 };

typedef struct misuse {
    go_wg_t *wg;
    go_chan_t *tokens; /* one per racer's Add: the doner's Done */
    atomic_int churning;
    atomic_int running;
    atomic_int stop;
    atomic_int busy; /* GO_EBUSY answers: the race was hit */
    atomic_int bad_rc;
} misuse_t;

static void misuse_rc(misuse_t *m, int rc, int erange_ok)
{
    if (rc == GO_EBUSY)
        atomic_fetch_add(&m->busy, 1);
    else if (rc != 0 && !(erange_ok && rc == GO_ERANGE)) /* ERANGE: a count a misuse erased */
        atomic_store(&m->bad_rc, rc);
}

static void misuse_waiter(void *p)
{
    misuse_t *m = p;
    while (!atomic_load(&m->stop)) {
        misuse_rc(m, wg_wait_err(m->wg), 0);
        go_yield();
    }
    atomic_fetch_sub(&m->running, 1);
}

static void misuse_churner(void *p)
{
    misuse_t *m = p;
    for (int i = 0; i < MISUSE_ROUNDS; i++) {
        misuse_rc(m, wg_add_err(m->wg, 1), 0);
        go_yield();
        misuse_rc(m, wg_done_err(m->wg), 1);
    }
    atomic_fetch_sub(&m->churning, 1);
    atomic_fetch_sub(&m->running, 1);
}

static void misuse_racer(void *p)
{
    misuse_t *m = p;
    char token = 1;
    for (int i = 0; i < MISUSE_ROUNDS; i++) {
        misuse_rc(m, wg_add_err(m->wg, 1), 0);
        /* a buffered send: the doner will undo this Add, soon but not yet */
        misuse_rc(m, chan_send(m->tokens, &token), 0);
        misuse_rc(m, wg_wait_err(m->wg), 0);
    }
    atomic_fetch_sub(&m->churning, 1);
    atomic_fetch_sub(&m->running, 1);
}

static void misuse_doner(void *p)
{
    misuse_t *m = p;
    char token;
    while (chan_recv(m->tokens, &token) == 1)
        misuse_rc(m, wg_done_err(m->wg), 1);
    atomic_fetch_sub(&m->running, 1);
}

static void test_wg_err_misuse_keeps_waiters(void **state)
{
    (void)state;
    misuse_t m = { .wg = wg_new(), .tokens = chan_new(1, 2 * MISUSE_RACERS) };
    assert_non_null(m.wg);
    assert_non_null(m.tokens);
    atomic_store(&m.churning, MISUSE_CHURNERS + MISUSE_RACERS);
    atomic_store(&m.running, MISUSE_WAITERS + MISUSE_CHURNERS + MISUSE_RACERS + 1);
    for (int i = 0; i < MISUSE_WAITERS; i++)
        TU_ASSERT_OK(go_spawn(misuse_waiter, &m));
    for (int i = 0; i < MISUSE_CHURNERS; i++)
        TU_ASSERT_OK(go_spawn(misuse_churner, &m));
    for (int i = 0; i < MISUSE_RACERS; i++)
        TU_ASSERT_OK(go_spawn(misuse_racer, &m));
    TU_ASSERT_OK(go_spawn(misuse_doner, &m));
    /* A racer a misuse left parked for good keeps `churning` above zero,
     * so the counter is brought to zero all along, and once nothing churns,
     * until every goroutine has ended. Each
     * release takes one round; 20 s is for a loaded sanitizer run. */
    int64_t start = go_nanotime();
    while (atomic_load(&m.running) > 0) {
        if (atomic_load(&m.churning) == 0 && !atomic_load(&m.stop)) {
            atomic_store(&m.stop, 1);
            assert_int_equal(chan_close(m.tokens), 0);
        }
        wg_add_err(m.wg, 1);
        wg_done_err(m.wg);
        go_sleep(TU_MS / 10);
        if (go_nanotime() - start > 20000 * TU_MS)
            fail_msg("%d goroutines never released after a misuse (%d still churning, "
                     "%d GO_EBUSY answers)",
                     atomic_load(&m.running), atomic_load(&m.churning), atomic_load(&m.busy));
    }
    assert_int_equal(atomic_load(&m.bad_rc), 0);
    /* Nor was any waiter released twice: the WaitGroup works again once
     * the misuse is over. A surplus wake-up (two Adds that both saw the same
     * waiters at zero, both released them) lets this Wait return at once,
     * with the counter at one, as GO_EBUSY. */
    while (wg_done_err(m.wg) == 0) {
    }
    assert_int_equal(wg_add_err(m.wg, 1), 0);
    twin_g_t t = { m.wg, new_wg(1), RC_UNSET, RC_UNSET, 0 };
    TU_ASSERT_OK(go_spawn(twin_waiter, &t));
    go_sleep(20 * TU_MS);
    assert_int_equal(t.after, 0);
    assert_int_equal(wg_done_err(m.wg), 0);
    assert_int_equal(wg_wait(t.done), 0);
    assert_int_equal(t.wait_rc, 0);
    assert_int_equal(t.range_rc, GO_ERANGE);
    wg_free(t.done);
    wg_free(m.wg);
    chan_free(m.tokens);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    if (getenv("SYNC_TEST_FILTER") != NULL) /* e.g. SYNC_TEST_FILTER='test_cond*' */
        cmocka_set_test_filter(getenv("SYNC_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_once_basic),
        TU_TEST(test_once_bad),
        TU_TEST(test_once_race),
        TU_TEST(test_once_panic_goroutine),
        TU_TEST(test_once_panic_thread),
        TU_TEST(test_once_panic_with_waiters),
        TU_TEST(test_cond_bad),
        TU_TEST(test_cond_signal_fifo),
        TU_TEST(test_cond_broadcast),
        TU_TEST(test_cond_predicate_loop),
        TU_TEST(test_cond_producer_consumer),
        TU_TEST(test_wg_err_negative),
        TU_TEST(test_wg_err_in_goroutine),
        TU_TEST(test_wg_err_overflow_and_handles),
        TU_TEST(test_wg_wait_err_reused),
        TU_TEST(test_wg_err_misuse_keeps_waiters),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
