/* goexit_main_deadlock.c - C twin of goexit_main_deadlock.go: go_exit in the
 * main goroutine runs its deferred calls, the other goroutines finish, then
 * Go's "no goroutines" fatal error, status 2. */
#include "diff.h"

static go_wg_t *gate;

static void other(void *unused)
{
    (void)unused;
    wg_wait(gate); /* opened by main's deferred call */
    printf("the other goroutine finishes\n");
}

static void real_main(void *unused)
{
    (void)unused;
    gate = wg_new();
    wg_add(gate, 1);
    go_spawn(other, NULL);
    defer_push(done, gate);
    defer_push(say, "main's deferred call");
    go_exit();
    printf("main: not reached\n");
}

int main(void)
{
    go_main(real_main, NULL);
    printf("go_main returned\n");
    return 3;
}
