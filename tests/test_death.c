/* test_death.c - the ways a gort program ends: Go's panics and fatal errors
 * (exit status 2 and Go's text on stderr), and main returning while other
 * goroutines still exist (exit 0, their work never done).
 *
 * Each case runs in a child forked from the test's main thread (never from a
 * goroutine); the parent never calls gort, so every child starts a fresh
 * runtime. The parent waits for the child, reads its stdout and stderr and
 * checks the exit status and the text.
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

#include <gort.h>

#include "testutil.h"

#define NEGATIVE_PANIC "panic: sync: negative WaitGroup counter"
#define CHILD_TIMEOUT_MS 15000

/* Run fn in a child; assert it exits with `status` and that its stderr
 * starts with `prefix` (when not NULL). The result is left in *r. */
static void run_expect(void (*fn)(void *), void *arg, int status, const char *prefix,
                       tu_child_t *r)
{
    tu_run_child(fn, arg, CHILD_TIMEOUT_MS, r);
    if (!r->exited || r->exit_status != status)
        fail_msg("expected exit status %d; %s", status, tu_child_describe(r));
    if (prefix != NULL && !tu_starts_with(r->err, prefix))
        fail_msg("expected stderr to start with \"%s\"; %s", prefix, tu_child_describe(r));
}

/* Block the calling thread or goroutine forever (a wg that never reaches
 * zero): the child is expected to die before. */
static void block_forever(void)
{
    go_wg_t *never = wg_new();
    wg_add(never, 1);
    wg_wait(never);
    fprintf(stderr, "block_forever returned\n");
    _exit(97);
}

/* ------------------------------------------------------------------------ */
/* negative WaitGroup counter                                               */

static void done_on_zero(void *p)
{
    wg_done((go_wg_t *)p);
    fprintf(stderr, "wg_done on a zero WaitGroup returned\n");
    _exit(96);
}

typedef struct gated_arg {
    go_wg_t *gate; /* opened once the child has printed the id */
    go_wg_t *wg;
} gated_arg_t;

static void gated_done_on_zero(void *p)
{
    gated_arg_t *a = p;
    wg_wait(a->gate);
    done_on_zero(a->wg);
}

static void child_negative_from_goroutine(void *unused)
{
    (void)unused;
    static gated_arg_t a;
    a.gate = wg_new();
    a.wg = wg_new();
    TU_CHILD_CHECK(a.gate != NULL && a.wg != NULL);
    TU_CHILD_CHECK(wg_add(a.gate, 1) == 0);
    go_id_t id = go_spawn(gated_done_on_zero, &a);
    TU_CHILD_CHECK(id >= 1);
    printf("%lld\n", (long long)id);
    fflush(stdout);
    wg_done(a.gate);
    block_forever();
}

static void test_negative_counter_goroutine(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_negative_from_goroutine, NULL, 2, NEGATIVE_PANIC, &r);
    /* Go's text goes on with the goroutine: "goroutine N [running]:" */
    long long id = strtoll(r.out, NULL, 10);
    if (id < 1 || !tu_mentions_goroutine(r.err, id))
        fail_msg("stderr does not name \"goroutine %lld\"; %s", id, tu_child_describe(&r));
    tu_child_free(&r);
}

static void child_negative_from_main_thread(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    done_on_zero(wg);
}

static void test_negative_counter_main_thread(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_negative_from_main_thread, NULL, 2, NEGATIVE_PANIC, &r);
    tu_child_free(&r);
}

static void *done_on_zero_thread(void *p)
{
    done_on_zero(p);
    return NULL;
}

static void child_negative_from_foreign_thread(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    /* the runtime is running (goroutines exist) when the thread panics */
    TU_CHILD_CHECK(wg_add(wg, 1) == 0);
    TU_CHILD_CHECK(wg_done(wg) == 0);
    pthread_t t;
    TU_CHILD_CHECK(pthread_create(&t, NULL, done_on_zero_thread, wg) == 0);
    block_forever();
}

static void test_negative_counter_foreign_thread(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_negative_from_foreign_thread, NULL, 2, NEGATIVE_PANIC, &r);
    tu_child_free(&r);
}

static void add_below_zero(void *p)
{
    go_wg_t *wg = p;
    wg_add(wg, -5); /* 3 - 5 */
    fprintf(stderr, "wg_add below zero returned\n");
    _exit(96);
}

