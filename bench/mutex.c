/* mutex: G goroutines (argv[2], default 2) contend on one go_mutex_t, N
 * lock/unlock pairs in total (N/G each), each critical section increments a
 * shared int. Prints ns per lock+unlock. Usage: mutex [N=10000000] [G=2]
 *
 * The C mirror of bench/go/mutex/main.go (the twin of shared/peers/go/mutex) (sync.Mutex, a WaitGroup
 * for the G workers). With GOMAXPROCS=1 the lock is mostly uncontended (a
 * goroutine keeps its P until it blocks); with GOMAXPROCS >= 2 the workers
 * really contend, and the cost is the spinning, parking and hand-off of
 * gort's port of Go's mutex (normal and starvation modes). */
#include "bench_common.h"

static const char *prog = "mutex";

struct bench {
    int64_t n, g, per;
    go_mutex_t *mu;
    go_wg_t *wg;
    int64_t shared; /* guarded by mu */
};

static void worker(void *arg)
{
    struct bench *b = arg;
    const int64_t per = b->per;
    for (int64_t i = 0; i < per; i++) {
        int rc = mutex_lock(b->mu);
        if (rc < 0)
            bench_fail(prog, "mutex_lock", rc);
        b->shared++;
        rc = mutex_unlock(b->mu);
        if (rc < 0)
            bench_fail(prog, "mutex_unlock", rc);
    }
    int rc = wg_done(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    b->per = b->n / b->g;
    b->mu = mutex_new();
    if (b->mu == NULL)
        bench_fail(prog, "mutex_new", -errno);
    b->wg = wg_new();
    if (b->wg == NULL)
        bench_fail(prog, "wg_new", -errno);
    int rc = wg_add(b->wg, b->g);
    if (rc < 0)
        bench_fail(prog, "wg_add", rc);

    int64_t start = bench_now_ns();
    for (int64_t j = 0; j < b->g; j++) {
        go_id_t id = go_spawn(worker, b);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
    }
    rc = wg_wait(b->wg);
    if (rc < 0)
        bench_fail(prog, "wg_wait", rc);
    int64_t el = bench_now_ns() - start;

    const int64_t total = b->per * b->g;
    if (b->shared != total) {
        fprintf(stderr, "mutex: shared=%lld want %lld\n", (long long)b->shared, (long long)total);
        _exit(1);
    }
    char dur[32];
    fprintf(stderr, "mutex: N=%lld G=%lld GOMAXPROCS=%d total=%s\n",
            (long long)total, (long long)b->g, go_maxprocs(0), bench_duration(el, dur));
    bench_print_result((double)el / (double)total, 1, "ns/op");
    /* The mutex and the WaitGroup are not freed: a worker may still be
     * inside wg_done when wg_wait returns (see spawn_join.c). */
}

int main(int argc, char **argv)
{
    struct bench b = {
        .n = bench_arg_int(argc, argv, 1, 10000000),
        .g = bench_arg_int(argc, argv, 2, 2),
    };
    return bench_go_main(prog, real_main, &b);
}
