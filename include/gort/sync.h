/* gort/sync.h - sync.WaitGroup, Mutex, RWMutex, Once and Cond.
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
 *
 * FREED AND FOREIGN HANDLES (every type here). The memory of a WaitGroup,
 * Mutex, RWMutex, Once or Cond is never given back to malloc: a freed one
 * stays marked as freed. So freeing a handle that was already freed is
 * ignored, and every other function here returns GO_EINVAL for it (cond_new
 * returns NULL with errno EINVAL). So it does for a handle of another gort
 * type (a go_wg_t * passed as a go_mutex_t *) and for a pointer that is not
 * 64-byte aligned (rejected before it is read). What gort cannot catch: a
 * freed object's memory is reused for a new object of the same type (never
 * of another type) once 256 more of that type were freed after it, and from
 * then on the old handle names the new object; a garbage pointer to memory
 * that cannot be read crashes. It is a debugging aid: using a handle after
 * freeing it is still a bug (and, while another thread frees it, a data
 * race).
 */
#ifndef GORT_SYNC_H
#define GORT_SYNC_H

#include <gort/common.h>
#include <gort/runtime.h>

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
 * error: the waiter would never be released). It may be freed as soon as
 * wg_wait has returned (in every waiter), even while the goroutine whose
 * wg_done released them is still returning from that call: no gort call
 * touches a WaitGroup after it released its waiters. A second free is
 * ignored, and other uses of the freed handle return GO_EINVAL (see FREED
 * AND FOREIGN HANDLES above). Since 0.1.0. */
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

/* The WaitGroup error twins: as their namesakes, but where those panic they
 * return an error instead: GO_ERANGE for "sync: negative WaitGroup counter"
 * (the counter is left unchanged), GO_EBUSY for "sync: WaitGroup misuse"
 * (and for wg_wait_err, "sync: WaitGroup is reused before previous Wait has
 * returned"; as in Go, the WaitGroup's counter is then unreliable, but no
 * waiter is lost or woken twice: once the misuse stops, the next time the
 * counter reaches zero releases every waiter, once). Bindings
 * use these: a panic's jump must never cross Rust, JVM or CLR frames.
 * Since 0.3.0. */
GORT_API int wg_add_err(go_wg_t *wg, int64_t delta) GORT_NOEXCEPT;
GORT_API int wg_done_err(go_wg_t *wg) GORT_NOEXCEPT;
GORT_API int wg_wait_err(go_wg_t *wg) GORT_NOEXCEPT;

/* ---------------------------------------------------------------- Mutex
 *
 * sync.Mutex, with Go's algorithm: a waiter that has waited more than 1 ms
 * switches the mutex to starvation mode, in which an unlock hands the mutex
 * straight to the oldest waiter, so no waiter starves; a short spin before
 * parking when other processors are running. A mutex is not tied to a
 * goroutine: one goroutine (or thread) may lock it and another unlock it.
 * Misuse is Go's fatal error, not a panic: unlocking an unlocked mutex
 * prints "fatal error: sync: unlock of unlocked mutex" and ends the process
 * with status 2. Any thread may call these; a lock from a thread that is not
 * a goroutine blocks that thread. Since 0.3.0. */
typedef struct go_mutex go_mutex_t;

/* mutex_new - an unlocked mutex; NULL with errno ENOMEM on failure. */
GORT_API go_mutex_t *mutex_new(void) GORT_NOEXCEPT;
/* mutex_free - release it; NULL, and a mutex freed already, are ignored.
 * It must be unlocked, with no waiter (a fatal error otherwise). */
GORT_API void mutex_free(go_mutex_t *mu) GORT_NOEXCEPT;
/* mutex_lock - Lock: block until the mutex is ours. 0 or GO_EINVAL. */
GORT_API int mutex_lock(go_mutex_t *mu) GORT_NOEXCEPT;
/* mutex_trylock - TryLock: 1 when locked by this call, 0 when it is held
 * (or in starvation mode), or GO_EINVAL. Never blocks. */
