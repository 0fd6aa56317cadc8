/* client.c - the echo load generator of the I/O benchmark (bench/io/).
 *
 * One client binary for every server (Go, raw epoll, gort), so that only the
 * servers differ. One thread, one epoll set, non-blocking sockets, each
 * registered once, edge-triggered.
 *
 * Closed loop (default): CONNS connections; each sends a SIZE-byte message,
 * waits for the whole echo, checks it, and sends the next. Prints round
 * trips per second over the measured window.
 *
 * Open loop (-r RATE): RATE requests per second in all, spread evenly over
 * the connections (request j is due at t0 + j/RATE on connection j % CONNS).
 * A connection has at most one request in flight; a request that is due while
 * the previous one is still out is sent as soon as that one returns. Every
 * latency is taken from the request's *scheduled* time, not from when it was
 * sent, so a slow server is not hidden by the client waiting for it (no
 * coordinated omission, as in wrk2). Requests scheduled inside the window are
 * the ones measured; after the window the load continues until they have all
 * returned (at most max(2 s, window) more).
 *
 * Phases: connect (at most -k connections being set up at once; a connection
 * counts as set up after its first round trip, so the server has accepted
 * it and serves it; it then stays idle until all are set up), warm-up (-w),
 * measured window (-d), then the open-loop drain. With -p PID the client samples the server process: VmRSS before
 * the first connect and once every connection has made its first round trip,
 * and utime+stime (/proc/PID/stat) and context switches (all threads of
 * /proc/PID/task) at the two ends of the window. Its own CPU time
 * (getrusage) is taken at the same instants.
 *
 * Every echoed byte is checked: message m of connection c is the SIZE bytes
 * of a fixed pseudo-random pattern starting at offset (97c + 13m) mod 256,
 * so a byte from another message, a lost byte or an extra byte is seen.
 * A mismatch, an early close, a reset or a refused connection ends the run
 * with a message on stderr and exit status 1; no number is printed.
 *
 * Output: one line of KEY=VALUE fields on stdout (see usage()); a few lines
 * of diagnostics on stderr. Exit status 0, 1 (run failed), 2 (usage).
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_SEC 1000000000LL
#define MAX_EVENTS 1024

/* ------------------------------------------------------------------------ */
/* Errors. */

