/* args.c - a go statement evaluates its arguments at once; the goroutine
 * reads captured variables when it runs.
 *
 *     a := 123
 *     go func(x int) { fmt.Println(x, a) }(a)
 *     a = 789
 *
 * prints "123 789": x was copied at the go statement, a is read later. In C,
 * go_spawn_copy copies the argument struct at the spawn (that is x), and a
 * pointer in it plays the closure's captured variable (that is a). A
 * WaitGroup makes the goroutine read a only after main assigned 789, and
 * another one lets main wait for the goroutine. Go twin: go/args.go. */
#include <stdio.h>

#include <gort.h>

struct args {
    int x;        /* evaluated at the spawn: copied */
    int *a;       /* captured: shared with main */
    go_wg_t *assigned;
    go_wg_t *done;
};

static void show(void *p)
{
    const struct args *args = p; /* gort's copy, made at the spawn */
    wg_wait(args->assigned);
    printf("%d %d\n", args->x, *args->a);
    wg_done(args->done);
}

static void real_main(void *unused)
{
    (void)unused;
    int a = 123;
    go_wg_t *assigned = wg_new(), *done = wg_new();
    if (assigned == NULL || done == NULL)
        return;
    wg_add(assigned, 1);
    wg_add(done, 1);

    struct args args = { a, &a, assigned, done };
    go_spawn_copy(show, &args, sizeof args); /* go func(x int) {...}(a) */
    args.x = 456;                            /* changes nothing: the goroutine has its copy */
    a = 789;
    wg_done(assigned);

    wg_wait(done);
    wg_free(assigned);
    wg_free(done);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
