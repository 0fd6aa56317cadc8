// capi/runtime.cpp - the extern "C" entry points of gort/runtime.h.
//
// Every entry point is noexcept: nothing ever unwinds through the C API.
// Validation happens here; core/ assumes valid arguments.
#include <gort/runtime.h>
#include <gort/version.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <sched.h>

#include "../core/sched.hpp"
#include "../core/trace.hpp"
#include "../core/traceback.hpp"
#include "errno_keeper.hpp"

using namespace gort;

namespace {

// The go statement's address: the caller of the public entry point.
inline std::uintptr_t caller_pc(void *ra) { return reinterpret_cast<std::uintptr_t>(ra); }

go_id_t spawn_checked(const go_attr_t *attr, go_fn_t fn, void *arg, std::uintptr_t gopc) {
    if (fn == nullptr) return GO_EINVAL;
    std::size_t stack_size = 0, arg_size = 0;
    const char *name = nullptr;
    if (attr != nullptr) {
        // Read only the fields the caller's version of go_attr_t has.
        if (attr->size < offsetof(go_attr_t, stack_size) + sizeof attr->stack_size) return GO_EINVAL;
        stack_size = attr->stack_size;
        if (attr->size >= offsetof(go_attr_t, name) + sizeof attr->name) name = attr->name;
        if (attr->size >= offsetof(go_attr_t, arg_size) + sizeof attr->arg_size)
            arg_size = attr->arg_size;
    }
    if (stack_size > GO_STACK_SIZE_MAX) return GO_EINVAL;
    if (arg_size > 0 && arg == nullptr) return GO_EINVAL;
    int cls = stack_class_for(stack_size);
    if (cls < 0) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    return spawn(fn, arg, arg_size, cls, name, false, gopc);
}

}  // namespace

