/* triple.c - a deferred call changes a result after the "return" set it.
 *
 *     func Triple(n int) (r int) {
 *         defer func() { r += n }()
 *         return n + n
 *     }
 *
 * Triple(5) is 15: `return n + n` sets r to 10, then the deferred call adds
 * n. Two C translations:
 *
 * triple_frame, with GO_FRAME: the deferred calls of a GO_FRAME run when
 * its block is left, while the function's locals are alive, so the deferred
 * call can change r through a pointer. The frame is an inner block and r is
 * outside it: a `return r;` inside the block would compute the returned
 * value before the deferred calls run. Leaving the block first, then
 * returning r, is Go's order (the block is a do { } while (0), so that
 * the statement after GO_FRAME can leave it with break).
 *
 * triple_call, with go_call: its deferred calls run after the function
 * returned, when its locals are gone, so r lives in memory that outlives
 * the call: the caller's.
 *
 * Go twin: go/triple.go (Triple(5) is computed by triple_frame, Triple(7)
 * by triple_call). */
#include <stdio.h>

#include <gort.h>

struct add {
    int *r;
    int n;
};

static void add_n(void *p)
{
    const struct add *a = p;
    *a->r += a->n; /* r += n */
}

static int triple_frame(int n)
{
    int r;
    struct add a = { &r, n };
    do {
        GO_FRAME(frame) {
            break; /* a deferred call recovered a panic (none here): leave */
        }
        GO_DEFER(frame, add_n, &a); /* open-coded: recorded in the frame itself */
        r = n + n; /* return n + n: sets the result... */
    } while (0);   /* ...then, as the block is left, the deferred call: r += n */
    return r;
}

struct triple {
    int n;
    int r; /* the result: the caller's memory */
};

static void triple_body(void *p)
{
    struct triple *t = p;
    struct add a = { &t->r, t->n };
    defer_push_copy(add_n, &a, sizeof a); /* a is copied: it dies with this function */
    t->r = t->n + t->n;
}

static int triple_call(int n)
{
    struct triple t = { n, 0 };
    go_call(triple_body, &t); /* triple_body returns, then add_n runs */
    return t.r;
}

static void real_main(void *unused)
{
    (void)unused;
    printf("Triple(5) = %d\n", triple_frame(5));
    printf("Triple(7) = %d\n", triple_call(7));
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
