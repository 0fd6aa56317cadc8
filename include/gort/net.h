/* gort/net.h - listen, dial and addresses, as Go's net package.
 *
 *     go_fd_t *ln = go_listen("tcp", "127.0.0.1:0");     // any free port
 *     char addr[GO_ADDR_STRLEN];
 *     go_fd_local_addr(ln, addr, sizeof addr);            // "127.0.0.1:40123"
 *     for (;;) {
 *         go_fd_t *c = go_fd_accept(ln, NULL, NULL);      // parks
 *         if (c == NULL) break;                           // EBADF: ln closed
 *         go_spawn(serve, c);                             // one goroutine per connection
 *     }
 *
 *     go_fd_t *c = go_dial("tcp", "localhost:8080", go_nanotime() + 3000000000LL);
 *
 * The handles are gort/io.h's go_fd_t: read, write, deadlines and close
 * work on them as on any adopted fd, and the same error convention holds
 * (-1 or NULL, and errno).
 *
 * NETWORKS: "tcp" (IPv4 or IPv6), "tcp4", "tcp6", and "unix" (a stream
 * socket at a path; "@name" is a Linux abstract socket name).
 *
 * ADDRESSES, as Go's: "host:port", "[ipv6-host]:port" (an IPv6 literal, with
 * an optional "%zone"), ":port" (no host). The host is an IP literal or a
 * name; the port a number or a service name ("http"). Examples:
 * "127.0.0.1:0", "[::1]:8080", "localhost:8080", ":8080".
 *   - go_listen with no host, or the unspecified address ("0.0.0.0",
 *     "[::]"), listens on every local address: with "tcp", on one IPv6
 *     socket that also takes IPv4 connections (IPV6_V6ONLY off) where the
 *     system has IPv6, else on 0.0.0.0; "tcp4" only IPv4, "tcp6" only IPv6.
 *     A host name listens on its first address, an IPv4 one if it has one
 *     (Go's rule). Listening sockets get SO_REUSEADDR and the system's
 *     largest backlog (net.core.somaxconn).
 *   - go_dial with no host dials the local system (127.0.0.1, or ::1 for
 *     "tcp6"). A name is tried address after address (in the resolver's
 *     order), each attempt getting an equal share of the time left before
 *     the deadline, at least 2 s (Go's partialDeadline); the first error
 *     is reported when all fail. TCP connections get TCP_NODELAY (Go's
 *     default).
 *
 * NAME RESOLUTION uses getaddrinfo(3), which cannot be made non-blocking:
 * a goroutine resolves between go_syscall_enter_block() and
 * go_syscall_exit(), so its processor goes on running the others while the
 * resolver waits. IP literals and numeric ports are never resolved. A
 * resolver failure is reported through errno: ENOENT (no such host, or no
 * address of the requested family), EAGAIN (temporary failure: try
 * again), EINVAL (an unknown service name), EIO (a permanent resolver
 * failure), ENOMEM, EAFNOSUPPORT.
 *
 * Not here (yet): UDP and other datagram sockets (use socket(2) and
 * go_fd_open), Happy Eyeballs (dialing IPv4 and IPv6 in parallel), TCP
 * keep-alive defaults, and DNS that does not cost a thread.
 *
 * THREADS: as gort/io.h. Any thread may call any function here; a
 * goroutine parks where a thread would block.
 *
 * Since 0.4.0.
 */
#ifndef GORT_NET_H
#define GORT_NET_H

#include <gort/io.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Room for any address go_fd_local_addr/go_fd_peer_addr format, with its
 * terminating NUL: "[v6%zone]:port" or a Unix socket path (108 bytes). */
#define GO_ADDR_STRLEN 128

/* go_listen - a listening socket on @address (Go's net.Listen).
 * @network: "tcp", "tcp4", "tcp6" or "unix". @address: see ADDRESSES; port
 * 0 picks a free port (go_fd_local_addr tells which). For "unix", the path
 * (or "@name"): the socket file must not exist, and go_fd_close removes it.
 * Returns the listener, adopted (accept with go_fd_accept), or NULL with
 * errno: EINVAL (@network or @address NULL or malformed: missing port,
 * port out of range, a bad literal), ENAMETOOLONG (a Unix path of 108
 * bytes or more), EADDRINUSE, EACCES (a port below 1024), EADDRNOTAVAIL,
 * EAFNOSUPPORT, a resolver error (see NAME RESOLUTION), EMFILE and the
 * like. May park the calling goroutine only to resolve a name (block a
 * thread). Since 0.4.0. */
GORT_API go_fd_t *go_listen(const char *network, const char *address) GORT_NOEXCEPT;

/* go_dial - a connection to @address (Go's net.DialTimeout with an
 * absolute deadline). @network as go_listen; @deadline: an absolute
 * go_nanotime() bounding the connection attempts, or GO_NO_DEADLINE (the
 * kernel's own connect timeout then applies). A name lookup cannot be
 * interrupted (getaddrinfo): a slow resolver may run past @deadline, and
 * the dial then fails with ETIMEDOUT without connecting. The connection
 * has no deadline afterwards. Returns the connection, or NULL
 * with errno: ECONNREFUSED, ETIMEDOUT (@deadline passed), ENETUNREACH,
 * EHOSTUNREACH, ENOENT (a Unix socket path that does not exist, or no such
 * host), EINVAL (as go_listen; also @deadline negative but not
 * GO_NO_DEADLINE), EAGAIN (a Unix listener's backlog is full), a resolver
 * error and the like. May park the calling goroutine (block a thread).
 * Since 0.4.0. */
GORT_API go_fd_t *go_dial(const char *network, const char *address, int64_t deadline) GORT_NOEXCEPT;

/* go_fd_local_addr / go_fd_peer_addr - the socket's own address, or its
 * peer's, as Go's Addr().String(): "127.0.0.1:8080", "[::1]:8080",
 * "[fe80::1%eth0]:22" (an IPv4-mapped IPv6 address prints as IPv4), a Unix
 * socket's path, "@name" for an abstract one, "" for an unnamed one.
 * Writes it NUL-terminated into @buf (@size bytes; GO_ADDR_STRLEN is always
 * enough). Returns its length (without the NUL), or -1 with errno: EBADF,
 * EINVAL (@fd or @buf NULL), ERANGE (@size too small; @buf unchanged),
 * ENOTSOCK, ENOTCONN (the peer of a socket that is not connected),
 * EAFNOSUPPORT (a family gort does not format). Never blocks.
 * Since 0.4.0. */
GORT_API int go_fd_local_addr(go_fd_t *fd, char *buf, size_t size) GORT_NOEXCEPT;
GORT_API int go_fd_peer_addr(go_fd_t *fd, char *buf, size_t size) GORT_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* GORT_NET_H */
