/* raw_epoll_server.c - the ceiling of the I/O benchmark: a TCP echo server
 * in plain C, one thread, one edge-triggered epoll set, no runtime at all.
 *
 * Same command line and output as the Go echo server (bench/go/echo):
 *   raw_epoll_server [PORT=9527] [SIZE=512]
 * listens on 127.0.0.1:PORT, prints "listening on 127.0.0.1:PORT" on stdout
 * once it accepts connections, then serves until killed. A bad argument
 * (not a decimal integer, or <= 0) prints `bad argument "..."` and exits
 * with status 2, as Go's argInt does; a listen error exits with status 1.
 *
 * Like the Go server (and Go's runtime), it raises the soft RLIMIT_NOFILE to
 * the hard limit, listens with SO_REUSEADDR and a backlog of
 * net.core.somaxconn, and sets TCP_NODELAY on every connection.
 *
 * What it does per connection is the least an echo server can do: each
 * socket is registered once (EPOLLIN | EPOLLOUT | EPOLLET); on an event it
 * reads until EAGAIN and writes back at once whatever it read. It does not
 * wait for SIZE bytes before echoing (SIZE is accepted for the shared
 * command line; it only sizes the read buffer). Bytes that the socket does
 * not take are kept for the connection, and it stops reading from that
 * connection until they are written (the EPOLLOUT edge), so a client that
 * does not read cannot make it buffer without bound.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 512

struct conn {
    int fd;
    size_t pending_len, pending_off; /* bytes read but not yet written back */
    unsigned char *pending;
};

/* Go's argInt: strconv.Atoi, then n <= 0 is bad too. */
static int arg_int(int argc, char **argv, int i, int def)
{
    if (argc <= i)
        return def;
    const char *s = argv[i], *p = s;
    long long v = 0;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    int ok = *p != 0;
    for (; *p && ok; p++) {
        if (*p < '0' || *p > '9' || v > 1000000000000LL)
            ok = 0;
        else
            v = v * 10 + (*p - '0');
    }
    if (neg)
        v = -v;
    if (!ok || v <= 0 || v > 0x7fffffff) {
        fputs("bad argument \"", stderr);
        for (p = s; *p; p++) {
            unsigned char c = (unsigned char)*p;
            const char *esc = c == '\a' ? "\\a" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                            : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                            : c == '\v' ? "\\v" : NULL;
            if (c == '"' || c == '\\')
                fprintf(stderr, "\\%c", c);
            else if (esc)
                fputs(esc, stderr);
            else if (c < 0x20 || c == 0x7f)
                fprintf(stderr, "\\x%02x", c);
            else
                fputc(c, stderr);
        }
        fputs("\"\n", stderr);
        exit(2);
    }
    return (int)v;
}

static void close_conn(struct conn *c)
{
    close(c->fd); /* also removes it from the epoll set */
    free(c->pending);
    free(c);
}

/* Write back what is pending; 1 when all of it is out, 0 when the socket is
 * full, -1 when the connection is dead. */
static int flush_pending(struct conn *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t n = send(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off,
                         MSG_NOSIGNAL);
        if (n > 0)
            c->pending_off += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        else
            return -1;
    }
    c->pending_off = c->pending_len = 0;
    return 1;
}

/* The connection is readable or writable: echo until the socket says EAGAIN. */
static void serve(struct conn *c, unsigned char *buf, size_t cap)
{
    int r = flush_pending(c);
    if (r < 0) {
        close_conn(c);
        return;
    }
    if (r == 0)
        return; /* still full: wait for EPOLLOUT before reading more */
    for (;;) {
        ssize_t n = recv(c->fd, buf, cap, 0);
        if (n == 0) {
            close_conn(c);
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                close_conn(c);
            return;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            ssize_t w = send(c->fd, buf + off, (size_t)n - off, MSG_NOSIGNAL);
            if (w > 0) {
                off += (size_t)w;
            } else if (w < 0 && errno == EINTR) {
                continue;
            } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                size_t rest = (size_t)n - off;
                if (!(c->pending = realloc(c->pending, rest))) {
                    close_conn(c);
                    return;
                }
                memcpy(c->pending, buf + off, rest);
                c->pending_len = rest;
                c->pending_off = 0;
                return; /* the EPOLLOUT edge resumes us */
            } else {
                close_conn(c);
                return;
            }
        }
    }
}

static int somaxconn(void)
{
    FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
    int v = 0;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v > 0 ? v : 4096;
}

int main(int argc, char **argv)
{
    int port = arg_int(argc, argv, 1, 9527);
    int size = arg_int(argc, argv, 2, 512);

    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        fprintf(stderr, "socket: %s\n", strerror(errno));
        return 1;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (port > 65535) {
        /* Go's message for this case. */
        fprintf(stderr, "listen tcp: address %d: invalid port\n", port);
        return 1;
    }
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, somaxconn()) < 0) {
        /* Go's text: "listen tcp 127.0.0.1:PORT: bind: address already in use". */
        char msg[128];
        snprintf(msg, sizeof msg, "%s", strerror(errno));
        msg[0] = (char)tolower((unsigned char)msg[0]);
        fprintf(stderr, "listen tcp 127.0.0.1:%d: bind: %s\n", port, msg);
        return 1;
    }

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        fprintf(stderr, "epoll_create1: %s\n", strerror(errno));
        return 1;
    }
    struct epoll_event lev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) {
        fprintf(stderr, "epoll_ctl: %s\n", strerror(errno));
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    size_t cap = (size_t)size < 65536 ? 65536 : (size_t)size;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c) {
                serve(c, buf, cap);
                continue;
            }
            /* The listener: accept everything that is queued. */
            for (;;) {
                int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0) {
                    if (errno == EINTR || errno == ECONNABORTED)
                        continue;
                    if (errno == EAGAIN || errno == EWOULDBLOCK)
                        break;
                    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                        errno == ENOMEM) {
                        /* Go retries these after a pause; so do we (the listener
                         * stays readable, but ET needs a new edge: retry now). */
                        fprintf(stderr, "accept: %s\n", strerror(errno));
                        usleep(5000);
                        continue;
                    }
                    fprintf(stderr, "accept: %s\n", strerror(errno));
                    return 1;
                }
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct conn *nc = calloc(1, sizeof *nc);
                if (!nc) {
                    close(fd);
                    continue;
                }
                nc->fd = fd;
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                         .data.ptr = nc};
                if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
                    close_conn(nc);
                    continue;
                }
                /* Data may already be there; ET reports it anyway (the ADD
                 * of a ready socket raises an event). */
            }
        }
    }
}
