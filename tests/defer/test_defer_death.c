/* test_defer_death.c - the fatal paths of defer/panic/recover/Goexit, and
 * the runtime errors (faults that become panics).
 *
 * Every case runs in a child forked from the test's main thread; the parent
 * never calls gort, so each child starts a fresh runtime, which installs its
 * SIGSEGV/SIGBUS/SIGFPE handlers in the child (tu_run_child gives the child
 * the dispositions from before cmocka). The parent checks the exit status
 * and the child's stderr exactly as far as Go's "goroutine " line (the trace
 * after it is not Go's), then the "N [running]:" that follows.
 *
 * Deferred calls that must not run write a marker with write(2) (no stdio
 * buffer can hide it); the parent checks that no marker appeared.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gort.h>
#include <gort/defer.h>

#include "testutil.h"

#define CHILD_TIMEOUT_MS 20000
#define NIL_DEREF "runtime error: invalid memory address or nil pointer dereference"
#define DIV_ZERO "runtime error: integer divide by zero"
#define NO_GOROUTINES "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n"

/* ------------------------------------------------------------------------ */
/* helpers (parent side)                                                    */

/* Assert that the child exited with `status` and that its stderr starts
 * with `prefix` exactly. When the prefix ends with "goroutine ", what
 * follows must be "N [running]:" (N a goroutine id, or 0 for a thread that
 * is not a goroutine; a name in quotes may follow N); with want_id > 0, N
 * must be want_id. */
static void expect_exit(const tu_child_t *r, int status, const char *prefix, long long want_id)
{
    if (!r->exited || r->exit_status != status)
        fail_msg("expected exit status %d; %s", status, tu_child_describe(r));
    if (prefix == NULL)
        return;
    if (!tu_starts_with(r->err, prefix))
        fail_msg("expected stderr to start with \"%s\"; %s", prefix, tu_child_describe(r));
    size_t n = strlen(prefix);
    if (n >= 10 && strcmp(prefix + n - 10, "goroutine ") == 0) {
        const char *p = r->err + n;
        char *end;
        long long id = strtoll(p, &end, 10);
        if (end == p || (want_id > 0 && id != want_id))
            fail_msg("expected \"goroutine %lld\" after the panic text; %s", want_id,
                     tu_child_describe(r));
        p = end;
        if (*p == ' ' && p[1] == '"') { /* a name */
            p = strchr(p + 2, '"');
            if (p == NULL)
                fail_msg("unterminated goroutine name; %s", tu_child_describe(r));
            p++;
        }
        if (!tu_starts_with(p, " [running]:\n"))
            fail_msg("expected \"goroutine N [running]:\"; %s", tu_child_describe(r));
    }
}

static void expect_absent(const tu_child_t *r, const char *marker)
{
    if (strstr(r->out, marker) != NULL || strstr(r->err, marker) != NULL)
        fail_msg("\"%s\" appeared: that deferred call must not have run; %s", marker,
                 tu_child_describe(r));
}

static void expect_stdout(const tu_child_t *r, const char *want)
{
    if (strcmp(r->out, want) != 0)
        fail_msg("expected stdout \"%s\"; %s", want, tu_child_describe(r));
}

/* The goroutine id a child printed as "id=N\n" on stdout. */
static long long printed_id(const tu_child_t *r)
{
    const char *p = strstr(r->out, "id=");
    return p == NULL ? -1 : strtoll(p + 3, NULL, 10);
}

/* ------------------------------------------------------------------------ */
/* helpers (child side)                                                     */

