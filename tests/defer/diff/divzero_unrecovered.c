/* divzero_unrecovered.c - C twin of divzero_unrecovered.go: an unrecovered
 * integer division by zero; Go prints no [signal] line for it. */
#include "diff.h"

static volatile int zero = 0;

/* volatile parameters: the compiler cannot assume anything about them (it
 * would turn 1 / b into a comparison, since b == 0 is undefined) */
static int divide(volatile int a, volatile int b)
{
    return a / b;
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    printf("%d\n", divide(7, zero));
}

DIFF_MAIN(real_main)
