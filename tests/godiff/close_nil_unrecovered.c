/* close_nil_unrecovered.c - C twin of close_nil_unrecovered.go: closing the
 * nil channel (NULL) panics; status 2. */
#include "godiff.h"

static void real_main(void *unused)
{
    (void)unused;
    defer_push(say, "deferred call runs");
    go_chan_t *ch = NULL;
    chan_close(ch);
}

DIFF_MAIN(real_main)
