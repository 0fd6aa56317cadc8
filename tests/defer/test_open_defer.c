/* test_open_defer.c - GO_FRAME's open-coded defers (GO_DEFER, since 0.7.0):
 * calls recorded in the frame's own slots, mixed with defer_push and
 * defer_push_copy records, past the slots, deferred to an outer frame,
 * removed by defer_run; panics, recoveries and Goexit crossing such frames
 * (the runtime moves the slots' calls out first); deep chains; frames of
 * goroutines that move between threads while open (the thread-local the
 * macros read follows them); the first frame of a foreign thread and of a
 * pinned goroutine; and a frame compiled the way 0.6's GO_FRAME was, still
 * accepted by the library.
 *
 * Rules (testutil.h): no cmocka assertion inside a goroutine or a frame;
 * they record what they saw and the test thread asserts afterwards.
 * Registered with GOMAXPROCS=1, 2 and 4. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gort_test.h"

#include <gort/defer.h>
#include <gort/pinned.h>

#include "defer_test.h"

#define NOINLINE __attribute__((noinline))

/* ------------------------------------------------------------------------ */
/* helpers                                                                  */

static void tlog_addf(tlog_t *l, const char *fmt, ...)
{
    char b[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    tlog_add(l, b);
}

/* One deferred call's argument: append `text` to `log`. */
typedef struct item {
    tlog_t *log;
    const char *text;
} item_t;

static void item_fn(void *p)
{
    item_t *it = p;
    tlog_add(it->log, it->text);
}

/* Run fn(arg) in a goroutine and, separately, on this (foreign) thread. */
static void run_both_ways(go_fn_t fn, void *arg, void (*reset)(void *), void (*check)(void *))
{
    reset(arg);
    run_in_goroutine(fn, arg);
    check(arg);
    reset(arg);
    assert_int_equal(go_call(fn, arg), 0);
    check(arg);
}

/* ------------------------------------------------------------------------ */
/* order                                                                    */

typedef struct order_ctx {
    tlog_t log;
    int rc[32];
    int local_at_end;  /* a local of the frame's function, read by its last call */
} order_ctx_t;

static void order_reset(void *p)
{
    memset(p, 0, sizeof(order_ctx_t));
}

typedef struct local_ref {
    order_ctx_t *c;
    int *local;
} local_ref_t;

static void read_local(void *p)
{
    local_ref_t *r = p;
    r->c->local_at_end = *r->local;
    tlog_add(&r->c->log, "L;");
}

/* three GO_DEFERs: reverse order at the block's end, locals alive */
static NOINLINE void three(order_ctx_t *c)
{
    int local = 1;
    local_ref_t lr = { c, &local };
    item_t a = { &c->log, "a;" }, b = { &c->log, "b;" };
    GO_FRAME(f) {}
    c->rc[0] = GO_DEFER(f, read_local, &lr);
    c->rc[1] = GO_DEFER(f, item_fn, &a);
    c->rc[2] = GO_DEFER(f, item_fn, &b);
    local = 5;
    tlog_add(&c->log, "body;");
}

static void three_body(void *p)
{
    three(p);
    tlog_add(&((order_ctx_t *)p)->log, "ret;");
}

static void three_check(void *p)
{
    order_ctx_t *c = p;
    for (int i = 0; i < 3; i++)
        TU_ASSERT_OK(c->rc[i]);
    assert_string_equal(c->log.buf, "body;b;a;L;ret;");
    assert_int_equal(c->local_at_end, 5);
}

static void test_order(void **state)
{
    (void)state;
    static order_ctx_t c;
    run_both_ways(three_body, &c, order_reset, three_check);
}

/* GO_DEFER, defer_push and defer_push_copy in one frame, and more calls
 * than the frame has slots: one order, the reverse of deferring */
static NOINLINE void mixed(order_ctx_t *c)
{
    static char texts[24][8];
    static item_t items[24];
    GO_FRAME(f) {}
    for (int i = 0; i < 24; i++) {
        snprintf(texts[i], sizeof texts[i], "%d;", i);
        items[i] = (item_t){ &c->log, texts[i] };
        if (i % 5 == 1)
            c->rc[i] = defer_push(item_fn, &items[i]);
        else if (i % 5 == 3)
            c->rc[i] = defer_push_copy(item_fn, &items[i], sizeof items[i]);
        else
            c->rc[i] = GO_DEFER(f, item_fn, &items[i]);
    }
    tlog_add(&c->log, "body;");
}

static void mixed_body(void *p)
{
    mixed(p);
}

static void mixed_check(void *p)
{
    order_ctx_t *c = p;
    tlog_t want = { .len = 0 };
    tlog_add(&want, "body;");
    for (int i = 23; i >= 0; i--)
        tlog_addf(&want, "%d;", i);
    for (int i = 0; i < 24; i++)
        TU_ASSERT_OK(c->rc[i]);
    assert_string_equal(c->log.buf, want.buf);
}

static void test_mixed_and_past_the_slots(void **state)
{
    (void)state;
    static order_ctx_t c;
    run_both_ways(mixed_body, &c, order_reset, mixed_check);
}

/* only GO_DEFERs, twice the slots */
static NOINLINE void many_open(order_ctx_t *c)
{
    static char texts[2 * GO_FRAME_SLOTS][8];
    static item_t items[2 * GO_FRAME_SLOTS];
    GO_FRAME(f) {}
    for (int i = 0; i < 2 * GO_FRAME_SLOTS; i++) {
        snprintf(texts[i], sizeof texts[i], "%d;", i);
        items[i] = (item_t){ &c->log, texts[i] };
        c->rc[i] = GO_DEFER(f, item_fn, &items[i]);
    }
}

static void many_open_body(void *p)
{
    many_open(p);
}

static void many_open_check(void *p)
{
    order_ctx_t *c = p;
    tlog_t want = { .len = 0 };
    for (int i = 2 * GO_FRAME_SLOTS - 1; i >= 0; i--)
        tlog_addf(&want, "%d;", i);
    for (int i = 0; i < 2 * GO_FRAME_SLOTS; i++)
        TU_ASSERT_OK(c->rc[i]);
    assert_string_equal(c->log.buf, want.buf);
}

static void test_many_open_defers(void **state)
{
    (void)state;
    static order_ctx_t c;
    run_both_ways(many_open_body, &c, order_reset, many_open_check);
}

static void test_null_fn_einval(void **state)
{
    (void)state;
    GO_FRAME(f) {}
    assert_int_equal(GO_DEFER(f, NULL, NULL), GO_EINVAL);
}

/* a call deferred to an outer frame from an inner block runs when the outer
 * frame ends; with the outer frame's slots full, it goes below the inner
 * frame's records and still runs at the outer end */
static NOINLINE void outer_frame(order_ctx_t *c, int fill)
{
    static item_t items[GO_FRAME_SLOTS];
    item_t o = { &c->log, "outer-late;" }, i1 = { &c->log, "inner;" }, o1 = { &c->log, "outer;" };
    GO_FRAME(outer) {}
    c->rc[0] = GO_DEFER(outer, item_fn, &o1);
    for (int k = 1; k < fill; k++) {
        items[k] = (item_t){ &c->log, "x;" };
        c->rc[k] = GO_DEFER(outer, item_fn, &items[k]);
    }
    {
        GO_FRAME(inner) {}
        c->rc[16] = GO_DEFER(inner, item_fn, &i1);
        c->rc[17] = GO_DEFER(outer, item_fn, &o);
        tlog_add(&c->log, "inner-end;");
    }
    tlog_add(&c->log, "outer-end;");
}

typedef struct outer_arg {
    order_ctx_t c;
    int fill;
} outer_arg_t;

static void outer_body(void *p)
{
    outer_arg_t *a = p;
    outer_frame(&a->c, a->fill);
}

static void test_defer_to_outer_frame(void **state)
{
    (void)state;
    static outer_arg_t a;
    for (int fill = 1; fill <= GO_FRAME_SLOTS; fill += GO_FRAME_SLOTS - 1) {
        for (int way = 0; way < 2; way++) {
            memset(&a, 0, sizeof a);
            a.fill = fill;
            if (way)
                run_in_goroutine(outer_body, &a);
            else
                assert_int_equal(go_call(outer_body, &a), 0);
            TU_ASSERT_OK(a.c.rc[16]);
            TU_ASSERT_OK(a.c.rc[17]);
            tlog_t want = { .len = 0 };
            tlog_add(&want, "inner-end;inner;outer-end;outer-late;");
            for (int k = fill - 1; k >= 1; k--)
                tlog_add(&want, "x;");
            tlog_add(&want, "outer;");
            assert_string_equal(a.c.log.buf, want.buf);
        }
    }
}

/* defer_run removes a slot's call and runs it now (a scope guard's end);
 * the others stay, in order */
static NOINLINE void run_one(order_ctx_t *c)
{
    item_t a = { &c->log, "a;" }, b = { &c->log, "b;" }, d = { &c->log, "d;" };
    GO_FRAME(f) {}
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, item_fn, &b);
    GO_DEFER(f, item_fn, &d);
    c->rc[0] = defer_run(item_fn, &b);
    c->rc[1] = defer_run(item_fn, &b);
    tlog_add(&c->log, "body;");
}

