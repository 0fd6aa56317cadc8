/* http.c - a tiny HTTP/1.1 server: one goroutine per connection, keep-alive,
 * pipelining, and one fixed answer ("Hello, World!\n"). The goroutine reads
 * a request, answers it and loops, in plain straight-line code; every wait
 * for the client (the next request, room to write) parks the goroutine, not
 * a thread, so idle keep-alive connections cost a small stack each.
 *
 *     for {                                       for (;;) {
 *         req, err := readRequest(c)                  st = read_request(c, &req);   (parks)
 *         if err != nil { ... }                       if (st != 0) ...
 *         writeResponse(c, req)                       append_response(c, ...);
 *     }                                           }
 *
 * What it understands, and the answers:
 *   - a request line "METHOD TARGET HTTP/1.x", header lines up to an empty
 *     line (lines end with "\r\n" or "\n"); any target gets the same page;
 *   - GET and HEAD: "200 OK" (HEAD without the body); other methods: "405
 *     Method Not Allowed" (the request body, by Content-Length, is read
 *     and dropped, and the connection stays usable);
 *   - keep-alive: HTTP/1.1 keeps the connection unless the request says
 *     "Connection: close"; HTTP/1.0 closes it unless the request says
 *     "Connection: keep-alive". When the server closes, it says so
 *     ("Connection: close");
 *   - pipelining: requests that arrived together are answered in order,
 *     and their responses leave in one write; the server writes whatever
 *     is pending before it waits for the client again;
 *   - "400 Bad Request" for garbage (a malformed request line or header, no
 *     Host in HTTP/1.1, a bad Content-Length), "431 Request Header Fields
 *     Too Large" past 8 KiB of request line and headers, "501 Not
 *     Implemented" for a Transfer-Encoding (chunked bodies are not
 *     supported); each closes the connection;
 *   - a connection that brings no complete request within the idle timeout
 *     (a read deadline, set before each wait for a new request: Go's
 *     Server.IdleTimeout) is closed.
 * When the server closes a connection whose client may still be sending,
 * it shuts down its sending side first and reads until the client closes
 * (for at most 500 ms), as Go's net/http does: closing a socket with
 * unread data makes the kernel send a reset, which can destroy the last
 * response before the client reads it.
 *
 * Not a real server: no Date header, no chunked bodies, no percent-decoding
 * or routing, no TLS. (A Go programmer would use net/http; the Go twin
 * spells the same small protocol out over net.Conn, so that the two behave
 * the same, byte for byte.)
 *
 * Two modes:
 *   http [PORT=8080]    serve on 127.0.0.1:PORT (0: a free port); prints
 *                       "listening on 127.0.0.1:PORT". Then:
 *                           curl -v http://127.0.0.1:8080/ http://127.0.0.1:8080/
 *                       (curl reuses the connection for the second URL).
 *   http -selftest      the example the test suite runs: the server on a
 *                       free port, fetched over one keep-alive connection,
 *                       with pipelined requests, in HTTP/1.0, with bad
 *                       requests, left idle, and from 20 connections at
 *                       once. It prints status lines and bodies: the same
 *                       on every run.
 *
 * C details. I/O errors follow the system-call convention (-1 and errno):
 * after a call that may park, read the error with go_errno() (gort/io.h).
 * A connection's buffers (8 KiB in, 4 KiB out) live on its goroutine's
 * stack (64 KiB). Go twin: go/http.go. */
#define _POSIX_C_SOURCE 200809L /* shutdown, strncasecmp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <gort.h>

#define MS 1000000LL
#define SECOND 1000000000LL

#define IN_SIZE 8192  /* request line + headers: at most this (431 past it) */
#define OUT_SIZE 4096 /* responses waiting to be written together */

#define SERVE_IDLE_TIMEOUT (60 * SECOND)
#define LINGER_TIMEOUT (500 * MS)

static const char hello[] = "Hello, World!\n";

static void fatal(const char *what, int err)
{
    fprintf(stderr, "%s: %s\n", what, strerror(err));
    exit(1);
}

