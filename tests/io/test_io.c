/* test_io.c - goroutine-blocking file descriptors (gort/io.h, gort/net.h):
 * argument checks and the errno convention; read, write, accept and
 * connect over pipes, Unix sockets and TCP loopback (IPv4, IPv6, names,
 * the dual-stack wildcard); addresses as strings; deadlines (past, near,
 * moved, cleared, while waiting); close while a reader, a writer and queued
 * goroutines wait (EBADF, no fd or goroutine left behind); peer reset, EOF,
 * half-close; several MiB through a socket pair with a slow reader; fd
 * reuse after close without stale wake-ups; go_poll_fd on pipes and
 * eventfds; go_fd_wait with raw system calls; release; regular files;
 * and the same calls from foreign threads and pinned goroutines.
 *
 * 10,000 connections held at once are in test_io_many.c; the deadlock
 * detector with I/O waiters in test_io_death.c.
 *
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment.
 * GORT_TEST_LIGHT=1 (valgrind, sanitizers) scales the stress loops down. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "gort_test.h"
#include "io_test.h"

/* ------------------------------------------------------------------------ */
/* arguments, handles, errno                                                */

static void test_argument_checks(void **state)
{
    (void)state;
    char buf[8];
    errno = 0;
    assert_null(go_fd_open(-1));
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_null(go_fd_open(INT_MAX));
    assert_int_equal(errno, EBADF);

    errno = 0;
    assert_int_equal(go_fd_read(NULL, buf, sizeof buf), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_write(NULL, buf, sizeof buf), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_null(go_fd_accept(NULL, NULL, NULL));
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_close(NULL), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_fileno(NULL), -1);
    assert_int_equal(errno, EINVAL);

    go_fd_t *r, *w;
    it_pipe(&r, &w);
    errno = 0;
    assert_int_equal(go_fd_read(r, NULL, 1), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_wait(r, GO_POLL_IN | GO_POLL_OUT), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_wait(r, 0), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_set_deadline(r, 0, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_set_deadline(r, 4, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_set_deadline(r, GO_DEADLINE_READ, -2), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_fd_shutdown(r, 42), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_poll_fd(0, 0, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_poll_fd(0, GO_POLL_IN | 0x100, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(go_poll_fd(-1, GO_POLL_IN, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EBADF);

    /* an fd can be adopted once */
    errno = 0;
    assert_null(go_fd_open(go_fd_fileno(r)));
    assert_int_equal(errno, EEXIST);

    /* a handle gort never returned */
    go_fd_t *bogus = (go_fd_t *)(uintptr_t)0x7777777700000001ull;
    errno = 0;
    assert_int_equal(go_fd_read(bogus, buf, 1), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_close(bogus), -1);
    assert_int_equal(errno, EBADF);
    bogus = (go_fd_t *)(uintptr_t)0x1ffffffffull;
    errno = 0;
    assert_int_equal(go_fd_fileno(bogus), -1);
    assert_int_equal(errno, EBADF);

    assert_int_equal(go_fd_close(r), 0);
    assert_int_equal(go_fd_close(w), 0);
}

/* Every call on a closed handle fails with EBADF, even once the fd number
 * and the descriptor slot are reused. */
static void test_use_after_close(void **state)
{
    (void)state;
    go_fd_t *r, *w;
    it_pipe(&r, &w);
    int rfd = go_fd_fileno(r);
    assert_int_equal(go_fd_close(r), 0);
    /* the fd number is closed when go_fd_close returns */
    assert_int_equal(fcntl(rfd, F_GETFD), -1);
    assert_int_equal(errno, EBADF);

    go_fd_t *r2, *w2;
    it_pipe(&r2, &w2); /* likely the same fd number and slot */
    char buf[4];
    errno = 0;
    assert_int_equal(go_fd_read(r, buf, 1), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_write(r, "x", 1), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_wait(r, GO_POLL_IN), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_set_deadline(r, GO_DEADLINE_BOTH, GO_NO_DEADLINE), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_fileno(r), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_close(r), -1);
    assert_int_equal(errno, EBADF);
    errno = 0;
    assert_int_equal(go_fd_release(r), -1);
    assert_int_equal(errno, EBADF);

    /* the new pipe is untouched */
    assert_int_equal(go_fd_write(w2, "ok", 2), 2);
    assert_int_equal(go_fd_read(r2, buf, sizeof buf), 2);
    assert_memory_equal(buf, "ok", 2);
    assert_int_equal(go_fd_close(r2), 0);
    assert_int_equal(go_fd_close(w2), 0);
    assert_int_equal(go_fd_close(w), 0);
}

static void errno_body(void *p)
{
    int *bad = p;
    go_fd_t *r, *w;
    char buf[4];
    int s[2];
    if (pipe2(s, O_CLOEXEC) != 0) {
        (*bad)++;
        return;
    }
    r = go_fd_open(s[0]);
    w = go_fd_open(s[1]);
    errno = 1234;
    if (go_fd_write(w, "abc", 3) != 3 || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_read(r, buf, sizeof buf) != 3 || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() + 60000 * TU_MS) != 0 || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_set_deadline(r, GO_DEADLINE_READ, GO_NO_DEADLINE) != 0 || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_poll_fd(s[1], GO_POLL_OUT, GO_NO_DEADLINE) != GO_POLL_OUT || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_fileno(r) != s[0] || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_close(r) != 0 || go_errno() != 1234)
        (*bad)++;
    errno = 1234;
    if (go_fd_close(w) != 0 || go_errno() != 1234)
        (*bad)++;
}

/* Success leaves errno as it was, from a goroutine and from a thread. */
static void test_errno_preserved(void **state)
{
    (void)state;
    int bad = 0;
    it_run(errno_body, &bad);
    errno_body(&bad);
    assert_int_equal(bad, 0);
}

/* ------------------------------------------------------------------------ */
/* pipes and socket pairs                                                   */

typedef struct rw_arg {
    go_fd_t *fd;
    char *buf;
    size_t len;
    ssize_t ret;
    int err;
} rw_arg_t;

static void read_body(void *p)
{
    rw_arg_t *a = p;
    a->ret = go_fd_read(a->fd, a->buf, a->len);
    a->err = a->ret < 0 ? go_errno() : 0;
}

static void write_body(void *p)
{
    rw_arg_t *a = p;
    a->ret = go_fd_write(a->fd, a->buf, a->len);
    a->err = a->ret != (ssize_t)a->len ? go_errno() : 0;
}

/* A reader parks until the writer (a goroutine, or the test thread) writes. */
static void test_pipe_reader_waits(void **state)
{
    (void)state;
    for (int from_thread = 0; from_thread < 2; from_thread++) {
        go_fd_t *r, *w;
        it_pipe(&r, &w);
        char in[16] = { 0 };
        rw_arg_t ra = { r, in, sizeof in, 0, 0 };
        rw_arg_t wa = { w, "hello", 5, 0, 0 };
        it_group_t g;
        it_group_init(&g, 2);
        it_go(&g, read_body, &ra);
        it_let_them_block();
        if (from_thread)
            write_body(&wa);
        else
            it_go(&g, write_body, &wa);
        it_wait(&g);
        assert_int_equal(wa.ret, 5);
        assert_int_equal(ra.ret, 5);
        assert_memory_equal(in, "hello", 5);
        assert_int_equal(go_fd_close(w), 0);
        /* EOF once the writer is gone */
        assert_int_equal(go_fd_read(r, in, sizeof in), 0);
        assert_int_equal(go_fd_close(r), 0);
    }
}

typedef struct pingpong {
    go_fd_t *fd;
    int rounds;
    int bad;
} pingpong_t;

static void ping_body(void *p)
{
    pingpong_t *a = p;
    for (int i = 0; i < a->rounds; i++) {
        uint32_t v = (uint32_t)i, got;
        if (go_fd_write(a->fd, &v, sizeof v) != sizeof v)
            a->bad++;
        if (go_fd_read(a->fd, &got, sizeof got) != sizeof got || got != v + 1)
            a->bad++;
    }
}

static void pong_body(void *p)
{
    pingpong_t *a = p;
    for (int i = 0; i < a->rounds; i++) {
        uint32_t v;
        if (go_fd_read(a->fd, &v, sizeof v) != sizeof v || v != (uint32_t)i)
            a->bad++;
        v++;
        if (go_fd_write(a->fd, &v, sizeof v) != sizeof v)
            a->bad++;
    }
}

/* Ping-pong between goroutines over a socket pair: every round trip parks
 * both sides once. */
static void test_socketpair_pingpong(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_socketpair(&a, &b);
    int rounds = (int)it_scaled(20000, 500);
    pingpong_t pa = { a, rounds, 0 }, pb = { b, rounds, 0 };
    it_group_t g;
    it_group_init(&g, 2);
    it_go(&g, ping_body, &pa);
    it_go(&g, pong_body, &pb);
    it_wait(&g);
    assert_int_equal(pa.bad, 0);
    assert_int_equal(pb.bad, 0);
    assert_int_equal(go_fd_close(a), 0);
    assert_int_equal(go_fd_close(b), 0);
}

typedef struct bulk {
    go_fd_t *fd;
    unsigned char *buf;
    size_t len;
    ssize_t ret;
    int err;
    size_t chunk;
    int slow;
} bulk_t;

static void bulk_writer(void *p)
{
    bulk_t *a = p;
    a->ret = go_fd_write(a->fd, a->buf, a->len);
    a->err = a->ret != (ssize_t)a->len ? go_errno() : 0;
}

static void bulk_reader(void *p)
{
    bulk_t *a = p;
    size_t got = 0;
    while (got < a->len) {
        size_t want = a->len - got < a->chunk ? a->len - got : a->chunk;
        ssize_t n = go_fd_read(a->fd, a->buf + got, want);
        if (n <= 0) {
            a->err = n < 0 ? go_errno() : -1;
            break;
        }
        got += (size_t)n;
        if (a->slow && (got / a->chunk) % 16 == 0)
            go_sleep(TU_MS / 10); /* a slow reader: the writer fills up and waits */
    }
    a->ret = (ssize_t)got;
}

/* Several MiB through a socket pair with a slow reader: go_fd_write
 * returns only when all of it is written, waiting for room many times. */
static void test_large_write_slow_reader(void **state)
{
    (void)state;
    for (int tcp = 0; tcp < 2; tcp++) {
        size_t len = (size_t)it_scaled(8 << 20, 1 << 20);
        unsigned char *out = malloc(len), *in = malloc(len);
        assert_non_null(out);
        assert_non_null(in);
        for (size_t i = 0; i < len; i++)
            out[i] = (unsigned char)(i * 2654435761u >> 13);
        go_fd_t *a, *b;
        if (tcp)
            it_tcp_pair("tcp4", "127.0.0.1:0", &a, &b);
        else
            it_socketpair(&a, &b);
        bulk_t w = { a, out, len, 0, 0, 0, 0 };
        bulk_t r = { b, in, len, 0, 0, 4096, 1 };
        it_group_t g;
        it_group_init(&g, 2);
        it_go(&g, bulk_writer, &w);
        it_go(&g, bulk_reader, &r);
        it_wait(&g);
        assert_int_equal(w.ret, (ssize_t)len);
        assert_int_equal(r.ret, (ssize_t)len);
        assert_int_equal(r.err, 0);
        assert_memory_equal(in, out, len);
        assert_int_equal(go_fd_close(a), 0);
        assert_int_equal(go_fd_close(b), 0);
        free(out);
        free(in);
    }
}

typedef struct many_readers {
    go_fd_t *fd;
    atomic_int total;
    atomic_int bad;
} many_readers_t;

static void one_reader(void *p)
{
    many_readers_t *a = p;
    for (;;) {
        char c;
        ssize_t n = go_fd_read(a->fd, &c, 1);
        if (n == 1) {
            atomic_fetch_add(&a->total, 1);
            continue;
        }
        if (n != 0)
            atomic_fetch_add(&a->bad, 1);
        break;
    }
}

/* Many goroutines read one socket: the ones that are not the waiting reader
 * queue behind it (fdMutex); every byte is read once, all see EOF. */
static void test_many_readers_one_fd(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_socketpair(&a, &b);
    many_readers_t mr = { b, 0, 0 };
    it_group_t g;
    it_group_init(&g, 16);
    for (int i = 0; i < 16; i++)
        it_go(&g, one_reader, &mr);
    it_let_them_block();
    int n = (int)it_scaled(5000, 500);
    for (int i = 0; i < n; i++) {
        assert_int_equal(go_fd_write(a, "x", 1), 1);
        if (i % 64 == 0)
            go_yield();
    }
    assert_int_equal(go_fd_shutdown(a, SHUT_WR), 0);
    it_wait(&g);
    assert_int_equal(atomic_load(&mr.total), n);
    assert_int_equal(atomic_load(&mr.bad), 0);
    assert_int_equal(go_fd_close(a), 0);
    assert_int_equal(go_fd_close(b), 0);
}

/* ------------------------------------------------------------------------ */
/* TCP, Unix sockets, addresses                                             */

typedef struct echo_srv {
    go_fd_t *ln;
    int conns;
    int bad;
} echo_srv_t;

static void echo_conn(void *p)
{
    go_fd_t *c = p;
    char buf[512];
    ssize_t n;
    while ((n = go_fd_read(c, buf, sizeof buf)) > 0)
        if (go_fd_write(c, buf, (size_t)n) != n)
            break;
    go_fd_close(c);
}

static void echo_server(void *p)
{
    echo_srv_t *s = p;
    for (int i = 0; i < s->conns; i++) {
        go_fd_t *c = go_fd_accept(s->ln, NULL, NULL);
        if (c == NULL) {
            s->bad++;
            break;
        }
        echo_conn(c);
    }
}

typedef struct echo_cli {
    const char *network, *addr;
    int msgs;
    int bad;
    int err;
} echo_cli_t;

static void echo_client(void *p)
{
    echo_cli_t *a = p;
    go_fd_t *c = go_dial(a->network, a->addr, go_nanotime() + 10000 * TU_MS);
    if (c == NULL) {
        a->err = go_errno();
        a->bad++;
        return;
    }
    for (int i = 0; i < a->msgs; i++) {
        char msg[32], got[32];
        int k = snprintf(msg, sizeof msg, "message %d", i);
        if (go_fd_write(c, msg, (size_t)k) != k) {
            a->bad++;
            break;
        }
        size_t have = 0;
        while (have < (size_t)k) {
            ssize_t n = go_fd_read(c, got + have, (size_t)k - have);
            if (n <= 0)
                break;
            have += (size_t)n;
        }
        if (have != (size_t)k || memcmp(msg, got, (size_t)k) != 0) {
            a->bad++;
            break;
        }
    }
    go_fd_close(c);
}

/* An echo server and client over network/listen_addr; the client dials
 * dial_host with the listener's port ("" : the listener's address). */
static void echo_roundtrip(const char *network, const char *listen_addr, const char *dial_fmt)
{
    go_fd_t *ln = go_listen(network, listen_addr);
    if (ln == NULL)
        fail_msg("go_listen(%s, %s): %s", network, listen_addr, strerror(errno));
    char addr[GO_ADDR_STRLEN], dial[GO_ADDR_STRLEN + 64];
    int len = go_fd_local_addr(ln, addr, sizeof addr);
    assert_true(len > 0);
    assert_int_equal((size_t)len, strlen(addr));
    if (dial_fmt == NULL) {
        snprintf(dial, sizeof dial, "%s", addr);
    } else {
        const char *port = strrchr(addr, ':');
        assert_non_null(port);
        snprintf(dial, sizeof dial, dial_fmt, port + 1);
    }
    echo_srv_t srv = { ln, 1, 0 };
    echo_cli_t cli = { network, dial, 100, 0, 0 };
    it_group_t g;
    it_group_init(&g, 2);
    it_go(&g, echo_server, &srv);
    it_go(&g, echo_client, &cli);
    it_wait(&g);
    if (cli.bad != 0)
        fail_msg("echo over %s %s (dialing %s) failed: %s", network, addr, dial, strerror(cli.err));
    assert_int_equal(srv.bad, 0);
    assert_int_equal(go_fd_close(ln), 0);
}

static void test_tcp_echo(void **state)
{
    (void)state;
    echo_roundtrip("tcp", "127.0.0.1:0", NULL);
    echo_roundtrip("tcp4", "127.0.0.1:0", NULL);
    echo_roundtrip("tcp", "localhost:0", "localhost:%s");
    echo_roundtrip("tcp4", "localhost:0", "127.0.0.1:%s");
    /* the wildcard: every local address */
    echo_roundtrip("tcp", ":0", "127.0.0.1:%s");
    echo_roundtrip("tcp4", "0.0.0.0:0", "127.0.0.1:%s");
    echo_roundtrip("tcp", ":0", ":%s"); /* an empty host dials the local system */
    if (it_have_ipv6()) {
        echo_roundtrip("tcp", "[::1]:0", NULL);
        echo_roundtrip("tcp6", "[::1]:0", "[::1]:%s");
        echo_roundtrip("tcp", ":0", "[::1]:%s"); /* dual stack */
        echo_roundtrip("tcp6", "[::]:0", "[::1]:%s");
        echo_roundtrip("tcp", "[::ffff:127.0.0.1]:0", "127.0.0.1:%s");
    } else {
        print_message("no IPv6 on this host: IPv6 cases skipped\n");
    }
}

static void test_unix_echo(void **state)
{
    (void)state;
    char path[108];
    snprintf(path, sizeof path, "/tmp/gort-io-test-%d-%ld.sock", (int)getpid(), (long)go_nanotime());
    echo_roundtrip("unix", path, NULL);
    /* go_fd_close of a listener removes its socket file */
    struct stat st;
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(errno, ENOENT);

    char abs[108];
    snprintf(abs, sizeof abs, "@gort-io-test-%d-%ld", (int)getpid(), (long)go_nanotime());
    echo_roundtrip("unix", abs, NULL);

    /* the address strings */
    go_fd_t *ln = go_listen("unix", path);
    assert_non_null(ln);
    char a[GO_ADDR_STRLEN];
    assert_int_equal(go_fd_local_addr(ln, a, sizeof a), (int)strlen(path));
    assert_string_equal(a, path);
    go_fd_t *c = go_dial("unix", path, GO_NO_DEADLINE);
    assert_non_null(c);
    assert_int_equal(go_fd_peer_addr(c, a, sizeof a), (int)strlen(path));
    assert_string_equal(a, path);
    assert_int_equal(go_fd_local_addr(c, a, sizeof a), 0); /* unnamed */
    assert_string_equal(a, "");
    go_fd_t *s = go_fd_accept(ln, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(go_fd_close(c), 0);
    assert_int_equal(go_fd_close(s), 0);
    /* a second listener on the same path */
    errno = 0;
    assert_null(go_listen("unix", path));
    assert_int_equal(errno, EADDRINUSE);
    assert_int_equal(go_fd_close(ln), 0);
    /* nobody listens any more */
    errno = 0;
    assert_null(go_dial("unix", path, GO_NO_DEADLINE));
    assert_int_equal(errno, ENOENT);
}

static void test_addresses(void **state)
{
    (void)state;
    go_fd_t *c, *s;
    it_tcp_pair("tcp4", "127.0.0.1:0", &c, &s);
    char la[GO_ADDR_STRLEN], pa[GO_ADDR_STRLEN], sla[GO_ADDR_STRLEN], spa[GO_ADDR_STRLEN];
    assert_true(go_fd_local_addr(c, la, sizeof la) > 0);
    assert_true(go_fd_peer_addr(c, pa, sizeof pa) > 0);
    assert_true(go_fd_local_addr(s, sla, sizeof sla) > 0);
    assert_true(go_fd_peer_addr(s, spa, sizeof spa) > 0);
    assert_string_equal(la, spa);
    assert_string_equal(pa, sla);
    assert_true(tu_starts_with(la, "127.0.0.1:"));
    /* too small a buffer: ERANGE, buffer untouched */
    char tiny[4] = "abc";
    errno = 0;
    assert_int_equal(go_fd_local_addr(c, tiny, sizeof tiny), -1);
    assert_int_equal(errno, ERANGE);
    assert_string_equal(tiny, "abc");
    /* exactly enough */
    size_t need = strlen(la) + 1;
    char *exact = malloc(need);
    assert_int_equal(go_fd_local_addr(c, exact, need), (int)need - 1);
    assert_string_equal(exact, la);
    free(exact);
    errno = 0;
    assert_int_equal(go_fd_local_addr(c, NULL, 10), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(go_fd_close(c), 0);
    assert_int_equal(go_fd_close(s), 0);

    /* not a socket */
    go_fd_t *r, *w;
    it_pipe(&r, &w);
    errno = 0;
    assert_int_equal(go_fd_local_addr(r, la, sizeof la), -1);
    assert_int_equal(errno, ENOTSOCK);
    assert_int_equal(go_fd_close(r), 0);
    assert_int_equal(go_fd_close(w), 0);

    if (it_have_ipv6()) {
        go_fd_t *ln = go_listen("tcp6", "[::1]:0");
        assert_non_null(ln);
        assert_true(go_fd_local_addr(ln, la, sizeof la) > 0);
        assert_true(tu_starts_with(la, "[::1]:"));
        assert_int_equal(go_fd_close(ln), 0);
        ln = go_listen("tcp", ":0");
        assert_non_null(ln);
        assert_true(go_fd_local_addr(ln, la, sizeof la) > 0);
        assert_true(tu_starts_with(la, "[::]:"));
        /* an IPv4 client of the dual-stack listener prints as IPv4 */
        const char *port = strrchr(la, ':') + 1;
        char d[64];
        snprintf(d, sizeof d, "127.0.0.1:%s", port);
        c = go_dial("tcp4", d, GO_NO_DEADLINE);
        assert_non_null(c);
        s = go_fd_accept(ln, NULL, NULL);
        assert_non_null(s);
        assert_true(go_fd_peer_addr(s, pa, sizeof pa) > 0);
        assert_true(tu_starts_with(pa, "127.0.0.1:"));
        assert_true(go_fd_local_addr(s, pa, sizeof pa) > 0);
        assert_true(tu_starts_with(pa, "127.0.0.1:"));
        assert_int_equal(go_fd_close(c), 0);
        assert_int_equal(go_fd_close(s), 0);
        assert_int_equal(go_fd_close(ln), 0);
    }
}

static void expect_listen_err(const char *net, const char *addr, int err)
{
    errno = 0;
    go_fd_t *ln = go_listen(net, addr);
    if (ln != NULL || errno != err)
        fail_msg("go_listen(%s, %s): %p, errno %d (%s), expected %d (%s)", net, addr, (void *)ln,
                 errno, strerror(errno), err, strerror(err));
}

static void expect_dial_err(const char *net, const char *addr, int err)
{
    errno = 0;
    go_fd_t *c = go_dial(net, addr, go_nanotime() + 10000 * TU_MS);
    if (c != NULL || errno != err)
        fail_msg("go_dial(%s, %s): %p, errno %d (%s), expected %d (%s)", net, addr, (void *)c, errno,
                 strerror(errno), err, strerror(err));
}

static void test_address_errors(void **state)
{
    (void)state;
    expect_listen_err(NULL, ":0", EINVAL);
    expect_listen_err("tcp", NULL, EINVAL);
    expect_listen_err("udp", ":0", EINVAL);
    expect_listen_err("tcp", "127.0.0.1", EINVAL);       /* missing port */
    expect_listen_err("tcp", "127.0.0.1:", EINVAL);      /* empty port */
    expect_listen_err("tcp", "127.0.0.1:65536", EINVAL); /* out of range */
    expect_listen_err("tcp", "127.0.0.1:-1", EINVAL);
    expect_listen_err("tcp", "::1:80", EINVAL);          /* too many colons */
    expect_listen_err("tcp", "[::1:80", EINVAL);         /* missing ']' */
    expect_listen_err("tcp", "[::1]80", EINVAL);
    expect_listen_err("tcp", "[::1%]:80", EINVAL);
    expect_listen_err("tcp", "127.0.0.1:no-such-service-gort", EINVAL);
    expect_listen_err("tcp6", "127.0.0.1:0", EAFNOSUPPORT);
    expect_listen_err("tcp4", "[::1]:0", EAFNOSUPPORT);
    expect_listen_err("unix", "", EINVAL);
    char longpath[200];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = 0;
    longpath[0] = '/';
    expect_listen_err("unix", longpath, ENAMETOOLONG);
    expect_dial_err("tcp", "127.0.0.1", EINVAL);
    expect_dial_err("sctp", "127.0.0.1:1", EINVAL);
    expect_dial_err("unix", "/nonexistent/gort/socket", ENOENT);
    errno = 0;
    assert_null(go_dial("tcp", "127.0.0.1:1", -5));
    assert_int_equal(errno, EINVAL);

    /* a port nobody listens on: refused */
    go_fd_t *ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    char addr[GO_ADDR_STRLEN];
    assert_true(go_fd_local_addr(ln, addr, sizeof addr) > 0);
    assert_int_equal(go_fd_close(ln), 0);
    expect_dial_err("tcp4", addr, ECONNREFUSED);

    /* the port is in use */
    ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    assert_true(go_fd_local_addr(ln, addr, sizeof addr) > 0);
    expect_listen_err("tcp4", addr, EADDRINUSE);
    assert_int_equal(go_fd_close(ln), 0);

    /* a dial whose deadline passed before it started */
    errno = 0;
    assert_null(go_dial("tcp4", addr, go_nanotime() - 1));
    assert_int_equal(errno, ETIMEDOUT);
}

/* ------------------------------------------------------------------------ */
/* deadlines                                                                */

static void test_deadline_past(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_tcp_pair("tcp4", "127.0.0.1:0", &a, &b);
    char buf[8];
    int64_t past = go_nanotime() - 1;
    assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_BOTH, past), 0);
    errno = 0;
    assert_int_equal(go_fd_read(a, buf, sizeof buf), -1);
    assert_int_equal(errno, ETIMEDOUT);
    errno = 0;
    assert_int_equal(go_fd_write(a, "x", 1), -1);
    assert_int_equal(errno, ETIMEDOUT);
    errno = 0;
    assert_int_equal(go_fd_wait(a, GO_POLL_OUT), -1);
    assert_int_equal(errno, ETIMEDOUT);
    /* even with data waiting, as Go: the deadline is checked first */
    assert_int_equal(go_fd_write(b, "y", 1), 1);
    errno = 0;
    assert_int_equal(go_fd_read(a, buf, sizeof buf), -1);
    assert_int_equal(errno, ETIMEDOUT);
    /* cleared: usable again */
    assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_BOTH, GO_NO_DEADLINE), 0);
    assert_int_equal(go_fd_read(a, buf, sizeof buf), 1);
    assert_int_equal(go_fd_write(a, "x", 1), 1);
    /* one direction only */
    assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, 0), 0); /* 0 is long past */
    assert_int_equal(go_fd_write(a, "x", 1), 1);
    errno = 0;
    assert_int_equal(go_fd_read(a, buf, sizeof buf), -1);
    assert_int_equal(errno, ETIMEDOUT);
    assert_int_equal(go_fd_close(a), 0);
    assert_int_equal(go_fd_close(b), 0);

    /* accept */
    go_fd_t *ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    assert_int_equal(go_fd_set_deadline(ln, GO_DEADLINE_READ, past), 0);
    errno = 0;
    assert_null(go_fd_accept(ln, NULL, NULL));
    assert_int_equal(errno, ETIMEDOUT);
    assert_int_equal(go_fd_close(ln), 0);
}

typedef struct timed_read {
    go_fd_t *fd;
    int64_t deadline; /* set by the reader itself when >= 0 */
    ssize_t ret;
    int err;
    int64_t waited;
    int64_t ended; /* go_nanotime() when the read returned */
} timed_read_t;

static void timed_read_body(void *p)
{
    timed_read_t *a = p;
    char buf[8];
    int64_t t0 = go_nanotime();
    if (a->deadline >= 0)
        go_fd_set_deadline(a->fd, GO_DEADLINE_READ, a->deadline);
    a->ret = go_fd_read(a->fd, buf, sizeof buf);
    a->err = a->ret < 0 ? go_errno() : 0;
    a->ended = go_nanotime();
    a->waited = a->ended - t0;
}

/* A near deadline fires while the reader waits (a goroutine, a thread, a
 * pinned goroutine). Timer bounds are generous. */
static void test_deadline_near(void **state)
{
    (void)state;
    for (int where = 0; where < 3; where++) {
        go_fd_t *a, *b;
        it_socketpair(&a, &b);
        timed_read_t t = { a, go_nanotime() + 30 * TU_MS, 0, 0, 0, 0 };
        if (where == 0) {
            it_run(timed_read_body, &t);
        } else if (where == 1) {
            timed_read_body(&t);
        } else {
            it_group_t g;
            it_group_init(&g, 1);
            it_go_pinned(&g, timed_read_body, &t);
            it_wait(&g);
        }
        assert_int_equal(t.ret, -1);
        assert_int_equal(t.err, ETIMEDOUT);
        assert_true(t.ended >= t.deadline); /* never early */
        assert_true(t.waited < 10000 * TU_MS);
        /* the fd stays usable: a deadline is not an error state */
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, GO_NO_DEADLINE), 0);
        assert_int_equal(go_fd_write(b, "z", 1), 1);
        char c;
        assert_int_equal(go_fd_read(a, &c, 1), 1);
        assert_int_equal(go_fd_close(a), 0);
        assert_int_equal(go_fd_close(b), 0);
    }
}

