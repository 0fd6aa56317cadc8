/* goroutine_panic_unrecovered.c - C twin of goroutine_panic_unrecovered.go:
 * only the panicking goroutine's deferred calls run; status 2. */
#include "diff.h"

static void worker(void *unused)
{
    (void)unused;
    defer_push(say, "the panicking goroutine's deferred call runs");
    panic_raise("boom");
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "main's deferred call: must not run");
    go_spawn(worker, NULL);
    block_forever();
}

DIFF_MAIN(real_main)
