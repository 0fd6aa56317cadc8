/* test_chan.c - channels (gort/chan.h): chan_new's argument checks, nil and
 * not-live handles, element size 0 and GO_CHAN_ELEM_MAX, the unbuffered
 * rendezvous, buffered FIFO order, len/cap, the try forms, close semantics
 * (drain then zero values, every blocked receiver woken, every blocked
 * sender panicking), Go's panics and their _err twins, and many producers
 * against many consumers. Every blocking case runs between goroutines and
 * foreign threads (pthreads that are not goroutines) in every combination.
 *
 * Select is in test_select.c, timers in test_timer.c.
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

/* ------------------------------------------------------------------------ */
/* chan_new, chan_free, handles                                             */

static void test_new_argument_checks(void **state)
{
    (void)state;
    errno = 0;
    assert_null(chan_new(GO_CHAN_ELEM_MAX + 1u, 0));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(chan_new(SIZE_MAX, 1));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(chan_new(8, (size_t)INT32_MAX + 1u));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(chan_new(0, SIZE_MAX));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(chan_new(1, SIZE_MAX / 2 + 1));
    assert_int_equal(errno, EINVAL);

    /* the limits themselves are fine */
    go_chan_t *ch = chan_new(GO_CHAN_ELEM_MAX, 0);
    assert_non_null(ch);
    assert_int_equal(chan_elem_size(ch), (int)GO_CHAN_ELEM_MAX);
    assert_int_equal(chan_cap(ch), 0);
    chan_free(ch);
    /* chan struct{} with the largest capacity costs no buffer */
    ch = chan_new(0, INT32_MAX);
    assert_non_null(ch);
    assert_int_equal(chan_cap(ch), INT32_MAX);
    assert_int_equal(chan_len(ch), 0);
    assert_int_equal(chan_elem_size(ch), 0);
    chan_free(ch);
}

/* elem_size * cap within the limits but not allocatable (140 TB): NULL, with
 * EINVAL or ENOMEM (gort may call it out of range or fail to allocate).
 * Left out under ASan, whose allocator aborts on such a request. */
static void test_new_unallocatable(void **state)
{
    (void)state;
    if (CT_ASAN) {
        skip();
        return;
    }
    errno = 0;
    go_chan_t *ch = chan_new(GO_CHAN_ELEM_MAX, INT32_MAX);
    int e = errno;
    if (ch != NULL) {
        chan_free(ch);
        fail_msg("chan_new(GO_CHAN_ELEM_MAX, INT32_MAX) succeeded");
    }
    if (e != EINVAL && e != ENOMEM)
        fail_msg("chan_new(GO_CHAN_ELEM_MAX, INT32_MAX): errno %d, want EINVAL or ENOMEM", e);
}

static void test_free_null(void **state)
{
    (void)state;
    chan_free(NULL);
    /* a channel with values still buffered: they are dropped */
    go_chan_t *ch = chan_new(sizeof(int), 4);
    assert_non_null(ch);
    int v = 7;
    TU_ASSERT_OK(chan_send(ch, &v));
    TU_ASSERT_OK(chan_send(ch, &v));
    chan_free(ch);
    /* a closed one */
    ch = chan_new(sizeof(int), 0);
    assert_non_null(ch);
    TU_ASSERT_OK(chan_close(ch));
    chan_free(ch);
}

