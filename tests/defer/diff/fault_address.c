/* fault_address.c - C twin of fault_address.go: a store to 0x12345678 is
 * Go's fatal "unexpected fault address", not a recoverable panic. */
#include "diff.h"

static void recovers(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static int *volatile wild = (int *)0x12345678;

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call: must not run");
    defer_push(recovers, NULL);
    *wild = 1;
}

DIFF_MAIN(real_main)
