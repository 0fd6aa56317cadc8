/* test_io_death.c - the deadlock detector and goroutines waiting for I/O.
 *
 * A goroutine parked in go_fd_read waits for something outside the
 * program (a peer, another process): while one does, the program is not
 * deadlocked, as in Go. Once no goroutine waits for I/O (its read returned,
 * timed out or was closed under it) and every goroutine is blocked, it is.
 *
 * Each case runs go_main in a child forked from the test's main thread
 * (which never calls gort, so every child starts a fresh runtime). The
 * "outside" is a grandchild process forked before the runtime starts: it
 * writes to a pipe after a delay, and dies with the child.
 *
 * Also in a child: a thread that waits for I/O without its own wake-up
 * eventfd (fds exhausted) still sees a close or a deadline change.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include <gort.h>

#include "testutil.h"

#define DEADLOCK "fatal error: all goroutines are asleep - deadlock!\n"
#define CHILD_TIMEOUT_MS 20000

static int g_pipe[2];

/* Before the runtime starts: a pipe whose write end a grandchild holds;
 * it writes "x" after delay_ms (never when delay_ms < 0). */
static void outside_writer(int delay_ms)
{
    TU_CHILD_CHECK(pipe2(g_pipe, O_CLOEXEC) == 0);
    pid_t parent = getpid();
    pid_t pid = fork();
    TU_CHILD_CHECK(pid >= 0);
    if (pid == 0) {
        /* not holding the child's stdout and stderr (the test reads them to
         * EOF), and not outliving the child (checked after the prctl: the
         * child may have died before it) */
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        dup2(devnull, STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(0);
        close(g_pipe[0]);
        if (delay_ms < 0) {
            for (;;)
                pause();
        }
        tu_thread_sleep_ns(delay_ms * TU_MS);
        if (write(g_pipe[1], "x", 1) != 1)
            _exit(1);
        pause(); /* keep the write end open: no EOF */
        _exit(0);
    }
    close(g_pipe[1]);
}

static void block_forever(void)
{
    go_wg_t *never = wg_new();
    wg_add(never, 1);
    wg_wait(never);
    fprintf(stderr, "block_forever returned\n");
    _exit(97);
}

static void block_forever_body(void *unused)
{
    (void)unused;
    block_forever();
}

static void run_main(go_fn_t fn)
{
    int rc = go_main(fn, NULL);
    fflush(stdout);
    _exit(rc == 0 ? 0 : 98);
}

static void expect(void (*child)(void *), int timeout_ms, int status, const char *err_prefix,
                   const char *out)
{
    tu_child_t r;
    tu_run_child(child, NULL, timeout_ms, &r);
    if (status < 0) {
        if (!r.timed_out)
            fail_msg("expected the child to be still waiting; %s; stderr \"%s\"",
                     tu_child_describe(&r), r.err);
    } else {
        if (!r.exited || r.exit_status != status)
            fail_msg("expected exit status %d; %s; stderr \"%s\"", status, tu_child_describe(&r),
                     r.err);
        if (err_prefix != NULL && !tu_starts_with(r.err, err_prefix))
            fail_msg("expected stderr to start with \"%s\"; stderr \"%s\"", err_prefix, r.err);
        if (out != NULL && strcmp(r.out, out) != 0)
            fail_msg("expected stdout \"%s\"; stdout \"%s\"", out, r.out);
    }
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */

/* An adopted fd nobody waits on does not keep a deadlocked program alive. */
static void main_idle_fd_deadlock(void *unused)
{
    (void)unused;
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    block_forever();
}

static void child_idle_fd_deadlock(void *unused)
{
    (void)unused;
    outside_writer(-1);
    run_main(main_idle_fd_deadlock);
}

static void test_deadlock_without_io_waiters(void **state)
{
    (void)state;
    expect(child_idle_fd_deadlock, CHILD_TIMEOUT_MS, 2, DEADLOCK, NULL);
}

/* main parks in go_fd_read while another goroutine is blocked for good:
 * not a deadlock; the outside writes, main returns, exit 0. */
static void main_read_pipe(void *unused)
{
    (void)unused;
    go_spawn(block_forever_body, NULL);
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    char c = 0;
    ssize_t n = go_fd_read(r, &c, 1);
    printf("read %zd %c\n", n, c);
}

static void child_read_pipe(void *unused)
{
    (void)unused;
    outside_writer(300);
    run_main(main_read_pipe);
}

static void test_io_waiter_is_not_deadlocked(void **state)
{
    (void)state;
    expect(child_read_pipe, CHILD_TIMEOUT_MS, 0, NULL, "read 1 x\n");
}

/* The same through go_poll_fd on a foreign fd. */
static void main_poll_pipe(void *unused)
{
    (void)unused;
    go_spawn(block_forever_body, NULL);
    int ev = go_poll_fd(g_pipe[0], GO_POLL_IN, GO_NO_DEADLINE);
    printf("poll %d\n", ev);
}

static void child_poll_pipe(void *unused)
{
    (void)unused;
    outside_writer(300);
    run_main(main_poll_pipe);
}

static void test_poll_waiter_is_not_deadlocked(void **state)
{
    (void)state;
    expect(child_poll_pipe, CHILD_TIMEOUT_MS, 0, NULL, "poll 1\n");
}

/* A pinned goroutine in I/O counts as an I/O waiter too. */
static void pinned_reader(void *wg)
{
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    char c = 0;
    ssize_t n = go_fd_read(r, &c, 1);
    printf("pinned read %zd %c\n", n, c);
    wg_done((go_wg_t *)wg);
}

static void main_pinned_read(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    wg_add(wg, 1);
    go_spawn_pinned(pinned_reader, wg);
    wg_wait(wg);
}

static void child_pinned_read(void *unused)
{
    (void)unused;
    outside_writer(300);
    run_main(main_pinned_read);
}

static void test_pinned_io_waiter_is_not_deadlocked(void **state)
{
    (void)state;
    expect(child_pinned_read, CHILD_TIMEOUT_MS, 0, NULL, "pinned read 1 x\n");
}

/* Waiting for I/O that never comes is waiting, not a deadlock (as Go: the
 * detector cannot know the fd will stay silent). The child is still there
 * after a while. */
static void main_read_forever(void *unused)
{
    (void)unused;
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    char c;
    go_fd_read(r, &c, 1);
    _exit(96);
}

static void child_read_forever(void *unused)
{
    (void)unused;
    outside_writer(-1);
    run_main(main_read_forever);
}

static void test_silent_fd_is_not_deadlock(void **state)
{
    (void)state;
    expect(child_read_forever, 700, -1, NULL, NULL);
}

/* Once the I/O waiter is gone (its read returned, timed out, or its fd was
 * closed), the blocked program is deadlocked. */
static void reader_then_block(void *unused)
{
    (void)unused;
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    char c;
    TU_CHILD_CHECK(go_fd_read(r, &c, 1) == 1);
    block_forever();
}

static void main_read_then_deadlock(void *unused)
{
    (void)unused;
    go_spawn(reader_then_block, NULL);
    block_forever();
}

static void child_read_then_deadlock(void *unused)
{
    (void)unused;
    outside_writer(200);
    run_main(main_read_then_deadlock);
}

static void main_timeout_then_deadlock(void *unused)
{
    (void)unused;
    go_fd_t *r = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(r != NULL);
    go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() + 100 * TU_MS);
    char c;
    TU_CHILD_CHECK(go_fd_read(r, &c, 1) == -1 && go_errno() == ETIMEDOUT);
    block_forever();
}

static void child_timeout_then_deadlock(void *unused)
{
    (void)unused;
    outside_writer(-1);
    run_main(main_timeout_then_deadlock);
}

static go_fd_t *g_closed;

static void reader_closed_under(void *unused)
{
    (void)unused;
    char c;
    TU_CHILD_CHECK(go_fd_read(g_closed, &c, 1) == -1 && go_errno() == EBADF);
    block_forever();
}

static void main_close_then_deadlock(void *unused)
{
    (void)unused;
    g_closed = go_fd_open(g_pipe[0]);
    TU_CHILD_CHECK(g_closed != NULL);
    go_spawn(reader_closed_under, NULL);
    go_sleep(50 * TU_MS);
    TU_CHILD_CHECK(go_fd_close(g_closed) == 0);
    block_forever();
}

static void child_close_then_deadlock(void *unused)
{
    (void)unused;
    outside_writer(-1);
    run_main(main_close_then_deadlock);
}

static void test_deadlock_after_io_waiters_left(void **state)
{
    (void)state;
    expect(child_read_then_deadlock, CHILD_TIMEOUT_MS, 2, DEADLOCK, NULL);
    expect(child_timeout_then_deadlock, CHILD_TIMEOUT_MS, 2, DEADLOCK, NULL);
    expect(child_close_then_deadlock, CHILD_TIMEOUT_MS, 2, DEADLOCK, NULL);
}

/* At the thread cap (GORT_MAXTHREADS=1: one M) the only M, finding no
 * work while a goroutine waits for I/O, blocks in the poller. A wake-up
 * that came while it was on its way there (past its last look, not yet
 * polling) found no M to start and broke no poll: main, woken from its
 * sleep, never ran again. Each of these sleeps opens that window once;
 * the chaos build (core/chaos.hpp) widens it. */
static go_fd_t *g_cap_fd;

static void cap_reader(void *wg)
{
    char c;
    TU_CHILD_CHECK(go_fd_read(g_cap_fd, &c, 1) == 1);
    wg_done(wg);
}

static void main_cap_sleeps(void *unused)
{
    (void)unused;
    int p[2];
    TU_CHILD_CHECK(pipe2(p, O_CLOEXEC) == 0);
    g_cap_fd = go_fd_open(p[0]);
    TU_CHILD_CHECK(g_cap_fd != NULL);
    go_wg_t *wg = wg_new();
    wg_add(wg, 1);
    go_spawn(cap_reader, wg);
    for (int i = 0; i < 500; i++)
        go_sleep(200 * 1000);
    TU_CHILD_CHECK(write(p[1], "x", 1) == 1);
    wg_wait(wg);
    wg_free(wg);
    go_fd_close(g_cap_fd);
    close(p[1]);
    printf("ok\n");
}

static void child_cap_sleeps(void *unused)
{
    (void)unused;
    setenv("GORT_MAXTHREADS", "1", 1);
    run_main(main_cap_sleeps);
}

static void test_thread_cap_poller_wakes(void **state)
{
    (void)state;
    expect(child_cap_sleeps, CHILD_TIMEOUT_MS, 0, NULL, "ok\n");
}

/* A thread that is not a goroutine waits in ppoll on the fd and on an
 * eventfd of its own, which a close or a deadline change writes. With the
 * fds exhausted (RLIMIT_NOFILE) it gets no eventfd: before the fix it then
 * waited on the fd alone and saw neither (the close, which waits for the
 * reader to let go, hung with it). Now it looks again every 10 ms. */
typedef struct nokick_read {
    go_fd_t *fd;
    ssize_t ret;
    int err;
} nokick_read_t;

static void *nokick_reader(void *p)
{
    nokick_read_t *a = p;
    char c;
    a->ret = go_fd_read(a->fd, &c, 1);
    a->err = a->ret < 0 ? errno : 0;
    return NULL;
}

/* Start a reader thread (it gets no eventfd: no fd is left), let it block. */
static void nokick_start(pthread_t *th, nokick_read_t *a)
{
    a->ret = -99;
    TU_CHILD_CHECK(pthread_create(th, NULL, nokick_reader, a) == 0);
    tu_thread_sleep_ns(100 * TU_MS);
    TU_CHILD_CHECK(a->ret == -99); /* still waiting: nothing to read */
}

static void child_wait_without_eventfd(void *unused)
{
    (void)unused;
    int p[2];
    TU_CHILD_CHECK(pipe2(p, O_CLOEXEC) == 0);
    nokick_read_t a = { go_fd_open(p[0]), 0, 0 };
    TU_CHILD_CHECK(a.fd != NULL);
    /* no fd left: the lowest free number becomes the limit */
    int probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
    TU_CHILD_CHECK(probe >= 0);
    close(probe);
    struct rlimit old, low;
    TU_CHILD_CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
    low = old;
    low.rlim_cur = (rlim_t)probe;
    TU_CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
    TU_CHILD_CHECK(open("/dev/null", O_RDONLY) < 0 && errno == EMFILE);

    pthread_t th;
    nokick_start(&th, &a); /* a deadline moved into the past */
    TU_CHILD_CHECK(go_fd_set_deadline(a.fd, GO_DEADLINE_READ, go_nanotime() - 1) == 0);
    TU_CHILD_CHECK(pthread_join(th, NULL) == 0);
    TU_CHILD_CHECK(a.ret == -1 && a.err == ETIMEDOUT);

    TU_CHILD_CHECK(go_fd_set_deadline(a.fd, GO_DEADLINE_READ, GO_NO_DEADLINE) == 0);
    nokick_start(&th, &a); /* a close */
    TU_CHILD_CHECK(go_fd_close(a.fd) == 0);
    TU_CHILD_CHECK(pthread_join(th, NULL) == 0);
    TU_CHILD_CHECK(a.ret == -1 && a.err == EBADF);

    TU_CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
    printf("ok\n");
    fflush(stdout);
    _exit(0);
}

static void test_thread_wait_without_eventfd(void **state)
{
    (void)state;
    expect(child_wait_without_eventfd, CHILD_TIMEOUT_MS, 0, NULL, "ok\n");
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadlock_without_io_waiters),
        cmocka_unit_test(test_io_waiter_is_not_deadlocked),
        cmocka_unit_test(test_poll_waiter_is_not_deadlocked),
        cmocka_unit_test(test_pinned_io_waiter_is_not_deadlocked),
        cmocka_unit_test(test_silent_fd_is_not_deadlock),
        cmocka_unit_test(test_deadlock_after_io_waiters_left),
        cmocka_unit_test(test_thread_wait_without_eventfd),
        cmocka_unit_test(test_thread_cap_poller_wakes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
