/* goexit_defer_panics.c - C twin of goexit_defer_panics.go: a deferred call
 * run by go_exit panics; nothing recovers it. */
#include "diff.h"

static void panics(void *unused)
{
    (void)unused;
    printf("deferred call panics during Goexit\n");
    panic_raise("P");
}

static void worker(void *unused)
{
    (void)unused;
    defer_push(say, "outer deferred call runs");
    defer_push(panics, NULL);
    go_exit();
    printf("not reached\n");
}

static void real_main(void *unused)
{
    (void)unused;
    go_spawn(worker, NULL);
    block_forever();
}

DIFF_MAIN(real_main)