static const char *prog = "client";

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static void usage(const char *msg, ...) __attribute__((noreturn));
static void usage(const char *msg, ...)
{
    if (msg) {
        va_list ap;
        fprintf(stderr, "%s: ", prog);
        va_start(ap, msg);
        vfprintf(stderr, msg, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    fprintf(stderr,
            "usage: %s [-c CONNS] [-s SIZE] [-w SECS] [-d SECS] [-r RATE] [-p PID]\n"
            "              [-k CONCURRENCY] [-T SECS] [-S USECS] HOST:PORT\n",
            prog);
    if (msg)
        exit(2);
    fprintf(stderr,
            "  -c CONNS   connections (default 100)\n"
            "  -s SIZE    message size in bytes (default 512)\n"
            "  -w SECS    warm-up (default 1)\n"
            "  -d SECS    measured window (default 4)\n"
            "  -r RATE    open loop at RATE requests/s in all (default: closed loop)\n"
            "  -p PID     the server's pid: sample its CPU time, RSS, context switches\n"
            "  -k N       connections being set up at once (default 100)\n"
            "  -T SECS    fail when nothing comes back for SECS (default 10)\n"
            "  -S USECS   open loop: wake USECS before the next request is due and poll\n"
            "             until it is, rather than sleep to the last moment (default 100)\n"
            "Prints one line of KEY=VALUE fields on stdout:\n"
            "  mode conns size secs rt rate [target_rate sent_late_p99_us incomplete\n"
            "  client_late_p99_us client_late_max_us]\n"
            "  p50_us p90_us p99_us p999_us max_us connect_s client_cpu_s client_cpu_pct\n"
            "  [server_cpu_s server_cpu_pct server_cpu_s_per_mrt server_csw_per_rt\n"
            "   server_rss0_kb server_rss1_kb rss_per_conn_b ksoftirqd_cpu_pct other_cpu_pct]\n");
    exit(0); /* -h */
}

/* ------------------------------------------------------------------------ */
/* Time. */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static int64_t self_cpu_ns(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS_PER_SEC +
           ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* ------------------------------------------------------------------------ */
/* Latency histogram: log-linear buckets, 64 per power of two above 128 ns
 * (at most 1/64 = 1.6% relative error), exact below. Values are reported
 * as the upper end of their bucket; the maximum is kept exactly. */

#define H_SUB 64
#define H_BUCKETS (2 * H_SUB + 58 * H_SUB)

static uint64_t hist[H_BUCKETS];
static uint64_t hist_n;
static int64_t hist_max;

static int h_index(int64_t v)
{
    if (v < 0)
        v = 0;
    if (v < 2 * H_SUB)
        return (int)v;
    int e = 63 - __builtin_clzll((uint64_t)v); /* >= 7 */
    int shift = e - 6;                         /* v >> shift in [64, 128) */
    int idx = shift * H_SUB + (int)(v >> shift);
    return idx < H_BUCKETS ? idx : H_BUCKETS - 1;
}

static int64_t h_upper(int idx)
{
    if (idx < 2 * H_SUB)
        return idx;
    int shift = idx / H_SUB - 1;
    int64_t m = idx - (int64_t)shift * H_SUB;
    return ((m + 1) << shift) - 1;
}

static void h_record(int64_t v)
{
    hist[h_index(v)]++;
    hist_n++;
    if (v > hist_max)
        hist_max = v;
}

/* The value at quantile q (0..1): the smallest bucket whose cumulative count
 * reaches ceil(q * n), capped by the exact maximum. */
static int64_t h_quantile(const uint64_t *h, uint64_t n, int64_t max, double q)
{
    if (n == 0)
        return 0;
    uint64_t want = (uint64_t)ceil(q * (double)n);
    if (want < 1)
        want = 1;
    uint64_t c = 0;
    for (int i = 0; i < H_BUCKETS; i++) {
        c += h[i];
        if (c >= want) {
            int64_t v = h_upper(i);
            return v < max ? v : max;
        }
    }
    return max;
}

/* Open loop: how late each request left (after its scheduled time), and the
 * same for the requests that were late through the client's own fault: the
 * connection was free when the request fell due, yet it left late. */
static uint64_t lag_hist[H_BUCKETS], own_hist[H_BUCKETS];
static uint64_t lag_n, own_n;
static int64_t lag_max, own_max;

/* ------------------------------------------------------------------------ */
/* The server process (-p PID). */

static int read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == cap - 1)
            break;
    }
    close(fd);
    buf[len] = 0;
    return (int)len;
}

/* utime + stime of the whole process (all threads, living and dead), ns. */
static int64_t server_cpu_ns(int pid)
{
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (read_file(path, buf, sizeof buf) <= 0)
        fail("cannot read %s: %s (has the server died?)", path, strerror(errno));
    char *p = strrchr(buf, ')');
    if (!p)
        fail("unexpected contents of %s", path);
    /* After ")": field 3 (state) ... field 14 utime, field 15 stime. */
    unsigned long long ut = 0, st = 0;
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        fail("unexpected contents of %s", path);
    long hz = sysconf(_SC_CLK_TCK);
    return (int64_t)(ut + st) * (NS_PER_SEC / hz);
}

static long status_field(const char *buf, const char *key)
{
    const char *p = strstr(buf, key);
    if (!p)
        return -1;
    return strtol(p + strlen(key), NULL, 10);
}

static long server_rss_kb(int pid)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (read_file(path, buf, sizeof buf) <= 0)
        fail("cannot read %s: %s (has the server died?)", path, strerror(errno));
    long v = status_field(buf, "\nVmRSS:");
    if (v < 0)
        fail("no VmRSS in %s", path);
    return v;
}

/* Voluntary + involuntary context switches of the server's live threads. */
static long long server_csw(int pid)
{
    char path[64], buf[8192];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long long sum = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p2[320];
        snprintf(p2, sizeof p2, "/proc/%d/task/%s/status", pid, e->d_name);
        if (read_file(p2, buf, sizeof buf) <= 0)
            continue; /* the thread just exited */
        long v = status_field(buf, "\nvoluntary_ctxt_switches:");
        long nv = status_field(buf, "\nnonvoluntary_ctxt_switches:");
        if (v > 0)
            sum += v;
        if (nv > 0)
            sum += nv;
    }
    closedir(d);
    return sum;
}

