/* gort/runtime.h - goroutines and the scheduler.
 *
 * A goroutine is a function running on its own small stack, scheduled by
 * gort's M:P:G scheduler onto at most GOMAXPROCS OS threads at once. The
 * scheduler is COOPERATIVE: a goroutine runs until it blocks in gort
 * (wg_wait, go_sleep, a channel, a mutex...), yields (go_yield), returns, or spawns a goroutine
 * while its P already holds a full queue (256) of runnable ones (go_spawn
 * then yields, as Go's preemption would, so that a spawning loop cannot pile
 * up unbounded work). A goroutine that loops without calling into gort keeps
 * its logical processor (P) until it does; the other Ps keep running the
 * other goroutines. A goroutine about to block in a system call should say
 * so (go_blocking, go_syscall_enter: gort/syscall.h) so that its P goes to
 * the others, and a CPU-bound loop can offer go_preempt_point().
 *
 * Threads. Every function here may be called from any thread: from a
 * goroutine, from the thread that called go_main, or from any other OS thread
 * ("a foreign thread"). A blocking function called from a thread that is not
 * running a goroutine blocks that OS thread, and is woken like a goroutine.
 * The runtime starts on first use: programs that never call go_main (a
 * library loaded with dlopen, a JVM) work the same way.
 *
 * errno and thread_local across a blocking call. Every gort function leaves
 * errno as it found it (wg_new sets it on failure, as documented), even when
 * the call parked the goroutine and it resumed on another OS thread: gort
 * writes the saved value into the new thread's errno. But C compilers keep
 * the address of errno (and of any thread_local variable) in a register
 * across calls, so code that took that address before a blocking call may
 * use the previous thread's variable after it. Rules: read errno right after
 * the call that set it, before any gort call that can block; never keep a
 * pointer to a thread_local variable across a blocking call, and treat
 * thread_local data as belonging to the OS thread, not to the goroutine.
 *
 * Deadlock. Under go_main, when every goroutine is blocked on a gort
 * primitive (channel, select, WaitGroup, Mutex, RWMutex, Cond, Once) with no
 * timer pending (a sleep, go_after, a timer or ticker), nothing can ever
 * wake them: as Go does, gort prints "fatal error: all goroutines are
 * asleep - deadlock!" and the list of the blocked goroutines with what each
 * waits for ("goroutine 1 [chan receive]:"), and ends the process with
 * status 2. Threads that gort did not create may call gort at any time (a
 * pthread that will send on a channel, or call wg_done, or unlock a mutex
 * it holds): while any such thread exists, other than the one that called
 * go_main, the detector stands down and a deadlocked program hangs, as a Go
 * program's does once cgo threads may call into it. Without go_main (a
 * library, a JVM) the detector is off, as Go's is in c-shared libraries.
 *
 * fork(). A child forked from a thread that is not running a goroutine gets
 * a fresh runtime on first use; the parent's goroutines do not exist in it.
 * A child forked from inside a goroutine may only call exec or _exit.
 *
 * Loading and unloading. libgort may be loaded with dlopen, but it is never
 * unloaded: it is linked with -z nodelete, so dlclose of the last handle
 * leaves it mapped (dlopen(..., RTLD_NOLOAD) still finds it) and its state
 * alive; a later dlopen gets the same runtime. Once started, the runtime
 * keeps threads that live as long as the process (sysmon and the Ms, which
 * sleep inside the library's code when idle and have no way to be stopped)
 * and handlers for SIGSEGV, SIGBUS and SIGFPE (for stack overflow and
 * Go-style runtime-error panics); unmapping the library under them would
 * crash the process at their next wake-up or signal. After dlclose those
 * handlers stay installed and, for a fault outside any goroutine, still
 * call the handler that was installed before gort's (or take the default
 * action), so a host's own fault handling keeps working. A host that
 * changes these signals' handlers after starting gort should chain to the
 * previous handler as gort does. Since 0.4.0.
 */
#ifndef GORT_RUNTIME_H
#define GORT_RUNTIME_H

