// capi/net.cpp - the extern "C" entry points of gort/net.h: Go's
// net.Listen / net.Dial address rules over the fd layer (core/netpoll.hpp).
//
// Everything here is parsing, socket set-up and formatting; the waiting is
// core's (fd_connect). getaddrinfo runs between syscall_enter(true) and
// syscall_exit(): glibc's resolver blocks in its own recvmsg and cannot be
// made to park, so the goroutine's processor is handed to another thread
// for the duration (gort/syscall.h). IP literals and numeric ports never
// reach the resolver.
#include <gort/net.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include "../core/netpoll.hpp"
#include "../core/sched.hpp"

using gort::FdHandle;
using gort::ForeignScope;

namespace {

enum class Net { kTcp, kTcp4, kTcp6, kUnix };

bool parse_network(const char *s, Net *out) {
    if (std::strcmp(s, "tcp") == 0) *out = Net::kTcp;
    else if (std::strcmp(s, "tcp4") == 0) *out = Net::kTcp4;
    else if (std::strcmp(s, "tcp6") == 0) *out = Net::kTcp6;
    else if (std::strcmp(s, "unix") == 0) *out = Net::kUnix;
    else return false;
    return true;
}

constexpr std::size_t kHostMax = 1025;  // NI_MAXHOST
constexpr std::size_t kPortMax = 64;
constexpr int kMaxAddrs = 16;

// Go's net.SplitHostPort: "host:port", "[host]:port" (the host may hold
// colons), ":port". 0, or -EINVAL.
int split_host_port(const char *addr, char *host, char *port) {
    const char *colon;
    std::size_t hlen;
    const char *h;
    if (addr[0] == '[') {
        const char *end = std::strchr(addr, ']');
        if (end == nullptr || end[1] != ':') return -EINVAL;  // missing ']' or port
        h = addr + 1;
        hlen = static_cast<std::size_t>(end - h);
        colon = end + 1;
    } else {
        colon = std::strrchr(addr, ':');
        if (colon == nullptr) return -EINVAL;  // missing port
        h = addr;
        hlen = static_cast<std::size_t>(colon - addr);
        if (std::memchr(h, ':', hlen) != nullptr) return -EINVAL;  // too many colons
    }
    if (std::strchr(colon + 1, '[') != nullptr || std::strchr(colon + 1, ']') != nullptr) return -EINVAL;
    std::size_t plen = std::strlen(colon + 1);
    if (hlen >= kHostMax || plen >= kPortMax) return -EINVAL;
    std::memcpy(host, h, hlen);
    host[hlen] = 0;
    std::memcpy(port, colon + 1, plen + 1);
    return 0;
}

// getaddrinfo's errors as errno values (gort/net.h's NAME RESOLUTION).
int gai_errno(int rc, int sys_errno) {
    switch (rc) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
        return ENOENT;
    case EAI_AGAIN:
        return EAGAIN;
    case EAI_SERVICE:
        return EINVAL;
    case EAI_MEMORY:
        return ENOMEM;
    case EAI_FAMILY:
        return EAFNOSUPPORT;
    case EAI_SYSTEM:
        return sys_errno != 0 ? sys_errno : EIO;
    default:
        return EIO;
    }
}

// getaddrinfo, handing the P off while it runs.
int gai(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    gort::syscall_enter(true);
    int rc = getaddrinfo(host, service, hints, res);
    int e = rc == EAI_SYSTEM ? *gort::errno_location() : 0;
    gort::syscall_exit();
    return rc == 0 ? 0 : -gai_errno(rc, e);
}

// A port: a decimal number 0..65535 or a service name. 0, or -EINVAL / a
// resolver error.
int parse_port(const char *s, std::uint16_t *out) {
    if (s[0] == 0) return -EINVAL;  // Go: missing port
    bool numeric = true;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') {
            numeric = false;
            break;
        }
        v = v * 10 + static_cast<unsigned long>(*p - '0');
        if (v > 65535) return -EINVAL;
    }
    if (numeric) {
        *out = static_cast<std::uint16_t>(v);
        return 0;
    }
    // A service name starts with a letter ("-1", "+80", "8o" are errors,
    // not something for the resolver to guess at).
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return -EINVAL;
    struct addrinfo hints = {};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    struct addrinfo *res = nullptr;
    int rc = gai(nullptr, s, &hints, &res);
    if (rc != 0) return rc;
    *out = ntohs(reinterpret_cast<struct sockaddr_in *>(res->ai_addr)->sin_port);
    freeaddrinfo(res);
    return 0;
}

