// capi/chan.cpp - the extern "C" entry points of gort/chan.h.
//
// Each entry point validates its arguments, runs the operation inside a
// ForeignScope (so that a thread that is not a goroutine counts as inside
// gort for the deadlock detector), and raises Go's panic, when there is one,
// only after every C++ object of its has gone out of scope (the panic's
// jump skips destructors).
#include <gort/chan.h>
#include <gort/defer.h>

#include <cerrno>
#include <cstddef>

#include "../core/chan.hpp"
#include "../core/handle.hpp"
#include "../core/panic.hpp"
#include "../core/sched.hpp"
#include "../core/timer.hpp"

using gort::Chan;
using gort::ChanOwner;
using gort::ForeignScope;

namespace {

inline Chan *as_chan(go_chan_t *ch) { return reinterpret_cast<Chan *>(ch); }
// Not a typed read: ch may be any pointer (core/handle.hpp).
static_assert(offsetof(Chan, magic) == 0, "handle_is reads the magic at offset 0");
inline bool live(const go_chan_t *ch) { return gort::handle_is(ch, Chan::kMagic); }

const char kSendClosed[] = "send on closed channel";
const char kCloseClosed[] = "close of closed channel";
const char kCloseNil[] = "close of nil channel";

int send(go_chan_t *ch, const void *value, bool block) {
    if (ch != nullptr) {
        if (!live(ch)) return GO_EINVAL;
        if (value == nullptr && as_chan(ch)->elemsize != 0) return GO_EINVAL;
    }
    ForeignScope fs;
    return gort::chan_send_impl(as_chan(ch), value, block, fs.entry_m());
}

int close_chan(go_chan_t *ch) {
    if (!live(ch)) return GO_EINVAL;
    ForeignScope fs;
    return gort::chan_close_impl(as_chan(ch), fs.entry_m());
}

// Validates the cases; returns the index of the default case, -1 when there
// is none, or GO_EINVAL.
int check_cases(const go_select_case_t *cases, int n) {
    if (n < 0 || n > GO_SELECT_MAX || (cases == nullptr && n > 0)) return GO_EINVAL;
    int dflt = -1;
    for (int i = 0; i < n; i++) {
        const go_select_case_t &cs = cases[i];
        switch (cs.dir) {
        case GO_SELECT_DEFAULT:
            if (dflt >= 0) return GO_EINVAL;  // Go: "multiple defaults in select"
            dflt = i;
            break;
        case GO_SELECT_SEND:
            if (cs.chan != nullptr) {
                if (!live(cs.chan)) return GO_EINVAL;
                if (cs.value == nullptr && as_chan(cs.chan)->elemsize != 0) return GO_EINVAL;
            }
            break;
        case GO_SELECT_RECV:
            if (cs.chan != nullptr && !live(cs.chan)) return GO_EINVAL;
            break;
        default:
            return GO_EINVAL;
        }
    }
    return dflt;
}

// Returns the case index, or an error; *closed_case: a send case that found
// its channel closed.
int select_cases(go_select_case_t *cases, int n, int *closed_case) {
    *closed_case = -1;
    int dflt = check_cases(cases, n);
    if (dflt < -1) return dflt;
    bool send_closed = false;
    int i;
    {
        ForeignScope fs;
        i = gort::select_impl(cases, n, dflt < 0, &send_closed, fs.entry_m());
    }
    if (i < 0) return dflt;
    if (send_closed) *closed_case = i;
    return i;
}

}  // namespace

