// waitgroup.hpp - sync.WaitGroup, with Go's algorithm and Go's panics.
//
// state packs the counter (high 32 bits, signed, as Go's) and the number of
// waiters (low 32 bits) into one atomic word, so wg_done is one atomic add on
// the fast path. Waiters sleep on a Sema; the Add that brings the counter to
// zero resets the state and releases each waiter once (Go's sync/waitgroup.go).
#pragma once

#include <atomic>
#include <cstdint>

#include "sema.hpp"

namespace gort {

struct WaitGroup {
    static constexpr std::uint32_t kMagic = 0x77674f4bu;  // "wgOK"
    std::uint32_t magic = kMagic;
    std::atomic<std::uint64_t> state{0};
    Sema sema;

    // 0 or -EOVERFLOW. Misuse that Go panics on sets *panic_msg (Go's text):
    // the caller raises the panic once no C++ object of its is in scope.
    // checked (the _err twin): a negative counter is refused with -ERANGE,
    // leaving the state unchanged.
    int add(std::int64_t delta, const char **panic_msg, bool checked = false);
    void wait(const char **panic_msg);
    bool has_waiters() const { return static_cast<std::uint32_t>(state.load()) != 0; }
};

}  // namespace gort
