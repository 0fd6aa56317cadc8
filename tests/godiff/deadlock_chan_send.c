/* deadlock_chan_send.c - C twin of deadlock_chan_send.go: main sends on a
 * full channel nobody receives from: "goroutine 1 [chan send]:". */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(int), 1);
    send_int(ch, 1);
    printf("the buffer holds %d\n", chan_len(ch));
    send_int(ch, 2);
}

DIFF_MAIN(real_main)
