/* gort/common.h - export macro, error codes and the error convention.
 *
 * THE ERROR CONVENTION (the same for every function in gort):
 *   - A function that returns `int` or `go_id_t` returns a value >= 0 on
 *     success and a negative error code from the list below on failure.
 *     The codes are negated errno values, so `-ret` can be given to strerror;
 *     go_strerror() gives gort's own text.
 *   - A function that returns a handle (wg_new) returns NULL on failure and
 *     sets errno to the (positive) code.
 *   - When a function that takes a callback returns an error, the callback
 *     will never be called.
 *   - Misuse that Go answers with a panic (a negative WaitGroup counter)
 *     is a panic here too, with Go's message; see gort/sync.h. Runtime
 *     corruption that Go answers with "fatal error:" (a goroutine stack
 *     overflow) ends the process with Go's text and exit status 2.
 */
#ifndef GORT_COMMON_H
#define GORT_COMMON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#if defined(GORT_BUILDING_LIBRARY)
#define GORT_API __attribute__((visibility("default")))
#else
#define GORT_API
#endif

#ifdef __cplusplus
#define GORT_NOEXCEPT noexcept
extern "C" {
#else
#define GORT_NOEXCEPT
#endif

/* Error codes (negated errno values). */
#define GO_EINVAL    (-EINVAL)    /* an argument is invalid: NULL function or handle, bad size */
#define GO_ENOMEM    (-ENOMEM)    /* out of memory */
#define GO_EAGAIN    (-EAGAIN)    /* out of goroutine stacks (address space or mappings) */
#define GO_EOVERFLOW (-EOVERFLOW) /* a counter would leave its range */
#define GO_ESHUTDOWN (-ESHUTDOWN) /* the main goroutine returned: the program is over */
#define GO_EPERM     (-EPERM)     /* not allowed from this context (go_main inside a goroutine) */
#define GO_EALREADY  (-EALREADY)  /* go_main was already called in this process */
#define GO_ECLOSED   (-EPIPE)     /* the channel is closed (an _err twin's "send on closed channel" or "close of closed channel") */
#define GO_ERANGE    (-ERANGE)    /* an _err twin's "sync: negative WaitGroup counter" */
#define GO_EBUSY     (-EBUSY)     /* an _err twin's "sync: WaitGroup misuse" */

/* go_strerror - a static, human-readable description of a gort error code.
 * @err: a value returned by a gort function (negative), or 0.
 * Returns a string that must not be freed; unknown codes give "unknown error".
 * Safe to call from any thread, before or after the runtime starts.
 * Since 0.1.0. */
GORT_API const char *go_strerror(int err) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_COMMON_H */