/* Moving the deadline while a reader waits takes effect at once: earlier
 * (it fails now), later (it waits on), none (it waits for data). */
static void test_deadline_changed_while_waiting(void **state)
{
    (void)state;
    /* "near": far enough for the test thread to act before it passes */
    int64_t near = it_scaled(100, 1000) * TU_MS;
    for (int where = 0; where < 2; where++) {
        /* far -> near */
        go_fd_t *a, *b;
        it_socketpair(&a, &b);
        timed_read_t t = { a, -1, 0, 0, 0, 0 };
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() + 60000 * TU_MS), 0);
        it_group_t g;
        it_thread_t th;
        it_group_init(&g, 1);
        if (where == 0)
            it_go(&g, timed_read_body, &t);
        else
            it_thread_start(&th, timed_read_body, &t);
        it_let_them_block();
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() + 20 * TU_MS), 0);
        if (where == 1)
            it_thread_join(&th);
        it_wait(&g);
        assert_int_equal(t.ret, -1);
        assert_int_equal(t.err, ETIMEDOUT);
        assert_true(t.waited < 30000 * TU_MS);

        /* far -> past */
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() + 60000 * TU_MS), 0);
        it_group_init(&g, 1);
        if (where == 0)
            it_go(&g, timed_read_body, &t);
        else
            it_thread_start(&th, timed_read_body, &t);
        it_let_them_block();
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() - 1), 0);
        if (where == 1)
            it_thread_join(&th);
        it_wait(&g);
        assert_int_equal(t.ret, -1);
        assert_int_equal(t.err, ETIMEDOUT);

        /* near -> none: the reader waits for data instead. The near
         * deadline is set once the reader blocks (under a far one), right
         * before it is cleared: letting the reader block can take longer
         * than near on a loaded machine. */
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() + 60000 * TU_MS), 0);
        it_group_init(&g, 1);
        if (where == 0)
            it_go(&g, timed_read_body, &t);
        else
            it_thread_start(&th, timed_read_body, &t);
        it_let_them_block();
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, go_nanotime() + near), 0);
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, GO_NO_DEADLINE), 0);
        go_sleep(2 * near); /* past the old deadline */
        assert_int_equal(go_fd_write(b, "late", 4), 4);
        if (where == 1)
            it_thread_join(&th);
        it_wait(&g);
        assert_int_equal(t.ret, 4);

        /* near -> later: still a timeout, but not before the new one */
        int64_t t0 = go_nanotime();
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, t0 + near), 0);
        it_group_init(&g, 1);
        if (where == 0)
            it_go(&g, timed_read_body, &t);
        else
            it_thread_start(&th, timed_read_body, &t);
        assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_READ, t0 + 3 * near), 0);
        if (where == 1)
            it_thread_join(&th);
        it_wait(&g);
        assert_int_equal(t.ret, -1);
        assert_int_equal(t.err, ETIMEDOUT);
        assert_true(go_nanotime() - t0 >= 3 * near);

        assert_int_equal(go_fd_close(a), 0);
        assert_int_equal(go_fd_close(b), 0);
    }
}