static void run_one_body(void *p)
{
    run_one(p);
}

static void run_one_check(void *p)
{
    order_ctx_t *c = p;
    assert_int_equal(c->rc[0], 1);
    assert_int_equal(c->rc[1], 0);
    assert_string_equal(c->log.buf, "b;body;d;a;");
}

static void test_defer_run_on_a_slot(void **state)
{
    (void)state;
    static order_ctx_t c;
    run_both_ways(run_one_body, &c, order_reset, run_one_check);
}

/* a slot's call that defers (to the frame being ended: defer_push) and
 * opens a frame of its own */
static order_ctx_t *g_nested_ctx;

static void nested_inner_item(void *p)
{
    (void)p;
    tlog_add(&g_nested_ctx->log, "pushed-by-call;");
}

static void call_that_defers(void *p)
{
    order_ctx_t *c = p;
    item_t own = { &c->log, "own-frame;" };
    tlog_add(&c->log, "call;");
    defer_push(nested_inner_item, NULL);
    {
        GO_FRAME(g) {}
        GO_DEFER(g, item_fn, &own);
    }
}

static NOINLINE void nesting(order_ctx_t *c)
{
    item_t a = { &c->log, "a;" };
    GO_FRAME(f) {}
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, call_that_defers, c);
}

static void nesting_body(void *p)
{
    g_nested_ctx = p;
    nesting(p);
}

