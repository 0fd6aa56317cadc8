/* blocking.c - goroutines that block in system calls (read on an empty
 * pipe, waitpid on a running child) while the others keep computing.
 *
 *     n, err := syscall.Read(fd, buf)           n = go_blocking(read_fn, &args);
 *
 *     _, err = syscall.Wait4(pid, &ws, 0, nil)  go_syscall_enter_block();
 *                                               r = waitpid(pid, &status, 0);
 *                                               go_syscall_exit();
 *
 * A goroutine in a system call counts as running but must not keep its
 * logical processor (P) while it waits, or the other goroutines would stop:
 * at GOMAXPROCS=1 a single read on an empty pipe would stop the program for
 * good. go_blocking (and go_syscall_enter / go_syscall_exit) marks the call;
 * sysmon hands the P of a call that lasts to another thread, as Go's runtime
 * does for every syscall. go_syscall_enter_block hands it off at once, for a
 * call known to block long (waitpid on a child that runs). Between enter and
 * exit the goroutine must not call gort (gort/syscall.h).
 *
 * What runs, in this order:
 *   1. two children run `sleep 3` (posix_spawn); a goroutine waits for each
 *      in waitpid;
 *   2. two goroutines read from empty pipes;
 *   3. four goroutines compute 200 chunks of work and report each one; main
 *      prints the progress, then how many reads and waits were still
 *      blocked;
 *   4. only then are the pipes fed: one by a goroutine after 100ms, one by
 *      a child process (echo, its stdout on the pipe); the reads complete;
 *   5. the `sleep 3` children exit, the waits complete.
 *
 * The output is the same on every run and at every GOMAXPROCS. The reads
 * cannot complete before step 4, and step 4 starts only after main has
 * received every chunk: so "200 chunks while 2 reads were blocked" is
 * true by construction, and it can be printed at all only because the
 * blocked goroutines gave their processors up (without hand-off,
 * GOMAXPROCS=1 would stall 3 seconds in each waitpid, then hang for good in
 * the first read). That the two waits were still blocked too relies on the
 * 200 chunks (a few milliseconds; under TSan on a loaded machine, about
 * half a second with the start-up) taking less than 3 seconds.
 *
 * A C detail: after go_blocking or go_syscall_exit, read errno in the
 * blocking function itself, or in a function that did not use errno before
 * the call (perror, for one). glibc declares errno's address constant, so
 * the compiler may keep it from before a gort call that moved the goroutine
 * to another OS thread, and read that thread's errno.
 * Go twin: go/blocking.go (syscall.ForkExec, syscall.Wait4, syscall.Read). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gort.h>

#define MS 1000000LL /* time.Millisecond, in nanoseconds */

#define NUM_SLEEPERS 2
#define NUM_READERS 2
#define NUM_COMPUTERS 4
#define CHUNKS_EACH 50
#define CHUNKS (NUM_COMPUTERS * CHUNKS_EACH)
#define STEPS 20000 /* xorshift steps per chunk: about 20 us */

static void die(const char *what)
{
    perror(what);
    exit(1);
}

/* posix_spawn argv[0] (an absolute path), its stdout on out_fd (-1: ours). */
static pid_t spawn_child(char *const argv[], int out_fd)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        errno = err;
        die(argv[0]);
    }
    return pid;
}

/* waitpid on a child that runs: a call known to block long, so the P goes
 * to another thread at once. Nothing between enter and exit calls gort. */
