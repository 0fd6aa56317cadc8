/* unbuffered_pingpong.c - C twin of unbuffered_pingpong.go: each send on an
 * unbuffered channel is a rendezvous, so the lines alternate exactly. */
#include "godiff.h"

static go_chan_t *ping, *pong, *done_ch;

static void ponger(void *unused)
{
    (void)unused;
    for (;;) {
        int ok;
        int n = recv_int(ping, &ok);
        if (!ok) {
            printf("ponger: ping closed\n");
            chan_close(done_ch);
            return;
        }
        printf("pong %d\n", n);
        send_int(pong, n + 1);
    }
}

static void real_main(void *unused)
{
    (void)unused;
    ping = chan_new(sizeof(int), 0);
    pong = chan_new(sizeof(int), 0);
    done_ch = chan_new(0, 0); /* chan struct{} */
    go_spawn(ponger, NULL);
    int n = 0;
    for (int i = 0; i < 5; i++) {
        printf("ping %d\n", n);
        send_int(ping, n);
        n = recv_int(pong, NULL);
    }
    chan_close(ping);
    chan_recv(done_ch, NULL);
    printf("final %d\n", n);
    chan_free(ping);
    chan_free(pong);
    chan_free(done_ch);
}

DIFF_MAIN(real_main)