static void nesting_check(void *p)
{
    order_ctx_t *c = p;
    assert_string_equal(c->log.buf, "call;own-frame;pushed-by-call;a;");
}

static void test_call_that_defers(void **state)
{
    (void)state;
    static order_ctx_t c;
    run_both_ways(nesting_body, &c, order_reset, nesting_check);
}

/* ------------------------------------------------------------------------ */
/* panics                                                                   */

typedef struct panic_ctx {
    tlog_t log;
    int landed;
    int local_in_landing;
    int result;
    int recovered;
    char message[64];
} panic_ctx_t;

static void panic_reset(void *p)
{
    memset(p, 0, sizeof(panic_ctx_t));
}

typedef struct rec_arg {
    panic_ctx_t *c;
    int *local;
} rec_arg_t;

static void recover_fn(void *p)
{
    rec_arg_t *r = p;
    go_recovered_t out;
    if (panic_recover(&out)) {
        r->c->recovered++;
        snprintf(r->c->message, sizeof r->c->message, "%s", out.message ? out.message : "nil");
        tlog_add(&r->c->log, "R;");
        if (r->local != NULL)
            *r->local = 42;
    }
}

static void raise_fn(void *p)
{
    tlog_add(p, "P;");
    panic_raise("from a deferred call");
}

