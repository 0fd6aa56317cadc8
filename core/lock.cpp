// lock.cpp - futex wrappers and the Lock slow path.
#include "lock.hpp"

#include <cerrno>
#include <ctime>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gort {

void futex_wait(std::atomic<uint32_t> *addr, uint32_t expected,
                const struct timespec *abs_deadline) {
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. errno
    // (EAGAIN, ETIMEDOUT, EINTR) is the caller's: the primitives built on
    // these leave it as they found it.
    int saved = errno;
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr),
            FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, abs_deadline, nullptr,
            FUTEX_BITSET_MATCH_ANY);
    errno = saved;
}

void futex_wake(std::atomic<uint32_t> *addr, int n) {
    int saved = errno;
    syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n,
            nullptr, nullptr, 0);
    errno = saved;
}

void Lock::lock_slow() {
    // Spin briefly: runtime critical sections are a few dozen instructions.
    for (int i = 0; i < 64; i++) {
        uint32_t c = 0;
        if (state_.load(std::memory_order_relaxed) == 0 &&
            state_.compare_exchange_weak(c, 1, std::memory_order_acquire))
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    uint32_t c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
        futex_wait(&state_, 2);
        c = state_.exchange(2, std::memory_order_acquire);
    }
}

bool Note::sleep_until(const struct timespec *abs_deadline) {
    for (;;) {
        if (token_.exchange(0, std::memory_order_acquire) != 0) return true;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > abs_deadline->tv_sec ||
            (now.tv_sec == abs_deadline->tv_sec && now.tv_nsec >= abs_deadline->tv_nsec))
            return false;
        futex_wait(&token_, 0, abs_deadline);
    }
}

void SpinLock::lock_slow() {
    for (unsigned i = 0;; i++) {
        if (state_.load(std::memory_order_relaxed) == 0 &&
            state_.exchange(1, std::memory_order_acquire) == 0)
            return;
        if (i < 128) {
            __builtin_ia32_pause();
        } else if (i < 1024) {
            // The holder may have been preempted by the OS: let it run.
            int saved = errno;
            sched_yield();
            errno = saved;
        } else {
            int saved = errno;
            struct timespec ts = {0, 20000};
            nanosleep(&ts, nullptr);
            errno = saved;
        }
    }
}

}  // namespace gort
