// test_defer_cxx.cpp - C++ exceptions at gort's C API (gort/defer.h):
// an exception that escapes a goroutine body, a go_call function or a
// deferred call becomes a panic carrying the exception's what(); it is
// recoverable like any panic, and unrecovered it ends the process with
// Go's text and status 2.
//
// The rules of the C tests apply (no assertion inside goroutines, frames or
// foreign threads). Registered three times, with GOMAXPROCS=1, 2 and 4.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include <unistd.h>

extern "C" {
#include <cmocka.h>

#include "gort_test.h"
}

#include <gort/defer.h>

namespace {

struct seen_t {
    int called = 0;
    int ok = 0;
    std::string message;
    int is_runtime_error = -1;
};

void recover_into(void *p)
{
    seen_t *s = static_cast<seen_t *>(p);
    s->called++;
    go_recovered_t r;
    s->ok = panic_recover(&r);
    if (s->ok) {
        s->message = r.message != nullptr ? r.message : "(null)";
        s->is_runtime_error = r.is_runtime_error;
    }
}

void done_fn(void *wg)
{
    wg_done(static_cast<go_wg_t *>(wg));
}

struct job_t {
    seen_t seen;
    int rc = -12345;
    int reached = 0;
    go_wg_t *wg = nullptr;
};

// a goroutine body that throws; its deferred call recovers
void body_throws(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    defer_push(done_fn, j->wg);
    defer_push(recover_into, &j->seen);
    throw std::runtime_error("boom");
}

void test_goroutine_body_throws_recovered(void **state)
{
    (void)state;
    static job_t j;
    j = job_t();
    j.wg = wg_new();
    assert_non_null(j.wg);
    TU_ASSERT_OK(wg_add(j.wg, 1));
    TU_ASSERT_OK(go_spawn(body_throws, &j));
    TU_ASSERT_OK(wg_wait(j.wg));
    assert_int_equal(j.seen.called, 1);
    assert_int_equal(j.seen.ok, 1);
    assert_string_equal(j.seen.message.c_str(), "boom");
    assert_int_equal(j.seen.is_runtime_error, 0);
    wg_free(j.wg);
}

// a go_call function that throws
void fn_throws(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    defer_push(recover_into, &j->seen);
    throw std::invalid_argument("bad argument");
}

void call_fn_throws(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    j->rc = go_call(fn_throws, j);
    j->reached = 1;
}

void in_goroutine(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    defer_push(done_fn, j->wg);
    call_fn_throws(j);
}

void test_go_call_fn_throws_recovered(void **state)
{
    (void)state;
    static job_t j;
    // on the test thread
    j = job_t();
    call_fn_throws(&j);
    assert_int_equal(j.rc, GO_RECOVERED);
    assert_int_equal(j.reached, 1);
    assert_int_equal(j.seen.ok, 1);
    assert_string_equal(j.seen.message.c_str(), "bad argument");
    // in a goroutine
    j = job_t();
    j.wg = wg_new();
    TU_ASSERT_OK(wg_add(j.wg, 1));
    TU_ASSERT_OK(go_spawn(in_goroutine, &j));
    TU_ASSERT_OK(wg_wait(j.wg));
    assert_int_equal(j.rc, GO_RECOVERED);
    assert_int_equal(j.reached, 1);
    assert_int_equal(j.seen.ok, 1);
    assert_string_equal(j.seen.message.c_str(), "bad argument");
    wg_free(j.wg);
}

// a deferred call that throws (at a normal return): a panic, recovered by
// a deferred call pushed before it
void deferred_throws(void *)
{
    throw std::logic_error("from a deferred call");
}

void fn_deferred_throws(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    defer_push(recover_into, &j->seen);
    defer_push(deferred_throws, nullptr);
}

void test_deferred_call_throws_recovered(void **state)
{
    (void)state;
    static job_t j;
    j = job_t();
    j.rc = go_call(fn_deferred_throws, &j);
    assert_int_equal(j.rc, GO_RECOVERED);
    assert_int_equal(j.seen.ok, 1);
    assert_string_equal(j.seen.message.c_str(), "from a deferred call");
}

// the same in a GO_FRAME, with GO_DEFER (C++ ends the frame through the
// library, which turns the exception into a panic): the frame lands
int frame_deferred_throws(job_t *j)
{
    GO_FRAME(f) {
        j->reached = 1;
        return GO_RECOVERED;
    }
    GO_DEFER(f, recover_into, &j->seen);
    GO_DEFER(f, deferred_throws, nullptr);
    return 0;
}

void test_open_deferred_call_throws_recovered(void **state)
{
    (void)state;
    static job_t j;
    j = job_t();
    j.rc = frame_deferred_throws(&j);
    assert_int_equal(j.rc, GO_RECOVERED);
    assert_int_equal(j.reached, 1);
    assert_int_equal(j.seen.ok, 1);
    assert_string_equal(j.seen.message.c_str(), "from a deferred call");
}

// an exception caught inside is no panic
void fn_catches(void *p)
{
    job_t *j = static_cast<job_t *>(p);
    defer_push(recover_into, &j->seen);
    try {
        throw std::runtime_error("caught");
    } catch (const std::exception &) {
        j->reached = 1;
    }
}

void test_caught_exception_is_no_panic(void **state)
{
    (void)state;
    static job_t j;
    j = job_t();
    j.rc = go_call(fn_catches, &j);
    assert_int_equal(j.rc, 0);
    assert_int_equal(j.reached, 1);
    assert_int_equal(j.seen.called, 1);
    assert_int_equal(j.seen.ok, 0);
}

// unrecovered: Go's text and status 2 (in a child forked from this thread,
// which is not a goroutine: the child gets a fresh runtime)
void say(void *s)
{
    const char *t = static_cast<const char *>(s);
    if (write(1, t, strlen(t)) < 0) {
    }
}

void child_body_throws(void *)
{
    defer_push(say, const_cast<char *>("deferred call ran\n"));
    throw std::runtime_error("boom");
}

void child_main(void *)
{
    go_spawn(child_body_throws, nullptr);
    go_wg_t *never = wg_new();
    wg_add(never, 1);
    wg_wait(never);
}

void child(void *)
{
    go_main(child_main, nullptr);
    _exit(98);
}

void test_unrecovered_exception_dies(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child, nullptr, 20000, &r);
    if (!r.exited || r.exit_status != 2)
        fail_msg("expected exit status 2; %s", tu_child_describe(&r));
    if (!tu_starts_with(r.err, "panic: boom\n\ngoroutine "))
        fail_msg("expected stderr to start with \"panic: boom\\n\\ngoroutine \"; %s",
                 tu_child_describe(&r));
    if (strcmp(r.out, "deferred call ran\n") != 0)
        fail_msg("expected the deferred call to run; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

} // namespace

int main()
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        TU_TEST(test_goroutine_body_throws_recovered),
        TU_TEST(test_go_call_fn_throws_recovered),
        TU_TEST(test_deferred_call_throws_recovered),
        TU_TEST(test_open_deferred_call_throws_recovered),
        TU_TEST(test_caught_exception_is_no_panic),
        TU_TEST(test_unrecovered_exception_dies),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, nullptr);
}