static void test_not_live_handle_einval(void **state)
{
    (void)state;
    go_chan_t *g = ct_garbage();
    int v = 1, ok = -1;
    TU_ASSERT_ERR(chan_send(g, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_recv(g, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_send(g, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_recv(g, &v, &ok), GO_EINVAL);
    assert_int_equal(ok, -1);
    TU_ASSERT_ERR(chan_close(g), GO_EINVAL);
    TU_ASSERT_ERR(chan_len(g), GO_EINVAL);
    TU_ASSERT_ERR(chan_cap(g), GO_EINVAL);
    TU_ASSERT_ERR(chan_elem_size(g), GO_EINVAL);
    TU_ASSERT_ERR(chan_send_err(g, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_send_err(g, &v), GO_EINVAL);
    TU_ASSERT_ERR(chan_close_err(g), GO_EINVAL);
    /* gort wrote nothing into it */
    for (size_t i = 0; i < sizeof ct_garbage_mem; i++)
        if (ct_garbage_mem[i] != 0x5A)
            fail_msg("byte %zu of the fake handle changed", i);
    /* an all-zero block is not a channel either */
    memset(ct_garbage_mem, 0, sizeof ct_garbage_mem);
    TU_ASSERT_ERR(chan_len((go_chan_t *)ct_garbage_mem), GO_EINVAL);
    TU_ASSERT_ERR(chan_try_send((go_chan_t *)ct_garbage_mem, &v), GO_EINVAL);
}

/* The nil channel: never ready, len/cap 0 (its blocking is in a child, in
 * test_nil_channel_blocks_forever). */
static void test_nil_channel_nonblocking(void **state)
{
    (void)state;
    int v = 5, ok = -1;
    assert_int_equal(chan_len(NULL), 0);
    assert_int_equal(chan_cap(NULL), 0);
    assert_int_equal(chan_try_send(NULL, &v), 0);
    assert_int_equal(chan_try_send_err(NULL, &v), 0);
    assert_int_equal(chan_try_recv(NULL, &v, &ok), 0);
    assert_int_equal(chan_try_recv(NULL, NULL, NULL), 0);
    assert_int_equal(v, 5);
    /* nil has no element size (no chan_new gave it one) */
    TU_ASSERT_ERR(chan_elem_size(NULL), GO_EINVAL);
    assert_int_equal(ok, -1);
}

static void test_value_null_einval(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 1; cap++) {
        go_chan_t *ch = chan_new(sizeof(int), (size_t)cap);
        assert_non_null(ch);
        TU_ASSERT_ERR(chan_send(ch, NULL), GO_EINVAL);
        TU_ASSERT_ERR(chan_try_send(ch, NULL), GO_EINVAL);
        TU_ASSERT_ERR(chan_send_err(ch, NULL), GO_EINVAL);
        TU_ASSERT_ERR(chan_try_send_err(ch, NULL), GO_EINVAL);
        assert_int_equal(chan_len(ch), 0);
        chan_free(ch);
    }
}

/* ------------------------------------------------------------------------ */
/* element sizes                                                            */

typedef struct zero_ctx {
    go_chan_t *ch;
    int n;
    int rc_bad;
    int received;
} zero_ctx_t;

static void zero_receiver(void *p)
{
    zero_ctx_t *c = p;
    for (int i = 0; i < c->n; i++) {
        int rc = chan_recv(c->ch, NULL);
        if (rc != 1)
            c->rc_bad++;
        else
            c->received++;
    }
    /* after the close: the zero value, ok = 0 */
    if (chan_recv(c->ch, NULL) != 0)
        c->rc_bad++;
}

static void test_elem_size_zero(void **state)
{
    (void)state;
    /* buffered: a counter of tokens */
    go_chan_t *ch = chan_new(0, 3);
    assert_non_null(ch);
    assert_int_equal(chan_elem_size(ch), 0);
    TU_ASSERT_OK(chan_send(ch, NULL));
    int dummy = 0x11223344;
    TU_ASSERT_OK(chan_send(ch, &dummy)); /* a value pointer is allowed too */
    assert_int_equal(chan_try_send(ch, NULL), 1);
    assert_int_equal(chan_len(ch), 3);
    assert_int_equal(chan_try_send(ch, NULL), 0);
    int ok = -1;
    assert_int_equal(chan_try_recv(ch, NULL, &ok), 1);
    assert_int_equal(ok, 1);
    assert_int_equal(chan_recv(ch, &dummy), 1);
    assert_int_equal(dummy, 0x11223344); /* nothing copied */
    TU_ASSERT_OK(chan_close(ch));
    assert_int_equal(chan_recv(ch, NULL), 1);
    assert_int_equal(chan_recv(ch, NULL), 0);
    assert_int_equal(chan_try_recv(ch, NULL, &ok), 1);
    assert_int_equal(ok, 0);
    chan_free(ch);

    /* unbuffered, with a receiver in a goroutine and on a thread */
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        zero_ctx_t c = { chan_new(0, 0), 100, 0, 0 };
        assert_non_null(c.ch);
        ct_task_t t;
        assert_int_equal(ct_start(&t, (ct_where_t)w, zero_receiver, &c), 0);
        for (int i = 0; i < c.n; i++)
            TU_ASSERT_OK(chan_send(c.ch, NULL));
        TU_ASSERT_OK(chan_close(c.ch));
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(c.rc_bad, 0);
        assert_int_equal(c.received, c.n);
        chan_free(c.ch);
    }
}

/* Values of GO_CHAN_ELEM_MAX bytes are copied whole, buffered and
 * unbuffered (the buffers live on the heap: a goroutine's stack is small). */
typedef struct big_ctx {
    go_chan_t *ch;
    unsigned char *out[3];
    int rc[3];
} big_ctx_t;

static void big_receiver(void *p)
{
    big_ctx_t *c = p;
    for (int i = 0; i < 3; i++)
        c->rc[i] = chan_recv(c->ch, c->out[i]);
}

static void big_fill(unsigned char *b, int seed)
{
    for (size_t i = 0; i < GO_CHAN_ELEM_MAX; i++)
        b[i] = (unsigned char)(i * 31u + (unsigned)seed * 7u + (i >> 8));
}

static void test_elem_size_max(void **state)
{
    (void)state;
    unsigned char *in = malloc(GO_CHAN_ELEM_MAX), *want = malloc(GO_CHAN_ELEM_MAX);
    assert_non_null(in);
    assert_non_null(want);
    for (int cap = 0; cap <= 2; cap += 2) {
        for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
            big_ctx_t c;
            memset(&c, 0, sizeof c);
            c.ch = chan_new(GO_CHAN_ELEM_MAX, (size_t)cap);
            assert_non_null(c.ch);
            for (int i = 0; i < 3; i++) {
                c.out[i] = malloc(GO_CHAN_ELEM_MAX);
                assert_non_null(c.out[i]);
                memset(c.out[i], 0xEE, GO_CHAN_ELEM_MAX);
            }
            ct_task_t t;
            assert_int_equal(ct_start(&t, (ct_where_t)w, big_receiver, &c), 0);
            for (int i = 0; i < 3; i++) {
                big_fill(in, i + cap);
                TU_ASSERT_OK(chan_send(c.ch, in));
                memset(in, 0, GO_CHAN_ELEM_MAX); /* the channel holds its own copy */
            }
            assert_int_equal(ct_join(&t), 0);
            for (int i = 0; i < 3; i++) {
                assert_int_equal(c.rc[i], 1);
                big_fill(want, i + cap);
                if (memcmp(c.out[i], want, GO_CHAN_ELEM_MAX) != 0)
                    fail_msg("cap %d, %s receiver: value %d differs", cap, ct_where_name[w], i);
                free(c.out[i]);
            }
            chan_free(c.ch);
        }
    }
    free(in);
    free(want);
}

/* Odd element sizes: exactly elem_size bytes move, nothing around them. */
static void test_elem_size_odd(void **state)
{
    (void)state;
    static const size_t sizes[] = { 1, 3, 5, 7, 13, 100, 4097 };
    for (size_t k = 0; k < TU_ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k];
        go_chan_t *ch = chan_new(n, 2);
        assert_non_null(ch);
        assert_int_equal(chan_elem_size(ch), (int)n);
        unsigned char *in = malloc(n + 16), *out = malloc(n + 16);
        assert_non_null(in);
        assert_non_null(out);
        for (size_t i = 0; i < n + 16; i++)
            in[i] = (unsigned char)(i + 1);
        TU_ASSERT_OK(chan_send(ch, in));
        memset(out, 0xCC, n + 16);
        assert_int_equal(chan_recv(ch, out), 1);
        assert_memory_equal(out, in, n);
        for (size_t i = n; i < n + 16; i++)
            if (out[i] != 0xCC)
                fail_msg("elem size %zu: byte %zu after the value was written", n, i);
        /* closed and drained: exactly n zero bytes */
        TU_ASSERT_OK(chan_close(ch));
        memset(out, 0xCC, n + 16);
        assert_int_equal(chan_recv(ch, out), 0);
        assert_true(ct_all_zero(out, n));
        for (size_t i = n; i < n + 16; i++)
            if (out[i] != 0xCC)
                fail_msg("elem size %zu: byte %zu after the zero value was written", n, i);
        free(in);
        free(out);
        chan_free(ch);
    }
}

/* ------------------------------------------------------------------------ */
/* the unbuffered rendezvous                                                */

enum { RV_N = 200 };

typedef struct rv_ctx {
    go_chan_t *ch;
    /* the receiver announces each receive before it starts it: a send that
     * returned must have met that receive (chan.h: a send blocks until a
     * receiver takes the value), so it sees started >= i + 1 */
    atomic_int recv_started;
    atomic_int sends_done;
    int ahead;            /* sends that returned before their receive began */
    int send_rc_bad;
    int recv_rc_bad;
    int out_of_order;
    long long sum;
} rv_ctx_t;

