/* test_escape_death.c - faults and escapes the runtime must not mistake for
 * recoverable panics, and faults it must not mistake for foreign ones:
 *   - a fault inside the runtime while it holds a lock (a bad value pointer
 *     given to chan_send, chan_recv, a select send) is Go's fatal
 *     "unexpected signal during runtime execution", not a panic a deferred
 *     recover could stop (which would leave the channel locked for good);
 *   - a nil dereference in a pinned goroutine is a recoverable panic, as in
 *     any goroutine; unrecovered, Go's panic text and status 2;
 *   - panic_recover runs no user code (a typed value's format callback);
 *     an unrecovered value whose format callback panics is Go's "fatal
 *     error: panic while printing panic value: ...";
 *   - longjmp out of a go_call body leaves a stale frame: the next defer or
 *     frame is a fatal error, not a deferred call that never runs;
 *   - pthread_exit in a goroutine is a fatal error (it would end the M's
 *     thread, holding its P), and so inside go_call on a plain thread (the
 *     unwind cannot pass the noexcept go_call).
 *
 * Every case runs in a child forked from the test's main thread (the parent
 * never calls gort). Registered with GOMAXPROCS=1, 2 and 4; in the 'faults'
 * suite (valgrind reports the faults, which are on purpose). */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gort.h>
#include <gort/defer.h>
#include <gort/pinned.h>

#include "testutil.h"

#define CHILD_TIMEOUT_MS 20000
#define RUNTIME_FAULT                                                                    \
    "fatal error: unexpected signal during runtime execution\n"                          \
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc="
#define NIL_DEREF "runtime error: invalid memory address or nil pointer dereference"
#define STALE_FRAME                                                                      \
    "fatal error: gort: a go_call, GO_FRAME or deferred call was left without ending its " \
    "frame (longjmp out of it?)\n"
#define FORCED_UNWIND "fatal error: gort: pthread_exit or thread cancellation in a goroutine\n"
#define FORCED_UNWIND_GO_CALL \
    "fatal error: gort: pthread_exit or thread cancellation inside go_call\n"

static void expect_exit(const tu_child_t *r, int status, const char *prefix)
{
    if (!r->exited || r->exit_status != status)
        fail_msg("expected exit status %d; %s", status, tu_child_describe(r));
    if (prefix != NULL && !tu_starts_with(r->err, prefix))
        fail_msg("expected stderr to start with \"%s\"; %s", prefix, tu_child_describe(r));
}

static void expect_absent(const tu_child_t *r, const char *marker)
{
    if (strstr(r->out, marker) != NULL || strstr(r->err, marker) != NULL)
        fail_msg("\"%s\" appeared; %s", marker, tu_child_describe(r));
}

