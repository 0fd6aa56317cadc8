/* mutex_counter.c - C twin of mutex_counter.go: no increment is lost under
 * the mutex; trylock fails while it is held and succeeds once it is free. */
#include "godiff.h"

static go_mutex_t *mu;
static go_wg_t *wg;
static int counter;
static go_chan_t *held;

static void incrementer(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    for (int i = 0; i < 2000; i++) {
        mutex_lock(mu);
        counter++;
        mutex_unlock(mu);
    }
}

static void waiter(void *unused)
{
    (void)unused;
    defer_push(done, wg); /* not in the Go program: see real_main */
    mutex_lock(mu); /* waits for main's unlock */
    mutex_unlock(mu);
    int yes = 1;
    chan_send(held, &yes);
}

static void real_main(void *unused)
{
    (void)unused;
    mu = mutex_new();
    wg = wg_new();
    for (int g = 0; g < 4; g++) {
        wg_add(wg, 1);
        go_spawn(incrementer, NULL);
    }
    wg_wait(wg);
    printf("counter %d\n", counter);

    mutex_lock(mu);
    printf("TryLock while held: %s\n", tf(mutex_trylock(mu) == 1));
    held = chan_new(sizeof(int), 0);
    /* not in the Go program: main frees mu, held and wg only once waiter
     * is done with them (Go's garbage collector needs no such thing) */
    wg_add(wg, 1);
    go_spawn(waiter, NULL);
    mutex_unlock(mu);
    printf("the other goroutine got it: %s\n", tf(recv_int(held, NULL)));
    int ok = mutex_trylock(mu) == 1;
    printf("TryLock when free: %s\n", tf(ok));
    mutex_unlock(mu);
    wg_wait(wg);
    chan_free(held);
    wg_free(wg);
    mutex_free(mu);
}

DIFF_MAIN(real_main)