static void rv_sender(void *p)
{
    rv_ctx_t *c = p;
    for (int i = 0; i < RV_N; i++) {
        int v = i;
        if (chan_send(c->ch, &v) != 0)
            c->send_rc_bad++;
        if (atomic_load(&c->recv_started) < i + 1)
            c->ahead++;
        atomic_store(&c->sends_done, i + 1);
    }
}

static void rv_receiver(void *p)
{
    rv_ctx_t *c = p;
    for (int i = 0; i < RV_N; i++) {
        /* a slow receiver: a sender that did not wait would run ahead */
        for (int k = 0; k < 3; k++)
            go_yield();
        /* the send of value i-1 may not have returned yet, but the one of
         * value i + 1 cannot have started returning before this receive */
        if (atomic_load(&c->sends_done) > i)
            c->ahead++;
        atomic_store(&c->recv_started, i + 1);
        int v = -1;
        if (chan_recv(c->ch, &v) != 1)
            c->recv_rc_bad++;
        if (v != i)
            c->out_of_order++;
        c->sum += v;
    }
}

static void test_unbuffered_rendezvous(void **state)
{
    (void)state;
    for (int ws = 0; ws < CT_WHERE_N; ws++) {
        for (int wr = CT_THREAD; wr < CT_WHERE_N; wr++) {
            rv_ctx_t c;
            memset(&c, 0, sizeof c);
            c.ch = chan_new(sizeof(int), 0);
            assert_non_null(c.ch);
            ct_task_t tr, ts;
            assert_int_equal(ct_start(&tr, (ct_where_t)wr, rv_receiver, &c), 0);
            assert_int_equal(ct_start(&ts, (ct_where_t)ws, rv_sender, &c), 0);
            assert_int_equal(ct_join(&ts), 0);
            assert_int_equal(ct_join(&tr), 0);
            if (c.ahead != 0)
                fail_msg("sender on %s, receiver on %s: %d sends returned before the "
                         "receive that took their value started",
                         ct_where_name[ws], ct_where_name[wr], c.ahead);
            assert_int_equal(c.send_rc_bad, 0);
            assert_int_equal(c.recv_rc_bad, 0);
            assert_int_equal(c.out_of_order, 0);
            assert_int_equal(c.sum, (long long)RV_N * (RV_N - 1) / 2);
            assert_int_equal(chan_len(c.ch), 0);
            chan_free(c.ch);
        }
    }
}

/* An unbuffered channel never holds a value: try_send succeeds only when a
 * receiver waits, try_recv only when a sender waits. */
typedef struct peer_ctx {
    go_chan_t *ch;
    int value;
    int rc;
} peer_ctx_t;

static void peer_recv(void *p)
{
    peer_ctx_t *c = p;
    c->rc = chan_recv(c->ch, &c->value);
}

static void peer_send(void *p)
{
    peer_ctx_t *c = p;
    c->rc = chan_send(c->ch, &c->value);
}

/* Poll fn until it returns 1 (bounded by 10 s): the peer may take a while
 * to reach its blocking call. */
static int poll_try(int (*fn)(go_chan_t *, int *), go_chan_t *ch, int *v)
{
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    int rc;
    while ((rc = fn(ch, v)) == 0 && tu_now_ns() < deadline)
        go_yield();
    return rc;
}

static int try_send_int(go_chan_t *ch, int *v)
{
    return chan_try_send(ch, v);
}

/* chan_try_recv, with a received zero value (ok = 0) reported as an error:
 * the channel is open, so ok must be 1. */
static int try_recv_int(go_chan_t *ch, int *v)
{
    int ok = -1;
    int rc = chan_try_recv(ch, v, &ok);
    return rc == 1 && ok != 1 ? -100 : rc;
}

static void test_unbuffered_try_needs_peer(void **state)
{
    (void)state;
    int v = 3, ok = -1;
    go_chan_t *ch = chan_new(sizeof(int), 0);
    assert_non_null(ch);
    assert_int_equal(chan_try_send(ch, &v), 0);
    assert_int_equal(chan_try_recv(ch, &v, &ok), 0);
    assert_int_equal(chan_len(ch), 0);
    assert_int_equal(ok, -1);
    for (int w = CT_THREAD; w < CT_WHERE_N; w++) {
        /* a receiver waits: try_send hands it the value */
        peer_ctx_t c = { ch, -1, -99 };
        ct_task_t t;
        assert_int_equal(ct_start(&t, (ct_where_t)w, peer_recv, &c), 0);
        v = 1234 + w;
        assert_int_equal(poll_try(try_send_int, ch, &v), 1);
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(c.rc, 1);
        assert_int_equal(c.value, 1234 + w);
        /* a sender waits: try_recv takes its value */
        peer_ctx_t s = { ch, 4321 + w, -99 };
        assert_int_equal(ct_start(&t, (ct_where_t)w, peer_send, &s), 0);
        v = 0;
        assert_int_equal(poll_try(try_recv_int, ch, &v), 1);
        assert_int_equal(v, 4321 + w);
        assert_int_equal(ct_join(&t), 0);
        assert_int_equal(s.rc, 0);
    }
    chan_free(ch);
}

/* A token passed down a chain of goroutines, each adding one (Go's classic
 * daisy chain). */
enum { CHAIN_N = 300 };

typedef struct link_arg {
    go_chan_t *in, *out;
    int bad;
} link_arg_t;

static void chain_link(void *p)
{
    link_arg_t *l = p;
    int v;
    if (chan_recv(l->in, &v) != 1) {
        l->bad = 1;
        v = -1000000;
    }
    v++;
    if (chan_send(l->out, &v) != 0)
        l->bad = 1;
}

static void test_daisy_chain(void **state)
{
    (void)state;
    go_chan_t *chans[CHAIN_N + 1];
    link_arg_t *links = calloc(CHAIN_N, sizeof *links);
    assert_non_null(links);
    for (int i = 0; i <= CHAIN_N; i++) {
        chans[i] = chan_new(sizeof(int), 0);
        assert_non_null(chans[i]);
    }
    ct_group_t g;
    ct_group_init(&g, CHAIN_N);
    for (int i = 0; i < CHAIN_N; i++) {
        links[i].in = chans[i + 1];
        links[i].out = chans[i];
        ct_group_go(&g, chain_link, &links[i]);
    }
    int v = 1;
    TU_ASSERT_OK(chan_send(chans[CHAIN_N], &v));
    assert_int_equal(chan_recv(chans[0], &v), 1);
    assert_int_equal(v, CHAIN_N + 1);
    ct_group_wait(&g);
    for (int i = 0; i < CHAIN_N; i++)
        assert_int_equal(links[i].bad, 0);
    for (int i = 0; i <= CHAIN_N; i++)
        chan_free(chans[i]);
    free(links);
}

