/* gort/io.h - file descriptors that block goroutines, not threads.
 *
 * A goroutine that reads a socket with read(2) blocks its OS thread and,
 * with it, every goroutine queued on that thread's processor. The
 * functions here wait the way Go's net and os packages do: the fd is put in
 * non-blocking mode and registered once with gort's network poller (one
 * epoll set, edge-triggered); an operation tries the system call, and when
 * it would block, parks the calling goroutine until the poller sees the fd
 * ready. A read that finds data costs one read(2) and nothing else.
 *
 *     go_fd_t *c = go_fd_open(sock);               // adopt an fd
 *     char buf[4096];
 *     go_fd_set_deadline(c, GO_DEADLINE_READ, go_nanotime() + 5000000000LL);
 *     ssize_t n = go_fd_read(c, buf, sizeof buf);  // parks until data, EOF,
 *     if (n < 0 && go_errno() == ETIMEDOUT) ...    // or 5 s have passed
 *     go_fd_write(c, buf, n);                      // writes all of it
 *     go_fd_close(c);
 *
 * gort/net.h builds listen/dial/accept over this (Go's net.Listen/Dial).
 *
 * THE I/O ERROR CONVENTION. The functions here are system calls and follow
 * the system-call convention, not gort's negative codes (gort/common.h):
 * they return -1 (NULL for a handle) and set errno. Besides what the
 * underlying system call reports (ECONNRESET, EPIPE, ...):
 *   EBADF      the go_fd_t is closed: before the call, or while it waited
 *              (go_fd_close wakes every waiter with EBADF, as Go's
 *              ErrClosed); also any handle gort did not return, or one used
 *              after go_fd_close / go_fd_release returned;
 *   ETIMEDOUT  the deadline of that direction passed (Go's
 *              os.ErrDeadlineExceeded), before or during the wait;
 *   EINVAL     a NULL handle or buffer, or an argument out of range.
 * On success errno is left as the caller had it.
 *
 * ERRNO IN A GOROUTINE. A call that parks may resume the goroutine on
 * another OS thread, and errno is per thread: gort writes the result into
 * the errno of the thread the call returns on. But glibc declares
 * __errno_location() `const`, so a compiler may compute errno's address
 * once and reuse it across the call (it does, at -O2, when the function
 * touched errno before: `errno = 0; n = go_fd_read(...); if (errno ...)`),
 * and then read the errno of the thread the goroutine left. In a goroutine,
 * read the error with go_errno() after a call that may park; it is never
 * cached. (Threads that are not goroutines, and pinned goroutines, never
 * change threads: errno is fine there.)
 *
 * DEADLINES are Go's SetReadDeadline/SetWriteDeadline: absolute times on
 * the go_nanotime() clock (CLOCK_MONOTONIC, nanoseconds), one per
 * direction, GO_NO_DEADLINE (-1) for none. A deadline applies to every
 * operation of its direction until changed (set it again before each
 * read for an idle timeout); a deadline in the past makes operations fail
 * at once; changing it while a goroutine waits takes effect at once
 * (later: it waits longer; earlier or past: it fails now; none: it waits
 * for the fd). A deadline that passes leaves the fd usable: clear or move
 * it and go on.
 *
 * WHO WAITS. At most one reader and one writer wait in the poller per fd
 * at a time; other goroutines reading (writing) the same fd queue behind
 * them in order, as Go's fdMutex does (a read and a write proceed
 * independently). go_fd_close wakes the queued ones too (EBADF).
 *
 * THREADS. Any thread may call any function here. A goroutine parks while
 * it waits (its thread runs other goroutines) and shows "IO wait" as its
 * wait reason; while any goroutine waits for I/O, the program is not
 * deadlocked (the deadlock detector stays quiet: the fd may become ready
 * from outside). A thread that is not a goroutine, and a pinned goroutine
 * (gort/pinned.h), make the plain blocking call instead (a ppoll(2) on the
 * fd, with the deadline as its timeout); go_fd_close and deadline changes
 * wake them as they wake a goroutine.
 *
 * FILES. An fd epoll refuses (a regular file or a directory) is adopted
 * anyway, in blocking mode: its reads and writes are plain system calls (a
 * goroutine's between go_syscall_enter and go_syscall_exit, so its
 * processor goes on running the others), and it takes no deadline
 * (go_fd_set_deadline fails with ENOTSUP, as Go's ErrNoDeadline).
 *
 * O_NONBLOCK IS SHARED. The flag belongs to the open file description, not
 * to the fd: a dup(2) of an adopted fd, the same fd in a child after fork,
 * or a socket passed to another process sees it too. Adopt only fds that
 * nobody else uses in blocking mode; go_fd_release gives the fd back with
 * the flag as it was.
 *
 * SIGPIPE. Writes to sockets use MSG_NOSIGNAL: a peer that went away is
 * EPIPE (as in Go). A write to a pipe whose reader is gone raises SIGPIPE
 * as in any C program, unless the program ignores it.
 *
 * Since 0.4.0.
 */
