/* test_defer.c - defer, panic, recover and Goexit (gort/defer.h), in
 * process: the order of deferred calls, argument copies, the error codes,
 * go_call's results, the recover rule, the recovered values and their
 * lifetimes, GO_FRAME, panics that park and migrate, many goroutines
 * panicking at once, and go_exit.
 *
 * Fatal paths (unrecovered panics, runtime errors, Goexit from main) are in
 * test_defer_death.c: they end the process, and the SIGSEGV/SIGFPE handlers
 * that turn faults into panics cannot coexist with cmocka's, which cmocka
 * reinstalls around every test.
 *
 * Rules (testutil.h): no cmocka assertion inside a goroutine, a frame or a
 * foreign thread. Goroutines and frames record what they saw in context
 * structs; the test thread asserts after waiting for them. The test thread
 * itself is a foreign thread (not a goroutine): go_call works on it.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

#include <gort/defer.h>

#include "defer_test.h"

#define NOINLINE __attribute__((noinline))

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

/* A deferred call that appends text to a log; its argument is copied at the
 * defer (defer_push_copy). */
typedef struct log_item {
    tlog_t *log;
    const char *text;
} log_item_t;

static void log_fn(void *p)
{
    const log_item_t *it = p;
    tlog_add(it->log, it->text);
}

static int defer_log(tlog_t *l, const char *text)
{
    log_item_t it = { l, text };
    return defer_push_copy(log_fn, &it, sizeof it);
}

/* Run fn(arg) on a new OS thread (a foreign thread) and join it. */
typedef struct on_thread {
    go_fn_t fn;
    void *arg;
} on_thread_t;

static void *on_thread_main(void *p)
{
    on_thread_t *t = p;
    t->fn(t->arg);
    return NULL;
}

static void run_on_thread(go_fn_t fn, void *arg)
{
    on_thread_t t = { fn, arg };
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, on_thread_main, &t), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
}

static long gettid_(void)
{
    return (long)syscall(SYS_gettid);
}

/* Fill a go_recovered_t with junk, to see whether panic_recover wrote it. */
static void junk_fill(go_recovered_t *r)
{
    memset(r, 0xA5, sizeof *r);
}

static int is_junk(const go_recovered_t *r)
{
    go_recovered_t j;
    junk_fill(&j);
    return memcmp(r, &j, sizeof j) == 0;
}

/* What a recovering deferred call saw. */
typedef struct rec_seen {
    int called;
    int ok;                 /* panic_recover's result */
    go_recovered_t r;       /* its output */
    char message[256];      /* a copy of r.message ("" when NULL) */
    int message_null;
} rec_seen_t;

static void note_recover(rec_seen_t *s)
{
    s->called++;
    junk_fill(&s->r);
    s->ok = panic_recover(&s->r);
    s->message_null = s->ok ? s->r.message == NULL : 1;
    if (s->ok && s->r.message != NULL)
        snprintf(s->message, sizeof s->message, "%s", s->r.message);
    else
        s->message[0] = '\0';
}

/* Fail when a recovered value has not the text `want` (defer.h: NULL only
 * for panic(nil)). */
static void expect_message(const rec_seen_t *s, const char *what, const char *want)
{
    if (s->ok != 1)
        fail_msg("%s: panic_recover returned %d, want 1", what, s->ok);
    if (s->message_null)
        fail_msg("%s: go_recovered_t.message is NULL, want \"%s\"", what, want);
    if (strcmp(s->message, want) != 0)
        fail_msg("%s: go_recovered_t.message is \"%s\", want \"%s\"", what, s->message, want);
}

/* A deferred call that recovers into a rec_seen_t. */
static void recover_into(void *p)
{
    note_recover(p);
}

/* ------------------------------------------------------------------------ */
/* order                                                                    */

typedef struct order_ctx {
    tlog_t log;
    int rc[10];
} order_ctx_t;

static void order_body(void *p)
{
    static const char *digits[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
    order_ctx_t *c = p;
    for (int i = 0; i < 10; i++)
        c->rc[i] = defer_log(&c->log, digits[i]);
    tlog_add(&c->log, "body;");
}

static void check_order(const order_ctx_t *c)
{
    for (int i = 0; i < 10; i++)
        TU_ASSERT_OK(c->rc[i]);
    assert_string_equal(c->log.buf, "body;9876543210");
}

/* the deferred calls of a goroutine body run when it returns, last first */
static void test_order_goroutine(void **state)
{
    (void)state;
    static order_ctx_t c;
    tlog_reset(&c.log);
    run_in_goroutine(order_body, &c);
    check_order(&c);
}

/* go_call's frame on the test thread (not a goroutine) and in a goroutine */
static void order_go_call(void *p)
{
    order_ctx_t *c = p;
    c->rc[0] = go_call(order_body, c);
}

static void test_order_go_call(void **state)
{
    (void)state;
    static order_ctx_t c;
    tlog_reset(&c.log);
    assert_int_equal(go_call(order_body, &c), 0);
    check_order(&c);

    static order_ctx_t c2;
    tlog_reset(&c2.log);
    run_in_goroutine(order_go_call, &c2);
    assert_int_equal(c2.rc[0], 0);
    c2.rc[0] = 0;
    check_order(&c2);

    /* on another foreign thread */
    static order_ctx_t c3;
    tlog_reset(&c3.log);
    run_on_thread(order_go_call, &c3);
    assert_int_equal(c3.rc[0], 0);
    c3.rc[0] = 0;
    check_order(&c3);
}

/* nested go_call frames: each frame's deferred calls run when it ends */
typedef struct nest_ctx {
    tlog_t log;
} nest_ctx_t;

static void nest_inner(void *p)
{
    nest_ctx_t *c = p;
    defer_log(&c->log, "i1;");
    defer_log(&c->log, "i2;");
    tlog_add(&c->log, "inner;");
}

static void nest_outer(void *p)
{
    nest_ctx_t *c = p;
    defer_log(&c->log, "o1;");
    go_call(nest_inner, c);
    tlog_add(&c->log, "after-inner;");
    defer_log(&c->log, "o2;");
}

static void test_order_nested_frames(void **state)
{
    (void)state;
    static nest_ctx_t c;
    tlog_reset(&c.log);
    run_in_goroutine(nest_outer, &c);
    assert_string_equal(c.log.buf, "inner;i2;i1;after-inner;o2;o1;");
}

/* a deferred call is a frame: what it defers runs when it returns, before
 * the next deferred call of the outer frame */
static tlog_t dd_log;

static void dd_nested_deferred(void *p)
{
    (void)p;
    tlog_add(&dd_log, "B2;");
}

static void dd_deferred(void *p)
{
    int *rc = p;
    *rc = defer_push(dd_nested_deferred, NULL);
    tlog_add(&dd_log, "B;");
}

static void dd_body(void *p)
{
    defer_log(&dd_log, "A;");
    defer_push(dd_deferred, p);
    tlog_add(&dd_log, "body;");
}

static void test_defer_inside_deferred_call(void **state)
{
    (void)state;
    static int rc = -1;
    tlog_reset(&dd_log);
    run_in_goroutine(dd_body, &rc);
    TU_ASSERT_OK(rc);
    assert_string_equal(dd_log.buf, "body;B;B2;A;");
}

/* many deferred calls in one frame */
enum { MANY_DEFERS = 100000 };

typedef struct many_ctx {
    int next;      /* the index the next deferred call must have */
    int bad;       /* deferred calls that ran out of order */
    int push_fail; /* defer_push errors */
} many_ctx_t;

typedef struct many_arg {
    many_ctx_t *c;
    int i;
} many_arg_t;

static void many_fn(void *p)
{
    const many_arg_t *a = p;
    if (a->i != a->c->next)
        a->c->bad++;
    a->c->next--;
}

static void many_body(void *p)
{
    many_ctx_t *c = p;
    for (int i = 0; i < MANY_DEFERS; i++) {
        many_arg_t a = { c, i };
        if (defer_push_copy(many_fn, &a, sizeof a) != 0)
            c->push_fail++;
    }
    c->next = MANY_DEFERS - 1;
}

static void test_many_defers(void **state)
{
    (void)state;
    static many_ctx_t c;
    memset(&c, 0, sizeof c);
    run_in_goroutine(many_body, &c);
    assert_int_equal(c.push_fail, 0);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.next, -1);
}

/* ------------------------------------------------------------------------ */
/* defer_push_copy                                                          */

typedef struct copy_ctx copy_ctx_t;