GORT_API int mutex_trylock(go_mutex_t *mu) GORT_NOEXCEPT;
/* mutex_unlock - Unlock: 0 or GO_EINVAL; fatal error when not locked. */
GORT_API int mutex_unlock(go_mutex_t *mu) GORT_NOEXCEPT;
/* mutex_unlock_err - Unlock, but GO_EPERM (and nothing changes) instead of
 * the fatal error when the mutex is not locked: for bindings, whose
 * languages answer such misuse with an exception. */
GORT_API int mutex_unlock_err(go_mutex_t *mu) GORT_NOEXCEPT;

/* The inline fast paths (GNU C; added after 0.7.0). mutex_lock and mutex_unlock
 * are macros over these: an uncontended Lock, and an Unlock with no waiter,
 * are one compare-and-swap in the caller, as Go's inlined fast paths, with
 * no call into the library. Everything else (a held or contended mutex,
 * waiters to wake, starvation mode, a bad handle, an unlock of an unlocked
 * mutex) calls the functions above, so behaviour and errors are the same.
 * Their address, and (mutex_lock)(mu), are still the library's. What they
 * read is part of the ABI from then on: a mutex handle is 64-byte aligned,
 * its first 32 bits are GO_MUTEX_MAGIC_ while it lives, and its state is the
 * int at byte GO_MUTEX_STATE_OFFSET_: 0 unlocked, 1 locked with no waiter.
 * They are function-like macros, so another `mutex_lock(` in the same source
 * (a struct member of that name, say) expands too: define
 * GORT_NO_INLINE_SYNC before including gort.h for plain calls. */
#if defined(__GNUC__) && !defined(SWIG) && !defined(GORT_NO_INLINE_SYNC) && \
    !defined(GORT_BUILDING_LIBRARY)
#define GO_MUTEX_MAGIC_ 0x6d55544bu
#define GO_MUTEX_STATE_OFFSET_ 64
#ifdef __cplusplus
#define GO_SYNC_CAST_(T, x) reinterpret_cast<T>(x)
#else
#define GO_SYNC_CAST_(T, x) ((T)(x))
#endif

/* The state word of mu when mu looks like a live mutex, else NULL. */
static inline int *go_mutex_state_(go_mutex_t *mu) GORT_NOEXCEPT
{
    unsigned int magic;
    if (__builtin_expect(mu == 0 || (GO_SYNC_CAST_(unsigned long, mu) & 63) != 0, 0))
        return 0;
    __builtin_memcpy(&magic, mu, sizeof magic);
    if (__builtin_expect(magic != GO_MUTEX_MAGIC_, 0))
        return 0;
    return GO_SYNC_CAST_(int *, GO_SYNC_CAST_(char *, mu) + GO_MUTEX_STATE_OFFSET_);
}

/* One CAS of mu's state from `from` to `to` when mu looks like a live
 * mutex; 1 when it was done. */
static inline int go_mutex_cas_(go_mutex_t *mu, int from, int to, int order) GORT_NOEXCEPT
{
    int *state = go_mutex_state_(mu);
    return state != 0 && __atomic_compare_exchange_n(state, &from, to, 0, order, __ATOMIC_RELAXED);
}

static inline int go_mutex_lock_(go_mutex_t *mu) GORT_NOEXCEPT
{
    return __builtin_expect(go_mutex_cas_(mu, 0, 1, __ATOMIC_ACQUIRE), 1) ? 0 : (mutex_lock)(mu);
}

static inline int go_mutex_unlock_(go_mutex_t *mu) GORT_NOEXCEPT
{
    return __builtin_expect(go_mutex_cas_(mu, 1, 0, __ATOMIC_RELEASE), 1) ? 0 : (mutex_unlock)(mu);
}

#define mutex_lock(mu) go_mutex_lock_(mu)
#define mutex_unlock(mu) go_mutex_unlock_(mu)
#endif

