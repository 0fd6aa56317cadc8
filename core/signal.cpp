// signal.cpp - goroutine stack overflow (Go's fatal error) and faults in
// goroutines (Go's runtime-error panics).
//
// Every M runs with a sigaltstack, and SIGSEGV/SIGBUS have an SA_ONSTACK
// handler: an overflow faults on the guard region below the goroutine's
// stack, where the handler cannot run. If the fault address lies in the
// guard (or just below it: a frame larger than the guard skips over it) of
// the goroutine running on this M, we print Go's "fatal error: stack
// overflow" naming the goroutine and exit with status 2. Any other fault is
// not ours: it goes to the handler installed before gort (a JVM uses SIGSEGV
// for its own purposes), or to the default action.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

#include "fatal.hpp"
#include "sched.hpp"

namespace gort {

namespace {

constexpr std::size_t kAltStack = 64u << 10;
constexpr std::uintptr_t kBelowGuard = 1u << 20;  // a frame up to 1 MiB may skip the guard

struct sigaction g_old_segv, g_old_bus, g_old_fpe;
bool g_installed = false;

std::uintptr_t fault_sp(void *uctx) {
#if defined(__x86_64__)
    return static_cast<std::uintptr_t>(static_cast<ucontext_t *>(uctx)->uc_mcontext.gregs[REG_RSP]);
#else
    (void)uctx;
    return 0;
#endif
}

// A fault in the guard (or up to 1 MiB below it: a big frame steps over it),
// or a fault while the stack pointer is below the goroutine's stack (an
// unguarded stack ran into a neighbour that is not mapped).
bool is_overflow(G *g, std::uintptr_t addr, std::uintptr_t sp) {
    if (g == nullptr || g->stack == nullptr) return false;
    Stack *st = g->stack;
    auto lo = reinterpret_cast<std::uintptr_t>(st->lo);
    auto usable_lo = reinterpret_cast<std::uintptr_t>(st->usable_lo());
    std::uintptr_t floor = lo > kBelowGuard ? lo - kBelowGuard : 0;
    if (st->guard != 0 && addr >= floor && addr < usable_lo) return true;
    return sp != 0 && sp < usable_lo && sp >= floor;
}

[[noreturn]] void report_overflow(G *g, std::uintptr_t addr, void *uctx) {
    begin_dying();
    Stack *st = g->stack;
    write_str("runtime: goroutine ");
    write_int(g->id);
    if (g->name != nullptr && g->name[0] != 0) {
        write_str(" \"");
        write_str(g->name);
        write_str("\"");
    }
    write_str(" stack exceeds ");
    write_int(static_cast<long long>(stack_class_size(st->cls)));
    write_str("-byte limit\nruntime: fault address=");
    write_hex(addr);
    write_str(" sp=");
    write_hex(fault_sp(uctx));
    write_str(" stack=[");
    write_hex(reinterpret_cast<std::uintptr_t>(st->usable_lo()));
    write_str(", ");
    write_hex(reinterpret_cast<std::uintptr_t>(st->usable_lo()) + st->usable_size());
    write_str("]\nfatal error: stack overflow\n\n");
    write_goroutine_header(g);
    _exit(2);
}

void chain(int sig, siginfo_t *si, void *uctx) {
    struct sigaction *old = sig == SIGSEGV ? &g_old_segv : sig == SIGBUS ? &g_old_bus : &g_old_fpe;
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction != nullptr) {
            old->sa_sigaction(sig, si, uctx);
            return;
        }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    // Default action: restore it; a hardware fault re-executes and kills us
    // with the right signal, a sent signal is sent again.
    signal(sig, SIG_DFL);
    if (si->si_code <= 0) raise(sig);
}

// A fault in a goroutine's own code (its stack pointer inside its stack)
// becomes a panic, as Go's sigpanic: make the goroutine look as if the
// faulting instruction had called gort::sigpanic, then return from the
// handler (which restores the signal mask). The deferred calls then run on
// the goroutine's stack like for any panic, and a recover works.
bool redirect_to_sigpanic(M *m, G *g, int sig, siginfo_t *si, void *uctx) {
#if defined(__x86_64__)
    if (g == nullptr || g->stack == nullptr || si->si_code <= 0) return false;
    auto *uc = static_cast<ucontext_t *>(uctx);
    auto sp = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    auto lo = reinterpret_cast<std::uintptr_t>(g->stack->usable_lo()) + 4096;
    auto hi = reinterpret_cast<std::uintptr_t>(g->stack->usable_lo()) + g->stack->usable_size();
    if (sp < lo || sp > hi) return false;  // not on its stack, or too close to the guard
    m->sig = sig;
    m->sigcode = si->si_code;
    m->sigaddr = reinterpret_cast<std::uintptr_t>(si->si_addr);
    m->sigpc = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
    // Push the faulting pc as a return address right below the faulting
    // frame's stack pointer, as if the faulting instruction had called
    // sigpanic: unwinders then find the faulting function's frame where its
    // unwind tables say it is. (That word may belong to the red zone: the
    // faulting function never runs again.) sigpanic realigns the stack itself.
    std::uintptr_t nsp = sp - 8;
    *reinterpret_cast<std::uintptr_t *>(nsp) = m->sigpc;
    uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(nsp);
    uc->uc_mcontext.gregs[REG_RIP] = reinterpret_cast<greg_t>(&sigpanic);
    return true;
#else
    (void)m, (void)g, (void)sig, (void)si, (void)uctx;
    return false;
#endif
}

void handler(int sig, siginfo_t *si, void *uctx) {
    // A fault while this thread prints a fatal report (the unwinder can
    // stumble on a frame it cannot read): the report is as done as it gets.
    if (dying_here()) _exit(2);
    M *m = current_m();
    if (m != nullptr) {
        G *g = m->curg;
        auto addr = reinterpret_cast<std::uintptr_t>(si->si_addr);
        if (si->si_code > 0 && is_overflow(g, addr, fault_sp(uctx))) report_overflow(g, addr, uctx);
        if (redirect_to_sigpanic(m, g, sig, si, uctx)) return;
    }
    chain(sig, si, uctx);
}

}  // namespace

void install_signal_handlers() {
    // Once per process: a forked child keeps the parent's handler, and
    // installing it again would make it chain to itself.
    if (g_installed) return;
    g_installed = true;
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    sigaction(SIGBUS, &sa, &g_old_bus);
    sigaction(SIGFPE, &sa, &g_old_fpe);
}

void m_signal_stack(M *m) {
    void *mem = mmap(nullptr, kAltStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) fatal_error("runtime: cannot allocate a signal stack");
    stack_t ss;
    ss.ss_sp = mem;
    ss.ss_size = kAltStack;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, nullptr) != 0) fatal_error("runtime: sigaltstack failed");
    m->altstack = mem;
}

}  // namespace gort
