/* cond_broadcast.c - C twin of cond_broadcast.go: cond_signal wakes one
 * waiter, cond_broadcast all of them; waiters wait in a loop. */
#include "godiff.h"

static go_mutex_t *mu;
static go_cond_t *cond;    /* waiters wait here for tokens */
static go_cond_t *changed; /* main waits here for the counters */
static int waiting, tokens, woken;
static go_wg_t *wg;

static void waiter(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    mutex_lock(mu);
    waiting++;
    cond_broadcast(changed);
    while (tokens == 0)
        cond_wait(cond);
    tokens--;
    woken++;
    cond_broadcast(changed);
    mutex_unlock(mu);
}

static void real_main(void *unused)
{
    (void)unused;
    mu = mutex_new();
    cond = cond_new(mu);
    changed = cond_new(mu);
    wg = wg_new();
    for (int i = 0; i < 3; i++) {
        wg_add(wg, 1);
        go_spawn(waiter, NULL);
    }
    mutex_lock(mu);
    while (waiting < 3)
        cond_wait(changed);
    printf("waiting %d\n", waiting);
    tokens = 1;
    cond_signal(cond);
    while (woken < 1)
        cond_wait(changed);
    printf("after Signal: woken %d tokens %d\n", woken, tokens);
    tokens = 2;
    cond_broadcast(cond);
    while (woken < 3)
        cond_wait(changed);
    printf("after Broadcast: woken %d tokens %d\n", woken, tokens);
    mutex_unlock(mu);
    wg_wait(wg);
    wg_free(wg);
    cond_free(changed);
    cond_free(cond);
    mutex_free(mu);
}

DIFF_MAIN(real_main)
