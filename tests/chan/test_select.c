/* test_select.c - go_select and go_select_err (gort/chan.h): the uniform
 * random choice among ready cases, default, nil channels, blocking selects
 * woken by a send, a receive or a close on any case (from goroutines and
 * foreign threads), send cases, receiving into NULL, the ok flag, the
 * "send on closed channel" panic of a send case and its _err twin, bad
 * input, the same channel in several cases, and a stress of many selecting
 * goroutines over a few shared channels against senders and closers.
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

static go_select_case_t recv_case(go_chan_t *ch, void *out)
{
    return (go_select_case_t){ .chan = ch, .dir = GO_SELECT_RECV, .ok = -7, .value = out };
}

static go_select_case_t send_case(go_chan_t *ch, void *value)
{
    return (go_select_case_t){ .chan = ch, .dir = GO_SELECT_SEND, .ok = -7, .value = value };
}

static go_select_case_t default_case(void)
{
    return (go_select_case_t){ .chan = NULL, .dir = GO_SELECT_DEFAULT, .ok = -7, .value = NULL };
}

static go_chan_t *new_int_chan(size_t cap)
{
    go_chan_t *ch = chan_new(sizeof(int), cap);
    assert_non_null(ch);
    return ch;
}

/* ------------------------------------------------------------------------ */
/* bad input                                                                */

static void test_bad_input_einval(void **state)
{
    (void)state;
    go_chan_t *ready = new_int_chan(1), *room = new_int_chan(1);
    int v = 5, out = -1, sv = 6;
    TU_ASSERT_OK(chan_send(ready, &v));

    TU_ASSERT_ERR(go_select(NULL, 1), GO_EINVAL);
    TU_ASSERT_ERR(go_select_err(NULL, 1), GO_EINVAL);
    TU_ASSERT_ERR(go_select(NULL, GO_SELECT_MAX), GO_EINVAL);

    go_select_case_t c[4];
    c[0] = recv_case(ready, &out);
    c[1] = send_case(room, &sv);
    TU_ASSERT_ERR(go_select(c, -1), GO_EINVAL);
    TU_ASSERT_ERR(go_select(c, INT_MIN), GO_EINVAL);
    TU_ASSERT_ERR(go_select_err(c, -1), GO_EINVAL);

    /* too many cases: rejected by the count alone (the array is valid) */
    go_select_case_t *many = calloc((size_t)GO_SELECT_MAX + 1, sizeof *many);
    assert_non_null(many);
    for (int i = 0; i <= GO_SELECT_MAX; i++)
        many[i] = recv_case(NULL, NULL);
    many[0] = recv_case(ready, &out);
    TU_ASSERT_ERR(go_select(many, GO_SELECT_MAX + 1), GO_EINVAL);
    TU_ASSERT_ERR(go_select_err(many, GO_SELECT_MAX + 1), GO_EINVAL);
    TU_ASSERT_ERR(go_select(many, INT_MAX), GO_EINVAL);
    /* exactly GO_SELECT_MAX is fine: the one ready case, wherever it is */
    many[0] = recv_case(NULL, NULL);
    many[GO_SELECT_MAX - 1] = recv_case(ready, &out);
    assert_int_equal(go_select(many, GO_SELECT_MAX), GO_SELECT_MAX - 1);
    assert_int_equal(out, 5);
    assert_int_equal(many[GO_SELECT_MAX - 1].ok, 1);
    TU_ASSERT_OK(chan_send(ready, &v));
    many[GO_SELECT_MAX - 1] = recv_case(NULL, NULL);
    many[40000] = default_case();
    assert_int_equal(go_select(many, GO_SELECT_MAX), 40000);
    free(many);
    out = -1;

    /* each bad case, next to cases that are ready: nothing happens */
    go_chan_t *g = ct_garbage();
    go_select_case_t bad[] = {
        { .chan = room, .dir = 0, .value = &sv },
        { .chan = room, .dir = 4, .value = &sv },
        { .chan = room, .dir = -1, .value = &sv },
        { .chan = room, .dir = INT_MAX, .value = &sv },
        recv_case(g, &out),
        send_case(g, &sv),
        send_case(room, NULL), /* a NULL value with a nonzero element size */
    };
    for (size_t k = 0; k < TU_ARRAY_LEN(bad); k++) {
        for (int err = 0; err <= 1; err++) {
            c[0] = recv_case(ready, &out);
            c[1] = send_case(room, &sv);
            c[2] = bad[k];
            c[3] = default_case();
            int rc = err ? go_select_err(c, 4) : go_select(c, 4);
            if (rc != GO_EINVAL)
                fail_msg("bad case %zu (%s): returned %d, want GO_EINVAL", k,
                         err ? "go_select_err" : "go_select", rc);
            c[2] = c[3];
            c[3] = bad[k];
            rc = err ? go_select_err(c, 4) : go_select(c, 4);
            if (rc != GO_EINVAL)
                fail_msg("bad case %zu last (%s): returned %d, want GO_EINVAL", k,
                         err ? "go_select_err" : "go_select", rc);
            assert_int_equal(out, -1);
            assert_int_equal(chan_len(ready), 1);
            assert_int_equal(chan_len(room), 0);
        }
    }

    /* two defaults */
    c[0] = default_case();
    c[1] = recv_case(ready, &out);
    c[2] = default_case();
    TU_ASSERT_ERR(go_select(c, 3), GO_EINVAL);
    TU_ASSERT_ERR(go_select_err(c, 3), GO_EINVAL);
    c[1] = default_case();
    TU_ASSERT_ERR(go_select(c, 2), GO_EINVAL);
    assert_int_equal(chan_len(ready), 1);
    assert_int_equal(out, -1);

    /* a NULL value is fine for a zero-size element and for a nil channel's
     * send case (never ready) */
    go_chan_t *z = chan_new(0, 1);
    assert_non_null(z);
    c[0] = send_case(z, NULL);
    c[1] = send_case(NULL, NULL);
    assert_int_equal(go_select(c, 2), 0);
    assert_int_equal(chan_len(z), 1);
    c[0] = recv_case(z, NULL);
    assert_int_equal(go_select(c, 2), 0);
    assert_int_equal(c[0].ok, 1);
    assert_int_equal(chan_len(z), 0);
    chan_free(z);

    chan_free(ready);
    chan_free(room);
}

/* ------------------------------------------------------------------------ */
/* default and nil channels                                                 */

