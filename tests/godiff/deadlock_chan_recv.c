/* deadlock_chan_recv.c - C twin of deadlock_chan_recv.go: main receives from
 * a channel nobody sends on: the deadlock fatal error, status 2; stdout
 * printed before reaches the pipe, deferred calls do not run. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call: must not run");
    go_chan_t *ch = chan_new(sizeof(int), 0);
    printf("about to block\n");
    recv_int(ch, NULL);
}

DIFF_MAIN(real_main)
