/* chat.c - a line-based chat server: goroutines that own a connection each,
 * joined by channels to one broadcaster goroutine that owns the set of
 * clients. No mutex anywhere: the set belongs to one goroutine, and the
 * others talk to it (Go's "share memory by communicating"; the server of
 * The Go Programming Language, section 8.10).
 *
 *     func broadcaster() {                     static void broadcaster(void *unused) {
 *         clients := make(map[client]bool)         (an array of outgoing channels)
 *         for {                                    for (;;) {
 *             select {                                 switch (go_select(cases, 3)) {
 *             case msg := <-messages:                  case 0: chan_send(each out, &msg)
 *                 for cli := range clients {
 *                     cli <- msg
 *                 }
 *             case cli := <-entering:                  case 1: add it
 *                 clients[cli] = true
 *             case cli := <-leaving:                   case 2: remove it, chan_close(it)
 *                 delete(clients, cli)
 *                 close(cli)
 *             }                                        }
 *         }                                        }
 *     }                                        }
 *
 * Per connection, two goroutines: the handler reads lines (go_fd_read
 * parks it while the client is silent) and turns them into messages; the
 * writer drains the client's outgoing channel onto the socket (go_fd_write
 * parks it while the client is slow to read). A client that leaves is
 * removed by the broadcaster, which closes its channel; the writer then
 * sends what is still queued and closes the connection. A writer whose
 * client went away keeps draining its channel without writing, so that the
 * broadcaster never waits on it; a client that is connected but does not
 * read can still hold the broadcaster up once its channel (16 lines) is
 * full, as in the book (exercise 8.15 there drops its messages instead).
 *
 * The protocol: the server asks for a name; the client's first line is its
 * name, every later line a message ("name: text" to everyone, the sender
 * included); end of input leaves. Lines end with "\n" (a "\r" before it is
 * dropped, as bufio.Scanner does: `nc -C` works); a line longer than 511
 * bytes ends the connection (Scanner's ErrTooLong).
 *
 * Two modes:
 *   chat -serve ADDR    serve on ADDR ("127.0.0.1:6000", ":6000"); prints
 *                       "listening on ADDR". Then, in other terminals:
 *                       `nc 127.0.0.1 6000` (type a name, then lines).
 *   chat -selftest      the example the test suite runs: the server on a
 *                       free port of 127.0.0.1 and four scripted clients in
 *                       the same process. Their transcripts are the same on
 *                       every run because the script orders every event the
 *                       broadcaster sees: clients act one at a time, and the
 *                       script waits for each action's echo (a speaker's own
 *                       line, a leaver's "has left" at another client)
 *                       before the next. A joining client speaks at once:
 *                       its line comes back only after the broadcaster took
 *                       it in, so nobody joins before the last one is in.
 *
 * C details. A message is a fixed-size value (struct line) copied in and
 * out of channels, as a Go string is a value. I/O errors follow the
 * system-call convention (-1 and errno): read errno with go_errno() after a
 * call that may park (gort/io.h). Go twin: go/chat.go. */
#define _POSIX_C_SOURCE 200809L /* shutdown */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <gort.h>

#define SECOND 1000000000LL

#define MAX_TOKEN 512 /* bufio.Scanner's limit here: a line and its "\n" */
#define NAME_MAX_LEN 32
#define OUT_CAP 16 /* lines queued for a client */

static const char prompt[] = "Welcome! What is your name?\n";

/* A line of chat, a value. */
struct line {
    char text[NAME_MAX_LEN + 2 + MAX_TOKEN + 8];
};

static void fatal(const char *what, int err)
{
    fprintf(stderr, "%s: %s\n", what, strerror(err));
    exit(1);
}

static go_chan_t *make_chan(size_t elem, size_t cap)
{
    go_chan_t *ch = chan_new(elem, cap);
    if (ch == NULL)
        fatal("chan_new", errno);
    return ch;
}

static void spawn(go_fn_t fn, const void *args, size_t size)
{
    go_id_t id = go_spawn_copy(fn, args, size);
    if (id < 0) {
        fprintf(stderr, "go_spawn_copy: %s\n", go_strerror((int)id));
        exit(1);
    }
}

/* ---------------------------------------------------------- reading lines */

/* bufio.Scanner with ScanLines and a MAX_TOKEN buffer. */
struct scanner {
    go_fd_t *fd;
    size_t start, end;
    int eof;
    int err; /* why scan_line returned NULL: 0 at EOF, else an errno or EMSGSIZE (too long) */
    char buf[MAX_TOKEN + 1];
};

static void scanner_init(struct scanner *s, go_fd_t *fd)
{
    s->fd = fd;
    s->start = s->end = 0;
    s->eof = 0;
    s->err = 0;
}

