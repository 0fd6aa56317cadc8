// bench_cpp.hpp - what the C++ API's benchmark programs share: Go's argument
// rule (bench_common.h's bench_arg_int: a positive integer, else `bad
// argument "X"` and exit 2), the monotonic clock, and the stdout line.
#pragma once

#include <gort.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace bench {

inline long long arg_int(int argc, char **argv, int i, long long def) {
    if (argc <= i) return def;
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(argv[i], &end, 10);
    if (errno != 0 || end == argv[i] || *end != '\0' || v <= 0) {
        std::fprintf(stderr, "bad argument \"%s\"\n", argv[i]);
        std::exit(2);
    }
    return v;
}

inline std::int64_t now_ns() { return gort::nanotime(); }

inline void result(double v, const char *unit) { std::printf("%.1f %s\n", v, unit); }

[[noreturn]] inline void fail(const char *prog, const std::string &what) {
    std::fprintf(stderr, "%s: %s\n", prog, what.c_str());
    std::fflush(stderr);
    _exit(1);
}

}  // namespace bench