typedef struct big_arg {
    copy_ctx_t *ctx;
    const void *orig;     /* the address of the pushed struct */
    int tag;
    unsigned char bytes[1000];
} big_arg_t;

struct copy_ctx {
    int rc_big, rc_small, rc_null;
    int big_runs, big_tag, big_bytes_ok, big_is_copy, big_aligned;
    const void *big_copy_addr;
    int small_runs, small_value, small_is_copy;
    const void *small_orig, *small_copy_addr;
    int null_runs;
    void *null_arg;
};

static copy_ctx_t *g_copy_ctx;

static void big_fn(void *p)
{
    const big_arg_t *a = p;
    copy_ctx_t *c = a->ctx;
    c->big_runs++;
    c->big_tag = a->tag;
    c->big_bytes_ok = 1;
    for (size_t i = 0; i < sizeof a->bytes; i++)
        if (a->bytes[i] != (unsigned char)i)
            c->big_bytes_ok = 0;
    c->big_is_copy = p != a->orig;
    c->big_aligned = ((uintptr_t)p % _Alignof(max_align_t)) == 0;
    c->big_copy_addr = p;
}

static void small_fn(void *p)
{
    copy_ctx_t *c = g_copy_ctx;
    c->small_runs++;
    c->small_value = *(const char *)p;
    c->small_is_copy = p != c->small_orig;
    c->small_copy_addr = p;
}

static void null_fn(void *p)
{
    g_copy_ctx->null_runs++;
    g_copy_ctx->null_arg = p;
}

static void copy_body(void *p)
{
    copy_ctx_t *c = p;
    big_arg_t big;
    big.ctx = c;
    big.orig = &big;
    big.tag = 1;
    for (size_t i = 0; i < sizeof big.bytes; i++)
        big.bytes[i] = (unsigned char)i;
    char small = 'a';
    c->small_orig = &small;
    c->null_arg = (void *)&c->null_arg; /* not NULL */

    c->rc_null = defer_push_copy(null_fn, NULL, 0);
    c->rc_small = defer_push_copy(small_fn, &small, 1);
    c->rc_big = defer_push_copy(big_fn, &big, sizeof big);
    /* changes after the defer: the deferred calls must not see them */
    big.tag = 2;
    memset(big.bytes, 0xEE, sizeof big.bytes);
    small = 'b';
}

static void test_push_copy_copies_at_push(void **state)
{
    (void)state;
    static copy_ctx_t c;
    memset(&c, 0, sizeof c);
    g_copy_ctx = &c;
    run_in_goroutine(copy_body, &c);
    TU_ASSERT_OK(c.rc_big);
    TU_ASSERT_OK(c.rc_small);
    TU_ASSERT_OK(c.rc_null);
    assert_int_equal(c.big_runs, 1);
    assert_int_equal(c.big_tag, 1);
    assert_true(c.big_bytes_ok);
    assert_true(c.big_is_copy);
    if (!c.big_aligned)
        fail_msg("defer_push_copy's copy at %p is not aligned for max_align_t", c.big_copy_addr);
    assert_int_equal(c.small_runs, 1);
    assert_int_equal(c.small_value, 'a');
    assert_true(c.small_is_copy);
    assert_ptr_not_equal(c.small_copy_addr, c.big_copy_addr);
    assert_int_equal(c.null_runs, 1);
    assert_null(c.null_arg);
}

/* ------------------------------------------------------------------------ */
/* error codes                                                              */

typedef struct einval_ctx {
    int rc_push, rc_copy, rc_ok;
    tlog_t log;
} einval_ctx_t;

static void einval_body(void *p)
{
    einval_ctx_t *c = p;
    int x = 1;
    c->rc_push = defer_push(NULL, &x);
    c->rc_copy = defer_push_copy(NULL, &x, sizeof x);
    c->rc_ok = defer_log(&c->log, "ok;");
}

static void check_einval(const einval_ctx_t *c)
{
    TU_ASSERT_ERR(c->rc_push, GO_EINVAL);
    TU_ASSERT_ERR(c->rc_copy, GO_EINVAL);
    TU_ASSERT_OK(c->rc_ok);
    /* the failed pushes left nothing on the defer stack */
    assert_string_equal(c->log.buf, "ok;");
}

static void test_push_null_fn_einval(void **state)
{
    (void)state;
    static einval_ctx_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(go_call(einval_body, &c), 0);
    check_einval(&c);
    memset(&c, 0, sizeof c);
    run_in_goroutine(einval_body, &c);
    check_einval(&c);
}

static int eperm_calls;

static void eperm_fn(void *p)
{
    (void)p;
    eperm_calls++;
}

typedef struct eperm_ctx {
    int rc_push, rc_copy, rc_inside, rc_after;
} eperm_ctx_t;

static void eperm_inside(void *p)
{
    eperm_ctx_t *c = p;
    c->rc_inside = defer_push(eperm_fn, NULL);
}

static void eperm_thread(void *p)
{
    eperm_ctx_t *c = p;
    int x = 1;
    c->rc_push = defer_push(eperm_fn, NULL);
    c->rc_copy = defer_push_copy(eperm_fn, &x, sizeof x);
    go_call(eperm_inside, c); /* runs its one deferred call */
    c->rc_after = defer_push(eperm_fn, NULL);
}

/* no frame: a foreign thread outside go_call */
static void test_push_foreign_thread_eperm(void **state)
{
    (void)state;
    eperm_ctx_t c;
    eperm_calls = 0;
    /* the test thread */
    eperm_thread(&c);
    TU_ASSERT_ERR(c.rc_push, GO_EPERM);
    TU_ASSERT_ERR(c.rc_copy, GO_EPERM);
    TU_ASSERT_OK(c.rc_inside);
    TU_ASSERT_ERR(c.rc_after, GO_EPERM);
    assert_int_equal(eperm_calls, 1); /* only the one pushed inside go_call */
    /* a new thread */
    eperm_calls = 0;
    run_on_thread(eperm_thread, &c);
    TU_ASSERT_ERR(c.rc_push, GO_EPERM);
    TU_ASSERT_ERR(c.rc_copy, GO_EPERM);
    TU_ASSERT_OK(c.rc_inside);
    TU_ASSERT_ERR(c.rc_after, GO_EPERM);
    assert_int_equal(eperm_calls, 1);
    /* the failed pushes never run later either */
    assert_int_equal(go_call(eperm_inside, &c), 0);
    assert_int_equal(eperm_calls, 2);
}

static int null_call_rc;

static void go_call_null(void *p)
{
    (void)p;
    null_call_rc = go_call(NULL, NULL);
}

static void test_go_call_null_einval(void **state)
{
    (void)state;
    TU_ASSERT_ERR(go_call(NULL, NULL), GO_EINVAL);
    null_call_rc = 0;
    run_in_goroutine(go_call_null, NULL);
    TU_ASSERT_ERR(null_call_rc, GO_EINVAL);
    null_call_rc = 0;
    assert_int_equal(go_call(go_call_null, NULL), 0);
    TU_ASSERT_ERR(null_call_rc, GO_EINVAL);
}

/* go_exit outside a goroutine: GO_EPERM, also inside go_call; the frame's
 * deferred calls run only when it ends */
typedef struct goexit_eperm_ctx {
    int rc, rc_inside;
    tlog_t log;
} goexit_eperm_ctx_t;

static void goexit_eperm_inside(void *p)
{
    goexit_eperm_ctx_t *c = p;
    defer_log(&c->log, "deferred;");
    c->rc_inside = go_exit();
    tlog_add(&c->log, "after go_exit;");
}

static void goexit_eperm_thread(void *p)
{
    goexit_eperm_ctx_t *c = p;
    c->rc = go_exit();
    go_call(goexit_eperm_inside, c);
}

static void test_go_exit_foreign_thread_eperm(void **state)
{
    (void)state;
    static goexit_eperm_ctx_t c;
    memset(&c, 0, sizeof c);
    goexit_eperm_thread(&c);
    TU_ASSERT_ERR(c.rc, GO_EPERM);
    TU_ASSERT_ERR(c.rc_inside, GO_EPERM);
    assert_string_equal(c.log.buf, "after go_exit;deferred;");
    memset(&c, 0, sizeof c);
    run_on_thread(goexit_eperm_thread, &c);
    TU_ASSERT_ERR(c.rc, GO_EPERM);
    TU_ASSERT_ERR(c.rc_inside, GO_EPERM);
    assert_string_equal(c.log.buf, "after go_exit;deferred;");
}

