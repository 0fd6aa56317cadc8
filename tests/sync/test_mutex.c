/* test_mutex.c - sync.Mutex and sync.RWMutex (gort/sync.h), from goroutines
 * and foreign threads (pthreads):
 *   - mutual exclusion under contention: a plain counter that must come out
 *     exact, and an "inside" flag that no second locker may ever see set;
 *   - TryLock, a lock taken by one goroutine and released by another, the
 *     _err twin of Unlock, bad handles;
 *   - starvation mode: a waiter gets the mutex within a bounded time even
 *     when the holder relocks in a tight loop (Go: after 1 ms of waiting the
 *     mutex hands off to the oldest waiter);
 *   - RWMutex: readers inside together, writers alone, writer preference.
 * The fatal misuses (unlock of an unlocked mutex...) are in
 * test_sync_death.c: they end the process.
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

/* Generous: the machine is noisy and valgrind runs this 20x slower. Bounds
 * only catch a waiter that would otherwise starve forever. */
#define BOUND_NS (20000 * TU_MS)

/* Memory that is not a live handle of any kind: zeroed, and large enough
 * that reading a handle's fields from it stays inside it. */
static _Alignas(64) unsigned char not_a_handle[4096];

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

/* A result slot written by a goroutine or thread, read by the test thread
 * after a WaitGroup or a join ordered it. */
#define RC_UNSET (-9999)

/* ------------------------------------------------------------------------ */
/* Mutex: basics                                                            */

static void test_mutex_basic(void **state)
{
    (void)state;
    go_mutex_t *mu = mutex_new();
    assert_non_null(mu);
    assert_int_equal(mutex_trylock(mu), 1);
    assert_int_equal(mutex_trylock(mu), 0); /* held: not recursive */
    assert_int_equal(mutex_unlock(mu), 0);
    assert_int_equal(mutex_lock(mu), 0);
    assert_int_equal(mutex_trylock(mu), 0);
    assert_int_equal(mutex_unlock(mu), 0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(mutex_lock(mu), 0);
        assert_int_equal(mutex_unlock(mu), 0);
    }
    mutex_free(mu);
    mutex_free(NULL); /* ignored */
}

static void test_mutex_bad_handles(void **state)
{
    (void)state;
    go_mutex_t *bogus = (go_mutex_t *)not_a_handle;
    assert_int_equal(mutex_lock(NULL), GO_EINVAL);
    assert_int_equal(mutex_trylock(NULL), GO_EINVAL);
    assert_int_equal(mutex_unlock(NULL), GO_EINVAL);
    assert_int_equal(mutex_unlock_err(NULL), GO_EINVAL);
    assert_int_equal(mutex_lock(bogus), GO_EINVAL);
    assert_int_equal(mutex_trylock(bogus), GO_EINVAL);
    assert_int_equal(mutex_unlock(bogus), GO_EINVAL);
    assert_int_equal(mutex_unlock_err(bogus), GO_EINVAL);
    /* the inline paths check what the library checks: a pointer inside a
     * live mutex (not 64-byte aligned), a freed mutex; the live one is left
     * unlocked by all of it */
    go_mutex_t *live = mutex_new();
    assert_non_null(live);
    go_mutex_t *inside = (go_mutex_t *)(void *)((char *)live + 8);
    assert_int_equal(mutex_lock(inside), GO_EINVAL);
    assert_int_equal(mutex_unlock(inside), GO_EINVAL);
    assert_int_equal(mutex_trylock(live), 1);
    assert_int_equal(mutex_unlock(live), 0);
    assert_int_equal(mutex_unlock_err(live), GO_EPERM); /* the inline unlock unlocked it */
    mutex_free(live);
    assert_int_equal(mutex_lock(live), GO_EINVAL);
    assert_int_equal(mutex_unlock(live), GO_EINVAL);
    /* errno is left alone by calls that return an error code */
    errno = 1234;
    assert_int_equal(mutex_trylock(NULL), GO_EINVAL);
    assert_int_equal(errno, 1234);
}

static void test_mutex_unlock_err(void **state)
{
    (void)state;
    go_mutex_t *mu = mutex_new();
    assert_non_null(mu);
    /* unlocked: GO_EPERM, not the fatal error, and nothing changes */
    assert_int_equal(mutex_unlock_err(mu), GO_EPERM);
    assert_int_equal(mutex_unlock_err(mu), GO_EPERM);
    assert_int_equal(mutex_trylock(mu), 1);
    assert_int_equal(mutex_unlock_err(mu), 0);
    assert_int_equal(mutex_unlock_err(mu), GO_EPERM); /* the double unlock */
    /* the mutex still works, both ways */
    assert_int_equal(mutex_lock(mu), 0);
    assert_int_equal(mutex_trylock(mu), 0);
    assert_int_equal(mutex_unlock(mu), 0);
    assert_int_equal(mutex_trylock(mu), 1);
    assert_int_equal(mutex_unlock_err(mu), 0);
    assert_int_equal(mutex_trylock(mu), 1);
    assert_int_equal(mutex_unlock(mu), 0);
    mutex_free(mu);
}

