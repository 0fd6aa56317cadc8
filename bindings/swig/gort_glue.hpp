/* gort_glue.hpp - the C++ glue that the Java and C# bindings share.
 *
 * SWIG wraps this header (gort.i) for both languages. It exists for three
 * reasons:
 *
 *   1. Managed bodies. GoRunnable is a director class: a Java or C#
 *      subclass overrides run(arg), and gort_spawn starts a PINNED
 *      goroutine (gort/pinned.h) whose body calls it. A JVM or the CLR must
 *      never run on a switched goroutine stack (FIELD-NOTES), so the glue
 *      never offers go_spawn to managed code.
 *
 *   2. Panics never cross managed frames. A gort panic is a jump: it must
 *      not skip JVM or CLR frames. So the glue calls only the error twins
 *      (chan_send_err, wg_add_err, ...), and a managed exception that ends a
 *      body becomes a gort panic raised by the trampoline AFTER run()
 *      returned, when no managed frame is left on the thread:
 *        - Java: the director turns the pending Throwable into a C++
 *          exception (Swig::DirectorException carrying Throwable.toString(),
 *          "<ExceptionType>: <message>"); the trampoline catches it;
 *        - C#: an exception must not leave a reverse P/Invoke call (Mono
 *          aborts), so the C# layer catches inside run() and calls
 *          gort_report_panic(text) before returning.
 *      The trampoline then calls panic_raise(text): unrecovered, that is
 *      Go's "panic: <text>" + "goroutine N [running]:" and exit status 2.
 *
 *   3. Values. Channels of the bindings carry 8-byte values (int64_t): raw
 *      numbers (a channel shared with C code) or handles into a managed
 *      registry (channels of objects). The glue gives int64 send/receive
 *      and a select builder, so no void * crosses into managed code.
 *
 * Threads: every function may be called from any thread; the blocking ones
 * (gort_chan_send, gort_chan_recv, GoSelect::run) block the calling OS
 * thread when it is not a goroutine, which is always the case for managed
 * callers (a pinned goroutine's thread, or a VM thread).
 */
#ifndef GORT_GLUE_HPP
#define GORT_GLUE_HPP

#include <gort.h>

#include <cstdint>
#include <vector>

/* A managed goroutine body. Subclass it in Java or C# (a SWIG director) and
 * hand it to gort_spawn. One object may be spawned any number of times: the
 * `arg` of each spawn tells the calls apart (a registry key, say), as the
 * void *arg of go_spawn does in C. */
class GoRunnable {
public:
    virtual ~GoRunnable();
    /* The body. It runs on a thread of gort's pinned pool, attached to the
     * VM. An exception that escapes it becomes a gort panic (see above). */
    virtual void run(int64_t arg) = 0;
};

/* gort_spawn - start a pinned goroutine that calls r->run(arg).
 * The caller keeps r alive until that call returned.
 * Returns the goroutine id (>= 1), or GO_EINVAL (r NULL), GO_ENOMEM,
 * GO_EAGAIN (no thread could be created), GO_ESHUTDOWN. Never blocks. */
int64_t gort_spawn(GoRunnable *r, int64_t arg);

/* gort_report_panic - from inside GoRunnable::run: when run() returns, the
 * trampoline raises a gort panic carrying @text (copied; at most 4095 bytes
 * kept). A later report in the same body replaces an earlier one.
 * Returns 0, GO_EINVAL (text NULL) or GO_EPERM (the caller is not inside a
 * body started by gort_spawn). */
int gort_report_panic(const char *text);

/* gort_set_body_hooks - functions the trampoline calls on the pool thread
 * around every body: enter() before run(), leave() after it returned (and
 * before a panic is raised). For a VM that must not keep a pool thread
 * attached while it waits in gort between bodies (Mono: see gort.i). Set
 * once, before the first gort_spawn; either may be NULL. */
void gort_set_body_hooks(void (*enter)(), void (*leave)());

/* ---- channels of 8-byte values. Errors are gort's codes (gort/chan.h). */

/* gort_chan_new - make(chan int64, cap): NULL (errno EINVAL or ENOMEM) when
 * cap is out of range or memory is short. */
go_chan_t *gort_chan_new(int64_t cap);
/* chan_send_err: 0, GO_ECLOSED, GO_EINVAL. Blocks. */
int gort_chan_send(go_chan_t *ch, int64_t value);
/* chan_recv: 1 (a value in *out_value), 0 (closed and drained, *out_value
 * 0), GO_EINVAL. Blocks. */
int gort_chan_recv(go_chan_t *ch, int64_t *out_value);
/* chan_try_send_err: 1 sent, 0 would block, GO_ECLOSED, GO_EINVAL. */
int gort_chan_try_send(go_chan_t *ch, int64_t value);
/* chan_try_recv: 1 received (*out_ok: 1 a value, 0 closed), 0 would block,
 * GO_EINVAL. */
int gort_chan_try_recv(go_chan_t *ch, int64_t *out_value, int *out_ok);
/* chan_close_err: 0, GO_ECLOSED (closed already), GO_EINVAL. */
int gort_chan_close(go_chan_t *ch);
/* The address of a channel handle, and back: for channels made by C code
 * (a library's function returning go_chan_t *, bound by another module).
 * gort_chan_from_address returns NULL unless the address holds a live
 * channel of element size 8 (gort checks a magic word; a freed address is
 * undefined, as everywhere in gort). */
int64_t gort_chan_address(go_chan_t *ch);
go_chan_t *gort_chan_from_address(int64_t address);

/* Every goroutine's stack as text (go_dump into memory): Go's
 * runtime.Stack(buf, true). Pinned goroutines, the bodies of the managed
 * languages, show their header only: their stack is their own thread's,
 * which the JVM's or the CLR's own thread dump shows. The text stays valid
 * until the calling thread's next call. */
const char *gort_dump_string();

/* ---- select over channels of 8-byte values.
 * Build the cases with add_*, call run() (Go's select: blocks unless a case
 * is ready or there is a default), then read value(i)/ok(i) of the case
 * that ran. clear() makes the object reusable. Not thread-safe: one select
 * per object at a time. */
class GoSelect {
public:
    GoSelect();
    ~GoSelect();
    /* Each returns the case's index. */
    int add_recv(go_chan_t *ch);
    int add_send(go_chan_t *ch, int64_t value);
    int add_default();
    int size() const;
    void clear();
    /* go_select_err: the index of the case that ran, GO_ECLOSED (a send
     * case on a closed channel), GO_EINVAL (two defaults, a handle that is
     * not live...). */
    int run();
    /* A receive case's value (0 when its channel was closed) and ok
     * (1 a value, 0 closed); 0 for an index out of range. */
    int64_t value(int index) const;
    int ok(int index) const;

private:
    GoSelect(const GoSelect &) = delete;
    GoSelect &operator=(const GoSelect &) = delete;
    std::vector<go_select_case_t> cases_;
    std::vector<int64_t> values_;
};

#endif /* GORT_GLUE_HPP */
