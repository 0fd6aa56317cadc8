/* once_panic.c - C twin of once_panic.go: once_do runs fn once however many
 * goroutines call it; a panicking fn counts as done (the panic goes on to
 * the caller, recovered here) and later calls do not run their fn. */
#include "godiff.h"

struct try_args {
    go_once_t *o;
    const char *name;
    go_fn_t f;
};

static void catch_named(void *name)
{
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL) /* if r := recover(); r != nil */
        printf("%s recovered: %s\n", (const char *)name, r.message);
}

static void try_body(void *arg)
{
    struct try_args *t = arg;
    defer_push(catch_named, (void *)t->name);
    once_do(t->o, t->f, NULL);
    printf("%s returned\n", t->name);
}

static void try(go_once_t *o, const char *name, go_fn_t f)
{
    struct try_args t = {o, name, f};
    go_call(try_body, &t);
}

static void boom(void *unused)
{
    (void)unused;
    panic_raise("once boom");
}

static void must_not_run(void *unused)
{
    (void)unused;
    printf("second fn: must not run\n");
}

static go_once_t *once2;
static go_wg_t *wg;
static int calls;

static void inc(void *unused)
{
    (void)unused;
    calls++;
}

static void caller(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    once_do(once2, inc, NULL);
    /* once_do returns only after fn finished: calls is 1 here */
    if (calls != 1)
        printf("Do returned before fn finished\n");
}

static void real_main(void *unused)
{
    (void)unused;
    go_once_t *once = once_new();
    try(once, "first", boom);
    try(once, "second", must_not_run);

    once2 = once_new();
    wg = wg_new();
    for (int i = 0; i < 8; i++) {
        wg_add(wg, 1);
        go_spawn(caller, NULL);
    }
    wg_wait(wg);
    printf("calls %d\n", calls);
    wg_free(wg);
    once_free(once2);
    once_free(once);
}

DIFF_MAIN(real_main)
