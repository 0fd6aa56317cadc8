/* test_million.c - scale (suite 'slow', meson option slow_tests):
 *   1,000,000 goroutines parked at once, then released;
 *   10,000,000 goroutines spawned and finished in batches of 10,000, with
 *   resident memory flat (at most 64 MiB of growth between the first
 *   1,000,000 and the end).
 * Run once, with GOMAXPROCS=2. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "gort_test.h"

enum {
    PARKED_N = 1000000,
    TOTAL_N = 10000000,
    BATCH = 10000,
    RSS_GROWTH_LIMIT_KIB = 64 * 1024,
};

static go_wg_t *started, *block, *finished;

static void parked(void *p)
{
    (void)p;
    wg_done(started);
    wg_wait(block);
    wg_done(finished);
}

static void test_million_parked(void **state)
{
    (void)state;
    started = wg_new();
    block = wg_new();
    finished = wg_new();
    assert_non_null(started);
    assert_non_null(block);
    assert_non_null(finished);
    TU_ASSERT_OK(wg_add(started, PARKED_N));
    TU_ASSERT_OK(wg_add(block, 1));
    TU_ASSERT_OK(wg_add(finished, PARKED_N));

    int64_t t0 = tu_now_ns();
    go_id_t failed = 0;
    int i;
    for (i = 0; i < PARKED_N; i++) {
        go_id_t id = go_spawn(parked, NULL);
        if (id < 1) {
            failed = id;
            break;
        }
    }
    if (failed != 0) {
        /* give back the goroutines that were not started, release the rest */
        wg_add(started, -(int64_t)(PARKED_N - i));
        wg_add(finished, -(int64_t)(PARKED_N - i));
        wg_wait(started);
        wg_done(block);
        wg_wait(finished);
        fail_msg("go_spawn failed after %d goroutines: %lld (%s)", i, (long long)failed,
                 go_strerror((int)failed));
    }
    TU_ASSERT_OK(wg_wait(started));
    int64_t t1 = tu_now_ns();
    int n = go_num_goroutine();
    long rss = tu_vmrss_kib();
    print_message("%d goroutines parked in %.2f s, go_num_goroutine() = %d, VmRSS %ld MiB\n",
                  PARKED_N, (double)(t1 - t0) / 1e9, n, rss / 1024);
    /* check before releasing, but release before asserting */
    int enough = n >= PARKED_N + tu_baseline_goroutines;

    TU_ASSERT_OK(wg_done(block));
    TU_ASSERT_OK(wg_wait(finished));
    int64_t t2 = tu_now_ns();
    print_message("released and finished in %.2f s\n", (double)(t2 - t1) / 1e9);
    if (!enough)
        fail_msg("go_num_goroutine() = %d with %d goroutines parked", n, PARKED_N);
    wg_free(started);
    wg_free(block);
    wg_free(finished);
}

static void done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

static void test_ten_million_sequential(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    long rss_at_1m = -1;
    int64_t t0 = tu_now_ns();
    for (int done = 0; done < TOTAL_N; done += BATCH) {
        TU_ASSERT_OK(wg_add(wg, BATCH));
        for (int i = 0; i < BATCH; i++) {
            go_id_t id = go_spawn(done_fn, wg);
            if (id < 1) {
                wg_add(wg, -(int64_t)(BATCH - i));
                wg_wait(wg);
                fail_msg("go_spawn failed after %d goroutines: %lld (%s)", done + i,
                         (long long)id, go_strerror((int)id));
            }
        }
        TU_ASSERT_OK(wg_wait(wg));
        if (done + BATCH == PARKED_N) {
            tu_settle_goroutines(tu_baseline_goroutines);
            rss_at_1m = tu_vmrss_kib();
        }
    }
    tu_settle_goroutines(tu_baseline_goroutines);
    long rss_end = tu_vmrss_kib();
    int64_t t1 = tu_now_ns();
    print_message("%d goroutines in %.2f s (%.0f ns each); VmRSS after 1,000,000: %ld KiB, "
                  "after %d: %ld KiB\n",
                  TOTAL_N, (double)(t1 - t0) / 1e9, (double)(t1 - t0) / TOTAL_N, rss_at_1m,
                  TOTAL_N, rss_end);
    assert_true(rss_at_1m > 0);
    assert_true(rss_end > 0);
    if (rss_end - rss_at_1m > RSS_GROWTH_LIMIT_KIB)
        fail_msg("VmRSS grew by %ld KiB between 1,000,000 and %d goroutines (limit %d KiB)",
                 rss_end - rss_at_1m, TOTAL_N, RSS_GROWTH_LIMIT_KIB);
    wg_free(wg);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_million_parked),
        TU_TEST(test_ten_million_sequential),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
