/* echo.c - a TCP echo server, one goroutine per connection, written the way
 * a Go programmer writes it: plain blocking reads and writes, and the
 * runtime's network poller turns every wait into a parked goroutine.
 *
 *     ln, err := net.Listen("tcp", "127.0.0.1:9527")   ln = go_listen("tcp", "127.0.0.1:9527");
 *     for {                                             for (;;) {
 *         c, err := ln.Accept()                             c = go_fd_accept(ln, NULL, NULL);
 *         go serve(c)                                       go_spawn(serve, c);
 *     }                                                 }
 *
 *     func serve(c net.Conn) {                          static void serve(void *arg) {
 *         buf := make([]byte, size)                         char buf[...];
 *         for {                                             for (;;) {
 *             io.ReadFull(c, buf)                               read_full(c, buf, size);
 *             c.Write(buf)                                      go_fd_write(c, buf, size);
 *         }                                                 }
 *     }                                                 }
 *
 * (read_full calls go_fd_read until the message is whole, as io.ReadFull.)
 *
 * go_fd_read tries read(2) and, when the socket is empty, parks the
 * goroutine until the poller (one edge-triggered epoll set) sees data; the
 * OS thread runs other goroutines meanwhile. So ten thousand connections
 * are ten thousand goroutines with small stacks, not ten thousand threads,
 * and the code stays straight-line: no callbacks, no state machine.
 *
 * Two modes:
 *
 *   echo [PORT=9527] [SIZE=512]
 *       the server of the I/O benchmark (bench/io/run.sh, which runs it as
 *       GORT_ECHO_SERVER): the command line and the output of the Go
 *       server ../shared/peers/go/echo/main.go. Prints "listening on
 *       127.0.0.1:PORT" once it accepts connections, then echoes SIZE-byte
 *       messages until killed. A bad argument (not a decimal integer, or
 *       <= 0) prints `bad argument "..."` and exits with status 2 (Go's
 *       argInt). No allocation per message, no locks: one buffer per
 *       connection (on the goroutine's stack when SIZE is small), a
 *       go_fd_read loop that fills it, one go_fd_write.
 *
 *   echo -selftest
 *       the example the test suite runs: the server listens on a free port
 *       of 127.0.0.1; 50 client goroutines in the same process each dial
 *       it, send 100 messages and check every echoed byte; a 51st client
 *       hangs up in the middle of a message; then the listener is closed,
 *       which ends the accept loop. The output is the same on every run and
 *       at every GOMAXPROCS (no port numbers, no timings; per-connection
 *       results are counted, not listed in arrival order).
 *
 * By hand (see also README.md here):
 *     ./echo 9527 16 &
 *     printf '0123456789abcdef' | nc -q1 127.0.0.1 9527      # prints it back
 *
 * C details. The I/O calls follow the system-call convention: -1 (NULL)
 * and errno. A call that parks may resume the goroutine on another OS
 * thread, and the compiler may keep errno's address from before the call:
 * in a goroutine, read the error with go_errno() (gort/io.h). The
 * connection handle is passed to the goroutine as its argument (go_spawn:
 * no copy, no allocation); the goroutine owns it and closes it.
 * Go twin: go/echo.go. */
#define _POSIX_C_SOURCE 200809L /* setrlimit, shutdown */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <gort.h>

#define DEFAULT_PORT 9527
#define DEFAULT_SIZE 512
#define STACK_BUF_MAX 2048 /* messages up to this size live on the goroutine's stack */

#define SECOND 1000000000LL

#define SELFTEST_CLIENTS 50
#define SELFTEST_MESSAGES 100
#define SELFTEST_SIZE 512

static size_t msg_size = DEFAULT_SIZE; /* set once, before any goroutine runs */

/* ------------------------------------------------------------ arguments */

/* Go's %q for the bad-argument message: escapes quotes, backslashes and
 * control characters; other bytes are copied (printable UTF-8 stays as is,
 * as in Go). */
static void print_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\a': fputs("\\a", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\v': fputs("\\v", f); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\x%02x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* strconv.Atoi: an optional sign and decimal digits, nothing else, within
 * int64. Returns 0 and sets *out, or -1. */
static int atoi_go(const char *s, long long *out)
{
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (*s == '\0')
        return -1;
    unsigned long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned d = (unsigned)(*s - '0');
        if (v > (9223372036854775808ull - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (!neg && v > 9223372036854775807ull)
        return -1;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 0;
}

/* Go's argInt: argument i as a positive integer, or def when absent; a bad
 * one ends the program with status 2. */
static long long arg_int(int argc, char **argv, int i, long long def)
{
    if (argc <= i)
        return def;
    long long n;
    if (atoi_go(argv[i], &n) != 0 || n <= 0) {
        fputs("bad argument ", stderr);
        print_quoted(stderr, argv[i]);
        fputc('\n', stderr);
        exit(2);
    }
    return n;
}

/* Go's runtime raises the soft limit on open files to the hard limit at
 * start (Go 1.19): a server with 10,000 connections needs it. */
static void raise_nofile_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            perror("setrlimit(RLIMIT_NOFILE)");
    }
}

