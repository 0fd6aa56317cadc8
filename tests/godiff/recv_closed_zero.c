/* recv_closed_zero.c - C twin of recv_closed_zero.go: a closed channel
 * yields its buffered values, then the zero value (all bytes 0) with ok 0;
 * closing wakes a blocked receiver with the zero value. */
#include <string.h>

#include "godiff.h"

struct point {
    int64_t x, y;
};

static go_chan_t *unbuf, *res;

static void receiver(void *unused)
{
    (void)unused;
    int64_t v = 99; /* chan_recv must overwrite it with the zero value */
    int ok = chan_recv(unbuf, &v);
    char line[64];
    snprintf(line, sizeof line, "woken receiver got %lld %s", (long long)v, tf(ok == 1));
    chan_send(res, line);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(struct point), 2);
    chan_send(ch, &(struct point){1, 2});
    chan_send(ch, &(struct point){3, 4});
    chan_close(ch);
    printf("len after close %d\n", chan_len(ch));
    for (int i = 0; i < 4; i++) {
        struct point p;
        memset(&p, 0xff, sizeof p);
        int ok = chan_recv(ch, &p);
        printf("%lld %lld %s\n", (long long)p.x, (long long)p.y, tf(ok == 1));
    }

    unbuf = chan_new(sizeof(int64_t), 0);
    res = chan_new(64, 0); /* a string, as a fixed-size buffer */
    go_spawn(receiver, NULL);
    chan_close(unbuf);
    char line[64];
    chan_recv(res, line);
    printf("%s\n", line);

    go_chan_t *sig = chan_new(0, 0);
    chan_close(sig);
    int ok = chan_recv(sig, NULL);
    printf("struct{} channel closed, ok %s\n", tf(ok == 1));
    chan_free(sig);
    chan_free(res);
    chan_free(unbuf);
    chan_free(ch);
}

DIFF_MAIN(real_main)