struct Addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

struct Addrs {
    Addr a[kMaxAddrs];
    int n = 0;
    bool wildcard = false;  // the unspecified address: dual-stack for "tcp"
};

void add_v4(Addrs *out, const struct in_addr &ip, std::uint16_t port) {
    if (out->n == kMaxAddrs) return;
    Addr &a = out->a[out->n++];
    std::memset(&a.ss, 0, sizeof a.ss);
    auto *sin = reinterpret_cast<struct sockaddr_in *>(&a.ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr = ip;
    a.len = sizeof *sin;
}

void add_v6(Addrs *out, const struct in6_addr &ip, std::uint32_t scope, std::uint16_t port) {
    if (out->n == kMaxAddrs) return;
    Addr &a = out->a[out->n++];
    std::memset(&a.ss, 0, sizeof a.ss);
    auto *sin6 = reinterpret_cast<struct sockaddr_in6 *>(&a.ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_addr = ip;
    sin6->sin6_scope_id = scope;
    a.len = sizeof *sin6;
}

// An IP literal (IPv6 with an optional %zone). 1 when host was one, 0 when
// it is a name, or a negated errno.
int parse_literal(Net net, const char *host, std::uint16_t port, Addrs *out) {
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1) {
        if (net == Net::kTcp6) return -EAFNOSUPPORT;  // Go: no suitable address
        out->wildcard = v4.s_addr == htonl(INADDR_ANY);
        add_v4(out, v4, port);
        return 1;
    }
    char buf[kHostMax];
    std::snprintf(buf, sizeof buf, "%s", host);
    char *zone = std::strchr(buf, '%');
    if (zone != nullptr) *zone++ = 0;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, buf, &v6) != 1) return zone != nullptr ? -EINVAL : 0;
    std::uint32_t scope = 0;
    if (zone != nullptr) {
        if (*zone == 0) return -EINVAL;
        scope = if_nametoindex(zone);
        if (scope == 0) {
            char *end;
            unsigned long v = std::strtoul(zone, &end, 10);
            if (*end != 0) return -EINVAL;  // an unknown interface
            scope = static_cast<std::uint32_t>(v);
        }
    }
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        if (net == Net::kTcp6) return -EAFNOSUPPORT;
        struct in_addr a;
        std::memcpy(&a, &v6.s6_addr[12], 4);
        out->wildcard = a.s_addr == htonl(INADDR_ANY);
        add_v4(out, a, port);
        return 1;
    }
    if (net == Net::kTcp4) return -EAFNOSUPPORT;
    out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&v6);
    add_v6(out, v6, scope, port);
    return 1;
}

// The addresses of "host:port" for a TCP network. passive: for listening.
int resolve_tcp(Net net, const char *address, bool passive, Addrs *out) {
    char host[kHostMax], port_s[kPortMax];
    int rc = split_host_port(address, host, port_s);
    if (rc != 0) return rc;
    std::uint16_t port;
    rc = parse_port(port_s, &port);
    if (rc != 0) return rc;
    if (host[0] == 0) {
        out->wildcard = passive;
        if (net == Net::kTcp6) add_v6(out, passive ? in6addr_any : in6addr_loopback, 0, port);
        else {
            struct in_addr a;
            a.s_addr = htonl(passive ? INADDR_ANY : INADDR_LOOPBACK);
            add_v4(out, a, port);
        }
        return 0;
    }
    rc = parse_literal(net, host, port, out);
    if (rc != 0) return rc < 0 ? rc : 0;
    struct addrinfo hints = {};
    hints.ai_family = net == Net::kTcp4 ? AF_INET : net == Net::kTcp6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo *res = nullptr;
    rc = gai(host, nullptr, &hints, &res);
    if (rc != 0) return rc;
    for (struct addrinfo *ai = res; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            add_v4(out, reinterpret_cast<struct sockaddr_in *>(ai->ai_addr)->sin_addr, port);
        } else if (ai->ai_family == AF_INET6) {
            auto *s6 = reinterpret_cast<struct sockaddr_in6 *>(ai->ai_addr);
            add_v6(out, s6->sin6_addr, s6->sin6_scope_id, port);
        }
    }
    freeaddrinfo(res);
    return out->n > 0 ? 0 : -ENOENT;
}