/* ------------------------------------------------------------------------ */
/* buffered channels                                                        */

enum { FIFO_N = 2000 };

typedef struct fifo_ctx {
    go_chan_t *ch;
    int n;
    int rc_bad;
    int out_of_order;
    int last;
} fifo_ctx_t;

static void fifo_producer(void *p)
{
    fifo_ctx_t *c = p;
    for (int i = 0; i < c->n; i++) {
        uint64_t v = (uint64_t)i * 0x9E3779B97F4A7C15ull;
        if (chan_send(c->ch, &v) != 0)
            c->rc_bad++;
    }
    if (chan_close(c->ch) != 0)
        c->rc_bad++;
}

static void fifo_consumer(void *p)
{
    fifo_ctx_t *c = p;
    uint64_t v = 1;
    int i = 0;
    int rc;
    while ((rc = chan_recv(c->ch, &v)) == 1) {
        if (v != (uint64_t)i * 0x9E3779B97F4A7C15ull)
            c->out_of_order++;
        i++;
    }
    if (rc != 0 || v != 0)
        c->rc_bad++;
    c->last = i;
}

static void test_buffered_fifo(void **state)
{
    (void)state;
    static const size_t caps[] = { 1, 2, 3, 7, 64, 1000, 5000 };
    for (size_t k = 0; k < TU_ARRAY_LEN(caps); k++) {
        for (int wp = 0; wp < CT_WHERE_N; wp++) {
            for (int wc = CT_THREAD; wc < CT_WHERE_N; wc++) {
                fifo_ctx_t c;
                memset(&c, 0, sizeof c);
                c.ch = chan_new(sizeof(uint64_t), caps[k]);
                c.n = FIFO_N;
                assert_non_null(c.ch);
                ct_task_t tc, tp;
                assert_int_equal(ct_start(&tc, (ct_where_t)wc, fifo_consumer, &c), 0);
                assert_int_equal(ct_start(&tp, (ct_where_t)wp, fifo_producer, &c), 0);
                assert_int_equal(ct_join(&tp), 0);
                assert_int_equal(ct_join(&tc), 0);
                if (c.rc_bad || c.out_of_order || c.last != FIFO_N)
                    fail_msg("cap %zu, producer on %s, consumer on %s: %d bad results, %d "
                             "out of order, %d received of %d",
                             caps[k], ct_where_name[wp], ct_where_name[wc], c.rc_bad,
                             c.out_of_order, c.last, FIFO_N);
                chan_free(c.ch);
            }
        }
    }
}

static void test_len_cap_try(void **state)
{
    (void)state;
    static const int caps[] = { 1, 2, 5, 16 };
    for (size_t k = 0; k < TU_ARRAY_LEN(caps); k++) {
        int cap = caps[k];
        go_chan_t *ch = chan_new(sizeof(int), (size_t)cap);
        assert_non_null(ch);
        assert_int_equal(chan_cap(ch), cap);
        assert_int_equal(chan_len(ch), 0);
        assert_int_equal(chan_elem_size(ch), (int)sizeof(int));
        int v = -1, ok = -1;
        /* empty: try_recv would block */
        assert_int_equal(chan_try_recv(ch, &v, &ok), 0);
        assert_int_equal(v, -1);
        assert_int_equal(ok, -1);
        /* fill, half with try_send; wrap the ring a few times */
        int next_in = 0, next_out = 0;
        for (int round = 0; round < 3; round++) {
            while (chan_len(ch) < cap) {
                int x = next_in++;
                if (x % 2)
                    assert_int_equal(chan_try_send(ch, &x), 1);
                else
                    TU_ASSERT_OK(chan_send(ch, &x));
                assert_int_equal(chan_len(ch), next_in - next_out);
            }
            /* full: try_send would block, and changes nothing */
            int x = 999;
            assert_int_equal(chan_try_send(ch, &x), 0);
            assert_int_equal(chan_try_send_err(ch, &x), 0);
            assert_int_equal(chan_len(ch), cap);
            assert_int_equal(chan_cap(ch), cap);
            /* drain part of it */
            int take = round == 2 ? cap : (cap + 1) / 2;
            for (int i = 0; i < take; i++) {
                ok = -1;
                if (i % 2)
                    assert_int_equal(chan_try_recv(ch, &v, &ok), 1);
                else {
                    assert_int_equal(chan_recv(ch, &v), 1);
                    ok = 1;
                }
                assert_int_equal(ok, 1);
                assert_int_equal(v, next_out);
                next_out++;
                assert_int_equal(chan_len(ch), next_in - next_out);
            }
        }
        assert_int_equal(chan_len(ch), 0);
        /* try_recv with out and ok NULL discards the value */
        v = 77;
        assert_int_equal(chan_try_send(ch, &v), 1);
        assert_int_equal(chan_try_recv(ch, NULL, NULL), 1);
        assert_int_equal(chan_len(ch), 0);
        /* the _err twins behave like their namesakes on an open channel */
        v = 78;
        TU_ASSERT_OK(chan_send_err(ch, &v));
        assert_int_equal(chan_len(ch), 1);
        assert_int_equal(chan_recv(ch, &v), 1);
        assert_int_equal(v, 78);
        v = 79;
        assert_int_equal(chan_try_send_err(ch, &v), 1);
        assert_int_equal(chan_recv(ch, &v), 1);
        assert_int_equal(v, 79);
        chan_free(ch);
    }
}

/* ------------------------------------------------------------------------ */
/* close                                                                    */

static void test_close_drains_then_zero(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 5; cap += 5) {
        go_chan_t *ch = chan_new(sizeof(long), (size_t)cap);
        assert_non_null(ch);
        for (long i = 0; i < cap; i++)
            TU_ASSERT_OK(chan_send(ch, &(long){ 100 + i }));
        TU_ASSERT_OK(chan_close(ch));
        assert_int_equal(chan_len(ch), cap);
        assert_int_equal(chan_cap(ch), cap);
        for (long i = 0; i < cap; i++) {
            long v = -1;
            int ok = -1;
            if (i % 2) {
                assert_int_equal(chan_try_recv(ch, &v, &ok), 1);
                assert_int_equal(ok, 1);
            } else {
                assert_int_equal(chan_recv(ch, &v), 1);
            }
            assert_int_equal(v, 100 + i);
            assert_int_equal(chan_len(ch), cap - i - 1);
        }
        /* drained: the zero value and ok = 0, as often as asked */
        for (int k = 0; k < 3; k++) {
            long v = -1;
            int ok = -1;
            assert_int_equal(chan_recv(ch, &v), 0);
            assert_int_equal(v, 0);
            v = -1;
            assert_int_equal(chan_try_recv(ch, &v, &ok), 1);
            assert_int_equal(ok, 0);
            assert_int_equal(v, 0);
            assert_int_equal(chan_recv(ch, NULL), 0);
            assert_int_equal(chan_try_recv(ch, NULL, NULL), 1);
        }
        assert_int_equal(chan_len(ch), 0);
        chan_free(ch);
    }
}

