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

#include "sched.hpp"

namespace gort {

// initial-exec: no lazy allocation, so the SIGSEGV handler may read it.
__thread M *g_tls_m __attribute__((tls_model("initial-exec"))) = nullptr;

__attribute__((noinline)) M *current_m() { return g_tls_m; }
__attribute__((noinline)) void set_current_m(M *m) { g_tls_m = m; }
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
