// capi/sync.cpp - the extern "C" entry points of gort/sync.h.
#include <gort/defer.h>
#include <gort/sync.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <new>

#include "../core/handle.hpp"
#include "../core/mutex.hpp"
#include "../core/sched.hpp"
#include "../core/waitgroup.hpp"
#include "errno_keeper.hpp"

using gort::ErrnoKeeper;
using gort::ForeignScope;
using gort::Mutex;
using gort::NotifyList;
using gort::RWMutex;
using gort::WaitGroup;

struct go_wg {
    WaitGroup wg;
};
struct go_mutex {
    Mutex mu;
};
struct go_rwmutex {
    RWMutex rw;
};
struct go_once {
    static constexpr std::uint32_t kMagic = 0x6f4e4345u;  // "oNCE"
    std::uint32_t magic = kMagic;
    std::atomic<std::uint32_t> done{0};
    Mutex mu;
};
struct go_cond {
    static constexpr std::uint32_t kMagic = 0x634f4e44u;  // "cOND"
    std::uint32_t magic = kMagic;
    go_mutex *l;
    NotifyList list;
};

namespace {

using gort::HandleKind;

// Each handle type's pool (core/handle.hpp) and magic. The magic is the
// first word of every one of them: handle_is reads it untyped.
template <class T>
struct Handle;
template <>
struct Handle<go_wg> {
    static constexpr HandleKind kind = HandleKind::kWaitGroup;
    static constexpr std::uint32_t magic = WaitGroup::kMagic;
};
template <>
struct Handle<go_mutex> {
    static constexpr HandleKind kind = HandleKind::kMutex;
    static constexpr std::uint32_t magic = Mutex::kMagic;
};
template <>
struct Handle<go_rwmutex> {
    static constexpr HandleKind kind = HandleKind::kRWMutex;
    static constexpr std::uint32_t magic = RWMutex::kMagic;
};
template <>
struct Handle<go_once> {
    static constexpr HandleKind kind = HandleKind::kOnce;
    static constexpr std::uint32_t magic = go_once::kMagic;
};
template <>
struct Handle<go_cond> {
    static constexpr HandleKind kind = HandleKind::kCond;
    static constexpr std::uint32_t magic = go_cond::kMagic;
};

static_assert(offsetof(go_wg, wg) == 0 && offsetof(WaitGroup, magic) == 0, "magic first");
static_assert(offsetof(go_mutex, mu) == 0 && offsetof(Mutex, magic) == 0, "magic first");
static_assert(offsetof(go_mutex, mu) + offsetof(Mutex, state) == 64 && sizeof(Mutex::state) == sizeof(int) &&
                  Mutex::kMagic == 0x6d55544bu && Mutex::kLocked == 1 && alignof(go_mutex) == 64,
              "gort/sync.h's inline mutex paths (GO_MUTEX_STATE_OFFSET_, GO_MUTEX_MAGIC_) are ABI");
static_assert(offsetof(go_rwmutex, rw) == 0 && offsetof(RWMutex, magic) == 0, "magic first");
static_assert(offsetof(go_once, magic) == 0 && offsetof(go_cond, magic) == 0, "magic first");

// Not a typed read: p may be any pointer, freed, or of another type.
template <class T>
inline bool live(const T *p) {
    return gort::handle_is(p, Handle<T>::magic);
}

template <class T>
T *make() {
    T *x = gort::handle_new<T>(Handle<T>::kind);
    if (x == nullptr) errno = ENOMEM;
    return x;
}

// After this, the handle reads as freed: a second free is ignored, any
// other use is GO_EINVAL (until the slot is reused, handle.hpp).
template <class T>
void release(T *x) {
    gort::handle_delete(Handle<T>::kind, x);
}

// once_do's slow path, as a frame of its own (Go's doSlow): the deferred
// calls mark the Once done and unlock it even when fn panics.
struct OnceCall {
    go_once_t *o;
    go_fn_t fn;
    void *arg;
};

void once_unlock(void *arg) { static_cast<go_once_t *>(arg)->mu.unlock(); }
void once_mark_done(void *arg) {
    static_cast<go_once_t *>(arg)->done.store(1, std::memory_order_release);
}

void once_slow(void *arg) {
    auto *call = static_cast<OnceCall *>(arg);
    go_once_t *o = call->o;
    o->mu.lock();
    defer_push(once_unlock, o);
    if (o->done.load(std::memory_order_relaxed) == 0) {
        defer_push(once_mark_done, o);
        call->fn(call->arg);
    }
}
}  // namespace