/* Many receivers blocked on one channel; one close wakes every one. */
enum { CW_GOROUTINES = 60, CW_THREADS = 3 };

typedef struct cw_ctx {
    go_chan_t *ch;
    go_wg_t *ready;
    int rc[CW_GOROUTINES + CW_THREADS];
    int64_t value[CW_GOROUTINES + CW_THREADS];
} cw_ctx_t;

typedef struct cw_arg {
    cw_ctx_t *c;
    int i;
} cw_arg_t;

static void cw_receiver(void *p)
{
    cw_arg_t *a = p;
    wg_done(a->c->ready);
    int64_t v = -1;
    a->c->rc[a->i] = chan_recv(a->c->ch, &v);
    a->c->value[a->i] = v;
}

static void test_close_wakes_every_receiver(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 4; cap += 4) {
        static cw_ctx_t c;
        memset(&c, 0, sizeof c);
        cw_arg_t args[CW_GOROUTINES + CW_THREADS];
        c.ch = chan_new(sizeof(int64_t), (size_t)cap);
        c.ready = wg_new();
        assert_non_null(c.ch);
        assert_non_null(c.ready);
        TU_ASSERT_OK(wg_add(c.ready, CW_GOROUTINES + CW_THREADS));
        ct_group_t g;
        ct_group_init(&g, CW_GOROUTINES);
        ct_task_t threads[CW_THREADS];
        for (int i = 0; i < CW_GOROUTINES + CW_THREADS; i++) {
            args[i].c = &c;
            args[i].i = i;
            c.rc[i] = -99;
            if (i < CW_GOROUTINES)
                ct_group_go(&g, cw_receiver, &args[i]);
            else
                assert_int_equal(ct_start(&threads[i - CW_GOROUTINES], CT_THREAD, cw_receiver, &args[i]), 0);
        }
        TU_ASSERT_OK(wg_wait(c.ready));
        ct_let_them_block();
        TU_ASSERT_OK(chan_close(c.ch));
        ct_group_wait(&g);
        for (int i = 0; i < CW_THREADS; i++)
            assert_int_equal(ct_join(&threads[i]), 0);
        for (int i = 0; i < CW_GOROUTINES + CW_THREADS; i++) {
            if (c.rc[i] != 0 || c.value[i] != 0)
                fail_msg("cap %d, receiver %d (%s): chan_recv returned %d, value %lld; want 0, 0",
                         cap, i, i < CW_GOROUTINES ? "goroutine" : "thread", c.rc[i],
                         (long long)c.value[i]);
        }
        wg_free(c.ready);
        chan_free(c.ch);
    }
}

/* Senders blocked on a full (or unbuffered) channel; the close makes each
 * one panic with "send on closed channel" (recovered in its own frame), or
 * return GO_ECLOSED from chan_send_err. The value buffered before the close
 * is still received. */
enum { CS_GOROUTINES = 12, CS_THREADS = 2 };

typedef struct cs_ctx {
    go_chan_t *ch;
    go_wg_t *ready;
    int go_call_rc[CS_GOROUTINES + CS_THREADS];
    int send_rc[CS_GOROUTINES + CS_THREADS];
    int reached[CS_GOROUTINES + CS_THREADS];
    ct_rec_t rec[CS_GOROUTINES + CS_THREADS];
} cs_ctx_t;

typedef struct cs_arg {
    cs_ctx_t *c;
    int i;
} cs_arg_t;

static void cs_send_body(void *p)
{
    cs_arg_t *a = p;
    int v = 1000 + a->i;
    wg_done(a->c->ready);
    a->c->send_rc[a->i] = chan_send(a->c->ch, &v);
    a->c->reached[a->i] = 1; /* not reached: the send panics */
}

static void cs_sender(void *p)
{
    cs_arg_t *a = p;
    if (a->i % 2) {
        int v = 1000 + a->i;
        wg_done(a->c->ready);
        a->c->send_rc[a->i] = chan_send_err(a->c->ch, &v);
        a->c->reached[a->i] = 1;
    } else {
        a->c->go_call_rc[a->i] = ct_catch(cs_send_body, a, &a->c->rec[a->i]);
    }
}

static void test_close_panics_blocked_senders(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 1; cap++) {
        static cs_ctx_t c;
        memset(&c, 0, sizeof c);
        cs_arg_t args[CS_GOROUTINES + CS_THREADS];
        c.ch = chan_new(sizeof(int), (size_t)cap);
        c.ready = wg_new();
        assert_non_null(c.ch);
        assert_non_null(c.ready);
        int v = 42;
        if (cap == 1)
            TU_ASSERT_OK(chan_send(c.ch, &v));
        TU_ASSERT_OK(wg_add(c.ready, CS_GOROUTINES + CS_THREADS));
        ct_group_t g;
        ct_group_init(&g, CS_GOROUTINES);
        ct_task_t threads[CS_THREADS];
        for (int i = 0; i < CS_GOROUTINES + CS_THREADS; i++) {
            args[i].c = &c;
            args[i].i = i;
            c.send_rc[i] = -99;
            if (i < CS_GOROUTINES)
                ct_group_go(&g, cs_sender, &args[i]);
            else
                assert_int_equal(ct_start(&threads[i - CS_GOROUTINES], CT_THREAD, cs_sender, &args[i]), 0);
        }
        TU_ASSERT_OK(wg_wait(c.ready));
        ct_let_them_block();
        TU_ASSERT_OK(chan_close(c.ch));
        ct_group_wait(&g);
        for (int i = 0; i < CS_THREADS; i++)
            assert_int_equal(ct_join(&threads[i]), 0);
        for (int i = 0; i < CS_GOROUTINES + CS_THREADS; i++) {
            const char *where = i < CS_GOROUTINES ? "goroutine" : "thread";
            if (i % 2) {
                if (c.send_rc[i] != GO_ECLOSED || !c.reached[i])
                    fail_msg("cap %d, sender %d (%s): chan_send_err returned %d, want GO_ECLOSED",
                             cap, i, where, c.send_rc[i]);
            } else {
                if (c.reached[i] || c.send_rc[i] != -99)
                    fail_msg("cap %d, sender %d (%s): chan_send returned %d after the close",
                             cap, i, where, c.send_rc[i]);
                CT_ASSERT_PANICKED(c.go_call_rc[i], c.rec[i], "send on closed channel");
            }
        }
        /* the value buffered before the close, then the zero value */
        v = -1;
        if (cap == 1) {
            assert_int_equal(chan_recv(c.ch, &v), 1);
            assert_int_equal(v, 42);
        }
        assert_int_equal(chan_recv(c.ch, &v), 0);
        assert_int_equal(v, 0);
        wg_free(c.ready);
        chan_free(c.ch);
    }
}

