/* test_pinned.c - pinned goroutines (gort/pinned.h): bodies on a pooled
 * native thread's own stack, with ids, defer/panic/recover, channels and
 * WaitGroups shared with ordinary goroutines, no P held, hooks once per
 * thread; the fatal and deadlock paths in forked children.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

#define CHILD_TIMEOUT_MS 20000

/* ------------------------------------------------------------------------ */
/* identity: id, go_is_pinned, go_name, go_num_goroutine                     */

typedef struct ident {
    go_wg_t *wg;
    go_id_t seen_id;
    int is_pinned, name_empty, num_goroutine;
} ident_t;

static void ident_body(void *p)
{
    ident_t *c = p;
    c->seen_id = go_id();
    c->is_pinned = go_is_pinned();
    const char *name = go_name();
    c->name_empty = name != NULL && name[0] == '\0';
    c->num_goroutine = go_num_goroutine();
    wg_done(c->wg);
}

static void test_identity(void **state)
{
    (void)state;
    ident_t c;
    memset(&c, 0, sizeof c);
    c.wg = wg_new();
    assert_non_null(c.wg);
    ident_t ordinary;
    memset(&ordinary, 0, sizeof ordinary);
    ordinary.wg = c.wg;
    TU_ASSERT_OK(wg_add(c.wg, 2));
    go_id_t before = go_spawn(ident_body, &ordinary); /* ids are one sequence */
    TU_ASSERT_OK(before);
    go_id_t id = go_spawn_pinned(ident_body, &c);
    TU_ASSERT_OK(id);
    assert_true(id > before);
    assert_int_equal(wg_wait(c.wg), 0);
    assert_int_equal(ordinary.seen_id, before);
    assert_int_equal(ordinary.is_pinned, 0);
    assert_int_equal(c.seen_id, id);
    assert_int_equal(c.is_pinned, 1);
    assert_int_equal(c.name_empty, 1);
    assert_true(c.num_goroutine >= tu_baseline_goroutines + 1);
    assert_int_equal(go_is_pinned(), 0); /* the test thread is not one */
    wg_free(c.wg);
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_int_equal(go_spawn_pinned(NULL, NULL), GO_EINVAL);
    assert_int_equal(go_spawn_pinned_copy(NULL, NULL, 0), GO_EINVAL);
    assert_int_equal(go_spawn_pinned_copy(ident_body, NULL, 8), GO_EINVAL);
    assert_int_equal(go_pinned_set_hooks(NULL), GO_EINVAL);
    go_pinned_hooks_t h;
    go_pinned_hooks_init(&h);
    assert_int_equal(h.size, sizeof h);
    assert_null(h.thread_start);
    h.size = 0;
    assert_int_equal(go_pinned_set_hooks(&h), GO_EINVAL);
    go_pinned_hooks_init(NULL); /* ignored */
}

/* ------------------------------------------------------------------------ */
/* the body runs on the thread's own (large) stack                           */

static void big_frame_body(void *p)
{
    /* 2 MiB of locals: far beyond a goroutine's 64 KiB stack, fine on a
     * native thread's 8 MiB one. */
    volatile char buf[2u << 20];
    buf[0] = 1;
    buf[sizeof buf - 1] = 2;
    int *ok = ((int **)p)[0];
    *ok = buf[0] + buf[sizeof buf - 1];
    wg_done(((go_wg_t **)p)[1]);
}

static void test_native_stack(void **state)
{
    (void)state;
    int ok = 0;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    TU_ASSERT_OK(wg_add(wg, 1));
    void *args[2] = { &ok, wg };
    TU_ASSERT_OK(go_spawn_pinned(big_frame_body, args));
    assert_int_equal(wg_wait(wg), 0);
    assert_int_equal(ok, 3);
    wg_free(wg);
}

/* ------------------------------------------------------------------------ */
/* channels and WaitGroups between pinned and ordinary goroutines            */

