/* testutil.c - helpers shared by gort's test programs (no gort calls here). */
#define _GNU_SOURCE
#include <limits.h>
#include "testutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* stdout is line-buffered in every test program. meson captures it through
 * a pipe, where it would be fully buffered, and its timeout kills a hung
 * test (SIGTERM, then SIGKILL) before anything flushes: the log then ended
 * at "Running 31 test(s)", without the "[ RUN ]" line of the test that
 * hung. setvbuf must come before the first output: a constructor. */
__attribute__((constructor)) static void tu_line_buffered_stdout(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}

int64_t tu_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void tu_thread_sleep_ns(int64_t ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT };
static struct sigaction saved_actions[TU_ARRAY_LEN(fatal_signals)];
static int saved_valid;

void tu_save_signal_dispositions(void)
{
    for (size_t i = 0; i < TU_ARRAY_LEN(fatal_signals); i++)
        sigaction(fatal_signals[i], NULL, &saved_actions[i]);
    saved_valid = 1;
}

void tu_cmocka_abort_on_failure(void)
{
    setenv("CMOCKA_TEST_ABORT", "1", 0); /* unless the caller chose */
}

void tu_child_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "CHILD CHECK FAILED %s:%d: %s\n", file, line, what);
    fflush(stderr);
    _exit(99);
}

typedef struct buf {
    char *data;
    size_t len, cap;
} buf_t;

static void buf_append(buf_t *b, const char *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            abort();
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tu_run_child(void (*fn)(void *), void *arg, int timeout_ms, tu_child_t *res)
{
    int outp[2], errp[2];
    memset(res, 0, sizeof *res);
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        perror("pipe2");
        abort();
    }
    fflush(NULL); /* nothing buffered in the parent may be written twice */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        abort();
    }
    if (pid == 0) {
        dup2(outp[1], STDOUT_FILENO);
        dup2(errp[1], STDERR_FILENO);
        close(outp[0]);
        close(outp[1]);
        close(errp[0]);
        close(errp[1]);
        if (saved_valid)
            for (size_t i = 0; i < TU_ARRAY_LEN(fatal_signals); i++)
                sigaction(fatal_signals[i], &saved_actions[i], NULL);
        fn(arg);
        exit(0);
    }
    close(outp[1]);
    close(errp[1]);

    buf_t out = { 0 }, err = { 0 };
    buf_append(&out, "", 0);
    buf_append(&err, "", 0);
    struct pollfd fds[2] = { { outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
    buf_t *bufs[2] = { &out, &err };
    int open_fds = 2;
    int64_t deadline = tu_now_ns() + (int64_t)timeout_ms * TU_MS;
    while (open_fds > 0) {
        int64_t left = (deadline - tu_now_ns()) / TU_MS;
        if (left <= 0) {
            res->timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        int n = poll(fds, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char chunk[4096];
            ssize_t r = read(fds[i].fd, chunk, sizeof chunk);
            if (r > 0) {
                buf_append(bufs[i], chunk, (size_t)r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    /* A child whose goroutines keep the pipes open past its exit is handled
     * by the timeout; after the kill, waitpid cannot block for long. */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    res->exited = WIFEXITED(status);
    res->exit_status = res->exited ? WEXITSTATUS(status) : -1;
    res->signaled = WIFSIGNALED(status);
    res->term_signal = res->signaled ? WTERMSIG(status) : 0;
    res->out = out.data;
    res->out_len = out.len;
    res->err = err.data;
    res->err_len = err.len;
}

void tu_child_free(tu_child_t *res)
{
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

const char *tu_child_describe(const tu_child_t *res)
{
    static char text[65536];
    const char *how;
    char what[64];
    if (res->timed_out) {
        how = "timed out (killed)";
    } else if (res->exited) {
        snprintf(what, sizeof what, "exited with status %d", res->exit_status);
        how = what;
    } else if (res->signaled) {
        snprintf(what, sizeof what, "killed by signal %d (%s)", res->term_signal,
                 strsignal(res->term_signal));
        how = what;
    } else {
        how = "ended in an unknown way";
    }
    snprintf(text, sizeof text, "child %s\n--- child stdout ---\n%.16000s\n--- child stderr ---\n%.16000s\n---",
             how, res->out ? res->out : "", res->err ? res->err : "");
    return text;
}

int tu_mentions_goroutine(const char *text, int64_t id)
{
    char needle[64];
    snprintf(needle, sizeof needle, "goroutine %lld", (long long)id);
    size_t n = strlen(needle);
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        if (!isdigit((unsigned char)p[n]))
            return 1;
    return 0;
}

int tu_starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

long tu_vmrss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

int tu_env_gomaxprocs(void)
{
    const char *s = getenv("GOMAXPROCS");
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > 1000000)
        return 0;
    return (int)v;
}

volatile long tu_recursion_limit = LONG_MAX;

long tu_recurse(long n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    pad[sizeof pad - 1] = (char)(n >> 8);
    long r = 0;
    if (n < tu_recursion_limit)
        r = tu_recurse(n + 1);
    return r + pad[0] + pad[sizeof pad - 1];
}
