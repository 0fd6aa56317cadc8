/* test_trace.c - the execution trace's API (gort/runtime.h): start, stop,
 * the flight recorder on demand and on a fatal error, and bad input. The
 * files' shape is checked by tests/trace/validate.py on traces of the
 * examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

static void temp_path(char *buf, size_t len, const char *what)
{
    snprintf(buf, len, "%s/gort-trace-%d-%s.json", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), what);
}

static go_wg_t *wg;

static void traced_body(void *p)
{
    go_chan_t *ch = p;
    int v = 1;
    chan_send(ch, &v);
    wg_done(wg);
}

/* Spawn n goroutines that each hand a value to this thread. */
static void run_some(int n)
{
    go_chan_t *ch = chan_new(sizeof(int), 0);
    wg = wg_new();
    TU_ASSERT_OK(wg_add(wg, n));
    for (int i = 0; i < n; i++)
        assert_true(go_spawn(traced_body, ch) > 0);
    for (int i = 0; i < n; i++) {
        int v;
        TU_ASSERT_OK(chan_recv(ch, &v));
    }
    TU_ASSERT_OK(wg_wait(wg));
    wg_free(wg);
    chan_free(ch);
}

static void test_bad_input(void **state)
{
    (void)state;
    assert_int_equal(go_trace_start(NULL), GO_EINVAL);
    assert_int_equal(go_trace_stop(), GO_EINVAL); /* nothing records */
    assert_int_equal(go_trace_flight_start(0, NULL), GO_EINVAL);
    assert_int_equal(go_trace_flight_start(-5, NULL), GO_EINVAL);
    assert_int_equal(go_trace_flight_write("/tmp/x"), GO_EINVAL); /* no flight recording */
    assert_int_equal(go_trace_flight_write(NULL), GO_EINVAL);
}

static void test_start_stop_writes_slices_and_arrows(void **state)
{
    (void)state;
    char path[256];
    temp_path(path, sizeof path, "full");
    TU_ASSERT_OK(go_trace_start(path));
    assert_int_equal(go_trace_start(path), GO_EALREADY);
    assert_int_equal(go_trace_flight_start(1000, NULL), GO_EALREADY);
    run_some(50);
    TU_ASSERT_OK(go_trace_stop());
    assert_int_equal(go_trace_stop(), GO_EINVAL);
    char *s = slurp(path);
    assert_non_null(s);
    if (strstr(s, "\"traceEvents\":[") == NULL || strstr(s, " traced_body\",") == NULL ||
        strstr(s, "\"ph\":\"X\"") == NULL || strstr(s, "\"ph\":\"s\"") == NULL ||
        strstr(s, "\"ph\":\"f\"") == NULL)
        fail_msg("the trace lacks slices of traced_body or arrows:\n%.2000s", s);
    free(s);
    unlink(path);
    /* A path that cannot be written: the error, and recording is over. */
    TU_ASSERT_OK(go_trace_start("/nonexistent-dir/trace.json"));
    run_some(2);
    assert_int_equal(go_trace_stop(), -ENOENT);
    assert_int_equal(go_trace_stop(), GO_EINVAL);
}

static void test_flight_recorder_keeps_the_last_window(void **state)
{
    (void)state;
    char path[256];
    temp_path(path, sizeof path, "flight");
    TU_ASSERT_OK(go_trace_flight_start(60LL * 1000 * 1000 * 1000, NULL));
    run_some(20);
    TU_ASSERT_OK(go_trace_flight_write(path));
    char *s = slurp(path);
    assert_non_null(s);
    if (strstr(s, " traced_body\",") == NULL)
        fail_msg("the flight recorder kept no slice of traced_body:\n%.2000s", s);
    free(s);
    /* Recording goes on after a write; a 1 ns window keeps (almost) nothing old. */
    run_some(5);
    TU_ASSERT_OK(go_trace_flight_write(path));
    TU_ASSERT_OK(go_trace_stop());
    unlink(path);
}

/* A fatal error writes the flight recorder's window to its fatal path. */
static char fatal_path[256];

static void panicking(void *p)
{
    (void)p;
    panic_raise("traced boom");
}

static void child_fatal(void *p)
{
    (void)p;
    if (go_trace_flight_start(60LL * 1000 * 1000 * 1000, fatal_path) != 0)
        _exit(3);
    run_some(10);
    go_spawn(panicking, NULL);
    go_sleep(10LL * 1000 * 1000 * 1000);
}

static void test_flight_recorder_written_on_a_fatal_error(void **state)
{
    (void)state;
    temp_path(fatal_path, sizeof fatal_path, "fatal");
    unlink(fatal_path);
    tu_child_t r;
    tu_run_child(child_fatal, NULL, 20000, &r);
    if (!r.exited || r.exit_status != 2 || strstr(r.err, "panic: traced boom") == NULL)
        fail_msg("expected Go's panic and status 2: %s\n%s", tu_child_describe(&r), r.err);
    tu_child_free(&r);
    char *s = slurp(fatal_path);
    if (s == NULL || strstr(s, " traced_body\",") == NULL || strstr(s, " panicking\",") == NULL)
        fail_msg("the fatal error wrote no flight recording with the panicking goroutine: %.2000s",
                 s != NULL ? s : "(no file)");
    free(s);
    unlink(fatal_path);
}

int main(void)
{
    tu_save_signal_dispositions();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_bad_input),
        TU_TEST(test_start_stop_writes_slices_and_arrows),
        TU_TEST(test_flight_recorder_keeps_the_last_window),
        TU_TEST(test_flight_recorder_written_on_a_fatal_error),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
