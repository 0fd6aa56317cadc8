/* named_result.c - C twin of named_result.go: the deferred call that
 * recovers sets the results, which live in the function (GO_FRAME's
 * deferred calls run while they are alive).
 *
 * The frame is an inner block and the results are outside it: `return n;`
 * inside the block would compute the return value BEFORE the deferred calls
 * run (they run as the block is left), so the block is left first (break),
 * and n is returned after the deferred calls changed it, as Go does with a
 * named result. */
#include <string.h>

#include "diff.h"

struct results {
    const char *s;
    int *n;
    char *err; /* "" is nil */
    size_t err_len;
};

static void catch_panic(void *p)
{
    const struct results *res = p;
    go_recovered_t r;
    if (panic_recover(&r) && r.message != NULL) { /* r != nil */
        *res->n = -1;
        snprintf(res->err, res->err_len, "digit \"%s\": %s", res->s, r.message);
    }
}

static int digit(const char *s, char *err, size_t err_len)
{
    int n = 0;
    err[0] = '\0';
    struct results res = { s, &n, err, err_len };
    do {
        GO_FRAME(frame) {
            break; /* recovered: leave the block, as a return would */
        }
        defer_push(catch_panic, &res);
        if (strlen(s) != 1 || s[0] < '0' || s[0] > '9')
            panic_raise("not a digit");
        n = s[0] - '0'; /* return int(s[0] - '0'), nil */
    } while (0);        /* the deferred call runs here */
    return n;
}

static void real_main(void *unused)
{
    (void)unused;
    const char *inputs[] = { "7", "x", "42" };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char err[128];
        int n = digit(inputs[i], err, sizeof err);
        printf("%d %s\n", n, err[0] != '\0' ? err : "<nil>");
    }
}

DIFF_MAIN(real_main)
