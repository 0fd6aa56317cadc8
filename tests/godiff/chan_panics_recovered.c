/* chan_panics_recovered.c - C twin of chan_panics_recovered.go: the channel
 * panics are ordinary panics that a deferred call recovers, go_select's
 * send case included, and a sender blocked when the channel is closed. */
#include "godiff.h"

static void catch_named(void *what)
{
    go_recovered_t r;
    int ok = panic_recover(&r);
    printf("%s -> %s\n", (const char *)what, rtext(ok, &r));
}

struct catch_args {
    const char *what;
    go_fn_t f;
};

static void catch_body(void *arg)
{
    struct catch_args *a = arg;
    defer_push(catch_named, (void *)a->what);
    a->f(NULL);
}

/* catch(what, f): f runs inside a frame whose deferred call recovers */
static void catch(const char *what, go_fn_t f)
{
    go_call(catch_body, &(struct catch_args){what, f});
}

static go_chan_t *closed, *nilch, *ch, *parked;

static void send_closed(void *unused)
{
    (void)unused;
    send_int(closed, 1);
}

static void close_closed(void *unused)
{
    (void)unused;
    chan_close(closed);
}

static void close_nil(void *unused)
{
    (void)unused;
    chan_close(nilch);
}

static void select_send(void *unused)
{
    (void)unused;
    int one = 1;
    go_select_case_t c[] = {send_case(closed, &one)};
    go_select(c, 1);
}

static void select_send_default(void *unused)
{
    (void)unused;
    int one = 1;
    go_select_case_t c[] = {send_case(closed, &one), default_case()};
    if (go_select(c, 2) == 1)
        printf("default: must not run\n");
}

static void blocked_send(void *unused)
{
    (void)unused;
    int one = 1;
    char msg[24] = "about to block";
    go_select_case_t c[] = {send_case(ch, &one), send_case(parked, msg)};
    if (go_select(c, 2) == 1)
        send_int(ch, 1);
}

static void sender(void *unused)
{
    (void)unused;
    catch("blocked send", blocked_send);
    char msg[24] = "sender done";
    chan_send(parked, msg);
}

static void real_main(void *unused)
{
    (void)unused;
    closed = chan_new(sizeof(int), 1);
    chan_close(closed);
    catch("send", send_closed);
    catch("close closed", close_closed);
    nilch = NULL;
    catch("close nil", close_nil);
    catch("select send", select_send);
    catch("select send with default", select_send_default);

    /* a sender parked on an unbuffered channel; main closes it */
    ch = chan_new(sizeof(int), 0);
    parked = chan_new(24, 0);
    go_spawn(sender, NULL);
    char msg[24];
    chan_recv(parked, msg);
    printf("%s\n", msg);
    /* the sender may not be parked yet: the panic comes either way */
    chan_close(ch);
    chan_recv(parked, msg);
    printf("%s\n", msg);
    int ok;
    int v = recv_int(ch, &ok);
    printf("receive after close: %d %s\n", v, tf(ok));
    chan_free(parked);
    chan_free(ch);
    chan_free(closed);
}

DIFF_MAIN(real_main)
