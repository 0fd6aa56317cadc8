/* goexit_ends_panic.c - C twin of goexit_ends_panic.go: go_exit in a
 * deferred call during a panic ends the panic (never printed). */
#include "diff.h"

static go_wg_t *wg;

static void goexit(void *unused)
{
    (void)unused;
    go_exit();
}

static void worker(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    defer_push(say, "outer deferred call runs");
    defer_push(goexit, NULL);
    panic_raise("lost");
}

static void real_main(void *unused)
{
    (void)unused;
    wg = wg_new();
    wg_add(wg, 1);
    go_spawn(worker, NULL);
    wg_wait(wg);
    printf("main done\n");
}

DIFF_MAIN(real_main)