/* ------------------------------------------------------------------------ */
/* go_call's result                                                         */

typedef struct result_ctx {
    tlog_t log;
    rec_seen_t seen;
    int rc_inner;
    int inner_returned;
} result_ctx_t;

static void fn_plain(void *p)
{
    result_ctx_t *c = p;
    tlog_add(&c->log, "plain;");
}

static void fn_defers_no_panic(void *p)
{
    result_ctx_t *c = p;
    defer_log(&c->log, "d;");
    defer_push(recover_into, &c->seen); /* recover with no panic: 0 */
}

static void fn_panics_recovered(void *p)
{
    result_ctx_t *c = p;
    defer_log(&c->log, "after-recover;");
    defer_push(recover_into, &c->seen);
    defer_log(&c->log, "before-recover;");
    panic_raise("recovered here");
}

static void fn_nested_inner_recovers(void *p)
{
    result_ctx_t *c = p;
    c->rc_inner = go_call(fn_panics_recovered, c);
    c->inner_returned = 1;
    tlog_add(&c->log, "outer-goes-on;");
}

static void fn_inner_panics(void *p)
{
    result_ctx_t *c = p;
    defer_log(&c->log, "inner-deferred;");
    panic_raise("from inner");
}

static void fn_nested_outer_recovers(void *p)
{
    result_ctx_t *c = p;
    defer_push(recover_into, &c->seen);
    c->rc_inner = go_call(fn_inner_panics, c);
    c->inner_returned = 1; /* not reached */
    tlog_add(&c->log, "outer-goes-on;");
}

static void deferred_panics(void *p)
{
    (void)p;
    panic_raise("from a deferred call at a normal return");
}

static void fn_deferred_call_panics(void *p)
{
    result_ctx_t *c = p;
    defer_push(recover_into, &c->seen);
    defer_push(deferred_panics, NULL);
    tlog_add(&c->log, "returns;");
}

typedef struct result_case {
    go_fn_t fn;
    int want_rc;
    const char *want_log;
    int want_recovered;       /* seen.ok */
    const char *want_message; /* when recovered */
    int want_inner_returned;
    int want_rc_inner;
} result_case_t;

static const result_case_t result_cases[] = {
    { fn_plain, 0, "plain;", 0, NULL, 0, 0 },
    { fn_defers_no_panic, 0, "d;", 0, NULL, 0, 0 },
    { fn_panics_recovered, GO_RECOVERED, "before-recover;after-recover;", 1, "recovered here", 0, 0 },
    { fn_nested_inner_recovers, 0, "before-recover;after-recover;outer-goes-on;", 1, "recovered here", 1,
      GO_RECOVERED },
    { fn_nested_outer_recovers, GO_RECOVERED, "inner-deferred;", 1, "from inner", 0, 0 },
    { fn_deferred_call_panics, GO_RECOVERED, "returns;", 1, "from a deferred call at a normal return", 0, 0 },
};

typedef struct result_run {
    const result_case_t *rc_case;
    result_ctx_t ctx;
    int rc;
} result_run_t;

static void result_run_call(void *p)
{
    result_run_t *r = p;
    r->rc = go_call(r->rc_case->fn, &r->ctx);
}

static void check_result_run(const result_run_t *r, const char *where, size_t i)
{
    const result_case_t *k = r->rc_case;
    if (r->rc != k->want_rc)
        fail_msg("%s, case %zu: go_call returned %d, want %d", where, i, r->rc, k->want_rc);
    if (strcmp(r->ctx.log.buf, k->want_log) != 0)
        fail_msg("%s, case %zu: log \"%s\", want \"%s\"", where, i, r->ctx.log.buf, k->want_log);
    if (r->ctx.seen.ok != k->want_recovered)
        fail_msg("%s, case %zu: panic_recover returned %d, want %d", where, i, r->ctx.seen.ok,
                 k->want_recovered);
    if (k->want_message != NULL && strcmp(r->ctx.seen.message, k->want_message) != 0)
        fail_msg("%s, case %zu: recovered \"%s\", want \"%s\"", where, i, r->ctx.seen.message,
                 k->want_message);
    if (!k->want_recovered && r->ctx.seen.called && !is_junk(&r->ctx.seen.r))
        fail_msg("%s, case %zu: panic_recover returned 0 but wrote its output", where, i);
    if (r->ctx.inner_returned != k->want_inner_returned)
        fail_msg("%s, case %zu: inner go_call returned: %d, want %d", where, i, r->ctx.inner_returned,
                 k->want_inner_returned);
    if (k->want_inner_returned && r->ctx.rc_inner != k->want_rc_inner)
        fail_msg("%s, case %zu: inner go_call returned %d, want %d", where, i, r->ctx.rc_inner,
                 k->want_rc_inner);
}

/* 0 when fn returned (deferred calls ran), GO_RECOVERED exactly when one of
 * its frame's deferred calls recovered; on the test thread, on a new
 * thread, and in a goroutine */
static void test_go_call_results(void **state)
{
    (void)state;
    static result_run_t r;
    for (size_t i = 0; i < TU_ARRAY_LEN(result_cases); i++) {
        for (int where = 0; where < 3; where++) {
            memset(&r, 0, sizeof r);
            r.rc_case = &result_cases[i];
            r.rc = -12345;
            if (where == 0)
                result_run_call(&r);
            else if (where == 1)
                run_on_thread(result_run_call, &r);
            else
                run_in_goroutine(result_run_call, &r);
            check_result_run(&r, where == 0 ? "test thread" : where == 1 ? "new thread" : "goroutine", i);
        }
    }
}

/* after go_call returned GO_RECOVERED, nothing panics any more: a new
 * panic, and the same again, many times in one goroutine and one thread */
typedef struct repeat_ctx {
    int recovered;
    int rcs_ok;
    int not_panicking_after;
} repeat_ctx_t;

static void repeat_panics(void *p)
{
    repeat_ctx_t *c = p;
    for (int i = 0; i < 200; i++) {
        result_ctx_t ctx;
        memset(&ctx, 0, sizeof ctx);
        int rc = go_call(fn_panics_recovered, &ctx);
        if (rc == GO_RECOVERED && ctx.seen.ok && strcmp(ctx.seen.message, "recovered here") == 0)
            c->recovered++;
        go_recovered_t r;
        junk_fill(&r);
        if (panic_recover(&r) == 0 && is_junk(&r))
            c->not_panicking_after++;
        if (go_call(fn_plain, &ctx) == 0)
            c->rcs_ok++;
    }
}

static void test_recover_repeatedly(void **state)
{
    (void)state;
    static repeat_ctx_t c;
    memset(&c, 0, sizeof c);
    run_in_goroutine(repeat_panics, &c);
    assert_int_equal(c.recovered, 200);
    assert_int_equal(c.rcs_ok, 200);
    assert_int_equal(c.not_panicking_after, 200);
    memset(&c, 0, sizeof c);
    repeat_panics(&c);
    assert_int_equal(c.recovered, 200);
    assert_int_equal(c.rcs_ok, 200);
    assert_int_equal(c.not_panicking_after, 200);
}

/* ------------------------------------------------------------------------ */
/* panic_recover when nothing panics                                        */

typedef struct np_ctx {
    int rc[4];
    int junk[4];
    int rc_null_out;
} np_ctx_t;

static void np_probe(np_ctx_t *c, int i)
{
    go_recovered_t r;
    junk_fill(&r);
    c->rc[i] = panic_recover(&r);
    c->junk[i] = is_junk(&r);
}

static void np_deferred(void *p)
{
    np_probe(p, 2);
}

static void np_frame(void *p)
{
    np_ctx_t *c = p;
    np_probe(c, 1);
    defer_push(np_deferred, c);
    c->rc_null_out = panic_recover(NULL);
}

static void np_all(void *p)
{
    np_ctx_t *c = p;
    np_probe(c, 0); /* no frame (test thread) or the goroutine body */
    go_call(np_frame, c);
    np_probe(c, 3);
}

static void check_np(const np_ctx_t *c)
{
    for (int i = 0; i < 4; i++) {
        if (c->rc[i] != 0)
            fail_msg("probe %d: panic_recover returned %d while nothing panics", i, c->rc[i]);
        if (!c->junk[i])
            fail_msg("probe %d: panic_recover returned 0 but wrote *out", i);
    }
    assert_int_equal(c->rc_null_out, 0);
}