/* ------------------------------------------------------------------------ */
/* Go's panics and the _err twins                                           */

typedef struct misuse_ctx {
    go_chan_t *ch;
    int reached;
    int rc;
    ct_rec_t rec;
    int go_call_rc;
} misuse_ctx_t;

static void send_on_it(void *p)
{
    misuse_ctx_t *m = p;
    int v = 5;
    m->rc = chan_send(m->ch, &v);
    m->reached = 1;
}

static void try_send_on_it(void *p)
{
    misuse_ctx_t *m = p;
    int v = 5;
    m->rc = chan_try_send(m->ch, &v);
    m->reached = 1;
}

static void close_it(void *p)
{
    misuse_ctx_t *m = p;
    m->rc = chan_close(m->ch);
    m->reached = 1;
}

typedef struct misuse_case {
    go_fn_t fn;
    misuse_ctx_t *m;
} misuse_case_t;

static void misuse_in_frame(void *p)
{
    misuse_case_t *k = p;
    k->m->go_call_rc = ct_catch(k->fn, k->m, &k->m->rec);
}

/* Run fn on ch in a recovering frame there; assert it panicked with msg. */
static void expect_panic(ct_where_t where, go_fn_t fn, go_chan_t *ch, const char *msg)
{
    misuse_ctx_t m;
    memset(&m, 0, sizeof m);
    m.ch = ch;
    m.rc = -99;
    misuse_case_t k = { fn, &m };
    ct_run(where, misuse_in_frame, &k);
    if (m.reached)
        fail_msg("%s: the call returned %d instead of panicking \"%s\"", ct_where_name[where], m.rc, msg);
    CT_ASSERT_PANICKED(m.go_call_rc, m.rec, msg);
    /* Go's channel panics are runtime.Error values (runtime.plainError). */
    if (m.rec.is_runtime_error != 1)
        fail_msg("%s: \"%s\" recovered with is_runtime_error %d, expected 1",
                 ct_where_name[where], msg, m.rec.is_runtime_error);
}

static void test_send_on_closed_panics(void **state)
{
    (void)state;
    for (int cap = 0; cap <= 3; cap += 3) {
        go_chan_t *ch = chan_new(sizeof(int), (size_t)cap);
        assert_non_null(ch);
        int v = 9;
        if (cap)
            TU_ASSERT_OK(chan_send(ch, &v));
        TU_ASSERT_OK(chan_close(ch));
        for (int w = 0; w < CT_WHERE_N; w++) {
            expect_panic((ct_where_t)w, send_on_it, ch, "send on closed channel");
            expect_panic((ct_where_t)w, try_send_on_it, ch, "send on closed channel");
            /* the twins: GO_ECLOSED, and nothing changed */
            TU_ASSERT_ERR(chan_send_err(ch, &v), GO_ECLOSED);
            TU_ASSERT_ERR(chan_try_send_err(ch, &v), GO_ECLOSED);
            assert_int_equal(chan_len(ch), cap ? 1 : 0);
        }
        if (cap) {
            v = -1;
            assert_int_equal(chan_recv(ch, &v), 1);
            assert_int_equal(v, 9);
        }
        assert_int_equal(chan_recv(ch, &v), 0);
        /* still panics once drained */
        expect_panic(CT_GOROUTINE, send_on_it, ch, "send on closed channel");
        TU_ASSERT_ERR(chan_send_err(ch, &v), GO_ECLOSED);
        chan_free(ch);
    }
}

static void test_close_misuse_panics(void **state)
{
    (void)state;
    go_chan_t *ch = chan_new(sizeof(int), 2);
    assert_non_null(ch);
    int v = 31;
    TU_ASSERT_OK(chan_send(ch, &v));
    TU_ASSERT_OK(chan_close(ch));
    for (int w = 0; w < CT_WHERE_N; w++) {
        expect_panic((ct_where_t)w, close_it, ch, "close of closed channel");
        expect_panic((ct_where_t)w, close_it, NULL, "close of nil channel");
    }
    TU_ASSERT_ERR(chan_close_err(ch), GO_ECLOSED);
    TU_ASSERT_ERR(chan_close_err(NULL), GO_EINVAL);
    /* nothing changed: the buffered value is still there, then the zero */
    assert_int_equal(chan_len(ch), 1);
    v = -1;
    assert_int_equal(chan_recv(ch, &v), 1);
    assert_int_equal(v, 31);
    assert_int_equal(chan_recv(ch, &v), 0);
    chan_free(ch);

    /* chan_close_err on an open channel closes it */
    ch = chan_new(sizeof(int), 0);
    assert_non_null(ch);
    TU_ASSERT_OK(chan_close_err(ch));
    assert_int_equal(chan_recv(ch, &v), 0);
    TU_ASSERT_ERR(chan_close_err(ch), GO_ECLOSED);
    chan_free(ch);
}

/* ------------------------------------------------------------------------ */
/* many producers, many consumers                                           */

enum {
    MP_PRODUCERS = 6,   /* the last MP_THREADS of them are threads */
    MP_CONSUMERS = 5,
    MP_THREADS = 2,
    MP_PER = 700,
    MP_TOTAL = MP_PRODUCERS * MP_PER
};

typedef struct mp_ctx {
    go_chan_t *ch;
    go_wg_t *producers_done;
    atomic_int seen[MP_TOTAL];
    atomic_llong sum;
    atomic_int count;
    atomic_int bad;
} mp_ctx_t;

typedef struct mp_arg {
    mp_ctx_t *c;
    int id;
} mp_arg_t;

static void mp_producer(void *p)
{
    mp_arg_t *a = p;
    for (int i = 0; i < MP_PER; i++) {
        int v = a->id * MP_PER + i;
        int rc = (i % 3 == 0) ? chan_send_err(a->c->ch, &v) : chan_send(a->c->ch, &v);
        if (rc != 0)
            atomic_fetch_add(&a->c->bad, 1);
    }
    wg_done(a->c->producers_done);
}

