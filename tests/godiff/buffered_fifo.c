/* buffered_fifo.c - C twin of buffered_fifo.go: a buffered channel is a
 * FIFO; len counts the values waiting, cap is fixed; the nil channel and an
 * unbuffered one have len and cap 0. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(int), 3);
    printf("empty: len %d cap %d\n", chan_len(ch), chan_cap(ch));
    send_int(ch, 10);
    send_int(ch, 20);
    printf("two sent: len %d cap %d\n", chan_len(ch), chan_cap(ch));
    send_int(ch, 30);
    printf("full: len %d cap %d\n", chan_len(ch), chan_cap(ch));
    printf("received %d\n", recv_int(ch, NULL));
    send_int(ch, 40); /* wraps around the ring */
    for (int i = 0; i < 3; i++) {
        int v = recv_int(ch, NULL);
        printf("received %d len now %d\n", v, chan_len(ch));
    }
    go_chan_t *nilch = NULL;
    printf("nil channel: len %d cap %d\n", chan_len(nilch), chan_cap(nilch));
    go_chan_t *unbuf = chan_new(sizeof(int), 0);
    printf("unbuffered: len %d cap %d\n", chan_len(unbuf), chan_cap(unbuf));
    chan_free(unbuf);
    chan_free(ch);
}

DIFF_MAIN(real_main)
