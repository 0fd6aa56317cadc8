/* tb.c - goroutine traces beside their Go twin (tb.go): the runner
 * (compare.py) normalises what both print (names, paths, lines, ids,
 * addresses) and compares them byte for byte.
 *
 *   tb deadlock   goroutines parked on a send, a select and a nil channel;
 *                 main blocks: Go's deadlock report with every stack
 *   tb dump       the same goroutines, then go_dump (Go: runtime.Stack(buf,
 *                 true) written to stdout); exit 0
 *   tb panic      a goroutine panics three calls deep while another waits
 *                 (GORTTRACEBACK none, single, all: Go's GOTRACEBACK)
 *   tb nil        a nil pointer dereference two calls deep
 *   tb sigquit-exit      go_sigquit(GO_SIGQUIT_EXIT), then SIGQUIT: Go's dump
 *                        and exit status 2 (no Go twin: Go's own dump shows
 *                        its runtime's goroutine 0)
 *   tb sigquit-continue  the same dump, then the program goes on: it reads
 *                        its own stderr back through a pipe to know when
 *
 * Built with -O0: a C compiler's tail calls and inlining would remove
 * frames Go keeps (a call that is a function's last act leaves no frame at
 * -O2). The function names are Go's, so that both print the same. */
#define _GNU_SOURCE
#include <gort.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

/* Each has one side only: a sender nobody receives from, receivers
 * nobody sends to. */
static go_chan_t *sendq, *recvq1, *recvq2, *mainq;
static go_chan_t *nilch;           /* Go's nil channel */

/* Wait until n goroutines other than the caller are parked (not running,
 * not runnable), reading the dump itself: the programs print nothing
 * until the state they show is settled. */
static void wait_parked(int n)
{
    int fd = memfd_create("tb", 0);
    if (fd < 0) {
        perror("memfd_create");
        exit(3);
    }
    for (;;) {
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0 || go_dump(fd) != 0) exit(3);
        off_t len = lseek(fd, 0, SEEK_END);
        char *buf = malloc((size_t)len + 1);
        if (pread(fd, buf, (size_t)len, 0) != len) exit(3);
        buf[len] = 0;
        int parked = -1; /* the caller's own header comes first */
        for (char *p = buf; (p = strstr(p, "goroutine ")) != NULL; p++) {
            char *br = strchr(p, '[');
            if (br != NULL && strncmp(br, "[running", 8) != 0 && strncmp(br, "[runnable", 9) != 0)
                parked++;
            else if (br != NULL && strncmp(br, "[running", 8) == 0 && parked == -1)
                parked = 0;
        }
        free(buf);
        if (parked >= n) break;
        go_sleep(1000 * 1000);
    }
    close(fd);
}

static void sender_inner(void)
{
    int v = 1;
    chan_send(sendq, &v);
}

static void sender(void *arg)
{
    (void)arg;
    sender_inner();
}

static void selecter(void *arg)
{
    (void)arg;
    go_select_case_t c[2] = {
        { recvq1, GO_SELECT_RECV, 0, NULL },
        { recvq2, GO_SELECT_RECV, 0, NULL },
    };
    go_select(c, 2);
}

static void nilrecv(void *arg)
{
    (void)arg;
    int v;
    chan_recv(nilch, &v);
}

static void level3(void)
{
    panic_raise("boom");
}

static void level2(void)
{
    level3();
}

static void level1(void *arg)
{
    (void)arg;
    wait_parked(2); /* main and sender */
    level2();
}

static int *volatile nilp;

static void deref_nil(void)
{
    *nilp = 1;
}

static void faulter(void *arg)
{
    (void)arg;
    wait_parked(1); /* main */
    deref_nil();
}

/* SIGQUIT with stderr on a pipe: read it back until the dump has shown
 * the sender's whole trace, then pass it on and go on. */
static void sigquit_continue(void)
{
    int p[2];
    if (pipe(p) != 0) exit(3);
    int saved = dup(2);
    dup2(p[1], 2);
    close(p[1]);
    if (go_sigquit(GO_SIGQUIT_CONTINUE) != 0) exit(3);
    raise(SIGQUIT); /* to this thread: TSan delivers it at once */
    static char buf[1 << 16];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(p[0], buf + len, sizeof buf - 1 - len);
        if (n <= 0) exit(4);
        len += (size_t)n;
        buf[len] = 0;
        char *s = strstr(buf, "\nsender(...)\n");
        if (s != NULL && strstr(s, "\ncreated by gomain\n\t") != NULL &&
            strchr(strstr(s, "\ncreated by gomain\n\t") + 20, '\n') != NULL)
            break;
    }
    dup2(saved, 2);
    if (write(2, buf, len) != (ssize_t)len) exit(3);
    go_sigquit(GO_SIGQUIT_OFF);
    printf("continued\n");
}

static void gomain(void *arg)
{
    const char *mode = arg;
    sendq = chan_new(sizeof(int), 0);
    recvq1 = chan_new(sizeof(int), 0);
    recvq2 = chan_new(sizeof(int), 0);
    mainq = chan_new(sizeof(int), 0);
    int v;
    if (strcmp(mode, "deadlock") == 0 || strcmp(mode, "dump") == 0) {
        go_spawn(sender, NULL);
        go_spawn(selecter, NULL);
        go_spawn(nilrecv, NULL);
        if (strcmp(mode, "dump") == 0) {
            wait_parked(3);
            go_dump(1);
            return;
        }
        chan_recv(mainq, &v);
    } else if (strcmp(mode, "panic") == 0) {
        go_spawn(sender, NULL);
        go_spawn(level1, NULL);
        chan_recv(mainq, &v);
    } else if (strcmp(mode, "sigquit-exit") == 0) {
        go_spawn(sender, NULL);
        wait_parked(1);
        go_sigquit(GO_SIGQUIT_EXIT);
        raise(SIGQUIT); /* to this thread: TSan delivers it at once */
        go_sleep(60LL * 1000 * 1000 * 1000); /* the dump's thread ends the program */
    } else if (strcmp(mode, "sigquit-continue") == 0) {
        go_spawn(sender, NULL);
        wait_parked(1);
        sigquit_continue();
    } else if (strcmp(mode, "nil") == 0) {
        go_spawn(faulter, NULL);
        chan_recv(mainq, &v);
    } else {
        fprintf(stderr, "usage: tb deadlock|dump|panic|nil|sigquit-exit|sigquit-continue\n");
        exit(64);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    return go_main(gomain, argc > 1 ? argv[1] : "");
}
