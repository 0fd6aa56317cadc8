/* select_only_ready.c - C twin of select_only_ready.go: go_select runs the
 * one case that can proceed, whichever its position; a blocking select
 * waits for the case that becomes ready. */
#include "godiff.h"

static go_chan_t *in;

static void hello(void *unused)
{
    (void)unused;
    char s[8] = "hello";
    chan_send(in, s);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch[3] = {chan_new(sizeof(int), 1), chan_new(sizeof(int), 1),
                        chan_new(sizeof(int), 1)};
    const char *names = "abc";
    for (int round = 0; round < 3; round++) {
        send_int(ch[round], (round + 1) * 100);
        for (int i = 0; i < 20; i++) { /* the same case, every time */
            int v[3];
            go_select_case_t c[] = {recv_case(ch[0], &v[0]), recv_case(ch[1], &v[1]),
                                    recv_case(ch[2], &v[2])};
            int k = go_select(c, 3);
            send_int(ch[k], v[k]);
            if (i == 0)
                printf("round %d case %c %d\n", round, names[k], v[k]);
        }
        go_select_case_t c[] = {recv_case(ch[0], NULL), recv_case(ch[1], NULL),
                                recv_case(ch[2], NULL)};
        go_select(c, 3);
    }

    /* a send case and a receive case; only the send can proceed */
    go_chan_t *full = chan_new(sizeof(int), 1);
    send_int(full, 1);
    go_chan_t *empty = chan_new(sizeof(int), 1);
    int two = 2, three = 3, v = -1;
    go_select_case_t c[] = {send_case(full, &two), recv_case(empty, &v), send_case(empty, &three)};
    switch (go_select(c, 3)) {
    case 0:
        printf("sent on the full channel\n");
        break;
    case 1:
        printf("received %d from the empty channel\n", v);
        break;
    case 2:
        printf("sent 3 on the empty channel\n");
        break;
    }
    printf("empty now holds %d\n", recv_int(empty, NULL));

    /* blocking: the partner comes later */
    in = chan_new(8, 0);
    go_chan_t *never = chan_new(8, 0);
    go_spawn(hello, NULL);
    char s_never[8], s_in[8];
    go_select_case_t c2[] = {recv_case(never, s_never), recv_case(in, s_in)};
    if (go_select(c2, 2) == 0)
        printf("never: %s\n", s_never);
    else
        printf("in: %s\n", s_in);

    chan_free(never);
    chan_free(in);
    chan_free(empty);
    chan_free(full);
    for (int i = 0; i < 3; i++)
        chan_free(ch[i]);
}

DIFF_MAIN(real_main)
