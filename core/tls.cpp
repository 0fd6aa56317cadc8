// tls.cpp - every thread-local the runtime reads, behind out-of-line calls.
//
// Compilers keep the address of a thread-local variable (and of errno) in a
// register across calls, even across a call that switches stacks and so
// possibly threads (FIELD-NOTES: TLS). Keeping these accessors in their own
// translation unit, never inlined and never built with LTO, forces a fresh
// lookup at every call: after a switch, the caller gets the new thread's
// value.
#include <cerrno>
#include <cstdlib>

#include <gort/defer.h>

#include "sched.hpp"

// GO_FRAME's view of the calling thread's defer state (panic.hpp,
// set_dstate_tls). Exported: gort/defer.h's macros read it.
extern "C" {
__attribute__((visibility("default"), tls_model("initial-exec"))) __thread go_dstate_t
    *go_dstate_tls_ = nullptr;
}

namespace gort {

#if !defined(__x86_64__)
__attribute__((noinline)) void set_dstate_tls_slow(GState *gs) {
    go_dstate_tls_ = reinterpret_cast<go_dstate_t *>(gs);
}
#endif

// initial-exec: no lazy allocation, so the SIGSEGV handler may read it.
__thread M *g_tls_m __attribute__((tls_model("initial-exec"))) = nullptr;

__attribute__((noinline)) M *current_m() { return g_tls_m; }
__attribute__((noinline)) void set_current_m(M *m) {
    g_tls_m = m;
    go_dstate_tls_ = nullptr;  // recomputed at the thread's next frame
}
__attribute__((noinline)) int *errno_location() { return &errno; }
namespace {
// A foreign thread's defer state, freed when the thread ends.
struct ThreadGState {
    GState gs;
    ~ThreadGState() {
        std::free(gs.defers);
        std::free(gs.spare);
    }
};
}  // namespace

__attribute__((noinline)) GState *thread_gstate() {
    static thread_local ThreadGState ts;
    return &ts.gs;
}

__attribute__((noinline)) Note *thread_note() {
    static thread_local Note note;
    return &note;
}

}  // namespace gort
