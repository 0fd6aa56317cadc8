/* pinned_floor.c - the floor under the Java and C# spawn benchmarks: spawn+
 * join of N goroutines from C, pinned (go_spawn_pinned, what every managed
 * goroutine is) and ordinary (go_spawn), joined with a WaitGroup; the median
 * of ROUNDS rounds of each. A managed binding cannot spawn faster than the
 * pinned number. Usage: pinned_floor [N] [ROUNDS]. */
#include <gort.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static go_wg_t *wg;

static void body(void *unused)
{
    (void)unused;
    wg_done(wg);
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double round_us(int n, int pinned)
{
    double t0 = now_us();
    wg_add(wg, n);
    for (int i = 0; i < n; i++) {
        go_id_t id = pinned ? go_spawn_pinned(body, NULL) : go_spawn(body, NULL);
        if (id < 0) {
            fprintf(stderr, "spawn: %s\n", go_strerror((int)id));
            exit(1);
        }
    }
    wg_wait(wg);
    return (now_us() - t0) / n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    double p[64], o[64];
    if (n < 1 || rounds < 1 || rounds > 64)
        return 2;
    wg = wg_new();
    round_us(n / 10, 1);   /* warm up the pinned pool */
    for (int r = 0; r < rounds; r++) {
        p[r] = round_us(n, 1);
        o[r] = round_us(n, 0);
    }
    qsort(p, rounds, sizeof p[0], cmp);
    qsort(o, rounds, sizeof o[0], cmp);
    printf("C floor: %d goroutines spawn+join, median of %d rounds: pinned %.3f us/goroutine, ordinary %.3f us/goroutine\n",
           n, rounds, p[rounds / 2], o[rounds / 2]);
    wg_free(wg);
    return 0;
}
