/* recover_twice.c - C twin of recover_twice.go: only the first recover
 * returns the panic. */
#include "diff.h"

static void later(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("later deferred call: %s\n", rtext(ok, &r));
}

static void twice(void *unused)
{
    (void)unused;
    go_recovered_t r1, r2;
    int ok1 = panic_recover(&r1);
    printf("first recover: %s\n", rtext(ok1, &r1));
    int ok2 = panic_recover(&r2);
    printf("second recover: %s\n", rtext(ok2, &r2));
}

static void f(void *unused)
{
    (void)unused;
    defer_push(later, NULL);
    defer_push(twice, NULL);
    panic_raise("A");
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(f, NULL);
    printf("f returned normally\n");
}

DIFF_MAIN(real_main)