static void spawn(go_fn_t fn, const void *args, size_t size)
{
    go_id_t id = go_spawn_copy(fn, args, size);
    if (id < 0) {
        fprintf(stderr, "go_spawn_copy: %s\n", go_strerror((int)id));
        exit(1);
    }
}

/* ------------------------------------------------------- a buffered socket */

/* A connection with an input buffer (lines are read from it) and an output
 * buffer (responses wait in it). Everything pending in `out` is written
 * before any read: a client that waits for an answer gets it before the
 * server waits for that client. */
struct conn {
    go_fd_t *fd;
    size_t start, end; /* the unread input: in[start:end] */
    int eof;           /* the peer has closed its side */
    int err;           /* the last failure: an errno, or EMSGSIZE (a line past IN_SIZE) */
    size_t outlen;
    char in[IN_SIZE + 1]; /* + a NUL after a line that fills it */
    char out[OUT_SIZE];
};

static void conn_init(struct conn *c, go_fd_t *fd)
{
    c->fd = fd;
    c->start = c->end = 0;
    c->eof = 0;
    c->err = 0;
    c->outlen = 0;
}

/* Write what is pending. Returns 0, or -1 (c->err). May park. */
static int flush(struct conn *c)
{
    if (c->outlen == 0)
        return 0;
    ssize_t n = go_fd_write(c->fd, c->out, c->outlen);
    if (n != (ssize_t)c->outlen) {
        c->err = go_errno();
        return -1;
    }
    c->outlen = 0;
    return 0;
}

/* Read more input after what is buffered. Returns 1 (more arrived), 0 (end
 * of input: c->eof), or -1 (c->err: the read failed, or the buffer is full
 * with no room to read: EMSGSIZE). May park. */