/* Read and write deadlines are independent; one timer serves both when
 * they are equal, and changing one of them splits them again. */
static void test_deadline_combo(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_socketpair(&a, &b);
    size_t queued = it_fill(a);
    int64_t d = go_nanotime() + 40 * TU_MS;
    assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_BOTH, d), 0);
    assert_int_equal(go_fd_set_deadline(a, GO_DEADLINE_WRITE, GO_NO_DEADLINE), 0);
    timed_read_t t = { a, -1, 0, 0, 0, 0 };
    static char big[1 << 16];
    rw_arg_t w = { a, big, sizeof big, 0, 0 };
    it_group_t gr, gw;
    it_group_init(&gr, 1);
    it_group_init(&gw, 1);
    it_go(&gr, timed_read_body, &t);
    it_go(&gw, write_body, &w);
    /* the reader times out... */
    it_wait(&gr);
    assert_int_equal(t.ret, -1);
    assert_int_equal(t.err, ETIMEDOUT);
    /* ...the writer does not, and finishes once the other side reads */
    go_sleep(60 * TU_MS);
    static char sink[1 << 16];
    size_t want = queued + sizeof big, got = 0;
    while (got < want) {
        ssize_t n = go_fd_read(b, sink, sizeof sink);
        assert_true(n > 0);
        got += (size_t)n;
    }
    it_wait(&gw);
    assert_int_equal(w.ret, (ssize_t)sizeof big);
    assert_int_equal(go_fd_close(a), 0);
    assert_int_equal(go_fd_close(b), 0);
}

