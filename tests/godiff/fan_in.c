/* fan_in.c - C twin of fan_in.go: one select drains two producers until both
 * are closed; a closed channel's case is set to the nil channel (NULL) so
 * that it stops firing. */
#include "godiff.h"

struct producer {
    go_chan_t *ch;
    int from, to;
};

static void produce(void *arg)
{
    struct producer *p = arg;
    for (int i = p->from; i <= p->to; i++)
        send_int(p->ch, i);
    chan_close(p->ch);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *a = chan_new(sizeof(int), 0);
    go_chan_t *b = chan_new(sizeof(int), 4);
    go_chan_t *a0 = a, *b0 = b; /* to free them at the end */
    go_spawn_copy(produce, &(struct producer){a, 1, 100}, sizeof(struct producer));
    go_spawn_copy(produce, &(struct producer){b, 1000, 1049}, sizeof(struct producer));
    int na = 0, sa = 0, nb = 0, sb = 0;
    int last_a = 0, last_b = 999;
    int in_order = 1;
    while (a != NULL || b != NULL) {
        int va, vb;
        go_select_case_t c[] = {recv_case(a, &va), recv_case(b, &vb)};
        switch (go_select(c, 2)) {
        case 0:
            if (!c[0].ok) {
                a = NULL;
                continue;
            }
            na++;
            sa += va;
            in_order = in_order && va == last_a + 1;
            last_a = va;
            break;
        case 1:
            if (!c[1].ok) {
                b = NULL;
                continue;
            }
            nb++;
            sb += vb;
            in_order = in_order && vb == last_b + 1;
            last_b = vb;
            break;
        }
    }
    printf("a: %d values, sum %d\n", na, sa);
    printf("b: %d values, sum %d\n", nb, sb);
    printf("each producer's values in order: %s\n", tf(in_order));
    chan_free(a0);
    chan_free(b0);
}

DIFF_MAIN(real_main)
