/* recover_outside.c - C twin of recover_outside.go: panic_recover returns 0
 * outside a deferred call run by a panic. */
#include "diff.h"

static void at_return(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("deferred call at a normal return: %s\n", rtext(ok, &r));
}

static void normal(void *unused)
{
    (void)unused;
    defer_push(at_return, NULL);
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("in normal(): %s\n", rtext(ok, &r));
}

static void real_main(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("in main: %s\n", rtext(ok, &r));
    go_call(normal, NULL);
    printf("main goes on\n");
}

DIFF_MAIN(real_main)
