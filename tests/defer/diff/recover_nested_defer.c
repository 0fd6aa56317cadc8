/* recover_nested_defer.c - C twin of recover_nested_defer.go: a deferred
 * function is a frame, so it can defer; its own deferred call runs when it
 * returns, not because of the panic, and cannot recover. */
#include "diff.h"

static void outer(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("outer deferred call recovers: %s\n", rtext(ok, &r));
}

static void nested(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("nested deferred call: %s\n", rtext(ok, &r));
}

static void deferred(void *unused)
{
    (void)unused;
    defer_push(nested, NULL); /* tied to this deferred call's own frame */
    printf("deferred call runs\n");
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(outer, NULL);
    defer_push(deferred, NULL);
    panic_raise("A");
}

DIFF_MAIN(real_main)