static void test_recover_not_panicking(void **state)
{
    (void)state;
    static np_ctx_t c;
    memset(&c, 0, sizeof c);
    np_all(&c); /* the test thread: no frame at first */
    check_np(&c);
    memset(&c, 0, sizeof c);
    run_in_goroutine(np_all, &c);
    check_np(&c);
    memset(&c, 0, sizeof c);
    run_on_thread(np_all, &c);
    check_np(&c);
}

/* ------------------------------------------------------------------------ */
/* the recover rule                                                         */

typedef struct rule_ctx {
    rec_seen_t helper;   /* recover in a plain C helper of the deferred call */
    rec_seen_t nested;   /* recover inside a frame opened since */
    rec_seen_t after;    /* recover in the deferred call after that frame ended */
    rec_seen_t outer;    /* the safety net: a later deferred call */
    int rc;
    int nested_rc;
} rule_ctx_t;

static NOINLINE void rule_helper2(rule_ctx_t *c)
{
    note_recover(&c->helper);
    __asm__ volatile("" ::: "memory");
}

static NOINLINE void rule_helper(rule_ctx_t *c)
{
    rule_helper2(c);
    __asm__ volatile("" ::: "memory");
}

/* deferred fn -> plain helper -> helper -> panic_recover: direct */
static void rule_deferred_helper(void *p)
{
    rule_helper(p);
}

static void rule_body_helper(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->outer);
    defer_push(rule_deferred_helper, c);
    panic_raise("helper rule");
}

static void rule_nested_fn(void *p)
{
    rule_ctx_t *c = p;
    note_recover(&c->nested);
}

/* deferred fn -> go_call(fn) -> panic_recover: hidden; then the deferred
 * fn itself recovers: its frame is the innermost again */
static void rule_deferred_go_call(void *p)
{
    rule_ctx_t *c = p;
    c->nested_rc = go_call(rule_nested_fn, c);
    note_recover(&c->after);
}

static void rule_body_go_call(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->outer);
    defer_push(rule_deferred_go_call, c);
    panic_raise("go_call rule");
}

/* deferred fn -> a function with a GO_FRAME -> panic_recover: hidden */
static NOINLINE void rule_frame_fn(rule_ctx_t *c)
{
    GO_FRAME(frame) {
        return;
    }
    note_recover(&c->nested);
}

static void rule_deferred_go_frame(void *p)
{
    rule_ctx_t *c = p;
    rule_frame_fn(c);
    note_recover(&c->after);
}

static void rule_body_go_frame(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->outer);
    defer_push(rule_deferred_go_frame, c);
    panic_raise("GO_FRAME rule");
}

/* deferred fn -> go_call(g) whose deferred call recovers (run when g's frame
 * ends normally): hidden */
static void rule_g(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->nested);
}

static void rule_deferred_go_call_deferred(void *p)
{
    rule_ctx_t *c = p;
    c->nested_rc = go_call(rule_g, c);
    note_recover(&c->after);
}

static void rule_body_go_call_deferred(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->outer);
    defer_push(rule_deferred_go_call_deferred, c);
    panic_raise("nested deferred rule");
}

/* a deferred call's own deferred call: hidden */
static void rule_deferred_defers(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->nested);
}

static void rule_body_deferred_defers(void *p)
{
    rule_ctx_t *c = p;
    defer_push(recover_into, &c->outer);
    defer_push(rule_deferred_defers, c);
    panic_raise("deferred defers rule");
}

typedef struct rule_job {
    go_fn_t body;
    rule_ctx_t ctx;
} rule_job_t;

static void rule_job_run(void *p)
{
    rule_job_t *j = p;
    j->ctx.rc = go_call(j->body, &j->ctx);
}

static void run_rule(rule_job_t *j, go_fn_t body, int in_goroutine)
{
    memset(j, 0, sizeof *j);
    j->body = body;
    j->ctx.nested_rc = -12345;
    if (in_goroutine)
        run_in_goroutine(rule_job_run, j);
    else
        rule_job_run(j);
}

static void test_recover_rule_plain_helper_is_direct(void **state)
{
    (void)state;
    static rule_job_t j;
    for (int g = 0; g < 2; g++) {
        run_rule(&j, rule_body_helper, g);
        assert_int_equal(j.ctx.rc, GO_RECOVERED);
        assert_int_equal(j.ctx.helper.called, 1);
        if (j.ctx.helper.ok != 1)
            fail_msg("panic_recover in a plain C helper of a deferred call returned %d, want 1",
                     j.ctx.helper.ok);
        assert_string_equal(j.ctx.helper.message, "helper rule");
        /* the later deferred call finds nothing to recover */
        assert_int_equal(j.ctx.outer.called, 1);
        assert_int_equal(j.ctx.outer.ok, 0);
    }
}

static void check_hidden(const rule_job_t *j, const char *what)
{
    if (j->ctx.rc != GO_RECOVERED)
        fail_msg("%s: go_call returned %d, want GO_RECOVERED", what, j->ctx.rc);
    if (j->ctx.nested.called != 1)
        fail_msg("%s: the nested probe ran %d times", what, j->ctx.nested.called);
    if (j->ctx.nested.ok != 0)
        fail_msg("%s: panic_recover inside a nested frame returned %d, want 0", what, j->ctx.nested.ok);
    if (!is_junk(&j->ctx.nested.r))
        fail_msg("%s: panic_recover returned 0 but wrote *out", what);
}

static void test_recover_rule_nested_go_call_hides(void **state)
{
    (void)state;
    static rule_job_t j;
    for (int g = 0; g < 2; g++) {
        run_rule(&j, rule_body_go_call, g);
        check_hidden(&j, "deferred fn -> go_call(fn)");
        assert_int_equal(j.ctx.nested_rc, 0);
        /* back in the deferred call, its frame is the innermost again */
        if (j.ctx.after.ok != 1)
            fail_msg("panic_recover in the deferred call after its go_call returned %d, want 1",
                     j.ctx.after.ok);
        assert_string_equal(j.ctx.after.message, "go_call rule");
        assert_int_equal(j.ctx.outer.ok, 0);
    }
}

static void test_recover_rule_nested_go_frame_hides(void **state)
{
    (void)state;
    static rule_job_t j;
    for (int g = 0; g < 2; g++) {
        run_rule(&j, rule_body_go_frame, g);
        check_hidden(&j, "deferred fn -> GO_FRAME");
        if (j.ctx.after.ok != 1)
            fail_msg("panic_recover in the deferred call after its GO_FRAME ended returned %d, want 1",
                     j.ctx.after.ok);
        assert_string_equal(j.ctx.after.message, "GO_FRAME rule");
        assert_int_equal(j.ctx.outer.ok, 0);
    }
}

static void test_recover_rule_nested_deferred_hides(void **state)
{
    (void)state;
    static rule_job_t j;
    for (int g = 0; g < 2; g++) {
        run_rule(&j, rule_body_go_call_deferred, g);
        check_hidden(&j, "deferred fn -> go_call(g), g's deferred call");
        assert_int_equal(j.ctx.nested_rc, 0);
        assert_int_equal(j.ctx.after.ok, 1);
        assert_string_equal(j.ctx.after.message, "nested deferred rule");
        assert_int_equal(j.ctx.outer.ok, 0);

        run_rule(&j, rule_body_deferred_defers, g);
        check_hidden(&j, "a deferred call's own deferred call");
        /* the panic went on to the outer deferred call */
        assert_int_equal(j.ctx.outer.ok, 1);
        assert_string_equal(j.ctx.outer.message, "deferred defers rule");
    }
}

/* ------------------------------------------------------------------------ */
/* recovered values                                                         */

typedef struct msg_ctx {
    char *source;          /* the buffer given to panic_raise */
    rec_seen_t seen;
    const char *msg_ptr;   /* r.message as returned */
    int later_ok;          /* a later deferred call still reads the message */
    char later_copy[64];
} msg_ctx_t;

static msg_ctx_t g_msg;

static void msg_mutate(void *p)
{
    strcpy(p, "XXXXXXXXXXXX"); /* after panic_raise copied it */
}

static void msg_recover(void *p)
{
    msg_ctx_t *c = p;
    note_recover(&c->seen);
    c->msg_ptr = c->seen.ok ? c->seen.r.message : NULL;
}

static void msg_later(void *p)
{
    msg_ctx_t *c = p;
    /* valid until the frame that deferred the recovering call returns */
    if (c->msg_ptr != NULL) {
        snprintf(c->later_copy, sizeof c->later_copy, "%s", c->msg_ptr);
        c->later_ok = 1;
    }
}

