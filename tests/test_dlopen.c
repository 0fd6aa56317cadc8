/* test_dlopen.c - gort loaded at run time, the way a JVM, Python or a plugin
 * host loads it: dlopen("libgort.so.0") and dlsym. This program does NOT
 * link gort; it only uses the header's types and macros.
 *
 * argv[1]: the path of the built library (any of its names): the test opens
 * the soname, "libgort.so.<MAJOR>", in the same directory.
 * Registered three times, with GOMAXPROCS=1, 2 and 4 in the environment. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <setjmp.h>
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

static const char *lib_path;
static void *lib;

static go_id_t (*p_go_spawn)(go_fn_t, void *);
static go_id_t (*p_go_id)(void);
static int (*p_go_num_goroutine)(void);
static void (*p_go_sleep)(int64_t);
static const char *(*p_go_version)(void);
static int (*p_go_version_number)(void);
static go_wg_t *(*p_wg_new)(void);
static void (*p_wg_free)(go_wg_t *);
static int (*p_wg_add)(go_wg_t *, int64_t);
static int (*p_wg_done)(go_wg_t *);
static int (*p_wg_wait)(go_wg_t *);

static int baseline;

#define LOAD(sym)                                                                \
    do {                                                                         \
        *(void **)(&p_##sym) = dlsym(lib, #sym);                                 \
        if (p_##sym == NULL) {                                                   \
            print_error("dlsym(%s): %s\n", #sym, dlerror());                     \
            return -1;                                                           \
        }                                                                        \
    } while (0)

static int load(void **state)
{
    (void)state;
    lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        print_error("dlopen(%s): %s\n", lib_path, dlerror());
        return -1;
    }
    LOAD(go_spawn);
    LOAD(go_id);
    LOAD(go_num_goroutine);
    LOAD(go_sleep);
    LOAD(go_version);
    LOAD(go_version_number);
    LOAD(wg_new);
    LOAD(wg_free);
    LOAD(wg_add);
    LOAD(wg_done);
    LOAD(wg_wait);
    baseline = p_go_num_goroutine();
    return 0;
}

static int leak_check(void **state)
{
    (void)state;
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    int n;
    while ((n = p_go_num_goroutine()) != baseline && tu_now_ns() < deadline)  /* see tu_settle_goroutines */
        p_go_sleep(1 * TU_MS);
    if (n != baseline) {
        print_error("goroutine leak: go_num_goroutine() = %d, baseline %d\n", n, baseline);
        return -1;
    }
    return 0;
}

static void test_symbols_resolve(void **state)
{
    (void)state;
    /* no C++ or internal name leaks out */
    assert_null(dlsym(lib, "main"));
    /* a second dlopen finds the library already loaded */
    void *again = dlopen(lib_path, RTLD_NOW | RTLD_NOLOAD);
    assert_ptr_equal(again, lib);
    dlclose(again);
}

static void test_version(void **state)
{
    (void)state;
    assert_non_null(p_go_version());
    assert_string_equal(p_go_version(), GORT_VERSION_STRING);
    assert_int_equal(p_go_version_number(), GORT_VERSION_NUMBER);
}

enum { N = 100 };

typedef struct ctx {
    go_wg_t *wg;
    atomic_int ran;
    go_id_t ids[N];
    go_id_t seen[N];
} ctx_t;

static ctx_t c;

static void body(void *p)
{
    int i = (int)(intptr_t)p;
    c.seen[i] = p_go_id();
    atomic_fetch_add(&c.ran, 1);
    p_wg_done(c.wg);
}

static void test_hundred_goroutines(void **state)
{
    (void)state;
    assert_int_equal(p_go_id(), 0);
    for (int round = 0; round < 3; round++) {
        c.wg = p_wg_new();
        assert_non_null(c.wg);
        atomic_store(&c.ran, 0);
        assert_int_equal(p_wg_add(c.wg, N), 0);
        for (int i = 0; i < N; i++) {
            c.ids[i] = p_go_spawn(body, (void *)(intptr_t)i);
            assert_true(c.ids[i] >= 1);
            if (i > 0)
                assert_true(c.ids[i] > c.ids[i - 1]);
        }
        assert_int_equal(p_wg_wait(c.wg), 0);
        assert_int_equal(atomic_load(&c.ran), N);
        for (int i = 0; i < N; i++)
            assert_int_equal(c.seen[i], c.ids[i]);
        p_wg_free(c.wg);
    }
    assert_int_equal(p_go_spawn(NULL, NULL), GO_EINVAL);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH-OF-LIBGORT\n", argv[0]);
        return 2;
    }
    /* open the library by its soname, in the build directory */
    static char path[4096];
    char *dir_copy = strdup(argv[1]);
    snprintf(path, sizeof path, "%s/libgort.so.%d", dirname(dir_copy), GORT_VERSION_MAJOR);
    free(dir_copy);
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "%s does not exist (the soname link of %s)\n", path, argv[1]);
        return 1;
    }
    lib_path = path;

    tu_save_signal_dispositions();
    tu_cmocka_abort_on_failure();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_symbols_resolve, leak_check),
        cmocka_unit_test_teardown(test_version, leak_check),
        cmocka_unit_test_teardown(test_hundred_goroutines, leak_check),
    };
    return cmocka_run_group_tests(tests, load, NULL);
}
