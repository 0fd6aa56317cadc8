/* panic_nil_unrecovered.c - C twin of panic_nil_unrecovered.go:
 * panic_raise(NULL), unrecovered, prints "panic: nil". */
#include "diff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    panic_raise(NULL);
}

DIFF_MAIN(real_main)
