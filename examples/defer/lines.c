/* lines.c - the main goroutine's body is a frame: its deferred calls run
 * when it returns, the last one pushed first.
 *
 *     defer fmt.Println("third line")
 *     defer fmt.Println("second line")
 *     fmt.Println("first line")
 *
 * Go twin: go/lines.go. */
#include <stdio.h>

#include <gort.h>

static void println(void *s)
{
    printf("%s\n", (const char *)s);
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(println, "third line");
    defer_push(println, "second line");
    printf("first line\n");
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
