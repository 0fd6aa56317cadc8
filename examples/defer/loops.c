/* loops.c - deferring in a loop: values copied at the defer, or variables
 * read when the deferred call runs.
 *
 *     for i := 0; i < 3; i++ { defer fmt.Print(" ", i) }              // a: 2 1 0
 *     for i := 0; i < 3; i++ { defer func() { fmt.Print(" ", i) }() } // b: 3 3 3
 *
 * a: Go evaluates the arguments at the defer: defer_push_copy copies i.
 * b: the closure reads i when it runs, after the loop: i is 3 (Go 1.19 has
 * one i for the whole loop). In C the deferred call gets a pointer to i.
 * Two fixes print 2 1 0: pass i as an argument (c: a copy again), or copy
 * i into a new variable in each iteration (d: one variable per iteration,
 * an array here, since a variable declared in the loop body would be gone
 * when the deferred calls run).
 *
 * The deferred calls must run while i is alive: each function opens a
 * GO_FRAME, whose deferred calls run as the function's body is left, with
 * its locals still there (i is declared in the body, not in the for: a for's
 * variable would be gone after the loop). Go twin: go/loops.go. */
#include <stdio.h>

#include <gort.h>

static void print_int(void *p)
{
    printf(" %d", *(const int *)p);
}

static void a(void)
{
    GO_FRAME(frame) {
        return;
    }
    printf("a:");
    for (int i = 0; i < 3; i++)
        defer_push_copy(print_int, &i, sizeof i); /* defer fmt.Print(" ", i) */
}

static void b(void)
{
    int i;
    GO_FRAME(frame) {
        return;
    }
    printf("b:");
    for (i = 0; i < 3; i++)
        defer_push(print_int, &i); /* defer func() { fmt.Print(" ", i) }() */
}   /* the deferred calls run here: i is 3 */

static void c(void)
{
    GO_FRAME(frame) {
        return;
    }
    printf("c:");
    for (int i = 0; i < 3; i++)
        defer_push_copy(print_int, &i, sizeof i); /* defer func(i int) {...}(i) */
}

static void d(void)
{
    int copies[3];
    GO_FRAME(frame) {
        return;
    }
    printf("d:");
    for (int i = 0; i < 3; i++) {
        copies[i] = i; /* i := i */
        GO_DEFER(frame, print_int, &copies[i]);
    }
}

static void real_main(void *unused)
{
    (void)unused;
    a();
    printf("\n");
    b();
    printf("\n");
    c();
    printf("\n");
    d();
    printf("\n");
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