/* three frames, each with slot and array records; the innermost panics; the
 * outermost's slot call recovers and lands in its statement; everything ran
 * innermost first, and the outer frame's remaining calls run at its end */
static NOINLINE void level3(panic_ctx_t *c)
{
    item_t a = { &c->log, "3a;" }, b = { &c->log, "3b;" };
    GO_FRAME(f) {}
    GO_DEFER(f, item_fn, &a);
    defer_push(item_fn, &b);
    tlog_add(&c->log, "panic;");
    panic_raise("deep");
}

static NOINLINE void level2(panic_ctx_t *c)
{
    item_t a = { &c->log, "2a;" }, b = { &c->log, "2b;" };
    GO_FRAME(f) {}
    defer_push(item_fn, &a);
    GO_DEFER(f, item_fn, &b);
    level3(c);
}

static NOINLINE int level1(panic_ctx_t *c)
{
    int local = 1;
    rec_arg_t r = { c, &local };
    item_t a = { &c->log, "1a;" }, b = { &c->log, "1b;" };
    GO_FRAME(f) {
        c->landed++;
        c->local_in_landing = local;
        tlog_add(&c->log, "landed;");
        return -1;
    }
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, recover_fn, &r);
    GO_DEFER(f, item_fn, &b);
    level2(c);
    return 0;
}

static void levels_body(void *p)
{
    panic_ctx_t *c = p;
    c->result = level1(c);
    tlog_add(&c->log, "ret;");
}

static void levels_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf, "panic;3b;3a;2b;2a;1b;R;landed;1a;ret;");
    assert_int_equal(c->landed, 1);
    assert_int_equal(c->recovered, 1);
    assert_string_equal(c->message, "deep");
    assert_int_equal(c->local_in_landing, 42);
    assert_int_equal(c->result, -1);
}

static void test_panic_across_slotted_frames(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(levels_body, &c, panic_reset, levels_check);
}

/* A panic raised in an open frame (slots only) runs the slots where they
 * are (core/panic.cpp, run_open_slots). Its edges, in one frame, newest
 * first: a slot's call that panics and recovers inside its own frame (the
 * first panic goes on with the next slot); one that defers to the
 * panicking frame by name (the frame closes: the new call is its newest,
 * and what is left goes through the array); one that recovers nothing;
 * then the recovering one, and a last call that runs at the landing
 * frame's end. The outer frame's own call runs at its end. */
typedef struct edge {
    panic_ctx_t *c;
    go_dframe_t *frame; /* the panicking frame, for defer_by_name */
    item_t named;
} edge_t;

static void inner_panic_recovered(void *p)
{
    edge_t *e = p;
    rec_arg_t r = { e->c, NULL };
    GO_FRAME(g) {
        tlog_add(&e->c->log, "in-landed;");
        return;
    }
    GO_DEFER(g, recover_fn, &r);
    tlog_add(&e->c->log, "in-panic;");
    panic_raise("inner");
}

static void defer_by_name(void *p)
{
    edge_t *e = p;
    tlog_add(&e->c->log, "name;");
    assert_int_equal(GO_DEFER(*e->frame, item_fn, &e->named), 0);
}

static NOINLINE int edge_frame(edge_t *e)
{
    panic_ctx_t *c = e->c;
    rec_arg_t r = { c, NULL };
    item_t last = { &c->log, "last;" }, none = { &c->log, "none;" };
    GO_FRAME(f) {
        c->landed++;
        tlog_add(&c->log, "landed;");
        return -3;
    }
    e->frame = &f;
    GO_DEFER(f, item_fn, &last);
    GO_DEFER(f, recover_fn, &r);
    GO_DEFER(f, item_fn, &none);
    GO_DEFER(f, defer_by_name, e);
    GO_DEFER(f, inner_panic_recovered, e);
    tlog_add(&c->log, "panic;");
    panic_raise("outer");
    return 0;
}

