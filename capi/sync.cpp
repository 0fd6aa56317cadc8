// capi/sync.cpp - the extern "C" entry points of gort/sync.h.
#include <gort/defer.h>
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
    const char *panic_msg = nullptr;
    int rc;
    {
        ErrnoKeeper keep;
        rc = wg->wg.add(delta, &panic_msg);
    }
    if (panic_msg != nullptr) panic_raise(panic_msg);  // outside every C++ scope
    return rc;
}

int wg_done(go_wg_t *wg) noexcept { return wg_add(wg, -1); }

int wg_wait(go_wg_t *wg) noexcept {
    if (!live(wg)) return GO_EINVAL;
    const char *panic_msg = nullptr;
    {
        ErrnoKeeper keep;
        gort::ensure_runtime();
        wg->wg.wait(&panic_msg);
    }
    if (panic_msg != nullptr) panic_raise(panic_msg);
    return 0;
}

}  // extern "C"
