/* worker_pool.c - C twin of worker_pool.go: three workers share a jobs
 * channel and a results channel; the totals do not depend on who did what. */
#include "godiff.h"

static go_chan_t *jobs, *results;
static go_wg_t *wg, *closer_done;

static void worker(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    int j;
    while (chan_recv(jobs, &j) == 1)
        send_int(results, j * j);
}

static void feeder(void *unused)
{
    (void)unused;
    for (int j = 1; j <= 50; j++)
        send_int(jobs, j);
    chan_close(jobs);
}

static void closer(void *unused)
{
    (void)unused;
    wg_wait(wg);
    chan_close(results);
    wg_done(closer_done);
}

static void real_main(void *unused)
{
    (void)unused;
    jobs = chan_new(sizeof(int), 5);
    results = chan_new(sizeof(int), 5);
    wg = wg_new();
    for (int w = 0; w < 3; w++) {
        wg_add(wg, 1);
        go_spawn(worker, NULL);
    }
    go_spawn(feeder, NULL);
    /* not in the Go program: lets main free wg only once the closer is done
     * with it (Go's garbage collector needs no such thing) */
    closer_done = wg_new();
    wg_add(closer_done, 1);
    go_spawn(closer, NULL);
    int n = 0, sum = 0, r;
    while (chan_recv(results, &r) == 1) {
        n++;
        sum += r;
    }
    printf("results %d sum %d\n", n, sum);
    wg_wait(closer_done);
    wg_free(closer_done);
    wg_free(wg);
    chan_free(results);
    chan_free(jobs);
}

DIFF_MAIN(real_main)
