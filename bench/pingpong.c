/* pingpong: two goroutines (main + echo) pass an int back and forth over two
 * unbuffered channels N times. Prints ns per round trip.
 * Usage: pingpong [N=1000000]   (set GOMAXPROCS in the environment)
 *
 * The C mirror of bench/go/pingpong/main.go (the twin of shared/peers/go/pingpong): Go's `chan int` is a
 * channel of int64_t (element size 8, capacity 0); the echo goroutine's
 * `for v := range ping` is a chan_recv loop that ends when it returns 0
 * (closed and drained). Each round trip is two rendezvous: at GOMAXPROCS=1
 * two goroutine switches, at GOMAXPROCS=2 also the cross-thread hand-off. */
#include "bench_common.h"

static const char *prog = "pingpong";

struct bench {
    int64_t n;
    go_chan_t *ping, *pong;
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

static void real_main(void *arg)
{
    struct bench *b = arg;
    const int64_t n = b->n;
    b->ping = chan_new(sizeof(int64_t), 0);
    if (b->ping == NULL)
        bench_fail(prog, "chan_new(ping)", -errno);
    b->pong = chan_new(sizeof(int64_t), 0);
    if (b->pong == NULL)
        bench_fail(prog, "chan_new(pong)", -errno);
    go_id_t id = go_spawn(echo, b);
    if (id < 0)
        bench_fail(prog, "go_spawn", id);

    int64_t v = 0;
    int64_t start = bench_now_ns();
    for (int64_t i = 0; i < n; i++) {
        int rc = chan_send(b->ping, &v); /* ping <- v */
        if (rc < 0)
            bench_fail(prog, "chan_send(ping)", rc);
        rc = chan_recv(b->pong, &v);     /* v = <-pong */
        if (rc != 1)
            bench_fail(prog, "chan_recv(pong)", rc == 0 ? GO_ECLOSED : rc);
    }
    int64_t el = bench_now_ns() - start;
    int rc = chan_close(b->ping);
    if (rc < 0)
        bench_fail(prog, "chan_close(ping)", rc);

    if (v != n) {
        fprintf(stderr, "pingpong: wrong result %lld\n", (long long)v);
        _exit(1);
    }
    char dur[32];
    fprintf(stderr, "pingpong: N=%lld GOMAXPROCS=%d total=%s\n",
            (long long)n, go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)n, 1, "ns/roundtrip");
    /* The channels are not freed: the echo goroutine may still be inside
     * chan_recv(ping) when main returns, and the program ends then, as in
     * Go. */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 1000000) };
    return bench_go_main(prog, real_main, &b);
}
