/* panic_recover: a function panics and a deferred call recovers, N times.
 * The panic value is a preallocated typed value, so the loop itself does not
 * allocate. Prints ns per panic+recover. Usage: panic_recover [N=1000000]
 * The C mirror of bench/go/panic_recover/main.go (the twin of shared/peers/go/panic_recover). */
#include "bench_common.h"

static const char *prog = "panic_recover";

/* errors.New("boom").Error(): a constant string */
static int format_boom(const void *value, char *buf, size_t len)
{
    (void)value;
    if (len >= 5)
        memcpy(buf, "boom", 5);
    return 4;
}

static const go_panic_type_t err_type = { sizeof(go_panic_type_t), "*errors.errorString",
                                          format_boom, NULL };
static int err_boom;
static long recovered;

static void recoverer(void *unused)
{
    (void)unused;
    go_recovered_t r;
    if (panic_recover(&r) && r.value != NULL)
        recovered++;
}

/* Go's panicAndRecover: the defer at function scope is open-coded, so is
 * this one (GO_FRAME + GO_DEFER); the recovered function returns. */
static __attribute__((noinline)) void panicky(void)
{
    GO_FRAME(f) {
        return;
    }
    GO_DEFER(f, recoverer, NULL);
    panic_raise_value(&err_boom, &err_type);
}

struct bench {
    int64_t n;
};

static void real_main(void *arg)
{
    struct bench *b = arg;
    int64_t start = bench_now_ns();
    for (int64_t i = 0; i < b->n; i++)
        panicky();
    int64_t el = bench_now_ns() - start;
    if (recovered != b->n) {
        fprintf(stderr, "panic_recover: recovered=%ld want %lld\n", recovered, (long long)b->n);
        exit(1);
    }
    char dur[32];
    fprintf(stderr, "panic_recover: N=%lld total=%s\n", (long long)b->n, bench_duration(el, dur));
    bench_print_result((double)el / (double)b->n, 1, "ns/panic");
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 1000000) };
    return bench_go_main(prog, real_main, &b);
}
