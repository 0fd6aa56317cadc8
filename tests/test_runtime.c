/* test_runtime.c - goroutines and the scheduler (gort/runtime.h, common.h,
 * version.h): every public function of the runtime.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment.
 * See testutil.h for the rules (no assertion off the test thread, no sleep
 * used as a wait). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

/* A goroutine body that only marks a WaitGroup done. */
static void done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* The largest id seen so far in this process: ids are never reused. */
static go_id_t max_id_seen;

static void note_id(go_id_t id)
{
    if (id > max_id_seen)
        max_id_seen = id;
}

/* ------------------------------------------------------------------------ */
/* go_spawn ids and go_id                                                   */

enum { ID_N = 200 };

typedef struct id_ctx {
    go_wg_t *wg;
    go_id_t seen[ID_N]; /* go_id() inside goroutine i */
} id_ctx_t;

typedef struct id_arg {
    id_ctx_t *ctx;
    int i;
} id_arg_t;

static void record_id(void *p)
{
    id_arg_t *a = p;
    a->ctx->seen[a->i] = go_id();
    wg_done(a->ctx->wg);
}

static void test_spawn_ids(void **state)
{
    (void)state;
    static id_ctx_t ctx;
    static id_arg_t args[ID_N];
    go_id_t ret[ID_N];
    go_id_t floor_id = max_id_seen;

    ctx.wg = wg_new();
    assert_non_null(ctx.wg);
    for (int round = 0; round < 3; round++) {
        TU_ASSERT_OK(wg_add(ctx.wg, ID_N));
        for (int i = 0; i < ID_N; i++) {
            args[i].ctx = &ctx;
            args[i].i = i;
            ctx.seen[i] = -1;
            ret[i] = go_spawn(record_id, &args[i]);
            TU_ASSERT_OK(ret[i]);
        }
        TU_ASSERT_OK(wg_wait(ctx.wg));
        for (int i = 0; i < ID_N; i++) {
            assert_true(ret[i] >= 1);
            /* increasing, never reused: every id is above all earlier ones,
             * including the ids of goroutines that have already ended */
            assert_true(ret[i] > floor_id);
            floor_id = ret[i];
            assert_int_equal(ctx.seen[i], ret[i]);
        }
        note_id(floor_id);
    }
    wg_free(ctx.wg);
}

static void *foreign_go_id(void *p)
{
    go_id_t *out = p;
    out[0] = go_id();
    out[1] = go_name() == NULL ? 0 : 1;
    return NULL;
}

static void test_go_id_not_goroutine(void **state)
{
    (void)state;
    assert_int_equal(go_id(), 0);
    assert_null(go_name());

    go_id_t out[2] = { -1, -1 };
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, foreign_go_id, out), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0); /* go_name() was NULL */
}

/* ------------------------------------------------------------------------ */
/* invalid arguments: the callback never runs, no goroutine is created      */

static atomic_int must_not_run_count;

static void must_not_run(void *p)
{
    (void)p;
    atomic_fetch_add(&must_not_run_count, 1);
}

static void test_spawn_invalid(void **state)
{
    (void)state;
    int before = go_num_goroutine();
    int x = 42;
    go_attr_t attr;

    TU_ASSERT_ERR(go_spawn(NULL, &x), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn(NULL, NULL), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn_copy(NULL, &x, sizeof x), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn_copy(NULL, NULL, 0), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn_copy(must_not_run, NULL, 4), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn_attr(NULL, NULL, &x), GO_EINVAL);

    go_attr_init(&attr);
    TU_ASSERT_ERR(go_spawn_attr(&attr, NULL, &x), GO_EINVAL);

    go_attr_init(&attr);
    attr.size = 0;
    TU_ASSERT_ERR(go_spawn_attr(&attr, must_not_run, &x), GO_EINVAL);

    go_attr_init(&attr);
    attr.stack_size = (size_t)GO_STACK_SIZE_MAX + 1;
    TU_ASSERT_ERR(go_spawn_attr(&attr, must_not_run, &x), GO_EINVAL);

    go_attr_init(&attr);
    attr.stack_size = (size_t)2 * GO_STACK_SIZE_MAX;
    TU_ASSERT_ERR(go_spawn_attr(&attr, must_not_run, &x), GO_EINVAL);

    go_attr_init(&attr);
    attr.stack_size = SIZE_MAX;
    TU_ASSERT_ERR(go_spawn_attr(&attr, must_not_run, &x), GO_EINVAL);

    go_attr_init(&attr);
    attr.arg_size = 16;
    TU_ASSERT_ERR(go_spawn_attr(&attr, must_not_run, NULL), GO_EINVAL);

    /* no goroutine was created by any failed call */
    assert_int_equal(go_num_goroutine(), before);

    /* and none runs later: spawn and wait a round of goroutines on every P
     * (they are queued after anything a failed call might have queued) */
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    TU_ASSERT_OK(wg_add(wg, 64));
    for (int i = 0; i < 64; i++)
        TU_ASSERT_OK(go_spawn(done_fn, wg));
    TU_ASSERT_OK(wg_wait(wg));
    wg_free(wg);
    assert_int_equal(atomic_load(&must_not_run_count), 0);
}

/* ------------------------------------------------------------------------ */
/* go_spawn_copy                                                            */

typedef struct copy_payload {
    go_wg_t *gate;  /* the goroutine reads its copy only after the gate opens */
    go_wg_t *done;
    const void *source;      /* the address the caller passed */
    int value;
    char bytes[4000];
    /* written by the goroutine (through the pointer below) */
    struct copy_result *result;
} copy_payload_t;

typedef struct copy_result {
    int value;
    int bytes_ok;
    int distinct_address;
} copy_result_t;

static void check_copy(void *p)
{
    copy_payload_t *c = p;
    wg_wait(c->gate);
    c->result->value = c->value;
    c->result->distinct_address = (const void *)c != c->source;
    int ok = 1;
    for (size_t i = 0; i < sizeof c->bytes; i++)
        if (c->bytes[i] != (char)(i * 7))
            ok = 0;
    c->result->bytes_ok = ok;
    wg_done(c->done);
}

static void test_spawn_copy_snapshot(void **state)
{
    (void)state;
    static copy_payload_t src;
    copy_result_t result = { -1, 0, 0 };

    src.gate = wg_new();
    src.done = wg_new();
    assert_non_null(src.gate);
    assert_non_null(src.done);
    src.source = &src;
    src.value = 123;
    for (size_t i = 0; i < sizeof src.bytes; i++)
        src.bytes[i] = (char)(i * 7);
    src.result = &result;
    TU_ASSERT_OK(wg_add(src.gate, 1));
    TU_ASSERT_OK(wg_add(src.done, 1));

    go_id_t id = go_spawn_copy(check_copy, &src, sizeof src);
    TU_ASSERT_OK(id);
    note_id(id);

    /* mutate the source after the spawn: the goroutine must see the old bytes */
    go_wg_t *gate = src.gate, *done = src.done;
    src.value = 789;
    memset(src.bytes, 0x55, sizeof src.bytes);
    TU_ASSERT_OK(wg_done(gate));
    TU_ASSERT_OK(wg_wait(done));

    assert_int_equal(result.value, 123);
    assert_true(result.bytes_ok);
    assert_true(result.distinct_address);
    wg_free(gate);
    wg_free(done);
}

typedef struct null_arg_ctx {
    go_wg_t *wg;
    atomic_int got_null;
    atomic_int ran;
} null_arg_ctx_t;

static null_arg_ctx_t null_ctx;

static void record_null_arg(void *p)
{
    atomic_store(&null_ctx.got_null, p == NULL);
    atomic_fetch_add(&null_ctx.ran, 1);
    wg_done(null_ctx.wg);
}

static void test_spawn_copy_null(void **state)
{
    (void)state;
    null_ctx.wg = wg_new();
    assert_non_null(null_ctx.wg);
    atomic_store(&null_ctx.got_null, 0);
    atomic_store(&null_ctx.ran, 0);

    int before = go_num_goroutine();
    TU_ASSERT_ERR(go_spawn_copy(record_null_arg, NULL, 4), GO_EINVAL);
    TU_ASSERT_ERR(go_spawn_copy(record_null_arg, NULL, 1), GO_EINVAL);
    assert_int_equal(go_num_goroutine(), before);

    TU_ASSERT_OK(wg_add(null_ctx.wg, 1));
    go_id_t id = go_spawn_copy(record_null_arg, NULL, 0);
    TU_ASSERT_OK(id);
    note_id(id);
    TU_ASSERT_OK(wg_wait(null_ctx.wg));
    assert_int_equal(atomic_load(&null_ctx.ran), 1); /* the failed calls never ran it */
    assert_true(atomic_load(&null_ctx.got_null));
    wg_free(null_ctx.wg);
}

/* a one-byte copy and a zero-sized copy of a non-NULL pointer */
typedef struct small_ctx {
    go_wg_t *wg;
    atomic_int byte;
} small_ctx_t;

static small_ctx_t small_ctx;

static void record_byte(void *p)
{
    atomic_store(&small_ctx.byte, *(unsigned char *)p);
    wg_done(small_ctx.wg);
}

static void test_spawn_copy_one_byte(void **state)
{
    (void)state;
    small_ctx.wg = wg_new();
    assert_non_null(small_ctx.wg);
    unsigned char b = 0xA5;
    TU_ASSERT_OK(wg_add(small_ctx.wg, 1));
    TU_ASSERT_OK(go_spawn_copy(record_byte, &b, 1));
    b = 0;
    TU_ASSERT_OK(wg_wait(small_ctx.wg));
    assert_int_equal(atomic_load(&small_ctx.byte), 0xA5);
    wg_free(small_ctx.wg);
}