static void edge_body(void *p)
{
    panic_ctx_t *c = p;
    edge_t e = { c, NULL, { &c->log, "named;" } };
    item_t outer = { &c->log, "outer;" };
    GO_FRAME(o) {}
    GO_DEFER(o, item_fn, &outer);
    c->result = edge_frame(&e);
}

static void edge_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf,
                        "panic;in-panic;R;in-landed;name;named;none;R;landed;last;outer;");
    assert_int_equal(c->recovered, 2);
    assert_int_equal(c->landed, 1);
    assert_string_equal(c->message, "outer");
    assert_int_equal(c->result, -3);
}

static void test_panic_in_an_open_frame(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(edge_body, &c, panic_reset, edge_check);
}

/* The same frame whose slots' calls recover nothing: the panic goes on
 * to the outer frame, whose slot call recovers it there. */
static NOINLINE void unrecovered_frame(panic_ctx_t *c)
{
    item_t a = { &c->log, "a;" }, b = { &c->log, "b;" };
    GO_FRAME(f) {
        tlog_add(&c->log, "wrong landing;");
        return;
    }
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, item_fn, &b);
    tlog_add(&c->log, "panic;");
    panic_raise("passes");
}

static void unrecovered_body(void *p)
{
    panic_ctx_t *c = p;
    rec_arg_t r = { c, NULL };
    item_t z = { &c->log, "z;" };
    GO_FRAME(o) {
        c->landed++;
        tlog_add(&c->log, "landed;");
        return;
    }
    GO_DEFER(o, item_fn, &z);
    GO_DEFER(o, recover_fn, &r);
    unrecovered_frame(c);
}

static void unrecovered_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf, "panic;b;a;R;landed;z;");
    assert_int_equal(c->recovered, 1);
    assert_int_equal(c->landed, 1);
    assert_string_equal(c->message, "passes");
}

static void test_open_frame_passes_the_panic_on(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(unrecovered_body, &c, panic_reset, unrecovered_check);
}

/* a slot's call panics at the frame's normal end; a later slot call (an
 * older one) recovers it: the frame lands, its last call runs at the end */
static NOINLINE int end_panics(panic_ctx_t *c)
{
    rec_arg_t r = { c, NULL };
    item_t a = { &c->log, "a;" };
    GO_FRAME(f) {
        c->landed++;
        tlog_add(&c->log, "landed;");
        return -2;
    }
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, recover_fn, &r);
    GO_DEFER(f, raise_fn, &c->log);
    tlog_add(&c->log, "body;");
    return 0;
}

static void end_panics_body(void *p)
{
    panic_ctx_t *c = p;
    c->result = end_panics(c);
}

static void end_panics_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf, "body;P;R;landed;a;");
    assert_int_equal(c->result, -2);
    assert_string_equal(c->message, "from a deferred call");
}

static void test_panic_at_the_frames_end(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(end_panics_body, &c, panic_reset, end_panics_check);
}

/* a recover in a GO_FRAME opened inside a deferred call is hidden by it */
static void hidden_recover(void *p)
{
    panic_ctx_t *c = p;
    rec_arg_t r = { c, NULL };
    item_t it = { &c->log, "g;" };
    {
        GO_FRAME(g) {}
        recover_fn(&r); /* called in the frame: not direct */
        GO_DEFER(g, item_fn, &it);
    }
    recover_fn(&r); /* the frame ended: direct again */
}

static NOINLINE void hide(panic_ctx_t *c)
{
    GO_FRAME(f) {
        return; /* recovered: return, as Go's function does */
    }
    GO_DEFER(f, hidden_recover, c);
    panic_raise("hide");
}

static void hide_body(void *p)
{
    hide(p);
}

static void hide_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf, "g;R;");
    assert_int_equal(c->recovered, 1);
}

static void test_frame_hides_the_panic(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(hide_body, &c, panic_reset, hide_check);
}

/* 3,000 nested frames, each with one GO_DEFER; the innermost panics, the
 * outermost recovers: every call ran, innermost first. In a goroutine with
 * a large stack, and on this thread through go_call. */
