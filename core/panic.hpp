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

// One frame: go_call, GO_FRAME (the same bytes as go_frame_t), a deferred
// call, or a goroutine's body.
struct Frame {
    void *jb[5];           // __builtin_setjmp buffer: the recovery landing point
    Frame *parent;
    GState *gs;
    Panic *started_by;     // the panic/Goexit running this deferred call, or null
    Panic *recovered;      // panics to release when this frame ends
    std::uint32_t defer_base;
    std::uint32_t depth;   // 1 for the outermost frame
    std::uint64_t flags;   // kFrameLanded
};
static_assert(sizeof(Frame) == sizeof(go_frame_t), "GO_FRAME reserves a Frame");
constexpr std::uint64_t kFrameLanded = 1;

struct DeferRec {
    go_defer_fn_t fn;
    void *arg;             // what fn gets (unless the copy is inline)
    Frame *owner;          // the frame that pushed it
    void *heap_args;       // malloc'd copy, or null
    std::uint32_t inline_size;  // > 0: the copy is in inline_args
    alignas(16) unsigned char inline_args[16];
};

struct GState {
    Frame *frame = nullptr;
    std::uintptr_t frame_sp = 0;  // frame's stack pointer (see frame_is_stale in panic.cpp)
    Panic *panic = nullptr;     // newest first
    DeferRec *defers = nullptr;
    std::uint32_t ndefers = 0, cap = 0;
    Panic *spare = nullptr;     // one recycled panic record
};


int defer_push_impl(go_defer_fn_t fn, const void *arg, std::size_t copy_size, bool copy);
// Run now, and remove, the innermost frame's newest pending record fn(arg)
// pushed without a copy (defer_run: the end of a C++ scope guard). 1 when
// it ran, 0 when there is none.
int defer_run_impl(go_defer_fn_t fn, void *arg);
void frame_enter(GState *gs, Frame *f);
void frame_leave(Frame *f);
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