/* Scanner.Scan + Text: the next line, NUL-terminated, without its "\n" (and
 * without a "\r" before it), valid until the next call; or NULL at the end
 * of input (s->err 0) or on an error (s->err). May park. */
static char *scan_line(struct scanner *s)
{
    for (;;) {
        char *data = s->buf + s->start;
        size_t len = s->end - s->start;
        char *nl = memchr(data, '\n', len);
        if (nl != NULL || (s->eof && len > 0)) {
            size_t n = nl != NULL ? (size_t)(nl - data) : len;
            s->start += nl != NULL ? n + 1 : n;
            if (n > 0 && data[n - 1] == '\r')
                n--;
            data[n] = '\0'; /* the "\n", or the spare byte after buf's MAX_TOKEN */
            return data;
        }
        if (s->eof || s->err)
            return NULL;
        if (s->start > 0) { /* make room: move what is left to the front */
            memmove(s->buf, data, len);
            s->start = 0;
            s->end = len;
        }
        if (s->end == MAX_TOKEN) {
            s->err = EMSGSIZE; /* bufio.ErrTooLong */
            return NULL;
        }
        ssize_t n = go_fd_read(s->fd, s->buf + s->end, MAX_TOKEN - s->end);
        if (n < 0)
            s->err = go_errno();
        else if (n == 0)
            s->eof = 1;
        else
            s->end += (size_t)n;
    }
}

static const char *scan_error(int err)
{
    return err == EMSGSIZE ? "token too long" : strerror(err);
}

/* Write a whole string; 0, or the errno. May park. */
static int write_string(go_fd_t *fd, const char *s, size_t len)
{
    return go_fd_write(fd, s, len) == (ssize_t)len ? 0 : go_errno();
}

/* ------------------------------------------------------------- the server */

static go_chan_t *entering; /* go_chan_t *: a client's outgoing channel */
static go_chan_t *leaving;  /* go_chan_t *: the same */
static go_chan_t *messages; /* struct line: to everyone */

static void broadcaster(void *unused)
{
    (void)unused;
    go_chan_t **clients = NULL; /* clients := make(map[client]bool) */
    size_t nclients = 0, cap = 0;
    for (;;) {
        struct line msg;
        go_chan_t *cli;
        go_select_case_t cases[] = {
            { .chan = messages, .dir = GO_SELECT_RECV, .value = &msg },
            { .chan = entering, .dir = GO_SELECT_RECV, .value = &cli },
            { .chan = leaving, .dir = GO_SELECT_RECV, .value = &cli },
        };
        switch (go_select(cases, 3)) {
        case 0: /* broadcast to every client's outgoing channel */
            for (size_t i = 0; i < nclients; i++)
                chan_send(clients[i], &msg);
            break;
        case 1:
            if (nclients == cap) {
                cap = cap ? 2 * cap : 8;
                go_chan_t **grown = realloc(clients, cap * sizeof *clients);
                if (grown == NULL)
                    fatal("realloc", ENOMEM);
                clients = grown;
            }
            clients[nclients++] = cli;
            break;
        case 2:
            for (size_t i = 0; i < nclients; i++)
                if (clients[i] == cli) {
                    clients[i] = clients[--nclients];
                    break;
                }
            chan_close(cli); /* its writer sends what is queued, then closes the connection */
            break;
        default:
            fputs("go_select failed\n", stderr);
            exit(1);
        }
    }
}

struct writer_args {
    go_fd_t *conn;
    go_chan_t *out;
};

/* clientWriter: for msg := range out { fmt.Fprintln(conn, msg) }; the
 * connection ends when the channel does. */
static void client_writer(void *arg)
{
    const struct writer_args *a = arg;
    struct line msg;
    int err = 0;
    while (chan_recv(a->out, &msg) == 1) {
        if (err != 0)
            continue; /* the client is gone: drain, so the broadcaster never waits */
        size_t len = strlen(msg.text);
        msg.text[len] = '\n';
        err = write_string(a->conn, msg.text, len + 1);
    }
    chan_free(a->out); /* closed by the broadcaster, which forgot it: nobody else uses it */
    if (go_fd_close(a->conn) != 0)
        fprintf(stderr, "close: %s\n", strerror(go_errno()));
}

static void line_cat(struct line *l, const char *a, const char *b)
{
    snprintf(l->text, sizeof l->text, "%s%s", a, b);
}

