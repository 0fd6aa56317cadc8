/* chan_test.h - helpers shared by test_chan.c, test_select.c and
 * test_timer.c: running a function in a goroutine or on a foreign thread
 * (an OS thread that is not a goroutine), catching a panic with a deferred
 * recover, and a fake handle for the "not a live channel" checks.
 *
 * Include after gort_test.h. Everything here is static: each test program
 * is one translation unit.
 *
 * Rules (testutil.h): no cmocka assertion in a goroutine or a foreign
 * thread; they record what they saw, the test thread asserts after joining
 * them. The test thread itself is a foreign thread (tests do not run under
 * go_main, so the deadlock detector is off, as in a library). */
#ifndef GORT_CHAN_TEST_H
#define GORT_CHAN_TEST_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gort/chan.h>
#include <gort/defer.h>
#include <gort/time.h>

/* Each program uses some of these helpers. */
#define CT_UNUSED __attribute__((unused))

/* Whether this build runs under AddressSanitizer (its allocator aborts on a
 * huge request instead of returning NULL, so the tests that ask for one are
 * left out there). */
#if defined(__SANITIZE_ADDRESS__)
#define CT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CT_ASAN 1
#endif
#endif
#ifndef CT_ASAN
#define CT_ASAN 0
#endif

/* Where a piece of test code runs. */
typedef enum ct_where {
    CT_TEST_THREAD, /* the cmocka thread itself (a foreign thread) */
    CT_THREAD,      /* a new pthread (a foreign thread) */
    CT_GOROUTINE,   /* a new goroutine */
    CT_WHERE_N
} ct_where_t;

static const char *const ct_where_name[CT_WHERE_N] = { "test thread", "foreign thread", "goroutine" };

static CT_UNUSED void ct_done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* A goroutine that runs fn(arg) and then releases a WaitGroup (with a
 * deferred call, so that a recovered panic or go_exit releases it too). */
typedef struct ct_job {
    go_fn_t fn;
    void *arg;
    go_wg_t *wg;
} ct_job_t;

static CT_UNUSED void ct_job_body(void *p)
{
    ct_job_t *j = p;
    if (defer_push(ct_done_fn, j->wg) != 0) {
        j->fn(j->arg);
        wg_done(j->wg);
        return;
    }
    j->fn(j->arg);
}

static void *ct_thread_main(void *p)
{
    ct_job_t *j = p;
    j->fn(j->arg);
    return NULL;
}

/* A started piece of work: a goroutine (wait with ct_join) or a thread. */
typedef struct ct_task {
    ct_where_t where;
    ct_job_t job;
    pthread_t th;
} ct_task_t;

/* Start fn(arg) in a goroutine or on a new thread; CT_TEST_THREAD runs it
 * now, to the end. Returns 0 or -1. */
static CT_UNUSED int ct_start(ct_task_t *t, ct_where_t where, go_fn_t fn, void *arg)
{
    t->where = where;
    t->job.fn = fn;
    t->job.arg = arg;
    t->job.wg = NULL;
    switch (where) {
    case CT_TEST_THREAD:
        fn(arg);
        return 0;
    case CT_THREAD:
        return pthread_create(&t->th, NULL, ct_thread_main, &t->job) == 0 ? 0 : -1;
    case CT_GOROUTINE:
        t->job.wg = wg_new();
        if (t->job.wg == NULL || wg_add(t->job.wg, 1) != 0)
            return -1;
        return go_spawn(ct_job_body, &t->job) > 0 ? 0 : -1;
    default:
        return -1;
    }
}

/* Wait for a task started by ct_start. Returns 0 or -1. */
static CT_UNUSED int ct_join(ct_task_t *t)
{
    switch (t->where) {
    case CT_TEST_THREAD:
        return 0;
    case CT_THREAD:
        return pthread_join(t->th, NULL) == 0 ? 0 : -1;
    case CT_GOROUTINE: {
        int rc = wg_wait(t->job.wg);
        wg_free(t->job.wg);
        t->job.wg = NULL;
        return rc == 0 ? 0 : -1;
    }
    default:
        return -1;
    }
}

/* Run fn(arg) there and wait until it is over. */
static CT_UNUSED void ct_run(ct_where_t where, go_fn_t fn, void *arg)
{
    ct_task_t t;
    assert_int_equal(ct_start(&t, where, fn, arg), 0);
    assert_int_equal(ct_join(&t), 0);
}

/* A group of goroutines released by one WaitGroup: spawn any number, then
 * wait for all of them. */
typedef struct ct_group {
    go_wg_t *wg;
    ct_job_t *jobs;
    int n, cap;
} ct_group_t;

static CT_UNUSED void ct_group_init(ct_group_t *g, int cap)
{
    g->wg = wg_new();
    assert_non_null(g->wg);
    g->jobs = calloc((size_t)cap, sizeof *g->jobs);
    assert_non_null(g->jobs);
    g->n = 0;
    g->cap = cap;
}

static CT_UNUSED void ct_group_go(ct_group_t *g, go_fn_t fn, void *arg)
{
    assert_true(g->n < g->cap);
    ct_job_t *j = &g->jobs[g->n++];
    j->fn = fn;
    j->arg = arg;
    j->wg = g->wg;
    TU_ASSERT_OK(wg_add(g->wg, 1));
    TU_ASSERT_OK(go_spawn(ct_job_body, j));
}