static void msg_body(void *p)
{
    msg_ctx_t *c = p;
    char buf[32] = "original message";
    c->source = buf;
    defer_push(msg_later, c);
    defer_push(msg_recover, c);
    defer_push(msg_mutate, buf);
    panic_raise(buf);
}

static void test_recovered_message_is_a_copy(void **state)
{
    (void)state;
    for (int g = 0; g < 2; g++) {
        memset(&g_msg, 0, sizeof g_msg);
        int rc = 0;
        if (g)
            run_in_goroutine(msg_body, &g_msg);
        else
            rc = go_call(msg_body, &g_msg);
        if (!g)
            assert_int_equal(rc, GO_RECOVERED);
        assert_int_equal(g_msg.seen.ok, 1);
        assert_string_equal(g_msg.seen.message, "original message");
        assert_ptr_not_equal(g_msg.msg_ptr, g_msg.source);
        assert_null(g_msg.seen.r.value);
        assert_null(g_msg.seen.r.type);
        assert_int_equal(g_msg.seen.r.is_runtime_error, 0);
        assert_int_equal(g_msg.later_ok, 1);
        assert_string_equal(g_msg.later_copy, "original message");
    }
}

/* a long message is not truncated */
static char long_msg[10001];

static size_t long_len_seen;

static void long_recover(void *p)
{
    (void)p;
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL)
        long_len_seen = strcmp(r.message, long_msg) == 0 ? strlen(r.message) : 1;
}

static void long_body2(void *p)
{
    (void)p;
    defer_push(long_recover, NULL);
    panic_raise(long_msg);
}

static void test_recovered_long_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof long_msg - 1; i++)
        long_msg[i] = (char)('a' + i % 26);
    long_msg[sizeof long_msg - 1] = '\0';
    long_len_seen = 0;
    assert_int_equal(go_call(long_body2, NULL), GO_RECOVERED);
    assert_int_equal(long_len_seen, sizeof long_msg - 1);
}

/* typed values: format, value, type; destroy exactly once, after the
 * recovering frame returned */
typedef struct tval {
    int code;
    atomic_int destroyed;
    atomic_int formatted;
} tval_t;

static int tval_format(const void *v, char *buf, size_t len)
{
    tval_t *t = (tval_t *)v;
    atomic_fetch_add(&t->formatted, 1);
    return snprintf(buf, len, "typed value %d", t->code);
}

static void tval_destroy(void *v)
{
    tval_t *t = v;
    atomic_fetch_add(&t->destroyed, 1);
}

static const go_panic_type_t tval_type = {
    sizeof(go_panic_type_t), "tval", tval_format, tval_destroy,
};

static const go_panic_type_t tval_type_no_format = {
    sizeof(go_panic_type_t), "tval-no-format", NULL, tval_destroy,
};

typedef struct typed_ctx {
    tval_t *value;
    const go_panic_type_t *type;
    rec_seen_t seen;
    int destroyed_at_recover;
    int destroyed_in_later_deferred;
    int later_code; /* read through r.value in a later deferred call */
} typed_ctx_t;

static void typed_recover(void *p)
{
    typed_ctx_t *c = p;
    note_recover(&c->seen);
    c->destroyed_at_recover = atomic_load(&c->value->destroyed);
}

static void typed_later(void *p)
{
    typed_ctx_t *c = p;
    c->destroyed_in_later_deferred = atomic_load(&c->value->destroyed);
    if (c->seen.ok && c->seen.r.value != NULL)
        c->later_code = ((tval_t *)c->seen.r.value)->code;
}

static void typed_body(void *p)
{
    typed_ctx_t *c = p;
    defer_push(typed_later, c);
    defer_push(typed_recover, c);
    panic_raise_value(c->value, c->type);
}

static void test_typed_value_recovered(void **state)
{
    (void)state;
    for (int g = 0; g < 2; g++) {
        static tval_t v;
        static typed_ctx_t c;
        memset(&c, 0, sizeof c);
        v.code = 42;
        atomic_store(&v.destroyed, 0);
        atomic_store(&v.formatted, 0);
        c.value = &v;
        c.type = &tval_type;
        if (g) {
            run_in_goroutine(typed_body, &c);
        } else {
            assert_int_equal(go_call(typed_body, &c), GO_RECOVERED);
        }
        assert_int_equal(c.seen.ok, 1);
        assert_ptr_equal(c.seen.r.value, &v);
        assert_ptr_equal(c.seen.r.type, &tval_type);
        /* recover runs no user code (Go's recover returns the value; its
         * Error() runs only when something prints it): the text is the
         * value's address, and format was never called */
        char want[64];
        snprintf(want, sizeof want, "(tval) %p", (void *)&v);
        expect_message(&c.seen, "a typed value", want);
        assert_int_equal(atomic_load(&v.formatted), 0);
        assert_int_equal(c.seen.r.is_runtime_error, 0);
        assert_int_equal(c.destroyed_at_recover, 0);
        assert_int_equal(c.destroyed_in_later_deferred, 0);
        assert_int_equal(c.later_code, 42);
        /* the recovering frame returned: destroyed once. go_call has
         * returned; the goroutine's body is the recovering frame, and the
         * WaitGroup was released by one of its deferred calls: the body
         * frame ends (destroying the value) before the goroutine stops
         * counting, so once the count is back, destroy has run */
        if (g) {
            tu_settle_goroutines(tu_baseline_goroutines);
        }
        if (atomic_load(&v.destroyed) != 1)
            fail_msg("destroy called %d times after the recovering frame returned, want 1",
                     atomic_load(&v.destroyed));
        assert_int_equal(atomic_load(&v.formatted), 0);
    }
}

/* format NULL: the text is the value's address */
static void test_typed_value_no_format(void **state)
{
    (void)state;
    static tval_t v;
    static typed_ctx_t c;
    memset(&c, 0, sizeof c);
    atomic_store(&v.destroyed, 0);
    c.value = &v;
    c.type = &tval_type_no_format;
    assert_int_equal(go_call(typed_body, &c), GO_RECOVERED);
    assert_int_equal(c.seen.ok, 1);
    assert_ptr_equal(c.seen.r.value, &v);
    assert_ptr_equal(c.seen.r.type, &tval_type_no_format);
    if (c.seen.message_null)
        fail_msg("a typed value without format: go_recovered_t.message is NULL, want its address");
    const char *hex = strstr(c.seen.message, "0x");
    if (hex == NULL || strtoull(hex, NULL, 16) != (unsigned long long)(uintptr_t)&v)
        fail_msg("the text of a value without format is \"%s\", want its address %p",
                 c.seen.message, (void *)&v);
    assert_int_equal(atomic_load(&v.destroyed), 1);
}

/* a panic aborted by a later one (a deferred call panicked) is over when
 * the later one is recovered: each value destroyed once */
typedef struct abort_ctx {
    tval_t a, b;
    rec_seen_t seen;
} abort_ctx_t;

static void abort_raise_b(void *p)
{
    abort_ctx_t *c = p;
    panic_raise_value(&c->b, &tval_type);
}

static void abort_body(void *p)
{
    abort_ctx_t *c = p;
    defer_push(recover_into, &c->seen);
    defer_push(abort_raise_b, c);
    panic_raise_value(&c->a, &tval_type);
}

static void test_typed_value_aborted_panic_destroyed(void **state)
{
    (void)state;
    static abort_ctx_t c;
    memset(&c, 0, sizeof c);
    c.a.code = 1;
    c.b.code = 2;
    assert_int_equal(go_call(abort_body, &c), GO_RECOVERED);
    assert_int_equal(c.seen.ok, 1);
    assert_ptr_equal(c.seen.r.value, &c.b);
    char want[64];
    snprintf(want, sizeof want, "(tval) %p", (void *)&c.b); /* recover runs no format */
    expect_message(&c.seen, "a typed value that aborted another", want);
    if (atomic_load(&c.b.destroyed) != 1)
        fail_msg("the recovered value was destroyed %d times, want 1", atomic_load(&c.b.destroyed));
    if (atomic_load(&c.a.destroyed) != 1)
        fail_msg("the aborted panic's value was destroyed %d times, want 1",
                 atomic_load(&c.a.destroyed));
}

/* Goexit during a typed panic ends it: destroyed once */
static tval_t goexit_tval;

static void goexit_fn(void *p)
{
    (void)p;
    go_exit();
}

