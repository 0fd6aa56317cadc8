/* spawn_join: spawn N goroutines that each call wg_done, wait for all.
 * Prints ns per goroutine (spawn + run + exit + WaitGroup bookkeeping).
 * Usage: spawn_join [N=1000000]   (set GOMAXPROCS in the environment)
 *
 * The C mirror of bench/go/spawn_join/main.go (the twin of shared/peers/go/spawn_join): the same loop
 * (wg.Add(1); go func() { wg.Done() }()), run in the main goroutine. */
#include "bench_common.h"

static const char *prog = "spawn_join";

struct bench {
    int64_t n;
};

static void worker(void *arg)
{
    int rc = wg_done((go_wg_t *)arg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    const int64_t n = b->n;
    go_wg_t *wg = wg_new();
    if (wg == NULL)
        bench_fail(prog, "wg_new", -errno);

    int64_t start = bench_now_ns();
    for (int64_t i = 0; i < n; i++) {
        int rc = wg_add(wg, 1);
        if (rc < 0)
            bench_fail(prog, "wg_add", rc);
        go_id_t id = go_spawn(worker, wg);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
    }
    int rc = wg_wait(wg);
    if (rc < 0)
        bench_fail(prog, "wg_wait", rc);
    int64_t el = bench_now_ns() - start;

    char dur[32];
    fprintf(stderr, "spawn_join: N=%lld GOMAXPROCS=%d total=%s\n",
            (long long)n, go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)n, 1, "ns/goroutine");
    /* The WaitGroup is not freed: as in Go, the program ends when main
     * returns, and a worker may still be inside wg_done (after the counter
     * reached zero) when wg_wait returns. */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 1000000) };
    return bench_go_main(prog, real_main, &b);
}
