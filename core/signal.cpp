// signal.cpp - goroutine stack overflow (Go's fatal error), faults in
// goroutines (Go's runtime-error panics) and faults in the runtime (Go's
// "unexpected signal during runtime execution").
//
// Every M and every pinned pool thread runs with a sigaltstack, and
// SIGSEGV/SIGBUS/SIGFPE have an SA_ONSTACK handler: an overflow faults on
// the guard region below the goroutine's stack, where the handler cannot
// run. The handler decides, in this order:
//  1. The fault address lies in the guard (or just below it: a frame larger
//     than the guard skips over it) of the goroutine running on this M, or
//     of the pinned goroutine's thread stack: Go's "fatal error: stack
//     overflow", status 2.
//  2. The faulting pc lies in gort's own code: the fault is in runtime code
//     — typically a copy from a bad user pointer under a channel's lock
//     (chan.cpp copies user values with its own instructions, never libc's
//     memcpy, for this) — and is fatal, as Go's throw from sigpanic for a
//     fault in the runtime: a recovered panic could leave a lock held for
//     good. The pc test costs the hot paths nothing, where Go's m.locks
//     count (a per-thread counter in every lock) cost pingpong 6-8%.
//  3. The stack pointer is inside the running goroutine's stack (an M's
//     goroutine, or a pinned goroutine's body on its thread's own stack):
//     redirect to sigpanic, which raises Go's runtime-error panic.
//     A pinned pool thread is the goroutine's only when the host installed
//     no handler of its own before gort: a JVM's or the CLR's bodies fault
//     on purpose (implicit null checks, stack banging), and only the VM
//     knows what such a fault means. (A sanitizer's handler only reports:
//     it is not a host's, told apart with dladdr.)
//  4. Anything else is not ours: it goes to the handler installed before
//     gort (a JVM uses SIGSEGV for its own purposes), or to the default
//     action.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fatal.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort {

namespace {

// The fault being turned into a panic on this thread (set by the handler,
// read by sigpanic on the same thread, before anything can switch), and a
// pinned goroutine's thread stack (set by its pool thread).
__attribute__((tls_model("initial-exec"))) __thread FaultInfo t_fault;
__attribute__((tls_model("initial-exec"))) __thread std::uintptr_t t_stack_lo, t_stack_hi,
    t_stack_guard;

constexpr std::size_t kAltStack = 64u << 10;
constexpr std::uintptr_t kBelowGuard = 1u << 20;  // a frame up to 1 MiB may skip the guard

struct sigaction g_old_segv, g_old_bus, g_old_fpe;
bool g_installed = false;

// gort's executable code: the PT_LOAD segments with PF_X of the object that
// holds this file (libgort.so, or the executable gort is linked into).
constexpr int kMaxText = 4;
std::uintptr_t g_text_lo[kMaxText], g_text_hi[kMaxText];
int g_ntext = 0;

int find_text(struct dl_phdr_info *info, std::size_t, void *self) {
    auto me = reinterpret_cast<std::uintptr_t>(self);
    bool mine = false;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) &ph = info->dlpi_phdr[i];
        std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
        if (ph.p_type == PT_LOAD && me >= lo && me < lo + ph.p_memsz) mine = true;
    }
    if (!mine) return 0;
    for (int i = 0; i < info->dlpi_phnum && g_ntext < kMaxText; i++) {
        const ElfW(Phdr) &ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
        g_text_lo[g_ntext] = info->dlpi_addr + ph.p_vaddr;
        g_text_hi[g_ntext] = g_text_lo[g_ntext] + ph.p_memsz;
        g_ntext++;
    }
    return 1;
}

bool in_gort_code(std::uintptr_t pc) {
    for (int i = 0; i < g_ntext; i++)
        if (pc >= g_text_lo[i] && pc < g_text_hi[i]) return true;
    return false;
}

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

// The same for a pinned goroutine's body on its thread's own stack.
bool is_thread_overflow(std::uintptr_t addr, std::uintptr_t sp) {
    if (t_stack_hi == 0) return false;
    std::uintptr_t usable_lo = t_stack_lo + t_stack_guard;
    std::uintptr_t floor = t_stack_lo > kBelowGuard ? t_stack_lo - kBelowGuard : 0;
    if (addr >= floor && addr < usable_lo) return true;
    return sp != 0 && sp < usable_lo && sp >= floor;
}

void write_signal_line(int sig, int code, std::uintptr_t addr, std::uintptr_t pc) {
    write_str("[signal ");
    write_str(sig == SIGSEGV ? "SIGSEGV: segmentation violation"
              : sig == SIGBUS ? "SIGBUS: bus error"
              : sig == SIGFPE ? "SIGFPE: floating-point exception"
                              : "signal");
    write_str(" code=");
    write_hex(static_cast<unsigned>(code));
    write_str(" addr=");
    write_hex(addr);
    write_str(" pc=");
    write_hex(pc);
    write_str("]\n");
}

