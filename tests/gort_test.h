/* gort_test.h - helpers for the cmocka tests that link gort.
 *
 * Include after <setjmp.h>, <stdarg.h>, <stddef.h> and <cmocka.h>. */
#ifndef GORT_GORT_TEST_H
#define GORT_GORT_TEST_H

#include <gort.h>

#include "testutil.h"

/* The goroutine count when the test group started (before any test spawned
 * anything); every test must leave the runtime at this count. */
static int tu_baseline_goroutines;

/* A goroutine that called wg_done may not have returned yet when the waiter
 * wakes: poll (bounded, 10 s) until the count is back to target. Until it
 * equals it: the count is read from several counters without a lock, and
 * a goroutine spawned and ended during the read can make it one low for a
 * moment (ASan in CI saw -1 with a baseline of 0). */
static int tu_settle_goroutines(int target)
{
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    int n;
    while ((n = go_num_goroutine()) != target && tu_now_ns() < deadline)
        go_sleep(1 * TU_MS);
    return n;
}

/* Group setup: start the runtime and remember the baseline. */
static int tu_group_setup(void **state)
{
    (void)state;
    tu_baseline_goroutines = go_num_goroutine();
    return tu_baseline_goroutines < 0 ? -1 : 0;
}

/* Per-test teardown: no goroutine may outlive its test. */
static int tu_leak_check(void **state)
{
    (void)state;
    int n = tu_settle_goroutines(tu_baseline_goroutines);
    if (n != tu_baseline_goroutines) {
        print_error("goroutine leak: go_num_goroutine() = %d, baseline %d\n", n,
                    tu_baseline_goroutines);
        return -1;
    }
    return 0;
}

#define TU_TEST(f) cmocka_unit_test_teardown(f, tu_leak_check)

/* Assert that a gort call succeeded, showing go_strerror on failure. */
#define TU_ASSERT_OK(expr)                                                       \
    do {                                                                         \
        long long tu_rc_ = (long long)(expr);                                    \
        if (tu_rc_ < 0)                                                          \
            fail_msg("%s returned %lld (%s)", #expr, tu_rc_, go_strerror((int)tu_rc_)); \
    } while (0)

/* Assert that a gort call returned a given error code. */
#define TU_ASSERT_ERR(expr, code)                                                \
    do {                                                                         \
        long long tu_rc_ = (long long)(expr);                                    \
        if (tu_rc_ != (long long)(code))                                         \
            fail_msg("%s returned %lld (%s), expected %s = %d", #expr, tu_rc_,   \
                     tu_rc_ < 0 ? go_strerror((int)tu_rc_) : "not an error", #code, \
                     (int)(code));                                               \
    } while (0)

#endif /* GORT_GORT_TEST_H */
