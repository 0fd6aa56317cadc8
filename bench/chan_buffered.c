/* chan_buffered: one producer goroutine sends N ints into a buffered channel
 * of capacity 128 (argv[2]); main receives them all. Prints ns per item.
 * Usage: chan_buffered [N=10000000] [CAP=128]   (set GOMAXPROCS in the env)
 *
 * The C mirror of bench/go/chan_buffered/main.go (the twin of shared/peers/go/chan_buffered): the producer sends
 * 0..N-1 (int64_t) and closes the channel; main's `for v := range ch` is a
 * chan_recv loop that ends when it returns 0. At GOMAXPROCS=1 the two take
 * turns a buffer at a time; at GOMAXPROCS=2 they run at once and the cost
 * is the buffer's synchronisation (and the parking when one side outruns
 * the other). */
#include "bench_common.h"

static const char *prog = "chan_buffered";

struct bench {
    int64_t n;
    int64_t cap;
    go_chan_t *ch;
};

static void producer(void *arg)
{
    const struct bench *b = arg;
    const int64_t n = b->n;
    for (int64_t i = 0; i < n; i++) {
        int rc = chan_send(b->ch, &i);
        if (rc < 0)
            bench_fail(prog, "chan_send", rc);
    }
    int rc = chan_close(b->ch);
    if (rc < 0)
        bench_fail(prog, "chan_close", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    const int64_t n = b->n;
    /* chan_new's own limit (INT32_MAX, allocatable) is the check Go makes at
     * make(): "makechan: size out of range" panics there. */
    b->ch = chan_new(sizeof(int64_t), (size_t)b->cap);
    if (b->ch == NULL)
        bench_fail(prog, "chan_new", -errno);

    int64_t start = bench_now_ns();
    go_id_t id = go_spawn(producer, b);
    if (id < 0)
        bench_fail(prog, "go_spawn", id);
    int64_t sum = 0, v;
    for (;;) {
        int rc = chan_recv(b->ch, &v); /* for v := range ch */
        if (rc < 0)
            bench_fail(prog, "chan_recv", rc);
        if (rc == 0)
            break;
        sum += v;
    }
    int64_t el = bench_now_ns() - start;

    int64_t want = n * (n - 1) / 2;
    if (sum != want) {
        fprintf(stderr, "chan_buffered: sum=%lld want %lld\n", (long long)sum, (long long)want);
        _exit(1);
    }
    char dur[32];
    fprintf(stderr, "chan_buffered: N=%lld cap=%lld GOMAXPROCS=%d total=%s\n",
            (long long)n, (long long)b->cap, go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)n, 1, "ns/item");
    /* The channel is not freed: the producer may still be returning from
     * chan_close when main returns (the program ends then, as in Go). */
}

int main(int argc, char **argv)
{
    struct bench b = {
        .n = bench_arg_int(argc, argv, 1, 10000000),
        .cap = bench_arg_int(argc, argv, 2, 128),
    };
    return bench_go_main(prog, real_main, &b);
}