#ifndef GORT_IO_H
#define GORT_IO_H

#include <gort/common.h>

#include <sys/types.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An adopted file descriptor: Go's internal/poll.FD. The handle is opaque,
 * not a pointer to memory; once the fd is closed or released it stays
 * invalid (EBADF) for good, even when the fd number is reused. */
typedef struct go_fd go_fd_t;

/* Readiness events (go_fd_wait, go_poll_fd). Their values are those of
 * POLLIN, POLLOUT, POLLERR and POLLHUP on Linux. */
#define GO_POLL_IN  0x001 /* readable: data, EOF, a connection to accept */
#define GO_POLL_OUT 0x004 /* writable */
#define GO_POLL_ERR 0x008 /* an error is pending (go_poll_fd result only) */
#define GO_POLL_HUP 0x010 /* hung up (go_poll_fd result only) */

/* Deadline directions (go_fd_set_deadline). */
#define GO_DEADLINE_READ  1
#define GO_DEADLINE_WRITE 2
#define GO_DEADLINE_BOTH  3

/* No deadline. */
#define GO_NO_DEADLINE ((int64_t)-1)

/* go_errno - the calling thread's errno, read afresh (an out-of-line call
 * the compiler cannot fold into an address computed before a park): use it
 * instead of errno after a gort call that may park, in a goroutine. Never
 * fails; changes nothing. Any thread. Since 0.4.0. */
GORT_API int go_errno(void) GORT_NOEXCEPT;

/* go_fd_open - adopt @fd: set O_NONBLOCK on it and register it with the
 * poller (once: no later call adds an epoll_ctl). The fd now belongs to the
 * handle: close it with go_fd_close (or take it back with go_fd_release),
 * never with close(2) while the handle lives.
 * Returns the handle, or NULL with errno: EBADF (@fd is not open), EEXIST
 * (@fd is adopted already: an fd can be adopted once), ENOMEM, ENOSPC (the
 * epoll watch limit), or what fcntl(2) reported. @fd is left as it was on
 * failure. Never blocks. Any thread. Since 0.4.0. */
GORT_API go_fd_t *go_fd_open(int fd) GORT_NOEXCEPT;

/* go_fd_read - read(2) up to @len bytes into @buf, waiting until some are
 * available. Returns the count read (> 0), 0 at end of file (the peer shut
 * down or closed its side; also when @len is 0), or -1 with errno: EBADF,
 * ETIMEDOUT (the read deadline passed; nothing was read), EINVAL (@fd NULL,
 * or @buf NULL with @len > 0), ECONNRESET and the like. A read larger than
 * 1 GiB reads at most 1 GiB. May park the calling goroutine (block a
 * thread). Since 0.4.0. */
GORT_API ssize_t go_fd_read(go_fd_t *fd, void *buf, size_t len) GORT_NOEXCEPT;