static int fill(struct conn *c)
{
    if (flush(c) != 0)
        return -1;
    if (c->start > 0) { /* make room: move what is left to the front */
        memmove(c->in, c->in + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    if (c->end == IN_SIZE) {
        c->err = EMSGSIZE;
        return -1;
    }
    ssize_t n = go_fd_read(c->fd, c->in + c->end, IN_SIZE - c->end);
    if (n < 0) {
        c->err = go_errno();
        return -1;
    }
    if (n == 0) {
        c->eof = 1;
        return 0;
    }
    c->end += (size_t)n;
    return 1;
}

/* The next line, without its "\n" or "\r\n", NUL-terminated, valid until
 * the next call; *len is its length with the line end (what it used of the
 * input). NULL at the end of input (c->eof; a last line without "\n" is not
 * a line) or on an error (c->err). May park. */
static char *read_line(struct conn *c, size_t *len)
{
    for (;;) {
        char *data = c->in + c->start;
        char *nl = memchr(data, '\n', c->end - c->start);
        if (nl != NULL) {
            size_t n = (size_t)(nl - data);
            *len = n + 1;
            c->start += n + 1;
            if (n > 0 && data[n - 1] == '\r')
                n--;
            data[n] = '\0';
            return data;
        }
        if (c->eof || fill(c) <= 0)
            return NULL;
    }
}

/* Consume @n bytes of input (a body to drop, or to copy into @dst when not
 * NULL). Returns 0, or -1 at the end of input or on an error. May park. */
static int read_bytes(struct conn *c, char *dst, long long n)
{
    while (n > 0) {
        if (c->start == c->end) {
            if (c->eof)
                return -1;
            if (fill(c) <= 0)
                return -1;
            continue;
        }
        size_t k = c->end - c->start;
        if ((long long)k > n)
            k = (size_t)n;
        if (dst != NULL) {
            memcpy(dst, c->in + c->start, k);
            dst += k;
        }
        c->start += k;
        n -= (long long)k;
    }
    return 0;
}

/* Queue @len bytes for writing (flushing first when they do not fit).
 * Returns 0 or -1 (c->err). May park. */
static int queue(struct conn *c, const char *s, size_t len)
{
    if (c->outlen + len > OUT_SIZE && flush(c) != 0)
        return -1;
    if (len > OUT_SIZE) {
        c->err = EMSGSIZE;
        return -1;
    }
    memcpy(c->out + c->outlen, s, len);
    c->outlen += len;
    return 0;
}

static int is_tchar(char ch) /* a character of an HTTP token (RFC 9110) */
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* ------------------------------------------------------------- the server */

struct request {
    int minor;          /* HTTP/1.minor */
    int head;           /* the method is HEAD */
    int get_or_head;    /* the method is GET or HEAD */
    int keep_alive;     /* the connection stays open after the response */
    long long body_len; /* Content-Length (0 without one) */
};

/* What read_request found besides a request (0). */
enum {
    REQ_END = 1,         /* no request: the client closed, went quiet, or failed */
    REQ_BAD = 400,       /* Bad Request */
    REQ_TOO_LARGE = 431, /* Request Header Fields Too Large */
    REQ_NOT_IMPL = 501,  /* Not Implemented */
};

/* Connection: a list of tokens; "close" and "keep-alive" matter. */
static void parse_connection(const char *v, int *close_it, int *keep)
{
    while (*v != '\0') {
        size_t n = strcspn(v, ",");
        const char *tok = v;
        v += n;
        if (*v == ',')
            v++;
        while (n > 0 && (*tok == ' ' || *tok == '\t'))
            tok++, n--;
        while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
            n--;
        if (n == 5 && strncasecmp(tok, "close", 5) == 0)
            *close_it = 1;
        if (n == 10 && strncasecmp(tok, "keep-alive", 10) == 0)
            *keep = 1;
    }
}

/* Read one request's line and headers. Returns 0 (*req filled), REQ_END, or
 * the status of the error to answer with. May park. */
static int read_request(struct conn *c, struct request *req)
{
    size_t total = 0, len;
    char *line;
    /* the request line (empty lines before it are skipped, as RFC 9112 allows) */
    do {
        if ((line = read_line(c, &len)) == NULL)
            return c->err == EMSGSIZE ? REQ_TOO_LARGE : REQ_END;
        total += len;
        if (total > IN_SIZE)
            return REQ_TOO_LARGE;
    } while (*line == '\0');

    /* METHOD SP TARGET SP HTTP/1.x */
    size_t mlen = 0;
    while (is_tchar(line[mlen]))
        mlen++;
    if (mlen == 0 || line[mlen] != ' ')
        return REQ_BAD;
    const char *target = line + mlen + 1;
    size_t tlen = 0;
    while ((unsigned char)target[tlen] > ' ' && target[tlen] != 0x7f)
        tlen++;
    if (tlen == 0 || target[tlen] != ' ')
        return REQ_BAD;
    const char *version = target + tlen + 1;
    int minor;
    if (strcmp(version, "HTTP/1.1") == 0)
        minor = 1;
    else if (strcmp(version, "HTTP/1.0") == 0)
        minor = 0;
    else
        return REQ_BAD;
    req->head = mlen == 4 && memcmp(line, "HEAD", 4) == 0;
    req->get_or_head = req->head || (mlen == 3 && memcmp(line, "GET", 3) == 0);

    /* headers, up to an empty line */
    int close_it = 0, keep = 0, host = 0, has_length = 0, chunked = 0;
    req->body_len = 0;
    for (;;) {
        if ((line = read_line(c, &len)) == NULL)
            return c->err == EMSGSIZE ? REQ_TOO_LARGE : REQ_END;
        total += len;
        if (total > IN_SIZE)
            return REQ_TOO_LARGE;
        if (*line == '\0')
            break;
        size_t nlen = 0;
        while (is_tchar(line[nlen]))
            nlen++;
        if (nlen == 0 || line[nlen] != ':') /* also a folded line (leading space) */
            return REQ_BAD;
        char *value = line + nlen + 1;
        value += strspn(value, " \t");
        size_t vlen = strlen(value);
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
            value[--vlen] = '\0';
        if (nlen == 4 && strncasecmp(line, "Host", 4) == 0)
            host = 1;
        else if (nlen == 10 && strncasecmp(line, "Connection", 10) == 0)
            parse_connection(value, &close_it, &keep);
        else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0)
            chunked = 1;
        else if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
            long long n = 0;
            if (vlen == 0 || vlen > 15 || strspn(value, "0123456789") != vlen)
                return REQ_BAD;
            for (size_t i = 0; i < vlen; i++)
                n = n * 10 + (value[i] - '0');
            if (has_length && n != req->body_len)
                return REQ_BAD;
            has_length = 1;
            req->body_len = n;
        }
    }
    if (minor == 1 && !host)
        return REQ_BAD;
    if (chunked)
        return REQ_NOT_IMPL;
    req->minor = minor;
    req->keep_alive = minor == 1 ? !close_it : keep && !close_it;
    return 0;
}