static void child_negative_add(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    TU_CHILD_CHECK(wg_add(wg, 3) == 0);
    TU_CHILD_CHECK(go_spawn(add_below_zero, wg) >= 1);
    block_forever();
}

static void test_negative_counter_add(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_negative_add, NULL, 2, NEGATIVE_PANIC, &r);
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* stack overflow                                                           */

typedef struct overflow_arg {
    go_wg_t *gate; /* opened once the parent knows the id */
} overflow_arg_t;

static void overflower(void *p)
{
    overflow_arg_t *a = p;
    wg_wait(a->gate);
    long r = tu_recurse(0);
    fprintf(stderr, "unbounded recursion returned %ld\n", r);
    _exit(95);
}

typedef struct overflow_case {
    size_t stack_size; /* 0: go_spawn (the default stack) */
    const char *name;
} overflow_case_t;

static void child_overflow(void *p)
{
    const overflow_case_t *oc = p;
    static overflow_arg_t a;
    a.gate = wg_new();
    TU_CHILD_CHECK(a.gate != NULL);
    TU_CHILD_CHECK(wg_add(a.gate, 1) == 0);
    go_id_t id;
    if (oc->stack_size == 0 && oc->name == NULL) {
        id = go_spawn(overflower, &a);
    } else {
        go_attr_t attr;
        go_attr_init(&attr);
        attr.stack_size = oc->stack_size;
        attr.name = oc->name;
        id = go_spawn_attr(&attr, overflower, &a);
    }
    TU_CHILD_CHECK(id >= 1);
    printf("%lld\n", (long long)id);
    fflush(stdout);
    wg_done(a.gate);
    block_forever();
}

static void expect_overflow(const overflow_case_t *oc)
{
    tu_child_t r;
    run_expect(child_overflow, (void *)oc, 2, NULL, &r);
    char *end;
    long long id = strtoll(r.out, &end, 10);
    if (end == r.out || id < 1)
        fail_msg("no goroutine id from the child; %s", tu_child_describe(&r));
    if (strstr(r.err, "stack overflow") == NULL)
        fail_msg("stderr lacks \"stack overflow\"; %s", tu_child_describe(&r));
    if (strstr(r.err, "fatal error: stack overflow") == NULL)
        fail_msg("stderr lacks \"fatal error: stack overflow\" (gort/runtime.h); %s",
                 tu_child_describe(&r));
    /* Go's words (runtime/stack.go), then the goroutine's trace: its
     * header as Go's (no name in it), the recursing frames, Go's limit. */
    if (strstr(r.err, "runtime: goroutine stack exceeds ") != r.err)
        fail_msg("stderr does not start with Go's \"runtime: goroutine stack exceeds\"; %s",
                 tu_child_describe(&r));
    if (oc->stack_size == 64 * 1024 && strstr(r.err, "exceeds 65536-byte limit\n") == NULL)
        fail_msg("the limit is not the stack's 65536 bytes; %s", tu_child_describe(&r));
    if (strstr(r.err, "-byte limit\nruntime: sp=0x") == NULL || strstr(r.err, " stack=[0x") == NULL)
        fail_msg("no Go \"runtime: sp=0x... stack=[0x..., 0x...]\" line; %s", tu_child_describe(&r));
    char header[96];
    snprintf(header, sizeof header, "]\nfatal error: stack overflow\n\ngoroutine %lld [running]:\n", id);
    if (strstr(r.err, header) == NULL)
        fail_msg("stderr lacks \"%s\"; %s", header, tu_child_describe(&r));
    if (strstr(r.err, "\ntu_recurse(...)\n\t") == NULL)
        fail_msg("the trace does not show the recursing function; %s", tu_child_describe(&r));
    if ((oc->stack_size == 0 || oc->stack_size >= 64 * 1024) &&
        strstr(r.err, "\n...additional frames elided...\n") == NULL)
        fail_msg("a trace past 100 frames does not end as Go's; %s", tu_child_describe(&r));
    if (oc->name != NULL && strstr(r.err, oc->name) != NULL)
        fail_msg("the name \"%s\" is in the report (Go's header has none); %s", oc->name,
                 tu_child_describe(&r));
    tu_child_free(&r);
}

