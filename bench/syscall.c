/* syscall: what a blocking system call costs the scheduler.
 * Usage: syscall handoff [N=2000] | syscall overhead [N=2000000]
 *        | syscall blocked [B=2] [PAIRS=100] [N=1000000]
 *
 * The C mirror of bench/go/syscall/main.go (= shared/peers/go/syscall):
 *
 *   handoff   go_maxprocs(1). N times, a fresh goroutine stores t0 and then
 *             blocks in read() on a blocking pipe between go_syscall_enter()
 *             and go_syscall_exit() (what Go's syscall.Read does around the
 *             call: entersyscall/exitsyscall), holding the only P. Main has
 *             called go_yield() (runtime.Gosched) to let it run; when main
 *             runs again (sysmon retook the P and handed it to another
 *             thread) it records now - t0, writes one byte and waits on a
 *             channel for the reader. Prints the p50 in us; stderr has p50,
 *             p90, p99 and max.
 *   overhead  getpid through syscall(SYS_getpid) bracketed by
 *             go_syscall_enter/exit (Go: syscall.Syscall) minus the bare
 *             syscall(SYS_getpid) (Go: syscall.RawSyscall). Prints ns per
 *             call. The stderr field names are Go's (Syscall=, RawSyscall=).
 *   blocked   B goroutines block for the whole run in read() on pipes never
 *             written (between go_syscall_enter/exit); after a 1 ms sleep,
 *             PAIRS pairs of goroutines ping-pong an int64_t over two
 *             unbuffered channels, N/PAIRS round trips each. Prints ns per
 *             round trip. Meant for GOMAXPROCS=2; compare B=2 with B=0.
 *
 * Arguments are Go's argInt of this program: a decimal integer >= 0 (0 is
 * allowed, unlike the other benchmarks: B=0 is blocked's baseline), else
 * `bad argument "..."` and exit status 2. No mode: Go's usage line, status
 * 2; an unknown mode: `unknown mode "..."`, status 2. Where the Go program
 * dies of a runtime error (handoff N=0 indexes an empty slice, blocked
 * PAIRS=0 divides by zero) this one panics with Go's text (status 2).
 *
 * When main returns the program is over, as in Go: blocked's readers are
 * still in read() then, and are left there. */
#define _GNU_SOURCE /* syscall() */
#include "bench_common.h"

#include <stdatomic.h>
#include <sys/syscall.h>

static const char *prog = "syscall";

/* Go's %.1f of a float64 (NaN, +Inf, -Inf spelled as Go spells them). */
static const char *fmt_float1(double v, char buf[64])
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    snprintf(buf, 64, "%.1f", v);
    return buf;
}

/* Go's syscall.Pipe: a blocking pipe (not the netpoller's non-blocking kind).
 * A failure prints the error and exits with status 1, as the Go program. */
static void make_pipe(int fds[2])
{
    if (pipe(fds) != 0) {
        char msg[128]; /* Go's Errno text: strerror's, first letter lower case */
        snprintf(msg, sizeof msg, "%s", strerror(errno));
        if (msg[0] >= 'A' && msg[0] <= 'Z')
            msg[0] = (char)(msg[0] - 'A' + 'a');
        fprintf(stderr, "%s\n", msg);
        _exit(1);
    }
}

/* ------------------------------------------------------------------------ */
/* handoff */

struct handoff {
    int fds[2];
    _Atomic int64_t t0;
    go_chan_t *done; /* chan struct{} */
};