std::uintptr_t fault_pc(void *uctx) {
#if defined(__x86_64__)
    return static_cast<std::uintptr_t>(static_cast<ucontext_t *>(uctx)->uc_mcontext.gregs[REG_RIP]);
#else
    (void)uctx;
    return 0;
#endif
}

// Go's throw("unexpected signal during runtime execution") from sigpanic:
// the same two lines, then the goroutine's header and a trace.
[[noreturn]] void report_runtime_fault(int sig, siginfo_t *si, void *uctx) {
    begin_dying();
    // As every fatal path does (fatal.cpp): what the program printed before
    // survives. The faulting thread holds a runtime lock, not stdio's.
    std::fflush(stdout);
    write_str("fatal error: unexpected signal during runtime execution\n");
    write_signal_line(sig, si->si_code, reinterpret_cast<std::uintptr_t>(si->si_addr),
                      fault_pc(uctx));
    traceback_fatal(FatalKind::kRuntimeThrow, uctx);
    _exit(2);
}

// Go's words for a stack overflow (runtime/stack.go), then the goroutines.
[[noreturn]] void overflow_report(std::uintptr_t limit, std::uintptr_t sp, std::uintptr_t lo,
                                  std::uintptr_t hi, void *uctx) {
    write_str("runtime: goroutine stack exceeds ");
    write_int(static_cast<long long>(limit));
    write_str("-byte limit\nruntime: sp=");
    write_hex(sp);
    write_str(" stack=[");
    write_hex(lo);
    write_str(", ");
    write_hex(hi);
    write_str("]\nfatal error: stack overflow\n");
    traceback_fatal(FatalKind::kThrow, uctx);
    _exit(2);
}

[[noreturn]] void report_thread_overflow(void *uctx) {
    begin_dying();
    overflow_report(t_stack_hi - t_stack_lo - t_stack_guard, fault_sp(uctx),
                    t_stack_lo + t_stack_guard, t_stack_hi, uctx);
}

[[noreturn]] void report_overflow(G *g, void *uctx) {
    begin_dying();
    Stack *st = g->stack;
    auto lo = reinterpret_cast<std::uintptr_t>(st->usable_lo());
    overflow_report(stack_class_size(st->cls), fault_sp(uctx), lo, lo + st->usable_size(), uctx);
}

struct sigaction *old_action(int sig) {
    return sig == SIGSEGV ? &g_old_segv : sig == SIGBUS ? &g_old_bus : &g_old_fpe;
}

// The host installed a handler of its own before gort: a JVM or the CLR,
// which turn faults in their code into NullPointerException,
// StackOverflowError and the like, on their own threads. A sanitizer
// runtime's handler (ASan's or TSan's handle_segv) is not a host's: it only
// reports. Decided once, at install.
bool g_host_segv, g_host_bus, g_host_fpe;

bool host_handler(const struct sigaction *old) {
    void *fn;
    if (old->sa_flags & SA_SIGINFO) fn = reinterpret_cast<void *>(old->sa_sigaction);
    else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN)
        fn = reinterpret_cast<void *>(old->sa_handler);
    else return false;
    if (fn == nullptr) return false;
    Dl_info info;
    if (dladdr(fn, &info) != 0 && info.dli_fname != nullptr &&
        (std::strstr(info.dli_fname, "libtsan") != nullptr ||
         std::strstr(info.dli_fname, "libasan") != nullptr ||
         std::strstr(info.dli_fname, "libubsan") != nullptr))
        return false;
    return true;
}

bool host_handles(int sig) {
    return sig == SIGSEGV ? g_host_segv : sig == SIGBUS ? g_host_bus : g_host_fpe;
}