/* ------------------------------------------------------------------------ */
/* go_spawn_attr                                                            */

typedef struct stack_ctx {
    go_wg_t *wg;
    long sum;
} stack_ctx_t;

/* about 1 KiB of stack per level */
static long deep(int level)
{
    volatile char buf[1024];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(level + (int)i);
    long s = buf[level % (int)sizeof buf];
    if (level > 0)
        s += deep(level - 1);
    return s + buf[0];
}

static long expected_deep(int level)
{
    long s = 0;
    for (int l = level; l >= 0; l--)
        s += (char)(l + l % 1024) + (char)l;
    return s;
}

static void use_big_stack(void *p)
{
    stack_ctx_t *c = p;
    /* ~200 KiB in one frame, every page touched, plus ~200 KiB of calls */
    volatile char big[200 * 1024];
    for (size_t i = 0; i < sizeof big; i += 512)
        big[i] = (char)i;
    long s = 0;
    for (size_t i = 0; i < sizeof big; i += 512)
        s += big[i];
    c->sum = s + deep(190);
    wg_done(c->wg);
}

static void test_spawn_attr_stack(void **state)
{
    (void)state;
    stack_ctx_t ctx = { wg_new(), 0 };
    assert_non_null(ctx.wg);
    go_attr_t attr;
    go_attr_init(&attr);
    assert_int_equal(attr.size, sizeof(go_attr_t));
    assert_int_equal(attr.stack_size, 0);
    assert_null(attr.name);
    assert_int_equal(attr.arg_size, 0);
    attr.stack_size = 1024 * 1024;

    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    go_id_t id = go_spawn_attr(&attr, use_big_stack, &ctx);
    TU_ASSERT_OK(id);
    note_id(id);
    TU_ASSERT_OK(wg_wait(ctx.wg));

    long s = 0;
    for (size_t i = 0; i < 200 * 1024; i += 512)
        s += (char)i;
    assert_int_equal(ctx.sum, s + expected_deep(190));

    /* the limits of the range are accepted, and a size that is not a power
     * of two is rounded up, not refused */
    size_t sizes[] = { GO_STACK_SIZE_MIN, GO_STACK_SIZE_MIN + 1, 100 * 1000,
                       GO_STACK_SIZE_DEFAULT, 3 * 1024 * 1024, GO_STACK_SIZE_MAX };
    for (size_t i = 0; i < TU_ARRAY_LEN(sizes); i++) {
        go_attr_init(&attr);
        attr.stack_size = sizes[i];
        TU_ASSERT_OK(wg_add(ctx.wg, 1));
        id = go_spawn_attr(&attr, done_fn, ctx.wg);
        if (id < 0)
            fail_msg("go_spawn_attr with stack_size %zu: %lld (%s)", sizes[i],
                     (long long)id, go_strerror((int)id));
        TU_ASSERT_OK(wg_wait(ctx.wg));
    }

    /* NULL attr: the defaults */
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    TU_ASSERT_OK(go_spawn_attr(NULL, done_fn, ctx.wg));
    TU_ASSERT_OK(wg_wait(ctx.wg));
    wg_free(ctx.wg);
}

typedef struct name_ctx {
    go_wg_t *wg;
    int was_null;
    char name[64];
} name_ctx_t;

static void record_name(void *p)
{
    name_ctx_t *c = p;
    const char *n = go_name();
    c->was_null = n == NULL;
    if (n != NULL)
        snprintf(c->name, sizeof c->name, "%s", n);
    go_yield(); /* still valid after a scheduling point */
    n = go_name();
    if (n == NULL || strcmp(n, c->name) != 0)
        c->was_null = 2;
    wg_done(c->wg);
}

static void test_spawn_attr_name(void **state)
{
    (void)state;
    name_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.wg = wg_new();
    assert_non_null(ctx.wg);
    go_attr_t attr;

    /* the name is copied at spawn */
    char name[64] = "worker-7";
    go_attr_init(&attr);
    attr.name = name;
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    go_id_t id = go_spawn_attr(&attr, record_name, &ctx);
    TU_ASSERT_OK(id);
    strcpy(name, "clobbered");
    TU_ASSERT_OK(wg_wait(ctx.wg));
    assert_int_equal(ctx.was_null, 0);
    assert_string_equal(ctx.name, "worker-7");

    /* at most 31 bytes are kept */
    const char *longname = "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJ";
    memset(&ctx.name, 0, sizeof ctx.name);
    go_attr_init(&attr);
    attr.name = longname;
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    TU_ASSERT_OK(go_spawn_attr(&attr, record_name, &ctx));
    TU_ASSERT_OK(wg_wait(ctx.wg));
    assert_int_equal(ctx.was_null, 0);
    assert_int_equal(strlen(ctx.name), 31);
    assert_memory_equal(ctx.name, longname, 31);

    /* no name: "" (not NULL) inside a goroutine */
    memset(&ctx.name, 'x', sizeof ctx.name - 1);
    go_attr_init(&attr);
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    TU_ASSERT_OK(go_spawn_attr(&attr, record_name, &ctx));
    TU_ASSERT_OK(wg_wait(ctx.wg));
    assert_int_equal(ctx.was_null, 0);
    assert_string_equal(ctx.name, "");

    memset(&ctx.name, 'x', sizeof ctx.name - 1);
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    TU_ASSERT_OK(go_spawn(record_name, &ctx));
    TU_ASSERT_OK(wg_wait(ctx.wg));
    assert_int_equal(ctx.was_null, 0);
    assert_string_equal(ctx.name, "");
    wg_free(ctx.wg);
}

typedef struct attr_copy_arg {
    go_wg_t *wg;
    int *out;
    int value;
    char name_seen[32];
} attr_copy_arg_t;

static void attr_copy_body(void *p)
{
    attr_copy_arg_t *a = p;
    *a->out = a->value;
    const char *n = go_name();
    if (n != NULL && strcmp(n, "copier") == 0)
        *a->out += 1000000;
    wg_done(a->wg);
}

static void test_spawn_attr_arg_copy(void **state)
{
    (void)state;
    int out = -1;
    attr_copy_arg_t a = { wg_new(), &out, 5, "" };
    assert_non_null(a.wg);
    go_attr_t attr;
    go_attr_init(&attr);
    attr.arg_size = sizeof a;
    attr.name = "copier";
    attr.stack_size = 128 * 1024;
    TU_ASSERT_OK(wg_add(a.wg, 1));
    TU_ASSERT_OK(go_spawn_attr(&attr, attr_copy_body, &a));
    a.value = 6; /* after the spawn: not seen */
    TU_ASSERT_OK(wg_wait(a.wg));
    assert_int_equal(out, 1000005);
    wg_free(a.wg);
}

/* a 1 MiB argument: the copy is not limited by the goroutine's stack */
enum { LARGE_ARG = 1 << 20 };

typedef struct large_ctx {
    go_wg_t *wg;
    int ok;
} large_ctx_t;

static large_ctx_t lgc;

static void check_large(void *p)
{
    const unsigned char *b = p;
    int ok = 1;
    for (int i = 0; i < LARGE_ARG; i++)
        if (b[i] != (unsigned char)(i * 13))
            ok = 0;
    lgc.ok = ok;
    wg_done(lgc.wg);
}

static void test_spawn_copy_large(void **state)
{
    (void)state;
    unsigned char *b = malloc(LARGE_ARG);
    assert_non_null(b);
    for (int i = 0; i < LARGE_ARG; i++)
        b[i] = (unsigned char)(i * 13);
    lgc.wg = wg_new();
    assert_non_null(lgc.wg);
    lgc.ok = 0;
    TU_ASSERT_OK(wg_add(lgc.wg, 1));
    TU_ASSERT_OK(go_spawn_copy(check_large, b, LARGE_ARG));
    memset(b, 0, LARGE_ARG);
    free(b);
    TU_ASSERT_OK(wg_wait(lgc.wg));
    assert_true(lgc.ok);
    wg_free(lgc.wg);
}

/* a go_attr_t from an older gort, whose size ends before `name`: the fields
 * it does not have are not read */
static void test_spawn_attr_older_layout(void **state)
{
    (void)state;
    name_ctx_t ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.wg = wg_new();
    assert_non_null(ctx.wg);
    go_attr_t attr;
    go_attr_init(&attr);
    attr.size = offsetof(go_attr_t, name);
    attr.stack_size = 256 * 1024;
    attr.name = "not-read";
    attr.arg_size = 12345; /* not read either: arg is passed as is */
    memset(ctx.name, 'x', sizeof ctx.name - 1);
    TU_ASSERT_OK(wg_add(ctx.wg, 1));
    TU_ASSERT_OK(go_spawn_attr(&attr, record_name, &ctx));
    TU_ASSERT_OK(wg_wait(ctx.wg));
    assert_int_equal(ctx.was_null, 0);
    assert_string_equal(ctx.name, "");
    wg_free(ctx.wg);
}

/* one goroutine spawning thousands in a burst: more than a P's local run
 * queue holds, so part of them go through the global queue */
enum { BURST = 5000 };

typedef struct burst_ctx {
    go_wg_t *wg;
    atomic_int ran;
    atomic_int errors;
} burst_ctx_t;

static burst_ctx_t bu;

static void burst_child(void *p)
{
    (void)p;
    atomic_fetch_add(&bu.ran, 1);
    wg_done(bu.wg);
}

