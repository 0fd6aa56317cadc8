/* test_syscall.c - blocking system calls (gort/syscall.h): the hand-off of
 * a P by a goroutine blocked in a wrapped read(), the fast path that takes
 * the same P back, retaken goroutines resuming elsewhere, GOMAXPROCS
 * changes meanwhile, go_preempt_point, the thread cap, the deadlock rule
 * for goroutines in system calls, and misuse.
 *
 * Nothing here is timed: progress is proved by completion (a watchdog
 * thread releases blocked readers after 20 s so that a failure is reported
 * instead of hanging) and by go_sched_stats counters.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

#define CHILD_TIMEOUT_MS 20000
#define WATCHDOG_MS 20000

static go_sched_stats_t stats_now(void)
{
    go_sched_stats_t st;
    memset(&st, 0, sizeof st);
    st.size = sizeof st;
    int rc = go_sched_stats(&st);
    if (rc != 0)
        fail_msg("go_sched_stats: %s", go_strerror(rc));
    return st;
}

/* ------------------------------------------------------------------------ */
/* A blocked reader: read() on a pipe inside go_blocking.                    */

typedef struct reader {
    int fds[2];
    atomic_int entered;   /* about to block */
    atomic_int done;
    ssize_t got;
    int err_after;        /* errno seen after go_blocking returned */
    long thread_before, thread_after;  /* gettid (pthread_self is "const": the compiler may reuse it across a switch) */
    go_wg_t *wg;
} reader_t;

static intptr_t do_read(void *p)
{
    reader_t *r = p;
    char c;
    ssize_t n = read(r->fds[0], &c, 1);
    errno = ENOTRECOVERABLE;  /* must survive go_syscall_exit */
    return n;
}

static void reader_body(void *p)
{
    reader_t *r = p;
    r->thread_before = syscall(SYS_gettid);
    atomic_store(&r->entered, 1);
    r->got = (ssize_t)go_blocking(do_read, r);
    r->err_after = errno;
    r->thread_after = syscall(SYS_gettid);
    atomic_store(&r->done, 1);
    wg_done(r->wg);
}

static void reader_init(reader_t *r, go_wg_t *wg)
{
    memset(r, 0, sizeof *r);
    if (pipe(r->fds) != 0)
        fail_msg("pipe: %s", strerror(errno));
    r->wg = wg;
}

static void reader_release(reader_t *r)
{
    char c = 'x';
    if (write(r->fds[1], &c, 1) != 1)
        fail_msg("write: %s", strerror(errno));
}

static void reader_close(reader_t *r)
{
    close(r->fds[0]);
    close(r->fds[1]);
}

/* Wait (bounded) until the goroutine says it is about to block. */
static void wait_entered(reader_t *r)
{
    int64_t end = tu_now_ns() + 10000 * TU_MS;
    while (!atomic_load(&r->entered) && tu_now_ns() < end)
        tu_thread_sleep_ns(100000);
    if (!atomic_load(&r->entered))
        fail_msg("the reader goroutine never started");
}

/* A watchdog thread: after WATCHDOG_MS, release every reader (so that a
 * failure ends the test instead of hanging it) and note that it fired. */
typedef struct watchdog {
    reader_t *readers;
    int n;
    atomic_int stop, fired;
    pthread_t th;
} watchdog_t;

static void *watchdog_main(void *p)
{
    watchdog_t *w = p;
    int64_t end = tu_now_ns() + WATCHDOG_MS * TU_MS;
    while (!atomic_load(&w->stop) && tu_now_ns() < end)
        tu_thread_sleep_ns(1000000);
    if (!atomic_load(&w->stop)) {
        atomic_store(&w->fired, 1);
        for (int i = 0; i < w->n; i++) {
            char c = 'w';
            if (write(w->readers[i].fds[1], &c, 1) != 1) {
            }
        }
    }
    return NULL;
}

static void watchdog_start(watchdog_t *w, reader_t *readers, int n)
{
    memset(w, 0, sizeof *w);
    w->readers = readers;
    w->n = n;
    if (pthread_create(&w->th, NULL, watchdog_main, w) != 0)
        fail_msg("pthread_create failed");
}

