/* skynet.c - a million-goroutine tree that sums its leaves over channels.
 *
 * The skynet benchmark (github.com/atemerev/skynet): the root spawns 10
 * children, each of those spawns 10, and so on until a node covers a single
 * number; a leaf sends its number to its parent, a parent sends the sum of
 * its children's values to its own parent. With N leaves the leaves hold
 * 0 .. N-1, so the result is N * (N - 1) / 2, whatever order the goroutines
 * ran in.
 *
 *     func skynet(c chan int, num, size, div int) {
 *         if size == 1 { c <- num; return }
 *         rc := make(chan int)
 *         for i := 0; i < div; i++ {
 *             go skynet(rc, num+i*(size/div), size/div, div)
 *         }
 *         sum := 0
 *         for i := 0; i < div; i++ { sum += <-rc }
 *         c <- sum
 *     }
 *
 * The arguments of `go skynet(...)` are evaluated at the go statement: in C
 * they are a struct that go_spawn_copy copies, so the loop may reuse its own
 * variable at once. Each inner node frees its channel once it has received
 * every child's value: a send that was received has finished, so nothing
 * can be blocked on the channel any more.
 *
 * Usage: skynet [N=100000]  (N a power of 10; the classic run is 1000000:
 * 1,111,111 goroutines). The time taken goes to stderr, so that stdout is
 * the same on every run. Go twin: go/skynet.go. */
#include <stdio.h>
#include <stdlib.h>

#include <gort.h>

struct node {
    go_chan_t *c; /* the parent's channel */
    long long num, size, div;
};

static void skynet(void *arg)
{
    const struct node *a = arg; /* go_spawn_copy's copy: ours until we return */
    long long sum = a->num;
    if (a->size > 1) {
        go_chan_t *rc = chan_new(sizeof(long long), 0); /* make(chan int) */
        if (rc == NULL) {
            perror("chan_new");
            exit(1);
        }
        for (long long i = 0; i < a->div; i++) {
            struct node child = { rc, a->num + i * (a->size / a->div), a->size / a->div, a->div };
            go_spawn_copy(skynet, &child, sizeof child); /* go skynet(rc, ...) */
        }
        sum = 0;
        for (long long i = 0; i < a->div; i++) {
            long long v;
            chan_recv(rc, &v); /* sum += <-rc */
            sum += v;
        }
        chan_free(rc);
    }
    chan_send(a->c, &sum); /* c <- sum */
}

static void real_main(void *arg)
{
    long long n = *(const long long *)arg;
    go_chan_t *c = chan_new(sizeof(long long), 0);
    if (c == NULL) {
        perror("chan_new");
        exit(1);
    }
    int64_t start = go_nanotime();
    struct node root = { c, 0, n, 10 };
    go_spawn_copy(skynet, &root, sizeof root);
    long long result;
    chan_recv(c, &result);
    int64_t took = go_nanotime() - start;

    printf("Result: %lld\n", result);
    fprintf(stderr, "Took %.3f ms\n", (double)took / 1e6);
    chan_free(c);
}

int main(int argc, char **argv)
{
    long long n = 100000;
    if (argc > 1) {
        char *end;
        n = strtoll(argv[1], &end, 10);
        if (*end != '\0' || n <= 0) {
            fprintf(stderr, "usage: skynet [N]  (N a power of 10)\n");
            return 2;
        }
    }
    return go_main(real_main, &n) < 0;
}