static void test_default_when_nothing_ready(void **state)
{
    (void)state;
    go_chan_t *empty = new_int_chan(3), *unbuf = new_int_chan(0), *full = new_int_chan(1);
    int v = 8;
    TU_ASSERT_OK(chan_send(full, &v));
    int o1 = -1, o2 = -1, s1 = 1, s2 = 2, s3 = 3;
    go_select_case_t body[] = {
        recv_case(empty, &o1), recv_case(unbuf, &o2), send_case(unbuf, &s1),
        send_case(full, &s2),  recv_case(NULL, &o1),  send_case(NULL, &s3),
    };
    enum { NB = sizeof body / sizeof body[0] };
    for (int where = 0; where <= NB; where++) {
        go_select_case_t c[NB + 1];
        for (int i = 0, j = 0; i <= NB; i++)
            c[i] = i == where ? default_case() : body[j++];
        assert_int_equal(go_select(c, NB + 1), where);
        assert_int_equal(go_select_err(c, NB + 1), where);
    }
    assert_int_equal(o1, -1);
    assert_int_equal(o2, -1);
    assert_int_equal(chan_len(empty), 0);
    assert_int_equal(chan_len(full), 1);

    /* a select made of a default alone */
    go_select_case_t d = default_case();
    assert_int_equal(go_select(&d, 1), 0);
    assert_int_equal(go_select_err(&d, 1), 0);
    /* nil channels alone, with a default */
    go_select_case_t nils[] = { recv_case(NULL, NULL), send_case(NULL, &s1), default_case() };
    assert_int_equal(go_select(nils, 3), 2);

    chan_free(empty);
    chan_free(unbuf);
    chan_free(full);
}

static void test_nil_never_ready(void **state)
{
    (void)state;
    go_chan_t *ch = new_int_chan(1);
    int s = 4, out = -1;
    for (int i = 0; i < 300; i++) {
        go_select_case_t c[] = { recv_case(NULL, &out), send_case(NULL, &s), send_case(ch, &s),
                                 recv_case(NULL, NULL) };
        int rc = go_select(c, 4);
        if (rc != 2)
            fail_msg("trial %d: case %d fired, want 2 (the others are nil)", i, rc);
        assert_int_equal(chan_recv(ch, &out), 1);
        assert_int_equal(out, 4);
    }
    chan_free(ch);
}

/* ------------------------------------------------------------------------ */
/* the random choice                                                        */

enum { RAND_TRIALS = 30000 };

typedef struct rand_ctx {
    int counts[5];
    int bad;
} rand_ctx_t;

/* Three ready cases of three kinds: a receive with a value waiting, a send
 * with room, a receive on a closed channel; each must run as it should. */
static void rand3_body(void *p)
{
    rand_ctx_t *r = p;
    go_chan_t *full = chan_new(sizeof(int), 1), *room = chan_new(sizeof(int), 1),
              *closed = chan_new(sizeof(int), 0);
    if (full == NULL || room == NULL || closed == NULL) {
        r->bad = -1;
        return;
    }
    int v = 11;
    chan_send(full, &v);
    chan_close(closed);
    for (int t = 0; t < RAND_TRIALS; t++) {
        int o1 = -1, o2 = -1, s = t;
        go_select_case_t c[] = { recv_case(full, &o1), send_case(room, &s), recv_case(closed, &o2),
                                 recv_case(NULL, NULL) };
        int rc = go_select(c, 4);
        if (rc < 0 || rc > 3) {
            r->bad++;
            continue;
        }
        r->counts[rc]++;
        switch (rc) {
        case 0:
            if (o1 != 11 || c[0].ok != 1 || o2 != -1 || chan_len(room) != 0)
                r->bad++;
            chan_send(full, &v);
            break;
        case 1: {
            int got = -1;
            if (o1 != -1 || o2 != -1 || chan_recv(room, &got) != 1 || got != t)
                r->bad++;
            break;
        }
        case 2:
            if (o2 != 0 || c[2].ok != 0 || o1 != -1 || chan_len(room) != 0)
                r->bad++;
            break;
        default:
            r->bad++;
        }
    }
    chan_free(full);
    chan_free(room);
    chan_free(closed);
}

/* Two ready receives among a blocked one and a default (the default never
 * runs when a case is ready). */
static void rand2_body(void *p)
{
    rand_ctx_t *r = p;
    go_chan_t *a = chan_new(sizeof(int), 1), *b = chan_new(sizeof(int), 1), *never = chan_new(sizeof(int), 0);
    if (a == NULL || b == NULL || never == NULL) {
        r->bad = -1;
        return;
    }
    int va = 1, vb = 2;
    chan_send(a, &va);
    chan_send(b, &vb);
    for (int t = 0; t < RAND_TRIALS; t++) {
        int out = -1;
        go_select_case_t c[] = { default_case(), recv_case(never, &out), recv_case(a, &out),
                                 recv_case(b, &out) };
        int rc = go_select(c, 4);
        if (rc < 0 || rc > 3) {
            r->bad++;
            continue;
        }
        r->counts[rc]++;
        if (rc == 2 && out == 1)
            chan_send(a, &va);
        else if (rc == 3 && out == 2)
            chan_send(b, &vb);
        else
            r->bad++;
    }
    chan_free(a);
    chan_free(b);
    chan_free(never);
}

static void check_share(const char *what, int count, int lo_pct, int hi_pct)
{
    if (count < RAND_TRIALS * lo_pct / 100 || count > RAND_TRIALS * hi_pct / 100)
        fail_msg("%s: chosen %d times of %d, want %d%%..%d%%", what, count, RAND_TRIALS, lo_pct, hi_pct);
}

static void test_random_choice(void **state)
{
    (void)state;
    for (int w = 0; w < CT_WHERE_N; w += CT_WHERE_N - 1) { /* the test thread, a goroutine */
        rand_ctx_t r;
        memset(&r, 0, sizeof r);
        ct_run((ct_where_t)w, rand3_body, &r);
        assert_int_equal(r.bad, 0);
        assert_int_equal(r.counts[3], 0);
        print_message("%s: 3 ready cases chosen %d/%d/%d times\n", ct_where_name[w], r.counts[0],
                      r.counts[1], r.counts[2]);
        check_share("3 ready: the receive", r.counts[0], 25, 42);
        check_share("3 ready: the send", r.counts[1], 25, 42);
        check_share("3 ready: the closed receive", r.counts[2], 25, 42);

        memset(&r, 0, sizeof r);
        ct_run((ct_where_t)w, rand2_body, &r);
        assert_int_equal(r.bad, 0);
        assert_int_equal(r.counts[0], 0);
        assert_int_equal(r.counts[1], 0);
        print_message("%s: 2 ready cases chosen %d/%d times\n", ct_where_name[w], r.counts[2], r.counts[3]);
        check_share("2 ready: a", r.counts[2], 40, 60);
        check_share("2 ready: b", r.counts[3], 40, 60);
    }
}

/* ------------------------------------------------------------------------ */
/* blocking selects                                                         */

/* What wakes the blocked selector. */
enum { EV_SEND, EV_RECV, EV_CLOSE };

typedef struct wake_ctx {
    go_chan_t *ch[3];
    int kind[3];          /* GO_SELECT_RECV or GO_SELECT_SEND per case */
    go_wg_t *ready;
    int use_err;
    int rc;
    int ok[3];
    int64_t out[3];
    int64_t in[3];
    ct_rec_t rec;
    int go_call_rc;
    int reached;
} wake_ctx_t;

