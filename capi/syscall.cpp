// capi/syscall.cpp - the extern "C" entry points of gort/syscall.h.
#include <gort/syscall.h>

#include <cerrno>
#include <cstring>

#include "../core/sched.hpp"
#include "../core/syscall.hpp"
#include "errno_keeper.hpp"

using namespace gort;

extern "C" {

// The fast paths leave errno alone without an ErrnoKeeper: they make no
// system call (the slow paths save and restore it themselves).
void go_syscall_enter(void) noexcept { syscall_enter_fast(); }

void go_syscall_enter_block(void) noexcept {
    ErrnoKeeper keep;
    syscall_enter(true);
}

void go_syscall_exit(void) noexcept { syscall_exit_fast(); }

intptr_t go_blocking(go_blocking_fn_t fn, void *arg) noexcept {
    if (fn == nullptr) return GO_EINVAL;
    syscall_enter_fast();
    intptr_t r = fn(arg);
    syscall_exit_fast();
    return r;
}

void go_preempt_point(void) noexcept {
    if (__builtin_expect(g_sched == nullptr ||
                             g_sched->preempt_pending.load(std::memory_order_relaxed) == 0,
                         1))
        return;
    RtScope rt;
    preempt_check();
}

int go_sched_stats(go_sched_stats_t *st) noexcept {
    if (st == nullptr || st->size < offsetof(go_sched_stats_t, syscalls) + sizeof st->syscalls)
        return GO_EINVAL;
    ErrnoKeeper keep;
    ensure_runtime();
    Sched &s = *g_sched;
    go_sched_stats_t v;
    std::memset(&v, 0, sizeof v);
    v.size = sizeof v;
    for (P *p : s.allp) {
        if (p == nullptr) continue;
        v.syscalls += p->st_syscalls.load(std::memory_order_relaxed);
        v.syscall_fast_exits += p->st_fast_exits.load(std::memory_order_relaxed);
    }
    v.syscall_idle_exits = s.st_idle_exits.load(std::memory_order_relaxed);
    v.syscall_queued_exits = s.st_queued_exits.load(std::memory_order_relaxed);
    v.handoffs = s.st_handoffs.load(std::memory_order_relaxed);
    v.retakes = s.st_retakes.load(std::memory_order_relaxed);
    v.blind_retakes = s.st_blind_retakes.load(std::memory_order_relaxed);
    v.preempt_requests = s.st_preempt_requests.load(std::memory_order_relaxed);
    v.preempt_yields = s.st_preempt_yields.load(std::memory_order_relaxed);
    v.sysmon_wakeups = s.st_sysmon_wakeups.load(std::memory_order_relaxed);
    v.threads = s.mcount.load(std::memory_order_relaxed);
    v.threads_max = s.maxthreads;
    {
        LockGuard lg(s.lock);
        int n = 0;
        for_each_g_locked(
            [](G *g, void *a) {
                if (g->status.load(std::memory_order_relaxed) == kGSyscall) ++*static_cast<int *>(a);
            },
            &n);
        v.in_syscall = n;
    }
    std::size_t n = st->size < sizeof v ? st->size : sizeof v;
    std::memcpy(reinterpret_cast<char *>(st) + sizeof st->size,
                reinterpret_cast<const char *>(&v) + sizeof v.size, n - sizeof v.size);
    return 0;
}

}  // extern "C"
