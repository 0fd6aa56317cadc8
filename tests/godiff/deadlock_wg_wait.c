/* deadlock_wg_wait.c - C twin of deadlock_wg_wait.go: main waits on a
 * WaitGroup whose counter never reaches zero: "goroutine 1 [semacquire]:". */
#include "godiff.h"

static void worker(void *wg)
{
    defer_push(done, wg);
    printf("one worker is done\n");
}

static void real_main(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    wg_add(wg, 2);
    go_spawn(worker, wg);
    wg_wait(wg);
}

DIFF_MAIN(real_main)
