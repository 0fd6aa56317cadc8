/* typed_recovered.c - C twin of typed_recovered.go: recover hands back the
 * value and its type; panicking again with them prints the chain. */
#include "typed.h"

static my_err_t err7 = { 7 }, err42 = { 42 };

static void show(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    if (!ok || r.type != &my_err_type || r.value != &err7) {
        printf("recover did not return the value\n");
        return;
    }
    const my_err_t *e = r.value;
    /* fmt's %v calls Error(): here the caller runs the format callback
     * (panic_recover does not: Go's recover runs no user code) */
    char text[64];
    r.type->format(r.value, text, sizeof text);
    printf("recovered %s: %s (code %d)\n", r.type->name, text, e->code);
}

static void f(void *unused)
{
    (void)unused;
    defer_push(show, NULL);
    panic_raise_value(&err7, &my_err_type);
}

static void again(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    char text[64];
    if (ok && r.type != NULL)
        r.type->format(r.value, text, sizeof text);
    printf("recovered again: %s\n", ok && r.type != NULL ? text : rtext(ok, &r));
    if (ok)
        panic_raise_value(r.value, r.type);
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(f, NULL);
    defer_push(again, NULL);
    panic_raise_value(&err42, &my_err_type);
}

DIFF_MAIN(real_main)