static void goexit_typed_body(void *p)
{
    (void)p;
    defer_push(goexit_fn, NULL);
    panic_raise_value(&goexit_tval, &tval_type);
}

static void test_typed_value_goexit_destroyed(void **state)
{
    (void)state;
    atomic_store(&goexit_tval.destroyed, 0);
    run_in_goroutine(goexit_typed_body, NULL);
    tu_settle_goroutines(tu_baseline_goroutines);
    if (atomic_load(&goexit_tval.destroyed) != 1)
        fail_msg("a typed panic ended by Goexit was destroyed %d times, want 1",
                 atomic_load(&goexit_tval.destroyed));
}

/* a recovered typed panic whose frame then Goexits (a remaining deferred
 * call of the recovering frame calls go_exit): the frame never ends
 * normally, the value is still destroyed exactly once */
static tval_t goexit_after_recover_tval;

static void recover_quietly(void *p)
{
    (void)p;
    panic_recover(NULL);
}

static void goexit_after_recover_body(void *p)
{
    (void)p;
    defer_push(goexit_fn, NULL);      /* runs after the recovery, in the same frame */
    defer_push(recover_quietly, NULL);
    panic_raise_value(&goexit_after_recover_tval, &tval_type);
}

static void goexit_after_recover_outer(void *p)
{
    go_call(goexit_after_recover_body, p);
}

static void test_typed_value_recovered_then_goexit_destroyed(void **state)
{
    (void)state;
    atomic_store(&goexit_after_recover_tval.destroyed, 0);
    run_in_goroutine(goexit_after_recover_outer, NULL);
    tu_settle_goroutines(tu_baseline_goroutines);
    if (atomic_load(&goexit_after_recover_tval.destroyed) != 1)
        fail_msg("a recovered value whose frame then Goexited was destroyed %d times, want 1",
                 atomic_load(&goexit_after_recover_tval.destroyed));
}

/* panic(nil): recovered, 1, every field NULL */
typedef struct nil_ctx {
    rec_seen_t seen;
    int how;
} nil_ctx_t;

static void nil_body(void *p)
{
    nil_ctx_t *c = p;
    defer_push(recover_into, &c->seen);
    if (c->how == 0)
        panic_raise(NULL);
    panic_raise_value(NULL, NULL);
}

static void test_panic_nil_recovered(void **state)
{
    (void)state;
    static nil_ctx_t c;
    for (int how = 0; how < 2; how++) {
        for (int g = 0; g < 2; g++) {
            memset(&c, 0, sizeof c);
            c.how = how;
            if (g)
                run_in_goroutine(nil_body, &c);
            else
                assert_int_equal(go_call(nil_body, &c), GO_RECOVERED);
            if (c.seen.ok != 1)
                fail_msg("%s: panic_recover returned %d, want 1",
                         how ? "panic_raise_value(NULL, NULL)" : "panic_raise(NULL)", c.seen.ok);
            assert_null(c.seen.r.value);
            assert_null(c.seen.r.type);
            assert_null(c.seen.r.message);
            assert_int_equal(c.seen.r.is_runtime_error, 0);
        }
    }
}

/* the negative-WaitGroup panic is recoverable, with Go's message; it is not
 * a runtime error (Go panics with a string) */
typedef struct wgneg_ctx {
    rec_seen_t seen;
    int rc;
    int reached;
} wgneg_ctx_t;

static void wgneg_fn(void *p)
{
    wgneg_ctx_t *c = p;
    static go_wg_t *wg;  /* Go's new(sync.WaitGroup); freed by the next run */
    wg_free(wg);
    wg = wg_new();
    defer_push(recover_into, &c->seen);
    wg_done(wg);
    c->reached = 1;
}

static void wgneg_run(void *p)
{
    wgneg_ctx_t *c = p;
    c->rc = go_call(wgneg_fn, c);
}

static void test_wg_negative_recovered(void **state)
{
    (void)state;
    static wgneg_ctx_t c;
    for (int where = 0; where < 3; where++) {
        memset(&c, 0, sizeof c);
        if (where == 0)
            wgneg_run(&c);
        else if (where == 1)
            run_on_thread(wgneg_run, &c);
        else
            run_in_goroutine(wgneg_run, &c);
        assert_int_equal(c.rc, GO_RECOVERED);
        assert_int_equal(c.reached, 0);
        assert_int_equal(c.seen.ok, 1);
        assert_string_equal(c.seen.message, "sync: negative WaitGroup counter");
        assert_int_equal(c.seen.r.is_runtime_error, 0);
    }
}

/* ------------------------------------------------------------------------ */
/* panics on foreign threads                                                */

typedef struct foreign_ctx {
    tlog_t log;
    rec_seen_t seen;
    int rc;
    int rc_push_after;
    int recover_after;
    long tid_before, tid_after;
} foreign_ctx_t;

static void foreign_fn(void *p)
{
    foreign_ctx_t *c = p;
    defer_log(&c->log, "a;");
    defer_push(recover_into, &c->seen);
    defer_log(&c->log, "c;");
    tlog_add(&c->log, "body;");
    panic_raise("foreign boom");
}

static void foreign_thread(void *p)
{
    foreign_ctx_t *c = p;
    c->tid_before = gettid_();
    c->rc = go_call(foreign_fn, c);
    c->tid_after = gettid_();
    c->rc_push_after = defer_push(eperm_fn, NULL);
    go_recovered_t r;
    c->recover_after = panic_recover(&r);
}

static void test_go_call_foreign_thread_recovered(void **state)
{
    (void)state;
    static foreign_ctx_t c;
    memset(&c, 0, sizeof c);
    run_on_thread(foreign_thread, &c);
    assert_int_equal(c.rc, GO_RECOVERED);
    assert_string_equal(c.log.buf, "body;c;a;");
    assert_int_equal(c.seen.ok, 1);
    assert_string_equal(c.seen.message, "foreign boom");
    assert_int_equal(c.tid_before, c.tid_after);
    TU_ASSERT_ERR(c.rc_push_after, GO_EPERM);
    assert_int_equal(c.recover_after, 0);
    /* and on the test thread */
    memset(&c, 0, sizeof c);
    foreign_thread(&c);
    assert_int_equal(c.rc, GO_RECOVERED);
    assert_string_equal(c.log.buf, "body;c;a;");
    assert_string_equal(c.seen.message, "foreign boom");
}

/* ------------------------------------------------------------------------ */
/* GO_FRAME                                                                 */

typedef struct frame_ctx {
    tlog_t log;
    int local_seen_by_deferred; /* a local's value, read through a pointer at run time */
    int local_in_landing;       /* the local's value in the landing statement */
    int landed;
    int result;
} frame_ctx_t;

typedef struct frame_local_arg {
    frame_ctx_t *c;
    int *local;
} frame_local_arg_t;

static void frame_read_local(void *p)
{
    frame_local_arg_t *a = p;
    a->c->local_seen_by_deferred = *a->local;
    tlog_add(&a->c->log, "a;");
}

static void frame_set_local(void *p)
{
    frame_local_arg_t *a = p;
    *a->local = 42;
    tlog_add(&a->c->log, "c;");
}

static void frame_recover(void *p)
{
    frame_local_arg_t *a = p;
    go_recovered_t r;
    if (panic_recover(&r))
        tlog_add(&a->c->log, "R;");
}

/* recovery lands in the statement after GO_FRAME; the remaining deferred
 * calls run when the block is left, with the locals alive */
static NOINLINE int frame_recovering(frame_ctx_t *c)
{
    int local = 1;
    frame_local_arg_t arg = { c, &local };
    GO_FRAME(frame) {
        c->landed++;
        c->local_in_landing = local;
        tlog_add(&c->log, "L;");
        local = 7; /* the remaining deferred call (a) sees this */
        return -1;
    }
    defer_push(frame_read_local, &arg);
    defer_push(frame_recover, &arg);
    defer_push(frame_set_local, &arg);
    tlog_add(&c->log, "body;");
    panic_raise("frame panic");
}

static void frame_recovering_body(void *p)
{
    frame_ctx_t *c = p;
    c->result = frame_recovering(c);
    tlog_add(&c->log, "returned;");
}

