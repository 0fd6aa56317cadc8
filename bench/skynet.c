/* skynet: the classic benchmark (github.com/atemerev/skynet). Each node
 * spawns 10 children until size == 1; leaves send their number, parents sum
 * over an unbuffered channel. N=1000000 leaves -> 1,111,111 goroutines in
 * total. Prints total ms. Usage: skynet [N=1000000] (N must be a power of 10)
 *
 * The C mirror of bench/go/skynet/main.go (the twin of shared/peers/go/skynet). Go's `go skynet(rc, subNum,
 * size/div, div)` evaluates its arguments at the go statement: here they are
 * a struct copied by go_spawn_copy. Each inner node makes its channel
 * (chan_new(8, 0): Go's `make(chan int)`) and frees it once it has received
 * its div values, so the channels do not pile up as Go's garbage would
 * until a collection. */
#include "bench_common.h"

static const char *prog = "skynet";

struct node {
    go_chan_t *c;   /* where this node sends its sum */
    int64_t num;
    int64_t size;
    int64_t div;
};

static void skynet(void *arg)
{
    const struct node *a = arg; /* go_spawn_copy's copy, ours until we return */
    int64_t sum;
    if (a->size == 1) {
        sum = a->num;
    } else {
        go_chan_t *rc = chan_new(sizeof(int64_t), 0);
        if (rc == NULL)
            bench_fail(prog, "chan_new", -errno);
        sum = 0;
        for (int64_t i = 0; i < a->div; i++) {
            struct node child = {
                .c = rc,
                .num = a->num + i * (a->size / a->div),
                .size = a->size / a->div,
                .div = a->div,
            };
            go_id_t id = go_spawn_copy(skynet, &child, sizeof child);
            if (id < 0)
                bench_fail(prog, "go_spawn_copy", id);
        }
        for (int64_t i = 0; i < a->div; i++) {
            int64_t v;
            int rc2 = chan_recv(rc, &v);
            if (rc2 != 1)
                bench_fail(prog, "chan_recv", rc2 == 0 ? GO_ECLOSED : rc2);
            sum += v;
        }
        /* Every child's send has completed (its value was received), so no
         * goroutine can be blocked on rc any more. */
        chan_free(rc);
    }
    int rc = chan_send(a->c, &sum);
    if (rc < 0)
        bench_fail(prog, "chan_send", rc);
}

struct bench {
    int64_t n;
};

static void real_main(void *arg)
{
    const int64_t n = ((struct bench *)arg)->n;
    go_chan_t *c = chan_new(sizeof(int64_t), 0);
    if (c == NULL)
        bench_fail(prog, "chan_new", -errno);

    int64_t start = bench_now_ns();
    struct node root = { .c = c, .num = 0, .size = n, .div = 10 };
    go_id_t id = go_spawn_copy(skynet, &root, sizeof root);
    if (id < 0)
        bench_fail(prog, "go_spawn_copy", id);
    int64_t result;
    int rc = chan_recv(c, &result);
    if (rc != 1)
        bench_fail(prog, "chan_recv", rc == 0 ? GO_ECLOSED : rc);
    int64_t el = bench_now_ns() - start;

    int64_t want = n * (n - 1) / 2;
    if (result != want) {
        fprintf(stderr, "skynet: wrong result %lld, want %lld\n", (long long)result, (long long)want);
        _exit(1);
    }
    char dur[32];
    fprintf(stderr, "skynet: N=%lld GOMAXPROCS=%d result=%lld total=%s\n",
            (long long)n, go_maxprocs(0), (long long)result, bench_duration(el, dur));
    bench_print_result((double)el / 1e6, 1, "ms");
    chan_free(c); /* the root's send completed: nobody is blocked on c */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 1000000) };
    return bench_go_main(prog, real_main, &b);
}
