/* spawn_join.c - the C side of the Rust binding's spawn+join benchmark.
 *
 * Usage: spawn_join_c [N=100000] [ROUNDS=5]
 * In the main goroutine, ROUNDS times: spawn N goroutines that each call
 * wg_done (wg_add(wg, 1); go_spawn(worker, wg)), then wg_wait. Prints one
 * line: "c spawn_join N=... rounds=... median_ns=... best_ns=..." where
 * the times are per goroutine. src/main.rs is the Rust mirror; run.sh runs
 * both in one invocation and prints the ratio. */
#include <gort.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long n = 100000;
static int rounds = 5;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void worker(void *arg)
{
    if (wg_done((go_wg_t *)arg) < 0)
        abort();
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void real_main(void *unused)
{
    (void)unused;
    double t[64];
    for (int r = 0; r < rounds; r++) {
        /* Not freed: a worker may still be inside wg_done (after the
         * counter reached zero) when wg_wait returns. */
        go_wg_t *wg = wg_new();
        if (wg == NULL)
            abort();
        double start = now_ns();
        for (long long i = 0; i < n; i++) {
            if (wg_add(wg, 1) < 0 || go_spawn(worker, wg) < 0)
                abort();
        }
        if (wg_wait(wg) < 0)
            abort();
        t[r] = (now_ns() - start) / (double)n;
    }
    qsort(t, (size_t)rounds, sizeof t[0], cmp);
    printf("c spawn_join N=%lld rounds=%d median_ns=%.1f best_ns=%.1f\n", n, rounds, t[rounds / 2], t[0]);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        n = atoll(argv[1]);
    if (argc > 2)
        rounds = atoi(argv[2]);
    if (n <= 0 || rounds <= 0 || rounds > 64) {
        fprintf(stderr, "usage: spawn_join_c [N>0] [1<=ROUNDS<=64]\n");
        return 2;
    }
    return go_main(real_main, NULL) < 0;
}
