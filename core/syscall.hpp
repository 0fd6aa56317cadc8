// syscall.hpp - the fast paths of go_syscall_enter / go_syscall_exit,
// inline in the C entry points (capi/syscall.cpp); the protocol and the
// slow paths are in syscall.cpp.
//
// The M is read straight from the thread-local (current_m_entry): nothing
// here can have switched stacks before the read.
#pragma once

#include "sched.hpp"

namespace gort {

// syscall.cpp
void syscall_enter_slow(M *m, bool block, std::uint32_t prev_inrt);  // lostp set, or block
void syscall_exit_slow(M *m, G *g, P *oldp);  // the CAS failed (or no old P)

// The goroutine leaves its P (the outermost enter; rt_enter done).
inline P *syscall_leave_p(M *m, G *g) {
    g->syscall_depth = 1;
    P *p = m->p;
    bump(p->st_syscalls);
    bump(p->syscalltick);
    g->status.store(kGSyscall, std::memory_order_relaxed);
    m->p = nullptr;
    p->m.store(nullptr, std::memory_order_relaxed);
    return p;
}

// ...and leaves it in kPSyscall, for the exit's CAS or sysmon's retake.
inline void syscall_keep_p(M *m, P *p) {
    m->oldp = p;
    p->status.store(kPSyscall, std::memory_order_release);
    sysmon_kick();
}

inline void syscall_enter_fast() {
    M *m = current_m_entry();
    if (m == nullptr) return;
    G *g = m->curg;
    if (g == nullptr) return;
    if (g->syscall_depth != 0) {  // nested: the outer pair acts
        g->syscall_depth++;
        return;
    }
    // rt_enter, inline: a P retaken blind (GORT_RETAKE) is settled first.
    std::uint32_t prev = 0;
    if (__builtin_expect(g_rt_on, 0)) {
        prev = m->inrt.load(std::memory_order_relaxed);
        m->inrt.store(1, std::memory_order_relaxed);
        std::atomic_signal_fence(std::memory_order_seq_cst);
        if (m->lostp.load(std::memory_order_relaxed) != 0) {
            syscall_enter_slow(m, false, prev);
            return;
        }
    }
    syscall_keep_p(m, syscall_leave_p(m, g));
    if (__builtin_expect(g_rt_on, 0)) m->inrt.store(prev, std::memory_order_release);
}

inline void syscall_exit_fast() {
    M *m = current_m_entry();
    if (m == nullptr) return;
    G *g = m->curg;
    if (g == nullptr || g->syscall_depth == 0) return;
    if (--g->syscall_depth != 0) return;
    P *p = m->oldp;
    m->oldp = nullptr;
    std::uint32_t st = kPSyscall;
    if (__builtin_expect(p != nullptr && p->status.compare_exchange_strong(
                                             st, kPRunning, std::memory_order_acquire,
                                             std::memory_order_relaxed),
                         1)) {
        m->p = p;
        p->m.store(m, std::memory_order_relaxed);
        bump(p->syscalltick);
        bump(p->st_fast_exits);
        g->status.store(kGRunning, std::memory_order_relaxed);
        return;
    }
    syscall_exit_slow(m, g, p);
}

}  // namespace gort
