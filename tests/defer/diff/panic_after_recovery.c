/* panic_after_recovery.c - C twin of panic_after_recovery.go: after the
 * recovery, a later deferred call's panic is new and printed alone. */
#include "diff.h"

static void panics(void *unused)
{
    (void)unused;
    printf("deferred call panics after the recovery\n");
    panic_raise("B");
}

static void recovers(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(panics, NULL);
    defer_push(recovers, NULL);
    panic_raise("A");
}

DIFF_MAIN(real_main)