static void burst_parent(void *p)
{
    (void)p;
    for (int i = 0; i < BURST; i++)
        if (go_spawn(burst_child, NULL) < 1) {
            atomic_fetch_add(&bu.errors, 1);
            wg_done(bu.wg);
        }
    wg_done(bu.wg);
}

static void test_spawn_burst_from_goroutine(void **state)
{
    (void)state;
    memset(&bu, 0, sizeof bu);
    bu.wg = wg_new();
    assert_non_null(bu.wg);
    for (int rep = 0; rep < 3; rep++) {
        atomic_store(&bu.ran, 0);
        /* two parents, each with BURST children */
        TU_ASSERT_OK(wg_add(bu.wg, 2 * BURST + 2));
        TU_ASSERT_OK(go_spawn(burst_parent, NULL));
        TU_ASSERT_OK(go_spawn(burst_parent, NULL));
        TU_ASSERT_OK(wg_wait(bu.wg));
        assert_int_equal(atomic_load(&bu.errors), 0);
        assert_int_equal(atomic_load(&bu.ran), 2 * BURST);
    }
    wg_free(bu.wg);
}

/* ------------------------------------------------------------------------ */
/* spawning from goroutines (a tree) and from foreign threads               */

enum { TREE_DEPTH = 9 }; /* 2^10 - 1 = 1023 goroutines */

typedef struct tree_ctx {
    go_wg_t *wg;
    atomic_int nodes;
    atomic_int spawn_errors;
    atomic_llong id_sum; /* sum of go_id() of every node */
    atomic_llong ret_sum; /* sum of the ids go_spawn returned */
} tree_ctx_t;

static tree_ctx_t tree;

static void tree_node(void *p)
{
    int depth = (int)(intptr_t)p;
    atomic_fetch_add(&tree.nodes, 1);
    atomic_fetch_add(&tree.id_sum, go_id());
    if (depth > 0) {
        if (wg_add(tree.wg, 2) != 0)
            atomic_fetch_add(&tree.spawn_errors, 1);
        for (int i = 0; i < 2; i++) {
            go_id_t id = go_spawn(tree_node, (void *)(intptr_t)(depth - 1));
            if (id < 1) {
                atomic_fetch_add(&tree.spawn_errors, 1);
                wg_done(tree.wg);
            } else {
                atomic_fetch_add(&tree.ret_sum, id);
            }
        }
    }
    wg_done(tree.wg);
}

static void test_spawn_tree(void **state)
{
    (void)state;
    tree.wg = wg_new();
    assert_non_null(tree.wg);
    atomic_store(&tree.nodes, 0);
    atomic_store(&tree.spawn_errors, 0);
    atomic_store(&tree.id_sum, 0);
    atomic_store(&tree.ret_sum, 0);
    TU_ASSERT_OK(wg_add(tree.wg, 1));
    go_id_t root = go_spawn(tree_node, (void *)(intptr_t)TREE_DEPTH);
    TU_ASSERT_OK(root);
    atomic_fetch_add(&tree.ret_sum, root);
    TU_ASSERT_OK(wg_wait(tree.wg));
    assert_int_equal(atomic_load(&tree.spawn_errors), 0);
    assert_int_equal(atomic_load(&tree.nodes), (1 << (TREE_DEPTH + 1)) - 1);
    /* every node saw the id its parent got from go_spawn */
    assert_int_equal(atomic_load(&tree.id_sum), atomic_load(&tree.ret_sum));
    wg_free(tree.wg);
}

enum { FT_THREADS = 4, FT_PER_THREAD = 250 };

typedef struct foreign_spawn_ctx {
    go_wg_t *wg;
    atomic_int ran;
    go_id_t ids[FT_THREADS][FT_PER_THREAD];
    int errors[FT_THREADS];
} foreign_spawn_ctx_t;

static foreign_spawn_ctx_t fsc;

static void count_and_done(void *p)
{
    (void)p;
    atomic_fetch_add(&fsc.ran, 1);
    wg_done(fsc.wg);
}

static void *foreign_spawner(void *p)
{
    int t = (int)(intptr_t)p;
    for (int i = 0; i < FT_PER_THREAD; i++) {
        fsc.ids[t][i] = go_spawn(count_and_done, NULL);
        if (fsc.ids[t][i] < 1) {
            fsc.errors[t]++;
            wg_done(fsc.wg);
        }
        if (i % 50 == 0)
            go_yield(); /* from a foreign thread: sched_yield */
    }
    return NULL;
}

static int cmp_id(const void *a, const void *b)
{
    go_id_t x = *(const go_id_t *)a, y = *(const go_id_t *)b;
    return (x > y) - (x < y);
}

static void test_spawn_from_foreign_threads(void **state)
{
    (void)state;
    memset(&fsc, 0, sizeof fsc);
    fsc.wg = wg_new();
    assert_non_null(fsc.wg);
    TU_ASSERT_OK(wg_add(fsc.wg, FT_THREADS * FT_PER_THREAD));
    pthread_t th[FT_THREADS];
    for (int t = 0; t < FT_THREADS; t++)
        assert_int_equal(pthread_create(&th[t], NULL, foreign_spawner, (void *)(intptr_t)t), 0);
    TU_ASSERT_OK(wg_wait(fsc.wg));
    for (int t = 0; t < FT_THREADS; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < FT_THREADS; t++)
        assert_int_equal(fsc.errors[t], 0);
    assert_int_equal(atomic_load(&fsc.ran), FT_THREADS * FT_PER_THREAD);

    /* concurrent spawns still get distinct ids, above every earlier one;
     * each thread's own ids increase */
    static go_id_t all[FT_THREADS * FT_PER_THREAD];
    for (int t = 0; t < FT_THREADS; t++)
        for (int i = 0; i < FT_PER_THREAD; i++) {
            all[t * FT_PER_THREAD + i] = fsc.ids[t][i];
            if (i > 0)
                assert_true(fsc.ids[t][i] > fsc.ids[t][i - 1]);
        }
    qsort(all, TU_ARRAY_LEN(all), sizeof all[0], cmp_id);
    assert_true(all[0] > max_id_seen);
    for (size_t i = 1; i < TU_ARRAY_LEN(all); i++)
        assert_true(all[i] > all[i - 1]);
    note_id(all[TU_ARRAY_LEN(all) - 1]);
    wg_free(fsc.wg);
}

/* ------------------------------------------------------------------------ */
/* go_yield                                                                 */

typedef struct yield_ctx {
    go_wg_t *wg;
    atomic_int flag;
    atomic_int spins_done;
    atomic_long iterations;
} yield_ctx_t;

static yield_ctx_t yc;

/* spins until another goroutine, spawned after it, sets the flag: with one P
 * this only ends if go_yield lets the other goroutine run */
static void yield_waiter(void *p)
{
    (void)p;
    while (!atomic_load(&yc.flag))
        go_yield();
    atomic_fetch_add(&yc.spins_done, 1);
    wg_done(yc.wg);
}

static void yield_setter(void *p)
{
    (void)p;
    atomic_store(&yc.flag, 1);
    wg_done(yc.wg);
}

static void yield_loop(void *p)
{
    (void)p;
    for (int i = 0; i < 1000; i++) {
        go_yield();
        atomic_fetch_add(&yc.iterations, 1);
    }
    wg_done(yc.wg);
}

static void test_yield(void **state)
{
    (void)state;
    memset(&yc, 0, sizeof yc);
    yc.wg = wg_new();
    assert_non_null(yc.wg);

    /* from the test thread (not a goroutine): returns */
    for (int i = 0; i < 10; i++)
        go_yield();

    /* waiters first, then the setter */
    TU_ASSERT_OK(wg_add(yc.wg, 9));
    for (int i = 0; i < 8; i++)
        TU_ASSERT_OK(go_spawn(yield_waiter, NULL));
    TU_ASSERT_OK(go_spawn(yield_setter, NULL));
    TU_ASSERT_OK(wg_wait(yc.wg));
    assert_int_equal(atomic_load(&yc.spins_done), 8);

    /* many goroutines yielding in a loop all finish */
    TU_ASSERT_OK(wg_add(yc.wg, 16));
    for (int i = 0; i < 16; i++)
        TU_ASSERT_OK(go_spawn(yield_loop, NULL));
    TU_ASSERT_OK(wg_wait(yc.wg));
    assert_int_equal(atomic_load(&yc.iterations), 16 * 1000);
    wg_free(yc.wg);
}

/* ------------------------------------------------------------------------ */
/* go_sleep (timer tests: the only tests that measure time)                 */

typedef struct sleep_ctx {
    go_wg_t *wg;
    pthread_mutex_t mu;
    int order[8];
    int n;
    int64_t base;     /* go_nanotime() before the sleepers were spawned */
    int64_t asked[8]; /* the duration each sleeper passed to go_sleep */
    int64_t slept[8]; /* measured by each sleeper */
} sleep_ctx_t;

static sleep_ctx_t sc = { .mu = PTHREAD_MUTEX_INITIALIZER };

typedef struct sleeper_arg {
    int ms;
    int slot;
} sleeper_arg_t;

/* Sleeps until sc.base + ms: the deadlines do not depend on when each
 * sleeper got to run (on a loaded machine under TSan, an M may start a
 * stolen sleeper tens of ms late). */
