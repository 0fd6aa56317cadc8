/* hello.c - start goroutines and wait for them with a WaitGroup.
 *
 * go_main runs real_main as the program's main goroutine. It starts ten
 * goroutines; each writes its greeting into its own slot, so no two
 * goroutines touch the same memory, and wg_wait guarantees that main sees
 * every slot filled. Main prints the slots in order: the output is the same
 * whatever order the goroutines ran in. Go twin: go/hello.go. */
#include <stdio.h>

#include <gort.h>

#define N 10

static char greetings[N][64];
static go_wg_t *wg;

static void greet(void *arg)
{
    int i = *(const int *)arg; /* our own copy of i, made by go_spawn_copy */
    snprintf(greetings[i], sizeof greetings[i], "hello from goroutine %d (%d squared is %d)",
             i, i, i * i);
    wg_done(wg);
}

static void real_main(void *arg)
{
    (void)arg;
    wg = wg_new();
    if (wg == NULL)
        return;
    for (int i = 0; i < N; i++) {
        wg_add(wg, 1);
        go_spawn_copy(greet, &i, sizeof i); /* like go greet(i) */
    }
    wg_wait(wg);
    for (int i = 0; i < N; i++)
        printf("%s\n", greetings[i]);

    /* A goroutine that called wg_done may still be on its way out: let the
     * others finish, then only main is left. */
    while (go_num_goroutine() > 1)
        go_yield();
    printf("goroutines left: %d\n", go_num_goroutine());
    wg_free(wg);
}

int main(void)
{
    return go_main(real_main, NULL) < 0;
}