static void wake_select(void *p)
{
    wake_ctx_t *c = p;
    go_select_case_t cs[3];
    for (int i = 0; i < 3; i++) {
        c->out[i] = 0x5555555555555555LL;
        cs[i] = c->kind[i] == GO_SELECT_RECV ? recv_case(c->ch[i], &c->out[i]) : send_case(c->ch[i], &c->in[i]);
    }
    wg_done(c->ready);
    c->rc = c->use_err ? go_select_err(cs, 3) : go_select(cs, 3);
    c->reached = 1;
    for (int i = 0; i < 3; i++)
        c->ok[i] = cs[i].ok;
}

static void wake_selector(void *p)
{
    wake_ctx_t *c = p;
    c->go_call_rc = ct_catch(wake_select, c, &c->rec);
}

/* kinds: which cases receive and which send (a bit per case: 1 = send). */
static void run_wake(ct_where_t where, int kinds, int k, int ev, int use_err)
{
    wake_ctx_t c;
    memset(&c, 0, sizeof c);
    c.ready = wg_new();
    assert_non_null(c.ready);
    TU_ASSERT_OK(wg_add(c.ready, 1));
    c.use_err = use_err;
    for (int i = 0; i < 3; i++) {
        c.ch[i] = chan_new(sizeof(int64_t), 0);
        assert_non_null(c.ch[i]);
        c.kind[i] = (kinds >> i) & 1 ? GO_SELECT_SEND : GO_SELECT_RECV;
        c.in[i] = 1000 + i;
    }
    ct_task_t t;
    assert_int_equal(ct_start(&t, where, wake_selector, &c), 0);
    TU_ASSERT_OK(wg_wait(c.ready));
    ct_let_them_block();
    int64_t v = 77 + k, got = -1;
    if (ev == EV_SEND)
        TU_ASSERT_OK(chan_send(c.ch[k], &v));
    else if (ev == EV_RECV)
        assert_int_equal(chan_recv(c.ch[k], &got), 1);
    else
        TU_ASSERT_OK(chan_close(c.ch[k]));
    assert_int_equal(ct_join(&t), 0);

    const char *w = ct_where_name[where];
    if (ev == EV_CLOSE && c.kind[k] == GO_SELECT_SEND) {
        /* a send case woken by the close */
        if (use_err) {
            if (c.go_call_rc != 0 || c.rc != GO_ECLOSED || c.ok[k] != GO_ECLOSED)
                fail_msg("%s, case %d: go_select_err returned %d, ok %d; want GO_ECLOSED twice", w, k,
                         c.rc, c.ok[k]);
        } else {
            if (c.reached)
                fail_msg("%s, case %d: go_select returned %d instead of panicking", w, k, c.rc);
            CT_ASSERT_PANICKED(c.go_call_rc, c.rec, "send on closed channel");
        }
    } else {
        if (c.go_call_rc != 0 || c.rc != k)
            fail_msg("%s, kinds %d, event %d on case %d: select returned %d (go_call %d, \"%s\")", w,
                     kinds, ev, k, c.rc, c.go_call_rc, c.rec.message);
        if (ev == EV_SEND) {
            assert_int_equal(c.ok[k], 1);
            assert_int_equal(c.out[k], 77 + k);
        } else if (ev == EV_RECV) {
            assert_int_equal(got, 1000 + k);
        } else {
            assert_int_equal(c.ok[k], 0);
            assert_int_equal(c.out[k], 0); /* the zero value was stored */
        }
    }
    /* the cases that did not fire: untouched, and no waiter left behind on
     * their channels (an unbuffered try succeeds only against a waiter) */
    for (int i = 0; i < 3; i++) {
        if (i == k)
            continue;
        if (c.kind[i] == GO_SELECT_RECV)
            assert_int_equal(c.out[i], 0x5555555555555555LL);
        int64_t x = 1;
        int ok = -1;
        if (c.kind[i] == GO_SELECT_RECV)
            assert_int_equal(chan_try_send(c.ch[i], &x), 0);
        else
            assert_int_equal(chan_try_recv(c.ch[i], &x, &ok), 0);
    }
    for (int i = 0; i < 3; i++)
        chan_free(c.ch[i]);
    wg_free(c.ready);
}

