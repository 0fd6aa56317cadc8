/* nil_deref_offset.c - C twin of nil_deref_offset.go: reading a field at
 * offset 800 of a NULL struct pointer faults at address 800, below 4096:
 * Go's nil-dereference panic, recoverable. */
#include <stdint.h>

#include "diff.h"

struct big {
    int64_t pad[100];
    int64_t x;
};

static struct big *volatile nilp;

static void recovers(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void real_main(void *unused)
{
    (void)unused;
    defer_push(recovers, NULL);
    printf("%lld\n", (long long)nilp->x);
}

DIFF_MAIN(real_main)
