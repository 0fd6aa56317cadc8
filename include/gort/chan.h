/* gort/chan.h - channels and select.
 *
 * A channel carries values of one fixed size (its element size), copied in
 * and out with memcpy. Capacity 0 makes an unbuffered channel: a send and a
 * receive meet (rendezvous), and the value goes straight from the sender to
 * the receiver. Capacity > 0 makes a FIFO buffer of that many values.
 *
 * THE NIL CHANNEL. A NULL go_chan_t * is Go's nil channel: a send or receive
 * on it blocks forever, it is never ready in a select, closing it panics, and
 * chan_len/chan_cap report 0.
 *
 * FREED AND FOREIGN HANDLES. The memory of a channel is never given back to
 * malloc: a freed channel stays marked as freed. So chan_free of a channel
 * that was already freed is ignored, and every other function here returns
 * GO_EINVAL for it. So it does for a handle of another gort type (a
 * go_mutex_t * passed as a go_chan_t *) and for a pointer that is not
 * 64-byte aligned (rejected before it is read). What gort cannot catch: a
 * freed channel's memory is reused for a new channel (never for another
 * type) once 256 more channels were freed after it, and from then on the
 * old handle names the new channel; a garbage pointer to memory that cannot
 * be read crashes. It is a debugging aid: using a handle after freeing it
 * is still a bug (and, while another thread frees it, a data race).
 *
 * GO'S RULES. A send on a closed channel panics with "send on closed
 * channel"; closing a closed channel panics with "close of closed channel";
 * closing the nil channel panics with "close of nil channel". A receive from
 * a closed channel returns the buffered values first, then the zero value
 * (all bytes 0) with ok = 0. Closing wakes every blocked receiver (ok = 0)
 * and makes every blocked sender panic. The panics are real panics (see
 * gort/defer.h): a deferred call can recover them.
 *
 * ERROR TWINS. A panic's jump must never cross frames of another language
 * (Rust, the JVM, the CLR). Every function here that can panic has a twin,
 * named with the suffix _err, that behaves the same but returns GO_ECLOSED
 * (or GO_EINVAL for close of nil) instead of panicking; bindings use the
 * twins.
 *
 * THREADS. Any thread may call any of these. A blocking call from a
 * goroutine parks the goroutine (its OS thread runs others); from a thread
 * that is not a goroutine it blocks that thread, which a goroutine or
 * another thread wakes like any goroutine.
 *
 * Since 0.3.0.
 */
#ifndef GORT_CHAN_H
#define GORT_CHAN_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque channel handle. */
typedef struct go_chan go_chan_t;

/* The largest element size (Go's limit for a channel's element type). */
#define GO_CHAN_ELEM_MAX 65535u

/* chan_new - make(chan T, cap).
 * @elem_size: bytes per value, 0 to GO_CHAN_ELEM_MAX (0: values carry no
 *             data, as Go's chan struct{}).
 * @cap:       buffer capacity; 0 is unbuffered; at most INT32_MAX, and
 *             elem_size * cap must be allocatable.
 * Returns the channel, or NULL with errno EINVAL (a size out of range: Go's
 * "makechan: size out of range") or ENOMEM. Since 0.3.0. */
GORT_API go_chan_t *chan_new(size_t elem_size, size_t cap) GORT_NOEXCEPT;

/* chan_free - release a channel. NULL is accepted and ignored. No goroutine
 * or thread may be blocked on it (a fatal error: the waiter could never be
 * released); values still buffered are dropped. A channel may be freed as
 * soon as no one will use it again, even while the goroutine whose send
 * (or close) the last receive completed is still returning from that call:
 * no gort call touches a channel after the operation that released a
 * waiter, or after its own unlock. A channel made by go_after
 * may be freed before it fired (its timer is cancelled); the channel of a
 * go_timer_t or go_ticker_t belongs to that timer and is freed with it
 * (passing it here is a fatal error). A channel freed already, or a handle
 * that is not a channel, is ignored (see FREED AND FOREIGN HANDLES).
 * Since 0.3.0. */
GORT_API void chan_free(go_chan_t *ch) GORT_NOEXCEPT;

/* chan_send - ch <- *value: copy elem_size bytes from @value into the
 * channel, blocking until a receiver takes it (unbuffered) or there is room
 * in the buffer. @value may be NULL only when elem_size is 0.
 * Returns 0, or GO_EINVAL (not a live channel, or value NULL with a nonzero
 * element size). Panics with "send on closed channel" when the channel is
 * closed, or is closed while the sender waits. On the nil channel: blocks
 * forever. Since 0.3.0. */
GORT_API int chan_send(go_chan_t *ch, const void *value) GORT_NOEXCEPT;