/* ------------------------------------------------------------------------ */
/* close                                                                    */

/* go_fd_close wakes the waiting reader and writer and the goroutines queued
 * behind them, all with EBADF; the fd is closed when it returns; no fd and
 * no goroutine is left behind. */
static void test_close_wakes_everyone(void **state)
{
    (void)state;
    for (int where = 0; where < 3; where++) { /* goroutines, threads, pinned goroutines */
        int fds0 = it_count_fds();
        go_fd_t *a, *b;
        it_socketpair(&a, &b);
        it_fill(a);
        enum { NR = 3, NW = 3 };
        char rbuf[NR][16];
        static char wbuf[1 << 20];
        rw_arg_t rs[NR], ws[NW];
        it_group_t g;
        it_thread_t th[NR + NW];
        it_group_init(&g, NR + NW);
        for (int i = 0; i < NR + NW; i++) {
            rw_arg_t *x = i < NR ? &rs[i] : &ws[i - NR];
            *x = (rw_arg_t){ a, i < NR ? rbuf[i] : wbuf, i < NR ? sizeof rbuf[i] : sizeof wbuf, 0, 0 };
            go_fn_t fn = i < NR ? read_body : write_body;
            if (where == 0)
                it_go(&g, fn, x);
            else if (where == 1)
                it_thread_start(&th[i], fn, x);
            else
                it_go_pinned(&g, fn, x);
        }
        it_let_them_block();
        go_sleep(20 * TU_MS);
        int fd = go_fd_fileno(a);
        assert_int_equal(go_fd_close(a), 0);
        assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed when go_fd_close returns */
        if (where == 1)
            for (int i = 0; i < NR + NW; i++)
                it_thread_join(&th[i]);
        it_wait(&g);
        for (int i = 0; i < NR; i++) {
            assert_int_equal(rs[i].ret, -1);
            assert_int_equal(rs[i].err, EBADF);
        }
        for (int i = 0; i < NW; i++) {
            /* nothing, or part of it, written: EBADF either way */
            assert_true(ws[i].ret < (ssize_t)sizeof wbuf);
            assert_int_equal(ws[i].err, EBADF);
        }
        assert_int_equal(go_fd_close(b), 0);
        /* (pinned pool threads keep their wake-up eventfd while they live) */
        if (fds0 >= 0 && where != 2)
            assert_int_equal(it_count_fds(), fds0);
    }
}

