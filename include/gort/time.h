/* gort/time.h - the monotonic clock, timers, time.After and tickers.
 *
 * Times are int64_t nanoseconds on the monotonic clock (CLOCK_MONOTONIC),
 * as go_nanotime() returns them; durations are int64_t nanoseconds. The
 * channel of a timer or ticker has element size 8 and capacity 1, as Go's
 * (Go 1.19): when the timer fires, the current go_nanotime() is sent to it
 * without blocking, and dropped when a value is already waiting there.
 *
 * Every pending timer, sleeping goroutine included, costs one entry in a
 * heap served by one timer thread, not a thread of its own. A pending timer
 * keeps the deadlock detector (gort/runtime.h) from firing, as in Go.
 *
 * go_sleep (time.Sleep) is in gort/runtime.h. Since 0.3.0.
 *
 * FREED AND FOREIGN HANDLES. As for channels (gort/chan.h): the memory of a
 * timer or ticker is never given back to malloc, so freeing one a second
 * time is ignored, and the other functions return GO_EINVAL (go_timer_chan,
 * go_ticker_chan: NULL) for a freed one, for a handle of another type (a
 * go_timer_t * passed as a go_ticker_t *, or the reverse) and for a pointer
 * that is not 64-byte aligned. The channel of a freed timer or ticker is
 * freed with it and reads as a freed channel. Not caught: a freed timer's
 * memory is reused for a new timer (a ticker's for a new ticker) once 256
 * more were freed after it, and then the old handle names the new one.
 */
#ifndef GORT_TIME_H
#define GORT_TIME_H

#include <gort/common.h>
#include <gort/chan.h>
#include <gort/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* go_nanotime - the monotonic clock, in nanoseconds (time.Now's monotonic
 * reading; only differences mean anything). Since 0.3.0. */
GORT_API int64_t go_nanotime(void) GORT_NOEXCEPT;

/* go_after - time.After(d): a new channel (element size 8, capacity 1) that
 * receives go_nanotime() once, @ns nanoseconds from now (at once when
 * ns <= 0). The caller owns the channel and frees it with chan_free, before
 * or after it fired (freeing it first cancels the timer).
 * Returns NULL with errno ENOMEM on failure. Since 0.3.0. */
GORT_API go_chan_t *go_after(int64_t ns) GORT_NOEXCEPT;

/* An opaque timer (time.Timer). */
typedef struct go_timer go_timer_t;

/* go_timer_new - time.NewTimer(d): a timer whose channel receives
 * go_nanotime() @ns nanoseconds from now. NULL with errno ENOMEM on
 * failure. Since 0.3.0. */
GORT_API go_timer_t *go_timer_new(int64_t ns) GORT_NOEXCEPT;

/* go_timer_func - time.AfterFunc(d, f): after @ns nanoseconds, fn(arg) runs
 * in a goroutine of its own. Such a timer has no channel. NULL with errno
 * EINVAL (fn NULL) or ENOMEM. Since 0.3.0. */
GORT_API go_timer_t *go_timer_func(int64_t ns, go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_timer_chan - the timer's channel (Timer.C), or NULL for a go_timer_func
 * timer or a handle that is not a live timer. It belongs to the timer: do
 * not chan_free it. Since 0.3.0. */
GORT_API go_chan_t *go_timer_chan(go_timer_t *t) GORT_NOEXCEPT;

/* go_timer_stop - Timer.Stop: prevent the timer from firing. Returns 1 when
 * this call stopped it, 0 when it had already fired or been stopped, or
 * GO_EINVAL. Like Go's, it does not drain the channel: a value sent before
 * the stop stays there. Since 0.3.0. */
GORT_API int go_timer_stop(go_timer_t *t) GORT_NOEXCEPT;

/* go_timer_reset - Timer.Reset(d): make the timer fire @ns nanoseconds from
 * now. Returns 1 when it had been pending, 0 when it had fired or been
 * stopped, or GO_EINVAL. As with Go 1.19, reset a channel timer only once
 * it is stopped or fired and its channel drained. Since 0.3.0. */
GORT_API int go_timer_reset(go_timer_t *t, int64_t ns) GORT_NOEXCEPT;

/* go_timer_free - stop the timer and release it and its channel. NULL, and
 * a timer freed already, are ignored. No goroutine or thread may be blocked
 * on its channel. Since 0.3.0. */
GORT_API void go_timer_free(go_timer_t *t) GORT_NOEXCEPT;

/* An opaque ticker (time.Ticker). */
typedef struct go_ticker go_ticker_t;

/* go_ticker_new - time.NewTicker(d): a ticker whose channel receives
 * go_nanotime() every @period nanoseconds; ticks that find the channel full
 * are dropped (a slow receiver sees fewer ticks, never a backlog).
 * Panics with Go's "non-positive interval for NewTicker" when period <= 0.
 * Returns NULL with errno ENOMEM on failure. Since 0.3.0. */
GORT_API go_ticker_t *go_ticker_new(int64_t period) GORT_NOEXCEPT;

/* go_ticker_new_err - go_ticker_new's error twin: NULL with errno EINVAL
 * instead of the panic. Since 0.3.0. */
GORT_API go_ticker_t *go_ticker_new_err(int64_t period) GORT_NOEXCEPT;

/* go_ticker_chan - the ticker's channel (Ticker.C), or NULL for a handle
 * that is not a live ticker. It belongs to the ticker. Since 0.3.0. */
GORT_API go_chan_t *go_ticker_chan(go_ticker_t *t) GORT_NOEXCEPT;

/* go_ticker_stop - Ticker.Stop: no more ticks are sent (one already in the
 * channel stays). Returns 0 or GO_EINVAL. Since 0.3.0. */
GORT_API int go_ticker_stop(go_ticker_t *t) GORT_NOEXCEPT;

/* go_ticker_reset - Ticker.Reset(d): stop the ticker and restart it with
 * period @period, the next tick one period from now. Panics with Go's
 * "non-positive interval for Ticker.Reset" when period <= 0. Returns 0 or
 * GO_EINVAL. Since 0.3.0. */
GORT_API int go_ticker_reset(go_ticker_t *t, int64_t period) GORT_NOEXCEPT;

/* go_ticker_reset_err - go_ticker_reset's error twin: GO_EINVAL instead of
 * the panic. Since 0.3.0. */
GORT_API int go_ticker_reset_err(go_ticker_t *t, int64_t period) GORT_NOEXCEPT;

/* go_ticker_free - stop the ticker and release it and its channel. NULL,
 * and a ticker freed already, are ignored. No goroutine or thread may be
 * blocked on its channel. Since 0.3.0. */
GORT_API void go_ticker_free(go_ticker_t *t) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_TIME_H */