enum { PP_ROUNDS = 2000, FAN = 50 };

typedef struct pp {
    go_chan_t *ping, *pong;
    go_wg_t *wg;
    int64_t last;
} pp_t;

static void pp_echo(void *p)
{
    pp_t *c = p;
    int64_t v;
    while (chan_recv(c->ping, &v) == 1) {
        v++;
        chan_send(c->pong, &v);
    }
    wg_done(c->wg);
}

static void pp_driver(void *p)
{
    pp_t *c = p;
    int64_t v = 0;
    for (int i = 0; i < PP_ROUNDS; i++) {
        chan_send(c->ping, &v);
        chan_recv(c->pong, &v);
    }
    c->last = v;
    chan_close(c->ping);
    wg_done(c->wg);
}

static void run_pingpong(go_id_t (*spawn_echo)(go_fn_t, void *),
                         go_id_t (*spawn_driver)(go_fn_t, void *))
{
    pp_t c;
    memset(&c, 0, sizeof c);
    c.ping = chan_new(sizeof(int64_t), 0);
    c.pong = chan_new(sizeof(int64_t), 0);
    c.wg = wg_new();
    assert_non_null(c.ping);
    assert_non_null(c.pong);
    assert_non_null(c.wg);
    TU_ASSERT_OK(wg_add(c.wg, 2));
    TU_ASSERT_OK(spawn_echo(pp_echo, &c));
    TU_ASSERT_OK(spawn_driver(pp_driver, &c));
    assert_int_equal(wg_wait(c.wg), 0);
    assert_int_equal(c.last, PP_ROUNDS);
    chan_free(c.ping);
    chan_free(c.pong);
    wg_free(c.wg);
}

static void test_pingpong_pinned_ordinary(void **state)
{
    (void)state;
    run_pingpong(go_spawn_pinned, go_spawn);
    run_pingpong(go_spawn, go_spawn_pinned);
    run_pingpong(go_spawn_pinned, go_spawn_pinned);
}

typedef struct fan {
    go_chan_t *out;
    go_wg_t *wg;
    go_mutex_t *mu;
    long counter;
} fan_t;

typedef struct fan_arg {
    fan_t *f;
    int64_t i;
} fan_arg_t;

static void fan_body(void *p)
{
    fan_arg_t *a = p; /* a copy (go_spawn_pinned_copy / go_spawn_copy) */
    for (int k = 0; k < 100; k++) {
        mutex_lock(a->f->mu);
        a->f->counter++;
        mutex_unlock(a->f->mu);
    }
    chan_send(a->f->out, &a->i);
    wg_done(a->f->wg);
}

static void test_fan_in_mixed(void **state)
{
    (void)state;
    fan_t f;
    memset(&f, 0, sizeof f);
    f.out = chan_new(sizeof(int64_t), 4);
    f.wg = wg_new();
    f.mu = mutex_new();
    assert_non_null(f.out);
    assert_non_null(f.wg);
    assert_non_null(f.mu);
    TU_ASSERT_OK(wg_add(f.wg, FAN));
    for (int64_t i = 0; i < FAN; i++) {
        fan_arg_t a = { &f, i };
        if (i % 2 == 0)
            TU_ASSERT_OK(go_spawn_pinned_copy(fan_body, &a, sizeof a));
        else
            TU_ASSERT_OK(go_spawn_copy(fan_body, &a, sizeof a));
    }
    int64_t sum = 0, v;
    for (int i = 0; i < FAN; i++) {
        assert_int_equal(chan_recv(f.out, &v), 1);
        sum += v;
    }
    assert_int_equal(wg_wait(f.wg), 0);
    assert_int_equal(sum, (int64_t)FAN * (FAN - 1) / 2);
    assert_int_equal(f.counter, 100L * FAN);
    chan_free(f.out);
    wg_free(f.wg);
    mutex_free(f.mu);
}