/* ---------------------------------------------------------------- the server */

/* read_full's results besides 0 (full) and a positive errno. */
#define ERR_EOF (-1)            /* io.EOF: the peer closed before the first byte */
#define ERR_UNEXPECTED_EOF (-2) /* io.ErrUnexpectedEOF: it closed in the middle */

/* io.ReadFull: read exactly @len bytes. Returns 0, ERR_EOF, ERR_UNEXPECTED_EOF
 * or the errno of the failed read (ECONNRESET, ETIMEDOUT, ...). */
static int read_full(go_fd_t *c, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = go_fd_read(c, buf + got, len - got); /* parks while the socket is empty */
        if (n < 0)
            return go_errno(); /* not errno: the goroutine may be on another thread now */
        if (n == 0)
            return got == 0 ? ERR_EOF : ERR_UNEXPECTED_EOF;
        got += (size_t)n;
    }
    return 0;
}

static const char *err_text(int err)
{
    switch (err) {
    case 0: return "none";
    case ERR_EOF: return "EOF";
    case ERR_UNEXPECTED_EOF: return "unexpected EOF";
    default: return strerror(err);
    }
}

/* How a connection ended (the self-test's server counts these). */
struct conn_result {
    long long messages; /* echoed */
    int err;            /* what ended it: ERR_EOF, ERR_UNEXPECTED_EOF or an errno */
};

/* The loop of every connection: read a whole message, write it back, until
 * the client is gone. @buf holds msg_size bytes. */
static struct conn_result echo_loop(go_fd_t *c, char *buf)
{
    struct conn_result r = { 0, 0 };
    for (;;) {
        if ((r.err = read_full(c, buf, msg_size)) != 0)
            return r;
        /* go_fd_write writes it all, parking while the socket is full */
        ssize_t n = go_fd_write(c, buf, msg_size);
        if (n != (ssize_t)msg_size) {
            r.err = go_errno();
            return r;
        }
        r.messages++;
    }
}

/* serve a connection; a failed close is worth a line on stderr (the
 * connection itself ending, by EOF or a reset, is not: Go's server says
 * nothing either). */
static struct conn_result serve_conn(go_fd_t *c)
{
    struct conn_result r;
    if (msg_size <= STACK_BUF_MAX) {
        char buf[STACK_BUF_MAX];
        r = echo_loop(c, buf);
    } else {
        char *buf = malloc(msg_size); /* make([]byte, size) */
        if (buf == NULL) {
            perror("malloc");
            r.messages = 0;
            r.err = ENOMEM;
        } else {
            r = echo_loop(c, buf);
            free(buf);
        }
    }
    if (go_fd_close(c) != 0)
        fprintf(stderr, "close: %s\n", strerror(go_errno()));
    return r;
}

/* The benchmark's connection goroutine: go serve(c). */
static void serve(void *arg)
{
    serve_conn(arg);
}

/* ----------------------------------------------------------- serve mode */

static long long serve_port; /* go_listen refuses one above 65535 (EINVAL), as Go does */

static void serve_main(void *unused)
{
    (void)unused;
    char addr[GO_ADDR_STRLEN];
    snprintf(addr, sizeof addr, "127.0.0.1:%lld", serve_port);
    go_fd_t *ln = go_listen("tcp", addr);
    if (ln == NULL) {
        fprintf(stderr, "listen tcp %s: %s\n", addr, strerror(go_errno()));
        exit(1);
    }
    if (go_fd_local_addr(ln, addr, sizeof addr) < 0) {
        fprintf(stderr, "local address: %s\n", strerror(go_errno()));
        exit(1);
    }
    printf("listening on %s\n", addr);
    fflush(stdout); /* run.sh waits for this line */
    for (;;) {
        go_fd_t *c = go_fd_accept(ln, NULL, NULL); /* parks until a client connects */
        if (c == NULL) {
            fprintf(stderr, "accept tcp %s: %s\n", addr, strerror(go_errno()));
            exit(1);
        }
        go_id_t id = go_spawn(serve, c); /* the handle is the argument: no allocation */
        if (id < 0) {
            fprintf(stderr, "go_spawn: %s\n", go_strerror((int)id));
            go_fd_close(c);
        }
    }
}

/* -------------------------------------------------------------- self-test */

