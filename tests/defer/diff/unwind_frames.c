/* unwind_frames.c - C twin of unwind_frames.go: the panic runs the deferred
 * calls of f3 (three frames: go_call recursion), f2 (a GO_FRAME) and f1 (a
 * go_call'ed function, whose deferred call recovers): go_call(f1) returns
 * GO_RECOVERED; no frame inside f1 returns. */
#include "diff.h"

static void print_depth(void *p)
{
    printf("f3 deferred call, depth %d\n", *(const int *)p);
}

static void f3(void *p)
{
    int depth = *(const int *)p;
    defer_push_copy(print_depth, &depth, sizeof depth);
    if (depth > 0) {
        int next = depth - 1;
        go_call(f3, &next);
        printf("f3: not reached\n");
    }
    panic_raise("deep panic");
}

static void f2(void)
{
    GO_FRAME(frame) {
        printf("f2: not reached (landed)\n");
        return;
    }
    defer_push(say, "f2 deferred call");
    int depth = 2;
    go_call(f3, &depth);
    printf("f2: not reached\n");
}

struct f1_result {
    char text[64];
};

static void f1_recover(void *p)
{
    struct f1_result *res = p;
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL)
        snprintf(res->text, sizeof res->text, "f1 recovered: %s", r.message);
}

static void f1(void *p)
{
    struct f1_result *res = p; /* the caller's memory: outlives the call */
    snprintf(res->text, sizeof res->text, "f1 not recovered");
    defer_push(say, "f1 first deferred call (runs last)");
    defer_push(f1_recover, res);
    defer_push(say, "f1 last deferred call (runs first)");
    f2();
    printf("f1: not reached\n");
}

static void real_main(void *unused)
{
    (void)unused;
    struct f1_result res;
    int rc = go_call(f1, &res);
    printf("%s\n", res.text);
    if (rc != GO_RECOVERED)
        printf("go_call returned %d, not GO_RECOVERED\n", rc);
    printf("main goes on\n");
}

DIFF_MAIN(real_main)