static void mp_consumer(void *p)
{
    mp_arg_t *a = p;
    int v, rc;
    for (;;) {
        if (a->id % 2) {
            int ok = -1;
            rc = chan_try_recv(a->c->ch, &v, &ok);
            if (rc == 0) {
                go_yield();
                continue;
            }
            if (rc == 1)
                rc = ok;
        } else {
            rc = chan_recv(a->c->ch, &v);
        }
        if (rc != 1)
            break;
        if (v < 0 || v >= MP_TOTAL || atomic_fetch_add(&a->c->seen[v], 1) != 0)
            atomic_fetch_add(&a->c->bad, 1);
        atomic_fetch_add(&a->c->sum, v);
        atomic_fetch_add(&a->c->count, 1);
    }
    if (rc != 0)
        atomic_fetch_add(&a->c->bad, 1);
}

static void test_many_producers_many_consumers(void **state)
{
    (void)state;
    static const size_t caps[] = { 0, 1, 16 };
    static mp_ctx_t c;
    for (size_t k = 0; k < TU_ARRAY_LEN(caps); k++) {
        memset(&c, 0, sizeof c);
        c.ch = chan_new(sizeof(int), caps[k]);
        c.producers_done = wg_new();
        assert_non_null(c.ch);
        assert_non_null(c.producers_done);
        TU_ASSERT_OK(wg_add(c.producers_done, MP_PRODUCERS));
        mp_arg_t pargs[MP_PRODUCERS], cargs[MP_CONSUMERS];
        ct_task_t pt[MP_PRODUCERS], ctk[MP_CONSUMERS];
        for (int i = 0; i < MP_CONSUMERS; i++) {
            cargs[i].c = &c;
            cargs[i].id = i;
            assert_int_equal(ct_start(&ctk[i], i < MP_CONSUMERS - MP_THREADS ? CT_GOROUTINE : CT_THREAD,
                                      mp_consumer, &cargs[i]), 0);
        }
        for (int i = 0; i < MP_PRODUCERS; i++) {
            pargs[i].c = &c;
            pargs[i].id = i;
            assert_int_equal(ct_start(&pt[i], i < MP_PRODUCERS - MP_THREADS ? CT_GOROUTINE : CT_THREAD,
                                      mp_producer, &pargs[i]), 0);
        }
        /* close once every value is in: the consumers drain and stop */
        TU_ASSERT_OK(wg_wait(c.producers_done));
        TU_ASSERT_OK(chan_close(c.ch));
        for (int i = 0; i < MP_PRODUCERS; i++)
            assert_int_equal(ct_join(&pt[i]), 0);
        for (int i = 0; i < MP_CONSUMERS; i++)
            assert_int_equal(ct_join(&ctk[i]), 0);
        if (atomic_load(&c.bad) != 0 || atomic_load(&c.count) != MP_TOTAL)
            fail_msg("cap %zu: %d bad results, %d values received of %d", caps[k],
                     atomic_load(&c.bad), atomic_load(&c.count), MP_TOTAL);
        assert_int_equal(atomic_load(&c.sum), (long long)MP_TOTAL * (MP_TOTAL - 1) / 2);
        for (int i = 0; i < MP_TOTAL; i++)
            if (atomic_load(&c.seen[i]) != 1)
                fail_msg("cap %zu: value %d received %d times", caps[k], i, atomic_load(&c.seen[i]));
        wg_free(c.producers_done);
        chan_free(c.ch);
    }
}

/* ------------------------------------------------------------------------ */
/* the nil channel blocks forever (in a child: the blocked ones never end)  */

static atomic_int nil_woke;

static void nil_send_body(void *p)
{
    (void)p;
    int v = 1;
    chan_send(NULL, &v);
    atomic_fetch_add(&nil_woke, 1);
}

static void nil_recv_body(void *p)
{
    (void)p;
    int v;
    chan_recv(NULL, &v);
    atomic_fetch_add(&nil_woke, 1);
}

static void nil_send_err_body(void *p)
{
    (void)p;
    int v = 1;
    chan_send_err(NULL, &v);
    atomic_fetch_add(&nil_woke, 1);
}

static void *nil_thread(void *p)
{
    ((go_fn_t)p)(NULL);
    return NULL;
}

static void child_nil_blocks(void *arg)
{
    (void)arg;
    go_fn_t fns[] = { nil_send_body, nil_recv_body, nil_send_err_body };
    for (size_t i = 0; i < TU_ARRAY_LEN(fns); i++) {
        TU_CHILD_CHECK(go_spawn(fns[i], NULL) > 0);
        pthread_t th;
        TU_CHILD_CHECK(pthread_create(&th, NULL, nil_thread, (void *)fns[i]) == 0);
    }
    /* a close elsewhere must not wake them either */
    go_chan_t *other = chan_new(sizeof(int), 0);
    TU_CHILD_CHECK(other != NULL);
    TU_CHILD_CHECK(chan_close(other) == 0);
    go_sleep(150 * TU_MS);
    TU_CHILD_CHECK(atomic_load(&nil_woke) == 0);
    TU_CHILD_CHECK(go_num_goroutine() >= 3);
    printf("still blocked\n");
    fflush(stdout);
    _exit(0);
}

static void test_nil_channel_blocks_forever(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_nil_blocks, NULL, 20000, &r);
    if (!r.exited || r.exit_status != 0 || strcmp(r.out, "still blocked\n") != 0)
        fail_msg("child: %s; stdout \"%s\"; stderr \"%s\"", tu_child_describe(&r), r.out, r.err);
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* errno (runtime.h: every gort function leaves it as it found it)         */

typedef struct errno_ctx {
    int changed; /* a bit per call that changed errno */
} errno_ctx_t;

static void *peer_recv_n(void *p)
{
    go_chan_t *ch = p;
    for (int i = 0; i < 50; i++)
        chan_recv(ch, NULL);
    return NULL;
}

/* errno is read right after each call, on a thread that is not a
 * goroutine: runtime.h's caveat about a goroutine moving between threads
 * does not apply. */