/* Busy time of all CPUs together (/proc/stat: everything but idle and
 * iowait), ns. Minus the server's and our own CPU time, it tells how much
 * else ran on the machine during the window. */
static int64_t machine_busy_ns(void)
{
    char buf[512];
    if (read_file("/proc/stat", buf, sizeof buf) <= 0)
        return -1;
    unsigned long long v[8] = {0};
    if (sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) < 4)
        return -1;
    /* user nice system idle iowait irq softirq steal */
    unsigned long long busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    long hz = sysconf(_SC_CLK_TCK);
    return (int64_t)busy * (NS_PER_SEC / hz);
}

/* The kernel's softirq threads (ksoftirqd/N): under heavy network load they
 * run part of the TCP processing outside both processes. Their CPU time is
 * reported on its own and left out of "other". */
static int ksoftirqd_pids[64], n_ksoftirqd;

static void find_ksoftirqd(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && n_ksoftirqd < 64) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[64];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        if (read_file(path, buf, sizeof buf) > 0 && strncmp(buf, "ksoftirqd/", 10) == 0)
            ksoftirqd_pids[n_ksoftirqd++] = atoi(e->d_name);
    }
    closedir(d);
}

static int64_t ksoftirqd_cpu_ns(void)
{
    int64_t sum = 0;
    long hz = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < n_ksoftirqd; i++) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", ksoftirqd_pids[i]);
        if (read_file(path, buf, sizeof buf) <= 0)
            continue;
        char *p = strrchr(buf, ')');
        unsigned long long ut = 0, st = 0;
        if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                        &st) == 2)
            sum += (int64_t)(ut + st) * (NS_PER_SEC / hz);
    }
    return sum;
}

/* ------------------------------------------------------------------------ */
/* Connections. */

enum { C_FREE, C_CONNECTING, C_SENDING, C_RECEIVING, C_IDLE };

struct conn {
    int fd;
    uint8_t state;
    uint8_t primed;   /* made its first round trip */
    uint32_t sent;    /* bytes of the current message sent */
    uint32_t got;     /* bytes of its echo received and checked */
    uint64_t seq;     /* message number on this connection */
    int64_t t_start;  /* closed loop: send time; open loop: scheduled time */
    uint64_t issued;  /* open loop: requests due so far on this connection */
    uint64_t done;    /* open loop: requests completed */
};

static struct conn *conns;
static int nconns, msg_size;
static unsigned char *pattern; /* msg_size + 256 bytes */
static unsigned char *scratch;
static int epfd;
static struct sockaddr_in server_addr;
static const char *server_name;

/* Run state. */
enum { P_CONNECT, P_WARMUP, P_MEASURE, P_DRAIN };
static int phase;
static int open_loop;
static double rate;
static int64_t t0_sched;       /* open loop: when request 0 was due */
static double period_ns;       /* open loop: 1e9 / rate */
static uint64_t next_j;        /* open loop: next global request to make due */
static int64_t win_start, win_end_planned, win_end;
static uint64_t j_win_first, j_win_end; /* open loop: requests due in the window */
static uint64_t completions;   /* closed loop: round trips completed */
static uint64_t win_rt;        /* completed during the window (closed) / measured (open) */
static uint64_t outstanding_measured;
static int64_t spin_ns;        /* open loop: poll when the next request is this close */
static int64_t last_progress;
static int connected, primed, connecting_now;

static inline const unsigned char *msg_of(uint32_t id, uint64_t seq)
{
    return pattern + ((id * 97u + (uint32_t)seq * 13u) & 255u);
}

static int64_t sched_time(uint64_t j)
{
    return t0_sched + (int64_t)((double)j * period_ns);
}

static void conn_fail(struct conn *c, const char *what, int err) __attribute__((noreturn));
static void conn_fail(struct conn *c, const char *what, int err)
{
    fail("connection %ld to %s: %s: %s", (long)(c - conns), server_name, what, strerror(err));
}

static void start_send(struct conn *c, int64_t t, int own);