static void wr(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* A deferred call that prints its argument on stdout at once. */
static void say(void *s)
{
    wr(1, s);
}

/* A deferred call that must never run: marker on stdout and stderr. */
static void marker(void *s)
{
    wr(1, s);
    wr(2, s);
}

static void print_id(go_id_t id)
{
    char buf[48];
    snprintf(buf, sizeof buf, "id=%lld\n", (long long)id);
    wr(1, buf);
}

static void block_forever(void)
{
    go_wg_t *never = wg_new();
    wg_add(never, 1);
    wg_wait(never);
    wr(2, "block_forever returned\n");
    _exit(97);
}

static void done_fn(void *wg)
{
    wg_done(wg);
}

/* Run fn as the main goroutine of the child; exit 0 when it returns. */
static void child_go_main(void *fn)
{
    if (go_main((go_fn_t)fn, NULL) != 0) {
        wr(2, "go_main failed\n");
        _exit(98);
    }
    _exit(0);
}

/* A goroutine that waits for a gate before running a body: main prints its
 * id first, so the parent knows which goroutine must be named. */
typedef struct gated {
    go_wg_t *gate;
    go_fn_t body;
} gated_t;

static void gated_body(void *p)
{
    gated_t *g = p;
    wg_wait(g->gate);
    g->body(NULL);
}

/* spawn body gated, print its id, open the gate */
static void spawn_named(go_fn_t body)
{
    static gated_t g;
    g.gate = wg_new();
    g.body = body;
    wg_add(g.gate, 1);
    go_id_t id = go_spawn(gated_body, &g);
    TU_CHILD_CHECK(id >= 1);
    print_id(id);
    wg_done(g.gate);
}

static void start_runtime(void)
{
    go_wg_t *wg = wg_new();
    TU_CHILD_CHECK(wg != NULL);
    TU_CHILD_CHECK(wg_add(wg, 1) == 0);
    TU_CHILD_CHECK(go_spawn(done_fn, wg) >= 1);
    TU_CHILD_CHECK(wg_wait(wg) == 0);
}

/* NULL and 0, read through volatiles: the compiler cannot turn the faults
 * into something else */
static int *volatile nilp;
static volatile int zero;

/* volatile parameters: the compiler cannot assume anything about them (it
 * would turn 1 / b into a comparison, since b == 0 is undefined) */
static int divide(volatile int a, volatile int b)
{
    return a / b;
}

/* ------------------------------------------------------------------------ */
/* a panic never leaves its goroutine                                       */

static go_wg_t *iso_ready;
static atomic_int iso_spins;

/* parked inside a frame with a deferred call */
static void iso_parked_frame(void *p)
{
    (void)p;
    defer_push(marker, "OTHER PARKED DEFERRED RAN\n");
    wg_done(iso_ready);
    block_forever();
}

static void iso_parked(void *p)
{
    defer_push(marker, "OTHER PARKED BODY DEFERRED RAN\n");
    go_call(iso_parked_frame, p);
}

/* running (yielding) inside a frame with a deferred call */
static void iso_spinning(void *p)
{
    (void)p;
    defer_push(marker, "OTHER SPINNING DEFERRED RAN\n");
    wg_done(iso_ready);
    for (;;) {
        atomic_fetch_add(&iso_spins, 1);
        go_yield();
    }
}

/* panicking itself, parked in a deferred call; its recover must not run */
static void iso_other_recover(void *p)
{
    (void)p;
    if (panic_recover(NULL))
        marker("OTHER PANIC RECOVERED\n");
}

static void iso_other_parks(void *p)
{
    (void)p;
    wg_done(iso_ready);
    block_forever();
}

static void iso_other_panicking(void *p)
{
    (void)p;
    defer_push(iso_other_recover, NULL);
    defer_push(iso_other_parks, NULL);
    panic_raise("other panic");
}

static void iso_panicker(void *p)
{
    (void)p;
    defer_push(say, "panicking goroutine's deferred call ran\n");
    panic_raise("boom");
}

static void iso_main(void *p)
{
    (void)p;
    defer_push(marker, "MAIN DEFERRED RAN\n");
    iso_ready = wg_new();
    wg_add(iso_ready, 3);
    go_spawn(iso_parked, NULL);
    go_spawn(iso_spinning, NULL);
    go_spawn(iso_other_panicking, NULL);
    wg_wait(iso_ready);
    int s0 = atomic_load(&iso_spins);
    while (atomic_load(&iso_spins) < s0 + 10)
        go_yield();
    spawn_named(iso_panicker);
    block_forever();
}

static void test_panic_stays_in_its_goroutine(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)iso_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: boom\n\ngoroutine ", printed_id(&r));
    if (strstr(r.out, "panicking goroutine's deferred call ran\n") == NULL)
        fail_msg("the panicking goroutine's deferred call did not run; %s", tu_child_describe(&r));
    expect_absent(&r, "OTHER PARKED DEFERRED RAN");
    expect_absent(&r, "OTHER PARKED BODY DEFERRED RAN");
    expect_absent(&r, "OTHER SPINNING DEFERRED RAN");
    expect_absent(&r, "OTHER PANIC RECOVERED");
    expect_absent(&r, "MAIN DEFERRED RAN");
    /* the other goroutine's panic is not printed: it never ended */
    if (strstr(r.err, "other panic") != NULL)
        fail_msg("another goroutine's pending panic was printed; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Go's panic texts                                                         */

static void chain_second(void *p)
{
    (void)p;
    panic_recover(NULL);
    panic_raise("B");
}

static void chain_body(void *p)
{
    (void)p;
    defer_push(chain_second, NULL);
    panic_raise("A");
}

static void during_second(void *p)
{
    (void)p;
    panic_raise("B");
}

static void during_body(void *p)
{
    (void)p;
    defer_push(during_second, NULL);
    panic_raise("A");
}

static void three_c(void *p)
{
    (void)p;
    panic_raise("C");
}

static void three_b(void *p)
{
    (void)p;
    panic_recover(NULL);
    panic_raise("B");
}

/* A recovered, B raised by its recovering call, C raised by a later
 * deferred call while B panics */
static void three_body(void *p)
{
    (void)p;
    defer_push(three_c, NULL);
    defer_push(three_b, NULL);
    panic_raise("A");
}

static void nil_body(void *p)
{
    (void)p;
    panic_raise(NULL);
}

static void nil_value_body(void *p)
{
    (void)p;
    panic_raise_value(NULL, NULL);
}

static void newline_body(void *p)
{
    (void)p;
    panic_raise("line 1\nline 2");
}

static char long_msg[5001];

static void long_body(void *p)
{
    (void)p;
    panic_raise(long_msg);
}

static void wgneg_body(void *p)
{
    (void)p;
    defer_push(say, "deferred call ran\n");
    go_wg_t *wg = wg_new();
    wg_add(wg, 1);
    wg_add(wg, -2);
    marker("wg_add returned\n");
}

/* a panic that a deferred call recovered and another panic ended... then
 * recovered again, and a new one: only the last is printed */
static void after_recovery_recover(void *p)
{
    (void)p;
    panic_recover(NULL);
}

static void after_recovery_body(void *p)
{
    (void)p;
    defer_push(during_second, NULL); /* panics "B" after the recovery */
    defer_push(after_recovery_recover, NULL);
    panic_raise("A");
}

/* a deferred call run by go_exit panics: unrecovered, it ends the process;
 * the goroutine's remaining deferred calls ran first */
static void goexit_then_panic(void *p)
{
    (void)p;
    defer_push(say, "outer deferred call ran\n");
    defer_push(during_second, NULL); /* panics "B" */
    go_exit();
    marker("go_exit returned\n");
}

typedef struct text_case {
    const char *name;
    go_fn_t body;
    const char *want;
    const char *want_stdout;
} text_case_t;

static const text_case_t text_cases[] = {
    { "re-panic chain", chain_body, "panic: A [recovered]\n\tpanic: B\n\ngoroutine ", "" },
    { "panic during panic", during_body, "panic: A\n\tpanic: B\n\ngoroutine ", "" },
    { "three panics", three_body, "panic: A [recovered]\n\tpanic: B\n\tpanic: C\n\ngoroutine ", "" },
    { "panic after a recovery", after_recovery_body, "panic: B\n\ngoroutine ", "" },
    { "panic(nil)", nil_body, "panic: nil\n\ngoroutine ", "" },
    { "panic_raise_value(NULL, NULL)", nil_value_body, "panic: nil\n\ngoroutine ", "" },
    { "newline in the message", newline_body, "panic: line 1\nline 2\n\ngoroutine ", "" },
    { "panic in a deferred call during Goexit", goexit_then_panic, "panic: B\n\ngoroutine ",
      "outer deferred call ran\n" },
    { "negative WaitGroup counter", wgneg_body,
      "panic: sync: negative WaitGroup counter\n\ngoroutine ", "deferred call ran\n" },
};

static const text_case_t *text_case;

static void text_main(void *p)
{
    (void)p;
    spawn_named(text_case->body);
    block_forever();
}

static void test_panic_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < TU_ARRAY_LEN(text_cases); i++) {
        text_case = &text_cases[i];
        tu_child_t r;
        tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
        print_message("case: %s\n", text_case->name);
        expect_exit(&r, 2, text_case->want, printed_id(&r));
        char want_out[128];
        snprintf(want_out, sizeof want_out, "id=%lld\n%s", printed_id(&r), text_case->want_stdout);
        expect_stdout(&r, want_out);
        tu_child_free(&r);
    }
}