static int watchdog_stop(watchdog_t *w)
{
    atomic_store(&w->stop, 1);
    pthread_join(w->th, NULL);
    return atomic_load(&w->fired);
}

/* Workers: compute, and hand a token around a ring of channels, so that
 * they need the scheduler (not just a P each). */
typedef struct ring {
    go_chan_t *c[4];
    go_wg_t *wg;
    atomic_long work;
} ring_t;

static ring_t ring;

static void ring_worker(void *p)
{
    int i = *(int *)p;
    for (int round = 0; round < 200; round++) {
        long v;
        if (i == 0 && round == 0)
            v = 0;
        else
            chan_recv(ring.c[i], &v);
        volatile long x = 0;
        for (int k = 0; k < 2000; k++)
            x += k;
        atomic_fetch_add(&ring.work, 1);
        v++;
        if (!(i == 3 && round == 199))
            chan_send(ring.c[(i + 1) % 4], &v);
    }
    wg_done(ring.wg);
}

static void run_ring(void)
{
    memset(&ring, 0, sizeof ring);
    for (int i = 0; i < 4; i++) {
        ring.c[i] = chan_new(sizeof(long), 0);
        assert_non_null(ring.c[i]);
    }
    ring.wg = wg_new();
    TU_ASSERT_OK(wg_add(ring.wg, 4));
    for (int i = 0; i < 4; i++)
        TU_ASSERT_OK(go_spawn_copy(ring_worker, &i, sizeof i));
    TU_ASSERT_OK(wg_wait(ring.wg));
    wg_free(ring.wg);
    for (int i = 0; i < 4; i++)
        chan_free(ring.c[i]);
    assert_int_equal(atomic_load(&ring.work), 800);
}

/* ------------------------------------------------------------------------ */
/* Progress while two goroutines are blocked in wrapped read()s.             */

static void progress_at(int procs)
{
    int prev = go_maxprocs(procs);
    go_sched_stats_t before = stats_now();
    reader_t r[2];
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    for (int i = 0; i < 2; i++)
        reader_init(&r[i], wg);
    watchdog_t w;
    watchdog_start(&w, r, 2);
    TU_ASSERT_OK(wg_add(wg, 2));
    for (int i = 0; i < 2; i++)
        TU_ASSERT_OK(go_spawn(reader_body, &r[i]));
    for (int i = 0; i < 2; i++)
        wait_entered(&r[i]);
    /* The readers hold (or held) every P when procs <= 2: the ring runs
     * only if their Ps were handed off. */
    run_ring();
    int early = atomic_load(&r[0].done) + atomic_load(&r[1].done);
    int fired_before_release = atomic_load(&w.fired);
    for (int i = 0; i < 2; i++)
        reader_release(&r[i]);
    TU_ASSERT_OK(wg_wait(wg));
    int fired = watchdog_stop(&w);
    wg_free(wg);
    go_sched_stats_t after = stats_now();
    go_maxprocs(prev);
    if (fired_before_release || fired)
        fail_msg("GOMAXPROCS=%d: nothing ran while two goroutines were blocked in read()", procs);
    assert_int_equal(early, 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(r[i].got, 1);
        assert_int_equal(r[i].err_after, ENOTRECOVERABLE);
        reader_close(&r[i]);
    }
    assert_true(after.syscalls - before.syscalls >= 2);
    if (procs <= 2 && after.retakes == before.retakes)
        fail_msg("GOMAXPROCS=%d: the ring ran but sysmon retook no P", procs);
}

static void test_progress_while_reads_block(void **state)
{
    (void)state;
    progress_at(1);
    progress_at(2);
    progress_at(go_maxprocs(0));
}

/* ------------------------------------------------------------------------ */
/* The fast path takes the same P back: every exit is counted once, and
 * short calls on a quiet runtime exit fast. */

typedef struct fast {
    go_wg_t *wg;
    int n;
} fast_t;

static intptr_t do_getpid(void *p)
{
    (void)p;
    return (intptr_t)syscall(SYS_getpid);
}

