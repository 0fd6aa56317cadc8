// context.cpp - the only file that switches stacks.
//
// gort switches with Boost.Context's fcontext primitives (make_fcontext,
// jump_fcontext): a switch is a register save/restore and a jump, no system
// call and no signal-mask change, and it is valid across OS threads (a
// goroutine suspended on one M resumes on another). The high-level
// boost::context::fiber is not used: it allocates a control block per fiber
// and would run its own unwinding on destruction, which the scheduler does
// not want.
//
// Debian's Boost 1.74 ships only the fcontext build, which carries none of
// the sanitizer or valgrind annotations, so they live here, around the one
// jump:
//   ASan     __sanitizer_start_switch_fiber before, __sanitizer_finish_switch_fiber
//            after, with a NULL fake-stack slot when the old fiber dies;
//   TSan     __tsan_switch_to_fiber before the jump, a fiber per goroutine;
//   valgrind VALGRIND_STACK_REGISTER for every stack region.
#include "context.hpp"

#include <boost/context/detail/fcontext.hpp>
#include <pthread.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GORT_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define GORT_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GORT_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define GORT_TSAN 1
#endif

#if defined(GORT_HAVE_VALGRIND)
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>
#endif

#if GORT_ASAN
extern "C" {
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old,
                                     size_t *size_old);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
void __lsan_register_root_region(const void *p, size_t size);
}
#endif
#if GORT_TSAN
extern "C" {
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
}
#endif

namespace bctx = boost::context::detail;

namespace gort {

namespace {

FiberEntry g_entry = nullptr;

// Every new fiber starts here, on its own stack.
GORT_NO_TSAN void trampoline(bctx::transfer_t t) {
#if GORT_ASAN
    __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
    g_entry(Transfer{t.fctx, t.data});
    __builtin_trap();  // FiberEntry never returns
}

GORT_NO_TSAN inline void before_jump(Fiber *from, Fiber *to, bool from_dies) {
#if GORT_ASAN
    __sanitizer_start_switch_fiber(from_dies ? nullptr : &from->asan_fake, to->stack_lo,
                                   to->stack_size);
#else
    (void)from;
    (void)from_dies;
#endif
#if GORT_TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#else
    (void)to;
#endif
}

}  // namespace

void fiber_set_entry(FiberEntry entry) { g_entry = entry; }

void fiber_init_thread(Fiber *f) {
    pthread_attr_t attr;
    void *lo = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getstack(&attr, &lo, &size);
        pthread_attr_destroy(&attr);
    }
    f->fctx = nullptr;
#if GORT_SANITIZED
    f->stack_lo = lo;
    f->stack_size = size;
    f->asan_fake = nullptr;
    f->tsan_fiber = nullptr;
#else
    (void)lo;
    (void)size;
#endif
#if GORT_TSAN
    f->tsan_fiber = __tsan_get_current_fiber();
#endif
}

void fiber_prepare(Fiber *f, void *lo, std::size_t size) {
#if GORT_ASAN
    __asan_unpoison_memory_region(lo, size);
#endif
#if GORT_SANITIZED
    f->stack_lo = lo;
    f->stack_size = size;
    f->asan_fake = nullptr;
#endif
    f->fctx = bctx::make_fcontext(static_cast<char *>(lo) + size, size, trampoline);
#if GORT_TSAN
    if (f->tsan_fiber == nullptr) f->tsan_fiber = __tsan_create_fiber(0);
#endif
}

#if GORT_SANITIZED || !defined(__x86_64__)
Transfer fiber_switch(Fiber *from, Fiber *to, void *data) {
    before_jump(from, to, false);
    void *ctx = to->fctx;
    to->fctx = nullptr;  // see Fiber::fctx
    bctx::transfer_t t = bctx::jump_fcontext(ctx, data);
#if GORT_ASAN
    __sanitizer_finish_switch_fiber(from->asan_fake, nullptr, nullptr);
#endif
    return Transfer{t.fctx, t.data};
}
#endif

void fiber_switch_final(Fiber *from, Fiber *to, void *data) {
    before_jump(from, to, true);
    void *ctx = to->fctx;
    to->fctx = nullptr;
    bctx::jump_fcontext(ctx, data);
    __builtin_trap();  // nobody resumes a dead fiber
}

const void *fiber_code_mark() { return reinterpret_cast<const void *>(&bctx::jump_fcontext); }

unsigned fiber_stack_register(void *lo, void *hi) {
#if defined(GORT_HAVE_VALGRIND)
    return VALGRIND_STACK_REGISTER(lo, hi);
#else
    (void)lo;
    (void)hi;
    return 0;
#endif
}

void fiber_stack_deregister(unsigned id) {
#if defined(GORT_HAVE_VALGRIND)
    if (id != 0) VALGRIND_STACK_DEREGISTER(id);
#else
    (void)id;
#endif
}

void valgrind_mark_defined(const void *p, std::size_t size) {
#if defined(GORT_HAVE_VALGRIND)
    VALGRIND_MAKE_MEM_DEFINED(p, size);
#else
    (void)p;
    (void)size;
#endif
}

void sanitizer_root_region(void *p, std::size_t size) {
#if GORT_ASAN
    __lsan_register_root_region(p, size);
#else
    (void)p;
    (void)size;
#endif
}

}  // namespace gort
