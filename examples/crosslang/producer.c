/* producer.c - see producer.h. */
#include "producer.h"

#include <errno.h>
#include <stdlib.h>

struct job {
    go_chan_t *out;
    go_wg_t *wg;
    int64_t value;
};

static void produce(void *arg)
{
    const struct job *j = arg; /* go_spawn_copy's copy */
    int64_t v = j->value * j->value;
    chan_send(j->out, &v);
    wg_done(j->wg);
}

struct closer {
    go_chan_t *out;
    go_wg_t *wg;
};

/* Waits for every producer, then closes the channel (Go's idiom:
 * `go func() { wg.Wait(); close(out) }()`). */
static void close_when_done(void *arg)
{
    const struct closer *c = arg;
    wg_wait(c->wg);
    chan_close(c->out);
    wg_free(c->wg);
}

go_chan_t *producer_start(int n)
{
    if (n < 0) {
        errno = EINVAL;
        return NULL;
    }
    go_chan_t *out = chan_new(sizeof(int64_t), 0);
    go_wg_t *wg = wg_new();
    if (out == NULL || wg == NULL) {
        chan_free(out);
        wg_free(wg);
        errno = ENOMEM;
        return NULL;
    }
    wg_add(wg, n);
    for (int i = 0; i < n; i++) {
        struct job j = { out, wg, i };
        go_id_t id = go_spawn_copy(produce, &j, sizeof j);
        if (id < 0)
            abort(); /* an example: no partial clean-up */
    }
    struct closer c = { out, wg };
    if (go_spawn_copy(close_when_done, &c, sizeof c) < 0)
        abort();
    return out;
}
