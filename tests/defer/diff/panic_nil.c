/* panic_nil.c - C twin of panic_nil.go: panic_raise(NULL) is panic(nil);
 * panic_recover returns 1 with all fields NULL, and the frame returns. */
#include "diff.h"

static void recovers(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void f(void *unused)
{
    (void)unused;
    defer_push(recovers, NULL);
    panic_raise(NULL);
}

static void real_main(void *unused)
{
    (void)unused;
    if (go_call(f, NULL) == GO_RECOVERED)
        printf("control came back\n");
    else
        printf("go_call did not return GO_RECOVERED\n");
}

DIFF_MAIN(real_main)
