/* repanic_chain.c - C twin of repanic_chain.go: deferred calls that
 * recovered a panic panic again; Go's chain "panic: A [recovered]",
 * "\tpanic: B after A [recovered]", "\tpanic: C". */
#include "diff.h"

static void second(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("second recover: %s\n", rtext(ok, &r));
    panic_raise("C");
}

static void first(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("first recover: %s\n", rtext(ok, &r));
    char msg[64];
    snprintf(msg, sizeof msg, "B after %s", rtext(ok, &r));
    panic_raise(msg); /* copied: msg may die with this frame */
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(second, NULL);
    defer_push(first, NULL);
    printf("main panics\n");
    panic_raise("A");
}

DIFF_MAIN(real_main)
