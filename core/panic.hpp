// panic.hpp - defer stacks, frames, panics, recover and Goexit.
//
// Every goroutine (and every foreign thread inside go_call) has a GState:
// its defer stack, its innermost frame and its list of active panics. It
// lives in the G (or in the thread's own storage for a foreign thread),
// never in the M: a goroutine that parks inside a deferred call resumes
// with its state on whatever thread runs it next.
//
// Invariants:
//  1. Frames nest: gs->frame is the innermost; each frame owns the defer
//     records with index >= its defer_base, pushed while it was innermost.
//     A frame ends only after running them, so a record's owner is live.
//     A GO_FRAME's first calls are recorded in slots in the frame itself,
//     with no call into the runtime (kFrameSlots): they are older than its
//     array records. A panic or Goexit first moves every frame's slot
//     records into the array (spill_slots), so that from then on the
//     records form one stack, each frame's above its parent's. One
//     exception, the panic's fast path (panic.cpp, run_open_slots): the
//     first panic raised in an open GO_FRAME (all its records in its slots)
//     runs those slots in place, newest first, and moves nothing unless it
//     goes on past that frame; a panic raised meanwhile spills as usual.
//  2. A deferred call runs in a frame of its own (started_by = the panic or
//     Goexit that runs it, or null at a normal frame end). recover succeeds
//     only when gs->frame is the frame of a deferred call started by the
//     newest panic: plain C calls are invisible, any frame hides the panic.
//  3. Deferred calls run on top of the panicking stack (Go's shape). The
//     only non-local jump is recovery: from the panic loop, after the
//     recovering call returned, to the frame that deferred it — on the same
//     goroutine stack, to a live frame, with __builtin_longjmp (no signal
//     mask, nothing thread-specific: valid after migration).
//  4. Recovery discards every panic raised at or above the target frame's
//     depth (their loops are on the discarded stack); older panics go on.
//     A Goexit among them is not bypassed: control returns to its loop.
//  5. A recovered panic's value stays valid until the target frame ends.
#pragma once

#include <gort/defer.h>

#include <cstddef>
#include <cstdint>