static void test_panic_long_message(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof long_msg - 1; i++)
        long_msg[i] = (char)('a' + i % 26);
    long_msg[sizeof long_msg - 1] = '\0';
    text_case_t k = { "long message", long_body, NULL, "" };
    text_case = &k;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    static char want[sizeof long_msg + 32];
    snprintf(want, sizeof want, "panic: %s\n\ngoroutine ", long_msg);
    expect_exit(&r, 2, want, printed_id(&r));
    tu_child_free(&r);
}

/* a typed value: its format's text; destroy never runs (the process dies) */
typedef struct my_err {
    int code;
} my_err_t;

static int my_err_format(const void *v, char *buf, size_t len)
{
    return snprintf(buf, len, "my error %d", ((const my_err_t *)v)->code);
}

static void my_err_destroy(void *v)
{
    (void)v;
    marker("DESTROYED\n");
}

static const go_panic_type_t my_err_type = {
    sizeof(go_panic_type_t), "*main.MyErr", my_err_format, my_err_destroy,
};

static const go_panic_type_t no_format_type = {
    sizeof(go_panic_type_t), "nofmt", NULL, my_err_destroy,
};

static my_err_t err42 = { 42 };

static void typed_body(void *p)
{
    (void)p;
    defer_push(say, "deferred call ran\n");
    panic_raise_value(&err42, &my_err_type);
}