static void handle_conn(void *arg)
{
    go_fd_t *conn = *(go_fd_t *const *)arg;
    struct scanner scanner, *in = &scanner; /* on this goroutine's stack */
    scanner_init(in, conn);

    int err = write_string(conn, prompt, sizeof prompt - 1);
    char *text = err == 0 ? scan_line(in) : NULL;
    if (text == NULL) { /* gone before it said its name */
        if (go_fd_close(conn) != 0)
            fprintf(stderr, "close: %s\n", strerror(go_errno()));
        return;
    }
    char who[NAME_MAX_LEN + 1];
    text += strspn(text, " \t");
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
        n--;
    if (n > NAME_MAX_LEN)
        n = NAME_MAX_LEN;
    if (n == 0)
        strcpy(who, "anonymous");
    else {
        memcpy(who, text, n);
        who[n] = '\0';
    }

    struct writer_args w = { conn, make_chan(sizeof(struct line), OUT_CAP) };
    spawn(client_writer, &w, sizeof w);

    struct line l;
    line_cat(&l, "You are ", who);
    chan_send(w.out, &l);
    line_cat(&l, who, " has arrived");
    chan_send(messages, &l);
    chan_send(entering, &w.out);

    while ((text = scan_line(in)) != NULL) {
        snprintf(l.text, sizeof l.text, "%s: %s", who, text);
        chan_send(messages, &l);
    }
    if (in->err != 0)
        fprintf(stderr, "%s: read: %s\n", who, scan_error(in->err));

    chan_send(leaving, &w.out);
    line_cat(&l, who, " has left");
    chan_send(messages, &l);
}

static void accept_loop(void *arg)
{
    go_fd_t *ln = *(go_fd_t *const *)arg;
    for (;;) {
        go_fd_t *conn = go_fd_accept(ln, NULL, NULL);
        if (conn == NULL) {
            int err = go_errno();
            if (err == EBADF) /* the listener was closed: Go's net.ErrClosed */
                return;
            fatal("accept", err);
        }
        spawn(handle_conn, &conn, sizeof conn);
    }
}

/* Listen on @addr and start the broadcaster; returns the listener, whose
 * accept loop is the caller's to run. */
static go_fd_t *start_server(const char *addr)
{
    go_fd_t *ln = go_listen("tcp", addr);
    if (ln == NULL) {
        fprintf(stderr, "listen tcp %s: %s\n", addr, strerror(go_errno()));
        exit(1);
    }
    entering = make_chan(sizeof(go_chan_t *), 0);
    leaving = make_chan(sizeof(go_chan_t *), 0);
    messages = make_chan(sizeof(struct line), 0);
    spawn(broadcaster, NULL, 0);
    return ln;
}

static void local_addr(go_fd_t *ln, char *buf, size_t size)
{
    if (go_fd_local_addr(ln, buf, size) < 0)
        fatal("local address", go_errno());
}

/* --------------------------------------------------------------- serve mode */

static const char *serve_addr;

static void serve_main(void *unused)
{
    (void)unused;
    char addr[GO_ADDR_STRLEN];
    go_fd_t *ln = start_server(serve_addr);
    local_addr(ln, addr, sizeof addr);
    printf("listening on %s\n", addr);
    fflush(stdout);
    accept_loop(&ln); /* until killed */
}

/* ---------------------------------------------------------------- self-test */

#define MAX_LINES 32

struct client {
    const char *name;
    go_fd_t *conn;
    go_chan_t *lines; /* struct line: what the server sent, closed at EOF */
    int gone;         /* its connection ended */
    int nlines;
    char transcript[MAX_LINES][sizeof(struct line)];
};

enum { ALICE, BOB, CAROL, DAVE, NCLIENTS };

static struct client clients[NCLIENTS] = {
    [ALICE] = { .name = "alice" },
    [BOB] = { .name = "bob" },
    [CAROL] = { .name = "carol" },
    [DAVE] = { .name = "dave" },
};

static char server_addr[GO_ADDR_STRLEN];

/* A client's reading side: every line it receives goes to its channel. */
static void client_reader(void *arg)
{
    struct client *c = *(struct client *const *)arg;
    struct scanner scanner, *in = &scanner;
    scanner_init(in, c->conn);
    const char *text;
    struct line l;
    while ((text = scan_line(in)) != NULL) {
        snprintf(l.text, sizeof l.text, "%s", text);
        chan_send(c->lines, &l);
    }
    if (in->err != 0) {
        fprintf(stderr, "%s: read: %s\n", c->name, scan_error(in->err));
        exit(1);
    }
    chan_close(c->lines);
}

/* Record what @c received until the line @want (NULL: until its
 * connection ends). */
static void expect(struct client *c, const char *want)
{
    for (;;) {
        struct line l;
        if (chan_recv(c->lines, &l) == 0) {
            if (want == NULL) {
                c->gone = 1;
                return;
            }
            fprintf(stderr, "%s: the connection ended before \"%s\"\n", c->name, want);
            exit(1);
        }
        if (c->nlines == MAX_LINES) {
            fprintf(stderr, "%s: too many lines\n", c->name);
            exit(1);
        }
        strcpy(c->transcript[c->nlines++], l.text);
        if (want != NULL && strcmp(l.text, want) == 0)
            return;
    }
}

