/* open_defer_fault.c - C twin of open_defer_fault.go: GO_FRAME and
 * GO_DEFER (the calls recorded in the frame's own slots) meet runtime
 * panics: a NULL dereference right after the GO_DEFERs, a divide by zero
 * in a nested frame, and an unrecovered fault whose deferred calls still
 * run. The recovering call sets the result, declared outside the block. */
#include "diff.h"

/* read through volatiles: the compiler cannot see the NULL or the zero */
static int *volatile nilp;
static volatile int zero;

typedef struct named {
    const char *who;
    int *r;
    int value;  /* what r becomes when a panic was recovered */
} named_t;

static void recover_into_result(void *p)
{
    named_t *n = p;
    go_recovered_t rec;
    if (panic_recover(&rec)) {
        printf("%s recovered: %s\n", n->who, rec.message);
        *n->r = n->value;
    }
}

typedef struct line {
    const char *who;
    const char *text;
} line_t;

static void say2(void *p)
{
    line_t *l = p;
    printf("%s %s\n", l->who, l->text);
}

static __attribute__((noinline)) int deref(const char *who)
{
    int r = 0;
    named_t n = { who, &r, -1 };
    line_t d2 = { who, "deferred 2" }, d3 = { who, "deferred 3" };
    do {
        GO_FRAME(f) {
            break; /* recovered: the block is left, r was set */
        }
        GO_DEFER(f, recover_into_result, &n);
        GO_DEFER(f, say2, &d2);
        GO_DEFER(f, say2, &d3);
        r = *nilp;
    } while (0);
    return r;
}

static __attribute__((noinline)) int inner(void)
{
    GO_FRAME(f) {}
    GO_DEFER(f, say, "inner deferred");
    return 10 / zero;
}

static __attribute__((noinline)) int outer(void)
{
    int r = 0;
    named_t n = { "outer", &r, -2 };
    do {
        GO_FRAME(f) {
            break;
        }
        GO_DEFER(f, recover_into_result, &n);
        GO_DEFER(f, say, "outer deferred");
        r = inner() + 1;
    } while (0);
    return r;
}

static __attribute__((noinline)) void unrecovered(void)
{
    GO_FRAME(f) {}
    GO_DEFER(f, say, "unrecovered deferred");
    printf("%d\n", *nilp);
}

static go_chan_t *donec;

static void goroutine(void *unused)
{
    (void)unused;
    int v = deref("goroutine");
    chan_send(donec, &v);
}

static void real_main(void *unused)
{
    (void)unused;
    printf("deref returned %d\n", deref("main"));
    donec = chan_new(sizeof(int), 0);
    go_spawn(goroutine, NULL);
    int v;
    chan_recv(donec, &v);
    printf("deref in a goroutine returned %d\n", v);
    printf("outer returned %d\n", outer());
    fflush(stdout);
    unrecovered();
}

DIFF_MAIN(real_main)