static void sleeper(void *p)
{
    sleeper_arg_t *a = p;
    int64_t t0 = go_nanotime();
    int64_t d = sc.base + (int64_t)a->ms * TU_MS - t0;
    go_sleep(d);
    int64_t dt = go_nanotime() - t0;
    pthread_mutex_lock(&sc.mu);
    sc.order[sc.n++] = a->ms;
    sc.asked[a->slot] = d;
    sc.slept[a->slot] = dt;
    pthread_mutex_unlock(&sc.mu);
    wg_done(sc.wg);
}

static void test_sleep_order(void **state)
{
    (void)state;
    /* 30, 10, 20 scaled up: deadlines 200 ms apart, so that a woken
     * sleeper that waits for a thread does not swap places in sc.order */
    static sleeper_arg_t args[3] = { { 500, 0 }, { 100, 1 }, { 300, 2 } };
    sc.wg = wg_new();
    assert_non_null(sc.wg);
    sc.n = 0;
    sc.base = go_nanotime();
    TU_ASSERT_OK(wg_add(sc.wg, 3));
    for (int i = 0; i < 3; i++)
        TU_ASSERT_OK(go_spawn(sleeper, &args[i]));
    TU_ASSERT_OK(wg_wait(sc.wg));
    assert_int_equal(sc.n, 3);
    assert_int_equal(sc.order[0], 100);
    assert_int_equal(sc.order[1], 300);
    assert_int_equal(sc.order[2], 500);
    for (int i = 0; i < 3; i++) {
        /* at least the requested time; at most a (generous) 2 s more */
        assert_true(sc.slept[i] >= sc.asked[i]);
        assert_true(sc.slept[i] < sc.asked[i] + 2000 * TU_MS);
    }
    wg_free(sc.wg);
}

static void zero_sleeper(void *p)
{
    int64_t *dt = p;
    int64_t t0 = tu_now_ns();
    go_sleep(0);
    go_sleep(-1);
    go_sleep(INT64_MIN);
    dt[0] = tu_now_ns() - t0;
    wg_done(sc.wg);
}

static void test_sleep_zero_negative(void **state)
{
    (void)state;
    int64_t t0 = tu_now_ns();
    go_sleep(0);
    go_sleep(-1);
    go_sleep(-1000 * TU_MS);
    go_sleep(INT64_MIN);
    /* none sleeps: well under the 1 s that go_sleep(-1000 ms) would take */
    assert_true(tu_now_ns() - t0 < 500 * TU_MS);

    int64_t dt = -1;
    sc.wg = wg_new();
    assert_non_null(sc.wg);
    TU_ASSERT_OK(wg_add(sc.wg, 1));
    TU_ASSERT_OK(go_spawn(zero_sleeper, &dt));
    TU_ASSERT_OK(wg_wait(sc.wg));
    assert_true(dt >= 0 && dt < 500 * TU_MS);
    wg_free(sc.wg);
}

static void *foreign_sleeper(void *p)
{
    int64_t *dt = p;
    int64_t t0 = tu_now_ns();
    go_sleep(30 * TU_MS);
    *dt = tu_now_ns() - t0;
    return NULL;
}

static void test_sleep_foreign_thread(void **state)
{
    (void)state;
    int64_t t0 = tu_now_ns();
    go_sleep(20 * TU_MS);
    int64_t dt = tu_now_ns() - t0;
    assert_true(dt >= 20 * TU_MS);
    assert_true(dt < 2000 * TU_MS);

    int64_t fdt = -1;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, foreign_sleeper, &fdt), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(fdt >= 30 * TU_MS);
    assert_true(fdt < 2000 * TU_MS);
}

static void sleep_100ms(void *p)
{
    (void)p;
    go_sleep(100 * TU_MS);
    wg_done(sc.wg);
}

static void spawn_sleepers_then_done(void *p)
{
    for (int i = 0; i < 50; i++)
        if (go_spawn(sleep_100ms, NULL) < 1)
            wg_done(sc.wg);
    wg_done((go_wg_t *)p);
}

/* a sleeping goroutine costs a timer, not a thread: 200 sleepers of 100 ms
 * with GOMAXPROCS=1 end together, far sooner than one after another (20 s) */
static void test_sleep_does_not_hold_thread(void **state)
{
    (void)state;
    int prev = go_maxprocs(1);
    assert_true(prev >= 1);
    sc.wg = wg_new();
    assert_non_null(sc.wg);
    TU_ASSERT_OK(wg_add(sc.wg, 200));
    int64_t t0 = tu_now_ns();
    for (int i = 0; i < 200; i++)
        TU_ASSERT_OK(go_spawn(sleep_100ms, NULL));
    TU_ASSERT_OK(wg_wait(sc.wg));
    int64_t dt = tu_now_ns() - t0;
    go_maxprocs(prev);
    assert_true(dt >= 100 * TU_MS);
    /* one after another: 20 s; overlapping: 100 ms and 200 cold spawns
     * (about 0.5 s under TSan on a loaded machine) */
    assert_true(dt < 8000 * TU_MS);
    wg_free(sc.wg);
}

/* many timers at once, with random and equal deadlines: each sleeper sleeps
 * at least what it asked for, and all wake */
enum { MANY_SLEEPERS = 1000 };

typedef struct many_sleep_ctx {
    go_wg_t *wg;
    go_wg_t *gate; /* the baseline: wait here instead of sleeping */
    atomic_int too_short;
    int64_t ns[MANY_SLEEPERS];
} many_sleep_ctx_t;

static many_sleep_ctx_t ms;

static void random_sleeper(void *p)
{
    int i = (int)(intptr_t)p;
    int64_t t0 = tu_now_ns();
    if (ms.gate != NULL)
        TU_ASSERT_OK(wg_wait(ms.gate));
    else
        go_sleep(ms.ns[i]);
    if (tu_now_ns() - t0 < ms.ns[i])
        atomic_fetch_add(&ms.too_short, 1);
    wg_done(ms.wg);
}

/* MANY_SLEEPERS goroutines, all alive at once: sleeping ms.ns, or (the
 * baseline, !sleep) parked until all are spawned; returns how long
 * spawning and joining them took */
static int64_t run_many_sleepers(int sleep)
{
    memset(&ms, 0, sizeof ms);
    ms.wg = wg_new();
    assert_non_null(ms.wg);
    if (!sleep) {
        ms.gate = wg_new();
        assert_non_null(ms.gate);
        TU_ASSERT_OK(wg_add(ms.gate, 1));
    }
    unsigned seed = 12345;
    for (int i = 0; i < MANY_SLEEPERS; i++) {
        seed = seed * 1103515245u + 12345u;
        /* a third share one deadline; the rest: 1 us .. 30 ms */
        ms.ns[i] = !sleep ? 0 : i % 3 == 0 ? 10 * TU_MS : 1000 + (int64_t)((seed >> 8) % 30000) * 1000;
    }
    TU_ASSERT_OK(wg_add(ms.wg, MANY_SLEEPERS));
    int64_t t0 = tu_now_ns();
    for (int i = 0; i < MANY_SLEEPERS; i++)
        TU_ASSERT_OK(go_spawn(random_sleeper, (void *)(intptr_t)i));
    if (ms.gate != NULL)
        TU_ASSERT_OK(wg_done(ms.gate));
    TU_ASSERT_OK(wg_wait(ms.wg));
    int64_t dt = tu_now_ns() - t0;
    assert_int_equal(atomic_load(&ms.too_short), 0);
    wg_free(ms.wg);
    if (ms.gate != NULL)
        wg_free(ms.gate);
    return dt;
}

static void test_sleep_many_timers(void **state)
{
    (void)state;
    /* The sleeps overlap: the run takes what 1000 goroutines alive at once
     * take without sleeping (a new stack each: up to a second under TSan
     * on a loaded machine) plus about the longest sleep (30 ms), far from
     * the 12 s of sleeps one after another. */
    int64_t base = run_many_sleepers(0);
    int64_t dt = run_many_sleepers(1);
    print_message("%d sleepers of up to 30 ms: %.1f ms (parked instead: %.1f ms)\n", MANY_SLEEPERS,
                  dt / 1e6, base / 1e6);
    assert_true(dt <= 2 * base + 530 * TU_MS);
}

/* timers of goroutines that went to sleep on Ps that GOMAXPROCS then
 * removes still fire */
static void test_sleep_across_maxprocs_change(void **state)
{
    (void)state;
    int prev = go_maxprocs(4);
    sc.wg = wg_new();
    assert_non_null(sc.wg);
    go_wg_t *spawned = wg_new();
    assert_non_null(spawned);
    /* spawn from goroutines so that the sleepers spread over the Ps */
    TU_ASSERT_OK(wg_add(sc.wg, 200));
    TU_ASSERT_OK(wg_add(spawned, 4));
    for (int i = 0; i < 4; i++)
        TU_ASSERT_OK(go_spawn(spawn_sleepers_then_done, spawned));
    TU_ASSERT_OK(wg_wait(spawned));
    go_maxprocs(1);
    int64_t t0 = tu_now_ns();
    TU_ASSERT_OK(wg_wait(sc.wg));
    int64_t dt = tu_now_ns() - t0;
    go_maxprocs(prev);
    assert_true(dt < 8000 * TU_MS); /* 20 s one after another */
    wg_free(sc.wg);
    wg_free(spawned);
}

/* ------------------------------------------------------------------------ */
/* go_num_goroutine                                                         */

enum { PARKED_K = 500 };

typedef struct park_ctx {
    go_wg_t *started, *block, *finished;
    atomic_int inside_min; /* smallest go_num_goroutine() seen inside */
} park_ctx_t;

static park_ctx_t pk;

