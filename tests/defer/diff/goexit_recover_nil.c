/* goexit_recover_nil.c - C twin of goexit_recover_nil.go: panic_recover
 * returns 0 during Goexit. */
#include "diff.h"

static go_wg_t *wg;

static void try_recover(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recover during Goexit: %s\n", rtext(ok, &r));
}

static void worker(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    defer_push(try_recover, NULL);
    go_exit();
    printf("not reached\n");
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