/* @c says @text (sent with @eol), and waits for its own line to come back. */
static void say_eol(struct client *c, const char *text, const char *eol)
{
    printf("%s says %s\n", c->name, text);
    char buf[sizeof(struct line)], want[sizeof(struct line)];
    snprintf(buf, sizeof buf, "%s%s", text, eol);
    int err = write_string(c->conn, buf, strlen(buf));
    if (err != 0)
        fatal("write", err);
    snprintf(want, sizeof want, "%s: %s", c->name, text);
    expect(c, want);
}

static void say(struct client *c, const char *text)
{
    say_eol(c, text, "\n");
}

/* @c connects and gives its name (ending its lines with @eol). */
static void join_eol(struct client *c, const char *eol)
{
    printf("%s joins%s\n", c->name, strcmp(eol, "\n") == 0 ? "" : " (its lines end with \\r\\n)");
    c->conn = go_dial("tcp", server_addr, go_nanotime() + 10 * SECOND);
    if (c->conn == NULL)
        fatal("dial", go_errno());
    /* A server that stops answering fails the example instead of hanging it. */
    if (go_fd_set_deadline(c->conn, GO_DEADLINE_BOTH, go_nanotime() + 10 * SECOND) != 0)
        fatal("set deadline", go_errno());
    c->lines = make_chan(sizeof(struct line), MAX_LINES);
    spawn(client_reader, &c, sizeof c);
    char buf[64], want[64];
    snprintf(buf, sizeof buf, "%s%s", c->name, eol);
    int err = write_string(c->conn, buf, strlen(buf));
    if (err != 0)
        fatal("write", err);
    snprintf(want, sizeof want, "You are %s", c->name);
    expect(c, want);
}

static void join(struct client *c)
{
    join_eol(c, "\n");
}

/* @c ends its input (the server reads EOF) and reads what the server still
 * sends until the server closes; @witness (if any) sees it go. */
static void leave(struct client *c, struct client *witness)
{
    printf("%s leaves\n", c->name);
    if (go_fd_shutdown(c->conn, SHUT_WR) != 0)
        fatal("shutdown", errno); /* never parks: errno is fine */
    expect(c, NULL);
    if (witness != NULL) {
        char want[64];
        snprintf(want, sizeof want, "%s has left", c->name);
        expect(witness, want);
    }
    chan_free(c->lines);
    if (go_fd_close(c->conn) != 0)
        fatal("close", go_errno());
}

static void selftest_main(void *unused)
{
    (void)unused;
    go_fd_t *ln = start_server("127.0.0.1:0");
    local_addr(ln, server_addr, sizeof server_addr);
    spawn(accept_loop, &ln, sizeof ln);
    printf("chat server on 127.0.0.1 (a free port); %d scripted clients act one at a time\n",
           NCLIENTS);

    struct client *alice = &clients[ALICE], *bob = &clients[BOB];
    struct client *carol = &clients[CAROL], *dave = &clients[DAVE];
    join(alice);
    say(alice, "hi, anyone here?");
    join(bob);
    say(bob, "hello alice");
    say(alice, "hi bob!");
    join(carol);
    say(carol, "hey all");
    leave(bob, alice);
    join_eol(dave, "\r\n");
    say_eol(dave, "is bob gone?", "\r\n");
    say(carol, "yes, he left");
    leave(alice, carol);
    say(dave, "bye carol");
    leave(dave, carol);
    leave(carol, NULL);

    /* Closing the listener ends the accept loop. The broadcaster waits on
     * forever; as in Go, main returning ends the program. */
    if (go_fd_close(ln) != 0)
        fatal("close listener", go_errno());

    for (int i = 0; i < NCLIENTS; i++) {
        const struct client *c = &clients[i];
        printf("\n%s saw:\n", c->name);
        for (int j = 0; j < c->nlines; j++)
            printf("  %s\n", c->transcript[j]);
        if (c->gone)
            printf("  (then the server closed the connection)\n");
    }
}

int main(int argc, char **argv)
{
    go_fn_t body;
    if (argc == 2 && strcmp(argv[1], "-selftest") == 0)
        body = selftest_main;
    else if (argc == 3 && strcmp(argv[1], "-serve") == 0) {
        serve_addr = argv[2];
        body = serve_main;
    } else {
        fprintf(stderr, "usage: chat -serve ADDR    (e.g. chat -serve 127.0.0.1:6000)\n"
                        "       chat -selftest\n");
        return 2;
    }
    int rc = go_main(body, NULL);
    if (rc < 0) {
        fprintf(stderr, "go_main: %s\n", go_strerror(rc));
        return 1;
    }
    return 0;
}