static void parked(void *p)
{
    (void)p;
    int n = go_num_goroutine();
    int cur = atomic_load(&pk.inside_min);
    while (n < cur && !atomic_compare_exchange_weak(&pk.inside_min, &cur, n)) {
    }
    wg_done(pk.started);
    wg_wait(pk.block);
    wg_done(pk.finished);
}

static void test_num_goroutine(void **state)
{
    (void)state;
    int base = go_num_goroutine();
    assert_true(base >= 0);
    assert_int_equal(base, tu_baseline_goroutines);
    pk.started = wg_new();
    pk.block = wg_new();
    pk.finished = wg_new();
    assert_non_null(pk.started);
    assert_non_null(pk.block);
    assert_non_null(pk.finished);
    atomic_store(&pk.inside_min, INT_MAX);

    TU_ASSERT_OK(wg_add(pk.started, PARKED_K));
    TU_ASSERT_OK(wg_add(pk.block, 1));
    TU_ASSERT_OK(wg_add(pk.finished, PARKED_K));
    for (int i = 0; i < PARKED_K; i++)
        TU_ASSERT_OK(go_spawn(parked, NULL));
    TU_ASSERT_OK(wg_wait(pk.started));

    /* all K exist (parked in wg_wait) */
    int n = go_num_goroutine();
    assert_true(n >= base + PARKED_K);
    assert_int_equal(n, base + PARKED_K);
    /* a goroutine counts itself */
    assert_true(atomic_load(&pk.inside_min) >= base + 1);

    TU_ASSERT_OK(wg_done(pk.block));
    TU_ASSERT_OK(wg_wait(pk.finished));
    assert_int_equal(tu_settle_goroutines(base), base);
    wg_free(pk.started);
    wg_free(pk.block);
    wg_free(pk.finished);
}

/* ------------------------------------------------------------------------ */
/* go_num_cpu, go_maxprocs                                                  */

static void test_num_cpu(void **state)
{
    (void)state;
    int n = go_num_cpu();
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    long conf = sysconf(_SC_NPROCESSORS_CONF);
    assert_true(n >= 1);
    assert_true(online >= 1);
    assert_true(n <= online || n <= conf);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        assert_true(n <= CPU_COUNT(&set));
    assert_int_equal(go_num_cpu(), n); /* read once */
}

static int initial_maxprocs;

static void test_maxprocs_query_set(void **state)
{
    (void)state;
    int env = tu_env_gomaxprocs();
    int cur = go_maxprocs(0);
    assert_int_equal(cur, initial_maxprocs);
    if (env > 0)
        assert_int_equal(cur, env > 256 ? 256 : env);
    else
        assert_int_equal(cur, go_num_cpu());
    assert_int_equal(go_maxprocs(-1), cur);
    assert_int_equal(go_maxprocs(INT_MIN), cur);

    assert_int_equal(go_maxprocs(3), cur);
    assert_int_equal(go_maxprocs(0), 3);
    assert_int_equal(go_maxprocs(1), 3);
    assert_int_equal(go_maxprocs(0), 1);
    assert_int_equal(go_maxprocs(1), 1);
    /* capped at 256, as Go does */
    assert_int_equal(go_maxprocs(1000), 1);
    assert_int_equal(go_maxprocs(0), 256);
    assert_int_equal(go_maxprocs(INT_MAX), 256);
    assert_int_equal(go_maxprocs(cur), 256);
    assert_int_equal(go_maxprocs(0), cur);
}

typedef struct maxprocs_ctx {
    go_wg_t *wg;
    int prev_seen;
} maxprocs_ctx_t;

static void set_maxprocs_from_goroutine(void *p)
{
    maxprocs_ctx_t *c = p;
    c->prev_seen = go_maxprocs(2);
    wg_done(c->wg);
}

static void test_maxprocs_from_goroutine(void **state)
{
    (void)state;
    int cur = go_maxprocs(0);
    maxprocs_ctx_t c = { wg_new(), -1 };
    assert_non_null(c.wg);
    TU_ASSERT_OK(wg_add(c.wg, 1));
    TU_ASSERT_OK(go_spawn(set_maxprocs_from_goroutine, &c));
    TU_ASSERT_OK(wg_wait(c.wg));
    assert_int_equal(c.prev_seen, cur);
    assert_int_equal(go_maxprocs(cur), 2);
    wg_free(c.wg);
}

enum { FLIP_G = 8, FLIP_ITERS = 3000, FLIPS = 600 };

typedef struct flip_ctx {
    go_wg_t *wg;
    go_wg_t *flipping; /* released by the flipper once it has started */
    long counts[FLIP_G];
    int bad_returns;
    int flips;
} flip_ctx_t;

static flip_ctx_t fc;

static void flip_worker(void *p)
{
    int i = (int)(intptr_t)p;
    wg_wait(fc.flipping);
    for (int k = 0; k < FLIP_ITERS; k++) {
        fc.counts[i]++; /* only this goroutine writes it */
        go_yield();
    }
    wg_done(fc.wg);
}

static void *flipper(void *p)
{
    (void)p;
    int expect_prev = go_maxprocs(0);
    for (int f = 0; f < FLIPS; f++) {
        int n = (f % 2 == 0) ? 1 : 4;
        int prev = go_maxprocs(n);
        if (prev != expect_prev)
            fc.bad_returns++;
        expect_prev = n;
        fc.flips++;
        if (f == 0)
            wg_done(fc.flipping);
    }
    return NULL;
}

/* goroutines spin with go_yield while another thread flips GOMAXPROCS between
 * 1 and 4: every goroutine finishes and counts exactly */
static void test_maxprocs_changes_under_load(void **state)
{
    (void)state;
    int cur = go_maxprocs(0);
    memset(&fc, 0, sizeof fc);
    fc.wg = wg_new();
    fc.flipping = wg_new();
    assert_non_null(fc.wg);
    assert_non_null(fc.flipping);
    TU_ASSERT_OK(wg_add(fc.wg, FLIP_G));
    TU_ASSERT_OK(wg_add(fc.flipping, 1));
    for (int i = 0; i < FLIP_G; i++)
        TU_ASSERT_OK(go_spawn(flip_worker, (void *)(intptr_t)i));
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, flipper, NULL), 0);
    TU_ASSERT_OK(wg_wait(fc.wg));
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(go_maxprocs(cur), 4); /* the last flip set 4 */

    assert_int_equal(fc.bad_returns, 0);
    assert_int_equal(fc.flips, FLIPS);
    for (int i = 0; i < FLIP_G; i++)
        assert_int_equal(fc.counts[i], FLIP_ITERS);
    assert_int_equal(go_maxprocs(0), cur);
    wg_free(fc.wg);
    wg_free(fc.flipping);
}

typedef struct parallel_ctx {
    go_wg_t *wg;
    atomic_int executing;
    atomic_int max_executing;
} parallel_ctx_t;

static parallel_ctx_t pc;

static void parallel_worker(void *p)
{
    (void)p;
    for (int k = 0; k < 100; k++) {
        int now = atomic_fetch_add(&pc.executing, 1) + 1;
        int m = atomic_load(&pc.max_executing);
        while (now > m && !atomic_compare_exchange_weak(&pc.max_executing, &m, now)) {
        }
        /* stay "executing" a little while, without a scheduling point */
        for (volatile int spin = 0; spin < 20000; spin++) {
        }
        atomic_fetch_sub(&pc.executing, 1);
        go_yield();
    }
    wg_done(pc.wg);
}

static void check_parallelism_limit(int procs)
{
    int prev = go_maxprocs(procs);
    memset(&pc, 0, sizeof pc);
    pc.wg = wg_new();
    assert_non_null(pc.wg);
    int n = 4 * procs + 4;
    TU_ASSERT_OK(wg_add(pc.wg, n));
    for (int i = 0; i < n; i++)
        TU_ASSERT_OK(go_spawn(parallel_worker, NULL));
    TU_ASSERT_OK(wg_wait(pc.wg));
    go_maxprocs(prev);
    int m = atomic_load(&pc.max_executing);
    print_message("GOMAXPROCS=%d: at most %d goroutines executed at once\n", procs, m);
    if (m < 1 || m > procs)
        fail_msg("with GOMAXPROCS=%d, %d goroutines executed at once", procs, m);
    wg_free(pc.wg);
}

static void test_maxprocs_limits_parallelism(void **state)
{
    (void)state;
    check_parallelism_limit(go_maxprocs(0));
    check_parallelism_limit(1);
    check_parallelism_limit(2);
}

/* A goroutine that loops without calling into gort keeps its P; the other Ps
 * keep running the other goroutines (gort/runtime.h). With GOMAXPROCS=2, a
 * goroutine spinning on a flag is released by a goroutine spawned after it.
 * The spin is bounded (5 s) so that a failure cannot hang the test. */
typedef struct hog_ctx {
    go_wg_t *wg;
    atomic_int flag;
    atomic_int hog_running;
    int64_t waited;
    /* When a round stalls, what the hog saw (the failure message shows it):
     * the phases below, as relaxed stores so that TSan's instrumentation
     * adds no lock to them, and a look at the scheduler taken after 1 s. */
    atomic_llong t_hog, t_spawned, t_setter, t_stored;
    atomic_llong setter_id;
    char diag[512];
} hog_ctx_t;

static hog_ctx_t hc;

static const char *gstate_name(int st)
{
    switch (st) {
    case GO_GSTATE_RUNNING: return "running";
    case GO_GSTATE_RUNNABLE: return "runnable";
    case GO_GSTATE_WAITING: return "waiting";
    case GO_GSTATE_SYSCALL: return "syscall";
    default: return "gone";
    }
}

