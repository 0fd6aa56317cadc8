/* main_returns.c - when main returns, the program is over.
 *
 * Main starts three goroutines that would print after 500 ms, prints its own
 * line and returns at once. As in Go, the program ends there: the goroutines
 * never print, and the exit status is 0. To wait for goroutines, use a
 * WaitGroup (see hello.c). Go twin: go/main_returns.go. */
#include <stdio.h>

#include <gort.h>

static void late(void *arg)
{
    int i = *(const int *)arg;
    go_sleep(500 * 1000 * 1000); /* 500 ms */
    printf("goroutine %d: you will never see this line\n", i);
}

static void real_main(void *unused)
{
    (void)unused;
    for (int i = 0; i < 3; i++)
        go_spawn_copy(late, &i, sizeof i);
    printf("main: returning without waiting; the program ends here\n");
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
