/* godiff.h - helpers shared by the C twins of the channel and sync
 * differential tests (the defer twins' diff.h, plus channel shorthands).
 *
 * Each C twin translates its Go program statement by statement: a Go `int`
 * is a C int (the values stay small), `ch <- v` is send_int(ch, v),
 * `v, ok := <-ch` is v = recv_int(ch, &ok). Go frees memory by garbage
 * collection; the twins free channels and the rest explicitly, once no
 * goroutine uses them any more, so that ASan's leak check stays quiet. */
#ifndef GORT_GODIFF_H
#define GORT_GODIFF_H

#include <stdio.h>

#include "../defer/diff/diff.h"

/* Go's fmt.Print of a bool. */
static inline const char *tf(int b)
{
    return b ? "true" : "false";
}

/* ch <- v, for a channel of int */
static inline void send_int(go_chan_t *ch, int v)
{
    chan_send(ch, &v);
}

/* v, ok := <-ch, for a channel of int (ok may be NULL: v := <-ch) */
static inline int recv_int(go_chan_t *ch, int *ok)
{
    int v = -1;
    int r = chan_recv(ch, &v);
    if (ok != NULL)
        *ok = r == 1;
    return v;
}

/* a select case */
static inline go_select_case_t recv_case(go_chan_t *ch, void *into)
{
    go_select_case_t c = {ch, GO_SELECT_RECV, 0, into};
    return c;
}

static inline go_select_case_t send_case(go_chan_t *ch, void *value)
{
    go_select_case_t c = {ch, GO_SELECT_SEND, 0, value};
    return c;
}

static inline go_select_case_t default_case(void)
{
    go_select_case_t c = {NULL, GO_SELECT_DEFAULT, 0, NULL};
    return c;
}

#endif /* GORT_GODIFF_H */
