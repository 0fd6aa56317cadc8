/* wg_negative_recovered.c - C twin of wg_negative_recovered.go: the
 * negative-counter panic of a WaitGroup is recoverable, in the main
 * goroutine and in another one. */
#include "diff.h"

static void catch_panic(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void misuse(void *wg)
{
    defer_push(catch_panic, NULL);
    wg_done(wg);
    printf("not reached\n");
}

static go_wg_t *wg2, *wg3;

static void goroutine(void *unused)
{
    (void)unused;
    defer_push(done, wg2);
    wg3 = wg_new(); /* new(sync.WaitGroup) */
    go_call(misuse, wg3);
}

static void real_main(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    go_call(misuse, wg);
    wg2 = wg_new();
    wg_add(wg2, 1);
    go_spawn(goroutine, NULL);
    wg_wait(wg2);
    printf("main goes on\n");
    wg_free(wg); /* Go's garbage collector does this */
    wg_free(wg3);
    wg_free(wg2);
}

DIFF_MAIN(real_main)
