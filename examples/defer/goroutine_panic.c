/* goroutine_panic.c - a panic stays in its goroutine.
 *
 * Worker 1 panics and recovers in its own deferred call; worker 0, which
 * waits until then, finishes normally, and so does main. (A panic that
 * nothing recovers would end the whole program, but no goroutine can
 * recover another's panic.) WaitGroups make the order deterministic: each
 * worker writes its own slot, main prints them. Go twin:
 * go/goroutine_panic.go. */
#include <stdio.h>

#include <gort.h>

static char results[2][64];
static go_wg_t *wg, *recovered;

static void done(void *w)
{
    wg_done((go_wg_t *)w);
}

static void worker0(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    wg_wait(recovered);
    snprintf(results[0], sizeof results[0], "worker 0 finished normally");
}

static void catch_panic(void *unused)
{
    (void)unused;
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL)
        snprintf(results[1], sizeof results[1], "worker 1 recovered: %s", r.message);
}

static void worker1(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    defer_push(done, recovered);
    defer_push(catch_panic, NULL);
    panic_raise("worker 1 failed");
}

static void real_main(void *unused)
{
    (void)unused;
    wg = wg_new();
    recovered = wg_new();
    if (wg == NULL || recovered == NULL)
        return;
    wg_add(wg, 2);
    wg_add(recovered, 1);
    go_spawn(worker0, NULL);
    go_spawn(worker1, NULL);
    wg_wait(wg);
    for (int i = 0; i < 2; i++)
        printf("%s\n", results[i]);
    printf("main: all workers done\n");
    wg_free(wg);
    wg_free(recovered);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