static void test_blocking_select_woken(void **state)
{
    (void)state;
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        for (int k = 0; k < 3; k++) {
            /* all receives: a send or a close wakes */
            run_wake((ct_where_t)w, 0, k, EV_SEND, 0);
            run_wake((ct_where_t)w, 0, k, EV_CLOSE, 0);
            /* all sends: a receive wakes, a close panics */
            run_wake((ct_where_t)w, 7, k, EV_RECV, 0);
            run_wake((ct_where_t)w, 7, k, EV_CLOSE, 0);
            run_wake((ct_where_t)w, 7, k, EV_CLOSE, 1);
            /* mixed: receive, send, receive */
            run_wake((ct_where_t)w, 2, k, k == 1 ? EV_RECV : EV_SEND, 0);
            run_wake((ct_where_t)w, 2, k, EV_CLOSE, k == 1);
            run_wake((ct_where_t)w, 2, k, k == 1 ? EV_RECV : EV_SEND, 1);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* values, ok, NULL                                                         */

static void test_recv_into_null_and_ok(void **state)
{
    (void)state;
    go_chan_t *ch = chan_new(sizeof(int), 3);
    assert_non_null(ch);
    for (int i = 1; i <= 3; i++)
        TU_ASSERT_OK(chan_send(ch, &i));
    go_select_case_t c = recv_case(ch, NULL);
    assert_int_equal(go_select(&c, 1), 0);
    assert_int_equal(c.ok, 1);
    assert_int_equal(chan_len(ch), 2);
    TU_ASSERT_OK(chan_close(ch));
    int out = -1;
    c = recv_case(ch, &out);
    assert_int_equal(go_select_err(&c, 1), 0);
    assert_int_equal(c.ok, 1);
    assert_int_equal(out, 2);
    c = recv_case(ch, &out);
    go_select_case_t d[] = { c, default_case() };
    assert_int_equal(go_select(d, 2), 0);
    assert_int_equal(d[0].ok, 1);
    assert_int_equal(out, 3);
    for (int k = 0; k < 3; k++) {
        out = -1;
        d[0] = recv_case(ch, &out);
        assert_int_equal(go_select(d, 2), 0); /* closed: ready, never the default */
        assert_int_equal(d[0].ok, 0);
        assert_int_equal(out, 0);
        d[0] = recv_case(ch, NULL);
        assert_int_equal(go_select(d, 2), 0);
        assert_int_equal(d[0].ok, 0);
    }
    chan_free(ch);
}

/* ------------------------------------------------------------------------ */
/* send cases on closed channels                                            */

typedef struct closed_send_ctx {
    go_chan_t *closed, *empty;
    int with_default;
    int rc;
    int reached;
    int ok[3];
} closed_send_ctx_t;

static void closed_send_select(void *p)
{
    closed_send_ctx_t *c = p;
    int s = 1, out = -1;
    go_select_case_t cs[] = { recv_case(c->empty, &out), send_case(c->closed, &s), default_case() };
    c->rc = go_select(cs, c->with_default ? 3 : 2);
    c->reached = 1;
}

typedef struct closed_send_run {
    closed_send_ctx_t *c;
    ct_rec_t rec;
    int go_call_rc;
} closed_send_run_t;

static void closed_send_in_frame(void *p)
{
    closed_send_run_t *r = p;
    r->go_call_rc = ct_catch(closed_send_select, r->c, &r->rec);
}

static void test_send_case_on_closed(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 2; cap += 2) {
        closed_send_ctx_t c;
        memset(&c, 0, sizeof c);
        c.closed = new_int_chan((size_t)cap);
        c.empty = new_int_chan(1);
        TU_ASSERT_OK(chan_close(c.closed));
        for (int w = 0; w < CT_WHERE_N; w++) {
            for (int d = 0; d <= 1; d++) {
                /* a closed channel's send case is ready (it panics), even
                 * next to a default */
                c.with_default = d;
                c.reached = 0;
                closed_send_run_t r = { &c, { 0 }, -1 };
                ct_run((ct_where_t)w, closed_send_in_frame, &r);
                if (c.reached)
                    fail_msg("cap %d, %s, default %d: go_select returned %d", cap, ct_where_name[w], d, c.rc);
                CT_ASSERT_PANICKED(r.go_call_rc, r.rec, "send on closed channel");
            }
        }
        /* the twin: GO_ECLOSED, in the return value and that case's ok */
        int s = 1, out = -1;
        go_select_case_t cs[] = { recv_case(c.empty, &out), send_case(c.closed, &s), default_case() };
        assert_int_equal(go_select_err(cs, 3), GO_ECLOSED);
        assert_int_equal(cs[1].ok, GO_ECLOSED);
        assert_int_equal(out, -1);
        assert_int_equal(chan_len(c.empty), 0);
        assert_int_equal(chan_len(c.closed), 0);
        /* a closed receive and a closed send both ready: either may run;
         * the receive answers ok = 0, the send GO_ECLOSED */
        int seen_recv = 0, seen_send = 0;
        go_chan_t *closed2 = new_int_chan(0);
        TU_ASSERT_OK(chan_close(closed2));
        for (int t = 0; t < 400; t++) {
            go_select_case_t both[] = { recv_case(closed2, &out), send_case(c.closed, &s) };
            int rc = go_select_err(both, 2);
            if (rc == 0 && both[0].ok == 0)
                seen_recv++;
            else if (rc == GO_ECLOSED && both[1].ok == GO_ECLOSED)
                seen_send++;
            else
                fail_msg("trial %d: go_select_err returned %d, ok %d/%d", t, rc, both[0].ok, both[1].ok);
        }
        assert_true(seen_recv > 100);
        assert_true(seen_send > 100);
        chan_free(closed2);
        chan_free(c.closed);
        chan_free(c.empty);
    }
}

/* ------------------------------------------------------------------------ */
/* the same channel in several cases                                        */

typedef struct pair_ctx {
    go_chan_t *ch;
    int id;
    int rc;
    int got;
    int ok;
} pair_ctx_t;

/* select { case v := <-ch: case ch <- id: } */
static void pair_select(void *p)
{
    pair_ctx_t *c = p;
    int s = c->id;
    c->got = -1;
    go_select_case_t cs[] = { recv_case(c->ch, &c->got), send_case(c->ch, &s) };
    c->rc = go_select(cs, 2);
    c->ok = cs[0].ok;
}

typedef struct dup_ctx {
    go_chan_t *ch;
    go_wg_t *ready;
    int rc;
    int64_t out;
    int ok[2];
    int sends;
} dup_ctx_t;

static void dup_recv_select(void *p)
{
    dup_ctx_t *c = p;
    int64_t o1 = -1, o2 = -1;
    go_select_case_t cs[] = { recv_case(c->ch, &o1), recv_case(c->ch, &o2) };
    wg_done(c->ready);
    c->rc = go_select(cs, 2);
    c->out = c->rc == 0 ? o1 : o2;
    c->ok[0] = cs[0].ok;
    c->ok[1] = cs[1].ok;
}

static void dup_send_select(void *p)
{
    dup_ctx_t *c = p;
    int64_t s1 = 10, s2 = 20;
    go_select_case_t cs[] = { send_case(c->ch, &s1), send_case(c->ch, &s2) };
    wg_done(c->ready);
    c->rc = go_select(cs, 2);
}

static void test_same_channel_several_cases(void **state)
{
    (void)state;
    /* two receives of one buffered value: exactly one runs, each sometimes */
    go_chan_t *ch = new_int_chan(1);
    int n0 = 0, n1 = 0;
    for (int t = 0; t < 2000; t++) {
        int v = t, o1 = -1, o2 = -1;
        TU_ASSERT_OK(chan_send(ch, &v));
        go_select_case_t cs[] = { recv_case(ch, &o1), recv_case(ch, &o2), default_case() };
        int rc = go_select(cs, 3);
        if (rc == 0 && o1 == t && o2 == -1)
            n0++;
        else if (rc == 1 && o2 == t && o1 == -1)
            n1++;
        else
            fail_msg("trial %d: case %d ran, values %d %d", t, rc, o1, o2);
        assert_int_equal(chan_len(ch), 0);
    }
    assert_true(n0 > 700 && n1 > 700);
    /* a receive and a send on one buffered channel: whichever can proceed */
    int s = 5, o = -1;
    go_select_case_t rs[] = { recv_case(ch, &o), send_case(ch, &s) };
    assert_int_equal(go_select(rs, 2), 1);
    assert_int_equal(chan_len(ch), 1);
    assert_int_equal(go_select(rs, 2), 0);
    assert_int_equal(o, 5);
    chan_free(ch);

    /* two selectors, each `select { case <-ch: case ch <- id: }` on one
     * unbuffered channel: they pair up, one sending, one receiving (a
     * select never meets itself) */
    for (int t = 0; t < 60; t++) {
        pair_ctx_t a = { new_int_chan(0), 1, -9, 0, 0 }, b = { a.ch, 2, -9, 0, 0 };
        ct_task_t ta, tb;
        assert_int_equal(ct_start(&ta, t % 2 ? CT_THREAD : CT_GOROUTINE, pair_select, &a), 0);
        assert_int_equal(ct_start(&tb, CT_GOROUTINE, pair_select, &b), 0);
        assert_int_equal(ct_join(&ta), 0);
        assert_int_equal(ct_join(&tb), 0);
        if (!((a.rc == 0 && a.got == 2 && a.ok == 1 && b.rc == 1) ||
              (b.rc == 0 && b.got == 1 && b.ok == 1 && a.rc == 1)))
            fail_msg("trial %d: a: case %d got %d; b: case %d got %d", t, a.rc, a.got, b.rc, b.got);
        chan_free(a.ch);
    }

    /* a blocked select waits on one channel twice: one send wakes it once,
     * and neither registration is left behind */
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        dup_ctx_t c;
        memset(&c, 0, sizeof c);
        c.ch = chan_new(sizeof(int64_t), 0);
        c.ready = wg_new();
        assert_non_null(c.ch);
        assert_non_null(c.ready);
        TU_ASSERT_OK(wg_add(c.ready, 1));
        ct_task_t t;
        assert_int_equal(ct_start(&t, (ct_where_t)w, dup_recv_select, &c), 0);
        TU_ASSERT_OK(wg_wait(c.ready));
        ct_let_them_block();
        int64_t v = 99;
        TU_ASSERT_OK(chan_send(c.ch, &v));
        assert_int_equal(ct_join(&t), 0);
        assert_true(c.rc == 0 || c.rc == 1);
        assert_int_equal(c.out, 99);
        assert_int_equal(c.ok[c.rc], 1);
        assert_int_equal(chan_try_send(c.ch, &v), 0);

        TU_ASSERT_OK(wg_add(c.ready, 1));
        assert_int_equal(ct_start(&t, (ct_where_t)w, dup_send_select, &c), 0);
        TU_ASSERT_OK(wg_wait(c.ready));
        ct_let_them_block();
        v = -1;
        assert_int_equal(chan_recv(c.ch, &v), 1);
        assert_int_equal(ct_join(&t), 0);
        assert_true((c.rc == 0 && v == 10) || (c.rc == 1 && v == 20));
        int ok = -1;
        assert_int_equal(chan_try_recv(c.ch, &v, &ok), 0);
        wg_free(c.ready);
        chan_free(c.ch);
    }
}

