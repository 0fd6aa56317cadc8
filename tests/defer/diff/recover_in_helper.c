/* recover_in_helper.c - C twin of recover_in_helper.go. Go's helper() is a
 * function call, a frame: in C it is go_call(helper, ...). (A plain C call
 * would not open a frame, and gort counts a recover there as direct: see
 * gort/defer.h; tests/defer/test_defer.c checks that rule.) */
#include "diff.h"

static void outer(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("outer deferred call recovers: %s\n", rtext(ok, &r));
}

static void helper(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("helper: %s\n", rtext(ok, &r));
}

static void deferred(void *unused)
{
    (void)unused;
    go_call(helper, NULL);
    printf("deferred call goes on\n");
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(outer, NULL);
    defer_push(deferred, NULL);
    panic_raise("A");
}

DIFF_MAIN(real_main)