/* ------------------------------------------------------------------------ */
/* Mutex: exclusion under contention                                        */

enum { CT_GOROUTINES = 8, CT_THREADS = 3, CT_ITERS = 1500 };

typedef struct contend {
    go_mutex_t *mu;
    go_wg_t *start;        /* the gate: everybody begins together */
    go_wg_t *done;         /* the goroutines */
    long counter;          /* plain: only the mutex orders the increments */
    atomic_int inside;     /* set by the holder; a locker that finds it set saw a second holder */
    atomic_int violations;
    atomic_int errors;
    atomic_int bad_rc;
} contend_t;

static void contend_error(contend_t *c, int rc)
{
    atomic_fetch_add(&c->errors, 1);
    atomic_store(&c->bad_rc, rc);
}

static void contend_body(contend_t *c)
{
    int rc = wg_wait(c->start);
    if (rc != 0)
        contend_error(c, rc);
    for (int i = 0; i < CT_ITERS; i++) {
        if (i % 4 == 3) {
            /* TryLock until it succeeds: 1 or 0, nothing else */
            while ((rc = mutex_trylock(c->mu)) != 1) {
                if (rc != 0) {
                    contend_error(c, rc);
                    break;
                }
                go_yield();
            }
            if (rc != 1)
                continue;
        } else if ((rc = i % 4 == 1 ? (mutex_lock)(c->mu) : mutex_lock(c->mu)) != 0) {
            /* mutex_lock and mutex_unlock are inline fast paths in GNU C
             * (gort/sync.h); (mutex_lock) is the library's function: the
             * two mix on one mutex, under contention */
            contend_error(c, rc);
            continue;
        }
        if (atomic_exchange(&c->inside, 1) != 0)
            atomic_fetch_add(&c->violations, 1);
        long v = c->counter;
        /* hold the lock across a reschedule now and then: the others find it
         * locked and queue, and a goroutine resumes on another thread */
        if (i % 37 == 0)
            go_yield();
        c->counter = v + 1;
        atomic_store(&c->inside, 0);
        if ((rc = i % 3 == 0 ? (mutex_unlock)(c->mu) : mutex_unlock(c->mu)) != 0)
            contend_error(c, rc);
    }
}

static void contend_goroutine(void *p)
{
    contend_t *c = p;
    contend_body(c);
    wg_done(c->done);
}

static void *contend_thread(void *p)
{
    contend_body(p);
    return NULL;
}

static void run_contention(int goroutines, int threads)
{
    contend_t c;
    memset(&c, 0, sizeof c);
    c.mu = mutex_new();
    assert_non_null(c.mu);
    c.start = new_wg(1);
    c.done = new_wg(goroutines);
    pthread_t t[CT_THREADS];
    for (int i = 0; i < goroutines; i++)
        TU_ASSERT_OK(go_spawn(contend_goroutine, &c));
    for (int i = 0; i < threads; i++)
        start_thread(&t[i], contend_thread, &c);
    assert_int_equal(wg_done(c.start), 0);
    assert_int_equal(wg_wait(c.done), 0);
    for (int i = 0; i < threads; i++)
        join_thread(t[i]);
    if (atomic_load(&c.errors) != 0)
        fail_msg("%d calls failed, last rc %d", atomic_load(&c.errors), atomic_load(&c.bad_rc));
    assert_int_equal(atomic_load(&c.violations), 0);
    assert_int_equal(c.counter, (long)(goroutines + threads) * CT_ITERS);
    /* unlocked at the end */
    assert_int_equal(mutex_trylock(c.mu), 1);
    assert_int_equal(mutex_unlock(c.mu), 0);
    mutex_free(c.mu);
    wg_free(c.start);
    wg_free(c.done);
}

static void test_mutex_contention_goroutines(void **state)
{
    (void)state;
    run_contention(CT_GOROUTINES, 0);
}

static void test_mutex_contention_threads(void **state)
{
    (void)state;
    run_contention(0, CT_THREADS);
}

static void test_mutex_contention_mixed(void **state)
{
    (void)state;
    run_contention(CT_GOROUTINES, CT_THREADS);
}

/* ------------------------------------------------------------------------ */
/* Mutex: not tied to a goroutine                                           */

typedef struct across {
    go_mutex_t *mu;
    go_wg_t *done;
    go_wg_t *locked;      /* the waiter is about to lock (or locked) */
    int rc_lock, rc_unlock;
    int waiter_got;
} across_t;