#include <gort/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A goroutine's body. Its argument is the `arg` given at spawn (or a pointer
 * to the copy that go_spawn_copy made). */
typedef void (*go_fn_t)(void *arg);

/* A goroutine id: ids start at 1, are handed out in spawn order (one
 * process-wide counter) and are never reused in a process. 0 means "not a goroutine". Negative values are errors. */
typedef int64_t go_id_t;

/* The default stack size of a goroutine (the main goroutine of go_main gets
 * GO_MAIN_STACK_SIZE). Stacks are virtual reservations: resident memory
 * follows the pages a goroutine really touches, so a large stack costs
 * address space, not memory. The lowest page is a guard: overflowing it ends
 * the process with "fatal error: stack overflow" (see docs/stacks.md for the
 * frame-size caveat and -fstack-clash-protection). */
#define GO_STACK_SIZE_DEFAULT (64u * 1024u)
#define GO_MAIN_STACK_SIZE (8u * 1024u * 1024u)
#define GO_STACK_SIZE_MIN (16u * 1024u)
#define GO_STACK_SIZE_MAX (1024u * 1024u * 1024u)

/* Spawn attributes. Always initialise with go_attr_init, then set the
 * fields you need; `size` lets later versions add fields without breaking
 * programs built against this one. */
typedef struct go_attr {
    size_t size;        /* sizeof(go_attr_t); set by go_attr_init */
    size_t stack_size;  /* 0: GO_STACK_SIZE_DEFAULT; otherwise rounded up to a
                           power of two, at least GO_STACK_SIZE_MIN; more than
                           GO_STACK_SIZE_MAX is GO_EINVAL */
    const char *name;   /* NULL, or a name shown in diagnostics (copied; at most
                           31 bytes are kept) */
    size_t arg_size;    /* 0: `arg` is passed as is; otherwise the arg_size bytes
                           at `arg` are copied at spawn and fn gets the copy */
} go_attr_t;

/* go_attr_init - fill *attr with the defaults. Since 0.1.0. */
GORT_API void go_attr_init(go_attr_t *attr) GORT_NOEXCEPT;

/* go_spawn - start a goroutine running fn(arg) (Go's `go fn(arg)`).
 * @fn:  the body; must not be NULL.
 * @arg: passed to fn unchanged; the caller keeps it alive as long as fn needs it.
 * Returns the new goroutine's id (>= 1), or
 *   GO_EINVAL    fn is NULL,
 *   GO_ENOMEM    no memory for the goroutine,
 *   GO_EAGAIN    no stack can be reserved (address space or mappings exhausted),
 *   GO_ESHUTDOWN the main goroutine has returned.
 * Never blocks; from a goroutine whose P has 256 runnable goroutines queued
 * it yields once (see the top of this file). The new goroutine runs later,
 * on any thread. fn ends the goroutine by returning (or go_exit): never
 * with pthread_exit, a thread cancellation or a longjmp out of fn, which the
 * runtime cannot follow (gort/defer.h, "Escapes the runtime cannot see":
 * the first two are fatal errors). Since 0.1.0. */