/* ------------------------------------------------------------------------ */
/* a pinned goroutine holds no P                                             */

typedef struct nop {
    atomic_int flag;
    go_wg_t *wg;
} nop_t;

static void spin_until_flag(void *p)
{
    nop_t *c = p;
    /* computes without calling gort: on a P this would keep it (the
     * scheduler is cooperative); pinned, it holds none */
    while (!atomic_load(&c->flag)) {
    }
    wg_done(c->wg);
}

static void set_flag(void *p)
{
    nop_t *c = p;
    atomic_store(&c->flag, 1);
    wg_done(c->wg);
}

static void test_holds_no_p(void **state)
{
    (void)state;
    int old = go_maxprocs(1);
    nop_t c;
    memset(&c, 0, sizeof c);
    c.wg = wg_new();
    assert_non_null(c.wg);
    TU_ASSERT_OK(wg_add(c.wg, 2));
    TU_ASSERT_OK(go_spawn_pinned(spin_until_flag, &c));
    TU_ASSERT_OK(go_spawn(set_flag, &c)); /* the only P runs this meanwhile */
    assert_int_equal(wg_wait(c.wg), 0);
    go_maxprocs(old);
    wg_free(c.wg);
}

/* ------------------------------------------------------------------------ */
/* defer, panic, recover; go_exit                                            */

typedef struct dpr {
    go_wg_t *wg;
    char order[8];
    int n;
    int recovered;
    char msg[64];
    int exit_rc;
} dpr_t;

static void dpr_mark(void *p)
{
    dpr_t *c = *(dpr_t **)p;
    int k = c->n++;
    c->order[k] = (char)('a' + k);
}

static void dpr_recover(void *p)
{
    dpr_t *c = *(dpr_t **)p;
    go_recovered_t r;
    if (panic_recover(&r)) {
        c->recovered = 1;
        snprintf(c->msg, sizeof c->msg, "%s", r.message);
    }
}

static void dpr_risky(void *p)
{
    defer_push_copy(dpr_recover, &p, sizeof p);
    defer_push_copy(dpr_mark, &p, sizeof p);
    defer_push_copy(dpr_mark, &p, sizeof p);
    panic_raise("pinned boom");
}

static void dpr_body(void *p)
{
    dpr_t *c = p;
    c->exit_rc = go_exit(); /* not allowed: returns */
    int rc = go_call(dpr_risky, c);
    if (rc == GO_RECOVERED)
        c->order[c->n++] = 'R';
    wg_done(c->wg);
}

static void test_defer_panic_recover(void **state)
{
    (void)state;
    dpr_t c;
    memset(&c, 0, sizeof c);
    c.wg = wg_new();
    assert_non_null(c.wg);
    TU_ASSERT_OK(wg_add(c.wg, 1));
    TU_ASSERT_OK(go_spawn_pinned(dpr_body, &c));
    assert_int_equal(wg_wait(c.wg), 0);
    assert_int_equal(c.exit_rc, GO_EPERM);
    assert_int_equal(c.recovered, 1);
    assert_string_equal(c.msg, "pinned boom");
    assert_int_equal(c.n, 3); /* two deferred marks, then go_call reported the recovery */
    assert_int_equal(c.order[2], 'R');
    wg_free(c.wg);
}

/* ------------------------------------------------------------------------ */
/* reuse: many goroutines, few threads                                        */

enum { REUSE_ROUNDS = 20, REUSE_WIDTH = 8 };

static void count_done(void *p)
{
    wg_done(p);
}

static void test_threads_reused(void **state)
{
    (void)state;
    go_wg_t *wg = wg_new();
    assert_non_null(wg);
    for (int r = 0; r < REUSE_ROUNDS; r++) {
        TU_ASSERT_OK(wg_add(wg, REUSE_WIDTH));
        for (int i = 0; i < REUSE_WIDTH; i++)
            TU_ASSERT_OK(go_spawn_pinned(count_done, wg));
        assert_int_equal(wg_wait(wg), 0);
    }
    wg_free(wg);
}