static void handoff_reader(void *arg)
{
    struct handoff *h = arg;
    char buf;
    atomic_store(&h->t0, bench_now_ns());
    go_syscall_enter(); /* syscall.Read: entersyscall, read, exitsyscall */
    ssize_t r = read(h->fds[0], &buf, 1);
    go_syscall_exit();
    (void)r; /* Go ignores Read's result too */
    int rc = chan_send(h->done, NULL); /* done <- struct{}{} */
    if (rc < 0)
        bench_fail(prog, "chan_send(done)", rc);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void handoff(int64_t n)
{
    go_maxprocs(1);
    struct handoff h;
    make_pipe(h.fds);
    atomic_init(&h.t0, 0);
    int64_t *d = malloc((size_t)(n > 0 ? n : 1) * sizeof *d);
    if (d == NULL)
        bench_fail(prog, "malloc", GO_ENOMEM);
    h.done = chan_new(0, 0);
    if (h.done == NULL)
        bench_fail(prog, "chan_new(done)", -errno);
    const char one = 1;
    for (int64_t i = 0; i < n; i++) {
        go_id_t id = go_spawn(handoff_reader, &h);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
        go_yield(); /* the reader runs and blocks in read() holding the only P */
        d[i] = bench_now_ns() - atomic_load(&h.t0);
        go_syscall_enter(); /* syscall.Write */
        ssize_t w = write(h.fds[1], &one, 1);
        go_syscall_exit();
        (void)w;
        int rc = chan_recv(h.done, NULL); /* <-done */
        if (rc != 1)
            bench_fail(prog, "chan_recv(done)", rc == 0 ? GO_ECLOSED : rc);
    }
    if (n == 0) /* Go: d[n/2] on an empty slice */
        panic_raise("runtime error: index out of range [0] with length 0");
    qsort(d, (size_t)n, sizeof *d, cmp_i64);
    printf("%.1f us\n", (double)d[n / 2] / 1e3);
    char p50[32], p90[32], p99[32], max[32];
    fprintf(stderr, "handoff: n=%lld p50=%s p90=%s p99=%s max=%s\n", (long long)n,
            bench_duration(d[n / 2], p50), bench_duration(d[n * 9 / 10], p90),
            bench_duration(d[n * 99 / 100], p99), bench_duration(d[n - 1], max));
    free(d);
    /* h.done is not freed: the last reader may still be returning from
     * chan_send when main returns. */
}

/* ------------------------------------------------------------------------ */
/* overhead */

static void overhead(int64_t n)
{
    int64_t s = bench_now_ns();
    for (int64_t i = 0; i < n; i++) {
        go_syscall_enter(); /* syscall.Syscall(SYS_GETPID) */
        syscall(SYS_getpid);
        go_syscall_exit();
    }
    int64_t with_sched = bench_now_ns() - s;
    s = bench_now_ns();
    for (int64_t i = 0; i < n; i++)
        syscall(SYS_getpid); /* syscall.RawSyscall(SYS_GETPID) */
    int64_t raw = bench_now_ns() - s;
    double a = (double)with_sched / (double)n;
    double b = (double)raw / (double)n;
    bench_print_result(a - b, 1, "ns");
    char abuf[64], bbuf[64];
    fprintf(stderr, "overhead: n=%lld Syscall=%sns RawSyscall=%sns\n", (long long)n,
            fmt_float1(a, abuf), fmt_float1(b, bbuf));
}

/* ------------------------------------------------------------------------ */
/* blocked */

static void blocked_reader(void *arg)
{
    const int *fd = arg; /* a copy (go_spawn_copy), as Go's closure captures fds */
    char buf;
    go_syscall_enter();
    ssize_t r = read(*fd, &buf, 1); /* never written: blocks for the whole run */
    go_syscall_exit();
    (void)r;
}

struct pair {
    go_chan_t *ping, *pong; /* chan int */
    go_wg_t *wg;
    int64_t per;
};

static void pair_echo(void *arg)
{
    struct pair *p = arg;
    int64_t v;
    for (;;) {
        int rc = chan_recv(p->ping, &v); /* for v := range ping */
        if (rc < 0)
            bench_fail(prog, "chan_recv(ping)", rc);
        if (rc == 0)
            break;
        v++;
        rc = chan_send(p->pong, &v); /* pong <- v + 1 */
        if (rc < 0)
            bench_fail(prog, "chan_send(pong)", rc);
    }
    int rc = wg_done(p->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void pair_driver(void *arg)
{
    struct pair *p = arg;
    const int64_t per = p->per;
    int64_t v = 0;
    for (int64_t i = 0; i < per; i++) {
        int rc = chan_send(p->ping, &v); /* ping <- v */
        if (rc < 0)
            bench_fail(prog, "chan_send(ping)", rc);
        rc = chan_recv(p->pong, &v); /* v = <-pong */
        if (rc != 1)
            bench_fail(prog, "chan_recv(pong)", rc == 0 ? GO_ECLOSED : rc);
    }
    if (v != per) {
        fprintf(stderr, "syscall: wrong result %lld, want %lld\n", (long long)v, (long long)per);
        _exit(1);
    }
    int rc = chan_close(p->ping);
    if (rc < 0)
        bench_fail(prog, "chan_close(ping)", rc);
    rc = wg_done(p->wg);
    if (rc < 0)
        bench_fail(prog, "wg_done", rc);
}

static void blocked(int64_t b, int64_t pairs, int64_t n)
{
    for (int64_t i = 0; i < b; i++) {
        int fds[2];
        make_pipe(fds);
        go_id_t id = go_spawn_copy(blocked_reader, &fds[0], sizeof fds[0]);
        if (id < 0)
            bench_fail(prog, "go_spawn(reader)", id);
    }
    go_sleep(1000000); /* let the readers block */
    if (pairs == 0) /* Go: n / pairs */
        panic_raise("runtime error: integer divide by zero");
    const int64_t per = n / pairs;
    struct pair *ps = calloc((size_t)pairs, sizeof *ps);
    if (ps == NULL)
        bench_fail(prog, "calloc", GO_ENOMEM);
    go_wg_t *wg = wg_new();
    if (wg == NULL)
        bench_fail(prog, "wg_new", -errno);

    int64_t start = bench_now_ns();
    for (int64_t i = 0; i < pairs; i++) {
        struct pair *p = &ps[i];
        p->ping = chan_new(sizeof(int64_t), 0);
        if (p->ping == NULL)
            bench_fail(prog, "chan_new(ping)", -errno);
        p->pong = chan_new(sizeof(int64_t), 0);
        if (p->pong == NULL)
            bench_fail(prog, "chan_new(pong)", -errno);
        p->wg = wg;
        p->per = per;
        int rc = wg_add(wg, 2);
        if (rc < 0)
            bench_fail(prog, "wg_add", rc);
        go_id_t id = go_spawn(pair_echo, p);
        if (id < 0)
            bench_fail(prog, "go_spawn(echo)", id);
        id = go_spawn(pair_driver, p);
        if (id < 0)
            bench_fail(prog, "go_spawn(driver)", id);
    }
    int rc = wg_wait(wg);
    if (rc < 0)
        bench_fail(prog, "wg_wait", rc);
    int64_t el = bench_now_ns() - start;

    bench_print_result((double)el / (double)(per * pairs), 1, "ns/roundtrip");
    char dur[32];
    fprintf(stderr, "blocked: B=%lld pairs=%lld n=%lld GOMAXPROCS=%d total=%s\n", (long long)b,
            (long long)pairs, (long long)(per * pairs), go_maxprocs(0), bench_duration(el, dur));
    /* The channels, the WaitGroup and the pairs are not freed: an echo or a
     * driver may still be returning from wg_done when main returns. */
}

/* ------------------------------------------------------------------------ */

/* Go's argInt of this program: argv[i] as an integer >= 0 (strconv.Atoi),
 * def when absent. Note n < 0, not the other benchmarks' n <= 0. */
static int64_t arg_int(int argc, char **argv, int i, int64_t def)
{
    if (argc > i) {
        int64_t n;
        if (bench_atoi(argv[i], &n) != 0 || n < 0) {
            fputs("bad argument ", stderr);
            bench_fquote(stderr, argv[i]);
            fputc('\n', stderr);
            exit(2);
        }
        return n;
    }
    return def;
}

enum mode { HANDOFF, OVERHEAD, BLOCKED };

struct bench {
    enum mode mode;
    int64_t a, b, c;
};

static void real_main(void *arg)
{
    const struct bench *b = arg;
    switch (b->mode) {
    case HANDOFF:
        handoff(b->a);
        break;
    case OVERHEAD:
        overhead(b->a);
        break;
    case BLOCKED:
        blocked(b->a, b->b, b->c);
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: syscall handoff|overhead|blocked ...\n", stderr);
        return 2;
    }
    /* As Go's os.Args = os.Args[1:]: argument i of the mode is argv[i + 1]. */
    argc--;
    argv++;
    struct bench b = { 0 };
    if (strcmp(argv[0], "handoff") == 0) {
        b.mode = HANDOFF;
        b.a = arg_int(argc, argv, 1, 2000);
    } else if (strcmp(argv[0], "overhead") == 0) {
        b.mode = OVERHEAD;
        b.a = arg_int(argc, argv, 1, 2000000);
    } else if (strcmp(argv[0], "blocked") == 0) {
        b.mode = BLOCKED;
        b.a = arg_int(argc, argv, 1, 2);
        b.b = arg_int(argc, argv, 2, 100);
        b.c = arg_int(argc, argv, 3, 1000000);
    } else {
        fputs("unknown mode ", stderr);
        bench_fquote(stderr, argv[0]);
        fputc('\n', stderr);
        return 2;
    }
    return bench_go_main(prog, real_main, &b);
}
