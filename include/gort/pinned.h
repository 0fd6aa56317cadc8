/* gort/pinned.h - pinned goroutines: goroutines whose body runs on a native
 * OS thread's own stack (Go's cgo and runtime.LockOSThread model).
 *
 * Some code cannot run on a switched goroutine stack: a JVM, the CLR or
 * CPython must see the thread's own stack, and thread-affine C libraries
 * (OpenGL, some GUI toolkits) must see the same thread every time. A pinned
 * goroutine is a goroutine in every other respect: it has an id (go_id), a
 * defer stack and panic/recover (gort/defer.h), it counts in
 * go_num_goroutine, and it uses WaitGroups, channels, select, mutexes and
 * timers with the other goroutines. Differences:
 *   - its body runs on a thread of gort's pinned pool, on that thread's own
 *     stack, from start to end (it never migrates);
 *   - while its body runs it holds no P: the GOMAXPROCS processors keep
 *     running the ordinary goroutines, and a pinned goroutine that computes
 *     does not slow them;
 *   - a blocking call from it (chan_recv, mutex_lock, go_sleep...) blocks
 *     its thread, as a blocking call from a foreign thread does;
 *   - go_exit from it returns GO_EPERM (end the body by returning).
 * Its faults are a goroutine's (gort/defer.h): a nil dereference in its body
 * is Go's recoverable runtime-error panic (unrecovered: Go's panic text,
 * "goroutine N [running, locked to thread]:", status 2), an overflow of its
 * thread's stack Go's "fatal error: stack overflow". pthread_exit in its
 * body is a fatal error.
 *
 * Threads are pooled: a thread that finished a body takes the next one, so
 * a VM attaches each thread once (in the thread_start hook), not once per
 * goroutine. While as many bodies run as there are CPUs (go_num_cpu), a new
 * body waits for the first of them to finish, rather than for a new thread
 * (no system call on either side); a body that blocks in gort gives its
 * place up at once, and a body never waits more than about 1 ms for a
 * thread of its own, whatever the running ones do. Idle threads beyond
 * GO_PINNED_IDLE_MAX end (after running the thread_exit hook). When the
 * main goroutine returns, the program is over, pinned goroutines included.
 *
 * Since 0.3.0.
 */
#ifndef GORT_PINNED_H
#define GORT_PINNED_H

#include <gort/common.h>
#include <gort/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Idle pool threads kept for reuse. */
#define GO_PINNED_IDLE_MAX 64

/* Hooks run on every pool thread: thread_start once, before the thread's
 * first goroutine (attach the thread to a VM here); thread_exit once, when
 * the pool lets the thread go (detach). Either may be NULL. Initialise with
 * go_pinned_hooks_init. */
typedef struct go_pinned_hooks {
    size_t size;                      /* sizeof(go_pinned_hooks_t); set by init */
    void (*thread_start)(void *ctx);
    void (*thread_exit)(void *ctx);
    void *ctx;
} go_pinned_hooks_t;

/* go_pinned_hooks_init - fill *hooks with "no hooks". Since 0.3.0. */
GORT_API void go_pinned_hooks_init(go_pinned_hooks_t *hooks) GORT_NOEXCEPT;

/* go_pinned_set_hooks - install the pool's hooks (copied). Once per
 * process, before the first pinned goroutine starts.
 * Returns 0, or GO_EINVAL (hooks NULL or a bad size), GO_EALREADY (hooks
 * were set already, or a pool thread exists). Since 0.3.0. */
GORT_API int go_pinned_set_hooks(const go_pinned_hooks_t *hooks) GORT_NOEXCEPT;

/* go_spawn_pinned - start a pinned goroutine running fn(arg).
 * Returns its id (>= 1, from the same sequence as go_spawn's), or
 * GO_EINVAL (fn NULL), GO_ENOMEM, GO_EAGAIN (no thread could be created),
 * GO_ESHUTDOWN (the main goroutine returned). Never blocks; any thread.
 * Since 0.3.0. */
GORT_API go_id_t go_spawn_pinned(go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_spawn_pinned_copy - go_spawn_pinned, with the @size bytes at @args
 * copied now and fn given the copy (as go_spawn_copy). Since 0.3.0. */
GORT_API go_id_t go_spawn_pinned_copy(go_fn_t fn, const void *args, size_t size) GORT_NOEXCEPT;

/* go_is_pinned - 1 when the caller is a pinned goroutine, else 0.
 * Since 0.3.0. */
GORT_API int go_is_pinned(void) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_PINNED_H */
