/* defer_test.h - helpers shared by the in-process defer tests
 * (test_defer.c, test_open_defer.c): a text log that deferred calls append
 * to, and running a function as a goroutine's body until it is over.
 * Include after <cmocka.h> and "gort_test.h". */
#ifndef GORT_DEFER_TEST_H
#define GORT_DEFER_TEST_H

#include <string.h>

#include <gort/defer.h>

/* A text log: deferred calls append to it, the test thread reads it after
 * the goroutine or frame is over. */
typedef struct tlog {
    char buf[8192];
    size_t len;
} tlog_t;

static inline void tlog_reset(tlog_t *l)
{
    l->len = 0;
    l->buf[0] = '\0';
}

static inline void tlog_add(tlog_t *l, const char *s)
{
    size_t n = strlen(s);
    if (l->len + n >= sizeof l->buf)
        n = sizeof l->buf - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

static inline void done_fn(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* Run fn(arg) as the body of a goroutine (a frame) and wait until it is
 * over. The WaitGroup is released by a deferred call, so that it is also
 * released when fn panics and recovers, or calls go_exit. */
typedef struct in_goroutine {
    go_fn_t fn;
    void *arg;
    go_wg_t *wg;
} in_goroutine_t;

static inline void in_goroutine_body(void *p)
{
    in_goroutine_t *g = p;
    if (defer_push(done_fn, g->wg) != 0) {
        wg_done(g->wg);
        return;
    }
    g->fn(g->arg);
}

static inline void run_in_goroutine(go_fn_t fn, void *arg)
{
    in_goroutine_t g = { fn, arg, wg_new() };
    assert_non_null(g.wg);
    TU_ASSERT_OK(wg_add(g.wg, 1));
    TU_ASSERT_OK(go_spawn(in_goroutine_body, &g));
    TU_ASSERT_OK(wg_wait(g.wg));
    wg_free(g.wg);
}

#endif
