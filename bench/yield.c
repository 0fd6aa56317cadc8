/* yield: N go_yield() calls split between 2 goroutines (run it with
 * GOMAXPROCS=1 so every yield is a switch to the other goroutine).
 * Prints ns per switch (total / N). Usage: yield [N=10000000]
 *
 * The C mirror of bench/go/yield/main.go (the twin of shared/peers/go/yield), run in the main goroutine. */
#include "bench_common.h"

static const char *prog = "yield";

struct bench {
    int64_t n;
    int64_t per;
    go_wg_t *wg;
};

static void yielder(void *arg)
{
    const struct bench *b = arg;
    const int64_t per = b->per;
    for (int64_t i = 0; i < per; i++)
        go_yield();
    int rc = wg_done(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    b->per = b->n / 2;
    b->wg = wg_new();
    if (b->wg == NULL)
        bench_fail(prog, "wg_new", -errno);
    int rc = wg_add(b->wg, 2);
    if (rc < 0)
        bench_fail(prog, "wg_add", rc);

    int64_t start = bench_now_ns();
    for (int g = 0; g < 2; g++) {
        go_id_t id = go_spawn(yielder, b);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
    }
    rc = wg_wait(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_wait", rc);
    int64_t el = bench_now_ns() - start;

    char dur[32];
    fprintf(stderr, "yield: N=%lld GOMAXPROCS=%d total=%s\n",
            (long long)(2 * b->per), go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)(2 * b->per), 1, "ns/switch");
    /* WaitGroups not freed: see spawn_join.c. */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 10000000) };
    return bench_go_main(prog, real_main, &b);
}