extern "C" {

go_chan_t *chan_new(size_t elem_size, size_t cap) noexcept {
    return reinterpret_cast<go_chan_t *>(gort::chan_make(elem_size, cap));
}

void chan_free(go_chan_t *ch) noexcept {
    if (ch == nullptr || !live(ch)) return;  // a double free: the slot reads as freed (handle.hpp)
    int saved = errno;
    Chan *c = as_chan(ch);
    if (c->owner == ChanOwner::kTimer)
        gort::fatal_error("chan_free of a timer's or ticker's channel (free the timer instead)");
    if (c->owner == ChanOwner::kUserWithTimer) {
        ForeignScope fs;  // a timer fewer may leave the program deadlocked
        // go_after: cancel the timer first; once timer_del returns, the timer
        // thread will not send on this channel again.
        gort::timer_del(c->timer);
        delete c->timer;
        c->timer = nullptr;
    }
    gort::chan_destroy(c);
    errno = saved;
}

int chan_send(go_chan_t *ch, const void *value) noexcept {
    int rc = send(ch, value, true);
    if (rc == gort::kChanSendClosed) gort::panic_plain_runtime_error(kSendClosed);
    return rc == gort::kChanOk ? 0 : rc;
}

int chan_send_err(go_chan_t *ch, const void *value) noexcept {
    int rc = send(ch, value, true);
    if (rc == gort::kChanSendClosed) return GO_ECLOSED;
    return rc == gort::kChanOk ? 0 : rc;
}

int chan_try_send(go_chan_t *ch, const void *value) noexcept {
    int rc = send(ch, value, false);
    if (rc == gort::kChanSendClosed) gort::panic_plain_runtime_error(kSendClosed);
    return rc == gort::kChanOk ? 1 : rc == gort::kChanWouldBlock ? 0 : rc;
}

int chan_try_send_err(go_chan_t *ch, const void *value) noexcept {
    int rc = send(ch, value, false);
    if (rc == gort::kChanSendClosed) return GO_ECLOSED;
    return rc == gort::kChanOk ? 1 : rc == gort::kChanWouldBlock ? 0 : rc;
}

int chan_recv(go_chan_t *ch, void *out) noexcept {
    if (ch != nullptr && !live(ch)) return GO_EINVAL;
    ForeignScope fs;
    return gort::chan_recv_impl(as_chan(ch), out, true, fs.entry_m());  // kChanOk (1) or kChanClosed (0)
}

int chan_try_recv(go_chan_t *ch, void *out, int *ok) noexcept {
    if (ch != nullptr && !live(ch)) return GO_EINVAL;
    int rc;
    {
        ForeignScope fs;
        rc = gort::chan_recv_impl(as_chan(ch), out, false, fs.entry_m());
    }
    if (rc == gort::kChanWouldBlock) return 0;
    if (ok != nullptr) *ok = rc == gort::kChanOk;
    return 1;
}

int chan_close(go_chan_t *ch) noexcept {
    if (ch == nullptr) gort::panic_plain_runtime_error(kCloseNil);
    int rc = close_chan(ch);
    if (rc == gort::kChanSendClosed) gort::panic_plain_runtime_error(kCloseClosed);
    return rc == gort::kChanOk ? 0 : rc;
}

int chan_close_err(go_chan_t *ch) noexcept {
    if (ch == nullptr) return GO_EINVAL;
    int rc = close_chan(ch);
    if (rc == gort::kChanSendClosed) return GO_ECLOSED;
    return rc == gort::kChanOk ? 0 : rc;
}

int chan_len(go_chan_t *ch) noexcept {
    if (ch == nullptr) return 0;
    if (!live(ch)) return GO_EINVAL;
    return gort::chan_len_locked_read(as_chan(ch));
}

int chan_cap(go_chan_t *ch) noexcept {
    if (ch == nullptr) return 0;
    if (!live(ch)) return GO_EINVAL;
    return static_cast<int>(as_chan(ch)->cap);
}

int chan_elem_size(go_chan_t *ch) noexcept {
    if (ch == nullptr || !live(ch)) return GO_EINVAL;
    return static_cast<int>(as_chan(ch)->elemsize);
}

int go_select(go_select_case_t *cases, int ncases) noexcept {
    int closed_case;
    int rc = select_cases(cases, ncases, &closed_case);
    if (closed_case >= 0) gort::panic_plain_runtime_error(kSendClosed);
    return rc;
}

int go_select_err(go_select_case_t *cases, int ncases) noexcept {
    int closed_case;
    int rc = select_cases(cases, ncases, &closed_case);
    if (closed_case >= 0) {
        cases[closed_case].ok = GO_ECLOSED;
        return GO_ECLOSED;
    }
    return rc;
}

}  // extern "C"
