/* goexit_panic_recovered.c - C twin of goexit_panic_recovered.go: a panic
 * raised during Goexit is recovered; the Goexit goes on (it cannot be
 * stopped): the remaining deferred calls run and the goroutine ends. */
#include "diff.h"

static go_wg_t *wg;

static void recovers(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void panics(void *unused)
{
    (void)unused;
    panic_raise("P");
}

static void worker(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    defer_push(say, "outer deferred call");
    defer_push(recovers, NULL);
    defer_push(panics, NULL);
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
