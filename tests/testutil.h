/* testutil.h - helpers shared by gort's test programs.
 *
 * Nothing here calls gort: the dlopen test links this file without linking
 * the library. The helpers that need gort live in gort_test.h.
 *
 * Two rules every test follows:
 *   - no cmocka assertion inside a goroutine or a foreign thread (a failed
 *     assertion must not jump across stacks or threads): goroutines record
 *     what they saw in a context struct and the test thread asserts on it;
 *   - the test thread waits for goroutines with WaitGroups, never with a
 *     sleep (only the timer tests measure time).
 */
#ifndef GORT_TESTUTIL_H
#define GORT_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TU_MS 1000000LL  /* nanoseconds in a millisecond */
#define TU_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Monotonic clock, nanoseconds. */
int64_t tu_now_ns(void);

/* Sleep the calling OS thread (not a gort call). */
void tu_thread_sleep_ns(int64_t ns);

/* Call once from main() before cmocka_run_group_tests: remembers the
 * dispositions of the fatal signals before cmocka replaces them with its own
 * handlers, so that tu_run_child() can give them back to a child. */
void tu_save_signal_dispositions(void);

/* Set CMOCKA_TEST_ABORT=1: a failed assertion aborts the test program instead
 * of longjmp-ing out of a test whose goroutines may still use its stack.
 * CMOCKA_TEST_ABORT=0 in the environment keeps cmocka's default. */
void tu_cmocka_abort_on_failure(void);

/* The result of a child process run by tu_run_child. */
typedef struct tu_child {
    int exited;        /* WIFEXITED */
    int exit_status;   /* WEXITSTATUS when exited */
    int signaled;      /* WIFSIGNALED */
    int term_signal;   /* WTERMSIG when signaled */
    int timed_out;     /* killed by tu_run_child after the timeout */
    char *out;         /* the child's stdout, NUL-terminated (free with tu_child_free) */
    size_t out_len;
    char *err;         /* the child's stderr, NUL-terminated */
    size_t err_len;
} tu_child_t;

/* fork(); in the child: stdout/stderr to pipes, the saved signal
 * dispositions back, fn(arg), then exit(0) (stdio flushed). In the parent:
 * collect both outputs and the status; kill the child after timeout_ms.
 * Call from the test's main thread, never from a goroutine. */
void tu_run_child(void (*fn)(void *), void *arg, int timeout_ms, tu_child_t *res);
void tu_child_free(tu_child_t *res);
/* A one-line description of how the child ended, for failure messages. */
const char *tu_child_describe(const tu_child_t *res);

/* In a child: when cond is false, print the failed condition on stderr and
 * _exit(99). */
#define TU_CHILD_CHECK(cond) \
    ((cond) ? (void)0 : tu_child_fail(__FILE__, __LINE__, #cond))
void tu_child_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

/* Whether text contains "goroutine <id>" with id not followed by a digit. */
int tu_mentions_goroutine(const char *text, int64_t id);

/* Whether text starts with prefix. */
int tu_starts_with(const char *text, const char *prefix);

/* VmRSS of this process in KiB, from /proc/self/status; -1 when unknown. */
long tu_vmrss_kib(void);

/* A real recursion of ~300-byte frames (less than a guard page, so it cannot
 * step over one; the volatile array keeps the compiler from turning it into
 * a loop), tu_recursion_limit deep (unbounded by default): the stack
 * overflow tests' workload. */
extern volatile long tu_recursion_limit;
long tu_recurse(long n);

/* GOMAXPROCS from the environment as the runtime reads it: a positive
 * integer, or 0 when it is unset or not a positive integer. */
int tu_env_gomaxprocs(void);

#endif /* GORT_TESTUTIL_H */