static void test_go_frame_recovery_lands(void **state)
{
    (void)state;
    static frame_ctx_t c;
    for (int where = 0; where < 2; where++) {
        memset(&c, 0, sizeof c);
        if (where)
            run_in_goroutine(frame_recovering_body, &c);
        else
            assert_int_equal(go_call(frame_recovering_body, &c), 0);
        assert_int_equal(c.landed, 1);
        assert_int_equal(c.local_in_landing, 42);
        assert_string_equal(c.log.buf, "body;c;R;L;a;returned;");
        assert_int_equal(c.local_seen_by_deferred, 7);
        assert_int_equal(c.result, -1);
    }
}

/* the ways out of a GO_FRAME block that defer.h allows: the block's end
 * (also by continue), break, return; each runs the deferred calls with the
 * locals alive, and only then */
typedef struct exit_ctx {
    tlog_t log;
    int seen[8];
    int landed;
} exit_ctx_t;

typedef struct exit_arg {
    exit_ctx_t *c;
    int slot;
    int *local;
} exit_arg_t;

static void exit_read(void *p)
{
    exit_arg_t *a = p;
    a->c->seen[a->slot] = *a->local;
    tlog_add(&a->c->log, "d;");
}

static NOINLINE void frame_exits(exit_ctx_t *c, int how)
{
    int local = 0;
    exit_arg_t arg = { c, how, &local };
    for (int i = 0; i < 3; i++) {
        GO_FRAME(frame) {
            c->landed++;
            break;
        }
        defer_push(exit_read, &arg);
        local = 10 * how + i;
        tlog_add(&c->log, "b;");
        if (how == 1)
            break;          /* leaves the block and the loop */
        if (how == 2 && i < 2)
            continue;       /* the block's end, early */
        if (how == 3)
            return;         /* leaves the function */
        tlog_add(&c->log, "e;"); /* how 0, and 2 in its last iteration */
    }
    tlog_add(&c->log, "loop-done;");
}

static void frame_exits_body(void *p)
{
    exit_ctx_t *c = p;
    for (int how = 0; how < 4; how++) {
        frame_exits(c, how);
        tlog_add(&c->log, "|");
    }
}

static void test_go_frame_exits(void **state)
{
    (void)state;
    static exit_ctx_t c;
    for (int where = 0; where < 2; where++) {
        memset(&c, 0, sizeof c);
        if (where)
            run_in_goroutine(frame_exits_body, &c);
        else
            assert_int_equal(go_call(frame_exits_body, &c), 0);
        assert_string_equal(c.log.buf, "b;e;d;b;e;d;b;e;d;loop-done;|"
                                       "b;d;loop-done;|"
                                       "b;d;b;d;b;e;d;loop-done;|"
                                       "b;d;|");
        assert_int_equal(c.seen[0], 2);
        assert_int_equal(c.seen[1], 10);
        assert_int_equal(c.seen[2], 22);
        assert_int_equal(c.seen[3], 30);
        assert_int_equal(c.landed, 0);
    }
}

/* a panic crossing a GO_FRAME that does not recover: its deferred calls run
 * (innermost frame first), it never lands, and the outer frame recovers */
typedef struct cross_ctx {
    tlog_t log;
    int landed;
    int after_inner;
    rec_seen_t seen;
} cross_ctx_t;

static NOINLINE void cross_inner(cross_ctx_t *c)
{
    GO_FRAME(frame) {
        c->landed++;
        return;
    }
    defer_log(&c->log, "inner;");
    panic_raise("crossing");
}

static NOINLINE void cross_middle(cross_ctx_t *c)
{
    GO_FRAME(frame) {
        c->landed++;
        return;
    }
    defer_log(&c->log, "middle;");
    cross_inner(c);
    c->after_inner++;
}

static void cross_body(void *p)
{
    cross_ctx_t *c = p;
    defer_log(&c->log, "outer;");
    defer_push(recover_into, &c->seen);
    cross_middle(c);
    c->after_inner++;
}

static void test_go_frame_crossed_by_panic(void **state)
{
    (void)state;
    static cross_ctx_t c;
    memset(&c, 0, sizeof c);
    assert_int_equal(go_call(cross_body, &c), GO_RECOVERED);
    assert_string_equal(c.log.buf, "inner;middle;outer;");
    assert_int_equal(c.landed, 0);
    assert_int_equal(c.after_inner, 0);
    assert_int_equal(c.seen.ok, 1);
    assert_string_equal(c.seen.message, "crossing");
}

/* ------------------------------------------------------------------------ */
/* deferred calls that park during a panic                                  */

enum { PARK_N = 16 };

typedef struct park_ctx park_ctx_t;

typedef struct park_g {
    park_ctx_t *ctx;
    int i;
    int rc;
    long tid_panic, tid_parked_after, tid_recover;
    rec_seen_t seen;
    char want[32];
    int order_ok;
    tlog_t log;
} park_g_t;

struct park_ctx {
    go_wg_t *parked; /* every goroutine is parked in a deferred call */
    go_wg_t *gate;   /* opened by the test */
    go_wg_t *done;
    park_g_t g[PARK_N];
};

/* the deferred call that recovers parks first: recovery after migration */
static void park_recover(void *p)
{
    park_g_t *g = p;
    go_sleep(1 * TU_MS);
    go_yield();
    g->tid_recover = gettid_();
    note_recover(&g->seen);
    tlog_add(&g->log, "R;");
}

/* a deferred call that parks in wg_wait and go_sleep during the panic */
static void park_wait(void *p)
{
    park_g_t *g = p;
    wg_done(g->ctx->parked);
    wg_wait(g->ctx->gate);
    go_sleep((g->i % 3) * TU_MS);
    g->tid_parked_after = gettid_();
    tlog_add(&g->log, "W;");
}

static void park_fn(void *p)
{
    park_g_t *g = p;
    defer_log(&g->log, "after;");
    defer_push(park_recover, g);
    defer_push(park_wait, g);
    g->tid_panic = gettid_();
    panic_raise(g->want);
}

static void park_goroutine(void *p)
{
    park_g_t *g = p;
    g->rc = go_call(park_fn, g);
    tlog_add(&g->log, "returned;");
    wg_done(g->ctx->done);
}

/* a goroutine that keeps the other Ps busy meanwhile */
static atomic_int park_stop;

static void park_spinner(void *p)
{
    while (!atomic_load(&park_stop))
        go_yield();
    wg_done(p);
}

static void test_park_during_panic(void **state)
{
    (void)state;
    static park_ctx_t c;
    memset(&c, 0, sizeof c);
    c.parked = wg_new();
    c.gate = wg_new();
    c.done = wg_new();
    go_wg_t *spinners = wg_new();
    assert_non_null(c.parked);
    assert_non_null(c.gate);
    assert_non_null(c.done);
    assert_non_null(spinners);
    TU_ASSERT_OK(wg_add(c.parked, PARK_N));
    TU_ASSERT_OK(wg_add(c.gate, 1));
    TU_ASSERT_OK(wg_add(c.done, PARK_N));
    atomic_store(&park_stop, 0);
    TU_ASSERT_OK(wg_add(spinners, 3));
    for (int i = 0; i < 3; i++)
        TU_ASSERT_OK(go_spawn(park_spinner, spinners));
    for (int i = 0; i < PARK_N; i++) {
        c.g[i].ctx = &c;
        c.g[i].i = i;
        snprintf(c.g[i].want, sizeof c.g[i].want, "parked panic %d", i);
        TU_ASSERT_OK(go_spawn(park_goroutine, &c.g[i]));
    }
    TU_ASSERT_OK(wg_wait(c.parked)); /* all panicking, all parked */
    TU_ASSERT_OK(wg_done(c.gate));
    TU_ASSERT_OK(wg_wait(c.done));
    atomic_store(&park_stop, 1);
    TU_ASSERT_OK(wg_wait(spinners));
    int migrated = 0;
    for (int i = 0; i < PARK_N; i++) {
        park_g_t *g = &c.g[i];
        if (g->rc != GO_RECOVERED)
            fail_msg("goroutine %d: go_call returned %d, want GO_RECOVERED", i, g->rc);
        if (g->seen.ok != 1 || strcmp(g->seen.message, g->want) != 0)
            fail_msg("goroutine %d: recovered %d \"%s\", want \"%s\"", i, g->seen.ok, g->seen.message,
                     g->want);
        assert_string_equal(g->log.buf, "W;R;after;returned;");
        migrated += g->tid_recover != g->tid_panic;
    }
    print_message("%d of %d goroutines recovered on another thread than the one they panicked on\n",
                  migrated, PARK_N);
    wg_free(c.parked);
    wg_free(c.gate);
    wg_free(c.done);
    wg_free(spinners);
}