typedef struct acceptor {
    go_fd_t *ln;
    int accepted;
    int err;
} acceptor_t;

static void accept_loop(void *p)
{
    acceptor_t *a = p;
    for (;;) {
        go_fd_t *c = go_fd_accept(a->ln, NULL, NULL);
        if (c == NULL) {
            a->err = go_errno();
            return;
        }
        a->accepted++;
        go_fd_close(c);
    }
}

/* The server shutdown pattern: closing the listener ends the accept loop. */
static void test_close_listener_ends_accept(void **state)
{
    (void)state;
    go_fd_t *ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    char addr[GO_ADDR_STRLEN];
    assert_true(go_fd_local_addr(ln, addr, sizeof addr) > 0);
    acceptor_t acc = { ln, 0, 0 };
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, accept_loop, &acc);
    for (int i = 0; i < 5; i++) {
        go_fd_t *c = go_dial("tcp4", addr, GO_NO_DEADLINE);
        assert_non_null(c);
        char x;
        assert_int_equal(go_fd_read(c, &x, 1), 0); /* the server closed it */
        assert_int_equal(go_fd_close(c), 0);
    }
    assert_int_equal(go_fd_close(ln), 0);
    it_wait(&g);
    assert_int_equal(acc.accepted, 5);
    assert_int_equal(acc.err, EBADF);
}

typedef struct closer_race {
    go_fd_t *fd;
    int closes_ok;
    int closes_ebadf;
} closer_race_t;

static void racing_close(void *p)
{
    closer_race_t *c = p;
    int rc = go_fd_close(c->fd);
    if (rc == 0)
        __atomic_fetch_add(&c->closes_ok, 1, __ATOMIC_SEQ_CST);
    else if (go_errno() == EBADF)
        __atomic_fetch_add(&c->closes_ebadf, 1, __ATOMIC_SEQ_CST);
}

/* Many goroutines close one fd at once: exactly one succeeds. */
static void test_close_races(void **state)
{
    (void)state;
    int fds0 = it_count_fds();
    int rounds = (int)it_scaled(500, 50);
    for (int r = 0; r < rounds; r++) {
        go_fd_t *a, *b;
        it_socketpair(&a, &b);
        closer_race_t c = { a, 0, 0 };
        rw_arg_t rd = { a, (char[4]){ 0 }, 4, 0, 0 };
        it_group_t g;
        it_group_init(&g, 5);
        it_go(&g, read_body, &rd);
        for (int i = 0; i < 4; i++)
            it_go(&g, racing_close, &c);
        it_wait(&g);
        assert_int_equal(c.closes_ok, 1);
        assert_int_equal(c.closes_ebadf, 3);
        assert_true(rd.ret == -1 && rd.err == EBADF);
        assert_int_equal(go_fd_close(b), 0);
    }
    if (fds0 >= 0)
        assert_int_equal(it_count_fds(), fds0);
}