/* The hog has spun 1 s with its partner not done: record where the partner
 * is and what the scheduler holds (idle Ps, spinning and idle Ms, queues). */
static void hog_diagnose(int64_t t0)
{
    int64_t sp = atomic_load_explicit(&hc.t_spawned, memory_order_relaxed);
    int64_t st = atomic_load_explicit(&hc.t_setter, memory_order_relaxed);
    int64_t sd = atomic_load_explicit(&hc.t_stored, memory_order_relaxed);
    go_id_t sid = (go_id_t)atomic_load_explicit(&hc.setter_id, memory_order_relaxed);
    static go_goroutine_t gs[64];
    gs[0].size = sizeof gs[0];
    long n = go_goroutines(gs, 64, 0);
    const char *state = "not found";
    for (long i = 0; i < n && i < 64; i++)
        if (gs[i].id == sid)
            state = gstate_name(gs[i].state);
    static const char *names[] = {
        "/gort/sched/procs/idle:procs",        "/gort/sched/threads/spinning:threads",
        "/gort/sched/threads/idle:threads",    "/gort/sched/threads/ms:threads",
        "/gort/sched/runqueue/global:goroutines", "/gort/sched/runqueue/local:goroutines",
        "/sched/goroutines/running:goroutines", "/sched/goroutines/runnable:goroutines",
    };
    go_metric_sample_t ms[8];
    memset(ms, 0, sizeof ms);
    for (int i = 0; i < 8; i++)
        ms[i].name = names[i];
    go_metrics_read(ms, 8);
    unsigned long long v[8];
    for (int i = 0; i < 8; i++)
        v[i] = ms[i].kind == GO_METRIC_UINT64 ? (unsigned long long)ms[i].value.u64 : 999999;
    char at[3][24];
    int64_t ts[3] = {sp, st, sd};
    for (int i = 0; i < 3; i++) {
        if (ts[i] == 0)
            snprintf(at[i], sizeof at[i], "not yet");
        else
            snprintf(at[i], sizeof at[i], "at %+.1f ms", (double)(ts[i] - t0) / TU_MS);
    }
    snprintf(hc.diag, sizeof hc.diag,
             "after 1 s: partner goroutine %lld %s (times from the hog's start: its go_spawn "
             "returned %s, it started %s, its store was done %s); idle Ps %llu, spinning Ms %llu, "
             "idle Ms %llu, Ms %llu, global queue %llu, local queues %llu, running %llu, "
             "runnable %llu",
             (long long)sid, state, at[0], at[1], at[2], v[0], v[1], v[2], v[3], v[4], v[5], v[6],
             v[7]);
    fprintf(stderr, "hog: %s\n", hc.diag);
}

static void hog(void *p)
{
    (void)p;
    atomic_store(&hc.hog_running, 1);
    int64_t t0 = tu_now_ns();
    atomic_store_explicit(&hc.t_hog, t0, memory_order_relaxed);
    bool diagnosed = false;
    int64_t now;
    while (!atomic_load(&hc.flag) && (now = tu_now_ns()) - t0 < 5000 * TU_MS) {
        if (!diagnosed && now - t0 >= 1000 * TU_MS) {
            diagnosed = true;
            hog_diagnose(t0);
        }
    }
    hc.waited = tu_now_ns() - t0;
    wg_done(hc.wg);
}

static void flag_setter(void *p)
{
    (void)p;
    atomic_store_explicit(&hc.t_setter, tu_now_ns(), memory_order_relaxed);
    atomic_store(&hc.flag, 1);
    atomic_store_explicit(&hc.t_stored, tu_now_ns(), memory_order_relaxed);
    wg_done(hc.wg);
}

/* Spawn the hog and then its partner (from this thread, not a goroutine). */
static void spawn_hog_pair(go_fn_t hog_fn, void *hog_arg)
{
    TU_ASSERT_OK(go_spawn(hog_fn, hog_arg));
    int64_t id = go_spawn(flag_setter, NULL);
    atomic_store_explicit(&hc.t_spawned, tu_now_ns(), memory_order_relaxed);
    TU_ASSERT_OK(id);
    atomic_store_explicit(&hc.setter_id, id, memory_order_relaxed);
}

static void test_spinning_goroutine_keeps_only_its_p(void **state)
{
    (void)state;
    int prev = go_maxprocs(2);
    for (int rep = 0; rep < 5; rep++) {
        memset(&hc, 0, sizeof hc);
        hc.wg = wg_new();
        assert_non_null(hc.wg);
        TU_ASSERT_OK(wg_add(hc.wg, 2));
        spawn_hog_pair(hog, NULL);
        TU_ASSERT_OK(wg_wait(hc.wg));
        wg_free(hc.wg);
        if (!atomic_load(&hc.flag) || hc.waited >= 5000 * TU_MS) {
            go_maxprocs(prev);
            fail_msg("with GOMAXPROCS=2, a goroutine spawned after a spinning one did not "
                     "run for %lld ms; %s", (long long)(hc.waited / TU_MS), hc.diag);
        }
    }
    go_maxprocs(prev);
}

/* The same pair over and over for 2 s, each spawned while the Ms that ran
 * the last one go idle (the hog lingers 0-40 us after wg_done, a different
 * time each round). A spinning M that takes both from the global queue runs
 * the hog and keeps the other in its local queue while the other M drops its
 * P; one of the two must see to it that the second goroutine runs
 * (invariant 5 of core/sched.hpp). */
static void hog_then_linger(void *p)
{
    hog(NULL);
    int64_t t0 = tu_now_ns();
    while (tu_now_ns() - t0 < (int64_t)(intptr_t)p) {
    }
}

static void test_spawn_after_spinning_goroutine_repeatedly(void **state)
{
    (void)state;
    int prev = go_maxprocs(2);
    unsigned seed = 12345;
    int64_t end = tu_now_ns() + 2000 * TU_MS;
    for (int rep = 0; tu_now_ns() < end; rep++) {
        memset(&hc, 0, sizeof hc);
        hc.wg = wg_new();
        assert_non_null(hc.wg);
        TU_ASSERT_OK(wg_add(hc.wg, 2));
        seed = seed * 1103515245u + 12345u;
        spawn_hog_pair(hog_then_linger, (void *)(intptr_t)((seed >> 8) % 40000));
        TU_ASSERT_OK(wg_wait(hc.wg));
        wg_free(hc.wg);
        if (!atomic_load(&hc.flag) || hc.waited >= 5000 * TU_MS) {
            go_maxprocs(prev);
            fail_msg("round %d: with GOMAXPROCS=2 and a P idle, a goroutine spawned after a "
                     "spinning one did not run for %lld ms; %s", rep,
                     (long long)(hc.waited / TU_MS), hc.diag);
        }
    }
    go_maxprocs(prev);
}

/* go_maxprocs: "when lowering, the call returns once the removed processors
 * have stopped executing goroutines". Workers bracket a busy loop (no gort
 * call inside) with an "executing" counter; once go_maxprocs(n) returns, the
 * counter must never be seen above n. */
typedef struct lower_ctx {
    go_wg_t *started, *finished;
    atomic_int executing;
    atomic_int stop;
} lower_ctx_t;

static lower_ctx_t lc;

static void lower_worker(void *p)
{
    (void)p;
    wg_done(lc.started);
    while (!atomic_load(&lc.stop)) {
        atomic_fetch_add(&lc.executing, 1);
        for (volatile int spin = 0; spin < 5000; spin++) {
        }
        atomic_fetch_sub(&lc.executing, 1);
        go_yield();
    }
    wg_done(lc.finished);
}

static int observe_max_executing(int64_t ns)
{
    int m = 0;
    int64_t end = tu_now_ns() + ns;
    while (tu_now_ns() < end) {
        int e = atomic_load(&lc.executing);
        if (e > m)
            m = e;
    }
    return m;
}

static void test_maxprocs_lowering_waits(void **state)
{
    (void)state;
    int prev = go_maxprocs(4);
    memset(&lc, 0, sizeof lc);
    lc.started = wg_new();
    lc.finished = wg_new();
    assert_non_null(lc.started);
    assert_non_null(lc.finished);
    TU_ASSERT_OK(wg_add(lc.started, 8));
    TU_ASSERT_OK(wg_add(lc.finished, 8));
    for (int i = 0; i < 8; i++)
        TU_ASSERT_OK(go_spawn(lower_worker, NULL));
    TU_ASSERT_OK(wg_wait(lc.started));

    int seen[6];
    const int steps[6] = { 1, 4, 2, 4, 1, 3 };
    for (int i = 0; i < 6; i++) {
        go_maxprocs(steps[i]);
        seen[i] = observe_max_executing(20 * TU_MS);
    }
    atomic_store(&lc.stop, 1);
    TU_ASSERT_OK(wg_wait(lc.finished));
    go_maxprocs(prev);
    wg_free(lc.started);
    wg_free(lc.finished);
    for (int i = 0; i < 6; i++)
        if (seen[i] > steps[i])
            fail_msg("after go_maxprocs(%d) returned, %d goroutines executed at once", steps[i],
                     seen[i]);
}

/* ------------------------------------------------------------------------ */
/* errno is saved and restored when a goroutine is switched out and back    */

/* Read and write errno through functions that are not inlined: the address
 * of errno may not be kept across a blocking call (gort/runtime.h). */
static __attribute__((noinline)) void set_errno(int v)
{
    errno = v;
}

static __attribute__((noinline)) int get_errno(void)
{
    return errno;
}