/* ------------------------------------------------------------------------ */
/* many goroutines panicking at once, at different depths                   */

enum { STORM_N = 400, STORM_MAX_DEPTH = 24 };

typedef struct storm_g storm_g_t;

typedef struct storm_level {
    storm_g_t *g;
    int k;
} storm_level_t;

struct storm_g {
    int depth;        /* the frame that panics */
    int recover_at;   /* the frame whose deferred call recovers */
    int deferred_ran; /* deferred calls run, all frames */
    int continued;    /* frames that went on after their inner go_call */
    int rc_recover_frame;
    int rc0;
    char want[32];
    rec_seen_t seen;
    go_wg_t *done;
    storm_level_t levels[STORM_MAX_DEPTH + 1];
};

static void storm_count(void *p)
{
    storm_g_t *g = p;
    g->deferred_ran++;
    if (g->deferred_ran % 5 == 0)
        go_yield();
}

static void storm_recover(void *p)
{
    storm_g_t *g = p;
    note_recover(&g->seen);
}

static void storm_level_fn(void *p)
{
    storm_level_t *l = p;
    storm_g_t *g = l->g;
    defer_push(storm_count, g);
    if (l->k == g->recover_at)
        defer_push(storm_recover, g);
    if (l->k == g->depth) {
        if (g->depth % 4 == 1)
            go_yield();
        panic_raise(g->want);
    }
    int rc = go_call(storm_level_fn, &g->levels[l->k + 1]);
    if (l->k + 1 == g->recover_at)
        g->rc_recover_frame = rc;
    g->continued++;
}

static void storm_goroutine(void *p)
{
    storm_g_t *g = p;
    defer_push(done_fn, g->done);
    g->rc0 = go_call(storm_level_fn, &g->levels[0]);
}

static void test_many_goroutines_panic(void **state)
{
    (void)state;
    static storm_g_t gs[STORM_N];
    go_wg_t *done = wg_new();
    assert_non_null(done);
    TU_ASSERT_OK(wg_add(done, STORM_N));
    for (int i = 0; i < STORM_N; i++) {
        storm_g_t *g = &gs[i];
        memset(g, 0, sizeof *g);
        g->depth = i % (STORM_MAX_DEPTH + 1);
        g->recover_at = i % 3 == 0 ? 0 : i % 3 == 1 ? g->depth / 2 : g->depth;
        g->rc_recover_frame = -12345;
        g->done = done;
        snprintf(g->want, sizeof g->want, "storm %d", i);
        for (int k = 0; k <= STORM_MAX_DEPTH; k++) {
            g->levels[k].g = g;
            g->levels[k].k = k;
        }
        TU_ASSERT_OK(go_spawn(storm_goroutine, g));
    }
    TU_ASSERT_OK(wg_wait(done));
    wg_free(done);
    for (int i = 0; i < STORM_N; i++) {
        storm_g_t *g = &gs[i];
        if (g->seen.called != 1 || g->seen.ok != 1 || strcmp(g->seen.message, g->want) != 0)
            fail_msg("goroutine %d (depth %d, recover at %d): recover called %d, returned %d, \"%s\"", i,
                     g->depth, g->recover_at, g->seen.called, g->seen.ok, g->seen.message);
        if (g->deferred_ran != g->depth + 1)
            fail_msg("goroutine %d (depth %d, recover at %d): %d deferred calls ran, want %d", i,
                     g->depth, g->recover_at, g->deferred_ran, g->depth + 1);
        if (g->continued != g->recover_at)
            fail_msg("goroutine %d (depth %d, recover at %d): %d frames went on, want %d", i,
                     g->depth, g->recover_at, g->continued, g->recover_at);
        if (g->recover_at == 0) {
            if (g->rc0 != GO_RECOVERED)
                fail_msg("goroutine %d: go_call returned %d, want GO_RECOVERED", i, g->rc0);
        } else {
            if (g->rc0 != 0)
                fail_msg("goroutine %d: the outermost go_call returned %d, want 0", i, g->rc0);
            if (g->rc_recover_frame != GO_RECOVERED)
                fail_msg("goroutine %d: the recovering frame's go_call returned %d, want GO_RECOVERED",
                         i, g->rc_recover_frame);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* go_exit                                                                  */

typedef struct goexit_ctx {
    tlog_t log;
    rec_seen_t seen;
    int reached;
} goexit_ctx_t;

static NOINLINE void goexit_frame_fn(goexit_ctx_t *c)
{
    GO_FRAME(frame) {
        tlog_add(&c->log, "landed;");
        return;
    }
    defer_log(&c->log, "frame;");
    go_exit();
    c->reached++;
}

static void goexit_level1(void *p)
{
    goexit_ctx_t *c = p;
    defer_log(&c->log, "level1;");
    goexit_frame_fn(c);
    c->reached++;
}

static void goexit_body(void *p)
{
    goexit_ctx_t *c = p;
    defer_log(&c->log, "body;");
    defer_push(recover_into, &c->seen); /* Goexit is not a panic */
    go_call(goexit_level1, c);
    c->reached++;
}

static void test_go_exit_runs_every_frame(void **state)
{
    (void)state;
    static goexit_ctx_t c;
    memset(&c, 0, sizeof c);
    int before = go_num_goroutine();
    run_in_goroutine(goexit_body, &c);
    assert_string_equal(c.log.buf, "frame;level1;body;");
    assert_int_equal(c.reached, 0);
    assert_int_equal(c.seen.called, 1);
    assert_int_equal(c.seen.ok, 0);
    assert_true(is_junk(&c.seen.r));
    assert_int_equal(tu_settle_goroutines(before), before);
}

/* Goexit in a deferred call during a panic ends the panic (the process
 * would die otherwise) and the goroutine */
typedef struct goexit_panic_ctx {
    tlog_t log;
} goexit_panic_ctx_t;

static void goexit_panic_body(void *p)
{
    goexit_panic_ctx_t *c = p;
    defer_log(&c->log, "outer;");
    defer_push(goexit_fn, NULL);
    defer_log(&c->log, "inner;");
    panic_raise("ended by Goexit");
}

static void test_go_exit_ends_panic(void **state)
{
    (void)state;
    static goexit_panic_ctx_t c;
    memset(&c, 0, sizeof c);
    run_in_goroutine(goexit_panic_body, &c);
    assert_string_equal(c.log.buf, "inner;outer;");
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
    if (getenv("DEFER_TEST_FILTER") != NULL) /* e.g. DEFER_TEST_FILTER='test_go_frame*' */
        cmocka_set_test_filter(getenv("DEFER_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_order_goroutine),
        TU_TEST(test_order_go_call),
        TU_TEST(test_order_nested_frames),
        TU_TEST(test_defer_inside_deferred_call),
        TU_TEST(test_many_defers),
        TU_TEST(test_push_copy_copies_at_push),
        TU_TEST(test_push_null_fn_einval),
        TU_TEST(test_push_foreign_thread_eperm),
        TU_TEST(test_go_call_null_einval),
        TU_TEST(test_go_exit_foreign_thread_eperm),
        TU_TEST(test_go_call_results),
        TU_TEST(test_recover_repeatedly),
        TU_TEST(test_recover_not_panicking),
        TU_TEST(test_recover_rule_plain_helper_is_direct),
        TU_TEST(test_recover_rule_nested_go_call_hides),
        TU_TEST(test_recover_rule_nested_go_frame_hides),
        TU_TEST(test_recover_rule_nested_deferred_hides),
        TU_TEST(test_recovered_message_is_a_copy),
        TU_TEST(test_recovered_long_message),
        TU_TEST(test_typed_value_recovered),
        TU_TEST(test_typed_value_no_format),
        TU_TEST(test_typed_value_aborted_panic_destroyed),
        TU_TEST(test_typed_value_goexit_destroyed),
        TU_TEST(test_typed_value_recovered_then_goexit_destroyed),
        TU_TEST(test_panic_nil_recovered),
        TU_TEST(test_wg_negative_recovered),
        TU_TEST(test_go_call_foreign_thread_recovered),
        TU_TEST(test_go_frame_recovery_lands),
        TU_TEST(test_go_frame_exits),
        TU_TEST(test_go_frame_crossed_by_panic),
        TU_TEST(test_park_during_panic),
        TU_TEST(test_many_goroutines_panic),
        TU_TEST(test_go_exit_runs_every_frame),
        TU_TEST(test_go_exit_ends_panic),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
