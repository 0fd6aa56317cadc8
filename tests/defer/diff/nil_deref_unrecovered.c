/* nil_deref_unrecovered.c - C twin of nil_deref_unrecovered.go: an
 * unrecovered NULL store: Go's runtime-error text with its [signal SIGSEGV]
 * line, after the deferred calls ran; status 2. */
#include "diff.h"

static int *volatile nilp;

static void store(int *p)
{
    *p = 1;
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    store(nilp);
}

DIFF_MAIN(real_main)
