/* defer: call a function that defers one call (which increments a counter)
 * N times. Variants (argv[2]), as the Go twin's:
 *
 *   open  - GO_FRAME + GO_DEFER: the call recorded in the frame's own slots,
 *           as Go's open-coded defer (the twin's "open")
 *   loop  - go_call + defer_push: the defer record path, as Go's
 *           heap-allocated defer in a loop (the twin's "loop")
 *   frame - GO_FRAME + defer_push: the library call into the frame's slots
 *   none  - baseline: the same call without defer
 *
 * Prints ns per call. Usage: defer [N=100000000] [open|loop|frame|none]
 * The C mirror of bench/go/defer/main.go (the twin of shared/peers/go/defer),
 * run in the main goroutine. */
#include "bench_common.h"

static const char *prog = "defer";

static volatile long counter;

static __attribute__((noinline)) void inc(void *unused)
{
    (void)unused;
    counter++;
}

static __attribute__((noinline)) void open_defer(void)
{
    GO_FRAME(f) {}
    GO_DEFER(f, inc, NULL);
}

static __attribute__((noinline)) void call_defer(void *unused)
{
    (void)unused;
    defer_push(inc, NULL);
}

static __attribute__((noinline)) void frame_defer(void)
{
    GO_FRAME(f) {}
    defer_push(inc, NULL);
}

static __attribute__((noinline)) void no_defer(void)
{
    inc(NULL);
}

struct bench {
    int64_t n;
    const char *variant;
};

static void real_main(void *arg)
{
    struct bench *b = arg;
    int64_t start = 0;
    if (strcmp(b->variant, "open") == 0) {
        start = bench_now_ns();
        for (int64_t i = 0; i < b->n; i++)
            open_defer();
    } else if (strcmp(b->variant, "loop") == 0) {
        start = bench_now_ns();
        for (int64_t i = 0; i < b->n; i++)
            go_call(call_defer, NULL);
    } else if (strcmp(b->variant, "frame") == 0) {
        start = bench_now_ns();
        for (int64_t i = 0; i < b->n; i++)
            frame_defer();
    } else if (strcmp(b->variant, "none") == 0) {
        start = bench_now_ns();
        for (int64_t i = 0; i < b->n; i++)
            no_defer();
    } else {
        fprintf(stderr, "unknown variant \"%s\"\n", b->variant);
        exit(2);
    }
    int64_t el = bench_now_ns() - start;
    if (counter != b->n) {
        fprintf(stderr, "defer: counter=%ld want %lld\n", (long)counter, (long long)b->n);
        exit(1);
    }
    char dur[32];
    fprintf(stderr, "defer: N=%lld variant=%s total=%s\n", (long long)b->n, b->variant,
            bench_duration(el, dur));
    bench_print_result((double)el / (double)b->n, 2, "ns/call");
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 100000000),
                       .variant = argc > 2 ? argv[2] : "open" };
    return bench_go_main(prog, real_main, &b);
}