/* chan_recv - v, ok := <-ch: block until a value is available or the
 * channel is closed and drained, then copy the value to @out (NULL discards
 * it). Returns 1 (ok: a value was received), 0 (the channel is closed and
 * drained: *out is zeroed), or GO_EINVAL. On the nil channel: blocks
 * forever. Since 0.3.0. */
GORT_API int chan_recv(go_chan_t *ch, void *out) GORT_NOEXCEPT;

/* chan_try_send - select { case ch <- *value: default: }.
 * Returns 1 when the value was sent, 0 when the send would have blocked
 * (always, on the nil channel), or GO_EINVAL. Panics as chan_send on a
 * closed channel. Never blocks. Since 0.3.0. */
GORT_API int chan_try_send(go_chan_t *ch, const void *value) GORT_NOEXCEPT;

/* chan_try_recv - select { case v, ok := <-ch: default: }.
 * Returns 1 when a receive happened (a value, or the zero value of a closed
 * and drained channel: *ok tells which, as Go's ok), 0 when it would have
 * blocked (always, on the nil channel), or GO_EINVAL. @out and @ok may be
 * NULL. Never blocks. Since 0.3.0. */
GORT_API int chan_try_recv(go_chan_t *ch, void *out, int *ok) GORT_NOEXCEPT;

/* chan_close - close(ch). Wakes every blocked receiver and sender.
 * Returns 0 or GO_EINVAL (not a live channel). Panics with "close of nil
 * channel" (ch NULL) or "close of closed channel". Since 0.3.0. */
GORT_API int chan_close(go_chan_t *ch) GORT_NOEXCEPT;

/* chan_len / chan_cap - len(ch), cap(ch): values buffered now, and the
 * capacity. 0 for the nil channel; GO_EINVAL for a handle that is not a
 * live channel. Since 0.3.0. */
GORT_API int chan_len(go_chan_t *ch) GORT_NOEXCEPT;
GORT_API int chan_cap(go_chan_t *ch) GORT_NOEXCEPT;

/* chan_elem_size - the element size given to chan_new, or GO_EINVAL.
 * Since 0.3.0. */
GORT_API int chan_elem_size(go_chan_t *ch) GORT_NOEXCEPT;

/* The error twins (see the top of this file): as their namesakes, but they
 * return GO_ECLOSED where those panic with "send on closed channel" or
 * "close of closed channel", and chan_close_err returns GO_EINVAL for the
 * nil channel. A sender blocked in chan_send_err when the channel is closed
 * returns GO_ECLOSED. Since 0.3.0. */
GORT_API int chan_send_err(go_chan_t *ch, const void *value) GORT_NOEXCEPT;
GORT_API int chan_try_send_err(go_chan_t *ch, const void *value) GORT_NOEXCEPT;
GORT_API int chan_close_err(go_chan_t *ch) GORT_NOEXCEPT;

/* ---------------------------------------------------------------- select */

/* What a select case does. */
enum {
    GO_SELECT_RECV = 1,     /* v, ok := <-chan */
    GO_SELECT_SEND = 2,     /* chan <- *value */
    GO_SELECT_DEFAULT = 3   /* default: (chan and value are ignored) */
};

/* One case of a select. */
typedef struct go_select_case {
    go_chan_t *chan;  /* NULL: the nil channel, never ready */
    int dir;          /* GO_SELECT_RECV, GO_SELECT_SEND or GO_SELECT_DEFAULT */
    int ok;           /* out, RECV: 1 a value was received, 0 the channel was
                         closed (the zero value was stored) */
    void *value;      /* SEND: the value to send; RECV: where to store the
                         value received (NULL discards it) */
} go_select_case_t;

/* The most cases one select takes (Go's limit). */
#define GO_SELECT_MAX 65536

/* go_select - Go's select statement.
 * @cases:  the cases; at most one GO_SELECT_DEFAULT among them.
 * @ncases: how many (0 to GO_SELECT_MAX).
 * When one or more cases can proceed, one of them is chosen uniformly at
 * random and performed. Otherwise, with a default case, its index is
 * returned at once; without one, the caller blocks until a case can proceed
 * (with no cases, or only nil channels, forever: Go's `select {}`).
 * Returns the index of the case that ran, or GO_EINVAL (cases NULL with
 * ncases > 0, ncases too large, a bad dir, two defaults, a handle that is
 * not a live channel, a send value NULL with a nonzero element size).
 * A send case that fires on a closed channel (closed before or while
 * waiting) panics with "send on closed channel". Since 0.3.0. */
GORT_API int go_select(go_select_case_t *cases, int ncases) GORT_NOEXCEPT;

/* go_select_err - go_select's error twin: where go_select would panic, it
 * sets that case's ok to GO_ECLOSED and returns GO_ECLOSED. Since 0.3.0. */
GORT_API int go_select_err(go_select_case_t *cases, int ncases) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_CHAN_H */
