/* close_closed_unrecovered.c - C twin of close_closed_unrecovered.go:
 * closing a closed channel panics, here in a goroutine that is not main. */
#include "godiff.h"

static void closer(void *ch)
{
    defer_push(say, "the goroutine's deferred call runs");
    chan_close(ch);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(int), 0);
    chan_close(ch);
    go_chan_t *block = chan_new(sizeof(int), 0);
    go_spawn(closer, ch);
    recv_int(block, NULL);
}

DIFF_MAIN(real_main)
