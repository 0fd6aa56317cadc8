// capi/time.cpp - the extern "C" entry points of gort/time.h.
#include <gort/defer.h>
#include <gort/time.h>

#include <cerrno>
#include <cstddef>
#include <new>

#include "../core/chan.hpp"
#include "../core/handle.hpp"
#include "../core/sched.hpp"
#include "../core/timer.hpp"

using gort::Chan;
using gort::ChanOwner;
using gort::HandleKind;
using gort::Timer;

// A go_timer_t or go_ticker_t is a Timer (its magic tells which) plus the
// channel it owns.
struct go_timer {
    Timer t;
};
struct go_ticker {
    Timer t;
};

namespace {

constexpr std::uint32_t kTickerMagic = 0x7449434bu;  // "tICK"

// Timers and tickers have pools of their own (core/handle.hpp); the magic
// is read untyped: t may be any pointer, freed, or of another type.
static_assert(offsetof(go_timer, t) == 0 && offsetof(go_ticker, t) == 0 && offsetof(Timer, magic) == 0,
              "magic first");
inline bool live_timer(const go_timer_t *t) { return gort::handle_is(t, Timer::kMagic); }
inline bool live_ticker(const go_ticker_t *t) { return gort::handle_is(t, kTickerMagic); }

// A channel timer's channel: element size 8 (the time), capacity 1, as Go's.
Chan *timer_chan(ChanOwner owner) {
    Chan *c = gort::chan_make(sizeof(std::int64_t), 1);
    if (c != nullptr) c->owner = owner;
    return c;
}

const char kNewTickerMsg[] = "non-positive interval for NewTicker";
const char kResetTickerMsg[] = "non-positive interval for Ticker.Reset";

go_ticker_t *ticker_new(int64_t period) {
    gort::ensure_runtime();
    auto *tk = gort::handle_new<go_ticker>(HandleKind::kTicker);
    Chan *c = tk != nullptr ? timer_chan(ChanOwner::kTimer) : nullptr;
    if (c == nullptr) {
        if (tk != nullptr) gort::handle_delete(HandleKind::kTicker, tk);
        errno = ENOMEM;
        return nullptr;
    }
    tk->t.magic = kTickerMagic;
    tk->t.kind = Timer::Kind::kChan;
    tk->t.c = c;
    gort::timer_add(&tk->t, gort::deadline_after(period), period);
    return tk;
}

}  // namespace

extern "C" {

int64_t go_nanotime(void) noexcept { return gort::nanotime(); }

go_chan_t *go_after(int64_t ns) noexcept {
    gort::ensure_runtime();
    int saved = errno;
    Chan *c = timer_chan(ChanOwner::kUserWithTimer);
    Timer *t = c != nullptr ? new (std::nothrow) Timer() : nullptr;
    if (t == nullptr) {
        if (c != nullptr) gort::chan_destroy(c);
        errno = ENOMEM;
        return nullptr;
    }
    t->kind = Timer::Kind::kChan;
    t->c = c;
    c->timer = t;
    gort::timer_add(t, gort::deadline_after(ns), 0);
    errno = saved;
    return reinterpret_cast<go_chan_t *>(c);
}

go_timer_t *go_timer_new(int64_t ns) noexcept {
    gort::ensure_runtime();
    int saved = errno;
    auto *tm = gort::handle_new<go_timer>(HandleKind::kTimer);
    Chan *c = tm != nullptr ? timer_chan(ChanOwner::kTimer) : nullptr;
    if (c == nullptr) {
        if (tm != nullptr) gort::handle_delete(HandleKind::kTimer, tm);
        errno = ENOMEM;
        return nullptr;
    }
    tm->t.kind = Timer::Kind::kChan;
    tm->t.c = c;
    gort::timer_add(&tm->t, gort::deadline_after(ns), 0);
    errno = saved;
    return tm;
}

go_timer_t *go_timer_func(int64_t ns, go_fn_t fn, void *arg) noexcept {
    if (fn == nullptr) {
        errno = EINVAL;
        return nullptr;
    }
    gort::ensure_runtime();
    int saved = errno;
    auto *tm = gort::handle_new<go_timer>(HandleKind::kTimer);
    if (tm == nullptr) {
        errno = ENOMEM;
        return nullptr;
    }
    tm->t.kind = Timer::Kind::kFunc;
    tm->t.fn = fn;
    tm->t.arg = arg;
    gort::timer_add(&tm->t, gort::deadline_after(ns), 0);
    errno = saved;
    return tm;
}

go_chan_t *go_timer_chan(go_timer_t *t) noexcept {
    if (!live_timer(t)) return nullptr;
    return reinterpret_cast<go_chan_t *>(t->t.c);
}

int go_timer_stop(go_timer_t *t) noexcept {
    if (!live_timer(t)) return GO_EINVAL;
    gort::ForeignScope fs;  // a timer fewer may leave the program deadlocked
    return gort::timer_del(&t->t) ? 1 : 0;
}

int go_timer_reset(go_timer_t *t, int64_t ns) noexcept {
    if (!live_timer(t)) return GO_EINVAL;
    gort::ForeignScope fs;
    return gort::timer_modify(&t->t, gort::deadline_after(ns), 0) ? 1 : 0;
}

void go_timer_free(go_timer_t *t) noexcept {
    if (!live_timer(t)) return;
    int saved = errno;
    gort::ForeignScope fs;
    gort::timer_del(&t->t);
    if (t->t.c != nullptr) gort::chan_destroy(t->t.c);
    gort::handle_delete(HandleKind::kTimer, t);  // the slot now reads as freed
    errno = saved;
}

go_ticker_t *go_ticker_new(int64_t period) noexcept {
    if (period <= 0) panic_raise(kNewTickerMsg);
    return ticker_new(period);
}

go_ticker_t *go_ticker_new_err(int64_t period) noexcept {
    if (period <= 0) {
        errno = EINVAL;
        return nullptr;
    }
    return ticker_new(period);
}

go_chan_t *go_ticker_chan(go_ticker_t *t) noexcept {
    if (!live_ticker(t)) return nullptr;
    return reinterpret_cast<go_chan_t *>(t->t.c);
}

int go_ticker_stop(go_ticker_t *t) noexcept {
    if (!live_ticker(t)) return GO_EINVAL;
    gort::ForeignScope fs;
    gort::timer_del(&t->t);
    return 0;
}

int go_ticker_reset_err(go_ticker_t *t, int64_t period) noexcept {
    if (!live_ticker(t) || period <= 0) return GO_EINVAL;
    gort::ForeignScope fs;
    gort::timer_modify(&t->t, gort::deadline_after(period), period);
    return 0;
}

int go_ticker_reset(go_ticker_t *t, int64_t period) noexcept {
    if (!live_ticker(t)) return GO_EINVAL;
    if (period <= 0) panic_raise(kResetTickerMsg);
    return go_ticker_reset_err(t, period);
}

void go_ticker_free(go_ticker_t *t) noexcept {
    if (!live_ticker(t)) return;
    int saved = errno;
    gort::ForeignScope fs;
    gort::timer_del(&t->t);
    gort::chan_destroy(t->t.c);
    gort::handle_delete(HandleKind::kTicker, t);  // the slot now reads as freed
    errno = saved;
}

}  // extern "C"
