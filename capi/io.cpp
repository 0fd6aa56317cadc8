// capi/io.cpp - the extern "C" entry points of gort/io.h.
//
// Each entry point checks its arguments, runs the operation inside a
// ForeignScope (a thread that is not a goroutine counts as inside gort
// while it waits, for the deadlock detector), and turns core's negated
// errno into the system-call convention of gort/io.h: -1 (or NULL) with
// errno set, errno untouched on success. errno is written through
// errno_location(): the call may have parked and resumed on another thread.
#include <gort/io.h>

#include <cerrno>

#include "../core/netpoll.hpp"
#include "../core/sched.hpp"

using gort::FdHandle;
using gort::ForeignScope;

namespace {

inline FdHandle handle(const go_fd_t *fd) { return reinterpret_cast<std::uintptr_t>(fd); }

inline go_fd_t *to_fd(std::int64_t h) {
    return reinterpret_cast<go_fd_t *>(static_cast<std::uintptr_t>(h));
}


// Restores the caller's errno unless the call failed (then it sets it).
class IoErrno {
public:
    IoErrno() : saved_(errno) {}
    ~IoErrno() { *gort::errno_location() = failed_ ? err_ : saved_; }
    IoErrno(const IoErrno &) = delete;
    IoErrno &operator=(const IoErrno &) = delete;
    // r < 0 is a negated errno: record it and return -1.
    template <class T>
    T result(T r) {
        if (r >= 0) return r;
        fail(static_cast<int>(-r));
        return -1;
    }
    void fail(int e) {
        failed_ = true;
        err_ = e;
    }

private:
    int saved_;
    int err_ = 0;
    bool failed_ = false;
};

}  // namespace

extern "C" {

int go_errno(void) noexcept { return *gort::errno_location(); }

go_fd_t *go_fd_open(int fd) noexcept {
    IoErrno io;
    std::int64_t h;
    {
        ForeignScope fs;
        h = gort::fd_adopt(fd, 0);
    }
    if (h < 0) {
        io.fail(static_cast<int>(-h));
        return nullptr;
    }
    return to_fd(h);
}

ssize_t go_fd_read(go_fd_t *fd, void *buf, size_t len) noexcept {
    IoErrno io;
    if (fd == nullptr || (buf == nullptr && len > 0)) return io.result<ssize_t>(-EINVAL);
    ForeignScope fs;
    return io.result<ssize_t>(gort::fd_read(handle(fd), buf, len));
}

ssize_t go_fd_write(go_fd_t *fd, const void *buf, size_t len) noexcept {
    IoErrno io;
    if (fd == nullptr || (buf == nullptr && len > 0)) return io.result<ssize_t>(-EINVAL);
    ForeignScope fs;
    int err = 0;
    std::int64_t n = gort::fd_write(handle(fd), buf, len, &err);
    if (err == 0) return static_cast<ssize_t>(n);
    io.fail(err);
    return n > 0 ? static_cast<ssize_t>(n) : -1;
}

go_fd_t *go_fd_accept(go_fd_t *fd, struct sockaddr *addr, socklen_t *addrlen) noexcept {
    IoErrno io;
    if (fd == nullptr || (addr != nullptr && addrlen == nullptr)) {
        io.fail(EINVAL);
        return nullptr;
    }
    std::int64_t h;
    {
        ForeignScope fs;
        h = gort::fd_accept(handle(fd), addr, addr != nullptr ? addrlen : nullptr);
    }
    if (h < 0) {
        io.fail(static_cast<int>(-h));
        return nullptr;
    }
    return to_fd(h);
}

int go_fd_connect(go_fd_t *fd, const struct sockaddr *addr, socklen_t addrlen) noexcept {
    IoErrno io;
    if (fd == nullptr || addr == nullptr) return io.result(-EINVAL);
    ForeignScope fs;
    return io.result(gort::fd_connect(handle(fd), addr, addrlen));
}

int go_fd_wait(go_fd_t *fd, int events) noexcept {
    IoErrno io;
    if (fd == nullptr || (events != GO_POLL_IN && events != GO_POLL_OUT)) return io.result(-EINVAL);
    ForeignScope fs;
    return io.result(gort::fd_wait(handle(fd), events));
}

int go_fd_set_deadline(go_fd_t *fd, int which, int64_t deadline) noexcept {
    IoErrno io;
    if (fd == nullptr || which < GO_DEADLINE_READ || which > GO_DEADLINE_BOTH ||
        (deadline < 0 && deadline != GO_NO_DEADLINE))
        return io.result(-EINVAL);
    ForeignScope fs;  // a timer may start the runtime's timer thread
    return io.result(gort::fd_set_deadline(handle(fd), which, deadline));
}

int go_fd_shutdown(go_fd_t *fd, int how) noexcept {
    IoErrno io;
    if (fd == nullptr || (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR))
        return io.result(-EINVAL);
    return io.result(gort::fd_shutdown(handle(fd), how));
}

int go_fd_close(go_fd_t *fd) noexcept {
    IoErrno io;
    if (fd == nullptr) return io.result(-EINVAL);
    ForeignScope fs;
    return io.result(gort::fd_close(handle(fd)));
}

int go_fd_release(go_fd_t *fd) noexcept {
    IoErrno io;
    if (fd == nullptr) return io.result(-EINVAL);
    ForeignScope fs;
    return io.result(gort::fd_release(handle(fd)));
}

int go_fd_fileno(go_fd_t *fd) noexcept {
    IoErrno io;
    if (fd == nullptr) return io.result(-EINVAL);
    return io.result(gort::fd_fileno(handle(fd)));
}

int go_poll_fd(int fd, int events, int64_t deadline) noexcept {
    IoErrno io;
    constexpr int kAll = GO_POLL_IN | GO_POLL_OUT | GO_POLL_ERR | GO_POLL_HUP;
    if ((events & (GO_POLL_IN | GO_POLL_OUT)) == 0 || (events & ~kAll) != 0 ||
        (deadline < 0 && deadline != GO_NO_DEADLINE))
        return io.result(-EINVAL);
    if (fd < 0) return io.result(-EBADF);
    ForeignScope fs;
    return io.result(gort::poll_fd(fd, events, deadline));
}

}  // extern "C"

static_assert(GO_POLL_IN == gort::kPollIn && GO_POLL_OUT == gort::kPollOut &&
                  GO_POLL_ERR == gort::kPollErr && GO_POLL_HUP == gort::kPollHup,
              "gort/io.h and core/netpoll.hpp agree on the poll events");
static_assert(GO_DEADLINE_READ == gort::kDirRead && GO_DEADLINE_WRITE == gort::kDirWrite,
              "gort/io.h and core/netpoll.hpp agree on the deadline directions");