extern "C" {

go_wg_t *wg_new(void) noexcept { return make<go_wg>(); }

void wg_free(go_wg_t *wg) noexcept {
    if (wg == nullptr) return;
    ErrnoKeeper keep;
    if (!live(wg)) return;  // a double free: the slot reads as freed
    if (wg->wg.has_waiters()) gort::fatal_error("sync: wg_free of a WaitGroup that has waiters");
    release(wg);
}

int wg_add(go_wg_t *wg, int64_t delta) noexcept {
    if (!live(wg)) return GO_EINVAL;
    const char *panic_msg = nullptr;
    int rc;
    {
        ErrnoKeeper keep;
        ForeignScope fs;
        rc = wg->wg.add(delta, &panic_msg);
    }
    if (panic_msg != nullptr) panic_raise(panic_msg);  // outside every C++ scope
    return rc;
}

int wg_done(go_wg_t *wg) noexcept { return wg_add(wg, -1); }

int wg_add_err(go_wg_t *wg, int64_t delta) noexcept {
    if (!live(wg)) return GO_EINVAL;
    ErrnoKeeper keep;
    ForeignScope fs;
    const char *panic_msg = nullptr;
    int rc = wg->wg.add(delta, &panic_msg, true);
    // checked: a negative counter is -ERANGE already; what is left is misuse.
    if (rc < 0) return rc;
    return panic_msg != nullptr ? GO_EBUSY : 0;
}

int wg_done_err(go_wg_t *wg) noexcept { return wg_add_err(wg, -1); }

int wg_wait_err(go_wg_t *wg) noexcept {
    if (!live(wg)) return GO_EINVAL;
    ErrnoKeeper keep;
    ForeignScope fs;
    const char *panic_msg = nullptr;
    wg->wg.wait(&panic_msg);
    return panic_msg != nullptr ? GO_EBUSY : 0;
}

// ---------------------------------------------------------------- Mutex

go_mutex_t *mutex_new(void) noexcept { return make<go_mutex>(); }

void mutex_free(go_mutex_t *mu) noexcept {
    if (!live(mu)) return;
    if (mu->mu.busy()) gort::fatal_error("sync: mutex_free of a locked mutex");
    release(mu);
}

int mutex_lock(go_mutex_t *mu) noexcept {
    if (!live(mu)) return GO_EINVAL;
    // No ForeignScope: a lock wakes nobody, and a foreign thread that waits
    // here is one gort did not create (the deadlock detector stands down).
    mu->mu.lock();
    return 0;
}

int mutex_trylock(go_mutex_t *mu) noexcept {
    if (!live(mu)) return GO_EINVAL;
    return mu->mu.try_lock() ? 1 : 0;
}

int mutex_unlock(go_mutex_t *mu) noexcept {
    if (!live(mu)) return GO_EINVAL;
    // No ForeignScope: a thread that is not a goroutine and unlocks a mutex
    // is a thread gort did not create, and the deadlock detector stands
    // down while one exists (sched.cpp, other_threads_exist).
    mu->mu.unlock(true);
    return 0;
}

int mutex_unlock_err(go_mutex_t *mu) noexcept {
    if (!live(mu)) return GO_EINVAL;
    ForeignScope fs;
    return mu->mu.unlock(false) ? 0 : GO_EPERM;
}

// ---------------------------------------------------------------- RWMutex

go_rwmutex_t *rwmutex_new(void) noexcept { return make<go_rwmutex>(); }

void rwmutex_free(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return;
    if (rw->rw.busy()) gort::fatal_error("sync: rwmutex_free of a locked RWMutex");
    release(rw);
}

int rwmutex_rlock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    ForeignScope fs;
    rw->rw.rlock();
    return 0;
}

int rwmutex_tryrlock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    return rw->rw.try_rlock() ? 1 : 0;
}

int rwmutex_runlock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    ForeignScope fs;
    rw->rw.runlock();
    return 0;
}

int rwmutex_lock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    ForeignScope fs;
    rw->rw.lock();
    return 0;
}

int rwmutex_trylock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    return rw->rw.try_lock() ? 1 : 0;
}

int rwmutex_unlock(go_rwmutex_t *rw) noexcept {
    if (!live(rw)) return GO_EINVAL;
    ForeignScope fs;
    rw->rw.unlock();
    return 0;
}

// ---------------------------------------------------------------- Once

go_once_t *once_new(void) noexcept { return make<go_once>(); }

void once_free(go_once_t *o) noexcept {
    if (!live(o)) return;
    if (o->mu.busy()) gort::fatal_error("sync: once_free of a Once whose function is running");
    release(o);
}

int once_do(go_once_t *o, go_fn_t fn, void *arg) noexcept {
    if (!live(o) || fn == nullptr) return GO_EINVAL;
    if (__builtin_expect(o->done.load(std::memory_order_acquire) != 0, 1)) return 0;
    OnceCall call{o, fn, arg};
    gort::RtScope rt;  // (fn runs inside it: never retaken blind there)
    // A panic in fn goes on past this frame (after its deferred calls ran),
    // as in Go: go_call returns only when fn returned.
    go_call(once_slow, &call);
    return 0;
}

// ---------------------------------------------------------------- Cond

go_cond_t *cond_new(go_mutex_t *mu) noexcept {
    if (!live(mu)) {
        errno = EINVAL;
        return nullptr;
    }
    go_cond *c = make<go_cond>();
    if (c != nullptr) c->l = mu;
    return c;
}

void cond_free(go_cond_t *c) noexcept {
    if (!live(c)) return;
    if (c->list.has_waiters()) gort::fatal_error("sync: cond_free of a Cond that has waiters");
    release(c);
}

int cond_wait(go_cond_t *c) noexcept {
    if (!live(c) || !live(c->l)) return GO_EINVAL;  // (its mutex freed first: caught as well)
    {
        ForeignScope fs;
        std::uint32_t t = c->list.add();
        c->l->mu.unlock();
        c->list.wait_ticket(t);
    }
    return mutex_lock(c->l);
}

int cond_signal(go_cond_t *c) noexcept {
    if (!live(c)) return GO_EINVAL;
    ForeignScope fs;
    c->list.notify_one();
    return 0;
}

int cond_broadcast(go_cond_t *c) noexcept {
    if (!live(c)) return GO_EINVAL;
    ForeignScope fs;
    c->list.notify_all();
    return 0;
}

int wg_wait(go_wg_t *wg) noexcept {
    if (!live(wg)) return GO_EINVAL;
    const char *panic_msg = nullptr;
    {
        ErrnoKeeper keep;
        ForeignScope fs;  // starts the runtime too
        wg->wg.wait(&panic_msg);
    }
    if (panic_msg != nullptr) panic_raise(panic_msg);
    return 0;
}

}  // extern "C"
