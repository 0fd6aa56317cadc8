/* select_timeout.c - wait for a result, but not forever: select with a
 * timeout, a stoppable timer, and a default case.
 *
 *     select {
 *     case v := <-res:
 *         fmt.Println("result", v)
 *     case <-time.After(50 * time.Millisecond):
 *         fmt.Println("timeout")
 *     }
 *
 * The output must not depend on timing, so each race has a known winner:
 *   1. the slow operation cannot finish before the timeout: it waits on a
 *      gate channel that main closes only after the timeout fired;
 *   2. the fast operation's result is sent at once, against a 10 s timer;
 *      main stops the timer (Timer.Stop reports that it was still pending);
 *   3. a select with a default case does not wait at all.
 *
 * go_select takes an array of cases and returns the index of the one that
 * ran. A received value is copied to the case's `value` (NULL: dropped, as
 * `case <-ch:`). go_after's channel belongs to the caller, who frees it; a
 * go_timer_t's channel belongs to the timer. Go twin: go/select_timeout.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

static go_chan_t *gate; /* closed by main to let the slow operation finish */
static go_chan_t *res;  /* results: capacity 1, so a late sender never blocks */

static void slow_operation(void *unused)
{
    (void)unused;
    chan_recv(gate, NULL); /* <-gate: returns once main closes it */
    int v = 1;
    chan_send(res, &v);
}

static void fast_operation(void *unused)
{
    (void)unused;
    int v = 42;
    chan_send(res, &v);
}

static void real_main(void *unused)
{
    (void)unused;
    gate = chan_new(0, 0); /* chan struct{} */
    res = chan_new(sizeof(int), 1);
    if (gate == NULL || res == NULL) {
        perror("chan_new");
        exit(1);
    }
    int v = 0;

    /* 1. The timeout wins. */
    go_spawn(slow_operation, NULL);
    go_chan_t *after = go_after(50 * 1000000LL); /* time.After(50 * time.Millisecond) */
    go_select_case_t sel1[] = {
        { .chan = res, .dir = GO_SELECT_RECV, .value = &v },
        { .chan = after, .dir = GO_SELECT_RECV, .value = NULL },
    };
    switch (go_select(sel1, 2)) {
    case 0: printf("slow: result %d\n", v); break;
    case 1: printf("slow: timed out after 50ms\n"); break;
    }
    chan_free(after);
    chan_close(gate); /* now let it finish */
    chan_recv(res, &v);
    printf("slow: finished later with %d\n", v);

    /* 2. The result wins; the timer is stopped before it fires. */
    go_spawn(fast_operation, NULL);
    go_timer_t *timer = go_timer_new(10 * 1000000000LL); /* time.NewTimer(10 * time.Second) */
    if (timer == NULL) {
        perror("go_timer_new");
        exit(1);
    }
    go_select_case_t sel2[] = {
        { .chan = res, .dir = GO_SELECT_RECV, .value = &v },
        { .chan = go_timer_chan(timer), .dir = GO_SELECT_RECV, .value = NULL },
    };
    switch (go_select(sel2, 2)) {
    case 0: printf("fast: result %d before the timeout\n", v); break;
    case 1: printf("fast: timed out\n"); break;
    }
    printf("fast: timer stopped: %s\n", go_timer_stop(timer) == 1 ? "true" : "false");
    go_timer_free(timer);

    /* 3. Nothing is ready: the default case runs at once. */
    go_select_case_t sel3[] = {
        { .chan = res, .dir = GO_SELECT_RECV, .value = &v },
        { .dir = GO_SELECT_DEFAULT },
    };
    switch (go_select(sel3, 2)) {
    case 0: printf("poll: result %d\n", v); break;
    case 1: printf("poll: nothing ready, default case\n"); break;
    }

    chan_free(gate);
    chan_free(res);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