static void typed_repanic(void *p)
{
    (void)p;
    go_recovered_t r;
    if (panic_recover(&r))
        panic_raise_value(r.value, r.type);
}

static void typed_repanic_body(void *p)
{
    (void)p;
    defer_push(typed_repanic, NULL);
    panic_raise_value(&err42, &my_err_type);
}

static void no_format_body(void *p)
{
    (void)p;
    char buf[64];
    snprintf(buf, sizeof buf, "addr=%p\n", (void *)&err42);
    wr(1, buf);
    panic_raise_value(&err42, &no_format_type);
}

static void test_typed_panic_texts(void **state)
{
    (void)state;
    tu_child_t r;
    text_case_t k1 = { "typed", typed_body, NULL, "" };
    text_case = &k1;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: my error 42\n\ngoroutine ", printed_id(&r));
    if (strstr(r.out, "deferred call ran\n") == NULL)
        fail_msg("the deferred call did not run; %s", tu_child_describe(&r));
    expect_absent(&r, "DESTROYED");
    tu_child_free(&r);

    text_case_t k2 = { "typed re-panic", typed_repanic_body, NULL, "" };
    text_case = &k2;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: my error 42 [recovered]\n\tpanic: my error 42\n\ngoroutine ",
                printed_id(&r));
    expect_absent(&r, "DESTROYED");
    tu_child_free(&r);

    /* no format: the value's address */
    text_case_t k3 = { "typed without format", no_format_body, NULL, "" };
    text_case = &k3;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: ", -1);
    const char *a = strstr(r.out, "addr=");
    const char *line_end = strchr(r.err, '\n');
    if (a == NULL || line_end == NULL)
        fail_msg("no address printed; %s", tu_child_describe(&r));
    unsigned long long want = strtoull(a + 5, NULL, 16);
    const char *hex = strstr(r.err, "0x");
    if (hex == NULL || hex > line_end || strtoull(hex, NULL, 16) != want)
        fail_msg("expected the value's address %#llx in the panic line; %s", want, tu_child_describe(&r));
    expect_absent(&r, "DESTROYED");
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* panics outside goroutines                                                */

