/* unlock_unlocked.c - C twin of unlock_unlocked.go: unlocking an unlocked
 * mutex is a fatal error: no deferred call runs, nothing can recover it. */
#include "godiff.h"

static void must_not_run(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("deferred recover: must not run %s\n", rtext(ok, &r));
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(must_not_run, NULL);
    go_mutex_t *mu = mutex_new();
    mutex_lock(mu);
    mutex_unlock(mu);
    printf("locked and unlocked once\n");
    mutex_unlock(mu);
    printf("not reached\n");
}

DIFF_MAIN(real_main)