/* ------------------------------------------------------------------------ */
/* blocked selects against try operations and racing wakers                 */

typedef struct sel_waiter_ctx {
    go_chan_t *ch;
    int dir;
    int64_t value;
    int rc;
    int ok;
} sel_waiter_ctx_t;

static void sel_waiter(void *p)
{
    sel_waiter_ctx_t *c = p;
    go_select_case_t cs[] = { { .chan = c->ch, .dir = c->dir, .value = &c->value }, recv_case(NULL, NULL) };
    c->rc = go_select(cs, 2);
    c->ok = cs[0].ok;
}

/* A select blocked on an unbuffered channel is a waiter like any other: a
 * chan_try_send / chan_try_recv meets it. */
static void test_try_meets_blocked_select(void **state)
{
    (void)state;
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        go_chan_t *ch = chan_new(sizeof(int64_t), 0);
        assert_non_null(ch);
        sel_waiter_ctx_t c = { ch, GO_SELECT_RECV, -1, -9, -9 };
        ct_task_t t;
        assert_int_equal(ct_start(&t, (ct_where_t)w, sel_waiter, &c), 0);
        int64_t v = 555;
        int64_t deadline = tu_now_ns() + 10000 * TU_MS;
        int rc;
        while ((rc = chan_try_send(ch, &v)) == 0 && tu_now_ns() < deadline)
            go_yield();
        assert_int_equal(rc, 1);
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(c.rc, 0);
        assert_int_equal(c.ok, 1);
        assert_int_equal(c.value, 555);

        sel_waiter_ctx_t s = { ch, GO_SELECT_SEND, 666, -9, -9 };
        assert_int_equal(ct_start(&t, (ct_where_t)w, sel_waiter, &s), 0);
        int ok = -1;
        v = -1;
        deadline = tu_now_ns() + 10000 * TU_MS;
        while ((rc = chan_try_recv(ch, &v, &ok)) == 0 && tu_now_ns() < deadline)
            go_yield();
        assert_int_equal(rc, 1);
        assert_int_equal(ok, 1);
        assert_int_equal(v, 666);
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(s.rc, 0);
        chan_free(ch);
    }
}

/* Two wakers race for one blocked select: exactly one wins, the other's
 * operation stays pending (nothing lost, nothing taken twice). */
typedef struct race_ctx {
    go_chan_t *a, *b;
    int rc;
    int ok[2];
    int64_t out[2];
} race_ctx_t;

static void race_selector(void *p)
{
    race_ctx_t *c = p;
    c->out[0] = c->out[1] = -1;
    go_select_case_t cs[] = { recv_case(c->a, &c->out[0]), recv_case(c->b, &c->out[1]) };
    c->rc = go_select(cs, 2);
    c->ok[0] = cs[0].ok;
    c->ok[1] = cs[1].ok;
}

typedef struct race_waker {
    go_chan_t *ch;
    int64_t value;
    int close_it;
    int rc;
} race_waker_t;

static void race_wake(void *p)
{
    race_waker_t *w = p;
    w->rc = w->close_it ? chan_close(w->ch) : chan_send(w->ch, &w->value);
}

static void test_wakers_race_for_one_select(void **state)
{
    (void)state;
    int won[2] = { 0, 0 };
    for (int t = 0; t < 300; t++) {
        race_ctx_t c;
        memset(&c, 0, sizeof c);
        c.a = chan_new(sizeof(int64_t), 0);
        c.b = chan_new(sizeof(int64_t), 0);
        assert_non_null(c.a);
        assert_non_null(c.b);
        int close_a = t % 3 == 2; /* a close against a send, now and then */
        race_waker_t wa = { c.a, 100 + t, close_a, -9 }, wb = { c.b, 200 + t, 0, -9 };
        ct_where_t ws = t % 2 ? CT_THREAD : CT_GOROUTINE;
        ct_task_t ts, ta, tb;
        assert_int_equal(ct_start(&ts, ws, race_selector, &c), 0);
        assert_int_equal(ct_start(&ta, CT_GOROUTINE, race_wake, &wa), 0);
        assert_int_equal(ct_start(&tb, t % 4 == 1 ? CT_THREAD : CT_GOROUTINE, race_wake, &wb), 0);
        assert_int_equal(ct_join(&ts), 0);
        assert_true(c.rc == 0 || c.rc == 1);
        won[c.rc]++;
        /* the loser's send is still pending: take it here */
        int64_t v = -1;
        if (c.rc == 0) {
            if (close_a) {
                assert_int_equal(c.ok[0], 0);
                assert_int_equal(c.out[0], 0);
            } else {
                assert_int_equal(c.ok[0], 1);
                assert_int_equal(c.out[0], 100 + t);
            }
            assert_int_equal(c.out[1], -1);
            assert_int_equal(chan_recv(c.b, &v), 1);
            assert_int_equal(v, 200 + t);
        } else {
            assert_int_equal(c.ok[1], 1);
            assert_int_equal(c.out[1], 200 + t);
            assert_int_equal(c.out[0], -1);
            if (close_a) {
                assert_int_equal(chan_recv(c.a, &v), 0);
            } else {
                assert_int_equal(chan_recv(c.a, &v), 1);
                assert_int_equal(v, 100 + t);
            }
        }
        assert_int_equal(ct_join(&ta), 0);
        assert_int_equal(ct_join(&tb), 0);
        assert_int_equal(wa.rc, 0);
        assert_int_equal(wb.rc, 0);
        chan_free(c.a);
        chan_free(c.b);
    }
    print_message("the first case won %d times, the second %d\n", won[0], won[1]);
}

