/* close_range.c - C twin of close_range.go: `for v := range ch` is a
 * receive loop that ends when chan_recv returns 0 (closed and drained). */
#include "godiff.h"

static void producer(void *ch)
{
    for (int i = 1; i <= 6; i++)
        send_int(ch, i * i);
    chan_close(ch);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(int), 2);
    go_spawn(producer, ch);
    int sum = 0, v;
    while (chan_recv(ch, &v) == 1) {
        printf("got %d\n", v);
        sum += v;
    }
    printf("sum %d\n", sum);
    int ok;
    v = recv_int(ch, &ok);
    printf("after the range: %d %s\n", v, tf(ok));
    chan_free(ch);
}

DIFF_MAIN(real_main)
