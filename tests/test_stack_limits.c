/* test_stack_limits.c - the stack pool at its limits (core/stack.cpp):
 *   - under an address-space limit (RLIMIT_AS), go_spawn returns GO_EAGAIN
 *     once no stack chunk can be mapped, and every goroutine it did spawn
 *     gets a stack, runs and exits (never "fatal error: runtime: cannot
 *     allocate goroutine stack");
 *   - bursts of parked goroutines reuse the stacks the burst before freed:
 *     resident memory and address space stay flat from burst to burst.
 *
 * Each case runs in a child forked from the test's main thread; the parent
 * never calls gort, so every child starts a fresh runtime (and a fresh stack
 * pool). Registered three times, with GOMAXPROCS=1, 2 and 4 in the
 * environment. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include <gort.h>

#include "testutil.h"

/* 150 s: the bursts child takes about 20 s under TSan beside another test
 * (2,000 goroutines parked and released ten times) */
#define CHILD_TIMEOUT_MS 150000

/* ASan, TSan and MSan reserve terabytes of shadow address space: an
 * RLIMIT_AS test makes no sense under them (UBSan alone is fine). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SL_SHADOW_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(hwaddress_sanitizer)
#define SL_SHADOW_SANITIZER 1
#endif
#endif
#ifndef SL_SHADOW_SANITIZER
#define SL_SHADOW_SANITIZER 0
#endif

/* valgrind manages the address space itself (and preloads vgpreload_*). */
static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload != NULL && strstr(preload, "vgpreload") != NULL;
}

/* GORT_TEST_LIGHT=1 (the valgrind setup) and the sanitizer builds (TSan
 * needs longer than the 20 s deadline to park 20,000 goroutines ten times
 * on this 2-core machine): smaller bursts. */
static int light(void)
{
    if (SL_SHADOW_SANITIZER)
        return 1;
    const char *s = getenv("GORT_TEST_LIGHT");
    return s != NULL && s[0] != 0 && strcmp(s, "0") != 0;
}

/* VmSize and VmRSS of this process in KiB, and its thread count, from
 * /proc/self/status. */
static long threads_now;
static void vm_kib(long *size, long *rss)
{
    *size = *rss = threads_now = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return;
    char line[256];
    while (fgets(line, sizeof line, f) != NULL) {
        long v;
        if (sscanf(line, "VmSize: %ld kB", &v) == 1)
            *size = v;
        else if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
            *rss = v;
        else if (sscanf(line, "Threads: %ld", &v) == 1)
            threads_now = v;
    }
    fclose(f);
}

/* ------------------------------------------------------------------------ */
/* parked goroutines: each waits on a channel, then counts itself and exits  */

typedef struct herd {
    go_chan_t *gate;  /* closed to wake them all */
    go_wg_t *wg;      /* one per spawned goroutine */
    atomic_long started;
    atomic_long woke;
} herd_t;

static void parked(void *p)
{
    herd_t *h = p;
    int v;
    atomic_fetch_add(&h->started, 1);
    if (chan_recv(h->gate, &v) == 0) /* closed: 0, as Go's v, ok := <-ch with ok false */
        atomic_fetch_add(&h->woke, 1);
    wg_done(h->wg);
}

/* Spawn parked goroutines until go_spawn fails or max are spawned; returns
 * how many, and the failing code in *rc (0 when max was reached). */
static long spawn_parked(herd_t *h, long max, go_id_t *rc)
{
    long n = 0;
    *rc = 0;
    while (n < max) {
        wg_add(h->wg, 1);
        go_id_t id = go_spawn(parked, h);
        if (id < 0) {
            wg_done(h->wg);
            *rc = id;
            break;
        }
        n++;
    }
    return n;
}

/* Wake the herd, wait for every goroutine to return, then for the runtime
 * to count none (a goroutine that called wg_done may not have exited). */
static void release_herd(herd_t *h)
{
    chan_close(h->gate);
    wg_wait(h->wg);
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    while (go_num_goroutine() > 0 && tu_now_ns() < deadline)
        tu_thread_sleep_ns(1 * TU_MS);
}

/* From a thread: wait until n goroutines of the herd have started (each
 * took its stack when it first ran) and parked. */
static void wait_started(herd_t *h, long n)
{
    int64_t deadline = tu_now_ns() + 20000 * TU_MS;
    while (atomic_load(&h->started) < n && tu_now_ns() < deadline)
        tu_thread_sleep_ns(1 * TU_MS);
    TU_CHILD_CHECK(atomic_load(&h->started) == n);
}

static void herd_init(herd_t *h)
{
    h->gate = chan_new(sizeof(int), 0);
    h->wg = wg_new();
    atomic_store(&h->started, 0);
    atomic_store(&h->woke, 0);
    TU_CHILD_CHECK(h->gate != NULL && h->wg != NULL);
}

static void herd_free(herd_t *h)
{
    chan_free(h->gate);
    wg_free(h->wg);
}

/* ------------------------------------------------------------------------ */
/* RLIMIT_AS: GO_EAGAIN, not a fatal error                                   */