/* Queue a response. @connection: "close", "keep-alive" or NULL (no header). */
static int respond(struct conn *c, int status, const char *reason, const char *extra,
                   const char *body, int head, const char *connection)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\n"
                     "%s%s%s%s"
                     "\r\n"
                     "%s",
                     status, reason, strlen(body), extra, connection ? "Connection: " : "",
                     connection ? connection : "", connection ? "\r\n" : "", head ? "" : body);
    return queue(c, buf, (size_t)n);
}

/* Close a connection whose client may still be sending (see the top). */
static void linger_close(struct conn *c)
{
    if (flush(c) == 0 && go_fd_shutdown(c->fd, SHUT_WR) == 0 &&
        go_fd_set_deadline(c->fd, GO_DEADLINE_READ, go_nanotime() + LINGER_TIMEOUT) == 0) {
        while (go_fd_read(c->fd, c->in, IN_SIZE) > 0) {
        }
    }
    if (go_fd_close(c->fd) != 0)
        fprintf(stderr, "close: %s\n", strerror(go_errno()));
}

struct serve_args {
    go_fd_t *fd;
    int64_t idle_timeout;
};

static void serve_conn(void *arg)
{
    const struct serve_args *a = arg;
    struct conn c; /* 12 KiB of buffers, on this goroutine's stack */
    conn_init(&c, a->fd);
    for (;;) {
        /* Idle: nothing buffered, the next request has yet to come. */
        if (c.start == c.end &&
            go_fd_set_deadline(c.fd, GO_DEADLINE_READ, go_nanotime() + a->idle_timeout) != 0) {
            fprintf(stderr, "set deadline: %s\n", strerror(go_errno()));
            break;
        }
        struct request req;
        int st = read_request(&c, &req);
        if (st == REQ_END) /* EOF, a reset, the idle timeout: nothing to answer */
            break;
        if (st == REQ_BAD) {
            respond(&c, 400, "Bad Request", "", "bad request\n", 0, "close");
            linger_close(&c);
            return;
        }
        if (st == REQ_TOO_LARGE) {
            respond(&c, 431, "Request Header Fields Too Large", "", "request header too large\n",
                    0, "close");
            linger_close(&c);
            return;
        }
        if (st == REQ_NOT_IMPL) {
            respond(&c, 501, "Not Implemented", "", "transfer encodings are not supported\n", 0,
                    "close");
            linger_close(&c);
            return;
        }
        if (read_bytes(&c, NULL, req.body_len) != 0) /* a body: dropped */
            break;
        /* HTTP/1.1 keeps connections by default; HTTP/1.0 is told. */
        const char *connection = !req.keep_alive ? "close" : req.minor == 0 ? "keep-alive" : NULL;
        int rc = req.get_or_head
                     ? respond(&c, 200, "OK", "", hello, req.head, connection)
                     : respond(&c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n",
                               "method not allowed\n", 0, connection);
        if (rc != 0)
            break;
        if (!req.keep_alive) {
            linger_close(&c);
            return;
        }
    }
    flush(&c); /* what is pending, if the client still reads */
    if (go_fd_close(c.fd) != 0)
        fprintf(stderr, "close: %s\n", strerror(go_errno()));
}

struct listener_args {
    go_fd_t *ln;
    int64_t idle_timeout;
};

static void accept_loop(void *arg)
{
    const struct listener_args *a = arg;
    for (;;) {
        go_fd_t *fd = go_fd_accept(a->ln, NULL, NULL);
        if (fd == NULL) {
            int err = go_errno();
            if (err == EBADF) /* the listener was closed: Go's net.ErrClosed */
                return;
            fatal("accept", err);
        }
        struct serve_args s = { fd, a->idle_timeout };
        spawn(serve_conn, &s, sizeof s);
    }
}

