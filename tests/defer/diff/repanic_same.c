/* repanic_same.c - C twin of repanic_same.go: recover, then panic again with
 * the recovered message (valid while this deferred call runs; panic_raise
 * copies it). */
#include "diff.h"

static void again(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s - panicking again\n", rtext(ok, &r));
    panic_raise(ok ? r.message : "recover returned nothing");
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(again, NULL);
    panic_raise("A");
}

DIFF_MAIN(real_main)