/* ------------------------------------------------------------------------ */
/* peers: reset, EOF, half-close                                            */

static void test_eof_and_half_close(void **state)
{
    (void)state;
    go_fd_t *c, *s;
    it_tcp_pair("tcp4", "127.0.0.1:0", &c, &s);
    /* the client is done sending; it can still receive */
    assert_int_equal(go_fd_write(c, "request", 7), 7);
    assert_int_equal(go_fd_shutdown(c, SHUT_WR), 0);
    char buf[32];
    size_t got = 0;
    ssize_t n;
    while ((n = go_fd_read(s, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    assert_int_equal(n, 0); /* EOF after the request */
    assert_int_equal(got, 7);
    assert_int_equal(go_fd_write(s, "response", 8), 8);
    assert_int_equal(go_fd_close(s), 0);
    got = 0;
    while ((n = go_fd_read(c, buf + got, sizeof buf - got)) > 0)
        got += (size_t)n;
    assert_int_equal(n, 0);
    assert_int_equal(got, 8);
    assert_memory_equal(buf, "response", 8);
    /* EOF again and again */
    assert_int_equal(go_fd_read(c, buf, sizeof buf), 0);
    assert_int_equal(go_fd_close(c), 0);
}

static void test_peer_reset(void **state)
{
    (void)state;
    go_fd_t *c, *s;
    it_tcp_pair("tcp4", "127.0.0.1:0", &c, &s);
    timed_read_t t = { c, -1, 0, 0, 0, 0 };
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, timed_read_body, &t);
    it_let_them_block();
    /* SO_LINGER 0: close sends a RST */
    struct linger lg = { 1, 0 };
    assert_int_equal(setsockopt(go_fd_fileno(s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), 0);
    assert_int_equal(go_fd_close(s), 0);
    it_wait(&g);
    assert_int_equal(t.ret, -1);
    assert_int_equal(t.err, ECONNRESET);
    /* writing to a reset connection: EPIPE, no SIGPIPE */
    errno = 0;
    ssize_t n = go_fd_write(c, "x", 1);
    if (n == 1) /* the first write may be accepted before the error shows */
        n = go_fd_write(c, "x", 1);
    assert_int_equal(n, -1);
    assert_true(errno == EPIPE || errno == ECONNRESET);
    assert_int_equal(go_fd_close(c), 0);
}

/* ------------------------------------------------------------------------ */
/* fd reuse                                                                 */

typedef struct reuse {
    long iters;
    long stale;   /* go_fd_wait woke for an fd that had no data */
    long errors;
    int step;     /* the first error: where, and its errno */
    int err;
} reuse_t;

static void reuse_error(reuse_t *a, int step)
{
    if (a->errors++ == 0) {
        a->step = step;
        a->err = go_errno();
    }
}

static void reuse_body(void *p)
{
    reuse_t *a = p;
    for (long i = 0; i < a->iters; i++) {
        int q[2];
        if (pipe2(q, O_CLOEXEC) != 0) {
            reuse_error(a, 1);
            return;
        }
        go_fd_t *r = go_fd_open(q[0]);
        if (r == NULL) {
            reuse_error(a, 2);
            close(q[0]);
            close(q[1]);
            return;
        }
        /* an event in flight for this fd when it closes */
        if (write(q[1], "x", 1) != 1)
            reuse_error(a, 3);
        if ((i & 15) == 0)
            go_yield();
        if (go_fd_close(r) != 0)
            reuse_error(a, 4);
        close(q[1]);
        /* the same fd number, and slot, for an empty pipe: nothing may wake
         * a waiter on it before its deadline */
        if (pipe2(q, O_CLOEXEC) != 0) {
            reuse_error(a, 5);
            return;
        }
        r = go_fd_open(q[0]);
        if (r == NULL) {
            reuse_error(a, 6);
            close(q[0]);
            close(q[1]);
            return;
        }
        if ((i & 63) == 0) {
            go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() + 50 * 1000);
            int rc = go_fd_wait(r, GO_POLL_IN);
            if (rc == 0) {
                struct pollfd pf = { q[0], POLLIN, 0 };
                if (poll(&pf, 1, 0) == 0)
                    a->stale++;
            } else if (go_errno() != ETIMEDOUT) {
                reuse_error(a, 7);
            }
        }
        char c;
        errno = 0;
        if (go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() - 1) != 0)
            reuse_error(a, 8);
        ssize_t n = go_fd_read(r, &c, 1);
        if (n != -1 || go_errno() != ETIMEDOUT) {
            if (n >= 0)
                errno = 0;
            reuse_error(a, 100 + (int)n);
        }
        if (go_fd_close(r) != 0)
            reuse_error(a, 10);
        close(q[1]);
    }
}

/* 10^6 (light: 10^4) adopt/close cycles in 8 goroutines, each closing an fd
 * with an event in flight and reusing its number at once: no stale
 * wake-up, no error, no fd left open. */
static void test_fd_reuse(void **state)
{
    (void)state;
    int fds0 = it_count_fds();
    enum { N = 8 };
    long total = it_scaled(1000000, 10000);
    reuse_t r[N];
    it_group_t g;
    it_group_init(&g, N);
    for (int i = 0; i < N; i++) {
        r[i] = (reuse_t){ total / N, 0, 0, 0, 0 };
        it_go(&g, reuse_body, &r[i]);
    }
    it_wait(&g);
    for (int i = 0; i < N; i++) {
        if (r[i].errors != 0)
            fail_msg("goroutine %d: %ld errors, the first at step %d, errno %d (%s)", i, r[i].errors,
                     r[i].step, r[i].err, strerror(r[i].err));
        assert_int_equal(r[i].stale, 0);
    }
    if (fds0 >= 0)
        assert_int_equal(it_count_fds(), fds0);
}

typedef struct stale_use {
    go_fd_t *stale;
    long iters;
    atomic_long not_ebadf;
    atomic_int stop;
} stale_use_t;

static void stale_user(void *p)
{
    stale_use_t *a = p;
    char c;
    for (long i = 0; i < a->iters; i++) {
        if (go_fd_fileno(a->stale) != -1 || go_errno() != EBADF)
            atomic_fetch_add(&a->not_ebadf, 1);
        if (go_fd_read(a->stale, &c, 1) != -1 || go_errno() != EBADF)
            atomic_fetch_add(&a->not_ebadf, 1);
        if (go_fd_close(a->stale) != -1 || go_errno() != EBADF)
            atomic_fetch_add(&a->not_ebadf, 1);
        if ((i & 7) == 0)
            go_yield();
    }
    atomic_store(&a->stop, 1);
}

static void slot_churner(void *p)
{
    stale_use_t *a = p;
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    while (!atomic_load(&a->stop)) {
        int q[2];
        if (pipe2(q, O_CLOEXEC) != 0)
            break;
        go_fd_t *r = go_fd_open(q[0]);
        if (r != NULL) {
            /* the read lock taken and dropped while stale users race */
            go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() - 1);
            char c;
            go_fd_read(r, &c, 1);
            go_fd_close(r);
        } else {
            close(q[0]);
        }
        close(q[1]);
        /* a one-wait descriptor of go_poll_fd in the same slots */
        go_poll_fd(efd, GO_POLL_IN, go_nanotime() + 20 * 1000);
    }
    close(efd);
}

/* Handles used after go_fd_close (a program's bug, but one with a defined
 * answer): every call says EBADF, while their slot is reused over and over
 * by other fds and by go_poll_fd, and no other fd is ever touched. */
