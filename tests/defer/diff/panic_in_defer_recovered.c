/* panic_in_defer_recovered.c - C twin of panic_in_defer_recovered.go: panic
 * B, raised by a deferred call during panic A, is recovered by an outer
 * deferred call; f returns normally and nothing is panicking any more. */
#include "diff.h"

static void outer(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("outer recovered: %s\n", rtext(ok, &r));
}

static void inner(void *unused)
{
    (void)unused;
    printf("inner deferred call panics\n");
    panic_raise("B");
}

static void f(void *unused)
{
    (void)unused;
    defer_push(outer, NULL);
    defer_push(inner, NULL);
    panic_raise("A");
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(f, NULL);
    printf("f returned normally\n");
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recover after the panics: %s\n", rtext(ok, &r));
}

DIFF_MAIN(real_main)