/* The whole RLIMIT_AS case runs in one goroutine: past the limit no
 * thread can be created either (a fatal error of its own, as in Go), so the
 * child caps the runtime at GOMAXPROCS threads (GORT_MAXTHREADS), starts
 * them all before the limit, and keeps one goroutine running throughout
 * (work readied by a foreign thread while the only M goes idle could then
 * wait for a thread the cap forbids). */

#define LIMIT_HEADROOM_MIB 384L

typedef struct limits {
    int procs;
    atomic_int warm;      /* warm-up goroutines running at once */
    int64_t warm_deadline;
    long spawned[2];      /* per round */
    long long rc[2];
    long woke[2];
    int left;             /* goroutines besides the round's main at the end */
    atomic_int timer_ran; /* the function timer armed while no stack was left */
    go_wg_t *done;
} limits_t;

static void timer_body(void *p)
{
    limits_t *l = p;
    atomic_store(&l->timer_ran, 1);
}

/* GOMAXPROCS goroutines that wait for each other without a scheduling
 * point need GOMAXPROCS Ms at once. */
static void warm_body(void *p)
{
    limits_t *l = p;
    atomic_fetch_add(&l->warm, 1);
    while (atomic_load(&l->warm) < l->procs && tu_now_ns() < l->warm_deadline) {
    }
}

/* Set the soft RLIMIT_AS (at most the hard limit). */
static void set_as_limit(rlim_t bytes)
{
    struct rlimit rl;
    TU_CHILD_CHECK(getrlimit(RLIMIT_AS, &rl) == 0);
    rl.rlim_cur = bytes < rl.rlim_max ? bytes : rl.rlim_max;
    TU_CHILD_CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
}

/* Yield until go_num_goroutine() is at most n (bounded). */
static void yield_until_count(int n)
{
    int64_t deadline = tu_now_ns() + 20000 * TU_MS;
    while (go_num_goroutine() > n && tu_now_ns() < deadline)
        go_yield();
}

static void limits_main(void *p)
{
    limits_t *l = p;
    l->warm_deadline = tu_now_ns() + 2000 * TU_MS;
    for (int i = 1; i < l->procs; i++)
        TU_CHILD_CHECK(go_spawn(warm_body, l) >= 1);
    warm_body(l);
    yield_until_count(1);
    /* The limit: what the started runtime maps (its threads' stacks and
     * malloc arenas included) plus room for a few thousand stacks. */
    long size, rss;
    vm_kib(&size, &rss);
    TU_CHILD_CHECK(size > 0);
    set_as_limit((rlim_t)(size + LIMIT_HEADROOM_MIB * 1024) * 1024);
    for (int round = 0; round < 2; round++) {
        /* Round 2 starts after round 1's stacks went back to the pools and
         * the Ps' caches: it must reuse them. */
        herd_t h;
        herd_init(&h);
        go_id_t rc;
        long n = spawn_parked(&h, 1L << 30, &rc);
        /* Every goroutine takes its stack when it first runs: that is where
         * the broken accounting died. Wait until all of them have parked. */
        int64_t deadline = tu_now_ns() + 20000 * TU_MS;
        while (atomic_load(&h.started) < n && tu_now_ns() < deadline)
            go_yield();
        TU_CHILD_CHECK(atomic_load(&h.started) == n);
        go_timer_t *tm = NULL;
        if (round == 0) {
            /* time.AfterFunc while no stack is left: it fires (its spawn
             * fails), and must run once the herd's stacks come back. */
            tm = go_timer_func(1 * TU_MS, timer_body, l);
            TU_CHILD_CHECK(tm != NULL);
            go_sleep(30 * TU_MS);
        }
        chan_close(h.gate);
        wg_wait(h.wg);
        if (tm != NULL) {
            deadline = tu_now_ns() + 10000 * TU_MS;
            while (!atomic_load(&l->timer_ran) && tu_now_ns() < deadline)
                go_sleep(1 * TU_MS);
            go_timer_free(tm);
        }
        yield_until_count(1);
        l->spawned[round] = n;
        l->rc[round] = rc;
        l->woke[round] = atomic_load(&h.woke);
        herd_free(&h);
    }
    l->left = go_num_goroutine() - 1;
    wg_done(l->done);
}

static void child_rlimit(void *arg)
{
    (void)arg;
    limits_t l = {.procs = tu_env_gomaxprocs()};
    if (l.procs <= 0) {
        l.procs = 2;
        setenv("GOMAXPROCS", "2", 1);
    }
    char buf[16];
    snprintf(buf, sizeof buf, "%d", l.procs);
    setenv("GORT_MAXTHREADS", buf, 1);
    atomic_store(&l.warm, 0);
    l.done = wg_new();
    TU_CHILD_CHECK(l.done != NULL);
    wg_add(l.done, 1);
    TU_CHILD_CHECK(go_spawn(limits_main, &l) >= 1);
    wg_wait(l.done);
    printf("%ld %lld %ld %ld %lld %ld %d %d\n", l.spawned[0], l.rc[0], l.woke[0], l.spawned[1],
           l.rc[1], l.woke[1], l.left, atomic_load(&l.timer_ran));
}

