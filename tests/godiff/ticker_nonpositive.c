/* ticker_nonpositive.c - C twin of ticker_nonpositive.go: go_ticker_new and
 * go_ticker_reset panic with Go's messages on a period that is not
 * positive; the panics are recoverable. */
#include "godiff.h"

#define SECOND 1000000000LL
#define HOUR (3600 * SECOND)

static void catch_panic(void *unused)
{
    (void)unused;
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("recovered: %s\n", rtext(ok, &r));
}

static void new_ticker(void *d)
{
    defer_push(catch_panic, NULL);
    go_ticker_new(*(int64_t *)d);
    printf("not reached\n");
}

static go_ticker_t *tk;

static void reset(void *d)
{
    defer_push(catch_panic, NULL);
    go_ticker_reset(tk, *(int64_t *)d);
    printf("not reached\n");
}

static void real_main(void *unused)
{
    (void)unused;
    go_call(new_ticker, &(int64_t){0});
    go_call(new_ticker, &(int64_t){-SECOND});
    tk = go_ticker_new(HOUR);
    go_call(reset, &(int64_t){0});
    go_ticker_stop(tk);
    printf("done\n");
    go_ticker_free(tk);
}

DIFF_MAIN(real_main)