static void fast_body(void *p)
{
    fast_t *f = p;
    for (int i = 0; i < f->n; i++) {
        if (i % 2 == 0) {
            go_syscall_enter();
            syscall(SYS_getpid);
            go_syscall_exit();
        } else {
            go_blocking(do_getpid, NULL);
        }
    }
    wg_done(f->wg);
}

static void test_fast_path_same_p(void **state)
{
    (void)state;
    go_sched_stats_t before = stats_now();
    fast_t f = {wg_new(), 10000};
    assert_non_null(f.wg);
    TU_ASSERT_OK(wg_add(f.wg, 1));
    TU_ASSERT_OK(go_spawn(fast_body, &f));
    TU_ASSERT_OK(wg_wait(f.wg));
    wg_free(f.wg);
    go_sched_stats_t after = stats_now();
    uint64_t calls = after.syscalls - before.syscalls;
    uint64_t fast = after.syscall_fast_exits - before.syscall_fast_exits;
    uint64_t idle = after.syscall_idle_exits - before.syscall_idle_exits;
    uint64_t queued = after.syscall_queued_exits - before.syscall_queued_exits;
    print_message("10000 calls: %llu fast exits, %llu via an idle P, %llu queued\n",
                  (unsigned long long)fast, (unsigned long long)idle, (unsigned long long)queued);
    assert_int_equal(calls, 10000);
    assert_int_equal(fast + idle + queued, 10000);
    /* A retake needs the same call seen on two sysmon ticks (>= 20 us);
     * getpid takes well under a microsecond, so nearly all exits are fast
     * (an OS preemption inside the call may make a few slow). */
    if (fast < 9000)
        fail_msg("only %llu of 10000 exits took the same P back", (unsigned long long)fast);
    assert_int_equal(after.in_syscall, 0);
}

/* ------------------------------------------------------------------------ */
/* A goroutine whose P was retaken resumes on another thread: at
 * GOMAXPROCS=1 the P goes to another M while it reads; when the read
 * returns, the P is busy, so it queues and its M parks. */

typedef struct retaken {
    reader_t r;
    go_wg_t *wg;
    atomic_int hold_done;
    uint64_t queued_before;
} retaken_t;

static retaken_t rt;

static void holder(void *p)
{
    (void)p;
    /* Runs on the P sysmon retook. Release the reader, then keep the only
     * P (no scheduling point) until the reader's exit found no P. */
    reader_release(&rt.r);
    int64_t end = tu_now_ns() + 10000 * TU_MS;
    for (;;) {
        go_sched_stats_t st = stats_now();
        if (st.syscall_queued_exits > rt.queued_before || tu_now_ns() > end)
            break;
    }
    atomic_store(&rt.hold_done, 1);
    wg_done(rt.wg);
}

static void test_retaken_goroutine_resumes_elsewhere(void **state)
{
    (void)state;
    int prev = go_maxprocs(1);
    memset(&rt, 0, sizeof rt);
    rt.wg = wg_new();
    assert_non_null(rt.wg);
    reader_init(&rt.r, rt.wg);
    rt.queued_before = stats_now().syscall_queued_exits;
    TU_ASSERT_OK(wg_add(rt.wg, 2));
    TU_ASSERT_OK(go_spawn(reader_body, &rt.r));
    wait_entered(&rt.r);
    /* Queued behind the blocked reader: runs only on a retaken P. */
    TU_ASSERT_OK(go_spawn(holder, NULL));
    TU_ASSERT_OK(wg_wait(rt.wg));
    wg_free(rt.wg);
    go_maxprocs(prev);
    reader_close(&rt.r);
    assert_int_equal(rt.r.got, 1);
    assert_int_equal(rt.r.err_after, ENOTRECOVERABLE);
    if (stats_now().syscall_queued_exits <= rt.queued_before)
        fail_msg("the reader's exit found a P: the holder did not keep it");
    if (rt.r.thread_before == rt.r.thread_after)
        fail_msg("the retaken goroutine resumed on the thread it blocked on");
}

