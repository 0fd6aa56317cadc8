/* select_nil_chan.c - C twin of select_nil_chan.go: a case on the nil
 * channel (NULL) never fires, in a blocking select too. */
#include "godiff.h"

static void producer(void *live)
{
    for (int i = 1; i <= 3; i++)
        send_int(live, i);
    chan_close(live);
}

static void real_main(void *unused)
{
    (void)unused;
    go_chan_t *nilch = NULL;
    go_chan_t *live = chan_new(sizeof(int), 0);
    go_spawn(producer, live);
    for (;;) {
        int nv = -1, five = 5, v = -1;
        go_select_case_t c[] = {recv_case(nilch, &nv), send_case(nilch, &five),
                                recv_case(live, &v)};
        switch (go_select(c, 3)) {
        case 0:
            printf("nil receive fired: %d\n", nv);
            break;
        case 1:
            printf("nil send fired\n");
            break;
        case 2:
            if (!c[2].ok) {
                printf("live closed\n");
                chan_free(live);
                return;
            }
            printf("live %d\n", v);
            break;
        }
    }
}

DIFF_MAIN(real_main)
