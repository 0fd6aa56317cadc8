/* ticker_count.c - C twin of ticker_count.go: a ticker sends increasing
 * go_nanotime() values; after go_ticker_stop no more ticks come (one
 * already in the channel may stay, so drain it first). */
#include "godiff.h"

#define MS 1000000LL

static void real_main(void *unused)
{
    (void)unused;
    int64_t start = go_nanotime();
    go_ticker_t *tk = go_ticker_new(5 * MS);
    int64_t prev = start;
    int increasing = 1;
    for (int i = 1; i <= 3; i++) {
        int64_t t;
        chan_recv(go_ticker_chan(tk), &t);
        increasing = increasing && t > prev;
        prev = t;
        printf("tick %d\n", i);
    }
    go_ticker_stop(tk);
    printf("ticks increasing: %s\n", tf(increasing));
    printf("three periods passed: %s\n", tf(go_nanotime() - start >= 15 * MS));
    chan_try_recv(go_ticker_chan(tk), NULL, NULL); /* a tick sent before the stop may remain */
    go_chan_t *after = go_after(30 * MS);
    go_select_case_t c[] = {recv_case(go_ticker_chan(tk), NULL), recv_case(after, NULL)};
    if (go_select(c, 2) == 0)
        printf("tick after Stop\n");
    else
        printf("no tick after Stop\n");
    chan_free(after);
    go_ticker_reset(tk, MS);
    chan_recv(go_ticker_chan(tk), NULL);
    printf("tick after Reset\n");
    go_ticker_stop(tk);
    go_ticker_free(tk);
}

DIFF_MAIN(real_main)
