/* test_goroutines.c - go_goroutines and go_symbolize: every goroutine as
 * data (gort/runtime.h), the seed's running/blocked distinction with the
 * wait reason, the creator, the name and the stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gort_test.h"

static go_chan_t *recv_ch, *sel_a, *sel_b;
static go_wg_t *wg_gate;
static go_mutex_t *held_mu;
static atomic_int after; /* bodies do something after blocking: no tail call hides them */

static void recv_body(void *p)
{
    (void)p;
    int v;
    chan_recv(recv_ch, &v);
    atomic_fetch_add(&after, 1);
}

static void select_body(void *p)
{
    (void)p;
    go_select_case_t c[2] = {
        { sel_a, GO_SELECT_RECV, 0, NULL },
        { sel_b, GO_SELECT_RECV, 0, NULL },
    };
    go_select(c, 2);
    atomic_fetch_add(&after, 1);
}

static void wg_body(void *p)
{
    (void)p;
    wg_wait(wg_gate);
    atomic_fetch_add(&after, 1);
}

static void mutex_body(void *p)
{
    (void)p;
    mutex_lock(held_mu);
    mutex_unlock(held_mu);
    atomic_fetch_add(&after, 1);
}

static void sleep_body(void *p)
{
    (void)p;
    go_sleep(5LL * 1000 * 1000 * 1000); /* long enough to be seen asleep, even under valgrind */
    atomic_fetch_add(&after, 1);
}

enum { MAXG = 256 };
static go_goroutine_t snap[MAXG];

static long take(int flags)
{
    snap[0].size = sizeof snap[0];
    long n = go_goroutines(snap, MAXG, flags);
    assert_true(n >= 0 && n <= MAXG);
    return n;
}

static const go_goroutine_t *find(long n, go_id_t id)
{
    for (long i = 0; i < n; i++)
        if (snap[i].id == id)
            return &snap[i];
    return NULL;
}

/* Snapshot until every one of ids waits; returns the count. */
static long until_waiting(const go_id_t *ids, int k, int flags)
{
    int64_t deadline = tu_now_ns() + 10000 * TU_MS;
    for (;;) {
        long n = take(flags);
        int waiting = 0;
        for (int i = 0; i < k; i++) {
            const go_goroutine_t *e = find(n, ids[i]);
            if (e != NULL && e->state == GO_GSTATE_WAITING)
                waiting++;
        }
        if (waiting == k)
            return n;
        if (tu_now_ns() > deadline)
            fail_msg("the goroutines did not all park within 10 s");
        go_sleep(1000 * 1000);
    }
}

static void expect_frame_named(uintptr_t pc, const char *name)
{
    char text[512];
    int len = go_symbolize(pc, text, sizeof text);
    assert_true(len > 0);
    if (strstr(text, name) == NULL)
        fail_msg("go_symbolize(%#lx) = \"%s\", expected it to name %s", (unsigned long)pc, text, name);
    if (strchr(text, '\n') == NULL || strstr(text, "\n\t") == NULL)
        fail_msg("go_symbolize(%#lx) = \"%s\" is not a trace's two lines", (unsigned long)pc, text);
}

static void test_bad_input(void **state)
{
    (void)state;
    go_goroutine_t one[1];
    assert_int_equal(go_goroutines(NULL, 1, 0), GO_EINVAL);
    one[0].size = sizeof one[0] - 1;
    assert_int_equal(go_goroutines(one, 1, 0), GO_EINVAL);
    one[0].size = sizeof one[0];
    assert_int_equal(go_goroutines(one, 1, 8), GO_EINVAL);
    assert_true(go_goroutines(NULL, 0, 0) >= 0);
    char buf[16];
    assert_int_equal(go_symbolize(0, buf, sizeof buf), GO_EINVAL);
    assert_int_equal(go_symbolize((uintptr_t)&test_bad_input, NULL, 4), GO_EINVAL);
    /* Too small a buffer: cut and terminated, the whole length returned. */
    int whole = go_symbolize((uintptr_t)&test_bad_input + 1, NULL, 0);
    assert_true(whole > (int)sizeof buf);
    assert_int_equal(go_symbolize((uintptr_t)&test_bad_input + 1, buf, sizeof buf), whole);
    assert_int_equal(strlen(buf), sizeof buf - 1);
}