/* the child's main thread, no frame: unrecoverable at once */
static void child_panic_no_frame(void *p)
{
    (void)p;
    start_runtime();
    panic_raise("no frame");
}

/* inside go_call on the child's main thread, unrecovered: the deferred
 * calls run, then the process dies */
static void panicking_call(void *p)
{
    (void)p;
    defer_push(say, "go_call's deferred call ran\n");
    panic_raise("in go_call");
}

static void child_panic_in_go_call(void *p)
{
    (void)p;
    go_call(panicking_call, NULL);
    marker("go_call returned\n");
}

static void *thread_no_frame(void *p)
{
    (void)p;
    panic_raise("foreign no frame");
}

static void child_panic_foreign_no_frame(void *p)
{
    (void)p;
    pthread_t t;
    TU_CHILD_CHECK(pthread_create(&t, NULL, thread_no_frame, NULL) == 0);
    pthread_join(t, NULL);
    marker("the thread returned\n");
    _exit(95);
}

static void *thread_in_go_call(void *p)
{
    (void)p;
    go_call(panicking_call, NULL);
    marker("go_call returned\n");
    return NULL;
}

static void child_panic_foreign_go_call(void *p)
{
    (void)p;
    pthread_t t;
    TU_CHILD_CHECK(pthread_create(&t, NULL, thread_in_go_call, NULL) == 0);
    pthread_join(t, NULL);
    _exit(95);
}

