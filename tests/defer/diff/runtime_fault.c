/* runtime_fault.c - C twin of runtime_fault.go: chan_send given a value
 * pointer it cannot read faults inside the runtime, under the channel's
 * lock: Go's fatal "unexpected signal during runtime execution", which no
 * deferred recover can stop. */
#include "diff.h"

static void show(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void real_main(void *unused)
{
    (void)unused;
    printf("before\n");
    defer_push(show, NULL);
    go_chan_t *ch = chan_new(sizeof(long), 1);
    chan_send(ch, (const void *)0x10);
    printf("not reached\n");
}

DIFF_MAIN(real_main)