namespace gort {

struct Panic;
struct GState;
#if !defined(__x86_64__)
void set_dstate_tls_slow(GState *gs);  // tls.cpp
#endif

// One frame: go_call, GO_FRAME (the same bytes as go_frame_t), a deferred
// call, or a goroutine's body.
struct Frame {
    void *jb[5];           // __builtin_setjmp buffer: the recovery landing point
    Frame *parent;
    GState *gs;
    Panic *started_by;     // the panic/Goexit running this deferred call, or null
    Panic *recovered;      // panics to release when this frame ends (kFrameLanded)
    std::uint32_t defer_base;
    std::uint32_t depth;   // 1 for the outermost frame (see kFrameSlots)
    std::uint64_t flags;   // kFrameLanded
};
static_assert(sizeof(Frame) == sizeof(go_frame_t), "GO_FRAME reserves a Frame");
constexpr std::uint64_t kFrameLanded = 1;
// The frame is the head of a go_dframe_t (GO_FRAME since 0.7.0): slots
// of open-coded deferred calls follow it. Its records are its slots
// (slot[0, n), oldest first) and then its array records (owner == it). The
// slots fill first. The macros enter such a frame with only parent, gs,
// flags and n set: started_by is never read for it, recovered only once
// kFrameLanded is set, defer_base only once the frame is closed
// (GO_DFRAME_CLOSED in n: its array records exist, or may), which is when
// it is set, and depth only after spill_slots, which a panic and Goexit
// run first and which sets every frame's. A recovery into the frame closes
// it, so that its end goes through dframe_leave.
constexpr std::uint64_t kFrameSlots = 2;
inline go_dframe_t *slots_of(Frame *f) { return reinterpret_cast<go_dframe_t *>(f); }

struct DeferRec {
    go_defer_fn_t fn;
    void *arg;             // what fn gets (unless the copy is inline)
    Frame *owner;          // the frame that pushed it
    void *heap_args;       // malloc'd copy, or null
    std::uint32_t inline_size;  // > 0: the copy is in inline_args
    alignas(16) unsigned char inline_args[16];
};

// The first field is gort/defer.h's go_dstate_t: GO_FRAME's inline parts
// read and write it.
struct GState {
    Frame *frame = nullptr;     // the innermost frame
    std::uint32_t ndefers = 0, cap = 0;
    Panic *panic = nullptr;     // newest first
    DeferRec *defers = nullptr;
    Panic *spare = nullptr;     // one recycled panic record
};
static_assert(offsetof(GState, frame) == offsetof(go_dstate_t, frame), "go_dstate_t is GState's head");
static_assert(offsetof(Frame, parent) == offsetof(go_dframe_t, parent) &&
                  offsetof(Frame, gs) == offsetof(go_dframe_t, ds) &&
                  offsetof(Frame, started_by) == offsetof(go_dframe_t, rt_) &&
                  offsetof(Frame, defer_base) == offsetof(go_dframe_t, rt_base_) &&
                  offsetof(Frame, depth) == offsetof(go_dframe_t, rt_depth_) &&
                  offsetof(Frame, flags) == offsetof(go_dframe_t, flags) &&
                  sizeof(Frame) == offsetof(go_dframe_t, n),
              "a go_dframe_t begins with a Frame");

// go_dstate_tls_ (tls.cpp): the calling thread's defer state for GO_FRAME's
// inline parts: the running goroutine's, set at every switch; null on g0
// and on a thread before its first frame (go_dframe_enter_ sets it then).
// Written with an asm statement: a compiler may keep a thread-local's
// address across a switch that moves the goroutine to another thread.
inline void set_dstate_tls(GState *gs) {
#if defined(__x86_64__)
    __asm__ __volatile__("movq go_dstate_tls_@gottpoff(%%rip), %%rax\n\t"
                         "movq %0, %%fs:(%%rax)"
                         :
                         : "r"(gs)
                         : "rax", "memory");
#else
    set_dstate_tls_slow(gs);
#endif
}


int defer_push_impl(go_defer_fn_t fn, const void *arg, std::size_t copy_size, bool copy);
// Run now, and remove, the innermost frame's newest pending record fn(arg)
// pushed without a copy (defer_run: the end of a C++ scope guard). 1 when
// it ran, 0 when there is none.
int defer_run_impl(go_defer_fn_t fn, void *arg);
void frame_enter(GState *gs, Frame *f);
void frame_leave(Frame *f);
// GO_FRAME's and GO_DEFER's library parts (go_dframe_enter_/leave_/defer_).
void dframe_enter(GState *gs, go_dframe_t *f);
void dframe_leave(go_dframe_t *f);
int dframe_defer(go_dframe_t *f, go_defer_fn_t fn, void *arg);
// Run fn(arg) as a frame; returns GO_RECOVERED or 0. The goroutine body and
// go_call use it.
int call_frame(GState *gs, go_fn_t fn, void *arg);

[[noreturn]] void panic_start(const char *msg, void *value, const go_panic_type_t *type);
// Go's runtime.plainError: a runtime.Error whose message has no "runtime
// error: " prefix ("send on closed channel", "close of nil channel").
[[noreturn]] void panic_plain_runtime_error(const char *msg);
int recover_impl(go_recovered_t *out);
[[noreturn]] void goexit_with_defers();

// From the signal handler's redirect: turn the fault recorded for this
// thread (take_fault) into Go's runtime-error panic.
[[noreturn]] __attribute__((force_align_arg_pointer)) void sigpanic();

// signal.cpp. The fault the handler redirected to sigpanic on the calling
// thread (sig 0: none); taking it clears it.
struct FaultInfo {
    int sig, code;
    std::uintptr_t addr, pc;
};
FaultInfo take_fault();
// The calling thread runs a pinned goroutine's bodies on its own stack,
// [lo, hi) with a guard of `guard` bytes at lo: a fault there while a body
// runs becomes a panic, an overflow Go's fatal error. hi == 0: none.
void thread_goroutine_stack(std::uintptr_t lo, std::uintptr_t hi, std::uintptr_t guard);
// A sigaltstack for the calling thread (fatal when none can be had), and
// its release (the thread is about to end; null is fine).
void *thread_signal_stack();
void thread_signal_stack_free(void *mem);

// Release a G's defer state for reuse by its next goroutine.
void gstate_reset(GState *gs);

}  // namespace gort
