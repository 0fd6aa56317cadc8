// chaos.cpp - the delays of chaos.hpp (built only with -Dchaos=true).
#include "chaos.hpp"

#if defined(GORT_CHAOS_BUILD)
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <sched.h>
#include <time.h>

namespace gort {

namespace {
// 0: not read yet; -1: off; otherwise N of "1 in N".
std::int64_t g_one_in = 0;
__thread std::uint64_t t_rand = 0;

std::uint64_t next_rand() {
    if (t_rand == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        t_rand = (static_cast<std::uint64_t>(ts.tv_nsec) << 1 | 1) ^
                 reinterpret_cast<std::uintptr_t>(&t_rand);
    }
    t_rand ^= t_rand << 13;
    t_rand ^= t_rand >> 7;
    t_rand ^= t_rand << 17;
    return t_rand;
}
}  // namespace

void chaos_point() {
    std::int64_t n = __atomic_load_n(&g_one_in, __ATOMIC_RELAXED);
    if (n == 0) {
        const char *e = std::getenv("GORT_CHAOS");
        long v = e != nullptr ? std::strtol(e, nullptr, 10) : 0;
        n = v > 0 ? v : -1;
        __atomic_store_n(&g_one_in, n, __ATOMIC_RELAXED);
    }
    if (n < 0) return;
    std::uint64_t r = next_rand();
    if (r % static_cast<std::uint64_t>(n) != 0) return;
    int saved = errno;
    if ((r >> 32) % 4 == 0) {
        sched_yield();
    } else {
        struct timespec ts = {0, static_cast<long>((r >> 40) % 200000)};
        nanosleep(&ts, nullptr);
    }
    errno = saved;
}

}  // namespace gort
#endif
