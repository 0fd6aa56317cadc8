/* deadlock_select_empty.c - C twin of deadlock_select_empty.go: a select
 * with no cases blocks forever: "goroutine 1 [select (no cases)]:". */
#include "godiff.h"

struct link {
    int i;
    go_chan_t *prev, *next;
};

static void chained(void *arg)
{
    struct link *l = arg;
    chan_recv(l->prev, NULL);
    printf("goroutine %d finishes\n", l->i);
    chan_close(l->next);
}

static void real_main(void *unused)
{
    (void)unused;
    /* a chain: goroutine i prints after goroutine i-1, so the order is fixed */
    go_chan_t *prev = chan_new(0, 0);
    chan_close(prev);
    for (int i = 0; i < 3; i++) {
        go_chan_t *next = chan_new(0, 0);
        go_spawn_copy(chained, &(struct link){i, prev, next}, sizeof(struct link));
        prev = next;
    }
    go_select(NULL, 0);
}

DIFF_MAIN(real_main)
