/* sleep_timers: N goroutines each go_sleep(10 ms) then wg_done; prints total
 * wall ms from the first spawn to wg_wait returning (ideal: ~10 ms).
 * Usage: sleep_timers [N=100000] [SLEEP_MS=10]
 *
 * The C mirror of bench/go/sleep_timers/main.go (the twin of shared/peers/go/sleep_timers). It measures the
 * timer heap: N entries added in the spawn phase, all expiring at about the
 * same time, and the wake-up of N parked goroutines. The stderr line gives
 * the spawn phase apart, as Go's does. */
#include "bench_common.h"

static const char *prog = "sleep_timers";

struct bench {
    int64_t n;
    int64_t d; /* the sleep, in ns */
    go_wg_t *wg;
};

static void sleeper(void *arg)
{
    const struct bench *b = arg;
    go_sleep(b->d);
    int rc = wg_done(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    const int64_t n = b->n;
    b->wg = wg_new();
    if (b->wg == NULL)
        bench_fail(prog, "wg_new", -errno);

    int64_t start = bench_now_ns();
    for (int64_t i = 0; i < n; i++) {
        int rc = wg_add(b->wg, 1);
        if (rc < 0)
            bench_fail(prog, "wg_add", rc);
        go_id_t id = go_spawn(sleeper, b);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
    }
    int64_t spawned = bench_now_ns() - start;
    int rc = wg_wait(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_wait", rc);
    int64_t el = bench_now_ns() - start;

    char d1[32], d2[32], d3[32];
    fprintf(stderr, "sleep_timers: N=%lld sleep=%s GOMAXPROCS=%d spawn_phase=%s total=%s\n",
            (long long)n, bench_duration(b->d, d1), go_maxprocs(0),
            bench_duration(spawned, d2), bench_duration(el, d3));
    bench_print_result((double)el / 1e6, 1, "ms");
    /* The WaitGroup is not freed: see spawn_join.c. */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 100000) };
    int64_t ms = bench_arg_int(argc, argv, 2, 10);
    /* time.Duration(ms) * time.Millisecond: Go's multiplication wraps in
     * int64; do the same (unsigned arithmetic, no undefined overflow). */
    b.d = (int64_t)((uint64_t)ms * 1000000u);
    return bench_go_main(prog, real_main, &b);
}
