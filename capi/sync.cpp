// capi/sync.cpp - the extern "C" entry points of gort/sync.h.
#include <gort/sync.h>

#include <cerrno>
#include <new>

#include "../core/sched.hpp"
#include "../core/waitgroup.hpp"
#include "errno_keeper.hpp"

using gort::ErrnoKeeper;
using gort::WaitGroup;

struct go_wg {
    WaitGroup wg;
};

namespace {
inline bool live(const go_wg_t *wg) { return wg != nullptr && wg->wg.magic == WaitGroup::kMagic; }
}  // namespace

extern "C" {

go_wg_t *wg_new(void) noexcept {
    auto *wg = new (std::nothrow) go_wg();
    if (wg == nullptr) errno = ENOMEM;
    return wg;
}

void wg_free(go_wg_t *wg) noexcept {
    if (wg == nullptr) return;
    ErrnoKeeper keep;
    if (!live(wg)) return;  // double free caught while the memory is still ours
    if (wg->wg.has_waiters()) gort::fatal_error("sync: wg_free of a WaitGroup that has waiters");
    wg->wg.magic = 0;
    delete wg;
}

int wg_add(go_wg_t *wg, int64_t delta) noexcept {
    if (!live(wg)) return GO_EINVAL;
    ErrnoKeeper keep;
    return wg->wg.add(delta);
}

int wg_done(go_wg_t *wg) noexcept {
    if (!live(wg)) return GO_EINVAL;
    ErrnoKeeper keep;
    return wg->wg.add(-1);
}

int wg_wait(go_wg_t *wg) noexcept {
    if (!live(wg)) return GO_EINVAL;
    ErrnoKeeper keep;
    gort::ensure_runtime();
    wg->wg.wait();
    return 0;
}

}  // extern "C"