static void across_lock(void *p)
{
    across_t *a = p;
    a->rc_lock = mutex_lock(a->mu);
    wg_done(a->done);
}

static void across_unlock(void *p)
{
    across_t *a = p;
    a->rc_unlock = mutex_unlock(a->mu);
    wg_done(a->done);
}

static void *across_lock_thread(void *p)
{
    across_t *a = p;
    a->rc_lock = mutex_lock(a->mu);
    return NULL;
}

static void *across_unlock_thread(void *p)
{
    across_t *a = p;
    a->rc_unlock = mutex_unlock(a->mu);
    return NULL;
}

/* blocks in mutex_lock until somebody else unlocks */
static void across_waiter(void *p)
{
    across_t *a = p;
    wg_done(a->locked);
    int rc = mutex_lock(a->mu);
    a->waiter_got = rc == 0;
    if (rc == 0)
        rc = mutex_unlock(a->mu);
    a->rc_lock = rc;
    wg_done(a->done);
}

static void test_mutex_unlock_by_another(void **state)
{
    (void)state;
    across_t a;
    memset(&a, 0, sizeof a);
    a.mu = mutex_new();
    assert_non_null(a.mu);
    a.done = wg_new();
    a.locked = wg_new();
    assert_non_null(a.done);
    assert_non_null(a.locked);

    /* the test thread locks, a goroutine unlocks */
    assert_int_equal(mutex_lock(a.mu), 0);
    a.rc_unlock = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_unlock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc_unlock, 0);
    assert_int_equal(mutex_trylock(a.mu), 1);
    assert_int_equal(mutex_unlock(a.mu), 0);

    /* a goroutine locks, the test thread unlocks */
    a.rc_lock = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_lock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc_lock, 0);
    assert_int_equal(mutex_trylock(a.mu), 0);
    assert_int_equal(mutex_unlock(a.mu), 0);

    /* one goroutine locks, another unlocks */
    a.rc_lock = a.rc_unlock = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_lock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_unlock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc_lock, 0);
    assert_int_equal(a.rc_unlock, 0);

    /* a thread locks, a goroutine unlocks; a goroutine locks, a thread unlocks */
    pthread_t t;
    a.rc_lock = a.rc_unlock = RC_UNSET;
    start_thread(&t, across_lock_thread, &a);
    join_thread(t);
    assert_int_equal(a.rc_lock, 0);
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_unlock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc_unlock, 0);
    a.rc_lock = a.rc_unlock = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(across_lock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    start_thread(&t, across_unlock_thread, &a);
    join_thread(t);
    assert_int_equal(a.rc_lock, 0);
    assert_int_equal(a.rc_unlock, 0);

    /* a waiter blocked in mutex_lock is released by an unlock from a third
     * goroutine (neither the waiter nor the thread that locked) */
    assert_int_equal(mutex_lock(a.mu), 0);
    a.rc_lock = a.rc_unlock = RC_UNSET;
    assert_int_equal(wg_add(a.locked, 1), 0);
    assert_int_equal(wg_add(a.done, 2), 0);
    TU_ASSERT_OK(go_spawn(across_waiter, &a));
    assert_int_equal(wg_wait(a.locked), 0);
    TU_ASSERT_OK(go_spawn(across_unlock, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc_unlock, 0);
    assert_int_equal(a.rc_lock, 0);
    assert_true(a.waiter_got);

    assert_int_equal(mutex_trylock(a.mu), 1);
    assert_int_equal(mutex_unlock(a.mu), 0);
    mutex_free(a.mu);
    wg_free(a.done);
    wg_free(a.locked);
}

/* ------------------------------------------------------------------------ */
/* Mutex: starvation mode                                                   */
/*
 * The holder relocks in a loop and never leaves the mutex free for long. In
 * normal mode a woken waiter competes with the holder's next Lock and loses
 * (the holder is already running): without starvation mode it would lose
 * forever. Go's guarantee: a waiter that waited more than 1 ms switches the
 * mutex to starvation mode, and the next Unlock hands the mutex straight to
 * it. So the waiter must get the lock, and soon; the holder stops as soon as
 * the waiter has had it (or after BOUND_NS, which fails the test).
 *
 * A goroutine holder keeps the lock across go_yield(): with one P (and a
 * cooperative scheduler) that is the only moment the waiter can run, and it
 * then finds the mutex locked; every Unlock is followed at once by the next
 * Lock. A thread holder needs no yield: it runs beside the Ps and relocks
 * within nanoseconds.
 */

typedef struct starve {
    go_mutex_t *mu;
    go_wg_t *holding;       /* the holder has the lock: the waiter may start */
    go_wg_t *done;
    atomic_int waiter_got;
    long rounds;            /* the holder's lock/unlock rounds */
    int holder_timed_out;
    int holder_errors;
    int waiter_rc;
    int64_t waited_ns;      /* the waiter's mutex_lock */
} starve_t;

static void starve_init(starve_t *s, int done)
{
    memset(s, 0, sizeof *s);
    s->mu = mutex_new();
    assert_non_null(s->mu);
    s->holding = new_wg(1);
    s->done = new_wg(done);
    s->waiter_rc = RC_UNSET;
}

static void starve_fini(starve_t *s)
{
    mutex_free(s->mu);
    wg_free(s->holding);
    wg_free(s->done);
}

static void starve_check(starve_t *s)
{
    assert_int_equal(s->holder_errors, 0);
    assert_int_equal(s->waiter_rc, 0);
    if (s->holder_timed_out || !atomic_load(&s->waiter_got))
        fail_msg("the waiter starved: holder rounds %ld, waiter got the lock %d", s->rounds,
                 atomic_load(&s->waiter_got));
    if (s->waited_ns >= BOUND_NS)
        fail_msg("the waiter waited %lld ms (holder rounds %ld)", (long long)(s->waited_ns / TU_MS),
                 s->rounds);
    assert_int_equal(mutex_trylock(s->mu), 1);
    assert_int_equal(mutex_unlock(s->mu), 0);
}

/* the holder: relock until the waiter has had the lock once */
static void starve_hold(starve_t *s, int yield_holding)
{
    int64_t deadline = tu_now_ns() + BOUND_NS;
    int first = 1;
    while (!atomic_load(&s->waiter_got)) {
        if (mutex_lock(s->mu) != 0)
            s->holder_errors++;
        if (first) {
            wg_done(s->holding);
            first = 0;
        }
        if (yield_holding)
            go_yield();
        if (mutex_unlock(s->mu) != 0)
            s->holder_errors++;
        s->rounds++;
        if ((s->rounds & 255) == 0 && tu_now_ns() > deadline) {
            s->holder_timed_out = 1;
            break;
        }
    }
}

static void starve_wait(starve_t *s)
{
    wg_wait(s->holding);
    int64_t t0 = tu_now_ns();
    int rc = mutex_lock(s->mu);
    s->waited_ns = tu_now_ns() - t0;
    if (rc == 0) {
        atomic_store(&s->waiter_got, 1);
        rc = mutex_unlock(s->mu);
    }
    s->waiter_rc = rc;
}

static void starve_holder_goroutine(void *p)
{
    starve_t *s = p;
    starve_hold(s, 1);
    wg_done(s->done);
}

static void *starve_holder_thread(void *p)
{
    starve_hold(p, 0);
    return NULL;
}

static void starve_waiter_goroutine(void *p)
{
    starve_t *s = p;
    starve_wait(s);
    wg_done(s->done);
}

static void test_mutex_starvation_goroutines(void **state)
{
    (void)state;
    starve_t s;
    starve_init(&s, 2);
    TU_ASSERT_OK(go_spawn(starve_holder_goroutine, &s));
    TU_ASSERT_OK(go_spawn(starve_waiter_goroutine, &s));
    assert_int_equal(wg_wait(s.done), 0);
    starve_check(&s);
    starve_fini(&s);
}

static void test_mutex_starvation_thread_holder(void **state)
{
    (void)state;
    starve_t s;
    starve_init(&s, 1);
    pthread_t t;
    start_thread(&t, starve_holder_thread, &s);
    TU_ASSERT_OK(go_spawn(starve_waiter_goroutine, &s));
    assert_int_equal(wg_wait(s.done), 0);
    join_thread(t);
    starve_check(&s);
    starve_fini(&s);
}

static void test_mutex_starvation_thread_waiter(void **state)
{
    (void)state;
    starve_t s;
    starve_init(&s, 1);
    TU_ASSERT_OK(go_spawn(starve_holder_goroutine, &s));
    starve_wait(&s); /* the test thread waits: it blocks its OS thread */
    assert_int_equal(wg_wait(s.done), 0);
    starve_check(&s);
    starve_fini(&s);
}

/* ------------------------------------------------------------------------ */
/* RWMutex: basics                                                          */

static void test_rwmutex_basic(void **state)
{
    (void)state;
    go_rwmutex_t *rw = rwmutex_new();
    assert_non_null(rw);
    /* readers share (with no writer waiting, a second read lock is fine) */
    assert_int_equal(rwmutex_rlock(rw), 0);
    assert_int_equal(rwmutex_rlock(rw), 0);
    assert_int_equal(rwmutex_tryrlock(rw), 1);
    assert_int_equal(rwmutex_trylock(rw), 0);
    assert_int_equal(rwmutex_runlock(rw), 0);
    assert_int_equal(rwmutex_runlock(rw), 0);
    assert_int_equal(rwmutex_trylock(rw), 0); /* one reader left */
    assert_int_equal(rwmutex_runlock(rw), 0);
    /* a writer is alone */
    assert_int_equal(rwmutex_trylock(rw), 1);
    assert_int_equal(rwmutex_tryrlock(rw), 0);
    assert_int_equal(rwmutex_trylock(rw), 0);
    assert_int_equal(rwmutex_unlock(rw), 0);
    assert_int_equal(rwmutex_lock(rw), 0);
    assert_int_equal(rwmutex_tryrlock(rw), 0);
    assert_int_equal(rwmutex_unlock(rw), 0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(rwmutex_rlock(rw), 0);
        assert_int_equal(rwmutex_runlock(rw), 0);
        assert_int_equal(rwmutex_lock(rw), 0);
        assert_int_equal(rwmutex_unlock(rw), 0);
    }
    assert_int_equal(rwmutex_tryrlock(rw), 1);
    assert_int_equal(rwmutex_runlock(rw), 0);
    rwmutex_free(rw);
    rwmutex_free(NULL);
}

static void test_rwmutex_bad_handles(void **state)
{
    (void)state;
    go_rwmutex_t *bogus = (go_rwmutex_t *)not_a_handle;
    go_rwmutex_t *handles[] = { NULL, bogus };
    for (size_t i = 0; i < TU_ARRAY_LEN(handles); i++) {
        assert_int_equal(rwmutex_rlock(handles[i]), GO_EINVAL);
        assert_int_equal(rwmutex_tryrlock(handles[i]), GO_EINVAL);
        assert_int_equal(rwmutex_runlock(handles[i]), GO_EINVAL);
        assert_int_equal(rwmutex_lock(handles[i]), GO_EINVAL);
        assert_int_equal(rwmutex_trylock(handles[i]), GO_EINVAL);
        assert_int_equal(rwmutex_unlock(handles[i]), GO_EINVAL);
    }
}

/* ------------------------------------------------------------------------ */
/* RWMutex: readers are inside together                                     */
/*
 * Every reader takes the read lock and then waits on a barrier (a WaitGroup
 * that reaches zero when all of them have arrived) WITHOUT releasing it: the
 * barrier opens only if all readers hold the read lock at the same time. */

enum { RD_GOROUTINES = 6, RD_THREADS = 2, RD_ALL = RD_GOROUTINES + RD_THREADS };

typedef struct readers {
    go_rwmutex_t *rw;
    go_wg_t *barrier;
    go_wg_t *done;
    atomic_int inside;
    atomic_int max_inside;
    atomic_int errors;
    atomic_int writer_tried;   /* trylock by a reader while all hold the read lock */
} readers_t;

static void readers_body(readers_t *r)
{
    if (rwmutex_rlock(r->rw) != 0) {
        atomic_fetch_add(&r->errors, 1);
        wg_done(r->barrier);
        return;
    }
    int n = atomic_fetch_add(&r->inside, 1) + 1;
    int m = atomic_load(&r->max_inside);
    while (n > m && !atomic_compare_exchange_weak(&r->max_inside, &m, n)) {
    }
    wg_done(r->barrier);
    wg_wait(r->barrier);
    /* everybody is inside now: a writer cannot get in */
    if (rwmutex_trylock(r->rw) != 0)
        atomic_fetch_add(&r->writer_tried, 1);
    atomic_fetch_sub(&r->inside, 1);
    if (rwmutex_runlock(r->rw) != 0)
        atomic_fetch_add(&r->errors, 1);
}

static void readers_goroutine(void *p)
{
    readers_t *r = p;
    readers_body(r);
    wg_done(r->done);
}

static void *readers_thread(void *p)
{
    readers_body(p);
    return NULL;
}

static void test_rwmutex_readers_together(void **state)
{
    (void)state;
    readers_t r;
    memset(&r, 0, sizeof r);
    r.rw = rwmutex_new();
    assert_non_null(r.rw);
    r.barrier = new_wg(RD_ALL);
    r.done = new_wg(RD_GOROUTINES);
    pthread_t t[RD_THREADS];
    for (int i = 0; i < RD_GOROUTINES; i++)
        TU_ASSERT_OK(go_spawn(readers_goroutine, &r));
    for (int i = 0; i < RD_THREADS; i++)
        start_thread(&t[i], readers_thread, &r);
    assert_int_equal(wg_wait(r.done), 0);
    for (int i = 0; i < RD_THREADS; i++)
        join_thread(t[i]);
    assert_int_equal(atomic_load(&r.errors), 0);
    assert_int_equal(atomic_load(&r.max_inside), RD_ALL);
    assert_int_equal(atomic_load(&r.writer_tried), 0);
    assert_int_equal(rwmutex_trylock(r.rw), 1);
    assert_int_equal(rwmutex_unlock(r.rw), 0);
    rwmutex_free(r.rw);
    wg_free(r.barrier);
    wg_free(r.done);
}

/* ------------------------------------------------------------------------ */
/* RWMutex: a writer is alone                                               */

enum { WX_WRITERS = 3, WX_READERS = 4, WX_THREADS = 2, WX_ITERS = 400 };

typedef struct wexcl {
    go_rwmutex_t *rw;
    go_wg_t *start;
    go_wg_t *done;
    long a, b;                 /* plain: a writer changes both, a reader sees them equal */
    atomic_int writers_inside;
    atomic_int readers_inside;
    atomic_int violations;
    atomic_int torn;           /* a reader saw a != b */
    atomic_int errors;
} wexcl_t;

static void wexcl_write(wexcl_t *w, int i)
{
    int rc = (i % 3 == 2) ? (rwmutex_trylock(w->rw) == 1 ? 0 : 1) : rwmutex_lock(w->rw);
    if (rc == 1) { /* the trylock failed: take it the blocking way */
        rc = rwmutex_lock(w->rw);
    }
    if (rc != 0) {
        atomic_fetch_add(&w->errors, 1);
        return;
    }
    if (atomic_fetch_add(&w->writers_inside, 1) != 0 || atomic_load(&w->readers_inside) != 0)
        atomic_fetch_add(&w->violations, 1);
    long a = w->a;
    if (i % 17 == 0)
        go_yield(); /* hold it across a reschedule */
    w->a = a + 1;
    w->b = w->b + 1;
    atomic_fetch_sub(&w->writers_inside, 1);
    if (rwmutex_unlock(w->rw) != 0)
        atomic_fetch_add(&w->errors, 1);
}

static void wexcl_read(wexcl_t *w, int i)
{
    int rc = (i % 3 == 2) ? (rwmutex_tryrlock(w->rw) == 1 ? 0 : 1) : rwmutex_rlock(w->rw);
    if (rc == 1)
        rc = rwmutex_rlock(w->rw);
    if (rc != 0) {
        atomic_fetch_add(&w->errors, 1);
        return;
    }
    atomic_fetch_add(&w->readers_inside, 1);
    if (atomic_load(&w->writers_inside) != 0)
        atomic_fetch_add(&w->violations, 1);
    long a = w->a;
    if (i % 13 == 0)
        go_yield();
    if (w->b != a)
        atomic_fetch_add(&w->torn, 1);
    atomic_fetch_sub(&w->readers_inside, 1);
    if (rwmutex_runlock(w->rw) != 0)
        atomic_fetch_add(&w->errors, 1);
}

static void wexcl_writer(void *p)
{
    wexcl_t *w = p;
    wg_wait(w->start);
    for (int i = 0; i < WX_ITERS; i++)
        wexcl_write(w, i);
    wg_done(w->done);
}

static void wexcl_reader(void *p)
{
    wexcl_t *w = p;
    wg_wait(w->start);
    for (int i = 0; i < WX_ITERS; i++)
        wexcl_read(w, i);
    wg_done(w->done);
}

/* a thread both reads and writes */
static void *wexcl_thread(void *p)
{
    wexcl_t *w = p;
    wg_wait(w->start);
    for (int i = 0; i < WX_ITERS; i++) {
        if (i % 2 == 0)
            wexcl_write(w, i);
        else
            wexcl_read(w, i);
    }
    return NULL;
}

static void test_rwmutex_writer_exclusion(void **state)
{
    (void)state;
    wexcl_t w;
    memset(&w, 0, sizeof w);
    w.rw = rwmutex_new();
    assert_non_null(w.rw);
    w.start = new_wg(1);
    w.done = new_wg(WX_WRITERS + WX_READERS);
    pthread_t t[WX_THREADS];
    for (int i = 0; i < WX_WRITERS; i++)
        TU_ASSERT_OK(go_spawn(wexcl_writer, &w));
    for (int i = 0; i < WX_READERS; i++)
        TU_ASSERT_OK(go_spawn(wexcl_reader, &w));
    for (int i = 0; i < WX_THREADS; i++)
        start_thread(&t[i], wexcl_thread, &w);
    assert_int_equal(wg_done(w.start), 0);
    assert_int_equal(wg_wait(w.done), 0);
    for (int i = 0; i < WX_THREADS; i++)
        join_thread(t[i]);
    assert_int_equal(atomic_load(&w.errors), 0);
    assert_int_equal(atomic_load(&w.violations), 0);
    assert_int_equal(atomic_load(&w.torn), 0);
    long writes = (long)WX_WRITERS * WX_ITERS + (long)WX_THREADS * (WX_ITERS / 2);
    assert_int_equal(w.a, writes);
    assert_int_equal(w.b, writes);
    rwmutex_free(w.rw);
    wg_free(w.start);
    wg_free(w.done);
}

/* ------------------------------------------------------------------------ */
/* RWMutex: writer preference                                               */
/*
 * The test thread holds a read lock. A writer goroutine calls rwmutex_lock
 * and waits. From then on:
 *   - rwmutex_tryrlock fails, although only a reader holds the lock;
 *   - readers that arrive now (goroutines and a thread) block in
 *     rwmutex_rlock: they do not get in while the first reader still holds
 *     its read lock (they would, without writer preference);
 *   - when the first reader lets go, the writer goes first, then the late
 *     readers: the order in which they got the lock says so. */

enum {
    WP_LATE_GOROUTINES = 3,
    WP_LATE_THREADS = 1,
    WP_LATE = WP_LATE_GOROUTINES + WP_LATE_THREADS,
};

typedef struct wpref {
    go_rwmutex_t *rw;
    go_wg_t *started;        /* the late readers are about to call rwmutex_rlock */
    go_wg_t *done;
    atomic_int seq;
    int writer_seq;
    int writer_saw_readers;  /* late readers inside while the writer holds it */
    int reader_seq[WP_LATE];
    atomic_int late_in;      /* late readers that got the read lock */
    atomic_int errors;
} wpref_t;

typedef struct wpref_arg {
    wpref_t *w;
    int i;
} wpref_arg_t;

static void wpref_writer(void *p)
{
    wpref_t *w = p;
    if (rwmutex_lock(w->rw) != 0) {
        atomic_fetch_add(&w->errors, 1);
    } else {
        w->writer_seq = atomic_fetch_add(&w->seq, 1) + 1;
        w->writer_saw_readers = atomic_load(&w->late_in);
        if (rwmutex_unlock(w->rw) != 0)
            atomic_fetch_add(&w->errors, 1);
    }
    wg_done(w->done);
}

static void wpref_late_body(wpref_arg_t *a)
{
    wpref_t *w = a->w;
    wg_done(w->started);
    if (rwmutex_rlock(w->rw) != 0) {
        atomic_fetch_add(&w->errors, 1);
        return;
    }
    w->reader_seq[a->i] = atomic_fetch_add(&w->seq, 1) + 1;
    atomic_fetch_add(&w->late_in, 1);
    if (rwmutex_runlock(w->rw) != 0)
        atomic_fetch_add(&w->errors, 1);
}

static void wpref_late_goroutine(void *p)
{
    wpref_arg_t *a = p;
    wpref_late_body(a);
    wg_done(a->w->done);
}

static void *wpref_late_thread(void *p)
{
    wpref_late_body(p);
    return NULL;
}

static void test_rwmutex_writer_preference(void **state)
{
    (void)state;
    wpref_t w;
    memset(&w, 0, sizeof w);
    wpref_arg_t args[WP_LATE];
    w.rw = rwmutex_new();
    assert_non_null(w.rw);
    w.started = new_wg(WP_LATE);
    w.done = new_wg(1 + WP_LATE_GOROUTINES);

    assert_int_equal(rwmutex_rlock(w.rw), 0);
    TU_ASSERT_OK(go_spawn(wpref_writer, &w));
    /* Wait until the writer waits: from then on a TryRLock fails. Before,
     * it succeeds (and is undone at once). */
    int64_t deadline = tu_now_ns() + BOUND_NS;
    int rc;
    while ((rc = rwmutex_tryrlock(w.rw)) == 1) {
        assert_int_equal(rwmutex_runlock(w.rw), 0);
        if (tu_now_ns() > deadline)
            fail_msg("the writer never started waiting (tryrlock kept succeeding)");
        go_yield();
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rwmutex_trylock(w.rw), 0);

    pthread_t t[WP_LATE_THREADS];
    for (int i = 0; i < WP_LATE; i++) {
        args[i].w = &w;
        args[i].i = i;
        if (i < WP_LATE_GOROUTINES)
            TU_ASSERT_OK(go_spawn(wpref_late_goroutine, &args[i]));
        else
            start_thread(&t[i - WP_LATE_GOROUTINES], wpref_late_thread, &args[i]);
    }
    assert_int_equal(wg_wait(w.started), 0);
    /* Give the late readers every chance to get in (they must not): let the
     * others run for a while. A late reader that got in anyway shows in
     * late_in; one that had not reached rwmutex_rlock yet proves nothing
     * here, but the order below still holds for it. */
    for (int i = 0; i < 2000 && atomic_load(&w.late_in) == 0; i++)
        go_yield();
    assert_int_equal(atomic_load(&w.late_in), 0);
    assert_int_equal(w.writer_seq, 0);

    assert_int_equal(rwmutex_runlock(w.rw), 0); /* the writer goes, then the readers */
    assert_int_equal(wg_wait(w.done), 0);
    for (int i = 0; i < WP_LATE_THREADS; i++)
        join_thread(t[i]);
    assert_int_equal(atomic_load(&w.errors), 0);
    assert_int_equal(w.writer_seq, 1);
    assert_int_equal(w.writer_saw_readers, 0);
    assert_int_equal(atomic_load(&w.late_in), WP_LATE);
    for (int i = 0; i < WP_LATE; i++)
        if (w.reader_seq[i] <= w.writer_seq)
            fail_msg("late reader %d got the read lock at %d, the writer at %d", i, w.reader_seq[i],
                     w.writer_seq);
    assert_int_equal(rwmutex_trylock(w.rw), 1);
    assert_int_equal(rwmutex_unlock(w.rw), 0);
    rwmutex_free(w.rw);
    wg_free(w.started);
    wg_free(w.done);
}

/* ------------------------------------------------------------------------ */
/* RWMutex: the try forms against a holder elsewhere; unlocks elsewhere     */

typedef struct rwacross {
    go_rwmutex_t *rw;
    go_wg_t *done;
    int rc[4];
} rwacross_t;

static void rw_try_both(void *p)
{
    rwacross_t *a = p;
    a->rc[0] = rwmutex_tryrlock(a->rw);
    a->rc[1] = rwmutex_trylock(a->rw);
    wg_done(a->done);
}

static void rw_runlock_g(void *p)
{
    rwacross_t *a = p;
    a->rc[2] = rwmutex_runlock(a->rw);
    wg_done(a->done);
}

static void rw_unlock_g(void *p)
{
    rwacross_t *a = p;
    a->rc[3] = rwmutex_unlock(a->rw);
    wg_done(a->done);
}

static void test_rwmutex_across(void **state)
{
    (void)state;
    rwacross_t a;
    memset(&a, 0, sizeof a);
    a.rw = rwmutex_new();
    assert_non_null(a.rw);
    a.done = wg_new();
    assert_non_null(a.done);

    /* the test thread writes: a goroutine can take neither */
    assert_int_equal(rwmutex_lock(a.rw), 0);
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(rw_try_both, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc[0], 0);
    assert_int_equal(a.rc[1], 0);
    /* and a goroutine releases the write lock (Go allows it) */
    a.rc[3] = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(rw_unlock_g, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc[3], 0);

    /* the test thread reads: a goroutine may read too, but not write */
    assert_int_equal(rwmutex_rlock(a.rw), 0);
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(rw_try_both, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc[0], 1);
    assert_int_equal(a.rc[1], 0);
    /* two read locks are held now (the thread's and the goroutine's): a
     * goroutine releases both */
    a.rc[2] = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(rw_runlock_g, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc[2], 0);
    assert_int_equal(rwmutex_trylock(a.rw), 0);
    a.rc[2] = RC_UNSET;
    assert_int_equal(wg_add(a.done, 1), 0);
    TU_ASSERT_OK(go_spawn(rw_runlock_g, &a));
    assert_int_equal(wg_wait(a.done), 0);
    assert_int_equal(a.rc[2], 0);

    assert_int_equal(rwmutex_trylock(a.rw), 1);
    assert_int_equal(rwmutex_unlock(a.rw), 0);
    rwmutex_free(a.rw);
    wg_free(a.done);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    if (getenv("SYNC_TEST_FILTER") != NULL) /* e.g. SYNC_TEST_FILTER='test_rwmutex*' */
        cmocka_set_test_filter(getenv("SYNC_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_mutex_basic),
        TU_TEST(test_mutex_bad_handles),
        TU_TEST(test_mutex_unlock_err),
        TU_TEST(test_mutex_contention_goroutines),
        TU_TEST(test_mutex_contention_threads),
        TU_TEST(test_mutex_contention_mixed),
        TU_TEST(test_mutex_unlock_by_another),
        TU_TEST(test_mutex_starvation_goroutines),
        TU_TEST(test_mutex_starvation_thread_holder),
        TU_TEST(test_mutex_starvation_thread_waiter),
        TU_TEST(test_rwmutex_basic),
        TU_TEST(test_rwmutex_bad_handles),
        TU_TEST(test_rwmutex_readers_together),
        TU_TEST(test_rwmutex_writer_exclusion),
        TU_TEST(test_rwmutex_writer_preference),
        TU_TEST(test_rwmutex_across),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