static void test_stack_overflow(void **state)
{
    (void)state;
    static const overflow_case_t oc = { 64 * 1024, NULL };
    expect_overflow(&oc);
}

static void test_stack_overflow_named(void **state)
{
    (void)state;
    static const overflow_case_t oc = { 64 * 1024, "deep-recursor" };
    expect_overflow(&oc);
}

static void test_stack_overflow_default_stack(void **state)
{
    (void)state;
    static const overflow_case_t oc = { 0, NULL };
    expect_overflow(&oc);
}

static void test_stack_overflow_min_stack(void **state)
{
    (void)state;
    static const overflow_case_t oc = { GO_STACK_SIZE_MIN, "tiny" };
    expect_overflow(&oc);
}

/* The fallbacks for kernels without MADV_GUARD_INSTALL (docs/stacks.md),
 * forced with GORT_DEBUG_GUARD in the child before its runtime starts:
 * "mprotect" guards each stack with an mprotect'ed page; "none" leaves
 * stacks unguarded with a canary below each, checked at every switch. */
static void child_overflow_guard_mprotect(void *p)
{
    (void)p;
    setenv("GORT_DEBUG_GUARD", "mprotect", 1);
    static const overflow_case_t oc = { 64 * 1024, "mprotected" };
    child_overflow((void *)&oc);
}

static void test_stack_overflow_guard_mprotect(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_overflow_guard_mprotect, NULL, 2, NULL, &r);
    if (strstr(r.err, "fatal error: stack overflow\n\ngoroutine ") == NULL ||
        strstr(r.err, "\ntu_recurse(...)\n") == NULL || strstr(r.err, "mprotected") != NULL)
        fail_msg("expected Go's stack overflow with the recursing goroutine's trace (and no "
                 "name in its header); %s", tu_child_describe(&r));
    tu_child_free(&r);
}

typedef struct canary_arg {
    go_wg_t *parked; /* the neighbour below parks on it forever */
    go_wg_t *ready;
    go_wg_t *gate;   /* opened once the parent knows the overflower's id */
} canary_arg_t;

static void neighbour(void *p)
{
    canary_arg_t *a = p;
    wg_done(a->ready);
    wg_wait(a->parked);
}

static void bounded_overflower(void *p)
{
    canary_arg_t *a = p;
    wg_wait(a->gate);
    /* ~300-byte frames: 20 KiB of them on a 16 KiB stack run 4 KiB or more
     * past its bottom, into the neighbour's slot; then a switch. */
    tu_recursion_limit = 20 * 1024 / 256;
    long r = tu_recurse(0);
    go_yield();
    fprintf(stderr, "overflow not detected (%ld)\n", r);
    _exit(95);
}

static void child_overflow_unguarded(void *p)
{
    (void)p;
    setenv("GORT_DEBUG_GUARD", "none", 1);
    static canary_arg_t a;
    a.parked = wg_new();
    a.ready = wg_new();
    a.gate = wg_new();
    TU_CHILD_CHECK(a.parked != NULL && a.ready != NULL && a.gate != NULL);
    TU_CHILD_CHECK(wg_add(a.parked, 1) == 0 && wg_add(a.ready, 1) == 0 && wg_add(a.gate, 1) == 0);
    go_attr_t attr;
    go_attr_init(&attr);
    attr.stack_size = GO_STACK_SIZE_MIN;
    /* The first slot of the class; the overflower gets the one above it. */
    go_id_t nb = go_spawn_attr(&attr, neighbour, &a);
    TU_CHILD_CHECK(nb >= 1);
    TU_CHILD_CHECK(wg_wait(a.ready) == 0);
    /* Not before the neighbour has left its stack for good: woken by its
     * wg_done, this goroutine can run on another M while the neighbour is
     * still inside wg_done, on the frames the overflow then overwrites (a
     * SIGSEGV there won the race to report, under TSan at P=2). A waiting
     * goroutine whose stack a snapshot can read has saved its context. */
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    for (int parked = 0; !parked && tu_now_ns() < deadline;) {
        go_goroutine_t gs[8];
        gs[0].size = sizeof gs[0];
        long n = go_goroutines(gs, 8, GO_SNAPSHOT_STACKS);
        for (long i = 0; i < n && i < 8; i++)
            if (gs[i].id == nb && gs[i].state == GO_GSTATE_WAITING && gs[i].nframes >= 1)
                parked = 1;
        if (!parked)
            go_sleep(1 * TU_MS);
    }
    go_id_t id = go_spawn_attr(&attr, bounded_overflower, &a);
    TU_CHILD_CHECK(id >= 1);
    printf("%lld\n", (long long)id);
    fflush(stdout);
    wg_done(a.gate);
    block_forever();
}

