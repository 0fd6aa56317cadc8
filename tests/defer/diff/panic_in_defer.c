/* panic_in_defer.c - C twin of panic_in_defer.go: a deferred call panics
 * during a panic; the pending deferred calls run for the new one. */
#include "diff.h"

static void panics(void *unused)
{
    (void)unused;
    printf("deferred call panics\n");
    panic_raise("B");
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "outer deferred call runs");
    defer_push(panics, NULL);
    panic_raise("A");
}

DIFF_MAIN(real_main)