static void wr(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(1, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* A deferred call that recovers and says so on stdout. */
static void recover_marker(void *unused)
{
    (void)unused;
    if (panic_recover(NULL))
        wr("RECOVERED\n");
}

static void run_main(go_fn_t fn, void *arg)
{
    int rc = go_main(fn, arg);
    _exit(rc < 0 ? 90 : 0);
}

/* ------------------------------------------------------------------------ */
/* a fault inside the runtime, under a channel's lock                       */

#define BAD_PTR ((void *)0x10)

typedef struct fault_case {
    int op;          /* 0 chan_send, 1 chan_recv, 2 select send, 3 send to a waiting receiver */
    go_chan_t *ch;
    go_wg_t *ready;
} fault_case_t;

static void receiver(void *p)
{
    fault_case_t *fc = p;
    long v;
    wg_done(fc->ready);
    chan_recv(fc->ch, &v); /* never released: the process dies */
    wr("RECEIVER RELEASED\n");
}

static void faulter(void *p)
{
    fault_case_t *fc = p;
    defer_push(recover_marker, NULL);
    switch (fc->op) {
    case 0:
        chan_send(fc->ch, BAD_PTR);
        break;
    case 1: {
        long one = 1;
        chan_send(fc->ch, &one);
        chan_recv(fc->ch, BAD_PTR);
        break;
    }
    case 2: {
        go_select_case_t c = { fc->ch, GO_SELECT_SEND, 0, BAD_PTR };
        go_select(&c, 1);
        break;
    }
    case 3:
        chan_send(fc->ch, BAD_PTR);
        break;
    }
    wr("OPERATION RETURNED\n");
}

static void fault_main(void *p)
{
    fault_case_t *fc = p;
    fc->ch = chan_new(sizeof(long), fc->op == 3 ? 0 : 1);
    fc->ready = wg_new();
    if (fc->op == 3) {
        wg_add(fc->ready, 1);
        go_spawn(receiver, fc);
        wg_wait(fc->ready);
        go_sleep(20 * 1000 * 1000); /* let it park in chan_recv */
    }
    go_wg_t *wg = wg_new();
    wg_add(wg, 1);
    go_spawn(faulter, fc);
    wg_wait(wg); /* the faulter never finishes: the process dies first */
}

static void child_fault(void *p)
{
    run_main(fault_main, p);
}

static void expect_runtime_fault(int op)
{
    fault_case_t fc = { op, NULL, NULL };
    tu_child_t r;
    tu_run_child(child_fault, &fc, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, RUNTIME_FAULT);
    expect_absent(&r, "RECOVERED");
    expect_absent(&r, "RETURNED");
    expect_absent(&r, "RELEASED");
    if (strstr(r.err, "\n\ngoroutine ") == NULL)
        fail_msg("no goroutine header after the signal line; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

static void test_fault_chan_send(void **state)
{
    (void)state;
    expect_runtime_fault(0);
}

static void test_fault_chan_recv(void **state)
{
    (void)state;
    expect_runtime_fault(1);
}

static void test_fault_select_send(void **state)
{
    (void)state;
    expect_runtime_fault(2);
}

static void test_fault_send_to_waiting_receiver(void **state)
{
    (void)state;
    expect_runtime_fault(3);
}

/* A fault in the goroutine's own code right after a channel operation is
 * still an ordinary, recoverable panic (the lock count is back to zero). */
static void deref_after_send(void *p)
{
    go_chan_t *ch = p;
    defer_push(recover_marker, NULL);
    long v = 5;
    chan_send(ch, &v);
    chan_recv(ch, &v);
    volatile int *np = NULL;
    *np = 1;
}

static void user_fault_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(long), 1);
    go_call(deref_after_send, ch);
    wr("DONE\n");
}

static void child_user_fault(void *unused)
{
    (void)unused;
    run_main(user_fault_main, NULL);
}

static void test_user_fault_after_chan_op_recovers(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_user_fault, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 0, NULL);
    if (strcmp(r.out, "RECOVERED\nDONE\n") != 0)
        fail_msg("expected the fault recovered; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* a nil dereference in a pinned goroutine                                  */

static char pinned_text[256];

static void pinned_recover(void *unused)
{
    (void)unused;
    go_recovered_t rec;
    if (panic_recover(&rec))
        snprintf(pinned_text, sizeof pinned_text, "recovered: %s (runtime error %d)\n",
                 rec.message, rec.is_runtime_error);
}

typedef struct pinned_case {
    int recover;
    go_wg_t *wg;
} pinned_case_t;

static void pinned_done(void *wg)
{
    wg_done(wg);
}

static void pinned_deref(void *p)
{
    pinned_case_t *pc = p;
    /* unrecovered: nothing releases main (it would end the process first) */
    if (pc->recover) {
        defer_push(pinned_done, pc->wg);
        defer_push(pinned_recover, NULL);
    }
    volatile int *np = NULL;
    *np = 1;
    wr("DEREF RETURNED\n");
}

static void pinned_main(void *p)
{
    pinned_case_t *pc = p;
    pc->wg = wg_new();
    wg_add(pc->wg, 1);
    if (go_spawn_pinned(pinned_deref, pc) < 0)
        _exit(91);
    wg_wait(pc->wg);
    wr(pinned_text);
}

static void child_pinned(void *p)
{
    run_main(pinned_main, p);
}

static void test_pinned_nil_deref_recovered(void **state)
{
    (void)state;
    pinned_case_t pc = { 1, NULL };
    tu_child_t r;
    tu_run_child(child_pinned, &pc, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 0, NULL);
    if (strcmp(r.out, "recovered: " NIL_DEREF " (runtime error 1)\n") != 0)
        fail_msg("expected the pinned goroutine's fault recovered; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

static void test_pinned_nil_deref_unrecovered(void **state)
{
    (void)state;
    pinned_case_t pc = { 0, NULL };
    tu_child_t r;
    tu_run_child(child_pinned, &pc, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2,
                "panic: " NIL_DEREF "\n"
                "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=");
    expect_absent(&r, "RETURNED");
    const char *g = strstr(r.err, "\n\ngoroutine ");
    if (g == NULL || strstr(g, " [running, locked to thread]:\n") == NULL)
        fail_msg("expected \"goroutine N [running, locked to thread]:\"; %s",
                 tu_child_describe(&r));
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* a format callback that panics                                            */

static atomic_int formats;

static int panicking_format(const void *v, char *buf, size_t len)
{
    (void)v, (void)buf, (void)len;
    atomic_fetch_add(&formats, 1);
    panic_raise("boom in Error");
}

static const go_panic_type_t bad_type = {
    sizeof(go_panic_type_t), "main.E", panicking_format, NULL,
};

static int typed_panicking_format(const void *v, char *buf, size_t len)
{
    (void)buf, (void)len;
    panic_raise_value((void *)v, &bad_type);
}

static const go_panic_type_t worse_type = {
    sizeof(go_panic_type_t), "main.F", typed_panicking_format, NULL,
};

static int value = 7;

static void recover_typed(void *unused)
{
    (void)unused;
    go_recovered_t rec;
    if (panic_recover(&rec) && rec.value == &value && rec.type == &bad_type)
        wr("RECOVERED\n");
}

static void raise_bad(void *unused)
{
    (void)unused;
    defer_push(recover_typed, NULL);
    panic_raise_value(&value, &bad_type);
}

static void recover_bad_main(void *unused)
{
    (void)unused;
    if (go_call(raise_bad, NULL) == GO_RECOVERED && atomic_load(&formats) == 0)
        wr("FORMAT NOT CALLED\n");
}

static void child_recover_bad(void *unused)
{
    (void)unused;
    run_main(recover_bad_main, NULL);
}

static void test_recover_runs_no_format(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_recover_bad, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 0, NULL);
    if (strcmp(r.out, "RECOVERED\nFORMAT NOT CALLED\n") != 0)
        fail_msg("expected a recovery that calls no format callback; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

static void unrecovered_main(void *p)
{
    wr("before\n");
    panic_raise_value(&value, p);
}

static void child_unrecovered(void *p)
{
    run_main(unrecovered_main, p);
}

static void test_unrecovered_format_panics(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_unrecovered, (void *)&bad_type, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "fatal error: panic while printing panic value: boom in Error\n\ngoroutine ");
    tu_child_free(&r);
    tu_run_child(child_unrecovered, (void *)&worse_type, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "fatal error: panic while printing panic value: type main.E\n\ngoroutine ");
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* longjmp out of a go_call body on a plain thread                          */

static jmp_buf escape;

static void escaping_body(void *unused)
{
    (void)unused;
    longjmp(escape, 1);
}

static void never(void *unused)
{
    (void)unused;
    wr("DEFERRED RAN\n");
}

static void deferring_body(void *unused)
{
    (void)unused;
    defer_push(never, NULL);
}

static void child_longjmp(void *p)
{
    int then_go_call = (int)(intptr_t)p;
    if (setjmp(escape) == 0)
        go_call(escaping_body, NULL);
    if (then_go_call) {
        go_call(deferring_body, NULL);
    } else {
        int rc = defer_push(never, NULL);
        fprintf(stderr, "defer_push returned %d\n", rc);
    }
    _exit(0);
}

static void test_longjmp_out_of_go_call(void **state)
{
    (void)state;
    for (int then_go_call = 0; then_go_call < 2; then_go_call++) {
        tu_child_t r;
        tu_run_child(child_longjmp, (void *)(intptr_t)then_go_call, CHILD_TIMEOUT_MS, &r);
        expect_exit(&r, 2, STALE_FRAME);
        expect_absent(&r, "DEFERRED RAN");
        tu_child_free(&r);
    }
}

/* ------------------------------------------------------------------------ */
/* pthread_exit                                                             */

static void exiting_body(void *unused)
{
    (void)unused;
    defer_push(never, NULL);
    pthread_exit(NULL);
}

static void pthread_exit_main(void *p)
{
    go_wg_t *wg = wg_new();
    wg_add(wg, 1);
    if ((intptr_t)p)
        go_spawn_pinned(exiting_body, NULL);
    else
        go_spawn(exiting_body, NULL);
    wg_wait(wg); /* never: the process dies */
}

static void child_pthread_exit(void *p)
{
    run_main(pthread_exit_main, p);
}

static void test_pthread_exit_in_goroutine(void **state)
{
    (void)state;
#if defined(__SANITIZE_THREAD__)
    /* TSan's own pthread_exit interceptor stops first ("CHECK failed ...
     * cur_thread_placeholder"): it cannot exit a thread from a fiber that
     * is not the thread's own. Nothing of gort's runs before that. */
    skip();
#endif
    for (intptr_t pinned = 0; pinned < 2; pinned++) {
        tu_child_t r;
        tu_run_child(child_pthread_exit, (void *)pinned, CHILD_TIMEOUT_MS, &r);
        expect_exit(&r, 2, FORCED_UNWIND);
        expect_absent(&r, "DEFERRED RAN");
        tu_child_free(&r);
    }
}

/* On a plain thread inside go_call: fatal too (go_call is noexcept, so the
 * unwind could not pass it: before, the process aborted with "terminate
 * called without an active exception"). */
static void *plain_thread(void *unused)
{
    (void)unused;
    go_call(exiting_body, NULL);
    wr("GO_CALL RETURNED\n");
    return NULL;
}

static void child_plain_pthread_exit(void *unused)
{
    (void)unused;
    pthread_t th;
    if (pthread_create(&th, NULL, plain_thread, NULL) != 0)
        _exit(92);
    pthread_join(th, NULL);
    wr("joined\n");
    _exit(0);
}

static void test_pthread_exit_in_go_call_on_plain_thread(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_plain_pthread_exit, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, FORCED_UNWIND_GO_CALL);
    expect_absent(&r, "DEFERRED RAN");
    expect_absent(&r, "joined");
    tu_child_free(&r);
}

int main(void)
{
    tu_save_signal_dispositions();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_chan_send),
        cmocka_unit_test(test_fault_chan_recv),
        cmocka_unit_test(test_fault_select_send),
        cmocka_unit_test(test_fault_send_to_waiting_receiver),
        cmocka_unit_test(test_user_fault_after_chan_op_recovers),
        cmocka_unit_test(test_pinned_nil_deref_recovered),
        cmocka_unit_test(test_pinned_nil_deref_unrecovered),
        cmocka_unit_test(test_recover_runs_no_format),
        cmocka_unit_test(test_unrecovered_format_panics),
        cmocka_unit_test(test_longjmp_out_of_go_call),
        cmocka_unit_test(test_pthread_exit_in_goroutine),
        cmocka_unit_test(test_pthread_exit_in_go_call_on_plain_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