/* A burst: far more bodies than CPUs, so most wait in the pool's queue (a
 * ring that grows past the size it keeps, then is given back when it
 * drains); every body runs exactly once. Twice: the second burst grows the
 * ring again. (No order is checked: a body handed to a thread that is
 * still starting may run after many queued ones.) */
enum { BURST = 5000 };

typedef struct burst {
    go_wg_t *wg;
    atomic_int ran[BURST];
} burst_t;

typedef struct burst_arg {
    burst_t *b;
    int i;
} burst_arg_t;

static void burst_body(void *p)
{
    burst_arg_t *a = p;
    atomic_fetch_add(&a->b->ran[a->i], 1);
    wg_done(a->b->wg);
}

static void test_queue_burst(void **state)
{
    (void)state;
    static burst_t b;
    static burst_arg_t args[BURST];
    for (int round = 0; round < 2; round++) {
        memset(&b, 0, sizeof b);
        b.wg = wg_new();
        assert_non_null(b.wg);
        TU_ASSERT_OK(wg_add(b.wg, BURST));
        for (int i = 0; i < BURST; i++) {
            args[i] = (burst_arg_t){ &b, i };
            TU_ASSERT_OK(go_spawn_pinned(burst_body, &args[i]));
        }
        assert_int_equal(wg_wait(b.wg), 0);
        for (int i = 0; i < BURST; i++)
            assert_int_equal(atomic_load(&b.ran[i]), 1);
        /* a body may still be inside wg_done: settle before the free */
        assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
        wg_free(b.wg);
    }
}

/* Bodies blocked outside gort (a plain read of a pipe) hold every running
 * place; a body spawned after them queues, and the pool's watchdog must
 * give it a thread of its own (about a millisecond a tick) instead of
 * leaving it behind them: it releases them. */
typedef struct blockers {
    int fds[2];
    go_wg_t *wg;
} blockers_t;

static void blocked_reader(void *p)
{
    blockers_t *bl = p;
    char c;
    ssize_t n = read(bl->fds[0], &c, 1);
    (void)n;
    wg_done(bl->wg);
}

static void releaser(void *p)
{
    blockers_t *bl = p;
    int n = go_num_cpu();
    for (int i = 0; i < n; i++) {
        ssize_t w = write(bl->fds[1], "x", 1);
        (void)w;
    }
    wg_done(bl->wg);
}

static void test_queue_not_behind_blocked_bodies(void **state)
{
    (void)state;
    blockers_t bl;
    assert_int_equal(pipe(bl.fds), 0);
    bl.wg = wg_new();
    assert_non_null(bl.wg);
    int n = go_num_cpu();
    TU_ASSERT_OK(wg_add(bl.wg, n + 1));
    for (int i = 0; i < n; i++)
        TU_ASSERT_OK(go_spawn_pinned(blocked_reader, &bl));
    /* the readers hold the running places (they block outside gort) */
    TU_ASSERT_OK(go_spawn_pinned(releaser, &bl));
    assert_int_equal(wg_wait(bl.wg), 0);
    wg_free(bl.wg);
    close(bl.fds[0]);
    close(bl.fds[1]);
}

/* ------------------------------------------------------------------------ */
/* children: hooks once per thread, the fatal path, the deadlock report      */

static atomic_int hook_starts;

static void hook_start(void *ctx)
{
    atomic_fetch_add(&hook_starts, 1);
    *(int *)ctx = 1;
}