static void errno_body(void *p)
{
    errno_ctx_t *c = p;
    int bit = 0;
#define CHECK_ERRNO(call)                                                        \
    do {                                                                         \
        errno = EDOM;                                                            \
        call;                                                                    \
        if (errno != EDOM)                                                       \
            c->changed |= 1 << bit;                                              \
        bit++;                                                                   \
    } while (0)
    go_chan_t *ch = NULL, *un = NULL;
    int v = 1, ok;
    CHECK_ERRNO(ch = chan_new(sizeof(int), 2));
    CHECK_ERRNO(un = chan_new(0, 0));
    if (ch == NULL || un == NULL) {
        c->changed = -1;
        return;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, peer_recv_n, un) != 0) {
        c->changed = -2;
        return;
    }
    for (int i = 0; i < 50; i++) {
        bit = 2;
        CHECK_ERRNO(chan_send(un, NULL)); /* blocks until the peer takes it */
    }
    pthread_join(th, NULL);
    CHECK_ERRNO(chan_send(ch, &v));
    CHECK_ERRNO(chan_try_send(ch, &v));
    CHECK_ERRNO(chan_try_send(ch, &v)); /* full */
    CHECK_ERRNO(chan_recv(ch, &v));
    CHECK_ERRNO(chan_try_recv(ch, &v, &ok));
    CHECK_ERRNO(chan_try_recv(ch, &v, &ok)); /* empty */
    CHECK_ERRNO(chan_len(ch));
    CHECK_ERRNO(chan_send(ch, NULL)); /* GO_EINVAL: a NULL value */
    CHECK_ERRNO(chan_close(ch));
    CHECK_ERRNO(chan_send_err(ch, &v));
    CHECK_ERRNO(chan_close_err(ch));
    CHECK_ERRNO(chan_recv(ch, &v));
    CHECK_ERRNO(chan_free(ch));
    CHECK_ERRNO(chan_free(un));
#undef CHECK_ERRNO
}

static void test_errno_preserved(void **state)
{
    (void)state;
    for (int w = 0; w < CT_GOROUTINE; w++) {
        errno_ctx_t c = { 0 };
        ct_run((ct_where_t)w, errno_body, &c);
        if (c.changed != 0)
            fail_msg("%s: calls that changed errno: mask 0x%x", ct_where_name[w], c.changed);
    }
}

/* ------------------------------------------------------------------------ */
/* unrecovered panics and fatal errors (in children)                        */

static void main_send_on_closed(void *p)
{
    (void)p;
    go_chan_t *ch = chan_new(sizeof(int), 1);
    chan_close(ch);
    int v = 1;
    chan_send(ch, &v);
}

static void main_close_closed(void *p)
{
    (void)p;
    go_chan_t *ch = chan_new(sizeof(int), 1);
    chan_close(ch);
    chan_close(ch);
}

static void main_close_nil(void *p)
{
    (void)p;
    chan_close(NULL);
}

/* A goroutine blocked in chan_send panics when main closes the channel. */
static go_chan_t *blocked_sender_ch;

static void blocked_sender(void *p)
{
    (void)p;
    int v = 1;
    chan_send(blocked_sender_ch, &v);
}

static void main_close_under_sender(void *p)
{
    (void)p;
    blocked_sender_ch = chan_new(sizeof(int), 0);
    go_id_t id = go_spawn(blocked_sender, NULL);
    printf("%lld\n", (long long)id);
    fflush(stdout);
    go_sleep(30 * TU_MS); /* let it block (it panics either way) */
    chan_close(blocked_sender_ch);
    ct_block_forever();
}

static void test_unrecovered_panics(void **state)
{
    (void)state;
    ct_expect_death(main_send_on_closed, "panic: send on closed channel\n\ngoroutine ", 1);
    ct_expect_death(main_close_closed, "panic: close of closed channel\n\ngoroutine ", 1);
    ct_expect_death(main_close_nil, "panic: close of nil channel\n\ngoroutine ", 1);
    ct_expect_death(main_close_under_sender, "panic: send on closed channel\n\ngoroutine ", -1);
}

/* chan_free with a goroutine blocked on the channel, and chan_free of a
 * timer's channel: fatal errors (status 2, "fatal error: ..."). */
static void nop_recv(void *p)
{
    chan_recv(p, NULL);
}

/* Until goroutine id is parked (bounded, 10 s); main sleeps meanwhile, so
 * the deadlock detector stays quiet. A fixed sleep was not enough under
 * TSan: the M that stole the receiver could stay descheduled past it. */
static void until_parked(go_id_t id)
{
    go_goroutine_t buf[8];
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    while (tu_now_ns() < deadline) {
        buf[0].size = sizeof buf[0];
        long n = go_goroutines(buf, 8, 0);
        for (long i = 0; i < n && i < 8; i++)
            if (buf[i].id == id && buf[i].state == GO_GSTATE_WAITING)
                return;
        go_sleep(1 * TU_MS);
    }
}

static void main_free_with_waiter(void *p)
{
    (void)p;
    go_chan_t *ch = chan_new(0, 0);
    until_parked(go_spawn(nop_recv, ch));
    chan_free(ch);
    printf("chan_free returned\n");
}

static void main_free_timer_chan(void *p)
{
    (void)p;
    go_timer_t *t = go_timer_new(1000 * TU_MS);
    chan_free(go_timer_chan(t));
    printf("chan_free returned\n");
}

static void main_free_ticker_chan(void *p)
{
    (void)p;
    go_ticker_t *t = go_ticker_new(1000 * TU_MS);
    chan_free(go_ticker_chan(t));
    printf("chan_free returned\n");
}

static void test_chan_free_fatal_errors(void **state)
{
    (void)state;
    ct_expect_death(main_free_with_waiter,
                    "fatal error: chan_free of a channel that has blocked goroutines\n", 0);
    ct_expect_death(main_free_timer_chan,
                    "fatal error: chan_free of a timer's or ticker's channel (free the timer instead)\n", 0);
    ct_expect_death(main_free_ticker_chan,
                    "fatal error: chan_free of a timer's or ticker's channel (free the timer instead)\n", 0);
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
    if (getenv("CHAN_TEST_FILTER") != NULL) /* e.g. CHAN_TEST_FILTER='test_close*' */
        cmocka_set_test_filter(getenv("CHAN_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_new_argument_checks),
        TU_TEST(test_new_unallocatable),
        TU_TEST(test_free_null),
        TU_TEST(test_not_live_handle_einval),
        TU_TEST(test_nil_channel_nonblocking),
        TU_TEST(test_value_null_einval),
        TU_TEST(test_elem_size_zero),
        TU_TEST(test_elem_size_max),
        TU_TEST(test_elem_size_odd),
        TU_TEST(test_unbuffered_rendezvous),
        TU_TEST(test_unbuffered_try_needs_peer),
        TU_TEST(test_daisy_chain),
        TU_TEST(test_buffered_fifo),
        TU_TEST(test_len_cap_try),
        TU_TEST(test_close_drains_then_zero),
        TU_TEST(test_close_wakes_every_receiver),
        TU_TEST(test_close_panics_blocked_senders),
        TU_TEST(test_send_on_closed_panics),
        TU_TEST(test_close_misuse_panics),
        TU_TEST(test_many_producers_many_consumers),
        TU_TEST(test_errno_preserved),
        TU_TEST(test_nil_channel_blocks_forever),
        TU_TEST(test_unrecovered_panics),
        TU_TEST(test_chan_free_fatal_errors),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
