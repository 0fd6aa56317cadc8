/* gort/defer.h - defer, panic, recover and Goexit, with Go's semantics.
 *
 * Every goroutine has two stacks: its call stack and its DEFER STACK.
 * defer_push() pushes a call onto the defer stack, tied to the innermost
 * FRAME; when the frame ends, its deferred calls run in reverse order. A
 * frame is one Go function call:
 *   - a goroutine's body is a frame;
 *   - go_call(fn, arg) runs fn(arg) as a frame (on any thread);
 *   - GO_FRAME(name) opens a frame inside a C function (GNU C: gcc, clang),
 *     and GO_DEFER(name, fn, arg) defers a call to it open-coded, in the
 *     frame's own memory (since 0.7.0).
 * Lifetimes. go_call's deferred calls run AFTER fn returned, so they must not
 * use fn's locals: give them what they need through their argument (copied
 * with defer_push_copy, or memory that outlives the call, such as the
 * caller's). A GO_FRAME's deferred calls run when the enclosing block is
 * left, by any path (return, break, goto out of it, end of block), while the
 * function's locals are still alive: they may use them (that is how Go's
 * deferred closures see and change named results).
 *
 * PANICS. panic_raise() puts the goroutine into panicking: the deferred
 * calls of the goroutine run, innermost frame first, on top of the
 * panicking stack (nothing is unwound yet). A deferred call that calls
 * panic_recover() stops the panic: when it returns, the remaining deferred
 * calls of the frame that deferred it run, and that frame returns normally
 * to its caller — go_call returns GO_RECOVERED, a GO_FRAME runs the block
 * after it with a true condition. (Those remaining calls run after the
 * jump below, except the ones whose argument lies in the stack memory the
 * jump discards — a C++ scope guard's, or the address of a local of a
 * function below the frame — which run just before it, while that memory
 * is alive, together with every call deferred after them: the order stays
 * Go's. Since 0.5.0.) A panic that nothing recovers prints Go's
 * text ("panic: MSG", chained panics, "goroutine N [running]:" and a
 * backtrace) after the deferred calls ran, and ends the process with status
 * 2. A panic never leaves its goroutine: no other goroutine can recover it
 * and no other goroutine's deferred calls run.
 *
 * WHAT "CALLED DIRECTLY BY A DEFERRED FUNCTION" MEANS HERE. Go's recover
 * works only when called directly by a deferred function run by the panic.
 * C cannot see call frames, so gort's rule is: panic_recover() recovers only
 * while the innermost frame is the frame of a deferred call started by the
 * panic. Plain C helper functions called by the deferred function are not
 * frames, so a recover inside them counts as direct; any frame opened since
 * (go_call, GO_FRAME, or a deferred call run when such a frame ends) hides
 * the panic, as in Go.
 *
 * THE JUMP. Recovery transfers control to the frame that deferred the
 * recovering call with a jump that is valid after the goroutine migrated to
 * another OS thread and never touches the signal mask. It skips the C frames
 * between the panic and that frame, as Go discards them: C++ destructors and
 * GCC cleanup attributes in those skipped frames do not run. Keep C++ objects
 * with destructors out of functions a panic can cross, or catch in them.
 * Nothing unwinds through the C API: a C++ exception that escapes a
 * goroutine body, a go_call function or a deferred call becomes a panic
 * carrying the exception's what() — except a call deferred with GO_DEFER
 * in C code that runs at its block's normal end: the block calls it
 * directly, as plain C (compile the block as C++, or defer with
 * defer_push, to have it caught).
 *
 * RUNTIME ERRORS. A nil-pointer dereference (SIGSEGV/SIGBUS at an address
 * below 4096) or an integer division fault (SIGFPE) in a goroutine becomes
 * Go's runtime-error panic ("runtime error: invalid memory address or nil
 * pointer dereference", "runtime error: integer divide by zero"),
 * recoverable like any panic. A fault at any other address is Go's fatal
 * "unexpected fault address 0x...", "fatal error: fault" (status 2, no
 * deferred call runs), and a goroutine stack overflow stays fatal, as in Go.
 * Pinned goroutines (gort/pinned.h) are goroutines here too. A fault inside
 * the runtime — for example chan_send, chan_recv or go_select given a value
 * pointer that cannot be read or written, which the runtime copies while it
 * holds the channel's lock — is never a panic: it is Go's "fatal error:
 * unexpected signal during runtime execution" (status 2; no deferred call
 * runs), as a recovery would leave the runtime's state half-changed.
 * Traces name functions exported to the dynamic symbol table: link programs
 * with -rdynamic to see your own. Faults outside goroutines
 * go to the handler installed before gort, or the default action.
 *
 * ESCAPES THE RUNTIME CANNOT SEE. A frame must end the way it began: leave a
 * go_call body, a GO_FRAME block or a deferred call only by returning (or by
 * a panic). longjmp (or a C++ exception caught outside, or a switch to
 * another user-level stack) out of one leaves a stale frame behind: gort
 * detects it when the next defer_push, go_call, GO_FRAME or panic on that
 * thread or goroutine runs from a shallower point of the stack, and ends the
 * process with "fatal error: gort: a go_call, GO_FRAME or deferred call was
 * left without ending its frame (longjmp out of it?)" (status 2); an escape
 * followed only by deeper calls may go unseen, with the stale frame's
 * deferred calls never run. pthread_exit, or a thread cancellation acting,
 * inside a goroutine body or a go_call body ends the process with "fatal
 * error: gort: pthread_exit or thread cancellation in a goroutine" (or
 * "... inside go_call"): the unwind can pass neither a goroutine's entry
 * nor the noexcept go_call. Return from the body instead (go_exit in a
 * goroutine).
 *
 * Since 0.2.0 unless noted.
 */
