// context.hpp - the one door to Boost.Context and to the sanitizer/valgrind
// stack-switch hooks. Nothing else in gort includes Boost.Context or calls a
// __sanitizer_*/__tsan_* fiber function; see context.cpp for why.
//
// What a switch preserves: the callee-saved registers, the stack pointer, the
// x87/SSE control words (Boost's fcontext saves them). What it does NOT
// preserve: errno and any other thread-local state (the resumed fiber may be
// on another OS thread), the signal mask (never touched), C++ exception state
// (Boost 1.74 does not save it per fiber: never switch inside a catch block).
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GORT_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GORT_SANITIZED 1
#endif

// Functions that a goroutine enters and never leaves (its entry, its exit
// path) must not be instrumented by TSan: TSan's shadow call stack of a
// fiber, which a G keeps for all the goroutines it runs, would grow by their
// frames at every goroutine and overflow after some 20,000.
#if defined(__clang__) || defined(__GNUC__)
#define GORT_NO_TSAN __attribute__((no_sanitize("thread")))
#else
#define GORT_NO_TSAN
#endif

namespace gort {

// An execution context: a goroutine's stack, or a thread's own stack (g0).
struct Fiber {
    // The saved context: set (release) by whoever resumes after this fiber
    // left (post_switch), cleared by the switch that resumes it. So a
    // reader that sees it null knows the fiber runs or is still leaving,
    // never reads a context it has already left (traceback.cpp).
    void *fctx = nullptr;
#if GORT_SANITIZED
    // Only sanitizer builds pay for these (a G is kept small: a million of
    // them must fit in cache-friendly memory).
    const void *stack_lo = nullptr;   // lowest usable address (for ASan)
    std::size_t stack_size = 0;       // usable bytes above stack_lo (for ASan)
    void *asan_fake = nullptr;        // ASan's fake-stack cookie while switched out
    void *tsan_fiber = nullptr;       // TSan's fiber handle
#endif
};

// What a switch hands to the fiber that resumes: the context of the fiber
// that was just left (to be stored by the resumer) and a word of data.
struct Transfer {
    void *from_fctx;
    void *data;
};

// The entry of every new fiber. It receives the first Transfer and must
// never return (leave with fiber_switch_final).
using FiberEntry = void (*)(Transfer);

// Set once, before the first fiber_prepare.
void fiber_set_entry(FiberEntry entry);

// Describe the calling thread's own stack as a fiber (an M's g0).
void fiber_init_thread(Fiber *f);

// Make a fresh context at the top of [lo, lo + size): the next switch to f
// enters the FiberEntry. Also resets sanitizer state of that memory (a pooled
// stack keeps the poison of the goroutine that used it before).
void fiber_prepare(Fiber *f, void *lo, std::size_t size);

// Switch from the running fiber `from` to `to`, handing `data`. Returns when
// some fiber switches back to `from`, with that fiber's Transfer.
#if GORT_SANITIZED || !defined(__x86_64__)
Transfer fiber_switch(Fiber *from, Fiber *to, void *data);
#else
// The fast path, inlined into the scheduler. Boost's jump_fcontext returns
// into the resumed fiber with an indirect jmp, not a ret, so a plain `call`
// to it leaves one stale entry on the CPU's return-stack buffer at every
// switch, and every return afterwards mispredicts (measured: 30-37 ns per
// switch through a 3-deep call chain, against 13-19 ns without). So we
// enter jump_fcontext with push + jmp instead of call: the return-stack
// buffer stays balanced. The red zone below %rsp is skipped first; the
// clobbers are those of a call (jump_fcontext itself saves and restores the
// callee-saved registers, the x87 control word and MXCSR).
inline __attribute__((always_inline)) Transfer fiber_switch(Fiber *, Fiber *to, void *data) {
    Transfer t;
    register void *rdi asm("rdi") = to->fctx;
    register void *rsi asm("rsi") = data;
    to->fctx = nullptr;
    asm volatile(
        "subq $128, %%rsp\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "jmp jump_fcontext@PLT\n\t"
        "1:\n\t"
        "addq $128, %%rsp\n\t"
        : "=a"(t.from_fctx), "=d"(t.data), "+r"(rdi), "+r"(rsi)
        :
        : "rcx", "r8", "r9", "r10", "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3",
          "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
          "xmm14", "xmm15", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
    return t;
}
#endif

// The stack pointer a switched-out fiber resumes with, from its saved
// context (traceback.cpp unwinds a parked goroutine from it): Boost's
// jump_fcontext releases 0x40 bytes (its save area and the return address
// at fctx + 0x38); the inlined fast path above also skipped the red zone.
#if GORT_SANITIZED || !defined(__x86_64__)
constexpr std::uintptr_t kResumeSpOffset = 0x40;
#else
constexpr std::uintptr_t kResumeSpOffset = 0x40 + 128;
#endif

// An address inside the code that switches (Boost.Context's library):
// traceback.cpp hides its frames, the bottom of every goroutine's stack.
const void *fiber_code_mark();

// Like fiber_switch, but `from` never runs again (its stack may be reused as
// soon as the resumed side has stored nothing of it).
[[noreturn]] GORT_NO_TSAN void fiber_switch_final(Fiber *from, Fiber *to, void *data);

// valgrind: tell it that [lo, hi) is a stack. Returns an id for
// fiber_stack_deregister (0 when not running under valgrind).
unsigned fiber_stack_register(void *lo, void *hi);

// valgrind (memcheck): the stack canary of an unguarded stack lies below the
// stack pointer, where memcheck marks memory inaccessible once a deep call
// returned; checking it must not count as an invalid read.
void valgrind_mark_defined(const void *p, std::size_t size);

// LeakSanitizer: memory gort maps itself (G slabs, goroutine stacks) holds
// pointers to malloc'd blocks; tell LSan to scan it. Never a region with a
// guard in it: LSan would read the guard and fault.
void sanitizer_root_region(void *p, std::size_t size);
void fiber_stack_deregister(unsigned id);

}  // namespace gort
