/* test_dlunload.c - dlclose of libgort after it ran goroutines, seen from a
 * host that has its own SIGSEGV handler (a JVM, an interpreter's fault
 * handling): after dlclose the host's next fault must reach the host's
 * handler, installed BEFORE dlopen, rather than jump into unmapped code; and
 * unloading must leave nothing that a leak checker reports (the ASan build
 * runs LeakSanitizer at the child's exit).
 *
 * libgort is linked with -z nodelete (include/gort/runtime.h, "Loading and
 * unloading"): its threads and handlers outlive dlclose, and its handler
 * chains to the host's. The case runs in a child forked from the test's
 * main thread; the parent never loads the library.
 *
 * argv[1]: the path of the built library (any of its names): the test opens
 * the soname, "libgort.so.<MAJOR>", in the same directory. This program does
 * NOT link gort; it only uses the header's types and macros. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <gort.h>

#include "testutil.h"

static char lib_path[4096];

typedef struct api {
    go_id_t (*go_spawn)(go_fn_t, void *);
    int (*go_num_goroutine)(void);
    go_wg_t *(*wg_new)(void);
    void (*wg_free)(go_wg_t *);
    int (*wg_add)(go_wg_t *, int64_t);
    int (*wg_done)(go_wg_t *);
    int (*wg_wait)(go_wg_t *);
} api_t;

static void *sym(void *lib, const char *name)
{
    void *p = dlsym(lib, name);
    if (p == NULL) {
        fprintf(stderr, "dlsym(%s): %s\n", name, dlerror());
        _exit(98);
    }
    return p;
}

static void load_api(void *lib, api_t *a)
{
    *(void **)&a->go_spawn = sym(lib, "go_spawn");
    *(void **)&a->go_num_goroutine = sym(lib, "go_num_goroutine");
    *(void **)&a->wg_new = sym(lib, "wg_new");
    *(void **)&a->wg_free = sym(lib, "wg_free");
    *(void **)&a->wg_add = sym(lib, "wg_add");
    *(void **)&a->wg_done = sym(lib, "wg_done");
    *(void **)&a->wg_wait = sym(lib, "wg_wait");
}

enum { N = 100 };

typedef struct work {
    api_t *api;
    go_wg_t *wg;
    atomic_int ran;
} work_t;

static void body(void *p)
{
    work_t *w = p;
    atomic_fetch_add(&w->ran, 1);
    w->api->wg_done(w->wg);
}

/* N goroutines, waited for; then until the runtime counts none. */
static void run_goroutines(api_t *a)
{
    work_t w = {.api = a, .wg = a->wg_new()};
    atomic_store(&w.ran, 0);
    TU_CHILD_CHECK(w.wg != NULL);
    TU_CHILD_CHECK(a->wg_add(w.wg, N) == 0);
    for (int i = 0; i < N; i++)
        TU_CHILD_CHECK(a->go_spawn(body, &w) >= 1);
    TU_CHILD_CHECK(a->wg_wait(w.wg) == 0);
    TU_CHILD_CHECK(atomic_load(&w.ran) == N);
    a->wg_free(w.wg);
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    while (a->go_num_goroutine() > 0 && tu_now_ns() < deadline)
        tu_thread_sleep_ns(1 * TU_MS);
    TU_CHILD_CHECK(a->go_num_goroutine() == 0);
}

static sigjmp_buf host_jmp;
static volatile sig_atomic_t host_signal;

static void host_handler(int sig, siginfo_t *si, void *uctx)
{
    (void)si, (void)uctx;
    host_signal = sig;
    siglongjmp(host_jmp, 1);
}

/* A SIGSEGV on this (non-goroutine) thread: the host's handler must see it. */
static void fault_reaches_host(void)
{
    host_signal = 0;
    if (sigsetjmp(host_jmp, 1) == 0) {
        volatile int *volatile bad = (volatile int *)(uintptr_t)16;
        *bad = 1;
        TU_CHILD_CHECK(!"the store to address 16 did not fault");
    }
    TU_CHILD_CHECK(host_signal == SIGSEGV);
}

static void child_unload(void *arg)
{
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = host_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    TU_CHILD_CHECK(sigaction(SIGSEGV, &sa, NULL) == 0);

    void *lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen(%s): %s\n", lib_path, dlerror());
        _exit(98);
    }
    api_t a;
    load_api(lib, &a);
    run_goroutines(&a);
    fault_reaches_host(); /* while loaded: gort's handler chains to the host's */
    TU_CHILD_CHECK(dlclose(lib) == 0);

    fault_reaches_host(); /* after dlclose */
    fault_reaches_host(); /* and again */

    /* dlopen again: the same runtime, still working. */
    lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    TU_CHILD_CHECK(lib != NULL);
    load_api(lib, &a);
    run_goroutines(&a);
    TU_CHILD_CHECK(dlclose(lib) == 0);
    fault_reaches_host();
    printf("ok\n");
}

static void test_dlclose_restores_host_fault_handling(void **state)
{
    (void)state;
    tu_child_t r;
    tu_run_child(child_unload, NULL, 30000, &r);
    /* LeakSanitizer, in the ASan build, reports a leak by a nonzero exit. */
    if (!r.exited || r.exit_status != 0 || strcmp(r.out, "ok\n") != 0)
        fail_msg("the child did not end cleanly; %s", tu_child_describe(&r));
    tu_child_free(&r);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-OF-LIBGORT\n", argv[0]);
        return 2;
    }
    char *dir_copy = strdup(argv[1]);
    snprintf(lib_path, sizeof lib_path, "%s/libgort.so.%d", dirname(dir_copy), GORT_VERSION_MAJOR);
    free(dir_copy);
    if (access(lib_path, F_OK) != 0) {
        fprintf(stderr, "%s does not exist (the soname link of %s)\n", lib_path, argv[1]);
        return 1;
    }
    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dlclose_restores_host_fault_handling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
