/* gort/syscall.h - blocking system calls, the sysmon thread, and
 * cooperative preemption points.
 *
 * A goroutine that waits in a system call counts as running (Go's rule), but
 * it must not keep its logical processor (P) while it waits: the other
 * goroutines would stop. Wrap a call that may block in go_blocking(), or
 * bracket it with go_syscall_enter() / go_syscall_exit(), as Go's runtime
 * brackets every syscall.Syscall with entersyscall/exitsyscall:
 *
 *     ssize_t n;
 *     go_syscall_enter();
 *     n = read(fd, buf, len);          // may block for a long time
 *     go_syscall_exit();               // errno is what read() left
 *
 * What happens (docs/scheduler.md has the diagram):
 *   - go_syscall_enter() marks the P "in a system call" with a plain atomic
 *     store and wakes nobody: a call that returns quickly takes the same P
 *     back in go_syscall_exit() with one compare-and-swap.
 *   - sysmon, a thread of gort's own that holds no P, looks at every P each
 *     tick (20 us, doubling up to 10 ms while nothing happens, asleep while
 *     no goroutine runs). A P that has been in the same system call for two
 *     ticks is retaken and handed to another thread, which runs the other
 *     goroutines (Go's retake/handoffp).
 *   - go_syscall_exit() takes the old P back if it is still free, else any
 *     idle P, else puts the goroutine on the global run queue and parks the
 *     thread: the goroutine goes on on whichever thread next has a P.
 *   - go_syscall_enter_block() hands the P off at once, for calls known to
 *     block long (accept on an idle socket, waitpid on a child that runs).
 *
 * errno. go_syscall_exit and go_blocking leave errno as the call left it,
 * but the goroutine may go on on another OS thread, whose errno is another
 * variable, and C compilers keep errno's address in a register (glibc
 * declares __errno_location const): a function that used errno before
 * it moved to another thread (after an earlier exit, park or yield) may
 * read the old thread's errno after go_syscall_exit. Read errno inside the
 * wrapped function (go_blocking's fn) into a variable of your own, or in a
 * function of its own after the call (gort/runtime.h has the rules).
 *
 * Between enter and exit the goroutine has no P: it must not call gort
 * (no channel, WaitGroup, mutex, sleep, spawn, yield, defer or panic), just
 * as Go code cannot run between entersyscall and exitsyscall. A gort call
 * that would block there is a fatal error. Calls may nest: an inner
 * enter/exit pair (go_blocking inside go_blocking) does nothing.
 *
 * From a thread that is not running a goroutine, and from a pinned goroutine
 * (gort/pinned.h: its body already owns a thread of its own), every function
 * here is a cheap no-op, so library code may wrap its blocking calls without
 * knowing who calls it.
 *
 * Threads. Each hand-off may start an OS thread. gort caps the threads that
 * run goroutines at 10,000 (Go's default; environment GORT_MAXTHREADS=N to
 * change it). At the cap a goroutine entering a system call keeps its P and
 * gort prints one warning on stderr, instead of dying as Go does.
 *
 * Why gort does not preempt C asynchronously. Go 1.14+ interrupts a goroutine
 * that runs 10 ms without a scheduling point with a signal and switches it
 * out at a safe point the compiler described. C code has no such points: a
 * signal can land inside malloc, inside a lock, between a store and the
 * store that publishes it; switching stacks there deadlocks or corrupts (and
 * thread-local state, errno included, would move with the goroutine). So
 * sysmon only *asks*: a goroutine that has run 10 ms without a scheduling
 * point gets a flag, and go_preempt_point() honours it. Put one in a
 * CPU-bound loop (as Go code before 1.14 did with runtime.Gosched). It costs
 * one load when nobody asked.
 *
 * Beyond Go, opt-in: GORT_RETAKE=1. A thread stuck in a blocking call nobody
 * wrapped (a JNI call, a database client, an unwrapped read) keeps its P in
 * Go. With GORT_RETAKE=1 sysmon also retakes the P of a goroutine that has
 * not reached a scheduling point for 1 ms while its thread used less than a
 * tenth of that in CPU time and that the kernel reports asleep. That
 * goroutine notices at its next gort call and goes on as after a retaken
 * system call. Retakes are rate-capped and counted (go_sched_stats). Off
 * by default: the thread may wake right after sysmon looked, and then runs
 * its own code without a P until its next gort call (for that moment one
 * goroutine more than GOMAXPROCS executes); user code that gort itself
 * calls (a once_do function, deferred calls run by go_exit) is never
 * retaken.
 *
 * Since 0.4.0.
 */
