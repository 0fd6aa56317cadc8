/* pingpong: two goroutines (main + echo) pass an int back and forth over two
 * unbuffered channels N times. Prints ns per round trip.
 * Usage: pingpong [N=1000000] [PAIRS=1]   (set GOMAXPROCS in the environment)
 *
 * The C mirror of bench/go/pingpong/main.go (the twin of shared/peers/go/pingpong): Go's `chan int` is a
 * channel of int64_t (element size 8, capacity 0); the echo goroutine's
 * `for v := range ping` is a chan_recv loop that ends when it returns 0
 * (closed and drained). Each round trip is two rendezvous: at GOMAXPROCS=1
 * two goroutine switches, at GOMAXPROCS=2 also the cross-thread hand-off.
 *
 * PAIRS > 1 (bench/scaling.sh): PAIRS independent pairs, each a driver
 * goroutine and its echo on their own two channels, each making N/PAIRS
 * round trips; the time from spawning the drivers to the last one's end,
 * divided by the round trips made, is printed (a throughput: it falls as
 * GOMAXPROCS grows when the pairs run in parallel). N must be >= PAIRS.
 * PAIRS = 1 is the program above, main being the driver. */
#include "bench_common.h"

static const char *prog = "pingpong";

struct bench {
    int64_t n, pairs;
    go_chan_t *ping, *pong;
    go_wg_t *wg;        /* PAIRS > 1: the drivers still running */
    struct bench *pair; /* PAIRS > 1: one per pair */
};

static void echo(void *arg)
{
    const struct bench *b = arg;
    int64_t v;
    for (;;) {
        int rc = chan_recv(b->ping, &v); /* for v := range ping */
        if (rc < 0)
            bench_fail(prog, "chan_recv(ping)", rc);
        if (rc == 0)
            return;
        v++;
        rc = chan_send(b->pong, &v); /* pong <- v + 1 */
        if (rc < 0)
            bench_fail(prog, "chan_send(pong)", rc);
    }
}

/* Make b's channels and spawn its echo. */
static void start_pair(struct bench *b)
{
    b->ping = chan_new(sizeof(int64_t), 0);
    if (b->ping == NULL)
        bench_fail(prog, "chan_new(ping)", -errno);
    b->pong = chan_new(sizeof(int64_t), 0);
    if (b->pong == NULL)
        bench_fail(prog, "chan_new(pong)", -errno);
    go_id_t id = go_spawn(echo, b);
    if (id < 0)
        bench_fail(prog, "go_spawn", id);
}

/* b->n round trips with b's echo (the number must come back as b->n). */
static void round_trips(struct bench *b)
{
    int64_t v = 0;
    for (int64_t i = 0; i < b->n; i++) {
        int rc = chan_send(b->ping, &v); /* ping <- v */
        if (rc < 0)
            bench_fail(prog, "chan_send(ping)", rc);
        rc = chan_recv(b->pong, &v);     /* v = <-pong */
        if (rc != 1)
            bench_fail(prog, "chan_recv(pong)", rc == 0 ? GO_ECLOSED : rc);
    }
    if (v != b->n) {
        fprintf(stderr, "pingpong: wrong result %lld\n", (long long)v);
        _exit(1);
    }
}

/* Close ping: the echo's range ends. */
static void end_pair(struct bench *b)
{
    int rc = chan_close(b->ping);
    if (rc < 0)
        bench_fail(prog, "chan_close(ping)", rc);
}

/* One of PAIRS drivers. */
static void driver(void *arg)
{
    struct bench *b = arg;
    start_pair(b);
    round_trips(b);
    end_pair(b);
    int rc = wg_done(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    int64_t total = b->n, el;
    if (b->pairs == 1) {
        start_pair(b);
        int64_t start = bench_now_ns();
        round_trips(b);
        el = bench_now_ns() - start;
        end_pair(b);
    } else {
        const int64_t per = b->n / b->pairs;
        total = per * b->pairs;
        b->wg = wg_new();
        b->pair = calloc((size_t)b->pairs, sizeof *b->pair);
        if (b->wg == NULL || b->pair == NULL)
            bench_fail(prog, "wg_new/calloc", -ENOMEM);
        int rc = wg_add(b->wg, b->pairs);
        if (rc < 0)
            bench_fail(prog, "wg_add", rc);
        int64_t start = bench_now_ns();
        for (int64_t j = 0; j < b->pairs; j++) {
            b->pair[j] = (struct bench){ .n = per, .pairs = 1, .wg = b->wg };
            go_id_t id = go_spawn(driver, &b->pair[j]);
            if (id < 0)
                bench_fail(prog, "go_spawn", id);
        }
        rc = wg_wait(b->wg);
        if (rc < 0)
            bench_fail(prog, "wg_wait", rc);
        el = bench_now_ns() - start;
    }
    char dur[32];
    if (b->pairs == 1)
        fprintf(stderr, "pingpong: N=%lld GOMAXPROCS=%d total=%s\n",
                (long long)total, go_maxprocs(0), bench_duration(el, dur));
    else
        fprintf(stderr, "pingpong: N=%lld pairs=%lld GOMAXPROCS=%d total=%s\n",
                (long long)total, (long long)b->pairs, go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)total, 1, "ns/roundtrip");
    /* The channels, WaitGroup and pairs are not freed: an echo goroutine
     * may still be inside chan_recv(ping) when main returns (a driver may
     * still be inside wg_done), and the program ends then, as in Go. */
}

int main(int argc, char **argv)
{
    struct bench b = {
        .n = bench_arg_int(argc, argv, 1, 1000000),
        .pairs = bench_arg_int(argc, argv, 2, 1),
    };
    if (b.pairs > b.n) {
        fprintf(stderr, "pingpong: PAIRS (%lld) must not exceed N (%lld)\n", (long long)b.pairs,
                (long long)b.n);
        return 2;
    }
    return bench_go_main(prog, real_main, &b);
}