static void test_stack_overflow_unguarded_canary(void **state)
{
    (void)state;
    tu_child_t r;
    /* Under valgrind, unguarded stacks lie next to each other closer than
     * --max-stackframe, so a switch between two of them can pass for a
     * frame push or pop: valgrind then reports the neighbour's own frames as
     * unaddressable (seen once in CI: the child printed the right fatal
     * error but valgrind's error exit code replaced its status). */
    const char *preload = getenv("LD_PRELOAD");
    if (preload != NULL && strstr(preload, "vgpreload") != NULL) {
        print_message("skipped under valgrind: adjacent unguarded stacks\n");
        return;
    }
    tu_run_child(child_overflow_unguarded, NULL, CHILD_TIMEOUT_MS, &r);
#if defined(__SANITIZE_ADDRESS__)
    /* Without a guard, the overflow writes into the neighbour's stack, whose
     * frames ASan keeps poisoned: ASan may well catch the write first. */
    if (r.exited && r.exit_status == 1 && strstr(r.err, "AddressSanitizer") != NULL) {
        tu_child_free(&r);
        return;
    }
#endif
    /* Under TSan, another M may touch what the overflow overwrote while the
     * detecting M prints its report: TSan then reports that access and exits
     * with its own status (66) before the runtime's _exit(2). Accept that
     * only after the runtime's report. */
    const char *fatal = strstr(r.err, "fatal error: stack overflow");
    const char *tsan = strstr(r.err, "ThreadSanitizer");
    int tsan_after_fatal = r.exited && r.exit_status == 66 && fatal != NULL && tsan != NULL &&
                           tsan > fatal;
    if (!tsan_after_fatal && (!r.exited || r.exit_status != 2))
        fail_msg("expected exit status 2; %s", tu_child_describe(&r));
    char *end;
    long long id = strtoll(r.out, &end, 10);
    if (end == r.out || id < 1)
        fail_msg("no goroutine id from the child; %s", tu_child_describe(&r));
    if (strstr(r.err, "fatal error: stack overflow") == NULL)
        fail_msg("stderr lacks \"fatal error: stack overflow\"; %s", tu_child_describe(&r));
    if (!tu_mentions_goroutine(r.err, id))
        fail_msg("stderr does not name \"goroutine %lld\"; %s", id, tu_child_describe(&r));
    tu_child_free(&r);
}

static void overflowing_main(void *p)
{
    (void)p;
    printf("%lld\n", (long long)go_id());
    fflush(stdout);
    long r = tu_recurse(0);
    fprintf(stderr, "unbounded recursion returned %ld\n", r);
    _exit(95);
}

static void child_overflow_main(void *unused)
{
    (void)unused;
    go_main(overflowing_main, NULL);
    fprintf(stderr, "go_main returned\n");
    _exit(94);
}

/* the main goroutine's 8 MiB stack is guarded too */
static void test_stack_overflow_main_goroutine(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_overflow_main, NULL, 2, NULL, &r);
    long long id = strtoll(r.out, NULL, 10);
    if (id < 1)
        fail_msg("no goroutine id from the child; %s", tu_child_describe(&r));
    if (strstr(r.err, "fatal error: stack overflow") == NULL)
        fail_msg("stderr lacks \"fatal error: stack overflow\"; %s", tu_child_describe(&r));
    if (!tu_mentions_goroutine(r.err, id))
        fail_msg("stderr does not name \"goroutine %lld\"; %s", id, tu_child_describe(&r));
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* main returns: the program is over                                        */

static void never_printer(void *p)
{
    printf("goroutine %d ran after main returned\n", (int)(intptr_t)p);
    fflush(stdout);
}

/* The sleepers wake 500 ms after main started spawning them: main must
 * return before any does, and under TSan on a loaded machine spawning 100
 * goroutines (and starting the Ms they wake) has taken more than 20 ms.
 * Each sleeps until the one instant main read, so no spawn's delay moves
 * a wake-up earlier. */
