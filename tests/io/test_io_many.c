/* test_io_many.c - 10,000 TCP connections held at once.
 *
 * The server side lives in this process: an accept loop and one goroutine
 * per connection, each parked in go_fd_read once it has echoed its
 * client's greeting, so that 10,000 goroutines wait on the poller at the
 * same time. The client side lives in a child process started for the test
 * (this program again, exec'd with --clients: a runtime of its own): 10,000
 * goroutines dial, exchange a greeting and hold their connection until the
 * parent has checked that every one is established; then they close and
 * the server goroutines see EOF. Two processes, so that each needs 10,000
 * fds, not 20,000. Exec'd, not just forked: a fork of this threaded process
 * inherits any lock another thread held at that moment, and Debian's GCC 12
 * libasan takes no allocator lock around fork, so under ASan such a child
 * hung at its first malloc (once in 30 suite runs: the parent then waited
 * for its status byte until meson's timeout).
 *
 * RLIMIT_NOFILE is raised to what the test needs; when the hard limit is
 * too low the test is skipped with a message. GORT_TEST_LIGHT=1 (valgrind,
 * sanitizers): 1,000 connections.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"
#include "io_test.h"

/* ------------------------------------------------------------------ child */

typedef struct client_ctx {
    const char *addr;
    go_wg_t *connected; /* every client did its exchange (or failed) */
    go_wg_t *gate;      /* opened when the parent says "done" */
    go_wg_t *closed;    /* every client closed its connection */
    atomic_int failures;
    atomic_int first_errno;
} client_ctx_t;

static void client_body(void *p)
{
    client_ctx_t *cx = p;
    go_fd_t *c = NULL;
    for (int attempt = 0; attempt < 3 && c == NULL; attempt++) {
        c = go_dial("tcp4", cx->addr, go_nanotime() + 60000 * TU_MS);
        if (c == NULL && go_errno() != ECONNREFUSED && go_errno() != EAGAIN)
            break;
    }
    int ok = 0;
    if (c != NULL) {
        char buf[8];
        ok = go_fd_write(c, "hello", 5) == 5 && go_fd_read(c, buf, sizeof buf) == 5 &&
             memcmp(buf, "hello", 5) == 0;
    }
    if (!ok) {
        int zero = 0;
        atomic_compare_exchange_strong(&cx->first_errno, &zero, go_errno() != 0 ? go_errno() : -1);
        atomic_fetch_add(&cx->failures, 1);
    }
    wg_done(cx->connected);
    wg_wait(cx->gate); /* hold the connection */
    if (c != NULL)
        go_fd_close(c);
    wg_done(cx->closed);
}

/* The child (main with --clients): n clients; reports on status_fd ("R"
 * when every client is connected), waits for the parent to close ctl_fd,
 * exits 0 if all went well (else 10 + failures, capped). */
static void run_clients(const char *addr, int n, int status_fd, int ctl_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    client_ctx_t cx;
    cx.addr = addr;
    cx.connected = wg_new();
    cx.gate = wg_new();
    cx.closed = wg_new();
    atomic_init(&cx.failures, 0);
    atomic_init(&cx.first_errno, 0);
    wg_add(cx.connected, n);
    wg_add(cx.gate, 1);
    wg_add(cx.closed, n);
    for (int i = 0; i < n; i++) {
        if (go_spawn(client_body, &cx) <= 0) {
            atomic_fetch_add(&cx.failures, 1);
            wg_done(cx.connected);
            wg_done(cx.closed);
        }
    }
    wg_wait(cx.connected);
    char r = atomic_load(&cx.failures) == 0 ? 'R' : 'F';
    if (write(status_fd, &r, 1) != 1)
        _exit(3);
    if (r == 'F') {
        fprintf(stderr, "child: %d of %d clients failed (first errno %d: %s)\n",
                atomic_load(&cx.failures), n, atomic_load(&cx.first_errno),
                strerror(atomic_load(&cx.first_errno) > 0 ? atomic_load(&cx.first_errno) : 0));
    }
    char c;
    while (read(ctl_fd, &c, 1) > 0) {
    }
    wg_done(cx.gate); /* the clients close their connections */
    wg_wait(cx.closed);
    int f = atomic_load(&cx.failures);
    _exit(f == 0 ? 0 : 10 + (f > 100 ? 100 : f));
}

/* ----------------------------------------------------------------- parent */

typedef struct server_ctx {
    go_fd_t *ln;
    int n;
    go_wg_t *echoed;  /* each handler echoed its greeting */
    go_wg_t *handlers;
    atomic_int accepted;
    atomic_int bad;
    atomic_int eofs;
} server_ctx_t;

typedef struct handler_arg {
    server_ctx_t *sx;
    go_fd_t *c;
} handler_arg_t;

static void handler_body(void *p)
{
    handler_arg_t a = *(handler_arg_t *)p; /* copied by go_spawn_copy */
    char buf[8];
    ssize_t n = go_fd_read(a.c, buf, sizeof buf);
    if (n != 5 || go_fd_write(a.c, buf, 5) != 5)
        atomic_fetch_add(&a.sx->bad, 1);
    wg_done(a.sx->echoed);
    /* parked here, with all the others, until the client closes */
    n = go_fd_read(a.c, buf, sizeof buf);
    if (n == 0)
        atomic_fetch_add(&a.sx->eofs, 1);
    else
        atomic_fetch_add(&a.sx->bad, 1);
    go_fd_close(a.c);
    wg_done(a.sx->handlers);
}