static void test_stale_handles(void **state)
{
    (void)state;
    int fds0 = it_count_fds();
    go_fd_t *r, *w;
    it_pipe(&r, &w);
    assert_int_equal(go_fd_close(r), 0);
    assert_int_equal(go_fd_close(w), 0);
    stale_use_t a;
    a.stale = r;
    a.iters = it_scaled(200000, 5000);
    atomic_init(&a.not_ebadf, 0);
    atomic_init(&a.stop, 0);
    stale_use_t b = a;
    b.stale = w;
    atomic_init(&b.not_ebadf, 0);
    atomic_init(&b.stop, 0);
    it_group_t g;
    it_group_init(&g, 4);
    it_go(&g, stale_user, &a);
    it_go(&g, stale_user, &b);
    it_go(&g, slot_churner, &a);
    it_go(&g, slot_churner, &b);
    it_wait(&g);
    assert_int_equal(atomic_load(&a.not_ebadf), 0);
    assert_int_equal(atomic_load(&b.not_ebadf), 0);
    if (fds0 >= 0)
        assert_int_equal(it_count_fds(), fds0);
}

/* ------------------------------------------------------------------------ */
/* go_poll_fd, go_fd_wait                                                   */

typedef struct pollw {
    int fd;
    int events;
    int64_t deadline;
    int ret;
    int err;
} pollw_t;

static void poll_body(void *p)
{
    pollw_t *a = p;
    a->ret = go_poll_fd(a->fd, a->events, a->deadline);
    a->err = a->ret < 0 ? go_errno() : 0;
}

static void test_poll_fd_pipe(void **state)
{
    (void)state;
    for (int where = 0; where < 3; where++) { /* goroutine, thread, pinned */
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        int fl0 = fcntl(p[0], F_GETFL);
        /* ready now: returns at once */
        pollw_t w = { p[1], GO_POLL_OUT, GO_NO_DEADLINE, 0, 0 };
        it_run(poll_body, &w);
        assert_int_equal(w.ret, GO_POLL_OUT);
        /* a timeout */
        pollw_t r = { p[0], GO_POLL_IN, go_nanotime() + 20 * TU_MS, 0, 0 };
        if (where == 0) {
            it_run(poll_body, &r);
        } else if (where == 1) {
            poll_body(&r);
        } else {
            it_group_t g;
            it_group_init(&g, 1);
            it_go_pinned(&g, poll_body, &r);
            it_wait(&g);
        }
        assert_int_equal(r.ret, -1);
        assert_int_equal(r.err, ETIMEDOUT);
        /* data while it waits */
        r = (pollw_t){ p[0], GO_POLL_IN, GO_NO_DEADLINE, 0, 0 };
        it_group_t g;
        it_thread_t th;
        it_group_init(&g, 1);
        if (where == 0)
            it_go(&g, poll_body, &r);
        else if (where == 1)
            it_thread_start(&th, poll_body, &r);
        else
            it_go_pinned(&g, poll_body, &r);
        it_let_them_block();
        assert_int_equal(write(p[1], "d", 1), 1);
        if (where == 1)
            it_thread_join(&th);
        it_wait(&g);
        assert_int_equal(r.ret, GO_POLL_IN);
        /* level-triggered: still readable */
        assert_int_equal(go_poll_fd(p[0], GO_POLL_IN, GO_NO_DEADLINE), GO_POLL_IN);
        char c;
        assert_int_equal(read(p[0], &c, 1), 1);
        /* the writer goes away: HUP */
        assert_int_equal(close(p[1]), 0);
        r = (pollw_t){ p[0], GO_POLL_IN, GO_NO_DEADLINE, 0, 0 };
        it_run(poll_body, &r);
        assert_true(r.ret > 0 && (r.ret & GO_POLL_HUP));
        /* the flags were never touched */
        assert_int_equal(fcntl(p[0], F_GETFL), fl0);
        assert_int_equal(close(p[0]), 0);
    }
    /* a closed fd */
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    close(p[0]);
    close(p[1]);
    pollw_t r = { p[0], GO_POLL_IN, GO_NO_DEADLINE, 0, 0 };
    it_run(poll_body, &r);
    assert_int_equal(r.ret, -1);
    assert_int_equal(r.err, EBADF);
}

typedef struct efd_waiter {
    int efd;
    int ret;
    uint64_t value;
} efd_waiter_t;

static void efd_wait_body(void *p)
{
    efd_waiter_t *a = p;
    a->ret = go_poll_fd(a->efd, GO_POLL_IN, go_nanotime() + 30000 * TU_MS);
    if (a->ret > 0 && read(a->efd, &a->value, sizeof a->value) != sizeof a->value)
        a->ret = -2;
}

/* Many goroutines each wait on an eventfd of their own; a goroutine (for
 * half of them) or the test thread (the other half) signals them. */
static void test_poll_fd_eventfd(void **state)
{
    (void)state;
    enum { N = 64 };
    efd_waiter_t w[N];
    it_group_t g;
    it_group_init(&g, N);
    for (int i = 0; i < N; i++) {
        w[i] = (efd_waiter_t){ eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), 0, 0 };
        assert_true(w[i].efd >= 0);
        it_go(&g, efd_wait_body, &w[i]);
    }
    it_let_them_block();
    for (int i = 0; i < N; i++) {
        uint64_t v = (uint64_t)i + 1;
        assert_int_equal(write(w[i].efd, &v, sizeof v), sizeof v);
    }
    it_wait(&g);
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].ret, GO_POLL_IN);
        assert_int_equal(w[i].value, (uint64_t)i + 1);
        close(w[i].efd);
    }
}

/* go_poll_fd on an fd that is also adopted: it still works (on a thread
 * that hands its P off), and so does the adopted fd. */
static void test_poll_fd_adopted(void **state)
{
    (void)state;
    go_fd_t *r, *w;
    it_pipe(&r, &w);
    pollw_t pr = { go_fd_fileno(r), GO_POLL_IN, go_nanotime() + 20 * TU_MS, 0, 0 };
    it_run(poll_body, &pr);
    assert_int_equal(pr.ret, -1);
    assert_int_equal(pr.err, ETIMEDOUT);
    pr.deadline = GO_NO_DEADLINE;
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, poll_body, &pr);
    it_let_them_block();
    assert_int_equal(go_fd_write(w, "q", 1), 1);
    it_wait(&g);
    assert_int_equal(pr.ret, GO_POLL_IN);
    char c;
    assert_int_equal(go_fd_read(r, &c, 1), 1);
    assert_int_equal(go_fd_close(r), 0);
    assert_int_equal(go_fd_close(w), 0);
}

typedef struct raw_recv {
    go_fd_t *fd;
    int msgs;
    int got;
    int waits;
    int err;
} raw_recv_t;

static void raw_recv_body(void *p)
{
    raw_recv_t *a = p;
    int fd = go_fd_fileno(a->fd);
    while (a->got < a->msgs) {
        char buf[64];
        struct iovec iov = { buf, sizeof buf };
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
        if (n > 0) {
            a->got += (int)n;
            continue;
        }
        if (n < 0 && go_errno() == EAGAIN) {
            a->waits++;
            if (go_fd_wait(a->fd, GO_POLL_IN) == 0)
                continue;
        }
        a->err = n < 0 ? go_errno() : -1;
        return;
    }
}

/* go_fd_wait around a system call gort does not wrap (Go's RawConn). */
static void test_fd_wait_raw(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_socketpair(&a, &b);
    raw_recv_t rr = { b, 300, 0, 0, 0 };
    it_group_t g;
    it_group_init(&g, 1);
    it_go(&g, raw_recv_body, &rr);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(go_fd_write(a, "r", 1), 1);
        if (i % 10 == 0)
            it_let_them_block();
    }
    it_wait(&g);
    assert_int_equal(rr.err, 0);
    assert_int_equal(rr.got, 300);
    assert_true(rr.waits > 0);
    /* writable now */
    assert_int_equal(go_fd_wait(a, GO_POLL_OUT), 0);
    /* the thread path of go_fd_wait too */
    assert_int_equal(go_fd_write(a, "t", 1), 1);
    assert_int_equal(go_fd_wait(b, GO_POLL_IN), 0);
    assert_int_equal(go_fd_close(a), 0);
    assert_int_equal(go_fd_close(b), 0);
}

