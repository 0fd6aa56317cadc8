/* pipeline.c - C twin of pipeline.go: generator -> square -> square, each
 * stage a goroutine that closes its output when its input is done. */
#include "godiff.h"

struct stage {
    go_chan_t *in, *out;
    int n;
};

static void gen_body(void *arg)
{
    struct stage *s = arg;
    for (int i = 1; i <= s->n; i++)
        send_int(s->out, i);
    chan_close(s->out);
}

static void square_body(void *arg)
{
    struct stage *s = arg;
    int v;
    while (chan_recv(s->in, &v) == 1)
        send_int(s->out, v * v);
    chan_close(s->out);
}

/* The stages are kept to be freed at the end (Go collects them). */
static struct stage stages[3];
static int nstages;

static go_chan_t *start(go_fn_t body, go_chan_t *in, int n)
{
    struct stage *s = &stages[nstages++];
    s->in = in;
    s->out = chan_new(sizeof(int), 0);
    s->n = n;
    go_spawn(body, s);
    return s->out;
}

static go_chan_t *gen(int n)
{
    return start(gen_body, NULL, n);
}

static go_chan_t *square(go_chan_t *in)
{
    return start(square_body, in, 0);
}

static void real_main(void *unused)
{
    (void)unused;
    int sum = 0, v;
    go_chan_t *out = square(square(gen(8)));
    while (chan_recv(out, &v) == 1) {
        printf("%d\n", v);
        sum += v;
    }
    printf("sum %d\n", sum);
    for (int i = 0; i < nstages; i++)
        chan_free(stages[i].out);
}

DIFF_MAIN(real_main)