static go_fd_t *st_listener;
static char st_addr[GO_ADDR_STRLEN];
static go_chan_t *st_conns;    /* struct conn_result: one per connection served */
static go_chan_t *st_accepts;  /* int: the accept loop's end (its errno) */
static go_chan_t *st_clients;  /* struct client_result */

/* The self-test's connection goroutine: serve, then report how it went. */
static void serve_and_report(void *arg)
{
    struct conn_result r = serve_conn(arg);
    chan_send(st_conns, &r);
}

static void accept_loop(void *unused)
{
    (void)unused;
    for (;;) {
        go_fd_t *c = go_fd_accept(st_listener, NULL, NULL);
        if (c == NULL) {
            int err = go_errno(); /* EBADF: the listener was closed (Go's net.ErrClosed) */
            chan_send(st_accepts, &err);
            return;
        }
        go_id_t id = go_spawn(serve_and_report, c);
        if (id < 0) {
            fprintf(stderr, "go_spawn: %s\n", go_strerror((int)id));
            exit(1);
        }
    }
}

/* Byte i of message m of client k: every client sends different bytes. */
static unsigned char pattern(int k, int m, int i)
{
    return (unsigned char)(k * 131 + m * 31 + i * 7);
}

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

struct client_result {
    int index;
    int ok;          /* every message came back intact */
    long long bytes; /* echoed bytes received */
    uint64_t hash;   /* FNV-1a of them */
};

static void die_client(int k, const char *what, int err)
{
    fprintf(stderr, "client %d: %s: %s\n", k, what, err_text(err));
    exit(1);
}

static void client(void *arg)
{
    int k = *(const int *)arg;
    struct client_result r = { k, 1, 0, FNV_OFFSET };
    go_fd_t *c = go_dial("tcp", st_addr, go_nanotime() + 10 * SECOND);
    if (c == NULL)
        die_client(k, "dial", go_errno());
    /* c.SetDeadline(time.Now().Add(10 * time.Second)): a server that stops
     * answering fails the test instead of hanging it. */
    if (go_fd_set_deadline(c, GO_DEADLINE_BOTH, go_nanotime() + 10 * SECOND) != 0)
        die_client(k, "set deadline", go_errno());
    char msg[SELFTEST_SIZE], reply[SELFTEST_SIZE];
    for (int m = 0; m < SELFTEST_MESSAGES; m++) {
        for (int i = 0; i < SELFTEST_SIZE; i++)
            msg[i] = (char)pattern(k, m, i);
        if (go_fd_write(c, msg, sizeof msg) != (ssize_t)sizeof msg)
            die_client(k, "write", go_errno());
        int err = read_full(c, reply, sizeof reply);
        if (err != 0)
            die_client(k, "read", err);
        if (memcmp(msg, reply, sizeof msg) != 0)
            r.ok = 0;
        for (int i = 0; i < SELFTEST_SIZE; i++)
            r.hash = (r.hash ^ (unsigned char)reply[i]) * FNV_PRIME;
        r.bytes += SELFTEST_SIZE;
    }
    if (go_fd_close(c) != 0)
        die_client(k, "close", go_errno());
    chan_send(st_clients, &r);
}

/* A client that sends half a message and shuts its side down: the server's
 * read_full sees EOF in the middle and drops the connection unanswered. */
static void half_client(void)
{
    go_fd_t *c = go_dial("tcp", st_addr, go_nanotime() + 10 * SECOND);
    if (c == NULL)
        die_client(SELFTEST_CLIENTS, "dial", go_errno());
    if (go_fd_set_deadline(c, GO_DEADLINE_BOTH, go_nanotime() + 10 * SECOND) != 0)
        die_client(SELFTEST_CLIENTS, "set deadline", go_errno());
    char half[SELFTEST_SIZE / 2];
    memset(half, 'x', sizeof half);
    if (go_fd_write(c, half, sizeof half) != (ssize_t)sizeof half)
        die_client(SELFTEST_CLIENTS, "write", go_errno());
    if (go_fd_shutdown(c, SHUT_WR) != 0) /* c.(*net.TCPConn).CloseWrite() */
        die_client(SELFTEST_CLIENTS, "shutdown", errno); /* never parks: errno is fine */
    char buf[SELFTEST_SIZE];
    ssize_t n = go_fd_read(c, buf, sizeof buf);
    if (n < 0)
        die_client(SELFTEST_CLIENTS, "read", go_errno());
    printf("a client that hangs up after %zu of %d bytes: the server closes, the client reads %s\n",
           sizeof half, SELFTEST_SIZE, n == 0 ? "EOF" : "data (wrong!)");
    if (go_fd_close(c) != 0)
        die_client(SELFTEST_CLIENTS, "close", go_errno());
}

