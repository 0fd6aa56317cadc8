/* rwunlock_unlocked.c - C twin of rwunlock_unlocked.go: rwmutex_unlock of an
 * RWMutex that is not write-locked is a fatal error; status 2. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call: must not run");
    go_rwmutex_t *rw = rwmutex_new();
    rwmutex_lock(rw);
    rwmutex_unlock(rw);
    printf("write-locked and unlocked once\n");
    rwmutex_unlock(rw);
}

DIFF_MAIN(real_main)