static void child_hooks(void *unused)
{
    (void)unused;
    static int ctx_seen;
    go_pinned_hooks_t h;
    go_pinned_hooks_init(&h);
    h.thread_start = hook_start;
    h.ctx = &ctx_seen;
    TU_CHILD_CHECK(go_pinned_set_hooks(&h) == 0);
    TU_CHILD_CHECK(go_pinned_set_hooks(&h) == GO_EALREADY);
    go_wg_t *wg = wg_new();
    for (int r = 0; r < 10; r++) {
        TU_CHILD_CHECK(wg_add(wg, 4) == 0);
        for (int i = 0; i < 4; i++)
            TU_CHILD_CHECK(go_spawn_pinned(count_done, wg) > 0);
        TU_CHILD_CHECK(wg_wait(wg) == 0);
        /* a thread is back on the idle list before its goroutine stops
         * counting: once the count is down, the next round reuses them */
        TU_CHILD_CHECK(tu_settle_goroutines(0) == 0); /* no go_main here */
    }
    /* 40 goroutines, at most 4 at once: the threads were reused, and the
     * start hook ran once per thread */
    int starts = atomic_load(&hook_starts);
    TU_CHILD_CHECK(starts >= 1 && starts <= 4);
    TU_CHILD_CHECK(ctx_seen == 1);
    printf("hooks ok\n");
    /* Leave without exit(): the parent's threads (goroutines' Ms, earlier
     * tests' pool threads) do not exist in this forked child, and a leak
     * checker's exit-time scan would miss what their stacks point to. */
    fflush(stdout);
    _exit(0);
}

static void test_hooks_once_per_thread(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_hooks, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("child: %s\nstderr: %s", tu_child_describe(&r), r.err);
    assert_string_equal(r.out, "hooks ok\n");
    tu_child_free(&r);
}

static void panicking_body(void *unused)
{
    (void)unused;
    panic_raise("pinned and lost");
}

static void main_pinned_panics(void *unused)
{
    (void)unused;
    go_spawn_pinned(panicking_body, NULL);
    go_chan_t *never = chan_new(0, 0);
    chan_recv(never, NULL);
}

static void child_go_main(void *fn)
{
    go_main((go_fn_t)fn, NULL);
}

static void test_unrecovered_panic(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)main_pinned_panics, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 2)
        fail_msg("expected exit status 2: %s\nstderr: %s", tu_child_describe(&r), r.err);
    assert_true(tu_starts_with(r.err, "panic: pinned and lost\n\ngoroutine "));
    assert_non_null(strstr(r.err, " [running, locked to thread]:\n"));
    tu_child_free(&r);
}

static go_chan_t *dead_c;

static void blocked_body(void *unused)
{
    (void)unused;
    chan_recv(dead_c, NULL);
}

static void main_deadlocks(void *unused)
{
    (void)unused;
    dead_c = chan_new(0, 0);
    go_id_t id = go_spawn_pinned(blocked_body, NULL);
    printf("pinned %lld\n", (long long)id);
    fflush(stdout);
    go_chan_t *never = chan_new(0, 0);
    chan_recv(never, NULL);
}

static void test_deadlock_lists_pinned(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)main_deadlocks, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 2)
        fail_msg("expected exit status 2: %s\nstderr: %s", tu_child_describe(&r), r.err);
    long long id = 0;
    assert_int_equal(sscanf(r.out, "pinned %lld", &id), 1);
    /* The main goroutine's header and trace (its frames depend on the
     * compiler: a tail call leaves none), then the pinned one last. */
    if (!tu_starts_with(r.err, "fatal error: all goroutines are asleep - deadlock!\n\n"
                               "goroutine 1 [chan receive]:\n"))
        fail_msg("not Go's deadlock report: %s", r.err);
    char want[128];
    snprintf(want, sizeof want, "\n\ngoroutine %lld [chan receive, locked to thread]:\n", id);
    size_t n = strlen(r.err), w = strlen(want);
    if (n < w || strcmp(r.err + n - w, want) != 0)
        fail_msg("the report does not end with \"%s\": %s", want, r.err);
    tu_child_free(&r);
}

