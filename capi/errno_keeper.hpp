// errno_keeper.hpp - every gort entry point leaves errno as it found it.
//
// The runtime makes system calls of its own (futex, madvise, mmap) that may
// set errno, and a call that parks may return on another OS thread, whose
// errno is another variable. ErrnoKeeper reads errno on entry and writes the
// value back on exit through a fresh lookup (errno_location() is out of
// line, so no address cached before a switch is reused after it).
#pragma once

#include <cerrno>

#include "../core/sched.hpp"

namespace gort {

class ErrnoKeeper {
public:
    ErrnoKeeper() : saved_(errno) {}
    ~ErrnoKeeper() { *errno_location() = saved_; }
    ErrnoKeeper(const ErrnoKeeper &) = delete;
    ErrnoKeeper &operator=(const ErrnoKeeper &) = delete;

private:
    int saved_;
};

}  // namespace gort
