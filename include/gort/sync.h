/* gort/sync.h - sync.WaitGroup.
 *
 * A WaitGroup waits for a collection of goroutines to finish: wg_add
 * registers tasks, each task calls wg_done when it finishes, and wg_wait
 * blocks until the counter is zero. Any thread may call any of these; a
 * wg_wait from a thread that is not a goroutine blocks that OS thread.
 *
 * Go's rules apply. A counter that goes negative is Go's panic
 * "sync: negative WaitGroup counter"; an Add with a positive delta that
 * starts a new round while waiters of the previous round have not yet
 * returned, or a reuse before Wait returned, is Go's "sync: WaitGroup
 * misuse" panic: a real panic (gort/defer.h), recoverable by a deferred
 * call; unrecovered, it prints Go's text and ends the process with status 2.
 */
#ifndef GORT_SYNC_H
#define GORT_SYNC_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque WaitGroup handle. */
typedef struct go_wg go_wg_t;

/* wg_new - a new WaitGroup with counter 0.
 * Returns the handle, or NULL with errno = ENOMEM. Since 0.1.0. */
GORT_API go_wg_t *wg_new(void) GORT_NOEXCEPT;

/* wg_free - release a WaitGroup. NULL is accepted and ignored.
 * No goroutine or thread may be blocked in wg_wait on it (that is a fatal
 * error: the waiter would never be released). Using the handle afterwards
 * is undefined; gort catches most such uses and returns GO_EINVAL.
 * Since 0.1.0. */
GORT_API void wg_free(go_wg_t *wg) GORT_NOEXCEPT;

/* wg_add - add @delta (may be negative) to the counter; when it reaches
 * zero, every waiter is released.
 * Returns 0, or
 *   GO_EINVAL    wg is NULL or not a live WaitGroup,
 *   GO_EOVERFLOW the counter would exceed INT32_MAX (Go's counter is 32-bit)
 *                or delta is out of the int32 range.
 * Panics with "sync: negative WaitGroup counter" when the counter would go
 * below zero. Never blocks. Since 0.1.0. */
GORT_API int wg_add(go_wg_t *wg, int64_t delta) GORT_NOEXCEPT;

/* wg_done - wg_add(wg, -1). Returns and panics as wg_add. Since 0.1.0. */
GORT_API int wg_done(go_wg_t *wg) GORT_NOEXCEPT;

/* wg_wait - block until the counter is zero (returns at once when it is).
 * Parks the calling goroutine, or blocks the calling OS thread when it is
 * not a goroutine. Returns 0, or GO_EINVAL when wg is NULL or not a live
 * WaitGroup. Since 0.1.0. */
GORT_API int wg_wait(go_wg_t *wg) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_SYNC_H */
