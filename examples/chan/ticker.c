/* ticker.c - a ticker delivers the time on its channel at a fixed period;
 * Stop ends the ticks and Reset changes the period.
 *
 *     ticker := time.NewTicker(10 * time.Millisecond)
 *     for i := 1; i <= 5; i++ {
 *         t := <-ticker.C
 *         ...
 *     }
 *     ticker.Stop()
 *
 * Each tick carries the go_nanotime() of the moment it fired (Go's
 * time.Time; here an int64_t of nanoseconds). The ticker's channel has room
 * for one tick: a receiver that falls behind finds one tick waiting and the
 * others dropped, never a backlog. So how many ticks fire in a given time
 * depends on the machine, but "the fifth tick fired at least five periods
 * after the start" does not: that is what this example prints, with the
 * tick counts of its loops, so its output is the same on every run.
 * Go twin: go/ticker.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

#define MS 1000000LL /* time.Millisecond, in nanoseconds */

static const char *yes_no(int b)
{
    return b ? "true" : "false";
}

static void real_main(void *unused)
{
    (void)unused;
    int64_t start = go_nanotime();
    go_ticker_t *ticker = go_ticker_new(10 * MS);
    if (ticker == NULL) {
        perror("go_ticker_new");
        exit(1);
    }
    go_chan_t *c = go_ticker_chan(ticker); /* ticker.C: belongs to the ticker */

    int64_t t = 0, prev = start;
    int increasing = 1;
    for (int i = 1; i <= 5; i++) {
        chan_recv(c, &t); /* t := <-ticker.C */
        increasing = increasing && t > prev;
        prev = t;
        printf("tick %d\n", i);
    }
    printf("5 ticks, in order: %s, the fifth at least 50ms after the start: %s\n",
           yes_no(increasing), yes_no(t - start >= 50 * MS));

    /* Stop: a tick already in the channel stays there (drop it); after
     * that, no more ticks come. */
    go_ticker_stop(ticker);
    chan_try_recv(c, NULL, NULL);
    go_sleep(30 * MS); /* three periods */
    printf("after Stop, a tick in 30ms: %s\n", yes_no(chan_try_recv(c, NULL, NULL) == 1));

    /* Reset: ticking again, every 20ms from now. */
    int64_t reset = go_nanotime();
    go_ticker_reset(ticker, 20 * MS);
    for (int i = 1; i <= 3; i++) {
        chan_recv(c, &t);
        printf("tick %d after Reset\n", i);
    }
    printf("the third at least 60ms after Reset: %s\n", yes_no(t - reset >= 60 * MS));

    go_ticker_free(ticker); /* stops it and frees it with its channel */
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