GORT_API go_id_t go_spawn(go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_spawn_copy - like go_spawn, but the @size bytes at @args are copied now
 * (Go evaluates a `go` call's arguments at the go statement) and fn receives a
 * pointer to the copy, which lives until fn returns.
 * @args may be NULL only when @size is 0 (fn then receives NULL).
 * Returns as go_spawn; GO_EINVAL also for args == NULL with size > 0.
 * Since 0.1.0. */
GORT_API go_id_t go_spawn_copy(go_fn_t fn, const void *args, size_t size) GORT_NOEXCEPT;

/* go_spawn_attr - go_spawn with attributes (stack size, name, argument copy).
 * @attr: NULL for the defaults, or initialised with go_attr_init.
 * Returns as go_spawn; GO_EINVAL also for a bad attr (size field 0, stack
 * size out of range, arg == NULL with arg_size > 0). Since 0.1.0. */
GORT_API go_id_t go_spawn_attr(const go_attr_t *attr, go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_main - run fn(arg) as the program's main goroutine and return when it
 * returns. As in Go, when main returns the program is over: no other
 * goroutine is scheduled again and their pending work never runs (a
 * goroutine executing on another thread at that instant stops at its next
 * scheduling point). Every later gort call that would start a goroutine
 * returns GO_ESHUTDOWN; blocking calls made afterwards by foreign threads
 * still work when another thread can release them. The calling thread blocks
 * while main runs (the main goroutine runs on a scheduler thread, on a
 * GO_MAIN_STACK_SIZE stack).
 * Returns 0 when fn returned, or
 *   GO_EINVAL    fn is NULL,
 *   GO_EPERM     called from a goroutine,
 *   GO_EALREADY  go_main was already called in this process,
 *   GO_ENOMEM / GO_EAGAIN as go_spawn.
 * Typical use: `int main(void) { return go_main(real_main, NULL) < 0; }`.
 * Since 0.1.0. */
GORT_API int go_main(go_fn_t fn, void *arg) GORT_NOEXCEPT;

/* go_yield - runtime.Gosched: let other goroutines run; the caller stays
 * runnable and continues later (possibly on another thread). From a thread
 * that is not a goroutine: sched_yield(). Since 0.1.0. */
GORT_API void go_yield(void) GORT_NOEXCEPT;

/* go_sleep - time.Sleep: park the calling goroutine for at least @ns
 * nanoseconds (monotonic clock); ns <= 0 returns at once. Sleeping costs a
 * timer-heap entry, not a thread. From a thread that is not a goroutine:
 * blocks that thread. Since 0.1.0. */
GORT_API void go_sleep(int64_t ns) GORT_NOEXCEPT;

/* go_id - the calling goroutine's id, or 0 when the caller is not a
 * goroutine. Since 0.1.0. */
GORT_API go_id_t go_id(void) GORT_NOEXCEPT;

/* go_name - the calling goroutine's name (from go_attr_t), "" when it has
 * none, NULL when the caller is not a goroutine. Valid until the goroutine
 * ends. Since 0.1.0. */
GORT_API const char *go_name(void) GORT_NOEXCEPT;

/* go_num_goroutine - runtime.NumGoroutine: goroutines that exist now
 * (spawned and not yet returned), the main goroutine included. Read without
 * a lock, as Go's: while goroutines start and end it may be off by one for
 * a moment; never negative. Since 0.1.0. */
GORT_API int go_num_goroutine(void) GORT_NOEXCEPT;

/* go_num_cpu - runtime.NumCPU: logical CPUs this process may use: the CPUs
 * of its affinity mask, further limited by a cgroup CPU quota (v2 cpu.max or
 * v1 cfs_quota_us, rounded up). At least 1. Read once, at runtime start.
 * Since 0.1.0. */
GORT_API int go_num_cpu(void) GORT_NOEXCEPT;

/* go_maxprocs - runtime.GOMAXPROCS.
 * @n: < 1 queries; otherwise sets the number of logical processors (capped
 *     at 256, as Go does) and returns the previous value.
 * The start value is the GOMAXPROCS environment variable when it holds a
 * positive integer, else go_num_cpu(). May be called while goroutines run:
 * when lowering, the call returns once the removed processors have stopped
 * executing goroutines (each at its next scheduling point); their queued
 * goroutines move to the others. Returns the previous value (>= 1).
 * Since 0.1.0. */
GORT_API int go_maxprocs(int n) GORT_NOEXCEPT;

/* go_version - GORT_VERSION_STRING of the library actually loaded (compare
 * with the header's macro after dlopen). Since 0.1.0. */
GORT_API const char *go_version(void) GORT_NOEXCEPT;

/* go_version_number - GORT_VERSION_NUMBER of the loaded library. Since 0.1.0. */
GORT_API int go_version_number(void) GORT_NOEXCEPT;

/* ---- Seeing the goroutines (docs/observability.md) --------------------
 *
 * Goroutine traces are Go's, line for line:
 *
 *     goroutine 7 [chan receive, 2 minutes]:
 *     worker(...)
 *             /src/app/worker.c:41 +0x2d
 *     created by main_fn
 *             /src/app/main.c:30 +0x5a
 *
 * (a C function shows no arguments: "(...)"; a C++ one its demangled
 * signature; without -g the file is the module and the line 0). gort's own
 * frames are hidden. They are printed by unrecovered panics (the failing
 * goroutine), fatal errors and the deadlock report (every goroutine),
 * go_dump and the SIGQUIT dump. The environment variable GORTTRACEBACK is
 * Go's GOTRACEBACK: none, single (the default), all, system (gort's frames
 * too) or crash (as system, then abort() for a core dump). A goroutine's
 * name appears only with GORTDEBUG=tracebackname=1. */

/* go_dump - write the stack of every goroutine to fd, as Go's
 * runtime.Stack(buf, true): the calling goroutine first (when the caller is
 * one), then the others, a blank line between two. The program keeps
 * running: a goroutine that is not running is read where it waits (it
 * cannot resume until its stack is read, a few microseconds); one running
 * on another thread, or inside a system call, shows Go's "goroutine running
 * on other thread; stack unavailable". Any thread may call it. Returns 0,
 * GO_EINVAL for a negative fd, or -errno when writing failed (EBADF, EPIPE).
 * Since 0.6.0. */
GORT_API int go_dump(int fd) GORT_NOEXCEPT;

/* SIGQUIT. Go dumps every goroutine and exits with status 2 on SIGQUIT
 * (Ctrl-\). gort leaves SIGQUIT alone by default (a JVM or the CLR hosting
 * gort owns it); go_sigquit opts in:
 *   GO_SIGQUIT_EXIT      Go's behaviour: "SIGQUIT: quit", every goroutine,
 *                        exit status 2
 *   GO_SIGQUIT_CONTINUE  the same dump on stderr, then the program goes on
 *                        (another SIGQUIT dumps again)
 *   GO_SIGQUIT_OFF       the previous disposition back
 * GORTDEBUG=sigquit=exit or sigquit=continue does the same at start. The
 * dump is written by a thread of gort's own, not inside the handler.
 * Returns 0, or GO_EINVAL for another mode. Since 0.6.0. */
#define GO_SIGQUIT_OFF 0
#define GO_SIGQUIT_EXIT 1
#define GO_SIGQUIT_CONTINUE 2
GORT_API int go_sigquit(int mode) GORT_NOEXCEPT;

/* ---- The execution trace (docs/observability.md) ------------------------
 *
 * What ran where and when, as Chrome trace-event JSON that Perfetto
 * (ui.perfetto.dev) and chrome://tracing open: a track per P, a slice per
 * stretch a goroutine ran ("G7 worker"), arrows from a go statement and
 * from a wake-up to the goroutine's next run, counters of goroutines and
 * threads. scripts/trace-render.py draws it as an SVG or PNG. The
 * environment variable GORTTRACE=file traces a whole run (written at exit,
 * or when a fatal error ends the program). Memory: 32 bytes an event, at
 * most GORTTRACE_MAX_MB (256 by default; events past it are counted as
 * dropped in the file). */

/* go_trace_start - record from now on; go_trace_stop writes path. Returns
 * 0, GO_EINVAL (path NULL) or GO_EALREADY (a trace or a flight recording
 * runs). Since 0.6.0. */
GORT_API int go_trace_start(const char *path) GORT_NOEXCEPT;

/* go_trace_stop - stop recording; a trace started by go_trace_start is
 * written to its file (a flight recording is discarded). Returns 0,
 * GO_EINVAL (nothing records), or -errno when the file could not be
 * written. Since 0.6.0. */
GORT_API int go_trace_stop(void) GORT_NOEXCEPT;

/* go_trace_flight_start - the flight recorder: record, keeping only the
 * last window_ns of events in memory; go_trace_flight_write writes them on
 * demand, and with fatal_path (may be NULL) a fatal error (unrecovered
 * panic, fatal error, deadlock) writes them there before the program ends.
 * Returns 0, GO_EINVAL (window_ns <= 0) or GO_EALREADY. Since 0.6.0. */
GORT_API int go_trace_flight_start(int64_t window_ns, const char *fatal_path) GORT_NOEXCEPT;

/* go_trace_flight_write - write the flight recorder's last window to path
 * (recording pauses while it copies). Returns 0, GO_EINVAL (path NULL, or
 * no flight recording runs), or -errno. Since 0.6.0. */
GORT_API int go_trace_flight_write(const char *path) GORT_NOEXCEPT;

/* ---- The goroutines as data: go_goroutines ----------------------------
 *
 * Go's seed distinction, running or blocked, per goroutine: a snapshot of
 * every goroutine with its state, what it waits for and since when, who
 * made it, its name and (on request) its stack as return addresses. */

#define GO_GSTATE_RUNNING  1 /* executing on a thread */
#define GO_GSTATE_RUNNABLE 2 /* ready, waiting for a processor */
#define GO_GSTATE_WAITING  3 /* blocked in gort: wait_reason says on what */
#define GO_GSTATE_SYSCALL  4 /* inside a system call (go_syscall_enter): counts as running, as in Go */

#define GO_GSTACK_MAX 32      /* frames kept per goroutine */
#define GO_SNAPSHOT_STACKS 1  /* go_goroutines flag: fill frames[] */

typedef struct go_goroutine {
    size_t size;             /* in: sizeof(go_goroutine_t), set in buf[0] by the caller */
    go_id_t id;
    go_id_t parent;          /* the goroutine whose go statement made it; 0: a thread that is
                                not one (or the main goroutine) */
    int state;               /* GO_GSTATE_* */
    int locked;              /* 1: a pinned goroutine, running on a thread of its own */
    const char *wait_reason; /* Go's words while WAITING ("chan receive", "select", "semacquire",
                                "sleep", "IO wait", ...), else NULL; static storage */
    int64_t wait_ns;         /* how long it has waited; -1 when not waiting. Known to 10 s
                                (0 until the monitor's first look), as Go's minutes are */
    uintptr_t entry;         /* its function's address */
    uintptr_t created_at;    /* the return address of the go_spawn call that made it (0: none) */
    char name[32];           /* go_attr_t.name, or "" */
    int nframes;             /* return addresses in frames[], innermost first, gort's own left
                                out; 0 without GO_SNAPSHOT_STACKS and for a goroutine running
                                on another thread (its stack is not readable) */
    uintptr_t frames[GO_GSTACK_MAX];
} go_goroutine_t;

/* go_goroutines - fill buf[0..n) with the goroutines that exist now
 * (scheduled ones in the order Go's traces use, then pinned ones) and
 * return how many exist, which may exceed n (call again with more room).
 * The snapshot is not atomic: a goroutine may change state while others
 * are read, never mid-entry. With GO_SNAPSHOT_STACKS, each waiting or
 * runnable goroutine's stack is read where it waits (as go_dump does). Any
 * thread may call it. Returns GO_EINVAL for buf NULL with n > 0, a
 * buf[0].size smaller than the fields up to frames, or unknown flags.
 * Since 0.6.0. */
GORT_API long go_goroutines(go_goroutine_t *buf, size_t n, int flags) GORT_NOEXCEPT;

/* go_symbolize - describe one address of frames[] (or created_at) as a trace
 * does, "function(...)\n\tfile:line +0xOFF" (without debug information the
 * file is the module and the line 0), into buf (NUL-terminated, cut to
 * len). Returns the length the whole text needs, or GO_EINVAL (pc 0, buf
 * NULL with len > 0). Since 0.6.0. */
GORT_API int go_symbolize(uintptr_t pc, char *buf, size_t len) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_RUNTIME_H */