int unix_addr(const char *path, struct sockaddr_un *sun, socklen_t *len) {
    std::memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    std::size_t n = std::strlen(path);
    if (n == 0) return -EINVAL;
    if (n >= sizeof sun->sun_path) return -ENAMETOOLONG;
    std::memcpy(sun->sun_path, path, n);
    if (path[0] == '@') {  // an abstract name: no file, no NUL
        sun->sun_path[0] = 0;
        *len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        *len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}

// The system's listen backlog (Go's maxListenerBacklog), read once.
int backlog() {
    static std::atomic<int> cached{0};
    int v = cached.load(std::memory_order_relaxed);
    if (v > 0) return v;
    v = SOMAXCONN;
    int fd = open("/proc/sys/net/core/somaxconn", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[32];
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r > 0) {
            buf[r] = 0;
            long n = std::strtol(buf, nullptr, 10);
            if (n > 0) v = n > 65535 ? 65535 : static_cast<int>(n);
        }
    }
    cached.store(v, std::memory_order_relaxed);
    return v;
}

// A new non-blocking stream socket of family, set up for net; -errno.
int new_socket(int family, Net net) {
    int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return -*gort::errno_location();
    if (family == AF_INET6) {
        int only = net == Net::kTcp6 ? 1 : 0;  // "tcp" takes IPv4 too
        setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only);
    }
    return s;
}

// Adopt a socket gort made; closes it on failure.
std::int64_t adopt_socket(int s, bool tcp) {
    std::int64_t h = gort::fd_adopt(s, gort::kAdoptSocket | gort::kAdoptNonblocking |
                                           (tcp ? gort::kAdoptTcp : 0u));
    if (h < 0) close(s);
    return h;
}