static go_fd_t *listen_on(const char *addr, char *actual, size_t size)
{
    go_fd_t *ln = go_listen("tcp", addr);
    if (ln == NULL) {
        fprintf(stderr, "listen tcp %s: %s\n", addr, strerror(go_errno()));
        exit(1);
    }
    if (go_fd_local_addr(ln, actual, size) < 0)
        fatal("local address", go_errno());
    return ln;
}

/* --------------------------------------------------------------- serve mode */

static long serve_port = 8080;

static void serve_main(void *unused)
{
    (void)unused;
    char addr[GO_ADDR_STRLEN], actual[GO_ADDR_STRLEN];
    snprintf(addr, sizeof addr, "127.0.0.1:%ld", serve_port);
    struct listener_args a = { listen_on(addr, actual, sizeof actual), SERVE_IDLE_TIMEOUT };
    printf("listening on %s\n", actual);
    fflush(stdout);
    accept_loop(&a); /* until killed */
}

/* ---------------------------------------------------------------- self-test */

#define SELFTEST_IDLE_TIMEOUT (500 * MS) /* a client stall shorter than this must not close it */
#define PARALLEL_CONNS 20
#define PARALLEL_REQUESTS 10

static char server_addr[GO_ADDR_STRLEN]; /* idle timeout: 10 s */
static char idle_addr[GO_ADDR_STRLEN];   /* idle timeout: SELFTEST_IDLE_TIMEOUT */

/* Go's %q, for the ASCII this program prints. */
static void print_quoted(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (ch < 0x20 || ch >= 0x7f)
                printf("\\x%02x", ch);
            else
                putchar(ch);
        }
    }
    putchar('"');
}

static void dial(struct conn *c, const char *addr)
{
    go_fd_t *fd = go_dial("tcp", addr, go_nanotime() + 10 * SECOND);
    if (fd == NULL)
        fatal("dial", go_errno());
    /* A server that stops answering fails the example instead of hanging it. */
    if (go_fd_set_deadline(fd, GO_DEADLINE_BOTH, go_nanotime() + 10 * SECOND) != 0)
        fatal("set deadline", go_errno());
    conn_init(c, fd);
}

static void hang_up(struct conn *c)
{
    if (go_fd_close(c->fd) != 0)
        fatal("close", go_errno());
}

static void send_raw(struct conn *c, const char *s, size_t len)
{
    if (go_fd_write(c->fd, s, len) != (ssize_t)len)
        fatal("write", go_errno());
}

static void send_str(struct conn *c, const char *s)
{
    send_raw(c, s, strlen(s));
}

struct response {
    char status[128];     /* the status line */
    char connection[64];  /* the Connection header, "" without one */
    char allow[64];       /* the Allow header */
    long long length;     /* Content-Length */
    char body[128];
    size_t body_len;
};

static void client_fail(const struct conn *c, const char *what)
{
    fprintf(stderr, "client: %s: %s\n", what,
            c->eof ? "the server closed the connection" : strerror(c->err));
    exit(1);
}

/* Read a response (without its body after HEAD). Exits on any failure. */
static void read_response(struct conn *c, int head, struct response *r)
{
    size_t len;
    char *line = read_line(c, &len);
    if (line == NULL)
        client_fail(c, "reading the status line");
    snprintf(r->status, sizeof r->status, "%s", line);
    r->connection[0] = r->allow[0] = '\0';
    r->length = -1;
    for (;;) {
        if ((line = read_line(c, &len)) == NULL)
            client_fail(c, "reading a header");
        if (*line == '\0')
            break;
        char *colon = strchr(line, ':');
        if (colon == NULL)
            client_fail(c, "a header without a colon");
        *colon = '\0';
        const char *value = colon + 1 + strspn(colon + 1, " ");
        if (strcasecmp(line, "Connection") == 0)
            snprintf(r->connection, sizeof r->connection, "%s", value);
        else if (strcasecmp(line, "Allow") == 0)
            snprintf(r->allow, sizeof r->allow, "%s", value);
        else if (strcasecmp(line, "Content-Length") == 0)
            r->length = atoll(value);
    }
    r->body_len = 0;
    if (head)
        return;
    if (r->length < 0 || r->length > (long long)sizeof r->body)
        client_fail(c, "a response without a usable Content-Length");
    if (read_bytes(c, r->body, r->length) != 0)
        client_fail(c, "reading the body");
    r->body_len = (size_t)r->length;
}