typedef struct deep_ctx {
    int next;     /* the depth whose call must run next */
    int bad;
    int recovered;
} deep_ctx_t;

typedef struct deep_arg {
    deep_ctx_t *c;
    int depth;
} deep_arg_t;

static void deep_fn(void *p)
{
    deep_arg_t *a = p;
    if (a->depth != a->c->next)
        a->c->bad++;
    a->c->next--;
}

static void deep_recover(void *p)
{
    deep_ctx_t *c = p;
    if (panic_recover(NULL))
        c->recovered++;
}

static NOINLINE void deep(deep_ctx_t *c, int depth, int max)
{
    deep_arg_t a = { c, depth };
    GO_FRAME(f) {
        return;
    }
    if (depth == 0)
        GO_DEFER(f, deep_recover, c);
    GO_DEFER(f, deep_fn, &a);
    if (depth < max)
        deep(c, depth + 1, max);
    else
        panic_raise("bottom");
}

static void deep_body(void *p)
{
    deep_ctx_t *c = p;
    c->next = 3000;
    deep(c, 0, 3000);
}

static void test_deep_chain(void **state)
{
    (void)state;
    static deep_ctx_t c;
    memset(&c, 0, sizeof c);
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    in_goroutine_t g = { deep_body, &c, wg };
    go_attr_t attr;
    go_attr_init(&attr);
    attr.stack_size = 16u << 20;
    TU_ASSERT_OK(wg_add(wg, 1));
    TU_ASSERT_OK(go_spawn_attr(&attr, in_goroutine_body, &g));
    TU_ASSERT_OK(wg_wait(wg));
    wg_free(wg);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.next, -1);
    assert_int_equal(c.recovered, 1);
    memset(&c, 0, sizeof c);
    assert_int_equal(go_call(deep_body, &c), 0);
    assert_int_equal(c.bad, 0);
    assert_int_equal(c.next, -1);
    assert_int_equal(c.recovered, 1);
}

/* Goexit runs every frame's calls, slots included, innermost first */
static NOINLINE void exit_inner(tlog_t *l)
{
    item_t a = { l, "i1;" }, b = { l, "i2;" }, c = { l, "i3;" };
    GO_FRAME(f) {}
    GO_DEFER(f, item_fn, &a);
    defer_push(item_fn, &b);
    GO_DEFER(f, item_fn, &c);
    go_exit();
}

static NOINLINE void exit_outer(tlog_t *l)
{
    item_t a = { l, "o1;" }, b = { l, "o2;" };
    GO_FRAME(f) {}
    GO_DEFER(f, item_fn, &a);
    GO_DEFER(f, item_fn, &b);
    exit_inner(l);
    tlog_add(l, "not reached;");
}

static void exit_body(void *p)
{
    exit_outer(p);
}

static void test_goexit_runs_the_slots(void **state)
{
    (void)state;
    static tlog_t l;
    memset(&l, 0, sizeof l);
    run_in_goroutine(exit_body, &l);
    assert_string_equal(l.buf, "i3;i2;i1;o2;o1;");
}

/* ------------------------------------------------------------------------ */
/* threads                                                                  */

/* Goroutines whose frames stay open across switches and migrations (yield
 * and sleep between the defers, at GOMAXPROCS up to 4): every frame ends
 * with its own calls, in order. The macros read the current goroutine's
 * state from a thread-local that follows it. */
typedef struct mig_ctx {
    int done[64];
    int bad;
} mig_ctx_t;

typedef struct mig_arg {
    mig_ctx_t *c;
    int id;
    int seq;
} mig_arg_t;

static void mig_fn(void *p)
{
    mig_arg_t *a = p;
    /* calls run newest first: seq counts down */
    if (a->seq != a->c->done[a->id] - 1)
        __atomic_add_fetch(&a->c->bad, 1, __ATOMIC_RELAXED);
    a->c->done[a->id] = a->seq;
}