/* Every thread gort creates runs with the program's signal mask, whichever
 * thread created it: an M started by the timer thread (which blocks every
 * signal) must still take SIGSEGV as a panic, and a VM's suspend signal
 * must reach a pinned body (Mono's GC hung on exactly that). The child
 * blocks SIGUSR1 (the "program mask"), starts goroutines from the timer
 * thread (AfterFunc) and pinned goroutines from those, and checks the mask
 * on every thread they run on. Which thread starts a new M depends on
 * timing (an idle M is reused), so this checks the rule, and catches its
 * violation only when the timing creates an M from the timer thread. */
static atomic_int mask_bad;

static void check_mask(void)
{
    sigset_t set;
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    if (sigismember(&set, SIGSEGV) || sigismember(&set, SIGPWR) || !sigismember(&set, SIGUSR1))
        atomic_fetch_add(&mask_bad, 1);
}

static void mask_sleeper(void *wg)
{
    go_sleep(2 * TU_MS); /* woken by the timer thread */
    for (int i = 0; i < 20; i++) {
        check_mask();
        go_yield();
    }
    wg_done(wg);
}

static void mask_pinned(void *wg)
{
    check_mask();
    wg_done(wg);
}

static void mask_after_func(void *wg)
{
    check_mask();
    go_spawn_pinned(mask_pinned, wg); /* a pool thread created from this M */
}

static void main_masks(void *unused)
{
    (void)unused;
    go_wg_t *wg = wg_new();
    /* First, with only this goroutine's M in existence: the timer thread
     * starts the AfterFunc goroutines, which needs new Ms, which the timer
     * thread creates while this goroutine computes (holding its P). */
    TU_CHILD_CHECK(wg_add(wg, 3) == 0);
    go_timer_t *t[3];
    for (int i = 0; i < 3; i++)
        TU_CHILD_CHECK((t[i] = go_timer_func(1 * TU_MS, mask_after_func, wg)) != NULL);
    int64_t until = tu_now_ns() + 30 * TU_MS;
    while (tu_now_ns() < until) {
    }
    TU_CHILD_CHECK(wg_wait(wg) == 0);
    for (int i = 0; i < 3; i++)
        go_timer_free(t[i]);
    for (int round = 0; round < 5; round++) {
        TU_CHILD_CHECK(wg_add(wg, 40) == 0);
        for (int i = 0; i < 32; i++)
            TU_CHILD_CHECK(go_spawn(mask_sleeper, wg) > 0);
        for (int i = 0; i < 8; i++)
            TU_CHILD_CHECK(go_spawn_pinned(mask_pinned, wg) > 0);
        TU_CHILD_CHECK(wg_wait(wg) == 0);
    }
    printf("bad masks: %d\n", atomic_load(&mask_bad));
}

static void child_masks(void *unused)
{
    (void)unused;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    /* (no go_maxprocs here: raising it would start Ms from this thread) */
    go_main(main_masks, NULL);
    fflush(stdout);
    _exit(0); /* no exit-time leak scan: see child_hooks */
}

static void test_threads_get_program_sigmask(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_masks, NULL, CHILD_TIMEOUT_MS, &r);
    if (!r.exited || r.exit_status != 0)
        fail_msg("child: %s\nstderr: %s", tu_child_describe(&r), r.err);
    assert_string_equal(r.out, "bad masks: 0\n");
    tu_child_free(&r);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_identity),
        TU_TEST(test_bad_input),
        TU_TEST(test_native_stack),
        TU_TEST(test_pingpong_pinned_ordinary),
        TU_TEST(test_fan_in_mixed),
        TU_TEST(test_holds_no_p),
        TU_TEST(test_defer_panic_recover),
        TU_TEST(test_threads_reused),
        TU_TEST(test_queue_burst),
        TU_TEST(test_queue_not_behind_blocked_bodies),
        TU_TEST(test_hooks_once_per_thread),
        TU_TEST(test_unrecovered_panic),
        TU_TEST(test_deadlock_lists_pinned),
        TU_TEST(test_threads_get_program_sigmask),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