/* ------------------------------------------------------------------------ */
/* release, files                                                           */

static void test_release(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    go_fd_t *r = go_fd_open(p[0]);
    assert_non_null(r);
    assert_true(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    assert_int_equal(go_fd_release(r), p[0]);
    /* blocking again, open, ours, and can be adopted again */
    assert_false(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    errno = 0;
    assert_int_equal(go_fd_fileno(r), -1);
    assert_int_equal(errno, EBADF);
    r = go_fd_open(p[0]);
    assert_non_null(r);
    assert_int_equal(go_fd_close(r), 0);

    /* an fd that was non-blocking stays so */
    assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    r = go_fd_open(p[1]);
    assert_non_null(r);
    assert_int_equal(go_fd_release(r), p[1]);
    assert_true(fcntl(p[1], F_GETFL) & O_NONBLOCK);
    close(p[0]);
    close(p[1]);

    /* a listener from go_listen: blocking after release */
    go_fd_t *ln = go_listen("tcp4", "127.0.0.1:0");
    assert_non_null(ln);
    int fd = go_fd_release(ln);
    assert_true(fd >= 0);
    assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
    close(fd);
}

static void test_regular_file(void **state)
{
    (void)state;
    char path[] = "/tmp/gort-io-file-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    go_fd_t *f = go_fd_open(fd);
    assert_non_null(f);
    /* unpollable: blocking mode, no deadline */
    assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
    errno = 0;
    assert_int_equal(go_fd_set_deadline(f, GO_DEADLINE_READ, go_nanotime() + TU_MS), -1);
    assert_int_equal(errno, ENOTSUP);
    assert_int_equal(go_fd_wait(f, GO_POLL_IN), 0);
    rw_arg_t w = { f, "file contents", 13, 0, 0 };
    it_run(write_body, &w);
    assert_int_equal(w.ret, 13);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    char buf[32] = { 0 };
    rw_arg_t r = { f, buf, sizeof buf, 0, 0 };
    it_run(read_body, &r);
    assert_int_equal(r.ret, 13);
    assert_memory_equal(buf, "file contents", 13);
    assert_int_equal(go_fd_read(f, buf, sizeof buf), 0); /* EOF */
    assert_int_equal(go_fd_close(f), 0);
}

/* ------------------------------------------------------------------------ */
/* foreign threads                                                          */

typedef struct thread_client {
    char addr[GO_ADDR_STRLEN];
    int ok;
    int err;
} thread_client_t;

static void thread_client_body(void *p)
{
    thread_client_t *a = p;
    go_fd_t *c = go_dial("tcp", a->addr, go_nanotime() + 10000 * TU_MS);
    if (c == NULL) {
        a->err = errno;
        return;
    }
    char buf[16];
    if (go_fd_write(c, "thread", 6) == 6 && go_fd_read(c, buf, sizeof buf) == 6 &&
        memcmp(buf, "thread", 6) == 0)
        a->ok = 1;
    go_fd_close(c);
}

static void thread_server_body(void *p)
{
    go_fd_t *ln = p;
    go_fd_t *c = go_fd_accept(ln, NULL, NULL);
    if (c != NULL)
        echo_conn(c);
}

/* Every call from threads that are not goroutines: a thread server and a
 * thread client, then a thread client against a goroutine server. */
static void test_foreign_threads(void **state)
{
    (void)state;
    for (int server_in_goroutine = 0; server_in_goroutine < 2; server_in_goroutine++) {
        go_fd_t *ln = go_listen("tcp", "127.0.0.1:0");
        assert_non_null(ln);
        thread_client_t cli = { { 0 }, 0, 0 };
        assert_true(go_fd_local_addr(ln, cli.addr, sizeof cli.addr) > 0);
        it_thread_t ts, tc;
        it_group_t g;
        it_group_init(&g, 1);
        if (server_in_goroutine)
            it_go(&g, thread_server_body, ln);
        else
            it_thread_start(&ts, thread_server_body, ln);
        it_thread_start(&tc, thread_client_body, &cli);
        it_thread_join(&tc);
        if (!server_in_goroutine)
            it_thread_join(&ts);
        it_wait(&g);
        if (!cli.ok)
            fail_msg("thread client failed: %s", strerror(cli.err));
        assert_int_equal(go_fd_close(ln), 0);
    }
}

/* A pinned goroutine blocked in I/O: read, closed under it. */
static void test_pinned_io(void **state)
{
    (void)state;
    go_fd_t *a, *b;
    it_socketpair(&a, &b);
    char buf[8];
    rw_arg_t r = { a, buf, sizeof buf, 0, 0 };
    it_group_t g;
    it_group_init(&g, 1);
    it_go_pinned(&g, read_body, &r);
    it_let_them_block();
    assert_int_equal(go_fd_write(b, "pin", 3), 3);
    it_wait(&g);
    assert_int_equal(r.ret, 3);
    it_group_init(&g, 1);
    it_go_pinned(&g, read_body, &r);
    it_let_them_block();
    assert_int_equal(go_fd_close(a), 0);
    it_wait(&g);
    assert_int_equal(r.ret, -1);
    assert_int_equal(r.err, EBADF);
    assert_int_equal(go_fd_close(b), 0);
}

static void test_no_goroutine_leaked(void **state)
{
    (void)state;
    assert_int_equal(tu_settle_goroutines(tu_baseline_goroutines), tu_baseline_goroutines);
}

static int group_setup(void **state)
{
    if (tu_group_setup(state) != 0)
        return -1;
    /* the poller's own fds exist from here on: fd counts compare after */
    go_fd_t *r, *w;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    r = go_fd_open(p[0]);
    w = go_fd_open(p[1]);
    if (r == NULL || w == NULL)
        return -1;
    /* and the test thread's own wake-up eventfd (its first blocking wait) */
    go_fd_write(w, "x", 1);
    char c;
    go_fd_read(r, &c, 1);
    go_fd_set_deadline(r, GO_DEADLINE_READ, go_nanotime() + TU_MS);
    go_fd_read(r, &c, 1);
    go_fd_close(r);
    go_fd_close(w);
    /* the deadline's timer ran a goroutine: let it end */
    return tu_settle_goroutines(tu_baseline_goroutines) == tu_baseline_goroutines ? 0 : -1;
}

int main(void)
{
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    if (getenv("IO_TEST_FILTER") != NULL) /* e.g. IO_TEST_FILTER='test_deadline*' */
        cmocka_set_test_filter(getenv("IO_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        TU_TEST(test_argument_checks),
        TU_TEST(test_use_after_close),
        TU_TEST(test_errno_preserved),
        TU_TEST(test_pipe_reader_waits),
        TU_TEST(test_socketpair_pingpong),
        TU_TEST(test_large_write_slow_reader),
        TU_TEST(test_many_readers_one_fd),
        TU_TEST(test_tcp_echo),
        TU_TEST(test_unix_echo),
        TU_TEST(test_addresses),
        TU_TEST(test_address_errors),
        TU_TEST(test_deadline_past),
        TU_TEST(test_deadline_near),
        TU_TEST(test_deadline_changed_while_waiting),
        TU_TEST(test_deadline_combo),
        TU_TEST(test_close_wakes_everyone),
        TU_TEST(test_close_listener_ends_accept),
        TU_TEST(test_close_races),
        TU_TEST(test_eof_and_half_close),
        TU_TEST(test_peer_reset),
        TU_TEST(test_fd_reuse),
        TU_TEST(test_stale_handles),
        TU_TEST(test_poll_fd_pipe),
        TU_TEST(test_poll_fd_eventfd),
        TU_TEST(test_poll_fd_adopted),
        TU_TEST(test_fd_wait_raw),
        TU_TEST(test_release),
        TU_TEST(test_regular_file),
        TU_TEST(test_foreign_threads),
        TU_TEST(test_pinned_io),
        TU_TEST(test_no_goroutine_leaked),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