/* ------------------------------------------------------------------------ */
/* GOMAXPROCS changed while goroutines are in system calls. */

static void test_maxprocs_changes_during_syscalls(void **state)
{
    (void)state;
    int prev = go_maxprocs(4);
    reader_t r[3];
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    for (int i = 0; i < 3; i++)
        reader_init(&r[i], wg);
    watchdog_t w;
    watchdog_start(&w, r, 3);
    TU_ASSERT_OK(wg_add(wg, 3));
    for (int i = 0; i < 3; i++)
        TU_ASSERT_OK(go_spawn(reader_body, &r[i]));
    for (int i = 0; i < 3; i++)
        wait_entered(&r[i]);
    assert_int_equal(go_maxprocs(1), 4);  /* retires Ps held by readers */
    run_ring();
    assert_int_equal(go_maxprocs(2), 1);
    run_ring();
    reader_release(&r[0]);
    assert_int_equal(go_maxprocs(3), 2);
    reader_release(&r[1]);
    assert_int_equal(go_maxprocs(1), 3);
    reader_release(&r[2]);
    TU_ASSERT_OK(wg_wait(wg));
    run_ring();
    int fired = watchdog_stop(&w);
    wg_free(wg);
    go_maxprocs(prev);
    if (fired)
        fail_msg("the readers or the ring stalled while GOMAXPROCS changed");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].got, 1);
        reader_close(&r[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* go_preempt_point yields when sysmon asked, and not otherwise. */

typedef struct spinner {
    go_wg_t *wg;
    atomic_int flag;
    int64_t waited;
} spinner_t;

static spinner_t sp;

static void flag_setter(void *p)
{
    (void)p;
    atomic_store(&sp.flag, 1);
    wg_done(sp.wg);
}

static void preempt_spinner(void *p)
{
    (void)p;
    /* flag_setter is queued on this P and, at GOMAXPROCS=1, runs only if
     * this loop yields. */
    go_spawn(flag_setter, NULL);
    int64_t t0 = tu_now_ns();
    while (!atomic_load(&sp.flag) && tu_now_ns() - t0 < 10000 * TU_MS)
        go_preempt_point();
    sp.waited = tu_now_ns() - t0;
    wg_done(sp.wg);
}

static void test_preempt_point_yields_when_asked(void **state)
{
    (void)state;
    int prev = go_maxprocs(1);
    go_sched_stats_t before = stats_now();
    memset(&sp, 0, sizeof sp);
    sp.wg = wg_new();
    TU_ASSERT_OK(wg_add(sp.wg, 2));
    TU_ASSERT_OK(go_spawn(preempt_spinner, NULL));
    TU_ASSERT_OK(wg_wait(sp.wg));
    wg_free(sp.wg);
    go_maxprocs(prev);
    go_sched_stats_t after = stats_now();
    if (!atomic_load(&sp.flag) || sp.waited >= 10000 * TU_MS)
        fail_msg("a goroutine calling go_preempt_point kept the only P for %lld ms",
                 (long long)(sp.waited / TU_MS));
    assert_true(after.preempt_requests > before.preempt_requests);
    assert_true(after.preempt_yields > before.preempt_yields);
}

static void polite_spinner(void *p)
{
    (void)p;
    for (int i = 0; i < 200000; i++) {
        go_preempt_point();
        if (i % 64 == 0)
            go_yield();  /* a scheduling point: no request can stand */
    }
    wg_done(sp.wg);
}

static void test_preempt_point_idle_when_not_asked(void **state)
{
    (void)state;
    go_sched_stats_t before = stats_now();
    memset(&sp, 0, sizeof sp);
    sp.wg = wg_new();
    TU_ASSERT_OK(wg_add(sp.wg, 2));
    TU_ASSERT_OK(go_spawn(polite_spinner, NULL));
    TU_ASSERT_OK(go_spawn(polite_spinner, NULL));
    TU_ASSERT_OK(wg_wait(sp.wg));
    wg_free(sp.wg);
    go_sched_stats_t after = stats_now();
    /* A yield needs a request made since the goroutine's last scheduling
     * point (the OS may deschedule a thread for 10 ms on a loaded machine,
     * so requests themselves are possible). */
    assert_true(after.preempt_yields - before.preempt_yields <=
                after.preempt_requests - before.preempt_requests);
    /* From a thread that is not a goroutine: nothing happens. */
    for (int i = 0; i < 1000; i++)
        go_preempt_point();
}

/* ------------------------------------------------------------------------ */
/* Bad input, nesting, no-ops outside goroutines, pinned goroutines. */

static intptr_t nested_inner(void *p)
{
    (void)p;
    return 7;
}

static intptr_t nested_outer(void *p)
{
    (void)p;
    return go_blocking(nested_inner, NULL) + 1;  /* an inner pair does nothing */
}

typedef struct nest {
    go_wg_t *wg;
    intptr_t r;
    uint64_t calls;
} nest_t;

static void nest_body(void *p)
{
    nest_t *n = p;
    go_sched_stats_t b = stats_now();
    n->r = go_blocking(nested_outer, NULL);
    go_syscall_enter();
    go_syscall_enter_block();
    go_syscall_exit();
    go_syscall_exit();
    n->calls = stats_now().syscalls - b.syscalls;
    wg_done(n->wg);
}

static void test_bad_input_and_noops(void **state)
{
    (void)state;
    assert_int_equal(go_blocking(NULL, NULL), GO_EINVAL);
    assert_int_equal(go_sched_stats(NULL), GO_EINVAL);
    go_sched_stats_t st;
    st.size = 4;
    assert_int_equal(go_sched_stats(&st), GO_EINVAL);
    /* A short struct (an older caller): only its fields are written. */
    union {
        go_sched_stats_t st;
        unsigned char bytes[sizeof(go_sched_stats_t)];
    } u;
    memset(&u, 0xab, sizeof u);
    u.st.size = offsetof(go_sched_stats_t, syscalls) + sizeof u.st.syscalls;
    assert_int_equal(go_sched_stats(&u.st), 0);
    for (size_t i = u.st.size; i < sizeof u; i++)
        assert_int_equal(u.bytes[i], 0xab);
    st = stats_now();
    assert_true(st.threads >= 0);
    assert_int_equal(st.threads_max, 10000);

    /* Outside a goroutine: no-ops, errno kept, fn still called. */
    go_sched_stats_t b = stats_now();
    errno = EDOM;
    go_syscall_enter();
    go_syscall_exit();
    go_syscall_enter_block();
    go_syscall_exit();
    assert_int_equal(errno, EDOM);
    assert_int_equal(go_blocking(nested_outer, NULL), 8);
    assert_int_equal(stats_now().syscalls, b.syscalls);

    nest_t n = {wg_new(), 0, 0};
    TU_ASSERT_OK(wg_add(n.wg, 1));
    TU_ASSERT_OK(go_spawn(nest_body, &n));
    TU_ASSERT_OK(wg_wait(n.wg));
    wg_free(n.wg);
    assert_int_equal(n.r, 8);
    assert_int_equal(n.calls, 2);  /* the outer pairs only */
}

typedef struct pinned_ctx {
    go_wg_t *wg;
    intptr_t r;
    int err;
} pinned_ctx_t;

static intptr_t set_errno_fn(void *p)
{
    (void)p;
    errno = EXDEV;
    return 42;
}

static void pinned_body(void *p)
{
    pinned_ctx_t *c = p;
    c->r = go_blocking(set_errno_fn, NULL);
    c->err = errno;
    go_syscall_enter_block();
    go_syscall_exit();
    go_preempt_point();
    wg_done(c->wg);
}

static void test_pinned_is_plain_call(void **state)
{
    (void)state;
    go_sched_stats_t b = stats_now();
    pinned_ctx_t c = {wg_new(), 0, 0};
    TU_ASSERT_OK(wg_add(c.wg, 1));
    TU_ASSERT_OK(go_spawn_pinned(pinned_body, &c));
    TU_ASSERT_OK(wg_wait(c.wg));
    wg_free(c.wg);
    assert_int_equal(c.r, 42);
    assert_int_equal(c.err, EXDEV);
    assert_int_equal(stats_now().syscalls, b.syscalls);
}

/* ------------------------------------------------------------------------ */
/* Children: the thread cap, the deadlock rule, misuse. */

/* A child that ran go_main to the end leaves by _exit: LeakSanitizer in a
 * process forked from this threaded one cannot see the parent's threads'
 * thread-locals and reports what they point to (a thread_local destructor
 * record of the forking thread) as leaked. */
static void child_done(void)
{
    fflush(stdout);
    fflush(stderr);
    _exit(0);
}

typedef struct cap_child {
    int fds[4][2];
    int ready[2]; /* each reader writes a byte here once in its system call */
    go_wg_t *readers;
} cap_child_t;

static cap_child_t cc;

static intptr_t cap_read(void *p)
{
    int *fd = p;
    char c;
    return read(*fd, &c, 1);
}

static void cap_reader(void *p)
{
    int i = *(int *)p;
    go_syscall_enter_block();
    /* Two readers block at once (the second meets the cap); the others
     * run only once one returns. A raw write: allowed in a system call
     * (this child keeps the read end open, so a late write never fails). */
    if (write(cc.ready[1], "b", 1) != 1)
        _exit(125);
    cap_read(&cc.fds[i][0]);
    go_syscall_exit();
    wg_done(cc.readers);
}

/* Releases the readers once two are in their system calls (two bytes on
 * the ready pipe, from the first two to run, whichever they are): a
 * shell, not a thread of this child (a thread made in a child forked from
 * a threaded parent confuses TSan) nor a fork of it (LeakSanitizer in a
 * fork of a fork reports the parent's threads' memory). The pipes' write
 * ends become its fds 3 to 6, the ready pipe's read end its fd 7. */
static void cap_releaser(void)
{
    int hi[5];
    close(cc.ready[1]); /* the child dying gives EOF, not a hang */
    for (int i = 0; i < 4; i++)
        hi[i] = fcntl(cc.fds[i][1], F_DUPFD, 20);
    hi[4] = fcntl(cc.ready[0], F_DUPFD, 20);
    for (int i = 0; i < 5; i++)
        if (hi[i] < 0 || dup2(hi[i], 3 + i) != 3 + i)
            _exit(126);
    execl("/bin/sh", "sh", "-c", "head -c 2 <&7 >/dev/null; for f in 3 4 5 6; do printf r >&$f; done",
          (char *)NULL);
    _exit(127);
}

static void cap_main(void *p)
{
    (void)p;
    cc.readers = wg_new();
    wg_add(cc.readers, 4);
    for (int i = 0; i < 4; i++)
        go_spawn_copy(cap_reader, &i, sizeof i);
    wg_wait(cc.readers);
    go_sched_stats_t st;
    st.size = sizeof st;
    go_sched_stats(&st);
    printf("readers done; threads %d of %d\n", st.threads, st.threads_max);
    wg_free(cc.readers);
}

static void child_thread_cap(void *p)
{
    (void)p;
    setenv("GORT_MAXTHREADS", "2", 1);
    setenv("GOMAXPROCS", "1", 1);
    for (int i = 0; i < 4; i++)
        TU_CHILD_CHECK(pipe(cc.fds[i]) == 0);
    TU_CHILD_CHECK(pipe(cc.ready) == 0);
    pid_t pid = fork();
    TU_CHILD_CHECK(pid >= 0);
    if (pid == 0) {
        cap_releaser();
        _exit(0);
    }
    TU_CHILD_CHECK(go_main(cap_main, NULL) == 0);
    int ws = 0;
    TU_CHILD_CHECK(waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    child_done();
}

static void bad_main(void *p)
{
    (void)p;
    go_sched_stats_t st;
    st.size = sizeof st;
    go_sched_stats(&st);
    printf("max %d\n", st.threads_max);
}

static void child_thread_cap_bad(void *p)
{
    (void)p;
    TU_CHILD_CHECK(go_main(bad_main, NULL) == 0);
    child_done();
}

static void test_thread_cap_warns_and_lives(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_thread_cap, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("expected exit status 0; %s", tu_child_describe(&r));
    if (strcmp(r.out, "readers done; threads 2 of 2\n") != 0)
        fail_msg("unexpected output; %s", tu_child_describe(&r));
    const char *warn = "gort: 2 threads (GORT_MAXTHREADS): goroutines entering system calls "
                       "keep their processors from now on\n";
    const char *first = strstr(r.err, warn);
    if (first == NULL || strstr(first + 1, warn) != NULL)
        fail_msg("expected the thread-cap warning exactly once; %s", tu_child_describe(&r));
    tu_child_free(&r);

    /* A bad value: a clear message, the default, no death. */
    setenv("GORT_MAXTHREADS", "lots", 1);
    tu_run_child(child_thread_cap_bad, NULL, CHILD_TIMEOUT_MS, &r);
    unsetenv("GORT_MAXTHREADS");
    if (!r.exited || r.exit_status != 0 ||
        strstr(r.err, "gort: GORT_MAXTHREADS=lots is not a thread count in [1, 1000000]; "
                      "using 10000\n") == NULL ||
        strcmp(r.out, "max 10000\n") != 0)
        fail_msg("bad GORT_MAXTHREADS; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* At the thread cap (one M), a goroutine spawned by a thread that is not a
 * goroutine must not wait for good when the only M is on its way to sleep:
 * the spawner's wake-up finds no M to start and no thread to make. Before
 * the fix, without sysmon's backstop (tests/meson.build runs this suite
 * with GORTDEBUG=sysmonwake=0), 2 runs in 3 hung. */
static go_wg_t *cap_wg;
static void cap_body(void *p)
{
    (void)p;
    wg_done(cap_wg);
}

static void child_cap_foreign_spawns(void *p)
{
    (void)p;
    setenv("GORT_MAXTHREADS", "1", 1);
    setenv("GOMAXPROCS", "1", 1);
    cap_wg = wg_new();
    for (int r = 0; r < 20000; r++) {
        wg_add(cap_wg, 1);
        TU_CHILD_CHECK(go_spawn(cap_body, NULL) > 0);
        wg_wait(cap_wg);
        if (r % 3 == 0)
            tu_thread_sleep_ns(20000); /* let the M reach its sleep */
    }
    wg_free(cap_wg);
    child_done();
}

static void test_thread_cap_foreign_spawns_never_stranded(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_cap_foreign_spawns, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("expected exit status 0; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* The deadlock detector counts a goroutine in a system call as running:
 * main sleeps in a handed-off call while another goroutine waits on a
 * channel nobody will send on; the program then ends normally. */
static intptr_t nap(void *p)
{
    (void)p;
    struct timespec ts = {0, 200 * 1000 * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
}

static go_chan_t *never;

static void waiter(void *p)
{
    (void)p;
    long v;
    chan_recv(never, &v);
}

static void syscall_main(void *p)
{
    (void)p;
    never = chan_new(sizeof(long), 0);
    go_spawn(waiter, NULL);
    go_yield();
    go_syscall_enter_block();
    nap(NULL);
    go_syscall_exit();
    go_blocking(nap, NULL);
    printf("main woke\n");
}

static void child_no_deadlock_in_syscall(void *p)
{
    (void)p;
    TU_CHILD_CHECK(go_main(syscall_main, NULL) == 0);
    child_done();
}

static void deadlock_main(void *p)
{
    (void)p;
    never = chan_new(sizeof(long), 0);
    go_blocking(nap, NULL);
    long v;
    chan_recv(never, &v);  /* now everything is blocked: a real deadlock */
}

static void child_deadlock_after_syscall(void *p)
{
    (void)p;
    go_main(deadlock_main, NULL);
}

static void test_deadlock_rule(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_no_deadlock_in_syscall, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0 || strcmp(r.out, "main woke\n") != 0)
        fail_msg("a goroutine in a system call was taken for a deadlock; %s", tu_child_describe(&r));
    tu_child_free(&r);
    tu_run_child(child_deadlock_after_syscall, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 2 ||
        !tu_starts_with(r.err, "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n"))
        fail_msg("expected the deadlock report; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* Blocking in gort between enter and exit is a fatal error, not a crash. */
static void misuse_main(void *p)
{
    (void)p;
    go_chan_t *c = chan_new(sizeof(long), 0);
    long v;
    go_syscall_enter();
    chan_recv(c, &v);
}

static void child_misuse(void *p)
{
    (void)p;
    go_main(misuse_main, NULL);
}

static void test_gort_call_inside_syscall_is_fatal(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_misuse, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 2 ||
        !tu_starts_with(r.err, "fatal error: gort: a goroutine blocked in gort between "
                               "go_syscall_enter and go_syscall_exit\n"))
        fail_msg("expected a fatal error; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* GORT_RETAKE=1: a goroutine blocked in a read() nobody wrapped loses its
 * P to the goroutine queued behind it (GOMAXPROCS=1), and gets a P back at
 * its next gort call. */
typedef struct blind {
    int fds[2];
    go_wg_t *wg;
    atomic_int reading;
    ssize_t got;
} blind_t;

static blind_t bl;

static void blind_reader(void *p)
{
    (void)p;
    char c;
    atomic_store(&bl.reading, 1);
    bl.got = read(bl.fds[0], &c, 1);  /* unwrapped: keeps the P in Go */
    wg_done(bl.wg);                   /* finds its P gone */
}

static void blind_main(void *p)
{
    (void)p;
    bl.wg = wg_new();
    wg_add(bl.wg, 1);
    go_spawn(blind_reader, NULL);
    while (!atomic_load(&bl.reading))
        go_yield();  /* the reader runs and blocks holding the only P */
    /* Running again: the P was retaken from the reader. */
    char c = 'b';
    if (write(bl.fds[1], &c, 1) != 1)
        printf("write failed\n");
    wg_wait(bl.wg);
    go_sched_stats_t st;
    st.size = sizeof st;
    go_sched_stats(&st);
    printf("read %d byte; blind retakes %s\n", (int)bl.got, st.blind_retakes > 0 ? "> 0" : "= 0");
    wg_free(bl.wg);
}

static void child_blind_retake(void *p)
{
    (void)p;
    setenv("GORT_RETAKE", "1", 1);
    setenv("GOMAXPROCS", "1", 1);
    TU_CHILD_CHECK(pipe(bl.fds) == 0);
    TU_CHILD_CHECK(go_main(blind_main, NULL) == 0);
    child_done();
}

static void child_retake_bad_value(void *p)
{
    (void)p;
    setenv("GORT_RETAKE", "yes", 1);
    TU_CHILD_CHECK(go_main(bad_main, NULL) == 0);
    child_done();
}

static void test_opt_in_retake_of_unwrapped_read(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_blind_retake, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0 || strcmp(r.out, "read 1 byte; blind retakes > 0\n") != 0)
        fail_msg("GORT_RETAKE=1 did not free the P of an unwrapped read(); %s", tu_child_describe(&r));
    tu_child_free(&r);
    tu_run_child(child_retake_bad_value, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0 ||
        strstr(r.err, "gort: GORT_RETAKE=yes is not 0 or 1; calls nobody wrapped are not retaken\n") == NULL)
        fail_msg("bad GORT_RETAKE; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_bad_input_and_noops),
        TU_TEST(test_fast_path_same_p),
        TU_TEST(test_progress_while_reads_block),
        TU_TEST(test_retaken_goroutine_resumes_elsewhere),
        TU_TEST(test_maxprocs_changes_during_syscalls),
        TU_TEST(test_preempt_point_yields_when_asked),
        TU_TEST(test_preempt_point_idle_when_not_asked),
        TU_TEST(test_pinned_is_plain_call),
        TU_TEST(test_thread_cap_warns_and_lives),
        TU_TEST(test_thread_cap_foreign_spawns_never_stranded),
        TU_TEST(test_deadlock_rule),
        TU_TEST(test_gort_call_inside_syscall_is_fatal),
        TU_TEST(test_opt_in_retake_of_unwrapped_read),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