static void test_panic_outside_goroutines(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_panic_no_frame, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: no frame\n\ngoroutine ", -1);
    tu_child_free(&r);

    tu_run_child(child_panic_in_go_call, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: in go_call\n\ngoroutine ", -1);
    expect_stdout(&r, "go_call's deferred call ran\n");
    tu_child_free(&r);

    tu_run_child(child_panic_foreign_no_frame, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: foreign no frame\n\ngoroutine ", -1);
    tu_child_free(&r);

    tu_run_child(child_panic_foreign_go_call, NULL, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: in go_call\n\ngoroutine ", -1);
    expect_stdout(&r, "go_call's deferred call ran\n");
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* runtime errors                                                           */

static void nil_store_body(void *p)
{
    (void)p;
    defer_push(say, "deferred call ran\n");
    *nilp = 1;
    marker("the store returned\n");
}

static void div_body(void *p)
{
    (void)p;
    defer_push(say, "deferred call ran\n");
    char buf[32];
    snprintf(buf, sizeof buf, "%d\n", divide(7, zero));
    marker(buf);
}

/* Go's text: "panic: runtime error: ...", "[signal SIGSEGV: segmentation
 * violation code=... addr=... pc=...]", a blank line, the goroutine */
static void test_nil_deref_unrecovered(void **state)
{
    (void)state;
    tu_child_t r;
    text_case_t k1 = { "nil store", nil_store_body, NULL, "" };
    text_case = &k1;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: " NIL_DEREF "\n[signal SIGSEGV: segmentation violation code=", -1);
    /* ... the rest of the [signal] line, a blank line, the goroutine */
    const char *eol = strchr(r.err, '\n');
    eol = eol ? strchr(eol + 1, '\n') : NULL;
    if (eol == NULL || eol[-1] != ']' || !tu_starts_with(eol + 1, "\ngoroutine "))
        fail_msg("expected \"[signal ...]\", a blank line, then \"goroutine \"; %s", tu_child_describe(&r));
    char want[64];
    snprintf(want, sizeof want, "goroutine %lld [running]:\n", printed_id(&r));
    if (!tu_starts_with(eol + 2, want))
        fail_msg("expected \"%s\"; %s", want, tu_child_describe(&r));
    char want_out[64];
    snprintf(want_out, sizeof want_out, "id=%lld\ndeferred call ran\n", printed_id(&r));
    expect_stdout(&r, want_out);
    tu_child_free(&r);
}

/* Go's text has no [signal] line here: Go checks the divisor, no signal */
static void test_divide_by_zero_unrecovered(void **state)
{
    (void)state;
    tu_child_t r;
    char want_out[64];
    text_case_t k2 = { "divide by zero", div_body, NULL, "" };
    text_case = &k2;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "panic: " DIV_ZERO "\n\ngoroutine ", printed_id(&r));
    snprintf(want_out, sizeof want_out, "id=%lld\ndeferred call ran\n", printed_id(&r));
    expect_stdout(&r, want_out);
    tu_child_free(&r);
}

/* a fault away from address 0 (at or above 4096) is no nil dereference:
 * Go's fatal "unexpected fault address"; nothing recovers it, no deferred
 * call runs */
static int *volatile wild = (int *)0x12345678;

static void wild_recover(void *p)
{
    (void)p;
    if (panic_recover(NULL))
        marker("WILD FAULT RECOVERED\n");
    marker("WILD FAULT DEFERRED RAN\n");
}

static void wild_body(void *p)
{
    (void)p;
    defer_push(wild_recover, NULL);
    *wild = 1;
    marker("the store returned\n");
}

static void test_fault_address_fatal(void **state)
{
    (void)state;
    tu_child_t r;
    text_case_t k = { "wild store", wild_body, NULL, "" };
    text_case = &k;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, "unexpected fault address 0x12345678\nfatal error: fault\n"
                       "[signal SIGSEGV: segmentation violation code=", -1);
    const char *sig = strstr(r.err, "[signal ");
    const char *eol = sig ? strchr(sig, '\n') : NULL;
    if (eol == NULL || eol[-1] != ']' || !tu_starts_with(eol + 1, "\ngoroutine "))
        fail_msg("expected \"[signal ...]\", a blank line, then \"goroutine \"; %s", tu_child_describe(&r));
    char want[64];
    snprintf(want, sizeof want, "goroutine %lld [running]:\n", printed_id(&r));
    if (!tu_starts_with(eol + 2, want))
        fail_msg("expected \"%s\"; %s", want, tu_child_describe(&r));
    expect_absent(&r, "WILD FAULT RECOVERED");
    expect_absent(&r, "WILD FAULT DEFERRED RAN");
    tu_child_free(&r);
}

/* recovered, many times, in several goroutines at once, and in the main
 * goroutine: the handler state is clean after each recovery */
enum { RT_GOROUTINES = 8, RT_ROUNDS = 100 };

typedef struct rt_result {
    int nil_ok, div_ok, nil_rt, div_rt;
} rt_result_t;

static rt_result_t rt_results[RT_GOROUTINES + 1];
static go_wg_t *rt_wg;

typedef struct rt_try {
    int kind; /* 0 nil, 1 div */
    int ok, is_rt;
} rt_try_t;

static void rt_catch(void *p)
{
    rt_try_t *t = p;
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL) {
        t->ok = strcmp(r.message, t->kind ? DIV_ZERO : NIL_DEREF) == 0 && r.value == NULL &&
                r.type == NULL;
        t->is_rt = r.is_runtime_error;
    }
}

static void rt_fault(void *p)
{
    rt_try_t *t = p;
    defer_push(rt_catch, t);
    if (t->kind)
        t->ok = divide(1, zero) + 100;
    else
        t->ok = *nilp + 100;
}

static void rt_rounds(void *p)
{
    rt_result_t *res = p;
    for (int i = 0; i < RT_ROUNDS; i++) {
        for (int kind = 0; kind < 2; kind++) {
            rt_try_t t = { kind, 0, 0 };
            int rc = go_call(rt_fault, &t);
            if (rc == GO_RECOVERED && t.ok == 1) {
                if (kind)
                    res->div_ok++;
                else
                    res->nil_ok++;
            }
            if (t.is_rt == 1) {
                if (kind)
                    res->div_rt++;
                else
                    res->nil_rt++;
            }
            if (i % 7 == 0)
                go_yield();
        }
    }
}

static void rt_goroutine(void *p)
{
    defer_push(done_fn, rt_wg);
    rt_rounds(p);
}

static void rt_main(void *p)
{
    (void)p;
    rt_wg = wg_new();
    wg_add(rt_wg, RT_GOROUTINES);
    for (int i = 0; i < RT_GOROUTINES; i++)
        go_spawn(rt_goroutine, &rt_results[i]);
    rt_rounds(&rt_results[RT_GOROUTINES]);
    wg_wait(rt_wg);
    for (int i = 0; i <= RT_GOROUTINES; i++) {
        char buf[96];
        snprintf(buf, sizeof buf, "%d %d %d %d\n", rt_results[i].nil_ok, rt_results[i].nil_rt,
                 rt_results[i].div_ok, rt_results[i].div_rt);
        wr(1, buf);
    }
}

static void test_runtime_errors_recovered(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)rt_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 0, NULL, 0);
    char want[1024] = "";
    for (int i = 0; i <= RT_GOROUTINES; i++) {
        char line[64];
        snprintf(line, sizeof line, "%d %d %d %d\n", RT_ROUNDS, RT_ROUNDS, RT_ROUNDS, RT_ROUNDS);
        strcat(want, line);
    }
    expect_stdout(&r, want);
    if (r.err_len != 0)
        fail_msg("expected no stderr; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

/* faults outside goroutines: the handler installed before gort, or the
 * default action */
static void previous_handler(int sig)
{
    wr(2, sig == SIGSEGV ? "PREVIOUS SIGSEGV HANDLER\n" : "PREVIOUS SIGFPE HANDLER\n");
    _exit(42);
}

static void child_fault_outside(void *p)
{
    int kind = (int)(intptr_t)p; /* 0/1: SIGSEGV/SIGFPE, default; 2/3: with a handler */
    if (kind >= 2) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = previous_handler;
        sigemptyset(&sa.sa_mask);
        sigaction(kind == 2 ? SIGSEGV : SIGFPE, &sa, NULL);
    }
    start_runtime();
    char buf[32];
    if (kind % 2 == 0)
        snprintf(buf, sizeof buf, "%d\n", *nilp);
    else
        snprintf(buf, sizeof buf, "%d\n", divide(3, zero));
    wr(1, buf);
    _exit(96);
}

static void *fault_thread(void *p)
{
    child_fault_outside(p);
    return NULL;
}

static void child_fault_outside_thread(void *p)
{
    start_runtime();
    pthread_t t;
    TU_CHILD_CHECK(pthread_create(&t, NULL, fault_thread, p) == 0);
    pthread_join(t, NULL);
    _exit(95);
}

static void test_faults_outside_goroutines(void **state)
{
    (void)state;
    for (int on_thread = 0; on_thread < 2; on_thread++) {
        for (int kind = 0; kind < 4; kind++) {
            tu_child_t r;
            tu_run_child(on_thread ? child_fault_outside_thread : child_fault_outside,
                         (void *)(intptr_t)kind, CHILD_TIMEOUT_MS, &r);
            int sig = kind % 2 == 0 ? SIGSEGV : SIGFPE;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
            /* The handler installed before gort is the sanitizer's: it
             * reports the fault and exits (or aborts). Chaining to it is the
             * point: its report must be there. */
            if (kind < 2) {
                if (strstr(r.err, "Sanitizer: SEGV") == NULL && strstr(r.err, "Sanitizer: FPE") == NULL)
                    fail_msg("a fault outside goroutines (%s thread): expected the sanitizer's report; %s",
                             on_thread ? "another" : "the main", tu_child_describe(&r));
                tu_child_free(&r);
                continue;
            }
#endif
            if (kind < 2) {
                if (!r.signaled || r.term_signal != sig)
                    fail_msg("a fault outside goroutines (%s thread): expected death by signal %d; %s",
                             on_thread ? "another" : "the main", sig, tu_child_describe(&r));
            } else {
                expect_exit(&r, 42, sig == SIGSEGV ? "PREVIOUS SIGSEGV HANDLER\n"
                                                   : "PREVIOUS SIGFPE HANDLER\n", 0);
            }
            tu_child_free(&r);
        }
    }
}

/* a goroutine stack overflow stays fatal: no deferred call runs, nothing
 * recovers it (the recursion: tu_recurse) */
static void overflow_recover(void *p)
{
    (void)p;
    if (panic_recover(NULL))
        marker("OVERFLOW RECOVERED\n");
    marker("OVERFLOW DEFERRED RAN\n");
}

static void overflow_body(void *p)
{
    (void)p;
    defer_push(overflow_recover, NULL);
    tu_recurse(0);
}

static void test_stack_overflow_stays_fatal(void **state)
{
    (void)state;
    text_case_t k = { "overflow", overflow_body, NULL, "" };
    text_case = &k;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)text_main, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, NULL, 0);
    if (strstr(r.err, "fatal error: stack overflow\n") == NULL)
        fail_msg("expected \"fatal error: stack overflow\"; %s", tu_child_describe(&r));
    expect_absent(&r, "OVERFLOW RECOVERED");
    expect_absent(&r, "OVERFLOW DEFERRED RAN");
    tu_child_free(&r);
}