static NOINLINE void mig_level(mig_ctx_t *c, int id, int level)
{
    mig_arg_t a[3];
    GO_FRAME(f) {}
    for (int k = 0; k < 3; k++) {
        a[k] = (mig_arg_t){ c, id, level * 3 + k };
        GO_DEFER(f, mig_fn, &a[k]);
        if ((k + id) % 2 == 0)
            go_yield();
        else
            go_sleep(10000);
    }
    if (level < 3)
        mig_level(c, id, level + 1);
}

typedef struct mig_start {
    mig_ctx_t *c;
    int id;
    go_wg_t *wg;
} mig_start_t;

static void mig_body(void *p)
{
    mig_start_t *s = p;
    s->c->done[s->id] = 12; /* seq 0..11 run from 11 down */
    mig_level(s->c, s->id, 0);
    wg_done(s->wg);
}

static void test_frames_move_between_threads(void **state)
{
    (void)state;
    static mig_ctx_t c;
    static mig_start_t s[64];
    for (int round = 0; round < 5; round++) {
        memset(&c, 0, sizeof c);
        go_wg_t *wg = wg_new();
        assert_non_null(wg);
        TU_ASSERT_OK(wg_add(wg, 64));
        for (int i = 0; i < 64; i++) {
            s[i] = (mig_start_t){ &c, i, wg };
            TU_ASSERT_OK(go_spawn(mig_body, &s[i]));
        }
        TU_ASSERT_OK(wg_wait(wg));
        wg_free(wg);
        assert_int_equal(c.bad, 0);
        for (int i = 0; i < 64; i++)
            assert_int_equal(c.done[i], 0);
    }
}

/* the first frame of a new thread (no defer state yet: the library makes
 * it), and frames in a pinned goroutine's body */
static void *thread_main(void *p)
{
    three(p);
    three(p);
    return NULL;
}

static void test_first_frame_of_a_thread(void **state)
{
    (void)state;
    static order_ctx_t c;
    memset(&c, 0, sizeof c);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, thread_main, &c), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_string_equal(c.log.buf, "body;b;a;L;body;b;a;L;");
}

static void pinned_body(void *p)
{
    three(p);
}

static void test_pinned_goroutine(void **state)
{
    (void)state;
    static order_ctx_t c;
    memset(&c, 0, sizeof c);
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    in_goroutine_t g = { pinned_body, &c, wg };
    TU_ASSERT_OK(wg_add(wg, 1));
    TU_ASSERT_OK(go_spawn_pinned(in_goroutine_body, &g));
    TU_ASSERT_OK(wg_wait(wg));
    wg_free(wg);
    assert_string_equal(c.log.buf, "body;b;a;L;");
}

/* ------------------------------------------------------------------------ */
/* programs built against 0.6's header                                     */

/* GO_FRAME as 0.6 expanded it: a go_frame_t and go_frame_enter_/leave_/
 * landed_, with defer_push. The library still takes it, panics and
 * recoveries included, and it nests with the new frames. */
#define GO_FRAME_0_6(name)                                                        \
    go_frame_t name __attribute__((cleanup(go_frame_leave_)));                  \
    if (go_frame_enter_(&name) == 0 && __builtin_setjmp(name.jb) != 0 &&      \
        go_frame_landed_(&name))

static NOINLINE int old_frame(panic_ctx_t *c)
{
    rec_arg_t r = { c, NULL };
    item_t a = { &c->log, "old-a;" }, n = { &c->log, "new;" };
    GO_FRAME_0_6(f) {
        c->landed++;
        tlog_add(&c->log, "landed;");
        return -3;
    }
    defer_push(item_fn, &a);
    defer_push(recover_fn, &r);
    {
        GO_FRAME(g) {}
        GO_DEFER(g, item_fn, &n);
        panic_raise("old");
    }
    return 0;
}

static void old_frame_body(void *p)
{
    panic_ctx_t *c = p;
    c->result = old_frame(c);
}

static void old_frame_check(void *p)
{
    panic_ctx_t *c = p;
    assert_string_equal(c->log.buf, "new;R;landed;old-a;");
    assert_int_equal(c->result, -3);
    assert_string_equal(c->message, "old");
}