void chain(int sig, siginfo_t *si, void *uctx) {
    struct sigaction *old = old_action(sig);
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

// A fault in a goroutine's own code (its stack pointer inside [lo, hi), its
// stack) becomes a panic, as Go's sigpanic: make the goroutine look as if
// the faulting instruction had called gort::sigpanic, then return from the
// handler (which restores the signal mask). The deferred calls then run on
// the goroutine's stack like for any panic, and a recover works.
bool redirect_to_sigpanic(std::uintptr_t lo, std::uintptr_t hi, int sig, siginfo_t *si,
                          void *uctx) {
#if defined(__x86_64__)
    if (si->si_code <= 0) return false;
    auto *uc = static_cast<ucontext_t *>(uctx);
    auto sp = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
    if (sp < lo + 4096 || sp > hi) return false;  // not on its stack, or too close to the guard
    t_fault.sig = sig;
    t_fault.code = si->si_code;
    t_fault.addr = reinterpret_cast<std::uintptr_t>(si->si_addr);
    t_fault.pc = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
    // Push the faulting pc as a return address right below the faulting
    // frame's stack pointer, as if the faulting instruction had called
    // sigpanic: unwinders then find the faulting function's frame where its
    // unwind tables say it is. (That word may belong to the red zone: the
    // faulting function never runs again.) sigpanic realigns the stack itself.
    std::uintptr_t nsp = sp - 8;
    *reinterpret_cast<std::uintptr_t *>(nsp) = t_fault.pc;
    uc->uc_mcontext.gregs[REG_RSP] = static_cast<greg_t>(nsp);
    uc->uc_mcontext.gregs[REG_RIP] = reinterpret_cast<greg_t>(&sigpanic);
    return true;
#else
    (void)lo, (void)hi, (void)sig, (void)si, (void)uctx;
    return false;
#endif
}

void handler(int sig, siginfo_t *si, void *uctx) {
    // A fault while this thread prints a fatal report (the unwinder can
    // stumble on a frame it cannot read): the report is as done as it gets.
    if (dying_here()) _exit(2);
    auto addr = reinterpret_cast<std::uintptr_t>(si->si_addr);
    M *m = current_m();
    bool hw = si->si_code > 0;  // a hardware fault, not a sent signal
    if (m != nullptr && hw && is_overflow(m->curg, addr, fault_sp(uctx)))
        report_overflow(m->curg, uctx);
    // A pinned goroutine's thread belongs to the host when the host has a
    // handler: a JVM's or the CLR's pinned body faults on purpose (implicit
    // null checks, stack banging), and only the VM knows what its fault
    // means. Without one (a C program), the fault is the goroutine's.
    bool pinned = m == nullptr && t_stack_hi != 0 && pinned_id() != 0 && !host_handles(sig);
    if (pinned && hw && is_thread_overflow(addr, fault_sp(uctx))) report_thread_overflow(uctx);
    // Runtime code faulted, whatever the thread (rule 2 above).
    if (hw && in_gort_code(fault_pc(uctx))) report_runtime_fault(sig, si, uctx);
    if (m != nullptr) {
        G *g = m->curg;
        if (g != nullptr && g->stack != nullptr) {
            auto lo = reinterpret_cast<std::uintptr_t>(g->stack->usable_lo());
            if (redirect_to_sigpanic(lo, lo + g->stack->usable_size(), sig, si, uctx)) return;
        }
    } else if (pinned) {
        // A pinned goroutine's body, on its thread's own stack.
        if (redirect_to_sigpanic(t_stack_lo + t_stack_guard, t_stack_hi, sig, si, uctx)) return;
    }
    chain(sig, si, uctx);
}

}  // namespace

void install_signal_handlers() {
    // Once per process: a forked child keeps the parent's handler, and
    // installing it again would make it chain to itself.
    if (g_installed) return;
    g_installed = true;
    dl_iterate_phdr(find_text, reinterpret_cast<void *>(&install_signal_handlers));
    // Where gort's code lies, GORTTRACEBACK, the unwinder's first use: now,
    // not inside a signal handler (traceback.hpp).
    traceback_init();
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_old_segv);
    sigaction(SIGBUS, &sa, &g_old_bus);
    sigaction(SIGFPE, &sa, &g_old_fpe);
    g_host_segv = host_handler(&g_old_segv);
    g_host_bus = host_handler(&g_old_bus);
    g_host_fpe = host_handler(&g_old_fpe);
}

void *thread_signal_stack() {
    void *mem = mmap(nullptr, kAltStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) fatal_error("runtime: cannot allocate a signal stack");
    stack_t ss;
    ss.ss_sp = mem;
    ss.ss_size = kAltStack;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, nullptr) != 0) fatal_error("runtime: sigaltstack failed");
    return mem;
}

void thread_signal_stack_free(void *mem) {
    if (mem == nullptr) return;
    stack_t ss;
    std::memset(&ss, 0, sizeof ss);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
    munmap(mem, kAltStack);
}

void m_signal_stack(M *m) { m->altstack = thread_signal_stack(); }

void thread_goroutine_stack(std::uintptr_t lo, std::uintptr_t hi, std::uintptr_t guard) {
    t_stack_lo = lo;
    t_stack_hi = hi;
    t_stack_guard = guard;
}

FaultInfo take_fault() {
    FaultInfo f = t_fault;
    t_fault.sig = 0;
    return f;
}

}  // namespace gort