static int wait_child(pid_t pid)
{
    int status = 0;
    pid_t r;
    go_syscall_enter_block();
    do
        r = waitpid(pid, &status, 0);
    while (r < 0 && errno == EINTR);
    go_syscall_exit(); /* errno is still waitpid's */
    if (r < 0)
        die("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---------------------------------------------------------------- sleepers */

struct wait_result {
    int index, status, at_least_3s;
};

struct sleeper_args {
    int index;
    go_chan_t *started, *waits;
};

static void sleeper(void *arg)
{
    const struct sleeper_args *a = arg;
    char *argv[] = { "/bin/sleep", "3", NULL };
    int64_t start = go_nanotime();
    pid_t pid = spawn_child(argv, -1);
    chan_send(a->started, NULL);
    struct wait_result r = { a->index, wait_child(pid), go_nanotime() - start >= 3000 * MS };
    chan_send(a->waits, &r);
}

/* ----------------------------------------------------------------- readers */

struct read_result {
    int index;
    int n;
    char text[64];
};

struct io_args {
    int fd;
    void *buf;
    size_t len;
};

/* The blocking functions go_blocking runs: plain system calls, no gort. */
static intptr_t read_fn(void *arg)
{
    const struct io_args *a = arg;
    ssize_t n;
    do
        n = read(a->fd, a->buf, a->len);
    while (n < 0 && errno == EINTR);
    return n;
}

static intptr_t write_fn(void *arg)
{
    const struct io_args *a = arg;
    ssize_t n;
    do
        n = write(a->fd, a->buf, a->len);
    while (n < 0 && errno == EINTR);
    return n;
}

struct reader_args {
    int index, fd;
    go_chan_t *ready, *reads;
};

static void reader(void *arg)
{
    const struct reader_args *a = arg;
    struct read_result r = { .index = a->index };
    struct io_args io = { a->fd, r.text, sizeof r.text - 1 };
    chan_send(a->ready, NULL);
    intptr_t n = go_blocking(read_fn, &io); /* blocks until a feeder writes */
    if (n < 0)
        die("read");
    r.n = (int)n;
    r.text[n] = '\0';
    r.text[strcspn(r.text, "\n")] = '\0';
    chan_send(a->reads, &r);
}

/* --------------------------------------------------------------- computers */

static uint64_t chunk(int computer, int c)
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(computer * CHUNKS_EACH + c + 1);
    for (int i = 0; i < STEPS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

struct computer_args {
    int index;
    go_chan_t *progress;
};

static void computer(void *arg)
{
    const struct computer_args *a = arg;
    for (int c = 0; c < CHUNKS_EACH; c++) {
        uint64_t v = chunk(a->index, c);
        chan_send(a->progress, &v);
        go_preempt_point(); /* CPU-bound: yield if sysmon asked (Go preempts by itself) */
    }
}

/* ------------------------------------------------------------------ feeder */

struct feeder_args {
    int fd;
};

static void feeder(void *arg)
{
    const struct feeder_args *a = arg;
    static const char msg[] = "hello from a goroutine\n";
    go_sleep(100 * MS);
    struct io_args io = { a->fd, (void *)msg, sizeof msg - 1 };
    if (go_blocking(write_fn, &io) != (intptr_t)(sizeof msg - 1))
        die("write");
    close(a->fd);
}

static void real_main(void *unused)
{
    (void)unused;

    /* 1. two children run `sleep 3`, a goroutine waits for each. */
    go_chan_t *started = chan_new(0, 0);
    go_chan_t *waits = chan_new(sizeof(struct wait_result), NUM_SLEEPERS);
    for (int i = 0; i < NUM_SLEEPERS; i++) {
        struct sleeper_args a = { i + 1, started, waits };
        go_spawn_copy(sleeper, &a, sizeof a);
    }
    for (int i = 0; i < NUM_SLEEPERS; i++)
        chan_recv(started, NULL);
    printf("%d children run `sleep 3`, a goroutine waits for each in waitpid\n", NUM_SLEEPERS);

    /* 2. two goroutines read from empty pipes. */
    int pipes[NUM_READERS][2];
    go_chan_t *ready = chan_new(0, 0);
    go_chan_t *reads = chan_new(sizeof(struct read_result), NUM_READERS);
    for (int i = 0; i < NUM_READERS; i++) {
        if (pipe2(pipes[i], O_CLOEXEC) != 0)
            die("pipe2");
        struct reader_args a = { i + 1, pipes[i][0], ready, reads };
        go_spawn_copy(reader, &a, sizeof a);
    }
    for (int i = 0; i < NUM_READERS; i++)
        chan_recv(ready, NULL);
    printf("%d goroutines read from empty pipes\n", NUM_READERS);

    /* 3. four goroutines compute; every chunk is reported to main. */
    go_chan_t *progress = chan_new(sizeof(uint64_t), 8);
    for (int i = 0; i < NUM_COMPUTERS; i++) {
        struct computer_args a = { i, progress };
        go_spawn_copy(computer, &a, sizeof a);
    }
    uint64_t checksum = 0;
    for (int done = 1; done <= CHUNKS; done++) {
        uint64_t v;
        chan_recv(progress, &v);
        checksum += v; /* a sum: the same whatever the order of arrival */
        if (done % CHUNKS_EACH == 0)
            printf("progress: %d of %d chunks\n", done, CHUNKS);
    }
    printf("%d goroutines computed %d chunks (checksum %016" PRIx64
           ") while %d reads and %d waits were blocked\n",
           NUM_COMPUTERS, CHUNKS, checksum, NUM_READERS - chan_len(reads),
           NUM_SLEEPERS - chan_len(waits));

    /* 4. feed the pipes: a goroutine after 100ms, a child process at once. */
    struct feeder_args f = { pipes[0][1] };
    go_spawn_copy(feeder, &f, sizeof f);
    char *echo[] = { "/bin/echo", "hello from a child process", NULL };
    pid_t echo_pid = spawn_child(echo, pipes[1][1]);
    close(pipes[1][1]); /* the child has its copy */
    printf("feeding the pipes: a goroutine writes after 100ms, a child process (echo) at once\n");
    struct read_result got[NUM_READERS];
    for (int i = 0; i < NUM_READERS; i++) {
        struct read_result r;
        chan_recv(reads, &r);
        got[r.index - 1] = r; /* arrival order varies: print in reader order */
    }
    for (int i = 0; i < NUM_READERS; i++)
        printf("reader %d read %d bytes: \"%s\"\n", got[i].index, got[i].n, got[i].text);
    printf("echo exited with status %d\n", wait_child(echo_pid));
    for (int i = 0; i < NUM_READERS; i++)
        close(pipes[i][0]);

    /* 5. the `sleep 3` children exit. */
    struct wait_result w[NUM_SLEEPERS];
    for (int i = 0; i < NUM_SLEEPERS; i++) {
        struct wait_result r;
        chan_recv(waits, &r);
        w[r.index - 1] = r;
    }
    for (int i = 0; i < NUM_SLEEPERS; i++)
        printf("sleeper %d: `sleep 3` exited with status %d after at least 3s: %s\n", w[i].index,
               w[i].status, w[i].at_least_3s ? "true" : "false");

    chan_free(progress);
    chan_free(reads);
    chan_free(ready);
    chan_free(waits);
    chan_free(started);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