/* ---------------------------------------------------------------- RWMutex
 *
 * sync.RWMutex: any number of readers or one writer. Writer preference, as
 * Go's: once a writer waits in rwmutex_lock, new readers block until it has
 * had its turn, so a stream of readers cannot starve writers (and a reader
 * must not rely on recursive read locking). Misuse is Go's fatal error:
 * "sync: RUnlock of unlocked RWMutex", "sync: Unlock of unlocked RWMutex".
 * Since 0.3.0. */
typedef struct go_rwmutex go_rwmutex_t;

/* rwmutex_new - an unlocked RWMutex; NULL with errno ENOMEM on failure. */
GORT_API go_rwmutex_t *rwmutex_new(void) GORT_NOEXCEPT;
/* rwmutex_free - NULL, and an RWMutex freed already, are ignored; it must
 * be unlocked, with no waiter. */
GORT_API void rwmutex_free(go_rwmutex_t *rw) GORT_NOEXCEPT;
/* Each returns 0 (the try forms: 1 locked, 0 not) or GO_EINVAL. */
GORT_API int rwmutex_rlock(go_rwmutex_t *rw) GORT_NOEXCEPT;
GORT_API int rwmutex_tryrlock(go_rwmutex_t *rw) GORT_NOEXCEPT;
GORT_API int rwmutex_runlock(go_rwmutex_t *rw) GORT_NOEXCEPT;
GORT_API int rwmutex_lock(go_rwmutex_t *rw) GORT_NOEXCEPT;
GORT_API int rwmutex_trylock(go_rwmutex_t *rw) GORT_NOEXCEPT;
GORT_API int rwmutex_unlock(go_rwmutex_t *rw) GORT_NOEXCEPT;

/* ---------------------------------------------------------------- Once
 *
 * sync.Once: once_do(o, fn, arg) calls fn(arg) exactly once for the life of
 * o, however many goroutines call it; every caller returns only after that
 * call has finished. If fn panics, once_do considers it returned (later
 * calls do not call fn) and the panic goes on. fn must not call once_do on
 * the same Once (Go deadlocks there too). Since 0.3.0. */
typedef struct go_once go_once_t;

/* once_new - a Once that has not run; NULL with errno ENOMEM on failure. */
GORT_API go_once_t *once_new(void) GORT_NOEXCEPT;
/* once_free - NULL, and a Once freed already, are ignored; fn may not be
 * running in once_do (a fatal error). */
GORT_API void once_free(go_once_t *o) GORT_NOEXCEPT;
/* once_do - 0, or GO_EINVAL (o not live, fn NULL). */
GORT_API int once_do(go_once_t *o, go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* ---------------------------------------------------------------- Cond
 *
 * sync.Cond over a Mutex: cond_wait atomically unlocks the mutex and
 * suspends the caller; once woken by cond_signal (the longest waiter) or
 * cond_broadcast (all waiters), it locks the mutex again before returning.
 * As in Go, a wake-up is no proof the condition holds: wait in a loop. The
 * caller of cond_wait must hold the mutex (otherwise: the mutex's fatal
 * error); signal and broadcast need not. Since 0.3.0. */
typedef struct go_cond go_cond_t;

/* cond_new - a Cond whose L is @mu (which must outlive it). NULL with errno
 * EINVAL (mu not live) or ENOMEM. */
GORT_API go_cond_t *cond_new(go_mutex_t *mu) GORT_NOEXCEPT;
/* cond_free - NULL, and a Cond freed already, are ignored; no waiter may
 * remain (a fatal error). */
GORT_API void cond_free(go_cond_t *c) GORT_NOEXCEPT;
/* Each returns 0 or GO_EINVAL (c not live; for cond_wait, also its mutex
 * not live: freed before the Cond). */
GORT_API int cond_wait(go_cond_t *c) GORT_NOEXCEPT;
GORT_API int cond_signal(go_cond_t *c) GORT_NOEXCEPT;
GORT_API int cond_broadcast(go_cond_t *c) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_SYNC_H */