static void test_rlimit_as_eagain(void **state)
{
    (void)state;
    if (SL_SHADOW_SANITIZER) {
        print_message("skipped: the sanitizer reserves terabytes of address space\n");
        return;
    }
    if (under_valgrind()) {
        print_message("skipped under valgrind: it manages the address space itself\n");
        return;
    }
    tu_child_t r;
    tu_run_child(child_rlimit, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("the child did not exit cleanly; %s", tu_child_describe(&r));
    long s1, w1, s2, w2;
    long long rc1, rc2;
    int left, timer_ran;
    if (sscanf(r.out, "%ld %lld %ld %ld %lld %ld %d %d", &s1, &rc1, &w1, &s2, &rc2, &w2, &left,
               &timer_ran) != 8)
        fail_msg("unexpected child output; %s", tu_child_describe(&r));
    print_message("RLIMIT_AS +%ld MiB: round 1 spawned %ld (%s), round 2 %ld (%s)\n",
                  LIMIT_HEADROOM_MIB, s1, go_strerror((int)rc1), s2, go_strerror((int)rc2));
    /* A spawn fails for want of a stack chunk (or, if the limit falls just
     * so, of a G slab: GO_ENOMEM), never for reaching the huge cap. */
    if (rc1 != GO_EAGAIN && rc1 != GO_ENOMEM)
        fail_msg("round 1 ended with %lld, not GO_EAGAIN", rc1);
    if (rc2 != GO_EAGAIN && rc2 != GO_ENOMEM)
        fail_msg("round 2 ended with %lld, not GO_EAGAIN", rc2);
    /* 384 MiB of 68 KiB slots: thousands, not a handful. */
    assert_true(s1 >= 1000);
    /* Round 2 reused round 1's stacks: about as many fit. */
    assert_true(s2 >= s1 / 2);
    /* Every goroutine spawned got its stack, ran and returned. */
    assert_int_equal(w1, s1);
    assert_int_equal(w2, s2);
    assert_int_equal(left, 0);
    /* A function timer that fired with no stack to spare ran later. */
    assert_int_equal(timer_ran, 1);
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* bursts: a burst after a burst reuses its stacks                           */

enum { BURSTS = 10 };

static void child_bursts(void *arg)
{
    (void)arg;
    /* One malloc arena: glibc gives each new thread an arena of 64 MiB of
     * address space, and the scheduler may start an M more in a later burst
     * (counted, and shown on failure): this test is about stacks. */
    mallopt(M_ARENA_MAX, 1);
    long per_burst = light() ? 2000 : 20000;
    long size[BURSTS], rss[BURSTS], threads[BURSTS];
    for (int b = 0; b < BURSTS; b++) {
        herd_t h;
        herd_init(&h);
        go_id_t rc;
        long n = spawn_parked(&h, per_burst, &rc);
        TU_CHILD_CHECK(n == per_burst);
        wait_started(&h, n); /* all parked at once, each on a stack of its own */
        release_herd(&h);
        TU_CHILD_CHECK(atomic_load(&h.woke) == per_burst);
        TU_CHILD_CHECK(go_num_goroutine() == 0);
        herd_free(&h);
        vm_kib(&size[b], &rss[b]);
        threads[b] = threads_now;
        TU_CHILD_CHECK(size[b] > 0 && rss[b] > 0);
    }
    for (int b = 0; b < BURSTS; b++)
        printf("%ld %ld %ld\n", size[b], rss[b], threads[b]);
}

static void test_bursts_reuse_stacks(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_bursts, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("the child did not exit cleanly; %s", tu_child_describe(&r));
    long size[BURSTS], rss[BURSTS], threads[BURSTS];
    const char *p = r.out;
    for (int b = 0; b < BURSTS; b++) {
        int used;
        if (sscanf(p, "%ld %ld %ld\n%n", &size[b], &rss[b], &threads[b], &used) != 3)
            fail_msg("unexpected child output; %s", tu_child_describe(&r));
        p += used;
    }
    print_message("after burst 2: VmSize %ld KiB, VmRSS %ld KiB, %ld threads; after burst %d: %ld KiB, "
                  "%ld KiB, %ld threads\n",
                  size[1], rss[1], threads[1], BURSTS, size[BURSTS - 1], rss[BURSTS - 1],
                  threads[BURSTS - 1]);
    /* Burst 1 maps and touches the pool; every later one must reuse it. */
    if (size[BURSTS - 1] * 100 > size[1] * 115)
        fail_msg("VmSize grew from %ld KiB after burst 2 to %ld KiB after burst %d", size[1],
                 size[BURSTS - 1], BURSTS);
    if (rss[BURSTS - 1] * 100 > rss[1] * 115)
        fail_msg("VmRSS grew from %ld KiB after burst 2 to %ld KiB after burst %d", rss[1],
                 rss[BURSTS - 1], BURSTS);
    tu_child_free(&r);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rlimit_as_eagain),
        cmocka_unit_test(test_bursts_reuse_stacks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
