/* schedtrace_prog.c - a program to watch with GORTDEBUG=schedtrace
 * (schedtrace.py): three goroutines parked on a channel while main sleeps
 * 150 ms, then everything ends. Its Go twin is schedtrace_prog.go. */
#include <gort.h>

static go_chan_t *never;

static void parked(void *arg)
{
    (void)arg;
    int v;
    chan_recv(never, &v);
}

static void gomain(void *arg)
{
    (void)arg;
    never = chan_new(sizeof(int), 0);
    for (int i = 0; i < 3; i++)
        go_spawn(parked, NULL);
    go_sleep(150LL * 1000 * 1000);
}

int main(void)
{
    return go_main(gomain, NULL);
}
