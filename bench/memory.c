/* memory: spawn N goroutines that all block receiving from one channel,
 * then read VmRSS from /proc/self/status. Prints (RSS_after - RSS_before) / N.
 * Usage: memory [N=100000]
 *
 * The C mirror of bench/go/memory/main.go (the twin of shared/peers/go/memory), run in the main goroutine:
 * `<-block` is a chan_recv on a channel `block` that main closes after
 * measuring.
 *
 * The stderr line has Go's fields up to rss_after; Go's StackInuse and Sys
 * (runtime.MemStats) have no gort equivalent, so VmSize (the address space
 * the process holds: goroutine stacks are reservations) takes their place. */
#include "bench_common.h"

#include <fcntl.h>

static const char *prog = "memory";

struct bench {
    int64_t n;
    go_wg_t *started, *done;
    go_chan_t *block;
};

/* The value of a "Key:   123 kB" line of /proc/self/status, in bytes.
 * Reads into a stack buffer (no malloc, so the measurement does not move
 * the heap). Exits with status 1 if the file or the key is missing, as Go's
 * rssBytes panics. */
static int64_t status_bytes(const char *key)
{
    char buf[8192];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror("memory: /proc/self/status");
        _exit(1);
    }
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof buf - 1)
            break;
    }
    close(fd);
    buf[len] = '\0';

    size_t klen = strlen(key);
    for (char *line = buf; line && *line; ) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *end;
            long long kb = strtoll(line + klen + 1, &end, 10);
            if (end == line + klen + 1) {
                fprintf(stderr, "memory: cannot parse %s\n", key);
                _exit(1);
            }
            return (int64_t)kb * 1024;
        }
        line = nl ? nl + 1 : NULL;
    }
    fprintf(stderr, "memory: no %s\n", key);
    _exit(1);
}

static void waiter(void *arg)
{
    struct bench *b = arg;
    int rc = wg_done(b->started);
    if (rc < 0)
        bench_fail(prog, "wg_done(started)", rc);
    rc = chan_recv(b->block, NULL); /* <-block */
    if (rc != 0)
        bench_fail(prog, "chan_recv(block)", rc < 0 ? rc : GO_EINVAL);
    rc = wg_done(b->done);
    if (rc < 0)
        bench_fail(prog, "wg_done(done)", rc);
}

static void real_main(void *arg)
{
    struct bench *b = arg;
    const int64_t n = b->n;
    int rc;

    b->block = chan_new(0, 0); /* block := make(chan struct{}) */
    b->started = wg_new();
    b->done = wg_new();
    if (b->block == NULL || b->started == NULL || b->done == NULL)
        bench_fail(prog, "wg_new", -errno);
    if ((rc = wg_add(b->started, n)) < 0)
        bench_fail(prog, "wg_add(started, N)", rc);
    if ((rc = wg_add(b->done, n)) < 0)
        bench_fail(prog, "wg_add(done, N)", rc);

    int64_t before = status_bytes("VmRSS");
    for (int64_t i = 0; i < n; i++) {
        go_id_t id = go_spawn(waiter, b);
        if (id < 0)
            bench_fail(prog, "go_spawn", id);
    }
    if ((rc = wg_wait(b->started)) < 0)
        bench_fail(prog, "wg_wait(started)", rc);
    /* Let any goroutine that has called wg_done(started) but not yet parked
     * get there. */
    for (int i = 0; i < 100; i++)
        go_yield();
    int64_t after = status_bytes("VmRSS");
    int64_t vmsize = status_bytes("VmSize");

    if ((rc = chan_close(b->block)) < 0) /* close(block) */
        bench_fail(prog, "chan_close(block)", rc);
    if ((rc = wg_wait(b->done)) < 0)
        bench_fail(prog, "wg_wait(done)", rc);

    fprintf(stderr, "memory: N=%lld GOMAXPROCS=%d rss_before=%lld rss_after=%lld VmSize=%lld\n",
            (long long)n, go_maxprocs(0), (long long)before, (long long)after,
            (long long)vmsize);
    bench_print_result((double)(after - before) / (double)n, 0, "B/goroutine");
    /* WaitGroups not freed: see spawn_join.c. */
}

int main(int argc, char **argv)
{
    struct bench b = { .n = bench_arg_int(argc, argv, 1, 100000) };
    return bench_go_main(prog, real_main, &b);
}
