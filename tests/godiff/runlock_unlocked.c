/* runlock_unlocked.c - C twin of runlock_unlocked.go: rwmutex_runlock of an
 * RWMutex nobody read-locked is a fatal error; status 2. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call: must not run");
    go_rwmutex_t *rw = rwmutex_new();
    rwmutex_rlock(rw);
    rwmutex_runlock(rw);
    printf("read-locked and unlocked once\n");
    rwmutex_runlock(rw);
}

DIFF_MAIN(real_main)