static void test_frame_built_against_0_6(void **state)
{
    (void)state;
    static panic_ctx_t c;
    run_both_ways(old_frame_body, &c, panic_reset, old_frame_check);
}

/* ------------------------------------------------------------------------ */
/* a recovered typed value's text                                           */

/* "(name) %p" (glibc's %p: "(nil)" for NULL), cut at 63 bytes: what recover
 * gives for a typed value, for short and long names and any address */
typedef struct text_case {
    const go_panic_type_t *type;
    void *value;
    char got[128];
    int ok;
} text_case_t;

static void text_recover(void *p)
{
    text_case_t *t = p;
    go_recovered_t r;
    t->ok = panic_recover(&r);
    if (t->ok)
        snprintf(t->got, sizeof t->got, "%s", r.message ? r.message : "NULL");
}

static void text_body(void *p)
{
    text_case_t *t = p;
    GO_FRAME(f) {
        return;
    }
    GO_DEFER(f, text_recover, t);
    panic_raise_value(t->value, t->type);
}

static void test_typed_value_text(void **state)
{
    (void)state;
    static const char *names[] = {
        "t",
        "*errors.errorString",
        "a_type_name_of_fifty_five_bytes_xxxxxxxxxxxxxxxxxxxxxx",
        "a_type_name_far_longer_than_the_sixty_three_bytes_a_message_can_hold",
    };
    static int x;
    void *values[] = { &x, (void *)1, (void *)(uintptr_t)0xfedcba9876543210ull, (void *)0x10, NULL };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (size_t j = 0; j < sizeof values / sizeof values[0]; j++) {
            go_panic_type_t type = { sizeof type, names[i], NULL, NULL };
            text_case_t t = { &type, values[j], "", 0 };
            assert_int_equal(go_call(text_body, &t), 0);
            assert_int_equal(t.ok, 1);
            char want[128];
            snprintf(want, sizeof want, "(%s) %p", names[i], values[j]);
            want[63] = '\0';
            assert_string_equal(t.got, want);
        }
    }
    /* The runtime keeps the last text made; a type at the same address
     * with another name (freed, and another allocated there) and the same
     * value must not get it: one type, its name's bytes changed. */
    static char name[16];
    go_panic_type_t type = { sizeof type, name, NULL, NULL };
    const char *names2[] = { "first", "other", "firs", "first2", "first" };
    for (size_t i = 0; i < sizeof names2 / sizeof names2[0]; i++) {
        snprintf(name, sizeof name, "%s", names2[i]);
        for (int twice = 0; twice < 2; twice++) {
            text_case_t t = { &type, &x, "", 0 };
            assert_int_equal(go_call(text_body, &t), 0);
            char want[128];
            snprintf(want, sizeof want, "(%s) %p", names2[i], (void *)&x);
            assert_string_equal(t.got, want);
        }
    }
}

static void test_no_goroutine_leaked(void **state)
{
    (void)state;
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_order),
        TU_TEST(test_mixed_and_past_the_slots),
        TU_TEST(test_many_open_defers),
        TU_TEST(test_null_fn_einval),
        TU_TEST(test_defer_to_outer_frame),
        TU_TEST(test_defer_run_on_a_slot),
        TU_TEST(test_call_that_defers),
        TU_TEST(test_panic_across_slotted_frames),
        TU_TEST(test_panic_at_the_frames_end),
        TU_TEST(test_panic_in_an_open_frame),
        TU_TEST(test_open_frame_passes_the_panic_on),
        TU_TEST(test_frame_hides_the_panic),
        TU_TEST(test_deep_chain),
        TU_TEST(test_goexit_runs_the_slots),
        TU_TEST(test_frames_move_between_threads),
        TU_TEST(test_first_frame_of_a_thread),
        TU_TEST(test_pinned_goroutine),
        TU_TEST(test_frame_built_against_0_6),
        TU_TEST(test_typed_value_text),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