/* Large values (GO_CHAN_ELEM_MAX bytes) through select cases, handed
 * straight to a blocked peer and back. */
typedef struct bigsel_ctx {
    go_chan_t *ch;
    unsigned char *buf;
    int dir;
    int rc;
    int ok;
} bigsel_ctx_t;

static void bigsel_body(void *p)
{
    bigsel_ctx_t *c = p;
    go_select_case_t cs[] = { recv_case(NULL, NULL), { .chan = c->ch, .dir = c->dir, .value = c->buf } };
    c->rc = go_select(cs, 2);
    c->ok = cs[1].ok;
}

static void test_large_values_through_select(void **state)
{
    (void)state;
    unsigned char *a = malloc(GO_CHAN_ELEM_MAX), *b = malloc(GO_CHAN_ELEM_MAX);
    assert_non_null(a);
    assert_non_null(b);
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        go_chan_t *ch = chan_new(GO_CHAN_ELEM_MAX, 0);
        assert_non_null(ch);
        /* a blocked select receives */
        memset(b, 0, GO_CHAN_ELEM_MAX);
        bigsel_ctx_t c = { ch, b, GO_SELECT_RECV, -9, -9 };
        ct_task_t t;
        assert_int_equal(ct_start(&t, (ct_where_t)w, bigsel_body, &c), 0);
        for (size_t i = 0; i < GO_CHAN_ELEM_MAX; i++)
            a[i] = (unsigned char)(i ^ (i >> 8) ^ 0x3C);
        TU_ASSERT_OK(chan_send(ch, a));
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(c.rc, 1);
        assert_int_equal(c.ok, 1);
        assert_memory_equal(a, b, GO_CHAN_ELEM_MAX);
        /* a blocked select sends */
        for (size_t i = 0; i < GO_CHAN_ELEM_MAX; i++)
            b[i] = (unsigned char)(i * 7u + 1u);
        bigsel_ctx_t s = { ch, b, GO_SELECT_SEND, -9, -9 };
        assert_int_equal(ct_start(&t, (ct_where_t)w, bigsel_body, &s), 0);
        memset(a, 0, GO_CHAN_ELEM_MAX);
        assert_int_equal(chan_recv(ch, a), 1);
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(s.rc, 1);
        assert_memory_equal(a, b, GO_CHAN_ELEM_MAX);
        chan_free(ch);
    }
    free(a);
    free(b);
}

/* A blocked select over many channels (and one channel many times) is
 * woken by the one that becomes ready, and leaves no registration behind
 * on the others. */
enum { WIDE_N = 1000 };

typedef struct wide_ctx {
    go_chan_t **chans;
    int n;
    go_wg_t *ready;
    int rc;
    int64_t out;
    int ok;
} wide_ctx_t;

static void wide_select(void *p)
{
    wide_ctx_t *c = p;
    go_select_case_t *cs = calloc((size_t)c->n, sizeof *cs);
    if (cs == NULL) {
        c->rc = -1000;
        wg_done(c->ready);
        return;
    }
    for (int i = 0; i < c->n; i++)
        cs[i] = recv_case(c->chans[i], &c->out);
    wg_done(c->ready);
    c->rc = go_select(cs, c->n);
    c->ok = c->rc >= 0 ? cs[c->rc].ok : -1;
    free(cs);
}

static void test_wide_select(void **state)
{
    (void)state;
    go_chan_t **chans = calloc(WIDE_N, sizeof *chans);
    assert_non_null(chans);
    for (int i = 0; i < WIDE_N; i++) {
        chans[i] = chan_new(sizeof(int64_t), 0);
        assert_non_null(chans[i]);
    }
    static const int picks[] = { 0, 517, WIDE_N - 1 };
    for (size_t k = 0; k < TU_ARRAY_LEN(picks); k++) {
        for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
            wide_ctx_t c = { chans, WIDE_N, wg_new(), -9, -1, -9 };
            assert_non_null(c.ready);
            TU_ASSERT_OK(wg_add(c.ready, 1));
            ct_task_t t;
            assert_int_equal(ct_start(&t, (ct_where_t)w, wide_select, &c), 0);
            TU_ASSERT_OK(wg_wait(c.ready));
            ct_let_them_block();
            int64_t v = 7000 + picks[k];
            TU_ASSERT_OK(chan_send(chans[picks[k]], &v));
            assert_int_equal(ct_join(&t), 0);
            assert_int_equal(c.rc, picks[k]);
            assert_int_equal(c.ok, 1);
            assert_int_equal(c.out, 7000 + picks[k]);
            for (int i = 0; i < WIDE_N; i++)
                if (chan_try_send(chans[i], &v) != 0)
                    fail_msg("channel %d still has a receiver after the select returned", i);
            wg_free(c.ready);
        }
    }
    /* one channel in every case */
    go_chan_t **same = calloc(WIDE_N, sizeof *same);
    assert_non_null(same);
    for (int i = 0; i < WIDE_N; i++)
        same[i] = chans[3];
    wide_ctx_t c = { same, WIDE_N, wg_new(), -9, -1, -9 };
    assert_non_null(c.ready);
    TU_ASSERT_OK(wg_add(c.ready, 1));
    ct_task_t t;
    assert_int_equal(ct_start(&t, CT_GOROUTINE, wide_select, &c), 0);
    TU_ASSERT_OK(wg_wait(c.ready));
    ct_let_them_block();
    TU_ASSERT_OK(chan_close(chans[3]));
    assert_int_equal(ct_join(&t), 0);
    assert_true(c.rc >= 0 && c.rc < WIDE_N);
    assert_int_equal(c.ok, 0);
    assert_int_equal(c.out, 0);
    wg_free(c.ready);
    free(same);
    for (int i = 0; i < WIDE_N; i++)
        chan_free(chans[i]);
    free(chans);
}

/* ------------------------------------------------------------------------ */
/* stress: many selectors over shared channels                              */

enum {
    ST_CHANS = 3,
    ST_PRODUCERS = 6,   /* the last is a thread */
    ST_CONSUMERS = 6,   /* the last is a thread */
    ST_PER = 400,
    ST_TOTAL = ST_PRODUCERS * ST_PER
};

typedef struct stress_ctx {
    go_chan_t *ch[ST_CHANS];
    atomic_int seen[ST_TOTAL];
    atomic_int count;
    atomic_llong sum;
    atomic_int bad;
    atomic_int per_chan[ST_CHANS];
} stress_ctx_t;

typedef struct stress_arg {
    stress_ctx_t *c;
    int id;
} stress_arg_t;

