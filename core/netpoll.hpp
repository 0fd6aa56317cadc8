// netpoll.hpp - the network poller's interface to the scheduler.
// (CONTRACT between the scheduler and netpoll.cpp; netpoll.cpp's file-top
// essay tells the design.)
//
// The scheduler calls these; netpoll.cpp implements them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/socket.h>

namespace gort {

struct G;

// Poll the epoll set once. delay_ns < 0: block until an event or
// netpoll_break(); 0: do not block; > 0: block at most that long.
// Returns the goroutines made runnable by the events (status already
// kGRunnable, linked through schedlink, head returned), or null. Their
// count goes to *n when n is not null. Safe from any thread, holding no
// lock; only one thread blocks in it at a time (the caller ensures it).
G *netpoll(std::int64_t delay_ns, int *n);

// Interrupt a blocking netpoll() (an eventfd write). Coalesced: many calls
// while one poll blocks cost one write. Any thread.
void netpoll_break();

// Whether netpoll was ever started (an fd registered): cheap, one load.
bool netpoll_inited();

// Goroutines parked waiting for fd readiness now (Go's netpollWaiters).
// While > 0 the program is not deadlocked. One load.
std::int32_t netpoll_waiters();

// nanotime() of the last netpoll() return (0: never), for sysmon's
// "nobody polled for 10 ms" rule.
std::int64_t netpoll_last();

// After fork in the child: forget the parent's epoll set (the child gets a
// fresh one on first use).
void netpoll_reset_after_fork();

}  // namespace gort

// ------------------------------------------------------------------------
// The fd layer over the poller (Go's internal/poll.FD), for capi/io.cpp and
// capi/net.cpp. Not part of the scheduler's contract above.
//
// Every function returns a value >= 0 or a negated errno, and may be called
// from any thread: a goroutine waits by parking (netpoll readies it), any
// other thread (a pinned goroutine's included) by blocking in ppoll(2).
// None of them touches errno as the caller sees it except through the
// system calls it makes: the capi layer saves and sets errno.

namespace gort {

// Names one incarnation of a descriptor: (generation << 32) | slot, never
// 0, always positive as an int64. Once the descriptor is closed the
// handle is stale for good (EBADF), whatever the slot holds later.
using FdHandle = std::uint64_t;

// Poll events and deadline directions (the values of gort/io.h).
constexpr int kPollIn = 0x001, kPollOut = 0x004, kPollErr = 0x008, kPollHup = 0x010;
constexpr int kDirRead = 1, kDirWrite = 2;

// Flags for fd_adopt.
constexpr unsigned kAdoptSocket = 1u;       // known to be a socket (skips fstat)
constexpr unsigned kAdoptNonblocking = 2u;  // O_NONBLOCK set by gort at creation (skips fcntl)
constexpr unsigned kAdoptTcp = 4u;          // a TCP socket (accepted sockets get TCP_NODELAY)

// Adopt fd: O_NONBLOCK, one edge-triggered registration. An fd epoll
// refuses (a regular file: EPERM) is adopted unpollable: its operations are
// plain blocking calls (a goroutine's inside syscall_enter/exit) and it
// takes no deadline. Returns the handle, or -EBADF, -EEXIST (already
// registered: adopted twice), -ENOMEM, ...
std::int64_t fd_adopt(int fd, unsigned flags);
std::int64_t fd_read(FdHandle h, void *buf, std::size_t len);
// Writes all of buf, waiting as needed. Returns the bytes written; *err is
// 0, or the errno that stopped it (then the count may be short, even 0).
std::int64_t fd_write(FdHandle h, const void *buf, std::size_t len, int *err);
std::int64_t fd_accept(FdHandle h, struct sockaddr *addr, socklen_t *addrlen);
int fd_connect(FdHandle h, const struct sockaddr *addr, socklen_t addrlen);
// Wait for one direction (kPollIn or kPollOut). 0 when ready (perhaps
// spuriously), -ETIMEDOUT, -EBADF.
int fd_wait(FdHandle h, int events);
// which: kDirRead|kDirWrite; deadline: absolute nanotime(), -1 for none.
int fd_set_deadline(FdHandle h, int which, std::int64_t deadline);
int fd_shutdown(FdHandle h, int how);
int fd_fileno(FdHandle h);
// getsockname / getpeername of h's socket.
int fd_sockname(FdHandle h, bool peer, struct sockaddr_storage *ss, socklen_t *len);
// Remember a Unix socket path to unlink when h is closed (go_listen).
int fd_set_unlink_path(FdHandle h, const char *path);
// Close: wake every waiter (EBADF), then the last in-flight operation
// unregisters and closes the fd; returns once that happened, with
// close(2)'s result. Release: the same, but the fd is not closed, gets its
// O_NONBLOCK flag back as it was, and is returned.
int fd_close(FdHandle h);
int fd_release(FdHandle h);
// Wait for readiness of an fd gort does not own (go_poll_fd): returns the
// kPoll* events that are ready, or -ETIMEDOUT, -EBADF, ...
int poll_fd(int fd, int events, std::int64_t deadline);

}  // namespace gort
