/* recovered_returns_normally.c - C twin of recovered_returns_normally.go:
 * after the recovery the remaining deferred calls run and f returns its
 * zero result; once as a go_call'ed function (result through the caller's
 * memory), once as a function with a GO_FRAME. */
#include "diff.h"

struct line {
    const char *label;
    const char *text;
};

/* defer fmt.Println(label, text): the arguments are copied at the defer */
static void print_line(void *p)
{
    const struct line *l = p;
    printf("%s %s\n", l->label, l->text);
}

static void recovers(void *p)
{
    const char *label = *(const char *const *)p;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("%s deferred 2 recovers: %s\n", label, rtext(ok, &r));
}

static void push_and_panic(const char *label)
{
    struct line l1 = { label, "deferred 1 (runs last)" };
    struct line l3 = { label, "deferred 3 (runs first)" };
    defer_push_copy(print_line, &l1, sizeof l1);
    defer_push_copy(recovers, &label, sizeof label);
    defer_push_copy(print_line, &l3, sizeof l3);
    printf("%s panics\n", label);
    panic_raise("X");
}

/* func f(label string) int, as a go_call frame */
struct f_call {
    const char *label;
    int result; /* the caller's memory: outlives the call */
};

static void f_call(void *p)
{
    struct f_call *c = p;
    push_and_panic(c->label);
    c->result = 1; /* return 1: not reached */
}

/* func f(label string) int, with a GO_FRAME */
static int f_frame(const char *label)
{
    GO_FRAME(frame) {
        return 0; /* recovered: the zero result; deferred 1 runs on the way out */
    }
    push_and_panic(label);
    return 1; /* not reached */
}

static void real_main(void *unused)
{
    (void)unused;
    struct f_call c = { "call:", 0 };
    if (go_call(f_call, &c) != GO_RECOVERED)
        printf("go_call did not return GO_RECOVERED\n");
    printf("f returned %d\n", c.result);
    printf("f returned %d\n", f_frame("frame:"));
}

DIFF_MAIN(real_main)