static void stress_producer(void *p)
{
    stress_arg_t *a = p;
    stress_ctx_t *c = a->c;
    for (int i = 0; i < ST_PER; i++) {
        int v = a->id * ST_PER + i;
        int rc;
        if (i % 5 == 4) {
            /* a plain send now and then, next to the selects */
            rc = chan_send(c->ch[i % ST_CHANS], &v) == 0 ? 0 : -1;
        } else {
            go_select_case_t cs[ST_CHANS + 1];
            int n = 0;
            for (int k = 0; k < ST_CHANS; k++)
                cs[n++] = send_case(c->ch[k], &v);
            cs[n++] = recv_case(NULL, NULL);
            rc = i % 2 ? go_select(cs, n) : go_select_err(cs, n);
            rc = rc >= 0 && rc < ST_CHANS ? 0 : -1;
        }
        if (rc != 0)
            atomic_fetch_add(&c->bad, 1);
    }
}

static void stress_consumer(void *p)
{
    stress_arg_t *a = p;
    stress_ctx_t *c = a->c;
    go_chan_t *live[ST_CHANS];
    int open = ST_CHANS;
    for (int k = 0; k < ST_CHANS; k++)
        live[k] = c->ch[k];
    while (open > 0) {
        int outs[ST_CHANS];
        go_select_case_t cs[ST_CHANS];
        for (int k = 0; k < ST_CHANS; k++) {
            outs[k] = -1;
            cs[k] = recv_case(live[k], &outs[k]); /* a closed one is nil now: never ready */
        }
        int rc = a->id % 2 ? go_select_err(cs, ST_CHANS) : go_select(cs, ST_CHANS);
        if (rc < 0 || rc >= ST_CHANS || live[rc] == NULL) {
            atomic_fetch_add(&c->bad, 1);
            return;
        }
        if (cs[rc].ok == 0) {
            if (outs[rc] != 0)
                atomic_fetch_add(&c->bad, 1);
            live[rc] = NULL;
            open--;
            continue;
        }
        int v = outs[rc];
        if (cs[rc].ok != 1 || v < 0 || v >= ST_TOTAL || atomic_fetch_add(&c->seen[v], 1) != 0)
            atomic_fetch_add(&c->bad, 1);
        else {
            atomic_fetch_add(&c->sum, v);
            atomic_fetch_add(&c->count, 1);
            atomic_fetch_add(&c->per_chan[rc], 1);
        }
    }
}

static void test_stress_shared_channels(void **state)
{
    (void)state;
    static stress_ctx_t c;
    memset(&c, 0, sizeof c);
    static const size_t caps[ST_CHANS] = { 0, 1, 8 };
    for (int k = 0; k < ST_CHANS; k++) {
        c.ch[k] = chan_new(sizeof(int), caps[k]);
        assert_non_null(c.ch[k]);
    }
    stress_arg_t pa[ST_PRODUCERS], ca[ST_CONSUMERS];
    ct_task_t pt[ST_PRODUCERS], ctk[ST_CONSUMERS];
    for (int i = 0; i < ST_CONSUMERS; i++) {
        ca[i].c = &c;
        ca[i].id = i;
        assert_int_equal(ct_start(&ctk[i], i == ST_CONSUMERS - 1 ? CT_THREAD : CT_GOROUTINE,
                                  stress_consumer, &ca[i]), 0);
    }
    for (int i = 0; i < ST_PRODUCERS; i++) {
        pa[i].c = &c;
        pa[i].id = i;
        assert_int_equal(ct_start(&pt[i], i == ST_PRODUCERS - 1 ? CT_THREAD : CT_GOROUTINE,
                                  stress_producer, &pa[i]), 0);
    }
    for (int i = 0; i < ST_PRODUCERS; i++)
        assert_int_equal(ct_join(&pt[i]), 0);
    /* every value is in: closing lets the consumers drain and stop */
    for (int k = 0; k < ST_CHANS; k++)
        TU_ASSERT_OK(chan_close(c.ch[k]));
    for (int i = 0; i < ST_CONSUMERS; i++)
        assert_int_equal(ct_join(&ctk[i]), 0);
    if (atomic_load(&c.bad) != 0 || atomic_load(&c.count) != ST_TOTAL)
        fail_msg("%d bad results, %d values received of %d", atomic_load(&c.bad),
                 atomic_load(&c.count), ST_TOTAL);
    assert_int_equal(atomic_load(&c.sum), (long long)ST_TOTAL * (ST_TOTAL - 1) / 2);
    for (int v = 0; v < ST_TOTAL; v++)
        if (atomic_load(&c.seen[v]) != 1)
            fail_msg("value %d received %d times", v, atomic_load(&c.seen[v]));
    for (int k = 0; k < ST_CHANS; k++) {
        print_message("channel %d (cap %zu) carried %d values\n", k, caps[k], atomic_load(&c.per_chan[k]));
        chan_free(c.ch[k]);
    }
}

/* Selecting senders racing a closer: each producer sends with
 * go_select_err until a send case answers GO_ECLOSED. Every send that
 * succeeded is received exactly once; no value whose send failed is. */
enum { SC_PRODUCERS = 6, SC_CONSUMERS = 3, SC_MAX = 100000, SC_CLOSE_AFTER = 1500 };

typedef struct sc_ctx {
    go_chan_t *a, *b;
    atomic_int sent[SC_PRODUCERS];
    atomic_uchar ok_sent[SC_PRODUCERS * 1024];
    atomic_uchar received[SC_PRODUCERS * 1024];
    atomic_int nreceived;
    go_chan_t *enough;   /* closed by a consumer once SC_CLOSE_AFTER arrived */
    atomic_int bad;
    atomic_int closed_answers;
} sc_ctx_t;

typedef struct sc_arg {
    sc_ctx_t *c;
    int id;
} sc_arg_t;

static void sc_producer(void *p)
{
    sc_arg_t *a = p;
    sc_ctx_t *c = a->c;
    for (int i = 0; i < 1024; i++) {
        int v = a->id * 1024 + i;
        go_select_case_t cs[] = { send_case(c->a, &v), send_case(c->b, &v) };
        int rc = go_select_err(cs, 2);
        if (rc == GO_ECLOSED) {
            if (cs[0].ok != GO_ECLOSED && cs[1].ok != GO_ECLOSED)
                atomic_fetch_add(&c->bad, 1);
            atomic_fetch_add(&c->closed_answers, 1);
            return;
        }
        if (rc != 0 && rc != 1) {
            atomic_fetch_add(&c->bad, 1);
            return;
        }
        atomic_store(&c->ok_sent[v], 1);
        atomic_fetch_add(&c->sent[a->id], 1);
    }
}

static void sc_consumer(void *p)
{
    sc_arg_t *a = p;
    sc_ctx_t *c = a->c;
    go_chan_t *live[2] = { c->a, c->b };
    int open = 2;
    while (open > 0) {
        int out = -1;
        go_select_case_t cs[] = { recv_case(live[0], &out), recv_case(live[1], &out) };
        int rc = go_select(cs, 2);
        if (rc != 0 && rc != 1) {
            atomic_fetch_add(&c->bad, 1);
            return;
        }
        if (cs[rc].ok == 0) {
            live[rc] = NULL;
            open--;
            continue;
        }
        if (out < 0 || out >= SC_PRODUCERS * 1024 || atomic_fetch_add(&c->received[out], 1) != 0)
            atomic_fetch_add(&c->bad, 1);
        if (atomic_fetch_add(&c->nreceived, 1) + 1 == SC_CLOSE_AFTER)
            chan_close(c->enough);
    }
}