/* A full echo came back on c at time t. */
static void complete(struct conn *c, int64_t t)
{
    uint32_t id = (uint32_t)(c - conns);
    last_progress = t;
    c->seq++;
    if (!c->primed) {
        c->primed = 1;
        primed++;
        connecting_now--;
        c->state = C_IDLE; /* until every connection is set up */
        return;
    }
    if (!open_loop) {
        completions++;
        if (phase == P_MEASURE) {
            win_rt++;
            h_record(t - c->t_start);
        }
        start_send(c, t, 0);
        return;
    }
    /* Open loop: request k = done of this connection is global j = id + k*C. */
    uint64_t j = id + c->done * (uint64_t)nconns;
    c->done++;
    if (j >= j_win_first && j < j_win_end) {
        win_rt++;
        outstanding_measured--;
        h_record(t - c->t_start);
    }
    if (c->issued > c->done) {
        start_send(c, t, 0);
    } else {
        c->state = C_IDLE;
    }
}

static void try_send(struct conn *c)
{
    const unsigned char *m = msg_of((uint32_t)(c - conns), c->seq);
    while (c->sent < (uint32_t)msg_size) {
        ssize_t n = send(c->fd, m + c->sent, (size_t)msg_size - c->sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->sent += (uint32_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->state = C_SENDING; /* EPOLLOUT will come */
            return;
        } else {
            conn_fail(c, "send", errno);
        }
    }
    c->state = C_RECEIVING;
}

/* Send the next message on c; t is now (closed loop) or ignored (open).
 * own: open loop, the connection was free when the request fell due. */
static void start_send(struct conn *c, int64_t t, int own)
{
    c->sent = 0;
    c->got = 0;
    if (open_loop && c->primed) {
        uint32_t id = (uint32_t)(c - conns);
        uint64_t j = id + c->done * (uint64_t)nconns;
        c->t_start = sched_time(j);
        int64_t late = now_ns() - c->t_start;
        if (j >= j_win_first && j < j_win_end) {
            lag_hist[h_index(late)]++;
            lag_n++;
            if (late > lag_max)
                lag_max = late;
            if (own) {
                own_hist[h_index(late)]++;
                own_n++;
                if (late > own_max)
                    own_max = late;
            }
        }
    } else {
        c->t_start = t;
    }
    try_send(c);
}

static void do_recv(struct conn *c)
{
    const unsigned char *want = msg_of((uint32_t)(c - conns), c->seq);
    for (;;) {
        ssize_t n = recv(c->fd, scratch, (size_t)msg_size - c->got, 0);
        if (n > 0) {
            if (c->got + (uint32_t)n > c->sent)
                fail("connection %ld to %s: the server sent back %u bytes of a message "
                     "before %u of them were sent",
                     (long)(c - conns), server_name, c->got + (unsigned)n, c->sent);
            if (memcmp(scratch, want + c->got, (size_t)n) != 0) {
                size_t i = 0;
                while (scratch[i] == want[c->got + i])
                    i++;
                fail("connection %ld to %s: wrong byte in echo of message %llu at offset %zu: "
                     "got 0x%02x, want 0x%02x",
                     (long)(c - conns), server_name, (unsigned long long)c->seq, c->got + i,
                     scratch[i], want[c->got + i]);
            }
            c->got += (uint32_t)n;
            if (c->got == (uint32_t)msg_size) {
                complete(c, now_ns());
                return; /* the next echo arrives as a new edge */
            }
        } else if (n == 0) {
            fail("connection %ld to %s: the server closed the connection%s", (long)(c - conns),
                 server_name, c->got ? " in the middle of an echo" : "");
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            conn_fail(c, "recv", errno);
        }
    }
}

static void open_conn(struct conn *c)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->fd = fd;
    c->state = C_CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = (uint64_t)(c - conns)};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        fail("epoll_ctl: %s", strerror(errno));
    connecting_now++;
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) == 0)
        return; /* EPOLLOUT follows */
    if (errno == EINPROGRESS)
        return;
    if (errno == EADDRNOTAVAIL)
        fail("connect %s: %s (out of local ports? %d connections)", server_name, strerror(errno),
             connected);
    fail("connect %s: %s", server_name, strerror(errno));
}

static void handle(struct conn *c, uint32_t events)
{
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err)
            fail("connect %s: %s", server_name, strerror(err));
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        connected++;
        last_progress = now_ns();
        start_send(c, last_progress, 0); /* the priming round trip */
    } else if (c->state == C_SENDING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        try_send(c);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        if (c->state == C_SENDING || c->state == C_RECEIVING) {
            do_recv(c);
        } else if (c->state == C_IDLE) {
            /* Nothing is expected: data here is an extra byte, EOF is a close. */
            ssize_t n = recv(c->fd, scratch, 1, 0);
            if (n > 0)
                fail("connection %ld to %s: the server sent bytes nobody asked for",
                     (long)(c - conns), server_name);
            if (n == 0)
                fail("connection %ld to %s: the server closed the connection", (long)(c - conns),
                     server_name);
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                conn_fail(c, "recv", errno);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Arguments. */

static double arg_num(const char *opt, const char *s, double min)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min) || !isfinite(v))
        usage("bad value \"%s\" for %s", s, opt);
    return v;
}