static void test_states_reasons_creators(void **state)
{
    (void)state;
    recv_ch = chan_new(sizeof(int), 0);
    sel_a = chan_new(sizeof(int), 0);
    sel_b = chan_new(sizeof(int), 0);
    wg_gate = wg_new();
    held_mu = mutex_new();
    TU_ASSERT_OK(wg_add(wg_gate, 1));
    TU_ASSERT_OK(mutex_lock(held_mu));
    atomic_store(&after, 0);
    go_attr_t attr;
    go_attr_init(&attr);
    attr.name = "parked-recv";
    go_id_t ids[5];
    ids[0] = go_spawn_attr(&attr, recv_body, NULL);
    ids[1] = go_spawn(select_body, NULL);
    ids[2] = go_spawn(wg_body, NULL);
    ids[3] = go_spawn(mutex_body, NULL);
    ids[4] = go_spawn(sleep_body, NULL);
    static const struct {
        go_fn_t fn;
        const char *reason, *name;
    } want[5] = {
        { recv_body, "chan receive", "recv_body" }, { select_body, "select", "select_body" },
        { wg_body, "semacquire", "wg_body" },        { mutex_body, "semacquire", "mutex_body" },
        { sleep_body, "sleep", "sleep_body" },
    };
    for (int i = 0; i < 5; i++)
        assert_true(ids[i] > 0);
    long n = until_waiting(ids, 5, GO_SNAPSHOT_STACKS);
    for (int i = 0; i < 5; i++) {
        const go_goroutine_t *e = find(n, ids[i]);
        assert_non_null(e);
        assert_int_equal(e->size, sizeof *e);
        assert_int_equal(e->state, GO_GSTATE_WAITING);
        assert_int_equal(e->locked, 0);
        assert_non_null(e->wait_reason);
        assert_string_equal(e->wait_reason, want[i].reason);
        assert_true(e->wait_ns >= 0);
        assert_true(e->entry == (uintptr_t)want[i].fn);
        assert_int_equal(e->parent, 0); /* made by this thread, not a goroutine */
        assert_true(e->created_at != 0);
        expect_frame_named(e->created_at, "test_states_reasons_creators");
        /* The stack: gort's frames left out, the body's own frame there. */
        assert_true(e->nframes >= 1);
        int found = 0;
        for (int f = 0; f < e->nframes; f++) {
            char text[512];
            go_symbolize(e->frames[f], text, sizeof text);
            found |= strstr(text, want[i].name) != NULL;
            if (strstr(text, "gort::") != NULL)
                fail_msg("a gort frame in the snapshot: %s", text);
        }
        if (!found)
            fail_msg("goroutine %lld: no frame names %s", (long long)ids[i], want[i].name);
    }
    assert_string_equal(find(n, ids[0])->name, "parked-recv");
    assert_string_equal(find(n, ids[1])->name, "");
    /* Without GO_SNAPSHOT_STACKS: no frames. */
    n = take(0);
    assert_int_equal(find(n, ids[0])->nframes, 0);
    /* A buffer too small: the count is still all of them. */
    go_goroutine_t one[1];
    one[0].size = sizeof one[0];
    assert_true(go_goroutines(one, 1, 0) >= 5);
    /* Release them; the sleeper wakes by itself. */
    chan_close(recv_ch);
    chan_close(sel_a);
    TU_ASSERT_OK(wg_done(wg_gate));
    TU_ASSERT_OK(mutex_unlock(held_mu));
    while (atomic_load(&after) < 5)
        go_sleep(1000 * 1000);
}

/* A goroutine sees itself running, with its own frames, and its children
 * name it as their parent. */
typedef struct self_ctx {
    go_wg_t *done;
    go_id_t me, child;
    int ok_state, ok_frames, ok_parent;
} self_ctx_t;

static void child_body(void *p)
{
    self_ctx_t *c = p;
    int v;
    chan_recv(recv_ch, &v);
    wg_done(c->done);
}

static void __attribute__((noinline)) looker(self_ctx_t *c)
{
    c->me = go_id();
    c->child = go_spawn(child_body, c);
    go_id_t ids[1] = { c->child };
    long n = until_waiting(ids, 1, GO_SNAPSHOT_STACKS);
    const go_goroutine_t *self = find(n, c->me), *kid = find(n, c->child);
    c->ok_state = self != NULL && self->state == GO_GSTATE_RUNNING && self->wait_ns == -1 &&
                  self->wait_reason == NULL;
    for (int f = 0; self != NULL && f < self->nframes; f++) {
        char text[512];
        go_symbolize(self->frames[f], text, sizeof text);
        c->ok_frames |= strstr(text, "looker") != NULL;
    }
    c->ok_parent = kid != NULL && kid->parent == c->me;
    chan_close(recv_ch);
}

static void self_body(void *p)
{
    looker(p);
    wg_done(((self_ctx_t *)p)->done);
}

static void test_self_and_parent(void **state)
{
    (void)state;
    recv_ch = chan_new(sizeof(int), 0);
    static self_ctx_t c;
    memset(&c, 0, sizeof c);
    c.done = wg_new();
    TU_ASSERT_OK(wg_add(c.done, 2));
    assert_true(go_spawn(self_body, &c) > 0);
    TU_ASSERT_OK(wg_wait(c.done));
    wg_free(c.done);
    assert_true(c.ok_state);
    assert_true(c.ok_frames);
    assert_true(c.ok_parent);
}

/* A pinned goroutine: locked to its thread, its state and reason. */
static void pinned_body(void *p)
{
    (void)p;
    int v;
    chan_recv(recv_ch, &v);
}

static void test_pinned(void **state)
{
    (void)state;
    recv_ch = chan_new(sizeof(int), 0);
    go_id_t id = go_spawn_pinned(pinned_body, NULL);
    assert_true(id > 0);
    go_id_t ids[1] = { id };
    long n = until_waiting(ids, 1, 0);
    const go_goroutine_t *e = find(n, id);
    assert_int_equal(e->locked, 1);
    assert_string_equal(e->wait_reason, "chan receive");
    assert_true(e->entry == (uintptr_t)pinned_body);
    chan_close(recv_ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        TU_TEST(test_bad_input),
        TU_TEST(test_states_reasons_creators),
        TU_TEST(test_self_and_parent),
        TU_TEST(test_pinned),
    };
    return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