static void print_response(const struct response *r, int head)
{
    printf("  -> %s", r->status);
    if (r->connection[0] != '\0')
        printf("; Connection: %s", r->connection);
    if (r->allow[0] != '\0')
        printf("; Allow: %s", r->allow);
    if (head)
        printf("; Content-Length: %lld; no body\n", r->length);
    else {
        printf("; body ");
        print_quoted(r->body, r->body_len);
        putchar('\n');
    }
}

/* Read and print a response. */
static void receive(struct conn *c, int head)
{
    struct response r;
    read_response(c, head, &r);
    print_response(&r, head);
}

/* The server must close the connection now. */
static void expect_eof(struct conn *c)
{
    size_t len;
    if (read_line(c, &len) != NULL || !c->eof)
        client_fail(c, "waiting for the server to close");
    printf("  -> the server closed the connection\n");
}

/* One request on a connection of its own; the server must answer and close. */
static void bad_request(const char *desc, const char *req, size_t len)
{
    struct conn *c = malloc(sizeof *c);
    if (c == NULL)
        fatal("malloc", ENOMEM);
    dial(c, server_addr);
    if (desc != NULL)
        printf("%s\n", desc);
    else {
        print_quoted(req, len);
        putchar('\n');
    }
    send_raw(c, req, len);
    receive(c, 0);
    expect_eof(c);
    hang_up(c);
    free(c);
}

struct parallel_result {
    int ok;         /* responses "200 OK" with the page */
    long long body; /* body bytes */
};

static go_chan_t *parallel_results;

static void parallel_client(void *unused)
{
    (void)unused;
    struct conn c;
    struct parallel_result res = { 0, 0 };
    dial(&c, server_addr);
    for (int i = 0; i < PARALLEL_REQUESTS; i++) {
        send_str(&c, "GET / HTTP/1.1\r\nHost: example\r\n\r\n");
        struct response r;
        read_response(&c, 0, &r);
        if (strcmp(r.status, "HTTP/1.1 200 OK") == 0 && r.body_len == sizeof hello - 1 &&
            memcmp(r.body, hello, r.body_len) == 0)
            res.ok++;
        res.body += (long long)r.body_len;
    }
    hang_up(&c);
    chan_send(parallel_results, &res);
}

