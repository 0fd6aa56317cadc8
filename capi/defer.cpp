// capi/defer.cpp - the extern "C" entry points of gort/defer.h.
//
// The functions that may start a panic (panic_raise*, and go_call's and
// GO_FRAME's deferred calls) hold no C++ object with a destructor when the
// panic's jump may pass over them.
#include <gort/defer.h>

#include "../core/panic.hpp"
#include "../core/sched.hpp"

using namespace gort;

extern "C" {

int defer_push(go_defer_fn_t fn, void *arg) noexcept {
    if (fn == nullptr) return GO_EINVAL;
    return defer_push_impl(fn, arg, 0, false);
}

int defer_push_copy(go_defer_fn_t fn, const void *args, size_t size) noexcept {
    if (fn == nullptr || (args == nullptr && size > 0)) return GO_EINVAL;
    return defer_push_impl(fn, args, size, true);
}

int defer_run(go_defer_fn_t fn, void *arg) noexcept {
    if (fn == nullptr) return GO_EINVAL;
    return defer_run_impl(fn, arg);
}

int go_call(go_fn_t fn, void *arg) noexcept {
    if (fn == nullptr) return GO_EINVAL;
    if (__builtin_expect(!g_rt_on, 1)) return call_frame(gstate(), fn, arg);
    M *m = current_m();
    if (m == nullptr || m->curg == nullptr) return call_frame(gstate(), fn, arg);
    // A panic recovered in fn's frame may have been raised inside a gort
    // call: back in the caller's code, the caller's mark holds (rt_enter).
    std::uint32_t prev = m->inrt.load(std::memory_order_relaxed);
    int rc = call_frame(gstate(), fn, arg);
    if (rc == GO_RECOVERED) rt_leave(prev);
    return rc;
}

GORT_NO_TSAN void panic_raise(const char *msg) noexcept { panic_start(msg, nullptr, nullptr); }

GORT_NO_TSAN void panic_raise_value(void *value, const go_panic_type_t *type) noexcept {
    panic_start(nullptr, value, type);
}

int panic_recover(go_recovered_t *out) noexcept { return recover_impl(out); }

int go_exit(void) noexcept {
    if (current_g() == nullptr) return GO_EPERM;
    rt_enter(current_m());  // the goroutine ends in gort code
    goexit_with_defers();
}

int go_frame_enter_(go_frame_t *f) noexcept {
    frame_enter(gstate(), reinterpret_cast<Frame *>(f));
    return 0;
}

void go_frame_leave_(go_frame_t *f) noexcept { frame_leave(reinterpret_cast<Frame *>(f)); }

int go_dframe_landed_(go_dframe_t *f) noexcept {
    return go_frame_landed_(reinterpret_cast<go_frame_t *>(f));
}

int go_frame_landed_(go_frame_t *f) noexcept {
    if ((reinterpret_cast<Frame *>(f)->flags & kFrameLanded) == 0) return 0;
    // A recovered panic lands in user code, whatever gort call raised it.
    if (__builtin_expect(g_rt_on, 0)) {
        M *m = current_m();
        if (m != nullptr && m->curg != nullptr) m->inrt.store(0, std::memory_order_release);
    }
    return 1;
}

int go_dframe_enter_(go_dframe_t *f) noexcept {
    GState *gs = gstate();
    set_dstate_tls(gs);  // the inline path's from now on (a thread's first frame)
    dframe_enter(gs, f);
    return 0;
}

void go_dframe_leave_(go_dframe_t *f) noexcept { dframe_leave(f); }

int go_dframe_defer_(go_dframe_t *f, go_defer_fn_t fn, void *arg) noexcept {
    return dframe_defer(f, fn, arg);
}

}  // extern "C"