typedef struct errno_ctx {
    go_wg_t *wg;
    go_wg_t *zero_wg;
    atomic_int mismatches;
} errno_ctx_t;

static errno_ctx_t ec;

static void errno_worker(void *p)
{
    int me = (int)(intptr_t)p;
    for (int k = 0; k < 300; k++) {
        int v = 10000 + me * 1000 + k;
        set_errno(v);
        switch (k % 3) {
        case 0:
            go_yield();
            break;
        case 1:
            go_sleep(k % 2 ? 1 : 100000); /* 1 ns or 0.1 ms: parks */
            break;
        default:
            wg_wait(ec.zero_wg); /* returns at once: errno still untouched */
            break;
        }
        if (get_errno() != v)
            atomic_fetch_add(&ec.mismatches, 1);
    }
    wg_done(ec.wg);
}

static void test_errno_across_switches(void **state)
{
    (void)state;
    memset(&ec, 0, sizeof ec);
    ec.wg = wg_new();
    ec.zero_wg = wg_new();
    assert_non_null(ec.wg);
    assert_non_null(ec.zero_wg);
    TU_ASSERT_OK(wg_add(ec.wg, 16));
    for (int i = 0; i < 16; i++)
        TU_ASSERT_OK(go_spawn(errno_worker, (void *)(intptr_t)i));
    TU_ASSERT_OK(wg_wait(ec.wg));
    if (atomic_load(&ec.mismatches) != 0)
        fail_msg("errno changed across go_yield/go_sleep/wg_wait in %d of %d calls",
                 atomic_load(&ec.mismatches), 16 * 300);
    wg_free(ec.wg);
    wg_free(ec.zero_wg);
}

/* ------------------------------------------------------------------------ */
/* GOMAXPROCS and NumCPU at runtime start, in a fresh process (re-exec)     */

typedef struct exec_case {
    const char *gomaxprocs; /* NULL: unset */
    int one_cpu;            /* restrict the affinity mask to one CPU */
} exec_case_t;

static char self_exe[4096];

static void child_exec_print_cpu(void *p)
{
    const exec_case_t *ec_ = p;
    if (ec_->gomaxprocs != NULL)
        setenv("GOMAXPROCS", ec_->gomaxprocs, 1);
    else
        unsetenv("GOMAXPROCS");
    if (ec_->one_cpu) {
        cpu_set_t set;
        TU_CHILD_CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
        int first = 0;
        while (!CPU_ISSET(first, &set))
            first++;
        CPU_ZERO(&set);
        CPU_SET(first, &set);
        TU_CHILD_CHECK(sched_setaffinity(0, sizeof set, &set) == 0);
    }
    char *argv[] = { self_exe, (char *)"--print-cpu", NULL };
    execv(self_exe, argv);
    perror("execv");
    _exit(99);
}

/* runs in the re-executed child */
static int print_cpu(void)
{
    printf("%d %d\n", go_num_cpu(), go_maxprocs(0));
    return 0;
}

static void exec_case(const exec_case_t *c, int *num_cpu, int *maxprocs)
{
    tu_child_t r;
    tu_run_child(child_exec_print_cpu, (void *)c, 20000, &r);
    if (!(r.exited && r.exit_status == 0 && sscanf(r.out, "%d %d", num_cpu, maxprocs) == 2))
        fail_msg("GOMAXPROCS=%s one_cpu=%d: %s", c->gomaxprocs ? c->gomaxprocs : "(unset)",
                 c->one_cpu, tu_child_describe(&r));
    tu_child_free(&r);
}

static void test_start_values(void **state)
{
    (void)state;
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        skip();
    self_exe[n] = '\0';

    int ncpu, procs, c1, p1;
    const exec_case_t unset = { NULL, 0 };
    exec_case(&unset, &ncpu, &procs);
    assert_true(ncpu >= 1);
    assert_int_equal(procs, ncpu); /* GOMAXPROCS unset: NumCPU */

    const exec_case_t three = { "3", 0 };
    exec_case(&three, &c1, &p1);
    assert_int_equal(c1, ncpu);
    assert_int_equal(p1, 3);

    const char *bad[] = { "", "0", "-2", "junk", "2x" };
    for (size_t i = 0; i < TU_ARRAY_LEN(bad); i++) {
        const exec_case_t b = { bad[i], 0 };
        exec_case(&b, &c1, &p1);
        if (p1 != ncpu)
            fail_msg("GOMAXPROCS=\"%s\" gave %d, expected NumCPU %d", bad[i], p1, ncpu);
    }

    /* NumCPU follows the affinity mask */
    const exec_case_t one = { NULL, 1 };
    exec_case(&one, &c1, &p1);
    assert_int_equal(c1, 1);
    assert_int_equal(p1, 1);
    const exec_case_t one_four = { "4", 1 };
    exec_case(&one_four, &c1, &p1);
    assert_int_equal(c1, 1);
    assert_int_equal(p1, 4);
}

/* ------------------------------------------------------------------------ */
/* version and errors                                                       */

static void test_version(void **state)
{
    (void)state;
    assert_non_null(go_version());
    assert_string_equal(go_version(), GORT_VERSION_STRING);
    assert_int_equal(go_version_number(), GORT_VERSION_NUMBER);
    assert_int_equal(GORT_VERSION_NUMBER,
                     GORT_VERSION_MAJOR * 10000 + GORT_VERSION_MINOR * 100 + GORT_VERSION_PATCH);
    char s[32];
    snprintf(s, sizeof s, "%d.%d.%d", GORT_VERSION_MAJOR, GORT_VERSION_MINOR, GORT_VERSION_PATCH);
    assert_string_equal(s, GORT_VERSION_STRING);
}

static void test_strerror(void **state)
{
    (void)state;
    const int codes[] = { GO_EINVAL, GO_ENOMEM, GO_EAGAIN, GO_EOVERFLOW,
                          GO_ESHUTDOWN, GO_EPERM, GO_EALREADY };
    const char *texts[TU_ARRAY_LEN(codes)];
    for (size_t i = 0; i < TU_ARRAY_LEN(codes); i++) {
        assert_true(codes[i] < 0);
        texts[i] = go_strerror(codes[i]);
        assert_non_null(texts[i]);
        assert_true(texts[i][0] != '\0');
        assert_string_not_equal(texts[i], "unknown error");
        for (size_t j = 0; j < i; j++) {
            assert_int_not_equal(codes[i], codes[j]);
            assert_string_not_equal(texts[i], texts[j]);
        }
        assert_ptr_equal(go_strerror(codes[i]), texts[i]); /* static */
    }
    assert_non_null(go_strerror(0));
    assert_string_not_equal(go_strerror(0), "unknown error");
    assert_string_equal(go_strerror(-9999), "unknown error");
    assert_string_equal(go_strerror(-ENOENT), "unknown error");
    assert_string_equal(go_strerror(INT_MIN), "unknown error");
}

/* ------------------------------------------------------------------------ */
/* go_main and fork (run in child processes)                                */

typedef struct main_ctx {
    go_id_t main_id;
    int num_inside;
    int nested_rc;
    const char *name;
    long deep_sum;
    int helper_ran;
} main_ctx_t;

static main_ctx_t mctx;
static go_wg_t *main_wg;

static void nested_main(void *p)
{
    (void)p;
    _exit(98); /* must never run */
}

static void main_helper(void *p)
{
    (void)p;
    mctx.helper_ran = 1;
    wg_done(main_wg);
}

static long deep_main(int level)
{
    volatile char buf[4096];
    for (size_t i = 0; i < sizeof buf; i += 64)
        buf[i] = (char)level;
    long s = buf[128];
    if (level > 0)
        s += deep_main(level - 1);
    return s;
}

static void real_main(void *p)
{
    int *arg = p;
    *arg = 1;
    mctx.main_id = go_id();
    mctx.name = go_name();
    mctx.num_inside = go_num_goroutine();
    mctx.nested_rc = go_main(nested_main, NULL);
    /* the main goroutine has a GO_MAIN_STACK_SIZE stack: use 2 MiB of it */
    mctx.deep_sum = deep_main(500);
    main_wg = wg_new();
    wg_add(main_wg, 1);
    go_spawn(main_helper, NULL);
    wg_wait(main_wg);
}

static void *release_after(void *p)
{
    wg_done((go_wg_t *)p);
    return NULL;
}

static void child_go_main(void *unused)
{
    (void)unused;
    int arg = 0;
    TU_CHILD_CHECK(go_main(real_main, &arg) == 0);
    TU_CHILD_CHECK(arg == 1);
    TU_CHILD_CHECK(mctx.main_id >= 1);
    TU_CHILD_CHECK(mctx.name != NULL);
    TU_CHILD_CHECK(mctx.num_inside >= 1);
    TU_CHILD_CHECK(mctx.nested_rc == GO_EPERM);
    TU_CHILD_CHECK(mctx.helper_ran == 1);
    long expect = 0;
    for (int l = 500; l >= 0; l--)
        expect += (char)l;
    TU_CHILD_CHECK(mctx.deep_sum == expect);

    /* the program is over */
    TU_CHILD_CHECK(go_main(real_main, &arg) == GO_EALREADY);
    TU_CHILD_CHECK(go_spawn(must_not_run, NULL) == GO_ESHUTDOWN);
    int x = 1;
    TU_CHILD_CHECK(go_spawn_copy(must_not_run, &x, sizeof x) == GO_ESHUTDOWN);
    TU_CHILD_CHECK(go_spawn_attr(NULL, must_not_run, NULL) == GO_ESHUTDOWN);
    /* argument errors still come first */
    TU_CHILD_CHECK(go_spawn(NULL, NULL) == GO_EINVAL);

    /* foreign threads can still block and release each other */
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    TU_CHILD_CHECK(wg_add(wg, 1) == 0);
    pthread_t t;
    TU_CHILD_CHECK(pthread_create(&t, NULL, release_after, wg) == 0);
    TU_CHILD_CHECK(wg_wait(wg) == 0);
    TU_CHILD_CHECK(pthread_join(t, NULL) == 0);
    wg_free(wg);
    go_sleep(1 * TU_MS);
    TU_CHILD_CHECK(go_id() == 0);
    TU_CHILD_CHECK(go_version() != NULL);
    printf("ok\n");
}

