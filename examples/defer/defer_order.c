/* defer_order.c - deferred calls run in reverse order when their frame
 * ends; a deferred call is a frame too, so it can defer.
 *
 *     for i := 0; i < 10; i++ {
 *         defer fmt.Print(i)
 *     }
 *
 * prints 9876543210 when the function returns. A Go function call is a
 * frame: here go_call(count, NULL). Go evaluates a deferred call's
 * arguments at the defer statement: defer_push_copy copies i now, and the
 * deferred call gets the copy. Go twin: go/defer_order.go. */
#include <stdio.h>

#include <gort.h>

static void print_int(void *p)
{
    printf("%d", *(const int *)p); /* fmt.Print(i), i copied at the defer */
}

static void print_str(void *s)
{
    printf("%s", (const char *)s);
}

static void count(void *unused)
{
    (void)unused;
    printf("counting: ");
    for (int i = 0; i < 10; i++)
        defer_push_copy(print_int, &i, sizeof i); /* defer fmt.Print(i) */
    printf("done; deferred: ");
}   /* go_call's frame ends after count returns: 9, 8, ..., 0 */

static void nested_deferred(void *unused)
{
    (void)unused;
    defer_push(print_str, " 3"); /* runs when this deferred call returns */
    printf(" 2");
}

static void nested(void *unused)
{
    (void)unused;
    defer_push(print_str, " 4\n");
    defer_push(nested_deferred, NULL);
    printf("1");
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(count, NULL);
    printf("\n");
    go_call(nested, NULL);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