std::int64_t listen_on(int family, const struct sockaddr *sa, socklen_t len, Net net) {
    int s = new_socket(family, net);
    if (s < 0) return s;
    if (family != AF_UNIX) {
        int one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (bind(s, sa, len) < 0 || listen(s, backlog()) < 0) {
        int e = *gort::errno_location();
        close(s);
        return -e;
    }
    return adopt_socket(s, family != AF_UNIX);
}

std::int64_t do_listen(Net net, const char *address) {
    if (net == Net::kUnix) {
        struct sockaddr_un sun;
        socklen_t len;
        int rc = unix_addr(address, &sun, &len);
        if (rc != 0) return rc;
        std::int64_t h = listen_on(AF_UNIX, reinterpret_cast<struct sockaddr *>(&sun), len, net);
        if (h > 0 && address[0] != '@') {
            rc = gort::fd_set_unlink_path(static_cast<FdHandle>(h), address);
            if (rc != 0) {
                unlink(address);
                gort::fd_close(static_cast<FdHandle>(h));
                return rc;
            }
        }
        return h;
    }
    Addrs addrs;
    int rc = resolve_tcp(net, address, true, &addrs);
    if (rc != 0) return rc;
    // A name listens on its first IPv4 address if it has one (Go's rule).
    int pick = 0;
    for (int i = 0; i < addrs.n; i++) {
        if (addrs.a[i].ss.ss_family == AF_INET) {
            pick = i;
            break;
        }
    }
    Addr &a = addrs.a[pick];
    if (net == Net::kTcp && addrs.wildcard) {
        // Every local address, IPv4 included, on one IPv6 socket.
        struct sockaddr_in6 any6 = {};
        any6.sin6_family = AF_INET6;
        any6.sin6_port = a.ss.ss_family == AF_INET
                             ? reinterpret_cast<struct sockaddr_in *>(&a.ss)->sin_port
                             : reinterpret_cast<struct sockaddr_in6 *>(&a.ss)->sin6_port;
        any6.sin6_addr = in6addr_any;
        std::int64_t h = listen_on(AF_INET6, reinterpret_cast<struct sockaddr *>(&any6), sizeof any6, net);
        if (h != -EAFNOSUPPORT) return h;  // no IPv6 here: 0.0.0.0
        if (a.ss.ss_family != AF_INET) {
            struct sockaddr_in any4 = {};
            any4.sin_family = AF_INET;
            any4.sin_port = any6.sin6_port;
            any4.sin_addr.s_addr = htonl(INADDR_ANY);
            return listen_on(AF_INET, reinterpret_cast<struct sockaddr *>(&any4), sizeof any4, net);
        }
    }
    return listen_on(a.ss.ss_family, reinterpret_cast<struct sockaddr *>(&a.ss), a.len, net);
}

// Connect a new socket to sa before deadline (-1: none); the handle, or -errno.
std::int64_t dial_one(int family, const struct sockaddr *sa, socklen_t len, Net net,
                      std::int64_t deadline) {
    int s = new_socket(family, net);
    if (s < 0) return s;
    bool tcp = family != AF_UNIX;
    if (tcp) {
        int one = 1;  // Go's TCPConn default
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    std::int64_t h = adopt_socket(s, tcp);
    if (h < 0) return h;
    FdHandle fh = static_cast<FdHandle>(h);
    int rc = 0;
    if (deadline >= 0) rc = gort::fd_set_deadline(fh, gort::kDirWrite, deadline);
    if (rc == 0) rc = gort::fd_connect(fh, sa, len);
    if (rc == 0 && deadline >= 0) rc = gort::fd_set_deadline(fh, gort::kDirWrite, -1);
    if (rc != 0) {
        gort::fd_close(fh);
        return rc;
    }
    return h;
}

// Go's partialDeadline: an equal share of the time left, at least 2 s.
std::int64_t partial_deadline(std::int64_t deadline, int remaining) {
    if (deadline < 0) return -1;
    std::int64_t now = gort::nanotime();
    std::int64_t left = deadline - now;
    if (left <= 0) return 0;  // already passed
    std::int64_t share = left / remaining;
    constexpr std::int64_t kSaneMinimum = 2000000000LL;
    if (share < kSaneMinimum) share = left < kSaneMinimum ? left : kSaneMinimum;
    return now + share;
}

std::int64_t do_dial(Net net, const char *address, std::int64_t deadline) {
    if (net == Net::kUnix) {
        struct sockaddr_un sun;
        socklen_t len;
        int rc = unix_addr(address, &sun, &len);
        if (rc != 0) return rc;
        return dial_one(AF_UNIX, reinterpret_cast<struct sockaddr *>(&sun), len, net, deadline);
    }
    Addrs addrs;
    int rc = resolve_tcp(net, address, false, &addrs);
    if (rc != 0) return rc;
    std::int64_t first_err = 0;
    for (int i = 0; i < addrs.n; i++) {
        std::int64_t d = partial_deadline(deadline, addrs.n - i);
        if (d == 0) return first_err != 0 ? first_err : -ETIMEDOUT;
        Addr &a = addrs.a[i];
        std::int64_t h = dial_one(a.ss.ss_family, reinterpret_cast<struct sockaddr *>(&a.ss), a.len, net, d);
        if (h > 0) return h;
        if (first_err == 0) first_err = h;
    }
    return first_err;
}

// Go's Addr.String() into out (GO_ADDR_STRLEN bytes); its length or -errno.
int format_addr(const struct sockaddr_storage &ss, socklen_t len, char *out) {
    char ip[INET6_ADDRSTRLEN];
    switch (ss.ss_family) {
    case AF_INET: {
        auto &s = reinterpret_cast<const struct sockaddr_in &>(ss);
        inet_ntop(AF_INET, &s.sin_addr, ip, sizeof ip);
        return std::snprintf(out, GO_ADDR_STRLEN, "%s:%u", ip, ntohs(s.sin_port));
    }
    case AF_INET6: {
        auto &s = reinterpret_cast<const struct sockaddr_in6 &>(ss);
        if (IN6_IS_ADDR_V4MAPPED(&s.sin6_addr)) {
            inet_ntop(AF_INET, &s.sin6_addr.s6_addr[12], ip, sizeof ip);
            return std::snprintf(out, GO_ADDR_STRLEN, "%s:%u", ip, ntohs(s.sin6_port));
        }
        inet_ntop(AF_INET6, &s.sin6_addr, ip, sizeof ip);
        if (s.sin6_scope_id != 0) {
            char zone[IF_NAMESIZE];
            if (if_indextoname(s.sin6_scope_id, zone) == nullptr)
                std::snprintf(zone, sizeof zone, "%u", s.sin6_scope_id);
            return std::snprintf(out, GO_ADDR_STRLEN, "[%s%%%s]:%u", ip, zone, ntohs(s.sin6_port));
        }
        return std::snprintf(out, GO_ADDR_STRLEN, "[%s]:%u", ip, ntohs(s.sin6_port));
    }
    case AF_UNIX: {
        auto &s = reinterpret_cast<const struct sockaddr_un &>(ss);
        std::size_t off = offsetof(struct sockaddr_un, sun_path);
        if (len <= off) {  // unnamed
            out[0] = 0;
            return 0;
        }
        std::size_t n = len - off;
        if (n > sizeof s.sun_path) n = sizeof s.sun_path;
        if (s.sun_path[0] == 0) {  // abstract: "@" + the name's bytes
            out[0] = '@';
            std::memcpy(out + 1, s.sun_path + 1, n - 1);
            out[n] = 0;
            return static_cast<int>(std::strlen(out));
        }
        n = strnlen(s.sun_path, n);
        std::memcpy(out, s.sun_path, n);
        out[n] = 0;
        return static_cast<int>(n);
    }
    default:
        return -EAFNOSUPPORT;
    }
}

int addr_string(go_fd_t *fd, bool peer, char *buf, size_t size) {
    int saved = errno;
    int rc;
    if (fd == nullptr || buf == nullptr) {
        rc = -EINVAL;
    } else {
        struct sockaddr_storage ss;
        socklen_t len = 0;
        rc = gort::fd_sockname(reinterpret_cast<std::uintptr_t>(fd), peer, &ss, &len);
        char tmp[GO_ADDR_STRLEN];
        if (rc == 0) rc = format_addr(ss, len, tmp);
        if (rc >= 0) {
            if (static_cast<size_t>(rc) >= size) {
                rc = -ERANGE;
            } else {
                std::memcpy(buf, tmp, static_cast<size_t>(rc) + 1);
            }
        }
    }
    if (rc < 0) {
        errno = -rc;
        return -1;
    }
    errno = saved;
    return rc;
}

go_fd_t *result(std::int64_t h, int saved) {
    if (h < 0) {
        *gort::errno_location() = static_cast<int>(-h);
        return nullptr;
    }
    *gort::errno_location() = saved;
    return reinterpret_cast<go_fd_t *>(static_cast<std::uintptr_t>(h));
}

}  // namespace

extern "C" {

go_fd_t *go_listen(const char *network, const char *address) noexcept {
    int saved = errno;
    Net net;
    if (network == nullptr || address == nullptr || !parse_network(network, &net))
        return result(-EINVAL, saved);
    std::int64_t h;
    {
        ForeignScope fs;
        h = do_listen(net, address);
    }
    return result(h, saved);
}

go_fd_t *go_dial(const char *network, const char *address, int64_t deadline) noexcept {
    int saved = errno;
    Net net;
    if (network == nullptr || address == nullptr || !parse_network(network, &net) ||
        (deadline < 0 && deadline != GO_NO_DEADLINE))
        return result(-EINVAL, saved);
    std::int64_t h;
    {
        ForeignScope fs;
        h = do_dial(net, address, deadline);
    }
    return result(h, saved);
}

int go_fd_local_addr(go_fd_t *fd, char *buf, size_t size) noexcept {
    return addr_string(fd, false, buf, size);
}

int go_fd_peer_addr(go_fd_t *fd, char *buf, size_t size) noexcept {
    return addr_string(fd, true, buf, size);
}

}  // extern "C"
