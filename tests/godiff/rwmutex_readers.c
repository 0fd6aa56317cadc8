/* rwmutex_readers.c - C twin of rwmutex_readers.go: readers share the read
 * lock; the writer waits for them all; trylock fails while readers are in,
 * tryrlock while the writer is in. */
#include "godiff.h"

static go_rwmutex_t *rw;
static go_chan_t *in, *release;
static go_wg_t *wg;

static void reader(void *unused)
{
    (void)unused;
    defer_push(done, wg);
    rwmutex_rlock(rw);
    send_int(in, 1);
    chan_recv(release, NULL);
    rwmutex_runlock(rw);
}

static void real_main(void *unused)
{
    (void)unused;
    rw = rwmutex_new();
    in = chan_new(sizeof(int), 0);
    release = chan_new(0, 0);
    wg = wg_new();
    for (int r = 0; r < 3; r++) {
        wg_add(wg, 1);
        go_spawn(reader, NULL);
    }
    int n = 0;
    for (int i = 0; i < 3; i++)
        n += recv_int(in, NULL);
    printf("readers holding the read lock at once: %d\n", n);
    printf("TryLock with readers in: %s\n", tf(rwmutex_trylock(rw) == 1));
    int ok = rwmutex_tryrlock(rw) == 1;
    printf("TryRLock with readers in: %s\n", tf(ok));
    rwmutex_runlock(rw);

    chan_close(release);
    wg_wait(wg);
    rwmutex_lock(rw);
    printf("writer in\n");
    printf("TryRLock with the writer in: %s\n", tf(rwmutex_tryrlock(rw) == 1));
    int value = 42;
    rwmutex_unlock(rw);
    rwmutex_rlock(rw);
    printf("reader sees %d\n", value);
    rwmutex_runlock(rw);
    wg_free(wg);
    chan_free(release);
    chan_free(in);
    rwmutex_free(rw);
}

DIFF_MAIN(real_main)
