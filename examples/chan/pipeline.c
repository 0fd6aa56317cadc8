/* pipeline.c - stages connected by channels; each stage closes its output
 * when its input is drained, so the end of the data flows down the pipe.
 *
 *     func sq(in <-chan int) <-chan int {
 *         out := make(chan int)
 *         go func() {
 *             for n := range in { out <- n * n }
 *             close(out)
 *         }()
 *         return out
 *     }
 *
 * Go's `for n := range in` is a loop on chan_recv, which returns 1 for a
 * value and 0 once the channel is closed and drained. Three pipelines:
 *   gen -> sq -> main             the squares, in order (one path: FIFO);
 *   gen -> sq -> sq -> main       stages compose;
 *   gen -> sq, sq -> merge -> main
 *                                 fan-out (two sq stages read one channel)
 *                                 and fan-in (merge closes its output once
 *                                 both inputs are drained, using a
 *                                 WaitGroup); the order of the merged values
 *                                 varies, so main prints their sum and count.
 *
 * In Go the garbage collector reclaims the channels. Here main owns them:
 * each one made is recorded, and main frees them all at the end, once every
 * stage goroutine has returned. Go twin: go/pipeline.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

#define MAX_OBJECTS 16

static go_chan_t *chans[MAX_OBJECTS];
static int nchans;
static go_wg_t *wgs[MAX_OBJECTS];
static int nwgs;

static go_chan_t *make_chan(void) /* make(chan int), recorded for the end */
{
    go_chan_t *c = chan_new(sizeof(long long), 0);
    if (c == NULL || nchans == MAX_OBJECTS) {
        perror("make_chan");
        exit(1);
    }
    return chans[nchans++] = c;
}

/* gen: send from..to, then close. */
struct gen_args {
    go_chan_t *out;
    long long from, to;
};

static void gen_body(void *arg)
{
    const struct gen_args *a = arg;
    for (long long n = a->from; n <= a->to; n++)
        chan_send(a->out, &n);
    chan_close(a->out);
}

static go_chan_t *gen(long long from, long long to)
{
    struct gen_args a = { make_chan(), from, to };
    go_spawn_copy(gen_body, &a, sizeof a);
    return a.out;
}

/* sq: square every value of in, until in is closed; then close out. */
struct pipe_args {
    go_chan_t *in, *out;
    go_wg_t *wg; /* merge's: counts the copying goroutines */
};

static void sq_body(void *arg)
{
    const struct pipe_args *a = arg;
    long long n;
    while (chan_recv(a->in, &n) == 1) { /* for n := range in */
        long long sq = n * n;
        chan_send(a->out, &sq);
    }
    chan_close(a->out);
}

static go_chan_t *sq(go_chan_t *in)
{
    struct pipe_args a = { in, make_chan(), NULL };
    go_spawn_copy(sq_body, &a, sizeof a);
    return a.out;
}

/* merge: copy every value of each input to one output; close the output
 * when all the inputs are drained. */
static void copy_body(void *arg)
{
    const struct pipe_args *a = arg;
    long long n;
    while (chan_recv(a->in, &n) == 1)
        chan_send(a->out, &n);
    wg_done(a->wg);
}

static void closer_body(void *arg)
{
    const struct pipe_args *a = arg;
    wg_wait(a->wg);
    chan_close(a->out);
}

static go_chan_t *merge(go_chan_t **cs, int n)
{
    go_wg_t *wg = wg_new();
    if (wg == NULL || nwgs == MAX_OBJECTS) {
        perror("merge");
        exit(1);
    }
    wgs[nwgs++] = wg;
    go_chan_t *out = make_chan();
    wg_add(wg, n);
    for (int i = 0; i < n; i++) {
        struct pipe_args a = { cs[i], out, wg };
        go_spawn_copy(copy_body, &a, sizeof a);
    }
    struct pipe_args a = { NULL, out, wg };
    go_spawn_copy(closer_body, &a, sizeof a);
    return out;
}

static void real_main(void *unused)
{
    (void)unused;
    long long v;

    printf("squares of 1..10:");
    go_chan_t *squares = sq(gen(1, 10));
    while (chan_recv(squares, &v) == 1)
        printf(" %lld", v);
    printf("\n");

    printf("fourth powers of 1..5:");
    go_chan_t *fourth = sq(sq(gen(1, 5)));
    while (chan_recv(fourth, &v) == 1)
        printf(" %lld", v);
    printf("\n");

    go_chan_t *in = gen(1, 100);
    go_chan_t *workers[2] = { sq(in), sq(in) }; /* fan-out: both read in */
    go_chan_t *merged = merge(workers, 2);       /* fan-in */
    long long sum = 0, count = 0;
    while (chan_recv(merged, &v) == 1) {
        sum += v;
        count++;
    }
    printf("sum of the squares of 1..100, two workers: %lld (%lld values)\n", sum, count);

    /* Every channel is closed and drained; once every stage goroutine has
     * returned, nothing uses them any more. */
    while (go_num_goroutine() > 1)
        go_yield();
    for (int i = 0; i < nchans; i++)
        chan_free(chans[i]);
    for (int i = 0; i < nwgs; i++)
        wg_free(wgs[i]);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
