/* select_default.c - C twin of select_default.go: with a default case,
 * go_select never blocks and returns the default's index when no case can
 * proceed. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *ch = chan_new(sizeof(int), 1);
    int v = -1;
    {
        go_select_case_t c[] = {recv_case(ch, &v), default_case()};
        if (go_select(c, 2) == 0)
            printf("received %d\n", v);
        else
            printf("empty: default\n");
    }
    {
        int seven = 7;
        go_select_case_t c[] = {send_case(ch, &seven), default_case()};
        if (go_select(c, 2) == 0)
            printf("sent 7\n");
        else
            printf("not sent\n");
    }
    {
        int eight = 8;
        go_select_case_t c[] = {send_case(ch, &eight), default_case()};
        if (go_select(c, 2) == 0)
            printf("sent 8\n");
        else
            printf("full: default\n");
    }
    {
        go_select_case_t c[] = {recv_case(ch, &v), default_case()};
        if (go_select(c, 2) == 0)
            printf("received %d\n", v);
        else
            printf("default\n");
    }
    go_chan_t *unbuf = chan_new(sizeof(int), 0);
    {
        int one = 1;
        go_select_case_t c[] = {send_case(unbuf, &one), default_case()};
        if (go_select(c, 2) == 0)
            printf("sent on unbuffered\n");
        else
            printf("no receiver: default\n");
    }
    go_chan_t *nilch = NULL;
    {
        int one = 1;
        go_select_case_t c[] = {send_case(nilch, &one), recv_case(nilch, &v), default_case()};
        switch (go_select(c, 3)) {
        case 0:
            printf("sent on nil\n");
            break;
        case 1:
            printf("received from nil\n");
            break;
        default:
            printf("nil channel: default\n");
        }
    }
    chan_close(ch);
    {
        v = -1;
        go_select_case_t c[] = {recv_case(ch, &v), default_case()};
        if (go_select(c, 2) == 0)
            printf("closed: received %d %s\n", v, tf(c[0].ok));
        else
            printf("closed: default\n");
    }
    chan_free(unbuf);
    chan_free(ch);
}

DIFF_MAIN(real_main)