static void test_stress_select_senders_vs_close(void **state)
{
    (void)state;
    static sc_ctx_t c;
    for (int round = 0; round < 2; round++) {
        memset(&c, 0, sizeof c);
        c.a = new_int_chan(0);
        c.b = new_int_chan(round == 0 ? 4 : 0);
        c.enough = chan_new(0, 0);
        assert_non_null(c.enough);
        sc_arg_t pa[SC_PRODUCERS], ca[SC_CONSUMERS];
        ct_task_t pt[SC_PRODUCERS], ctk[SC_CONSUMERS];
        for (int i = 0; i < SC_CONSUMERS; i++) {
            ca[i].c = &c;
            ca[i].id = i;
            assert_int_equal(ct_start(&ctk[i], i == 0 ? CT_THREAD : CT_GOROUTINE, sc_consumer, &ca[i]), 0);
        }
        for (int i = 0; i < SC_PRODUCERS; i++) {
            pa[i].c = &c;
            pa[i].id = i;
            assert_int_equal(ct_start(&pt[i], i == 0 ? CT_THREAD : CT_GOROUTINE, sc_producer, &pa[i]), 0);
        }
        /* close both while the producers are still sending */
        assert_int_equal(chan_recv(c.enough, NULL), 0);
        TU_ASSERT_OK(chan_close(c.a));
        TU_ASSERT_OK(chan_close(c.b));
        for (int i = 0; i < SC_PRODUCERS; i++)
            assert_int_equal(ct_join(&pt[i]), 0);
        for (int i = 0; i < SC_CONSUMERS; i++)
            assert_int_equal(ct_join(&ctk[i]), 0);
        assert_int_equal(atomic_load(&c.bad), 0);
        int total_sent = 0;
        for (int i = 0; i < SC_PRODUCERS; i++)
            total_sent += atomic_load(&c.sent[i]);
        for (int v = 0; v < SC_PRODUCERS * 1024; v++)
            if (atomic_load(&c.received[v]) != atomic_load(&c.ok_sent[v]))
                fail_msg("round %d: value %d: sent %d, received %d", round, v, atomic_load(&c.ok_sent[v]),
                         atomic_load(&c.received[v]));
        assert_int_equal(atomic_load(&c.nreceived), total_sent);
        assert_true(total_sent >= SC_CLOSE_AFTER);
        /* each producer either finished its 1024 or was stopped by the close */
        for (int i = 0; i < SC_PRODUCERS; i++)
            if (atomic_load(&c.sent[i]) < 1024)
                assert_true(atomic_load(&c.closed_answers) > 0);
        chan_free(c.a);
        chan_free(c.b);
        chan_free(c.enough);
    }
}

/* ------------------------------------------------------------------------ */
/* select {} blocks forever (in a child: the blocked ones never end)        */

static atomic_int sel_woke;

static void sel_none_body(void *p)
{
    (void)p;
    go_select(NULL, 0);
    atomic_fetch_add(&sel_woke, 1);
}

static void sel_empty_array_body(void *p)
{
    (void)p;
    go_select_case_t c[1] = { default_case() };
    go_select_err(c, 0);
    atomic_fetch_add(&sel_woke, 1);
}

static void sel_nil_body(void *p)
{
    (void)p;
    int s = 1;
    go_select_case_t c[] = { recv_case(NULL, NULL), send_case(NULL, &s) };
    go_select(c, 2);
    atomic_fetch_add(&sel_woke, 1);
}

static void *sel_thread(void *p)
{
    ((go_fn_t)p)(NULL);
    return NULL;
}

static void child_select_blocks(void *arg)
{
    (void)arg;
    go_fn_t fns[] = { sel_none_body, sel_empty_array_body, sel_nil_body };
    for (size_t i = 0; i < TU_ARRAY_LEN(fns); i++) {
        TU_CHILD_CHECK(go_spawn(fns[i], NULL) > 0);
        pthread_t th;
        TU_CHILD_CHECK(pthread_create(&th, NULL, sel_thread, (void *)fns[i]) == 0);
    }
    go_sleep(150 * TU_MS);
    TU_CHILD_CHECK(atomic_load(&sel_woke) == 0);
    printf("still blocked\n");
    fflush(stdout);
    _exit(0);
}

static void test_select_no_cases_blocks_forever(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_select_blocks, NULL, 20000, &r);
    if (!r.exited || r.exit_status != 0 || strcmp(r.out, "still blocked\n") != 0)
        fail_msg("child: %s; stdout \"%s\"; stderr \"%s\"", tu_child_describe(&r), r.out, r.err);
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* unrecovered: a select's send case on a closed channel (in children)      */

static void main_select_send_closed(void *p)
{
    (void)p;
    go_chan_t *ch = chan_new(sizeof(int), 2);
    chan_close(ch);
    int v = 1;
    go_select_case_t cs[] = { send_case(ch, &v), default_case() };
    go_select(cs, 2);
}

static go_chan_t *blocked_select_ch;

static void blocked_select_sender(void *p)
{
    (void)p;
    int v = 1;
    go_select_case_t cs[] = { recv_case(NULL, NULL), send_case(blocked_select_ch, &v) };
    go_select(cs, 2);
}

static void main_close_under_select(void *p)
{
    (void)p;
    blocked_select_ch = chan_new(sizeof(int), 0);
    go_id_t id = go_spawn(blocked_select_sender, NULL);
    printf("%lld\n", (long long)id);
    fflush(stdout);
    go_sleep(30 * TU_MS); /* let it block (it panics either way) */
    chan_close(blocked_select_ch);
    ct_block_forever();
}

static void test_unrecovered_select_panics(void **state)
{
    (void)state;
    ct_expect_death(main_select_send_closed, "panic: send on closed channel\n\ngoroutine ", 1);
    ct_expect_death(main_close_under_select, "panic: send on closed channel\n\ngoroutine ", -1);
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
        TU_TEST(test_bad_input_einval),
        TU_TEST(test_default_when_nothing_ready),
        TU_TEST(test_nil_never_ready),
        TU_TEST(test_random_choice),
        TU_TEST(test_blocking_select_woken),
        TU_TEST(test_recv_into_null_and_ok),
        TU_TEST(test_send_case_on_closed),
        TU_TEST(test_same_channel_several_cases),
        TU_TEST(test_try_meets_blocked_select),
        TU_TEST(test_wakers_race_for_one_select),
        TU_TEST(test_large_values_through_select),
        TU_TEST(test_wide_select),
        TU_TEST(test_stress_shared_channels),
        TU_TEST(test_stress_select_senders_vs_close),
        TU_TEST(test_select_no_cases_blocks_forever),
        TU_TEST(test_unrecovered_select_panics),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