static void selftest_main(void *unused)
{
    (void)unused;
    struct listener_args main_ln = { listen_on("127.0.0.1:0", server_addr, sizeof server_addr),
                                     10 * SECOND };
    struct listener_args idle_ln = { listen_on("127.0.0.1:0", idle_addr, sizeof idle_addr),
                                     SELFTEST_IDLE_TIMEOUT };
    spawn(accept_loop, &main_ln, sizeof main_ln);
    spawn(accept_loop, &idle_ln, sizeof idle_ln);
    printf("http server on 127.0.0.1 (a free port), a goroutine per connection\n");

    static struct conn c; /* 12 KiB: not on main's stack */

    printf("\none connection, four requests in turn:\n");
    dial(&c, server_addr);
    printf("GET / HTTP/1.1\n");
    send_str(&c, "GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    receive(&c, 0);
    printf("HEAD /index.html HTTP/1.1\n");
    send_str(&c, "HEAD /index.html HTTP/1.1\r\nHost: example\r\n\r\n");
    receive(&c, 1);
    printf("POST /form HTTP/1.1 with a 9-byte body\n");
    send_str(&c, "POST /form HTTP/1.1\r\nHost: example\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n"
                 "name=gort");
    receive(&c, 0);
    printf("GET / HTTP/1.1 with Connection: close\n");
    send_str(&c, "GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n");
    receive(&c, 0);
    expect_eof(&c);
    hang_up(&c);

    printf("\nthree pipelined requests in one write (the second with bare \\n line ends, "
           "the third with Connection: close):\n");
    dial(&c, server_addr);
    send_str(&c, "GET /a HTTP/1.1\r\nHost: example\r\n\r\n"
                 "GET /b HTTP/1.1\nHost: example\n\n"
                 "GET /c HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n");
    for (int i = 0; i < 3; i++)
        receive(&c, 0);
    expect_eof(&c);
    hang_up(&c);

    printf("\nHTTP/1.0 on one connection:\n");
    dial(&c, server_addr);
    printf("GET / HTTP/1.0 with Connection: keep-alive\n");
    send_str(&c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    receive(&c, 0);
    printf("GET / HTTP/1.0\n");
    send_str(&c, "GET / HTTP/1.0\r\n\r\n");
    receive(&c, 0);
    expect_eof(&c);
    hang_up(&c);

    printf("\nbad requests, each on a new connection:\n");
    static const char *const bad[] = {
        "HELLO\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: example\r\nContent-Length: ten\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: example\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: example\r\n folded: header\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        bad_request(NULL, bad[i], strlen(bad[i]));
    static char big[10100];
    int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: example\r\nX-Big: ");
    memset(big + n, 'a', 10000);
    memcpy(big + n + 10000, "\r\n\r\n", 4);
    bad_request("GET / HTTP/1.1 with a 10000-byte header", big, (size_t)n + 10004);

    printf("\na connection left idle (the server's idle timeout here: %lld ms):\n",
           SELFTEST_IDLE_TIMEOUT / MS);
    dial(&c, idle_addr);
    int64_t start = go_nanotime();
    printf("GET / HTTP/1.1, then nothing\n");
    send_str(&c, "GET / HTTP/1.1\r\nHost: example\r\n\r\n");
    receive(&c, 0);
    expect_eof(&c);
    printf("  -> closed after the idle timeout or later: %s\n",
           go_nanotime() - start >= SELFTEST_IDLE_TIMEOUT ? "true" : "false");
    hang_up(&c);

    parallel_results = chan_new(sizeof(struct parallel_result), 0);
    if (parallel_results == NULL)
        fatal("chan_new", errno);
    for (int i = 0; i < PARALLEL_CONNS; i++)
        spawn(parallel_client, NULL, 0);
    struct parallel_result total = { 0, 0 };
    for (int i = 0; i < PARALLEL_CONNS; i++) {
        struct parallel_result r;
        chan_recv(parallel_results, &r);
        total.ok += r.ok;
        total.body += r.body;
    }
    printf("\n%d connections at once, %d keep-alive requests each: %d of %d responses "
           "\"200 OK\" with the page, %lld body bytes\n",
           PARALLEL_CONNS, PARALLEL_REQUESTS, total.ok, PARALLEL_CONNS * PARALLEL_REQUESTS,
           total.body);
    chan_free(parallel_results);

    /* Closing the listeners ends the accept loops. */
    if (go_fd_close(main_ln.ln) != 0 || go_fd_close(idle_ln.ln) != 0)
        fatal("close listener", go_errno());
}

int main(int argc, char **argv)
{
    go_fn_t body = serve_main;
    if (argc == 2 && strcmp(argv[1], "-selftest") == 0)
        body = selftest_main;
    else if (argc == 2) {
        char *end;
        errno = 0;
        serve_port = strtol(argv[1], &end, 10);
        if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' || errno != 0 ||
            serve_port > 65535) {
            fprintf(stderr, "bad argument \"%s\" (usage: http [PORT=8080] | http -selftest)\n",
                    argv[1]);
            return 2;
        }
    } else if (argc > 2) {
        fprintf(stderr, "usage: http [PORT=8080] | http -selftest\n");
        return 2;
    }
    int rc = go_main(body, NULL);
    if (rc < 0) {
        fprintf(stderr, "go_main: %s\n", go_strerror(rc));
        return 1;
    }
    return 0;
}
