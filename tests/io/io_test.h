/* io_test.h - helpers shared by the I/O tests (gort/io.h, gort/net.h):
 * goroutine groups released by a WaitGroup, foreign threads, connected
 * pairs, fd counting, and the "light" switch for slow builds.
 *
 * Include after gort_test.h. Everything is static: each test program is
 * one translation unit.
 *
 * Rules (testutil.h): no cmocka assertion in a goroutine or a foreign
 * thread; they record what they saw, and the test thread asserts after
 * joining them. The test thread itself is a foreign thread (tests do not
 * run under go_main). */
#ifndef GORT_IO_TEST_H
#define GORT_IO_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gort.h>

#define IT_UNUSED __attribute__((unused))

/* GORT_TEST_LIGHT=1 (set by the meson test under valgrind and the
 * sanitizers): the stress tests run fewer iterations. */
static IT_UNUSED int it_light(void)
{
    const char *s = getenv("GORT_TEST_LIGHT");
    return s != NULL && s[0] != 0 && strcmp(s, "0") != 0;
}

/* Scale an iteration count down in light mode. */
static IT_UNUSED long it_scaled(long n, long light)
{
    return it_light() ? light : n;
}

/* Open fds of this process (from /proc/self/fd, the directory's own fd not
 * counted); -1 when /proc is missing. */
static IT_UNUSED int it_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;
}

/* ----------------------------------------------------------- goroutines */

typedef struct it_job {
    go_fn_t fn;
    void *arg;
    go_wg_t *wg;
} it_job_t;

static void it_job_body(void *p)
{
    it_job_t *j = p;
    j->fn(j->arg);
    wg_done(j->wg);
}

/* Goroutines released by one WaitGroup: it_go any number (up to cap), then
 * it_wait for all of them. */
typedef struct it_group {
    go_wg_t *wg;
    it_job_t *jobs;
    int n, cap;
} it_group_t;

static IT_UNUSED void it_group_init(it_group_t *g, int cap)
{
    g->wg = wg_new();
    assert_non_null(g->wg);
    g->jobs = calloc((size_t)cap, sizeof *g->jobs);
    assert_non_null(g->jobs);
    g->n = 0;
    g->cap = cap;
}

static IT_UNUSED void it_go(it_group_t *g, go_fn_t fn, void *arg)
{
    assert_true(g->n < g->cap);
    it_job_t *j = &g->jobs[g->n++];
    j->fn = fn;
    j->arg = arg;
    j->wg = g->wg;
    TU_ASSERT_OK(wg_add(g->wg, 1));
    TU_ASSERT_OK(go_spawn(it_job_body, j));
}

/* A pinned goroutine (gort/pinned.h) in the group. */
static IT_UNUSED void it_go_pinned(it_group_t *g, go_fn_t fn, void *arg)
{
    assert_true(g->n < g->cap);
    it_job_t *j = &g->jobs[g->n++];
    j->fn = fn;
    j->arg = arg;
    j->wg = g->wg;
    TU_ASSERT_OK(wg_add(g->wg, 1));
    TU_ASSERT_OK(go_spawn_pinned(it_job_body, j));
}

static IT_UNUSED void it_wait(it_group_t *g)
{
    TU_ASSERT_OK(wg_wait(g->wg));
    wg_free(g->wg);
    free(g->jobs);
    memset(g, 0, sizeof *g);
}

/* Run fn(arg) in one goroutine and wait for it. */
static IT_UNUSED void it_run(go_fn_t fn, void *arg)
{
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, fn, arg);
    it_wait(&g);
}

/* -------------------------------------------------------- foreign threads */

typedef struct it_thread {
    pthread_t th;
    go_fn_t fn;
    void *arg;
} it_thread_t;

static void *it_thread_main(void *p)
{
    it_thread_t *t = p;
    t->fn(t->arg);
    return NULL;
}

static IT_UNUSED void it_thread_start(it_thread_t *t, go_fn_t fn, void *arg)
{
    t->fn = fn;
    t->arg = arg;
    assert_int_equal(pthread_create(&t->th, NULL, it_thread_main, t), 0);
}

static IT_UNUSED void it_thread_join(it_thread_t *t)
{
    assert_int_equal(pthread_join(t->th, NULL), 0);
}

/* Give goroutines and threads that are about to block time to really
 * block. No result depends on it (a waiter that arrives after the event
 * takes the other path, with the same outcome); it only makes the blocked
 * path the likely one. */
static IT_UNUSED void it_let_them_block(void)
{
    for (int i = 0; i < 50; i++)
        go_yield();
    go_sleep(5 * TU_MS);
}

/* -------------------------------------------------------------- sockets */

/* A connected pair of adopted Unix stream sockets. */
static IT_UNUSED void it_socketpair(go_fd_t **a, go_fd_t **b)
{
    int s[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);
    *a = go_fd_open(s[0]);
    assert_non_null(*a);
    *b = go_fd_open(s[1]);
    assert_non_null(*b);
}

/* A connected pair of adopted pipe ends: *r reads what *w writes. */
static IT_UNUSED void it_pipe(go_fd_t **r, go_fd_t **w)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    *r = go_fd_open(p[0]);
    assert_non_null(*r);
    *w = go_fd_open(p[1]);
    assert_non_null(*w);
}

/* A connected TCP pair over loopback (network "tcp4" or "tcp6", host
 * "127.0.0.1" or "::1"): *c dialed, *s accepted. The caller closes both. */
static IT_UNUSED void it_tcp_pair(const char *network, const char *listen_addr, go_fd_t **c,
                                  go_fd_t **s)
{
    go_fd_t *ln = go_listen(network, listen_addr);
    if (ln == NULL)
        fail_msg("go_listen(%s, %s): %s", network, listen_addr, strerror(errno));
    char addr[GO_ADDR_STRLEN];
    assert_true(go_fd_local_addr(ln, addr, sizeof addr) > 0);
    /* connect completes through the listen backlog: no accept needed first */
    *c = go_dial(network, addr, go_nanotime() + 10000 * TU_MS);
    if (*c == NULL)
        fail_msg("go_dial(%s, %s): %s", network, addr, strerror(errno));
    *s = go_fd_accept(ln, NULL, NULL);
    if (*s == NULL)
        fail_msg("go_fd_accept: %s", strerror(errno));
    assert_int_equal(go_fd_close(ln), 0);
}

/* Fill the send buffer of a until a write would block (raw, non-blocking
 * sends on its fd). Returns the bytes queued. */
static IT_UNUSED size_t it_fill(go_fd_t *a)
{
    static char junk[65536];
    int fd = go_fd_fileno(a);
    size_t total = 0;
    for (;;) {
        ssize_t n = send(fd, junk, sizeof junk, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    return total;
}

/* Whether this host can bind ::1. */
static IT_UNUSED int it_have_ipv6(void)
{
    int s = socket(AF_INET6, SOCK_STREAM, 0);
    if (s < 0)
        return 0;
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr.s6_addr[15] = 1;
    int ok = bind(s, (struct sockaddr *)&a, sizeof a) == 0;
    close(s);
    return ok;
}

#endif /* GORT_IO_TEST_H */