static void test_go_main(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, NULL, 20000, &r);
    if (!(r.exited && r.exit_status == 0 && strcmp(r.out, "ok\n") == 0))
        fail_msg("%s", tu_child_describe(&r));
    tu_child_free(&r);
}

typedef struct eperm_ctx {
    go_wg_t *wg;
    int rc;
} eperm_ctx_t;

static void call_go_main(void *p)
{
    eperm_ctx_t *c = p;
    c->rc = go_main(nested_main, NULL);
    wg_done(c->wg);
}

static void child_go_main_from_goroutine(void *unused)
{
    (void)unused;
    TU_CHILD_CHECK(go_main(NULL, NULL) == GO_EINVAL);
    eperm_ctx_t c = { wg_new(), 0 };
    TU_CHILD_CHECK(c.wg != NULL);
    TU_CHILD_CHECK(wg_add(c.wg, 1) == 0);
    TU_CHILD_CHECK(go_spawn(call_go_main, &c) >= 1);
    TU_CHILD_CHECK(wg_wait(c.wg) == 0);
    TU_CHILD_CHECK(c.rc == GO_EPERM);
    wg_free(c.wg);
    printf("ok\n");
}

static void test_go_main_from_goroutine(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main_from_goroutine, NULL, 20000, &r);
    if (!(r.exited && r.exit_status == 0 && strcmp(r.out, "ok\n") == 0))
        fail_msg("%s", tu_child_describe(&r));
    tu_child_free(&r);
}

static int parent_baseline;

static void child_after_fork(void *unused)
{
    (void)unused;
    /* a fresh runtime: the parent's parked goroutines do not exist here */
    TU_CHILD_CHECK(go_num_goroutine() == parent_baseline);
    TU_CHILD_CHECK(go_id() == 0);
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    TU_CHILD_CHECK(wg_add(wg, 50) == 0);
    for (int i = 0; i < 50; i++)
        TU_CHILD_CHECK(go_spawn(done_fn, wg) >= 1);
    TU_CHILD_CHECK(wg_wait(wg) == 0);
    wg_free(wg);
    printf("ok\n");
}

static void test_fork_child_gets_fresh_runtime(void **state)
{
    (void)state;
    /* park goroutines in the parent, fork, use gort in the child */
    pk.started = wg_new();
    pk.block = wg_new();
    pk.finished = wg_new();
    assert_non_null(pk.started);
    atomic_store(&pk.inside_min, INT_MAX);
    TU_ASSERT_OK(wg_add(pk.started, 20));
    TU_ASSERT_OK(wg_add(pk.block, 1));
    TU_ASSERT_OK(wg_add(pk.finished, 20));
    for (int i = 0; i < 20; i++)
        TU_ASSERT_OK(go_spawn(parked, NULL));
    TU_ASSERT_OK(wg_wait(pk.started));
    parent_baseline = tu_baseline_goroutines;

    tu_child_t r;
    tu_run_child(child_after_fork, NULL, 20000, &r);

    TU_ASSERT_OK(wg_done(pk.block));
    TU_ASSERT_OK(wg_wait(pk.finished));
    wg_free(pk.started);
    wg_free(pk.block);
    wg_free(pk.finished);
    if (!(r.exited && r.exit_status == 0 && strcmp(r.out, "ok\n") == 0))
        fail_msg("%s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* fork while goroutines keep the scheduler busy (spawning, yielding,
 * sleeping on other threads): the child still gets a working runtime, so
 * no lock of the parent's runtime may be inherited held */
typedef struct busy_ctx {
    go_wg_t *finished;
    atomic_int stop;
} busy_ctx_t;

static busy_ctx_t bz;

static void busy_leaf(void *p)
{
    (void)p;
    go_yield();
}

static void busy_worker(void *p)
{
    int i = (int)(intptr_t)p;
    while (!atomic_load(&bz.stop)) {
        go_spawn(busy_leaf, NULL);
        if (i % 2)
            go_yield();
        else
            go_sleep(50000);
    }
    wg_done(bz.finished);
}

static void child_quick_use(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    TU_CHILD_CHECK(wg_add(wg, 20) == 0);
    for (int i = 0; i < 20; i++)
        TU_CHILD_CHECK(go_spawn(done_fn, wg) >= 1);
    TU_CHILD_CHECK(wg_wait(wg) == 0);
    go_sleep(1000);
    printf("ok\n");
}

/* Debian's GCC 12 libasan takes no allocator lock around fork (LLVM's
 * compiler-rt does since 2024: google/sanitizers#1814). A child forked
 * while one of the parent's threads was inside ASan's malloc inherits that
 * size class's lock held, and hangs at its first malloc of that size: the
 * threads it starts block in AsanThread::Init. Seen here as 1 run in 8
 * (gdb on the hung child). glibc's malloc and TSan's lock around fork, so
 * the plain and TSan builds run this test; ASan cannot. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_FORK_UNSAFE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_FORK_UNSAFE_MALLOC 1
#endif
#endif

static void test_fork_while_busy(void **state)
{
    (void)state;
#ifdef TU_FORK_UNSAFE_MALLOC
    skip();
#endif
    memset(&bz, 0, sizeof bz);
    bz.finished = wg_new();
    assert_non_null(bz.finished);
    TU_ASSERT_OK(wg_add(bz.finished, 4));
    for (int i = 0; i < 4; i++)
        TU_ASSERT_OK(go_spawn(busy_worker, (void *)(intptr_t)i));
    int failures = 0;
    tu_child_t r;
    char first[8192] = "";
    for (int k = 0; k < 20; k++) {
        /* 30 s: a TSan child sleeps at exit (atexit_sleep_ms), and four
         * busy goroutines share the two cores with it */
        tu_run_child(child_quick_use, NULL, 30000, &r);
        if (!(r.exited && r.exit_status == 0 && strcmp(r.out, "ok\n") == 0)) {
            if (failures++ == 0)
                snprintf(first, sizeof first, "%s", tu_child_describe(&r));
        }
        tu_child_free(&r);
    }
    atomic_store(&bz.stop, 1);
    TU_ASSERT_OK(wg_wait(bz.finished));
    wg_free(bz.finished);
    if (failures)
        fail_msg("%d of 20 children forked from a busy runtime failed; the first: %s", failures,
                 first);
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-cpu") == 0)
        return print_cpu();
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    initial_maxprocs = go_maxprocs(0);
    if (getenv("RUNTIME_TEST_FILTER") != NULL) /* e.g. RUNTIME_TEST_FILTER='test_spawn_after*' */
        cmocka_set_test_filter(getenv("RUNTIME_TEST_FILTER"));
    if (getenv("RUNTIME_TEST_SKIP") != NULL) /* e.g. RUNTIME_TEST_SKIP='test_fork*' */
        cmocka_set_skip_filter(getenv("RUNTIME_TEST_SKIP"));

    const struct CMUnitTest tests[] = {
        TU_TEST(test_version),
        TU_TEST(test_strerror),
        TU_TEST(test_maxprocs_query_set),
        TU_TEST(test_spawn_ids),
        TU_TEST(test_go_id_not_goroutine),
        TU_TEST(test_spawn_invalid),
        TU_TEST(test_spawn_copy_snapshot),
        TU_TEST(test_spawn_copy_null),
        TU_TEST(test_spawn_copy_one_byte),
        TU_TEST(test_spawn_attr_stack),
        TU_TEST(test_spawn_attr_name),
        TU_TEST(test_spawn_attr_arg_copy),
        TU_TEST(test_spawn_copy_large),
        TU_TEST(test_spawn_attr_older_layout),
        TU_TEST(test_spawn_burst_from_goroutine),
        TU_TEST(test_spawn_tree),
        TU_TEST(test_spawn_from_foreign_threads),
        TU_TEST(test_yield),
        TU_TEST(test_sleep_order),
        TU_TEST(test_sleep_zero_negative),
        TU_TEST(test_sleep_foreign_thread),
        TU_TEST(test_sleep_does_not_hold_thread),
        TU_TEST(test_sleep_many_timers),
        TU_TEST(test_sleep_across_maxprocs_change),
        TU_TEST(test_num_goroutine),
        TU_TEST(test_num_cpu),
        TU_TEST(test_maxprocs_from_goroutine),
        TU_TEST(test_maxprocs_changes_under_load),
        TU_TEST(test_maxprocs_limits_parallelism),
        TU_TEST(test_spinning_goroutine_keeps_only_its_p),
        TU_TEST(test_spawn_after_spinning_goroutine_repeatedly),
        TU_TEST(test_maxprocs_lowering_waits),
        TU_TEST(test_start_values),
        TU_TEST(test_go_main),
        TU_TEST(test_go_main_from_goroutine),
        TU_TEST(test_fork_child_gets_fresh_runtime),
        TU_TEST(test_fork_while_busy),
        TU_TEST(test_errno_across_switches),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
