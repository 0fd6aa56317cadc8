/* select_timeout.c - C twin of select_timeout.go: go_after's channel in a
 * select fires when nothing else can, and loses to a case that is ready. */
#include "godiff.h"

#define MS 1000000LL

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *never = chan_new(sizeof(int), 0);
    go_chan_t *after = go_after(10 * MS);
    int v = -1;
    int64_t when;
    {
        go_select_case_t c[] = {recv_case(never, &v), recv_case(after, &when)};
        if (go_select(c, 2) == 0)
            printf("received %d\n", v);
        else
            printf("timeout\n");
    }
    chan_free(after);

    go_chan_t *ready = chan_new(sizeof(int), 1);
    send_int(ready, 5);
    after = go_after(3600 * 1000 * MS);
    {
        go_select_case_t c[] = {recv_case(ready, &v), recv_case(after, &when)};
        if (go_select(c, 2) == 0)
            printf("ready value %d\n", v);
        else
            printf("an hour passed\n");
    }
    chan_free(after); /* cancels the hour-long timer */

    int64_t start = go_nanotime();
    after = go_after(20 * MS);
    chan_recv(after, NULL);
    printf("After waited at least 20 ms: %s\n", tf(go_nanotime() - start >= 20 * MS));
    chan_free(after);

    go_chan_t *z = go_after(0);
    chan_recv(z, NULL);
    printf("After(0) fires\n");
    chan_free(z);
    chan_free(ready);
    chan_free(never);
}

DIFF_MAIN(real_main)
