/* divzero_recovered.c - C twin of divzero_recovered.go: an integer division
 * by zero (SIGFPE) is Go's runtime-error panic, recoverable. */
#include "diff.h"

static volatile int zero = 0;

/* volatile parameters: the compiler cannot assume anything about them (it
 * would turn 1 / b into a comparison, since b == 0 is undefined) */
static int divide(volatile int a, volatile int b)
{
    return a / b;
}

static void catch_panic(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
    printf("runtime error: %s\n", ok && r.is_runtime_error ? "true" : "false");
}

static void f(void *unused)
{
    (void)unused;
    defer_push(catch_panic, NULL);
    printf("%d\n", divide(1, zero));
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(f, NULL);
    printf("main done\n");
}

DIFF_MAIN(real_main)
