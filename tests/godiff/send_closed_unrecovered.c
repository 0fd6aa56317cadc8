/* send_closed_unrecovered.c - C twin of send_closed_unrecovered.go: a send
 * on a closed channel panics; the deferred calls run, then status 2. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    go_chan_t *ch = chan_new(sizeof(int), 1);
    chan_close(ch);
    printf("closed\n");
    send_int(ch, 1);
    printf("not reached\n");
}

DIFF_MAIN(real_main)
