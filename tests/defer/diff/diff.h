/* diff.h - helpers shared by the C twins of the differential tests.
 *
 * Each C twin translates its Go program line by line:
 *   - a Go function with defers is a frame: the goroutine body, a go_call'ed
 *     function, a GO_FRAME block, or a deferred function itself;
 *   - `defer fmt.Println("x")` is defer_push(say, "x");
 *   - `r := recover()` is ok = panic_recover(&r), and printing r is
 *     rtext(ok, &r): "<nil>" when recover returned nil.
 * stdout keeps C's default buffering: gort flushes it before printing a
 * fatal panic, as Go's unbuffered output would have reached the pipe. */
#ifndef GORT_DEFER_DIFF_H
#define GORT_DEFER_DIFF_H

#include <stdio.h>

#include <gort.h>
#include <gort/defer.h>

/* Go's fmt.Print of recover()'s result: the message, "<nil>" for nil. */
static inline const char *rtext(int ok, const go_recovered_t *r)
{
    return ok && r->message != NULL ? r->message : "<nil>";
}

/* defer fmt.Println(s) */
static inline void say(void *s)
{
    printf("%s\n", (const char *)s);
}

/* defer wg.Done() */
static inline void done(void *wg)
{
    wg_done((go_wg_t *)wg);
}

/* A WaitGroup that is never done: blocks forever (the program is expected
 * to die meanwhile). */
static inline void block_forever(void)
{
    go_wg_t *never = wg_new();
    wg_add(never, 1);
    wg_wait(never);
}

#define DIFF_MAIN(fn)                             \
    int main(void)                                \
    {                                             \
        return go_main(fn, NULL) < 0;             \
    }

#endif /* GORT_DEFER_DIFF_H */