#ifndef GORT_DEFER_H
#define GORT_DEFER_H

#include <gort/common.h>
#include <gort/runtime.h>

#ifdef __cplusplus
extern "C" {
#endif

/* go_call's result when a deferred call of its frame recovered a panic. */
#define GO_RECOVERED 1

/* A deferred call. */
typedef void (*go_defer_fn_t)(void *arg);

/* defer_push - push fn(arg) on the calling goroutine's defer stack, tied to
 * the innermost frame; it runs when that frame ends (in reverse order of
 * pushing), or while a panic unwinds it.
 * Returns 0, or
 *   GO_EINVAL fn is NULL,
 *   GO_ENOMEM no memory for the record,
 *   GO_EPERM  no frame: the caller is a thread that is not a goroutine and
 *             is not inside go_call.
 * Never blocks. */
GORT_API int defer_push(go_defer_fn_t fn, void *arg) GORT_NOEXCEPT;

/* defer_push_copy - like defer_push, but the @size bytes at @args are copied
 * now (Go evaluates a deferred call's arguments at the defer statement); fn
 * receives a pointer to the copy, valid until fn returns. @args may be NULL
 * only when @size is 0 (fn then receives NULL). Returns as defer_push. */
GORT_API int defer_push_copy(go_defer_fn_t fn, const void *args, size_t size) GORT_NOEXCEPT;

/* defer_run - run now, and remove, the newest pending deferred call
 * fn(arg) that defer_push (not defer_push_copy) tied to the innermost
 * frame: a scope guard's end (gort.hpp's gort::defer pushes its call when
 * it is made, so that a panic runs it, and runs it here when its scope is
 * left normally or by a C++ exception). It runs as at the frame's end, in
 * a frame of its own: a C++ exception that escapes it becomes a panic, and
 * its recover() finds no panic. Calls deferred after it stay pending, in
 * their order.
 * Returns 1 when it ran, 0 when the innermost frame holds no such call (it
 * ran already: a panic or Goexit ran it; or it was never pushed), or
 * GO_EINVAL when fn is NULL. Never blocks by itself. Since 0.5.0. */
GORT_API int defer_run(go_defer_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_call - run fn(arg) as one Go function call (a frame).
 * Returns 0 when fn returned and its deferred calls ran; GO_RECOVERED when a
 * panic was recovered by one of this frame's deferred calls (the remaining
 * ones ran too); GO_EINVAL when fn is NULL (fn is not called). A panic that
 * this frame does not recover goes on to the outer frames: go_call does not
 * return then. May be called from any thread; on a thread that is not a
 * goroutine the frame is that thread's own (its panics end the process like
 * a goroutine's). */
GORT_API int go_call(go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* A user panic value: the runtime calls `format` to print it (unrecovered
 * panics only: panic_recover runs no user code, as Go's recover) and
 * `destroy` when it is done with it. */
typedef struct go_panic_type {
    size_t size;        /* sizeof(go_panic_type_t) */
    const char *name;   /* a type name for diagnostics, or NULL */
    /* Write the value's text (what Go's panic prints: Error() or String())
     * into buf, snprintf style; NULL prints the value's address. Called on
     * the panicking goroutine before an unrecovered panic prints anything; a
     * panic inside it ends the process with Go's "fatal error: panic while
     * printing panic value: MSG" (a string panic) or "...: type NAME" (a
     * typed one). panic_recover does not call it. */
    int (*format)(const void *value, char *buf, size_t len);
    /* Release the value; NULL when the runtime need not. Called once, when
     * the panic is over (after the recovering frame returned, or never when
     * the process dies). */
    void (*destroy)(void *value);
} go_panic_type_t;

/* panic_raise - start panicking with a copy of the C string @msg (Go's
 * panic("msg")); NULL is panic(nil). Does not return. Any thread: on a
 * thread that is not a goroutine and not inside go_call, the panic is
 * unrecoverable and ends the process. */
GORT_API void panic_raise(const char *msg) GORT_NOEXCEPT __attribute__((noreturn));

/* panic_raise_value - start panicking with a user value described by
 * @type (which must stay valid while the panic lives); value NULL and type
 * NULL is panic(nil). Does not return. */
GORT_API void panic_raise_value(void *value, const go_panic_type_t *type) GORT_NOEXCEPT
    __attribute__((noreturn));

/* What panic_recover hands back. Valid until the frame that deferred the
 * recovering call returns. */
typedef struct go_recovered {
    void *value;                 /* panic_raise_value's value; NULL otherwise */
    const go_panic_type_t *type; /* its type; NULL for panic_raise and panic(nil) */
    const char *message;         /* panic_raise's copied message, the text of a
                                    runtime error, or for a typed value
                                    "(name) 0xADDR" (its format callback is not
                                    called: call r.type->format yourself, as
                                    Go's fmt calls Error()); NULL for panic(nil) */
    int is_runtime_error;        /* 1 when Go's value would be a runtime.Error: the
                                    "runtime error: ..." panics and the channel
                                    panics ("send on closed channel"...) */
} go_recovered_t;

/* panic_recover - Go's recover(). Inside a deferred call run by a panic
 * (see the rule above): stop the panic, fill *out (may be NULL) and return
 * 1 — also for panic(nil), whose fields are all NULL. Otherwise (not
 * panicking, called from a nested frame, during Goexit, or on a thread
 * without a frame) return 0 and leave *out alone. Never blocks. */
GORT_API int panic_recover(go_recovered_t *out) GORT_NOEXCEPT;

/* go_exit - runtime.Goexit: run all the calling goroutine's deferred calls
 * (every frame's), then end the goroutine. Not a panic: panic_recover
 * returns 0 during it and it cannot be stopped; a Goexit called while the
 * goroutine panics ends the panic (it is not printed). Goexit from the main
 * goroutine lets the others run; when none is left the process ends with
 * "fatal error: no goroutines (main called runtime.Goexit) - deadlock!" and
 * status 2. On a thread that is not a goroutine: returns GO_EPERM. */
GORT_API int go_exit(void) GORT_NOEXCEPT;

/* ---- GO_FRAME: a frame inside a C function (GNU C) --------------------
 *
 *     int parse(const char *s, int *out)
 *     {
 *         GO_FRAME(f) {
 *             return -1;          // a deferred call of f recovered a panic
 *         }
 *         GO_DEFER(f, cleanup, &state);
 *         ...                     // may panic
 *         return 0;               // f's deferred calls run here, locals alive
 *     }
 *
 * Go's named results: C's `return expr;` evaluates expr BEFORE the block's
 * deferred calls run, so a deferred call that must change the result works
 * on a variable declared outside the frame's block, returned after it:
 *
 *     int triple(int n)
 *     {
 *         int r;
 *         {
 *             GO_FRAME(f) {}
 *             GO_DEFER(f, add_n_to_r, &(struct add){ &r, n });   // r += n
 *             r = n + n;
 *         }                       // deferred calls run here: r == 3n
 *         return r;
 *     }
 *
 * GO_FRAME(name) declares a frame variable that ends when the enclosing
 * block is left; the statement after it runs only when a deferred call of
 * this frame recovered a panic (its remaining deferred calls run when the
 * block is left, as for a normal return). Use one GO_FRAME per block, at the
 * top of a function body or block; never jump into or out of its block with
 * goto/longjmp (leaving it with return, break or the block's end is fine).
 *
 * GO_DEFER(name, fn, arg) is defer_push(fn, arg) for the frame `name`, open-
 * coded as Go's compiler open-codes a defer statement: the first
 * GO_FRAME_SLOTS calls deferred in a frame are recorded in the frame's own
 * slots by a few stores, with no call into the library and no thread-local
 * lookup; later ones, and every defer_push_copy, take defer_push's records.
 * It returns what defer_push returns (GO_EINVAL for a NULL fn, GO_ENOMEM).
 * defer_push and GO_DEFER may be mixed in one frame: the calls run in
 * reverse order of deferring either way, and panics, recover and Goexit
 * see them all. Name the innermost frame, the one whose block the
 * statement is in: a call deferred to an outer frame runs when that frame
 * ends (as if deferred at its end), since 0.7.0.
 *
 * Frames compiled against headers before 0.7.0 (go_frame_t, through
 * go_frame_enter_) keep working: they have no slots. */
typedef struct go_frame {
    void *jb[5];          /* the jump buffer of __builtin_setjmp */
    void *impl[6];        /* runtime state */
} go_frame_t;

/* go_frame_enter_, go_frame_leave_, go_frame_landed_ - the parts of
 * GO_FRAME before 0.7.0, kept for programs built then: enter makes f the
 * innermost frame (returns 0); leave, the block's cleanup, runs f's
 * deferred calls and ends it. landed, still GO_FRAME's: returns 1 when
 * control came back to f's jump buffer because a deferred call of f
 * recovered a panic, else 0. */
GORT_API int go_frame_enter_(go_frame_t *f) GORT_NOEXCEPT;
GORT_API void go_frame_leave_(go_frame_t *f) GORT_NOEXCEPT;
GORT_API int go_frame_landed_(go_frame_t *f) GORT_NOEXCEPT;

/* ---- Open-coded frames: GO_FRAME and GO_DEFER since 0.7.0 --------------
 *
 * What follows is part of the ABI since 0.7.0 because the macros are
 * compiled into programs: a GO_FRAME is entered, records its GO_DEFER calls
 * and (in C) ends without a call into the library, in a few stores.
 * Everything here is for the macros only. */

/* The slots of a frame. */
#define GO_FRAME_SLOTS 8

typedef struct go_defer_slot {
    go_defer_fn_t fn;
    void *arg;
} go_defer_slot_t;

/* The calling goroutine's (or thread's) defer state, as the macros see it. */
typedef struct go_dstate {
    struct go_dframe *frame; /* the innermost frame (a go_dframe_t, or the
                                go_frame_t of go_call or of an older
                                GO_FRAME: their heads are alike), or NULL */
} go_dstate_t;

/* go_dframe_t.n: set when the frame's later calls go elsewhere (a call
 * deferred with defer_push or past the slots is pending, or a panic moved
 * the slots' calls out). */
#define GO_DFRAME_CLOSED 0x80000000u

/* A GO_FRAME. Its first 88 bytes are a go_frame_t. */
typedef struct go_dframe {
    void *jb[5];            /* the jump buffer of __builtin_setjmp */
    struct go_dframe *parent;
    go_dstate_t *ds;
    void *rt_[2];           /* runtime state */
    unsigned rt_base_;      /* runtime state */
    unsigned rt_depth_;     /* runtime state */
    unsigned long long flags; /* 2 (slots follow), | 1 once a panic was
                               recovered into the frame */
    unsigned n;             /* slots in use, | GO_DFRAME_CLOSED */
    unsigned rt_spare_;
    go_defer_slot_t slot[GO_FRAME_SLOTS];
} go_dframe_t;

/* go_dframe_enter_, go_dframe_leave_, go_dframe_defer_ - the library's
 * parts of the macros: enter makes f the innermost frame (returns 0) when
 * the inline path cannot (the thread's first frame, a frame to check for
 * staleness, no inline path on this target); leave ends f when its inline
 * end cannot (calls deferred outside the slots, a recovered panic, C++);
 * defer is GO_DEFER when the slots are full or closed, or fn is NULL
 * (returns as defer_push). */
GORT_API int go_dframe_enter_(go_dframe_t *f) GORT_NOEXCEPT;
GORT_API void go_dframe_leave_(go_dframe_t *f) GORT_NOEXCEPT;
GORT_API int go_dframe_defer_(go_dframe_t *f, go_defer_fn_t fn, void *arg) GORT_NOEXCEPT;
/* go_dframe_landed_ - go_frame_landed_ for a GO_FRAME. */
GORT_API int go_dframe_landed_(go_dframe_t *f) GORT_NOEXCEPT;

/* The calling thread's defer state (its running goroutine's, or its own),
 * or NULL before the thread's first frame: an initial-exec thread-local,
 * read only by go_dstate_now_. */
#if defined(__GNUC__)
GORT_API extern __thread go_dstate_t *go_dstate_tls_;
#endif

#if defined(__GNUC__) && defined(__x86_64__)
/* go_dstate_tls_, read with an asm statement so that it is read afresh each
 * time: a goroutine may have moved to another thread since the last read,
 * and a compiler may keep a thread-local's address across calls. */
static inline go_dstate_t *go_dstate_now_(void)
{
    go_dstate_t *ds;
    __asm__ __volatile__("movq go_dstate_tls_@gottpoff(%%rip), %0\n\t"
                         "movq %%fs:(%0), %0"
                         : "=r"(ds));
    return ds;
}

/* Enter f. A frame lives in its function's stack frame, so a live
 * innermost frame lies above f; one below it was left without ending
 * (longjmp), or belongs to this function too: the library tells which. */
static inline int go_dframe_begin_(go_dframe_t *f)
{
    go_dstate_t *ds = go_dstate_now_();
    go_dframe_t *p;
    if (__builtin_expect(ds == 0, 0))
        return go_dframe_enter_(f);
    p = ds->frame;
    if (__builtin_expect(p != 0 && p <= f, 0))
        return go_dframe_enter_(f);
    f->parent = p;
    f->ds = ds;
    f->flags = 2;
    f->n = 0;
    ds->frame = f;
    return 0;
}
#else
static inline int go_dframe_begin_(go_dframe_t *f)
{
    return go_dframe_enter_(f);
}
#endif

/* The end of a GO_FRAME: its slots' calls, newest first, then the frame is
 * left. In C they are called from here, directly (see GO_DEFER); the
 * library ends the frame when it is closed (calls deferred outside the
 * slots, or a panic recovered into it) and in C++ (where it turns an
 * escaping exception into a panic). */
static inline void go_dframe_end_(go_dframe_t *f)
{
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__cplusplus)
    unsigned n;
    while ((n = f->n) != 0) {
        if (__builtin_expect((n & GO_DFRAME_CLOSED) != 0, 0))
            goto slow;
        f->n = --n;
        f->slot[n].fn(f->slot[n].arg);
    }
    if (__builtin_expect(f->ds->frame == f, 1)) {
        f->ds->frame = f->parent;
        return;
    }
slow:
#endif
    go_dframe_leave_(f);
}

/* GO_DEFER's body. The compiler barrier keeps the record ahead of every
 * later access to memory: a fault there (a nil dereference becomes a panic)
 * finds it in place. */
static inline int go_dframe_push_(go_dframe_t *f, go_defer_fn_t fn, void *arg)
{
    unsigned n = f->n;
    if (__builtin_expect(n < GO_FRAME_SLOTS && fn != 0, 1)) {
        f->slot[n].fn = fn;
        f->slot[n].arg = arg;
        f->n = n + 1;
        __asm__ __volatile__("" ::: "memory");
        return 0;
    }
    return go_dframe_defer_(f, fn, arg);
}

#if defined(__GNUC__)
#define GO_FRAME(name)                                                            \
    go_dframe_t name __attribute__((cleanup(go_dframe_end_)));                  \
    if (go_dframe_begin_(&(name)) == 0 && __builtin_setjmp((name).jb) != 0 &&   \
        go_dframe_landed_(&(name)))

#define GO_DEFER(name, fn, arg) go_dframe_push_(&(name), (fn), (void *)(arg))
#endif

#ifdef __cplusplus
}
#endif

#endif /* GORT_DEFER_H */