static void accept_body(void *p)
{
    server_ctx_t *sx = p;
    for (int i = 0; i < sx->n; i++) {
        go_fd_t *c = go_fd_accept(sx->ln, NULL, NULL);
        if (c == NULL) {
            atomic_fetch_add(&sx->bad, 1);
            /* release the waits this connection would have released */
            for (; i < sx->n; i++) {
                wg_done(sx->echoed);
                wg_done(sx->handlers);
            }
            return;
        }
        atomic_fetch_add(&sx->accepted, 1);
        handler_arg_t a = { sx, c };
        if (go_spawn_copy(handler_body, &a, sizeof a) <= 0) {
            atomic_fetch_add(&sx->bad, 1);
            go_fd_close(c);
            wg_done(sx->echoed);
            wg_done(sx->handlers);
        }
    }
}

static void test_10k_connections(void **state)
{
    (void)state;
    int n = (int)it_scaled(10000, 1000);
    rlim_t need = (rlim_t)n + 512;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
        print_message("skipped: %d connections need RLIMIT_NOFILE %lu per process, the hard limit is %lu\n",
                      n, (unsigned long)need, (unsigned long)rl.rlim_max);
        skip();
        return;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = need;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }

    /* the poller's own fds exist from here on */
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    go_fd_t *warm = go_fd_open(p[0]);
    assert_non_null(warm);
    assert_int_equal(go_fd_close(warm), 0);
    close(p[1]);
    int fds_start = it_count_fds();

    go_fd_t *ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    char addr[GO_ADDR_STRLEN];
    assert_true(go_fd_local_addr(ln, addr, sizeof addr) > 0);

    int status[2], ctl[2];
    assert_int_equal(pipe2(status, O_CLOEXEC), 0);
    assert_int_equal(pipe2(ctl, O_CLOEXEC), 0);
    /* The child's argv, made before the fork: between fork and exec the
     * child calls only async-signal-safe functions. The path from readlink,
     * which valgrind answers with this program's, not its own. */
    char self[4096], nbuf[16], sbuf[16], cbuf[16];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(len > 0 && len < (ssize_t)sizeof self - 1);
    self[len] = '\0';
    snprintf(nbuf, sizeof nbuf, "%d", n);
    snprintf(sbuf, sizeof sbuf, "%d", status[1]);
    snprintf(cbuf, sizeof cbuf, "%d", ctl[0]);
    char *child_argv[] = { self, "--clients", addr, nbuf, sbuf, cbuf, NULL };
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* the two ends the child keeps survive the exec */
        if (fcntl(status[1], F_SETFD, 0) != 0 || fcntl(ctl[0], F_SETFD, 0) != 0)
            _exit(5);
        execv(self, child_argv);
        _exit(4);
    }
    close(status[1]);
    close(ctl[0]);

    server_ctx_t sx;
    sx.ln = ln;
    sx.n = n;
    sx.echoed = wg_new();
    sx.handlers = wg_new();
    atomic_init(&sx.accepted, 0);
    atomic_init(&sx.bad, 0);
    atomic_init(&sx.eofs, 0);
    wg_add(sx.echoed, n);
    wg_add(sx.handlers, n);
    int fds0 = it_count_fds();
    long g0 = go_num_goroutine();
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, accept_body, &sx);

    /* the child tells when every client connected (or some failed) */
    char r = 0;
    ssize_t got;
    do
        got = read(status[0], &r, 1);
    while (got < 0 && errno == EINTR);
    if (got != 1 || r != 'R') {
        kill(pid, SIGKILL);
        int st;
        waitpid(pid, &st, 0);
        fail_msg("the client process failed (status byte %d, read %zd); accepted %d", r, got,
                 atomic_load(&sx.accepted));
    }
    TU_ASSERT_OK(wg_wait(sx.echoed));
    it_wait(&g);
    assert_int_equal(atomic_load(&sx.accepted), n);
    assert_int_equal(atomic_load(&sx.bad), 0);
    /* all of them held at once: an fd and a goroutine parked in go_fd_read each */
    if (fds0 >= 0)
        assert_true(it_count_fds() >= fds0 + n);
    assert_true(go_num_goroutine() >= g0 + n);

    close(ctl[1]); /* the clients close; every handler reads EOF */
    TU_ASSERT_OK(wg_wait(sx.handlers));
    assert_int_equal(atomic_load(&sx.eofs), n);
    assert_int_equal(atomic_load(&sx.bad), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("client process: %s %d", WIFEXITED(st) ? "exit" : "signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    close(status[0]);
    wg_free(sx.echoed);
    wg_free(sx.handlers);
    assert_int_equal(go_fd_close(ln), 0);
    if (fds_start >= 0)
        assert_int_equal(it_count_fds(), fds_start);
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "--clients") == 0) {
        run_clients(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
        return 4;
    }
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_10k_connections),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