static void parse_addr(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1])
        usage("bad address \"%s\" (want HOST:PORT)", s);
    char host[256];
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof host)
        usage("bad address \"%s\"", s);
    memcpy(host, s, hl);
    host[hl] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        usage("bad port in \"%s\"", s);
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
    int rc = getaddrinfo(host, NULL, &hints, &ai);
    if (rc)
        fail("cannot resolve \"%s\": %s", host, gai_strerror(rc));
    memcpy(&server_addr, ai->ai_addr, sizeof server_addr);
    server_addr.sin_port = htons((uint16_t)port);
    freeaddrinfo(ai);
}

int main(int argc, char **argv)
{
    int conns_arg = 100, concurrency = 100, pid = 0;
    double warm_s = 1, dur_s = 4, stall_s = 10, spin_us = 100;
    int opt;
    opterr = 0;
    while ((opt = getopt(argc, argv, "c:s:w:d:r:p:k:T:S:h")) != -1) {
        char o[3] = {'-', (char)opt, 0};
        switch (opt) {
        case 'c': conns_arg = (int)arg_num(o, optarg, 1); break;
        case 's': msg_size = (int)arg_num(o, optarg, 1); break;
        case 'w': warm_s = arg_num(o, optarg, 0); break;
        case 'd': dur_s = arg_num(o, optarg, 0.001); break;
        case 'r': rate = arg_num(o, optarg, 1e-9); open_loop = 1; break;
        case 'p': pid = (int)arg_num(o, optarg, 1); break;
        case 'k': concurrency = (int)arg_num(o, optarg, 1); break;
        case 'T': stall_s = arg_num(o, optarg, 0.001); break;
        case 'S': spin_us = arg_num(o, optarg, 0); break;
        case 'h': usage(NULL);
        default: usage("unknown option or missing value: -%c", optopt);
        }
    }
    if (optind != argc - 1)
        usage(optind >= argc ? "missing HOST:PORT" : "too many arguments");
    if (!msg_size)
        msg_size = 512;
    if (conns_arg > 1000000 || msg_size > (1 << 24))
        usage("too many connections or too large a message");
    server_name = argv[optind];
    parse_addr(server_name);
    nconns = conns_arg;

    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL); /* open-loop send times to the microsecond */

    /* One descriptor per connection plus a few of our own. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)nconns + 64) {
        rlim_t want = (rlim_t)nconns + 64;
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
            fail("%d connections need %llu file descriptors, but the hard limit "
                 "(ulimit -Hn) is %llu",
                 nconns, (unsigned long long)want, (unsigned long long)rl.rlim_max);
        rl.rlim_cur = want;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
            fail("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)want, strerror(errno));
    }

    pattern = malloc((size_t)msg_size + 256);
    scratch = malloc((size_t)msg_size);
    conns = calloc((size_t)nconns, sizeof *conns);
    if (!pattern || !scratch || !conns)
        fail("out of memory");
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < msg_size + 256; i++) { /* xorshift64 */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pattern[i] = (unsigned char)(x >> 32);
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0)
        fail("epoll_create1: %s", strerror(errno));

    long rss0 = 0, rss1 = 0;
    if (pid) {
        server_cpu_ns(pid); /* fails now if the pid is wrong */
        find_ksoftirqd();
        rss0 = server_rss_kb(pid);
    }

    const int64_t stall_ns = (int64_t)(stall_s * 1e9);
    spin_ns = (int64_t)(spin_us * 1e3);
    const int64_t warm_ns = (int64_t)(warm_s * 1e9), dur_ns = (int64_t)(dur_s * 1e9);
    int64_t t_connect0 = now_ns(), t_connected = 0, warm_start = 0, drain_deadline = 0;
    int64_t cpu0 = 0, cpu1 = 0, scpu0 = 0, scpu1 = 0, busy0 = 0, busy1 = 0, sirq0 = 0, sirq1 = 0;
    long long csw0 = 0, csw1 = 0;
    int next_conn = 0;
    last_progress = t_connect0;
    phase = P_CONNECT;
    if (open_loop)
        period_ns = 1e9 / rate;

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int64_t now = now_ns();

        /* Phase changes. */
        if (phase == P_CONNECT) {
            while (next_conn < nconns && connecting_now < concurrency)
                open_conn(&conns[next_conn++]);
            if (primed == nconns) {
                t_connected = now;
                if (pid)
                    rss1 = server_rss_kb(pid);
                phase = P_WARMUP;
                warm_start = now = now_ns();
                if (!open_loop) {
                    for (int i = 0; i < nconns; i++)
                        start_send(&conns[i], now, 0);
                } else {
                    t0_sched = now;
                    /* Requests due in [warm_start + warm, + dur) are measured. */
                    j_win_first = (uint64_t)ceil((double)warm_ns / period_ns);
                    j_win_end = (uint64_t)ceil((double)(warm_ns + dur_ns) / period_ns);
                    if (j_win_end <= j_win_first)
                        j_win_end = j_win_first + 1;
                    outstanding_measured = j_win_end - j_win_first;
                }
            }
        }
        if (phase == P_WARMUP && now - warm_start >= warm_ns) {
            phase = P_MEASURE;
            win_start = now_ns();
            win_end_planned = win_start + dur_ns;
            cpu0 = self_cpu_ns();
            busy0 = machine_busy_ns();
            sirq0 = ksoftirqd_cpu_ns();
            if (pid) {
                scpu0 = server_cpu_ns(pid);
                csw0 = server_csw(pid);
            }
            if (open_loop)
                win_end_planned = sched_time(j_win_end);
        }
        if (phase == P_MEASURE && now >= win_end_planned) {
            win_end = now_ns();
            cpu1 = self_cpu_ns();
            busy1 = machine_busy_ns();
            sirq1 = ksoftirqd_cpu_ns();
            if (pid) {
                scpu1 = server_cpu_ns(pid);
                csw1 = server_csw(pid);
            }
            if (!open_loop)
                break;
            phase = P_DRAIN;
            int64_t extra = dur_ns > 2 * NS_PER_SEC ? dur_ns : 2 * NS_PER_SEC;
            drain_deadline = now + extra;
        }
        if (phase == P_DRAIN && (outstanding_measured == 0 || now >= drain_deadline))
            break;

        /* Open loop: make the requests that are now due. */
        int64_t next_due = INT64_MAX;
        if (open_loop && phase != P_CONNECT) {
            for (;;) {
                int64_t due = sched_time(next_j);
                if (due > now) {
                    next_due = due;
                    break;
                }
                struct conn *c = &conns[next_j % (uint64_t)nconns];
                c->issued++;
                if (c->state == C_IDLE)
                    start_send(c, now, 1);
                next_j++;
            }
        }

        /* Stall check: something is out but nothing came back for a while. */
        int busy = phase == P_CONNECT || !open_loop || next_j > 0;
        if (busy && now - last_progress > stall_ns) {
            int waiting = 0;
            for (int i = 0; i < nconns; i++)
                waiting += conns[i].state == C_SENDING || conns[i].state == C_RECEIVING ||
                           conns[i].state == C_CONNECTING;
            if (waiting)
                fail("no reply from %s for %.1f s (%d of %d connections waiting, %d set up; "
                     "does the server echo %d-byte messages?)",
                     server_name, stall_s, waiting, nconns, primed, msg_size);
            last_progress = now;
        }

        /* Wait: until the next due request, phase end or stall check. */
        int64_t wake = now + 100 * 1000000LL;
        if (phase == P_WARMUP && warm_start + warm_ns < wake)
            wake = warm_start + warm_ns;
        if (phase == P_MEASURE && win_end_planned < wake)
            wake = win_end_planned;
        /* Wake a little early and poll the rest of the way: a timer wake-up
         * can take tens of microseconds, more on a virtual machine. */
        if (next_due != INT64_MAX && next_due - spin_ns < wake)
            wake = next_due - spin_ns;
        int64_t wait = wake - now_ns();
        if (wait < 0 || (next_due != INT64_MAX && next_due - now < spin_ns))
            wait = 0; /* the next request is close: poll rather than sleep */
        struct timespec ts = {.tv_sec = wait / NS_PER_SEC, .tv_nsec = wait % NS_PER_SEC};
        int n = epoll_pwait2(epfd, evs, MAX_EVENTS, &ts, NULL);
        if (n < 0 && errno == ENOSYS)
            n = epoll_wait(epfd, evs, MAX_EVENTS, (int)(wait / 1000000));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fail("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < n; i++)
            handle(&conns[evs[i].data.u64], evs[i].events);
    }

    /* Requests of the window that never came back count at the drain's end. */
    uint64_t incomplete = 0;
    if (open_loop && outstanding_measured) {
        int64_t now = now_ns();
        for (int i = 0; i < nconns; i++) {
            struct conn *c = &conns[i];
            for (uint64_t k = c->done; k < c->issued; k++) {
                uint64_t j = (uint64_t)i + k * (uint64_t)nconns;
                if (j >= j_win_first && j < j_win_end) {
                    h_record(now - sched_time(j));
                    incomplete++;
                }
            }
        }
    }

    /* Results. */
    double secs = (double)(win_end - win_start) / 1e9;
    double client_cpu = (double)(cpu1 - cpu0) / 1e9;
    double rt_rate = (double)win_rt / secs;
    printf("mode=%s conns=%d size=%d secs=%.3f rt=%llu rate=%.1f", open_loop ? "open" : "closed",
           nconns, msg_size, secs, (unsigned long long)win_rt, rt_rate);
    if (open_loop)
        printf(" target_rate=%.1f sent_late_p99_us=%.1f incomplete=%llu", rate,
               h_quantile(lag_hist, lag_n, lag_max, 0.99) / 1e3, (unsigned long long)incomplete);
    if (open_loop)
        printf(" client_late_p99_us=%.1f client_late_max_us=%.1f",
               h_quantile(own_hist, own_n, own_max, 0.99) / 1e3, own_max / 1e3);
    printf(" p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f",
           h_quantile(hist, hist_n, hist_max, 0.50) / 1e3,
           h_quantile(hist, hist_n, hist_max, 0.90) / 1e3,
           h_quantile(hist, hist_n, hist_max, 0.99) / 1e3,
           h_quantile(hist, hist_n, hist_max, 0.999) / 1e3, hist_max / 1e3);
    printf(" connect_s=%.3f client_cpu_s=%.3f client_cpu_pct=%.1f",
           (double)(t_connected - t_connect0) / 1e9, client_cpu, 100 * client_cpu / secs);
    if (pid) {
        double scpu = (double)(scpu1 - scpu0) / 1e9;
        printf(" server_cpu_s=%.3f server_cpu_pct=%.1f server_cpu_s_per_mrt=%.4f", scpu,
               100 * scpu / secs, win_rt ? scpu / ((double)win_rt / 1e6) : 0.0);
        printf(" server_csw_per_rt=%.3f", win_rt ? (double)(csw1 - csw0) / (double)win_rt : 0.0);
        printf(" server_rss0_kb=%ld server_rss1_kb=%ld rss_per_conn_b=%.0f", rss0, rss1,
               (double)(rss1 - rss0) * 1024.0 / nconns);
        double sirq = (double)(sirq1 - sirq0) / 1e9;
        printf(" ksoftirqd_cpu_pct=%.1f", 100 * sirq / secs);
        if (busy0 >= 0 && busy1 >= 0) {
            double other =
                (double)((busy1 - busy0) - (scpu1 - scpu0) - (cpu1 - cpu0) - (sirq1 - sirq0)) / 1e9;
            printf(" other_cpu_pct=%.1f", 100 * (other > 0 ? other : 0) / secs);
        }
    }
    printf("\n");
    fflush(stdout);
    fprintf(stderr,
            "%s: %s, %d conns x %d B: %llu round trips in %.3f s = %.0f/s; set-up %.3f s; "
            "client CPU %.1f%%\n",
            prog, server_name, nconns, msg_size, (unsigned long long)win_rt, secs, rt_rate,
            (double)(t_connected - t_connect0) / 1e9, 100 * client_cpu / secs);

    /* Close with RST: no TIME_WAIT left behind across runs. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    for (int i = 0; i < nconns; i++) {
        if (conns[i].state != C_FREE) {
            setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(conns[i].fd);
        }
    }
    return 0;
}