extern "C" {

void go_attr_init(go_attr_t *attr) noexcept {
    if (attr == nullptr) return;
    std::memset(attr, 0, sizeof *attr);
    attr->size = sizeof *attr;
}

go_id_t go_spawn(go_fn_t fn, void *arg) noexcept {
    ErrnoKeeper keep;
    if (fn == nullptr) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    return spawn(fn, arg, 0, kDefaultStackClass, nullptr, false,
                 caller_pc(__builtin_return_address(0)));
}

go_id_t go_spawn_copy(go_fn_t fn, const void *args, size_t size) noexcept {
    ErrnoKeeper keep;
    if (fn == nullptr || (args == nullptr && size > 0)) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    return spawn(fn, size > 0 ? const_cast<void *>(args) : nullptr, size, kDefaultStackClass,
                 nullptr, false, caller_pc(__builtin_return_address(0)));
}

go_id_t go_spawn_attr(const go_attr_t *attr, go_fn_t fn, void *arg) noexcept {
    ErrnoKeeper keep;
    return spawn_checked(attr, fn, arg, caller_pc(__builtin_return_address(0)));
}

int go_main(go_fn_t fn, void *arg) noexcept {
    ErrnoKeeper keep;
    if (fn == nullptr) return GO_EINVAL;
    // A goroutine may not call it: a scheduled one (current_g) nor a pinned
    // one, which runs on a pool thread of its own with no G (pinned_id).
    if (current_g() != nullptr || pinned_id() != 0) return GO_EPERM;
    ensure_runtime();
    RtScope rt;
    if (g_sched->main_called.exchange(true)) return GO_EALREADY;
    go_id_t id = spawn(fn, arg, 0, stack_class_for(GO_MAIN_STACK_SIZE), nullptr, true);
    if (id < 0) {
        g_sched->main_called.store(false);
        return static_cast<int>(id);
    }
    g_sched->main_done.sleep();
    return 0;
}

void go_yield(void) noexcept {
    M *m = current_m();
    if (m != nullptr && m->curg != nullptr) {
        // The hot path: the M knows where its thread's errno lives.
        int saved = *m->errno_ptr;
        if (__builtin_expect(g_rt_on, 0)) {
            std::uint32_t prev = m->inrt.load(std::memory_order_relaxed);
            m = rt_enter(m);
            yield(m);
            rt_leave(prev);
        } else {
            yield(m);
        }
        *current_m()->errno_ptr = saved;
    } else {
        ErrnoKeeper keep;
        sched_yield();
    }
}

void go_sleep(int64_t ns) noexcept {
    ErrnoKeeper keep;
    if (ns <= 0) return;
    if (current_g() != nullptr) {
        RtScope rt;
        sleep_goroutine(ns);
        return;
    }
    // A thread that is not a goroutine: block it, on the same monotonic
    // clock. It counts as inside gort meanwhile (the deadlock detector).
    gort::ForeignScope fs;
    std::int64_t now = nanotime();
    std::int64_t when = ns > INT64_MAX - now ? INT64_MAX : now + ns;
    struct timespec ts = {static_cast<time_t>(when / 1000000000), static_cast<long>(when % 1000000000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

go_id_t go_id(void) noexcept {
    G *g = current_g();
    return g != nullptr ? g->id : pinned_id();
}

const char *go_name(void) noexcept {
    G *g = current_g();
    if (g == nullptr) return pinned_id() != 0 ? "" : nullptr;
    return g->name != nullptr ? g->name : "";
}

void go_pinned_hooks_init(go_pinned_hooks_t *hooks) noexcept {
    if (hooks == nullptr) return;
    std::memset(hooks, 0, sizeof *hooks);
    hooks->size = sizeof *hooks;
}

int go_pinned_set_hooks(const go_pinned_hooks_t *hooks) noexcept {
    if (hooks == nullptr) return GO_EINVAL;
    ErrnoKeeper keep;
    return pinned_set_hooks(hooks);
}

go_id_t go_spawn_pinned(go_fn_t fn, void *arg) noexcept {
    ErrnoKeeper keep;
    if (fn == nullptr) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    return spawn_pinned(fn, arg, 0);
}

go_id_t go_spawn_pinned_copy(go_fn_t fn, const void *args, size_t size) noexcept {
    ErrnoKeeper keep;
    if (fn == nullptr || (args == nullptr && size > 0)) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    return spawn_pinned(fn, const_cast<void *>(args), size);
}

int go_is_pinned(void) noexcept { return current_g() == nullptr && pinned_id() != 0; }

int go_num_goroutine(void) noexcept {
    // The counters are read without a lock: a goroutine spawned and ended
    // during the read can make the sum one low for a moment, never below
    // zero for the caller (Go's NumGoroutine clamps its racy count too).
    long n = num_goroutine();
    if (n < 0) n = 0;
    return n > INT32_MAX ? INT32_MAX : static_cast<int>(n);
}

int go_num_cpu(void) noexcept {
    ErrnoKeeper keep;
    ensure_runtime();
    return g_sched->ncpu;
}

int go_maxprocs(int n) noexcept {
    ErrnoKeeper keep;
    ensure_runtime();
    if (n < 1) return g_sched->gomaxprocs.load();
    RtScope rt;
    return maxprocs_set(n);
}

const char *go_version(void) noexcept { return GORT_VERSION_STRING; }

int go_version_number(void) noexcept { return GORT_VERSION_NUMBER; }

int go_dump(int fd) noexcept {
    ErrnoKeeper keep;
    if (fd < 0) return GO_EINVAL;
    ensure_runtime();
    RtScope rt;
    int err = traceback_dump_all(fd);
    return err == 0 ? 0 : -err;
}

long go_goroutines(go_goroutine_t *buf, size_t n, int flags) noexcept {
    ErrnoKeeper keep;
    if ((buf == nullptr && n > 0) || (flags & ~GO_SNAPSHOT_STACKS) != 0) return GO_EINVAL;
    std::size_t stride = sizeof(go_goroutine_t);
    if (n > 0) {
        // The caller's size: entries lie that far apart (a newer caller's
        // bigger struct keeps its extra fields untouched).
        if (buf[0].size < sizeof(go_goroutine_t)) return GO_EINVAL;
        stride = buf[0].size;
    }
    ensure_runtime();
    RtScope rt;
    return traceback_snapshot(buf, n, stride, (flags & GO_SNAPSHOT_STACKS) != 0);
}

int go_symbolize(uintptr_t pc, char *buf, size_t len) noexcept {
    ErrnoKeeper keep;
    if (pc == 0 || (buf == nullptr && len > 0)) return GO_EINVAL;
    ensure_runtime();
    return traceback_symbolize(pc, buf, len);
}

int go_trace_start(const char *path) noexcept {
    ErrnoKeeper keep;
    if (path == nullptr) return GO_EINVAL;
    ensure_runtime();
    return trace_start(path, 0, nullptr);
}

int go_trace_stop(void) noexcept {
    ErrnoKeeper keep;
    ensure_runtime();
    return trace_stop();
}

int go_trace_flight_start(int64_t window_ns, const char *fatal_path) noexcept {
    ErrnoKeeper keep;
    if (window_ns <= 0) return GO_EINVAL;
    ensure_runtime();
    return trace_start(nullptr, window_ns, fatal_path);
}

int go_trace_flight_write(const char *path) noexcept {
    ErrnoKeeper keep;
    if (path == nullptr) return GO_EINVAL;
    ensure_runtime();
    return trace_flight_write(path);
}

int go_sigquit(int mode) noexcept {
    ErrnoKeeper keep;
    ensure_runtime();
    return sigquit_set(mode);
}

}  // extern "C"