/* ------------------------------------------------------------------------ */
/* Goexit                                                                   */

static go_wg_t *ge_gate;

static void ge_other(void *p)
{
    (void)p;
    wg_wait(ge_gate);
    go_sleep(5 * TU_MS);
    wr(1, "other finished\n");
}

static void ge_open(void *p)
{
    (void)p;
    wg_done(ge_gate);
}

static void ge_main_with_others(void *p)
{
    (void)p;
    ge_gate = wg_new();
    wg_add(ge_gate, 1);
    go_spawn(ge_other, NULL);
    go_spawn(ge_other, NULL);
    defer_push(ge_open, NULL);
    defer_push(say, "main deferred\n");
    go_exit();
    marker("go_exit returned in main\n");
}

static void ge_main_alone(void *p)
{
    (void)p;
    defer_push(say, "main deferred\n");
    go_exit();
    marker("go_exit returned in main\n");
}

static go_wg_t *ge_wg;

static void ge_goexit(void *p)
{
    (void)p;
    go_exit();
}

static void ge_panicking(void *p)
{
    (void)p;
    defer_push(done_fn, ge_wg);
    defer_push(ge_goexit, NULL);
    panic_raise("ended by Goexit");
}

static void ge_main_ends_panic(void *p)
{
    (void)p;
    ge_wg = wg_new();
    wg_add(ge_wg, 1);
    go_spawn(ge_panicking, NULL);
    wg_wait(ge_wg);
    wr(1, "main done\n");
}

