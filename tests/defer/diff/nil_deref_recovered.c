/* nil_deref_recovered.c - C twin of nil_deref_recovered.go: a NULL
 * dereference in a goroutine is Go's runtime-error panic, recoverable, in
 * the main goroutine and in another one. */
#include "diff.h"

/* NULL, read through a volatile so that the compiler cannot see which
 * pointer is dereferenced (it could otherwise emit a trap instead) */
static int *volatile nilp;
static go_wg_t *wg;

static int deref(int *p)
{
    return *p;
}

static void catch_panic(void *who)
{
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("%s recovered: %s\n", (const char *)who, rtext(ok, &r));
    printf("%s runtime error: %s\n", (const char *)who,
           ok && r.is_runtime_error ? "true" : "false");
}

static void try_deref(void *who)
{
    defer_push(catch_panic, who);
    printf("%d\n", deref(nilp));
}

static void goroutine(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    go_call(try_deref, "goroutine");
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(try_deref, "main");
    wg = wg_new();
    wg_add(wg, 1);
    go_spawn(goroutine, NULL);
    wg_wait(wg);
    printf("main done\n");
}

DIFF_MAIN(real_main)
