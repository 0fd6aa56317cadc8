/* wg_negative_goroutine.c - C twin of wg_negative_goroutine.go: a wg_done on
 * a zero counter in a goroutine that is not main; only that goroutine's
 * deferred calls run, then status 2. */
#include "godiff.h"

static void worker(void *wg)
{
    defer_push(say, "the goroutine's deferred call runs");
    wg_done(wg);
    printf("first Done\n");
    wg_done(wg);
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "main's deferred call: must not run");
    go_wg_t *wg = wg_new();
    go_chan_t *block = chan_new(sizeof(int), 0);
    wg_add(wg, 1);
    go_spawn(worker, wg);
    recv_int(block, NULL);
}

DIFF_MAIN(real_main)