static int64_t sleepers_wake_at;

static void late_printer(void *p)
{
    go_sleep(sleepers_wake_at - go_nanotime());
    printf("sleeper %d woke after main returned\n", (int)(intptr_t)p);
    fflush(stdout);
}

static void main_leaving_runnable(void *p)
{
    (void)p;
    for (int i = 0; i < 100; i++)
        go_spawn(never_printer, (void *)(intptr_t)i);
    printf("main done\n");
}

static void main_leaving_sleepers(void *p)
{
    (void)p;
    sleepers_wake_at = go_nanotime() + 500 * TU_MS;
    for (int i = 0; i < 100; i++)
        go_spawn(late_printer, (void *)(intptr_t)i);
    printf("main done\n");
}

typedef struct main_case {
    go_fn_t fn;
} main_case_t;

static void child_main_returns(void *p)
{
    const main_case_t *mc = p;
    if (mc->fn == main_leaving_runnable)
        go_maxprocs(1); /* the runnable goroutines cannot start before main returns */
    int rc = go_main(mc->fn, NULL);
    fflush(stdout);
    /* give any goroutine that would (wrongly) still run the time to show */
    tu_thread_sleep_ns(700 * TU_MS);
    exit(rc == 0 ? 0 : 3);
}

static void expect_only_main_output(go_fn_t fn)
{
    tu_child_t r;
    main_case_t mc = { fn };
    run_expect(child_main_returns, &mc, 0, NULL, &r);
    if (strcmp(r.out, "main done\n") != 0)
        fail_msg("expected stdout \"main done\\n\"; %s", tu_child_describe(&r));
    if (r.err_len != 0)
        fail_msg("expected an empty stderr; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

static void test_main_returns_runnable_never_run(void **state)
{
    (void)state;
    expect_only_main_output(main_leaving_runnable);
}

static void test_main_returns_sleepers_never_wake(void **state)
{
    (void)state;
    expect_only_main_output(main_leaving_sleepers);
}

/* a goroutine executing on another thread when main returns stops at its
 * next scheduling point */
static atomic_long spins;

static void spinner(void *p)
{
    wg_done((go_wg_t *)p);
    for (;;) {
        atomic_fetch_add(&spins, 1);
        go_yield();
    }
}

static void main_leaving_spinner(void *p)
{
    (void)p;
    go_wg_t *started = wg_new();
    wg_add(started, 1);
    go_spawn(spinner, started);
    wg_wait(started);
    /* make sure it is really spinning on the other P */
    long s0 = atomic_load(&spins);
    while (atomic_load(&spins) < s0 + 100)
        go_yield();
}

static void child_main_returns_spinner(void *unused)
{
    (void)unused;
    go_maxprocs(2);
    int rc = go_main(main_leaving_spinner, NULL);
    long c1 = atomic_load(&spins);
    tu_thread_sleep_ns(100 * TU_MS);
    long c2 = atomic_load(&spins);
    printf("%ld\n", c2 - c1);
    exit(rc == 0 ? 0 : 3);
}

static void test_main_returns_running_goroutine_stops(void **state)
{
    (void)state;
    tu_child_t r;
    run_expect(child_main_returns_spinner, NULL, 0, NULL, &r);
    long more = strtol(r.out, NULL, 10);
    if (more > 1)
        fail_msg("a goroutine went on %ld scheduling points after main returned; %s", more,
                 tu_child_describe(&r));
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negative_counter_goroutine),
        cmocka_unit_test(test_negative_counter_main_thread),
        cmocka_unit_test(test_negative_counter_foreign_thread),
        cmocka_unit_test(test_negative_counter_add),
        cmocka_unit_test(test_stack_overflow),
        cmocka_unit_test(test_stack_overflow_named),
        cmocka_unit_test(test_stack_overflow_default_stack),
        cmocka_unit_test(test_stack_overflow_min_stack),
        cmocka_unit_test(test_stack_overflow_guard_mprotect),
        cmocka_unit_test(test_stack_overflow_unguarded_canary),
        cmocka_unit_test(test_stack_overflow_main_goroutine),
        cmocka_unit_test(test_main_returns_runnable_never_run),
        cmocka_unit_test(test_main_returns_sleepers_never_wake),
        cmocka_unit_test(test_main_returns_running_goroutine_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