/* go_fd_write - write all @len bytes of @buf, waiting for room as often as
 * needed (Go's Write: it returns only when everything is written or an
 * error stopped it). Returns @len; or, on error, -1 with errno when nothing
 * was written, or the count written so far (< @len) with errno set to the
 * error (as Go returns n and err together): EBADF (closed during the
 * write), ETIMEDOUT (the write deadline passed), EPIPE, ECONNRESET, EINVAL
 * (@fd NULL, or @buf NULL with @len > 0). Check `n != len`, then errno.
 * May park the calling goroutine (block a thread). Since 0.4.0. */
GORT_API ssize_t go_fd_write(go_fd_t *fd, const void *buf, size_t len) GORT_NOEXCEPT;

/* go_fd_accept - accept(2) a connection on the listening socket @fd,
 * waiting for one; the new socket is adopted (non-blocking, close-on-exec,
 * registered; a TCP listener made by go_listen gives it TCP_NODELAY, as
 * Go's TCPConn). @addr/@addrlen as accept(2) (both may be NULL). A
 * connection reset while it was queued (ECONNABORTED) is skipped, as Go
 * does. Returns the new handle, or NULL with errno: EBADF, ETIMEDOUT (the
 * read deadline of @fd), EINVAL, EMFILE/ENFILE (out of fds) and the like.
 * May park the calling goroutine (block a thread). Since 0.4.0. */
GORT_API go_fd_t *go_fd_accept(go_fd_t *fd, struct sockaddr *addr, socklen_t *addrlen) GORT_NOEXCEPT;

/* go_fd_connect - connect(2) the socket @fd to @addr and wait until the
 * connection is established or fails (Go's netFD.connect: a non-blocking
 * connect, a wait for writability, then SO_ERROR). The wait is bounded by
 * @fd's write deadline. Returns 0, or -1 with errno: ECONNREFUSED,
 * ETIMEDOUT (the write deadline, or the kernel's own SYN timeout),
 * ENETUNREACH, EBADF, EINVAL (@fd or @addr NULL), EAGAIN (a Unix socket
 * whose listener's backlog is full, as Go reports it) and the like. May
 * park the calling goroutine (block a thread). Since 0.4.0. */
GORT_API int go_fd_connect(go_fd_t *fd, const struct sockaddr *addr, socklen_t addrlen) GORT_NOEXCEPT;

/* go_fd_wait - wait until @fd is readable (@events == GO_POLL_IN) or
 * writable (GO_POLL_OUT), for system calls gort does not wrap (recvmsg,
 * sendfile, a library's own I/O on go_fd_fileno(fd)): Go's
 * syscall.RawConn. Call it after such a call failed with EAGAIN, then try
 * again: it returns when poll(2) finds the fd ready (an edge the caller
 * already consumed, or a late event of a closed fd that had the same
 * number, does not count; since 0.6.0), never late. The fd may of course
 * be drained again by another reader before the call is retried. Bounded by that direction's deadline; waits in line with the
 * readers (writers) of go_fd_read (go_fd_write). Returns 0 (ready), or -1
 * with errno: ETIMEDOUT, EBADF, EINVAL (@fd NULL, or @events not exactly
 * one of GO_POLL_IN and GO_POLL_OUT: to wait for either, use two
 * goroutines). An unpollable fd (a regular file) is always ready. May park
 * the calling goroutine (block a thread). Since 0.4.0. */
GORT_API int go_fd_wait(go_fd_t *fd, int events) GORT_NOEXCEPT;

/* go_fd_set_deadline - set the deadline of @which (GO_DEADLINE_READ,
 * GO_DEADLINE_WRITE or GO_DEADLINE_BOTH) to @deadline: an absolute
 * go_nanotime() value, or GO_NO_DEADLINE. See DEADLINES above. Returns 0,
 * or -1 with errno: EBADF, EINVAL (@fd NULL, @which not one of the three,
 * @deadline negative but not GO_NO_DEADLINE), ENOTSUP (an unpollable fd:
 * a regular file). Never blocks. Since 0.4.0. */
GORT_API int go_fd_set_deadline(go_fd_t *fd, int which, int64_t deadline) GORT_NOEXCEPT;