#ifndef GORT_SYSCALL_H
#define GORT_SYSCALL_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* go_syscall_enter - the calling goroutine is about to make a system call
 * that may block (Go's entersyscall). Wakes nobody. No-op outside a
 * goroutine, in a pinned goroutine, and when already inside a system call.
 * errno is preserved. Since 0.4.0. */
GORT_API void go_syscall_enter(void) GORT_NOEXCEPT;

/* go_syscall_enter_block - as go_syscall_enter, for a call known to block
 * long: the P is handed to another thread at once (Go's entersyscallblock),
 * unless the thread cap is reached. Since 0.4.0. */
GORT_API void go_syscall_enter_block(void) GORT_NOEXCEPT;

/* go_syscall_exit - the system call returned (Go's exitsyscall): take the
 * old P back with one CAS, else any idle P, else queue the goroutine and
 * park the thread until it is scheduled again (possibly on another thread).
 * errno is preserved across all of it. No-op where go_syscall_enter was.
 * Since 0.4.0. */
GORT_API void go_syscall_exit(void) GORT_NOEXCEPT;

/* A blocking function: returns what go_blocking returns (a count, a status,
 * a pointer cast to intptr_t). */
typedef intptr_t (*go_blocking_fn_t)(void *arg);

/* go_blocking - fn(arg) between go_syscall_enter() and go_syscall_exit();
 * returns fn's result, with errno as fn left it. fn must not call gort
 * (see above). fn == NULL returns GO_EINVAL without calling anything.
 * From a thread that is not a goroutine, or a pinned goroutine: just fn(arg).
 * Since 0.4.0. */
GORT_API intptr_t go_blocking(go_blocking_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_preempt_point - a scheduling point for CPU-bound loops: yields (as
 * go_yield) when sysmon has asked the calling goroutine to, because it ran
 * 10 ms without a scheduling point; otherwise returns at once, at the cost
 * of one load. No-op outside a goroutine. Since 0.4.0. */
GORT_API void go_preempt_point(void) GORT_NOEXCEPT;

/* Scheduler statistics since the runtime started (counters only grow). */
typedef struct go_schedstats {
    size_t size;                   /* set to sizeof(go_sched_stats_t) before the call */
    uint64_t syscalls;             /* go_syscall_enter/_block calls by goroutines (nesting excluded) */
    uint64_t syscall_fast_exits;   /* exits that took the same P back (one CAS) */
    uint64_t syscall_idle_exits;   /* exits that took another idle P */
    uint64_t syscall_queued_exits; /* exits that found no P: goroutine queued, thread parked */
    uint64_t handoffs;             /* Ps handed off at once by go_syscall_enter_block */
    uint64_t retakes;              /* Ps sysmon took from goroutines in system calls */
    uint64_t blind_retakes;        /* GORT_RETAKE=1: Ps taken from goroutines blocked unwrapped */
    uint64_t preempt_requests;     /* goroutines sysmon asked to yield (10 ms without a scheduling point) */
    uint64_t preempt_yields;       /* go_preempt_point calls that yielded */
    uint64_t sysmon_wakeups;       /* idle Ps sysmon started because runnable goroutines waited */
    int32_t threads;               /* OS threads gort created to run goroutines (Ms), now */
    int32_t threads_max;           /* the cap (GORT_MAXTHREADS, default 10000) */
    int32_t in_syscall;            /* goroutines inside a system call now */
    int32_t reserved_;
} go_sched_stats_t;

/* go_sched_stats - fill *st (st->size bytes of it; fields past st->size are
 * not written). Returns 0, or GO_EINVAL for NULL or a size too small for
 * the first counter. Starts the runtime if needed. Since 0.4.0. */
GORT_API int go_sched_stats(go_sched_stats_t *st) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_SYSCALL_H */
