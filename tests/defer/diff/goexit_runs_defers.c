/* goexit_runs_defers.c - C twin of goexit_runs_defers.go: go_exit runs the
 * deferred calls of every frame, innermost first, and ends the goroutine. */
#include "diff.h"

static go_wg_t *wg;

static void inner(void *unused)
{
    (void)unused;
    defer_push(say, "inner deferred call");
    go_exit();
    printf("inner: not reached\n");
}

static void worker(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    defer_push(say, "worker deferred call");
    go_call(inner, NULL);
    printf("worker: not reached\n");
}

static void another(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    printf("another goroutine runs normally\n");
}

static void real_main(void *unused)
{
    (void)unused;
    wg = wg_new();
    wg_add(wg, 1);
    go_spawn(worker, NULL);
    wg_wait(wg);
    wg_add(wg, 1);
    go_spawn(another, NULL);
    wg_wait(wg);
    printf("main continues\n");
}

DIFF_MAIN(real_main)