/* go_fd_shutdown - shutdown(2) one or both directions of the socket @fd
 * (@how: SHUT_RD, SHUT_WR or SHUT_RDWR; Go's CloseRead/CloseWrite): the
 * peer reads EOF after SHUT_WR, while this side can still read. Returns 0,
 * or -1 with errno: EBADF, EINVAL, ENOTCONN, ENOTSOCK. Never blocks.
 * Since 0.4.0. */
GORT_API int go_fd_shutdown(go_fd_t *fd, int how) GORT_NOEXCEPT;

/* go_fd_close - close @fd (Go's FD.Close). No new operation starts (EBADF);
 * every goroutine and thread waiting on it, or queued behind a waiter,
 * wakes with EBADF; then the last operation still in flight unregisters
 * the fd and close(2)s it, and go_fd_close returns once that happened. So
 * when it returns the fd number is closed (and may be reused), and no
 * operation of this handle will ever touch it again. A Unix socket
 * listener made by go_listen removes its socket file first, as Go does.
 * Returns 0, or -1 with errno: EBADF (already closed, or being closed by
 * another call, which does the work; NULL gives EINVAL), or close(2)'s own
 * error (EIO: the fd is closed all the same). May park the calling
 * goroutine (block a thread) until the operations in flight have left:
 * only as long as they take to notice. Since 0.4.0. */
GORT_API int go_fd_close(go_fd_t *fd) GORT_NOEXCEPT;

/* go_fd_release - as go_fd_close, but the fd is not closed: it is
 * unregistered, gets back O_NONBLOCK as it was before go_fd_open (an fd
 * adopted in blocking mode is blocking again; an fd gort created, such as
 * one from go_listen or go_dial, becomes blocking) and is returned to the
 * caller, who owns it from now. Returns the fd, or -1 with errno EBADF
 * (EINVAL for NULL). May park as go_fd_close. Since 0.4.0. */
GORT_API int go_fd_release(go_fd_t *fd) GORT_NOEXCEPT;

/* go_fd_fileno - the fd number behind @fd, still owned by the handle (use
 * it with system calls gort does not wrap, plus go_fd_wait; never close
 * it). Returns the fd, or -1 with errno EBADF (EINVAL for NULL). Never
 * blocks. Since 0.4.0. */
GORT_API int go_fd_fileno(go_fd_t *fd) GORT_NOEXCEPT;

/* go_poll_fd - wait until @fd, an fd gort does not own, is ready for
 * @events (GO_POLL_IN, GO_POLL_OUT or both), or until @deadline (absolute
 * go_nanotime(), or GO_NO_DEADLINE): the bridge for C libraries that run
 * their own non-blocking I/O and say what they wait for (libpq's
 * PQsocket, libcurl's multi interface, c-ares). One-shot: the fd is
 * registered for this wait only, its flags are not touched, and the
 * readiness is level-triggered (ready now means ready). Returns the events
 * that are ready (> 0: GO_POLL_IN, GO_POLL_OUT, and GO_POLL_ERR or
 * GO_POLL_HUP, which are reported whatever @events asks), or -1 with
 * errno: ETIMEDOUT, EBADF (@fd is not open), EINVAL (@events has no
 * GO_POLL_IN or GO_POLL_OUT, or bits besides those four; @deadline
 * negative but not GO_NO_DEADLINE).
 *
 * Rules: @fd must stay open until the call returns (closing it meanwhile
 * leaves the wait to the deadline). An fd adopted with go_fd_open, or a
 * dup of one, cannot be registered twice: go_poll_fd on it still works,
 * but waits in a ppoll(2) on a thread that hands its processor off
 * (go_syscall_enter_block) instead of parking; use go_fd_wait there. So
 * does a second goroutine waiting on the same foreign fd while a first one
 * waits (epoll holds one registration per fd). May park the calling
 * goroutine (block a thread). Since 0.4.0. */
GORT_API int go_poll_fd(int fd, int events, int64_t deadline) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_IO_H */