static CT_UNUSED void ct_group_wait(ct_group_t *g)
{
    TU_ASSERT_OK(wg_wait(g->wg));
    wg_free(g->wg);
    free(g->jobs);
    memset(g, 0, sizeof *g);
}

/* ------------------------------------------------------------------ panics */

/* What a recovering deferred call saw. */
typedef struct ct_rec {
    int called;            /* the deferred call ran */
    int ok;                /* panic_recover's result */
    int is_runtime_error;
    int message_null;
    char message[256];     /* a copy of the recovered message */
} ct_rec_t;

static CT_UNUSED void ct_recover_into(void *p)
{
    ct_rec_t *s = p;
    go_recovered_t r;
    memset(&r, 0, sizeof r);
    s->called++;
    s->ok = panic_recover(&r);
    s->is_runtime_error = s->ok ? r.is_runtime_error : -1;
    s->message_null = s->ok ? r.message == NULL : 1;
    snprintf(s->message, sizeof s->message, "%s", s->ok && r.message != NULL ? r.message : "");
}

/* ct_catch: run fn(arg) as a frame whose deferred call recovers any panic
 * into *rec. Returns go_call's result: 0 (fn returned) or GO_RECOVERED. */
typedef struct ct_catch_args {
    go_fn_t fn;
    void *arg;
    ct_rec_t *rec;
} ct_catch_args_t;

static CT_UNUSED void ct_catch_body(void *p)
{
    ct_catch_args_t *a = p;
    if (defer_push(ct_recover_into, a->rec) != 0)
        return; /* rec->called stays 0: the caller sees it */
    a->fn(a->arg);
}

static CT_UNUSED int ct_catch(go_fn_t fn, void *arg, ct_rec_t *rec)
{
    memset(rec, 0, sizeof *rec);
    ct_catch_args_t a = { fn, arg, rec };
    return go_call(ct_catch_body, &a);
}

/* Fail unless a ct_catch recovered exactly one panic with message msg. */
#define CT_ASSERT_PANICKED(rc, rec, msg)                                              \
    do {                                                                              \
        if ((rc) != GO_RECOVERED || (rec).called != 1 || (rec).ok != 1)               \
            fail_msg("expected the panic \"%s\": go_call returned %d, the deferred "  \
                     "call ran %d time(s), panic_recover returned %d",                \
                     (msg), (rc), (rec).called, (rec).ok);                            \
        if ((rec).message_null || strcmp((rec).message, (msg)) != 0)                  \
            fail_msg("recovered \"%s\" (null: %d), expected \"%s\"", (rec).message,   \
                     (rec).message_null, (msg));                                      \
    } while (0)

/* --------------------------------------------------------- handles, values */

/* Memory that was never a channel, timer or ticker: gort checks a magic word
 * inside the handle, and reading it here stays inside this buffer however
 * large gort's structs are (up to 4 KiB). */
static _Alignas(64) unsigned char ct_garbage_mem[4096];

static void *ct_garbage(void)
{
    memset(ct_garbage_mem, 0x5A, sizeof ct_garbage_mem);
    return ct_garbage_mem;
}

/* Whether n bytes at p are all 0. */
static CT_UNUSED int ct_all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

/* A biased pause: gives goroutines and threads that announced they are
 * about to block time to really park. No test's correctness depends on it
 * (a peer that arrives after the event it waits for takes the other path,
 * with the same observable result); it only makes the blocked path the
 * likely one. */
static CT_UNUSED void ct_let_them_block(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep(2 * TU_MS);
}

/* ------------------------------------------------------------ death tests */

/* In a child (tu_run_child): run fn as go_main's main goroutine; exit 0
 * when it returns. */
static CT_UNUSED void ct_child_go_main(void *fn)
{
    int rc = go_main((go_fn_t)fn, NULL);
    fflush(stdout);
    _exit(rc == 0 ? 0 : 98);
}

/* Run fn as the main goroutine of a child; expect exit status 2 and stderr
 * starting with prefix. When prefix ends with "goroutine ", the id that
 * follows must be want_id (the child's stdout when want_id is -1: a
 * goroutine id the child printed), then " [running]:\n". */
static CT_UNUSED void ct_expect_death(go_fn_t fn, const char *prefix, long long want_id)
{
    tu_child_t r;
    tu_run_child(ct_child_go_main, (void *)fn, 20000, &r);
    if (!r.exited || r.exit_status != 2)
        fail_msg("expected exit status 2; %s; stderr \"%s\"", tu_child_describe(&r), r.err);
    if (!tu_starts_with(r.err, prefix))
        fail_msg("expected stderr to start with \"%s\"; stderr \"%s\"", prefix, r.err);
    size_t n = strlen(prefix);
    if (n >= 10 && strcmp(prefix + n - 10, "goroutine ") == 0) {
        if (want_id == -1)
            want_id = strtoll(r.out, NULL, 10);
        char *end;
        long long id = strtoll(r.err + n, &end, 10);
        if (end == r.err + n || id != want_id || !tu_starts_with(end, " [running]:\n"))
            fail_msg("expected \"goroutine %lld [running]:\" after \"%s\"; stderr \"%s\"", want_id, prefix,
                     r.err);
    }
    tu_child_free(&r);
}

/* Block the calling goroutine for good (a channel nobody sends on; the
 * child ends before it matters). */
static CT_UNUSED void ct_block_forever(void)
{
    go_chan_t *ch = chan_new(0, 0);
    chan_recv(ch, NULL);
}

#endif /* GORT_CHAN_TEST_H */