static go_chan_t *make_chan(size_t elem, size_t cap)
{
    go_chan_t *ch = chan_new(elem, cap);
    if (ch == NULL) {
        perror("chan_new");
        exit(1);
    }
    return ch;
}

static void selftest_main(void *unused)
{
    (void)unused;
    msg_size = SELFTEST_SIZE;
    st_listener = go_listen("tcp", "127.0.0.1:0"); /* port 0: any free port */
    if (st_listener == NULL) {
        fprintf(stderr, "listen: %s\n", strerror(go_errno()));
        exit(1);
    }
    if (go_fd_local_addr(st_listener, st_addr, sizeof st_addr) < 0) {
        fprintf(stderr, "local address: %s\n", strerror(go_errno()));
        exit(1);
    }
    st_conns = make_chan(sizeof(struct conn_result), 0);
    st_accepts = make_chan(sizeof(int), 0);
    st_clients = make_chan(sizeof(struct client_result), 0);
    printf("echo server on 127.0.0.1 (a free port), one goroutine per connection\n");
    if (go_spawn(accept_loop, NULL) < 0) {
        fputs("go_spawn failed\n", stderr);
        exit(1);
    }

    /* 50 clients at once; their results arrive in any order: keep them by index. */
    for (int k = 0; k < SELFTEST_CLIENTS; k++)
        if (go_spawn_copy(client, &k, sizeof k) < 0) {
            fputs("go_spawn_copy failed\n", stderr);
            exit(1);
        }
    struct client_result results[SELFTEST_CLIENTS];
    for (int i = 0; i < SELFTEST_CLIENTS; i++) {
        struct client_result r;
        chan_recv(st_clients, &r);
        results[r.index] = r;
    }
    int intact = 0;
    long long bytes = 0;
    uint64_t checksum = 0;
    for (int k = 0; k < SELFTEST_CLIENTS; k++) {
        intact += results[k].ok;
        bytes += results[k].bytes;
        checksum ^= results[k].hash * (uint64_t)(k + 1);
    }
    printf("%d clients x %d messages of %d bytes: %d round trips, %lld bytes echoed\n",
           SELFTEST_CLIENTS, SELFTEST_MESSAGES, SELFTEST_SIZE, SELFTEST_CLIENTS * SELFTEST_MESSAGES,
           bytes);
    printf("clients whose every message came back intact: %d of %d (checksum %016" PRIx64 ")\n",
           intact, SELFTEST_CLIENTS, checksum);

    half_client();

    /* Every connection's goroutine reports when its client is gone. */
    int conns = 0, at_eof = 0, mid_message = 0, other = 0;
    long long echoed = 0;
    for (int i = 0; i < SELFTEST_CLIENTS + 1; i++) {
        struct conn_result r;
        chan_recv(st_conns, &r);
        conns++;
        echoed += r.messages;
        if (r.err == ERR_EOF)
            at_eof++;
        else if (r.err == ERR_UNEXPECTED_EOF)
            mid_message++;
        else {
            other++;
            fprintf(stderr, "a connection ended with: %s\n", err_text(r.err));
        }
    }
    printf("server: %d connections, %lld messages echoed; ended by EOF: %d, "
           "by EOF in the middle of a message: %d, by an error: %d\n",
           conns, echoed, at_eof, mid_message, other);

    /* Closing the listener wakes the goroutine parked in accept (EBADF). */
    if (go_fd_close(st_listener) != 0) {
        fprintf(stderr, "close listener: %s\n", strerror(go_errno()));
        exit(1);
    }
    int err;
    chan_recv(st_accepts, &err);
    printf("listener closed: accept failed with %s, the accept loop returned\n",
           err == EBADF ? "\"use of closed network connection\"" : strerror(err));

    chan_free(st_clients);
    chan_free(st_accepts);
    chan_free(st_conns);
}

int main(int argc, char **argv)
{
    go_fn_t body;
    if (argc == 2 && strcmp(argv[1], "-selftest") == 0) {
        body = selftest_main;
    } else {
        long long port = arg_int(argc, argv, 1, DEFAULT_PORT);
        long long size = arg_int(argc, argv, 2, DEFAULT_SIZE);
        if ((unsigned long long)size > SIZE_MAX / 2) {
            fprintf(stderr, "size %lld: too large\n", size);
            return 2;
        }
        serve_port = port;
        msg_size = (size_t)size;
        body = serve_main;
    }
    raise_nofile_limit();
    int rc = go_main(body, NULL);
    if (rc < 0) {
        fprintf(stderr, "go_main: %s\n", go_strerror(rc));
        return 1;
    }
    return 0;
}
