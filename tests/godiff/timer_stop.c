/* timer_stop.c - C twin of timer_stop.go: go_timer_stop and go_timer_reset
 * return 1 when the timer was pending; go_timer_func runs its function in a
 * goroutine of its own. */
#include "godiff.h"

#define MS 1000000LL
#define HOUR (3600 * 1000 * MS)

static go_chan_t *ran;

static void send_text(void *text)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s", (const char *)text);
    chan_send(ran, buf);
}

static void real_main(void *unused)
{
    (void)unused;
    go_timer_t *t = go_timer_new(HOUR);
    printf("Stop pending: %s\n", tf(go_timer_stop(t) == 1));
    printf("Stop again: %s\n", tf(go_timer_stop(t) == 1));
    printf("Reset stopped: %s\n", tf(go_timer_reset(t, MS) == 1));
    chan_recv(go_timer_chan(t), NULL);
    printf("fired after Reset\n");
    printf("Stop fired: %s\n", tf(go_timer_stop(t) == 1));
    printf("Reset fired and drained: %s\n", tf(go_timer_reset(t, HOUR) == 1));
    printf("Reset pending: %s\n", tf(go_timer_reset(t, 2 * MS) == 1));
    chan_recv(go_timer_chan(t), NULL);
    printf("fired after the second Reset\n");

    /* fired but not drained: stop says 0 and the value stays */
    go_timer_t *t2 = go_timer_new(MS);
    while (chan_len(go_timer_chan(t2)) == 0) /* until it fired, however slow the machine */
        go_sleep(MS);
    printf("Stop after firing: %s\n", tf(go_timer_stop(t2) == 1));
    if (chan_try_recv(go_timer_chan(t2), NULL, NULL) == 1)
        printf("the value is still in the channel\n");
    else
        printf("channel empty\n");

    ran = chan_new(32, 0);
    go_timer_t *f = go_timer_func(HOUR, send_text, "must not run");
    printf("Stop AfterFunc pending: %s\n", tf(go_timer_stop(f) == 1));
    go_timer_t *g = go_timer_func(MS, send_text, "AfterFunc ran");
    char text[32];
    chan_recv(ran, text);
    printf("%s\n", text);
    printf("Stop AfterFunc that ran: %s\n", tf(go_timer_stop(g) == 1));
    go_timer_free(g);
    go_timer_free(f);
    go_timer_free(t2);
    go_timer_free(t);
    chan_free(ran);
}

DIFF_MAIN(real_main)
