/* wg_negative_unrecovered.c - C twin of wg_negative_unrecovered.go. */
#include "diff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    go_wg_t *wg = wg_new();
    wg_add(wg, 2);
    wg_add(wg, -3);
    printf("not reached\n");
}

DIFF_MAIN(real_main)
