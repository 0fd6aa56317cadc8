/* deadlock_many.c - C twin of deadlock_many.go: every goroutine blocked,
 * each on something else; the report lists them in the order they were
 * started, each with its wait reason. */
#include "godiff.h"

static go_wg_t *started, *never;
static go_mutex_t *mu;
static go_chan_t *sendch, *selch, *nilch;

static void sender(void *unused) /* chan send */
{
    (void)unused;
    wg_done(started);
    send_int(sendch, 1);
}

static void nil_receiver(void *unused) /* chan receive (nil chan) */
{
    (void)unused;
    wg_done(started);
    recv_int(nilch, NULL);
}

static void selector(void *unused) /* select */
{
    (void)unused;
    wg_done(started);
    go_select_case_t c[] = {recv_case(selch, NULL), recv_case(nilch, NULL)};
    go_select(c, 2);
}

static void locker(void *unused) /* semacquire */
{
    (void)unused;
    wg_done(started);
    mutex_lock(mu);
}

static void cond_waiter(void *unused) /* sync.Cond.Wait */
{
    (void)unused;
    wg_done(started);
    go_mutex_t *m2 = mutex_new();
    go_cond_t *c2 = cond_new(m2);
    mutex_lock(m2);
    cond_wait(c2);
}

static void real_main(void *unused)
{
    (void)unused;
    started = wg_new();
    never = wg_new();
    wg_add(never, 1);
    mu = mutex_new();
    mutex_lock(mu);
    sendch = chan_new(sizeof(int), 0);
    selch = chan_new(sizeof(int), 0);
    nilch = NULL;

    wg_add(started, 5);
    go_spawn(sender, NULL);
    go_spawn(nil_receiver, NULL);
    go_spawn(selector, NULL);
    go_spawn(locker, NULL);
    go_spawn(cond_waiter, NULL);
    wg_wait(started);
    printf("all started\n");
    wg_wait(never); /* semacquire */
}

DIFF_MAIN(real_main)