static void test_goexit_paths(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_go_main, (void *)ge_main_with_others, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, NO_GOROUTINES, 0);
    expect_stdout(&r, "main deferred\nother finished\nother finished\n");
    tu_child_free(&r);

    tu_run_child(child_go_main, (void *)ge_main_alone, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 2, NO_GOROUTINES, 0);
    expect_stdout(&r, "main deferred\n");
    tu_child_free(&r);

    tu_run_child(child_go_main, (void *)ge_main_ends_panic, CHILD_TIMEOUT_MS, &r);
    expect_exit(&r, 0, NULL, 0);
    expect_stdout(&r, "main done\n");
    if (r.err_len != 0)
        fail_msg("expected no stderr; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    if (getenv("DEFER_TEST_FILTER") != NULL) /* e.g. DEFER_TEST_FILTER='test_go_frame*' */
        cmocka_set_test_filter(getenv("DEFER_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_panic_stays_in_its_goroutine),
        cmocka_unit_test(test_panic_texts),
        cmocka_unit_test(test_panic_long_message),
        cmocka_unit_test(test_typed_panic_texts),
        cmocka_unit_test(test_panic_outside_goroutines),
        cmocka_unit_test(test_nil_deref_unrecovered),
        cmocka_unit_test(test_divide_by_zero_unrecovered),
        cmocka_unit_test(test_fault_address_fatal),
        cmocka_unit_test(test_runtime_errors_recovered),
        cmocka_unit_test(test_faults_outside_goroutines),
        cmocka_unit_test(test_stack_overflow_stays_fatal),
        cmocka_unit_test(test_goexit_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
