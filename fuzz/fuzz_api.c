/* fuzz/fuzz_api.c - drive gort's C API with byte-coded programs.
 *
 * One input is one program. Its bytes are split into a part for the driver
 * (the thread that calls LLVMFuzzerTestOneInput: a thread that is not a
 * goroutine) and parts for up to four worker goroutines; each part is read
 * as a stream of opcodes with operand bytes. The opcodes touch a small world
 * of shared handles (channels of several element sizes and capacities,
 * mutexes, an RWMutex, a WaitGroup, a Once, a Cond, a timer) in any order
 * and with any handle, including misuse the API documents: nil channels,
 * closed channels, handles of the wrong type, misaligned garbage, freed
 * handles, double frees, bad sizes, negative WaitGroup counters, panics and
 * Goexit. Every call's result is checked against what the headers promise;
 * anything else aborts with a message, which the fuzzer reports as a crash.
 *
 * What the harness may not do is also what gort documents as fatal (Go's
 * fatal errors end the process, which is right but not a finding): it never
 * unlocks a mutex it does not hold with the fatal form, never frees a handle
 * a goroutine may still block on, and never leaves a goroutine blocked for
 * good. The last rule is kept by the cleanup: when the driver's part ends it
 * closes every channel (releasing blocked receivers, and blocked senders
 * with a recovered "send on closed channel" panic), broadcasts the Cond and
 * waits for every goroutine the program started. A program whose goroutines
 * do not all finish within 10 s is reported as a hang.
 *
 * Values carry a tag: every byte of a value sent on channel i equals
 * tag(i) (never 0), so a receive checks that it got a whole value of its own
 * channel, or the all-zero value with ok = 0.
 *
 * Built two ways: with -fsanitize=fuzzer (scripts/fuzz.sh: libFuzzer finds
 * programs) and, without it, as a replay program whose main() runs the files
 * named on its command line (or every file in a directory): the tests replay
 * fuzz/corpus/ in every build, sanitizers and valgrind included.
 */
#define _GNU_SOURCE /* scandir, alphasort */
#include <gort.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCHAN 6
#define NWORK 4
#define MAXVAL 300 /* the largest element size used */

typedef struct part {
    const uint8_t *p;
    size_t n;
} part_t;

static int take(part_t *pt) {
    if (pt->n == 0) return -1;
    pt->n--;
    return *pt->p++;
}
static int take_or(part_t *pt, int dflt) {
    int b = take(pt);
    return b < 0 ? dflt : b;
}

/* The world of one program. */
static struct world {
    go_chan_t *ch[NCHAN];
    size_t esize[NCHAN];
    size_t cap[NCHAN];
    go_mutex_t *mu[2];
    go_rwmutex_t *rw;
    go_wg_t *wg;
    go_once_t *once;
    go_cond_t *cond; /* on mu[1] */
    go_timer_t *timer;
    atomic_int live;     /* goroutines of this program still running */
    atomic_int once_runs;
    atomic_int closing;  /* the driver has started the cleanup */
    atomic_int wg_broken; /* a WaitGroup call said GO_EBUSY: its state is unreliable */
} W;

static int g_trace = -1; /* FUZZ_TRACE=1: print each op as it starts */

static const size_t kSizes[] = {0, 1, 8, 16, 24, MAXVAL};

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            fprintf(stderr, "fuzz_api: %s:%d: check failed: %s: ", __FILE__,      \
                    __LINE__, #cond);                                             \
            fprintf(stderr, __VA_ARGS__);                                         \
            fputc('\n', stderr);                                                  \
            abort();                                                              \
        }                                                                         \
    } while (0)

static uint8_t tag(int i) { return (uint8_t)(0x31 + i); }

static void fill(int i, uint8_t *v) { memset(v, tag(i), W.esize[i]); }

/* A received value is a whole value of channel i (ok = 1) or zero (ok = 0). */
static void check_value(int i, const uint8_t *v, int ok) {
    uint8_t want = ok ? tag(i) : 0;
    for (size_t k = 0; k < W.esize[i]; k++)
        CHECK(v[k] == want, "chan %d byte %zu is 0x%02x, want 0x%02x (ok=%d)", i, k, v[k],
              want, ok);
}

/* ------------------------------------------------------------ recovering calls */

/* A call run inside go_call with a deferred recover: what panicked, if anything. */
typedef struct guarded {
    void (*fn)(struct guarded *);
    int chan;       /* operand */
    int rc;         /* the inner call's result */
    int recovered;  /* a panic was recovered */
    int runtime_error;
    void *value;
    const go_panic_type_t *type;
    char msg[96];
} guarded_t;

static void recover_into(void *arg) {
    guarded_t *g = arg;
    go_recovered_t r;
    if (panic_recover(&r)) {
        g->recovered = 1;
        g->runtime_error = r.is_runtime_error;
        g->value = r.value;
        g->type = r.type;
        snprintf(g->msg, sizeof g->msg, "%s", r.message ? r.message : "(nil)");
    }
}

static void guarded_body(void *arg) {
    guarded_t *g = arg;
    CHECK(defer_push(recover_into, g) == 0, "defer_push failed");
    g->fn(g);
}

static int run_guarded(guarded_t *g) {
    g->recovered = 0;
    g->msg[0] = 0;
    int rc = go_call(guarded_body, g);
    CHECK(rc == 0 || rc == GO_RECOVERED, "go_call returned %d", rc);
    CHECK((rc == GO_RECOVERED) == (g->recovered != 0), "go_call %d, recovered %d", rc,
          g->recovered);
    return rc;
}

static void expect_closed_panic(const guarded_t *g, const char *what) {
    CHECK(strcmp(g->msg, what) == 0, "panic \"%s\", want \"%s\"", g->msg, what);
    CHECK(g->runtime_error, "\"%s\" is a runtime error", what);
}

/* ------------------------------------------------------------------- the ops */

static void op_send_body(guarded_t *g) {
    uint8_t v[MAXVAL];
    fill(g->chan, v);
    g->rc = chan_send(W.ch[g->chan], v);
}

static void op_close_body(guarded_t *g) { g->rc = chan_close(W.ch[g->chan]); }

static void user_panic_body(guarded_t *g) {
    char m[32];
    snprintf(m, sizeof m, "user panic %d", g->chan);
    panic_raise(m);
}

static int fmt_value(const void *value, char *buf, size_t len) {
    return snprintf(buf, len, "value %d", *(const int *)value);
}
static const go_panic_type_t kIntType = {sizeof(go_panic_type_t), "fuzz.int", fmt_value, NULL};
static int g_panic_int = 7;
static void value_panic_body(guarded_t *g) {
    (void)g;
    panic_raise_value(&g_panic_int, &kIntType);
}

static void once_fn(void *arg) {
    (void)arg;
    atomic_fetch_add(&W.once_runs, 1);
}
static void once_body(guarded_t *g) { g->rc = once_do(W.once, once_fn, NULL); }

static void op_recv(int i, int blocking) {
    uint8_t v[MAXVAL];
    memset(v, 0xee, sizeof v);
    if (blocking) {
        int rc = chan_recv(W.ch[i], v);
        CHECK(rc == 0 || rc == 1, "chan_recv returned %d", rc);
        check_value(i, v, rc);
    } else {
        int ok = -1;
        int rc = chan_try_recv(W.ch[i], v, &ok);
        CHECK(rc == 0 || rc == 1, "chan_try_recv returned %d", rc);
        if (rc == 1) {
            CHECK(ok == 0 || ok == 1, "ok %d", ok);
            check_value(i, v, ok);
        }
    }
}

static void op_send(int i, int blocking) {
    guarded_t g = {.chan = i};
    if (blocking) {
        g.fn = op_send_body;
        if (run_guarded(&g) == GO_RECOVERED) expect_closed_panic(&g, "send on closed channel");
        else CHECK(g.rc == 0, "chan_send returned %d", g.rc);
    } else {
        uint8_t v[MAXVAL];
        fill(i, v);
        int rc = chan_try_send_err(W.ch[i], v);
        CHECK(rc == 0 || rc == 1 || rc == GO_ECLOSED, "chan_try_send_err returned %d", rc);
    }
}

static void op_close(int i, int use_panic) {
    if (use_panic) {
        guarded_t g = {.chan = i, .fn = op_close_body};
        if (run_guarded(&g) == GO_RECOVERED) expect_closed_panic(&g, "close of closed channel");
        else CHECK(g.rc == 0, "chan_close returned %d", g.rc);
    } else {
        int rc = chan_close_err(W.ch[i]);
        CHECK(rc == 0 || rc == GO_ECLOSED, "chan_close_err returned %d", rc);
    }
}

static void op_select(part_t *pt, int may_block) {
    go_select_case_t cs[5];
    uint8_t vals[5][MAXVAL];
    int which[5];
    int n = 1 + take_or(pt, 0) % 4;
    int dflt = !may_block || (take_or(pt, 0) & 1);
    if (g_trace > 0) fprintf(stderr, "g%lld: select n %d dflt %d\n", (long long)go_id(), n, dflt);
    for (int k = 0; k < n; k++) {
        int b = take_or(pt, 0);
        int i = b % (NCHAN + 1); /* NCHAN: the nil channel */
        which[k] = i;
        cs[k].chan = i < NCHAN ? W.ch[i] : NULL;
        cs[k].ok = -7;
        if (b & 0x80 && i < NCHAN) {
            cs[k].dir = GO_SELECT_SEND;
            fill(i, vals[k]);
        } else {
            cs[k].dir = GO_SELECT_RECV;
            memset(vals[k], 0xee, MAXVAL);
        }
        cs[k].value = vals[k];
        if (g_trace > 0)
            fprintf(stderr, "g%lld:   case %s chan %d\n", (long long)go_id(),
                    cs[k].dir == GO_SELECT_SEND ? "send" : "recv", i);
    }
    int any = 0;
    for (int k = 0; k < n; k++) any |= cs[k].chan != NULL;
    if (!any) dflt = 1; /* only nil channels and no default: Go's select {}, for good */
    if (dflt) {
        cs[n].chan = NULL;
        cs[n].dir = GO_SELECT_DEFAULT;
        cs[n].value = NULL;
        n++;
    }
    int rc = go_select_err(cs, n);
    if (rc == GO_ECLOSED) {
        int found = 0;
        for (int k = 0; k < n; k++) found |= cs[k].dir == GO_SELECT_SEND && cs[k].ok == GO_ECLOSED;
        CHECK(found, "GO_ECLOSED with no send case marked");
        return;
    }
    CHECK(rc >= 0 && rc < n, "go_select_err returned %d of %d cases", rc, n);
    if (cs[rc].dir == GO_SELECT_RECV) {
        CHECK(which[rc] < NCHAN, "a nil channel's case was chosen");
        CHECK(cs[rc].ok == 0 || cs[rc].ok == 1, "recv case ok %d", cs[rc].ok);
        check_value(which[rc], vals[rc], cs[rc].ok);
    } else if (cs[rc].dir == GO_SELECT_DEFAULT) {
        CHECK(dflt && rc == n - 1, "default chosen at %d", rc);
    }
}

static void op_mutex(int b) {
    go_mutex_t *m = W.mu[b & 1];
    if (b & 2) {
        int rc = mutex_trylock(m);
        CHECK(rc == 0 || rc == 1, "mutex_trylock returned %d", rc);
        if (rc == 1) CHECK(mutex_unlock(m) == 0, "mutex_unlock");
    } else {
        CHECK(mutex_lock(m) == 0, "mutex_lock");
        if (b & 4) go_yield();
        CHECK(mutex_unlock(m) == 0, "mutex_unlock");
    }
}

static void op_rw(int b) {
    switch (b % 4) {
    case 0:
        CHECK(rwmutex_rlock(W.rw) == 0, "rlock");
        if (b & 8) go_yield();
        CHECK(rwmutex_runlock(W.rw) == 0, "runlock");
        break;
    case 1:
        CHECK(rwmutex_lock(W.rw) == 0, "lock");
        if (b & 8) go_yield();
        CHECK(rwmutex_unlock(W.rw) == 0, "unlock");
        break;
    case 2: {
        int rc = rwmutex_tryrlock(W.rw);
        CHECK(rc == 0 || rc == 1, "tryrlock %d", rc);
        if (rc) CHECK(rwmutex_runlock(W.rw) == 0, "runlock");
        break;
    }
    default: {
        int rc = rwmutex_trylock(W.rw);
        CHECK(rc == 0 || rc == 1, "trylock %d", rc);
        if (rc) CHECK(rwmutex_unlock(W.rw) == 0, "unlock");
        break;
    }
    }
}

/* A goroutine that ends with the program: counted in W.live. */
static void leave(void *arg) {
    (void)arg;
    if (g_trace > 0) fprintf(stderr, "g%lld: leaves\n", (long long)go_id());
    atomic_fetch_sub(&W.live, 1);
}

static void doner(void *arg) {
    (void)arg;
    defer_push(leave, NULL);
    go_yield();
    /* GO_EBUSY: Go's "WaitGroup misuse" when the counter reaches 0 while
     * an Add races a Wait's wake-up */
    int rc = wg_done_err(W.wg);
    CHECK(rc == 0 || rc == GO_ERANGE || rc == GO_EBUSY, "wg_done_err returned %d", rc);
    if (rc == GO_EBUSY) atomic_store(&W.wg_broken, 1);
}

static int spawn_counted(go_fn_t fn, void *arg) {
    atomic_fetch_add(&W.live, 1);
    go_id_t id = go_spawn(fn, arg);
    if (id > 0) return 1;
    CHECK(id == GO_EAGAIN || id == GO_ENOMEM, "go_spawn returned %lld", (long long)id);
    atomic_fetch_sub(&W.live, 1);
    return 0;
}

static void op_wg(int b, int may_block) {
    switch (b % 3) {
    case 0: {
        /* GO_EBUSY ("misuse") is reported after the counter moved, as Go's
         * panic: the doner still balances it */
        int rc = wg_add_err(W.wg, 1);
        CHECK(rc == 0 || rc == GO_EBUSY, "wg_add_err(1) returned %d", rc);
        if (rc == GO_EBUSY) atomic_store(&W.wg_broken, 1);
        if (!spawn_counted(doner, NULL)) wg_done_err(W.wg);
        break;
    }
    case 1: {
        int rc = wg_add_err(W.wg, -1);
        CHECK(rc == 0 || rc == GO_ERANGE || rc == GO_EBUSY, "wg_add_err(-1) returned %d", rc);
        if (rc == GO_EBUSY) atomic_store(&W.wg_broken, 1);
        break;
    }
    default:
        if (may_block) {
            /* Go panics when the WaitGroup is reused before a Wait returned
             * (an Add racing the wake-up): the error form says GO_EBUSY */
            int rc = wg_wait_err(W.wg);
            CHECK(rc == 0 || rc == GO_EBUSY, "wg_wait_err returned %d", rc);
            if (rc == GO_EBUSY) atomic_store(&W.wg_broken, 1);
        }
        break;
    }
}

static void goexit_defer(void *arg) { atomic_fetch_add((atomic_int *)arg, 1); }
static atomic_int g_goexit_defers;
static void goexiter(void *arg) {
    (void)arg;
    defer_push(leave, NULL);
    defer_push(goexit_defer, &g_goexit_defers);
    go_exit();
    CHECK(0, "go_exit returned in a goroutine");
}

static void op_cond(int b, int may_block) {
    if ((b & 3) == 0 && may_block) {
        CHECK(mutex_lock(W.mu[1]) == 0, "lock for cond");
        if (!atomic_load(&W.closing)) CHECK(cond_wait(W.cond) == 0, "cond_wait");
        CHECK(mutex_unlock(W.mu[1]) == 0, "unlock after cond");
    } else if (b & 1) {
        CHECK(cond_signal(W.cond) == 0, "cond_signal");
    } else {
        CHECK(cond_broadcast(W.cond) == 0, "cond_broadcast");
    }
}

static void op_timer(int b) {
    switch (b % 4) {
    case 0: {
        int rc = go_timer_reset(W.timer, 1000 * (b >> 2));
        CHECK(rc == 0 || rc == 1, "go_timer_reset returned %d", rc);
        break;
    }
    case 1: {
        int rc = go_timer_stop(W.timer);
        CHECK(rc == 0 || rc == 1, "go_timer_stop returned %d", rc);
        break;
    }
    default: {
        uint8_t v[MAXVAL];
        int ok = -1;
        int rc = chan_try_recv(go_timer_chan(W.timer), v, &ok);
        CHECK(rc == 0 || (rc == 1 && ok == 1), "timer chan try_recv %d ok %d", rc, ok);
        break;
    }
    }
}

/* Misuse the API documents as an error return. */
static void op_bad(int b) {
    uint8_t v[MAXVAL] = {0};
    static _Alignas(64) unsigned char garbage[256];
    memset(garbage, 0x5a, sizeof garbage);
    switch (b % 12) {
    case 0:
        errno = 0;
        CHECK(chan_new(GO_CHAN_ELEM_MAX + 1u, 1) == NULL && errno == EINVAL, "chan_new big elem");
        break;
    case 1:
        errno = 0;
        CHECK(chan_new(8, (size_t)INT32_MAX + 1u) == NULL && errno == EINVAL, "chan_new big cap");
        break;
    case 2: /* the nil channel */
        CHECK(chan_try_send(NULL, v) == 0, "try_send nil");
        CHECK(chan_try_recv(NULL, v, NULL) == 0, "try_recv nil");
        CHECK(chan_len(NULL) == 0 && chan_cap(NULL) == 0, "len/cap nil");
        CHECK(chan_close_err(NULL) == GO_EINVAL, "close_err nil");
        break;
    case 3: /* a handle of another type */
        CHECK(chan_try_send((go_chan_t *)W.mu[0], v) == GO_EINVAL, "mutex as chan");
        CHECK(chan_len((go_chan_t *)W.wg) == GO_EINVAL, "wg as chan");
        CHECK(mutex_trylock((go_mutex_t *)W.ch[0]) == GO_EINVAL, "chan as mutex");
        CHECK(wg_add_err((go_wg_t *)W.rw, 1) == GO_EINVAL, "rwmutex as wg");
        break;
    case 4: /* garbage, aligned and misaligned */
        CHECK(chan_len((go_chan_t *)garbage) == GO_EINVAL, "garbage chan");
        CHECK(chan_len((go_chan_t *)(garbage + 3)) == GO_EINVAL, "misaligned chan");
        CHECK(mutex_trylock((go_mutex_t *)(garbage + 5)) == GO_EINVAL, "misaligned mutex");
        CHECK(wg_add_err((go_wg_t *)(garbage + 1), 1) == GO_EINVAL, "misaligned wg");
        break;
    case 5: { /* bad select */
        go_select_case_t cs[2] = {{NULL, GO_SELECT_DEFAULT, 0, NULL}, {NULL, GO_SELECT_DEFAULT, 0, NULL}};
        CHECK(go_select_err(cs, 2) == GO_EINVAL, "two defaults");
        cs[0].dir = 99;
        CHECK(go_select_err(cs, 1) == GO_EINVAL, "bad dir");
        CHECK(go_select_err(NULL, 1) == GO_EINVAL, "NULL cases");
        CHECK(go_select_err(cs, -1) == GO_EINVAL, "negative n");
        break;
    }
    case 6: { /* a NULL value for a sized element */
        int i = 2 + (b >> 4) % (NCHAN - 2); /* element size > 0 */
        if (W.esize[i] > 0) CHECK(chan_try_send_err(W.ch[i], NULL) == GO_EINVAL, "NULL value");
        break;
    }
    case 7: /* WaitGroup overflow */
        CHECK(wg_add_err(W.wg, (int64_t)1 << 40) == GO_EOVERFLOW, "wg overflow");
        break;
    case 8: { /* the unlock of an unlocked mutex, in the error form, on a
               * mutex of its own (Go lets any goroutine unlock a shared one) */
        go_mutex_t *m = mutex_new();
        CHECK(m != NULL, "mutex_new");
        CHECK(mutex_unlock_err(m) == GO_EPERM, "unlock_err of an unlocked mutex");
        CHECK(mutex_lock(m) == 0 && mutex_unlock_err(m) == 0, "lock, unlock_err");
        mutex_free(m);
        break;
    }
    case 9:
        CHECK(once_do(W.once, NULL, NULL) == GO_EINVAL, "once_do NULL fn");
        CHECK(go_spawn(NULL, NULL) == GO_EINVAL, "go_spawn NULL fn");
        break;
    case 10: /* freed handles: caught while the slot is in quarantine */
    {
        go_chan_t *c = chan_new(W.esize[b % NCHAN], b % 3);
        CHECK(c != NULL, "chan_new");
        chan_free(c);
        CHECK(chan_len(c) == GO_EINVAL, "len of a freed chan");
        CHECK(chan_try_send_err(c, v) == GO_EINVAL, "send on a freed chan");
        chan_free(c); /* a double free is caught and ignored */
        go_mutex_t *m = mutex_new();
        CHECK(m != NULL, "mutex_new");
        mutex_free(m);
        CHECK(mutex_trylock(m) == GO_EINVAL, "trylock of a freed mutex");
        mutex_free(m);
        go_wg_t *w = wg_new();
        CHECK(w != NULL, "wg_new");
        wg_free(w);
        CHECK(wg_add_err(w, 1) == GO_EINVAL, "add to a freed wg");
        wg_free(w);
        break;
    }
    default: {
        go_timer_t *t = go_timer_new(1000);
        CHECK(t != NULL, "go_timer_new");
        go_timer_free(t);
        CHECK(go_timer_stop(t) == GO_EINVAL, "stop of a freed timer");
        go_timer_free(t);
        break;
    }
    }
}

typedef struct worker worker_t;
static void run_part(part_t *pt, int is_worker, worker_t *self);

/* A worker goroutine: runs its part of the program. */
struct worker {
    part_t part;
    atomic_int op;    /* the op it runs now (a hang report names it), -1 done */
};
static worker_t g_workers[NWORK + 8];
static atomic_int g_nworkers;


static void worker_done(void *arg) { atomic_store(&((worker_t *)arg)->op, -1); }

static void worker_main(void *arg) {
    worker_t *w = arg;
    defer_push(leave, NULL);
    defer_push(worker_done, w);
    run_part(&w->part, 1, w);
}

static void run_part(part_t *pt, int is_worker, worker_t *self) {
    for (;;) {
        int op = take(pt);
        if (op < 0) return;
        int b = take_or(pt, 0);
        int i = b % NCHAN;
        if (g_trace) fprintf(stderr, "g%lld: op %d b 0x%02x\n", (long long)go_id(), op % 16, b);
        if (self != NULL) atomic_store(&self->op, (op % 16) << 8 | b);
        switch (op % 16) {
        case 0: op_send(i, 0); break;
        case 1: op_recv(i, 0); break;
        case 2: op_send(i, is_worker && !(b & 0x80)); break;
        case 3: op_recv(i, is_worker); break;
        case 4: op_close(i, b & 0x40); break;
        case 5: op_select(pt, is_worker); break;
        case 6: op_mutex(b); break;
        case 7: op_rw(b); break;
        case 8: op_wg(b, is_worker); break;
        case 9: {
            guarded_t g = {.fn = once_body};
            CHECK(run_guarded(&g) == 0 && g.rc == 0, "once_do");
            break;
        }
        case 10: op_cond(b, is_worker); break;
        case 11: op_timer(b); break;
        case 12:
            if (b & 1) go_yield();
            else go_sleep(1000 * (b >> 4));
            break;
        case 13: {
            guarded_t g = {.chan = b, .fn = (b & 1) ? value_panic_body : user_panic_body};
            CHECK(run_guarded(&g) == GO_RECOVERED, "a panic was not recovered");
            CHECK(!g.runtime_error, "a user panic is not a runtime error");
            if (b & 1) {
                CHECK(g.value == &g_panic_int && g.type == &kIntType, "typed value lost");
            } else {
                char want[32];
                snprintf(want, sizeof want, "user panic %d", b);
                CHECK(strcmp(g.msg, want) == 0 && g.value == NULL && g.type == NULL,
                      "recovered \"%s\", want \"%s\"", g.msg, want);
            }
            break;
        }
        case 14:
            if (b & 1) {
                spawn_counted(goexiter, NULL);
            } else if (!atomic_load(&W.closing)) {
                int k = atomic_fetch_add(&g_nworkers, 1);
                if (k < (int)(sizeof g_workers / sizeof g_workers[0])) {
                    /* a nested worker runs the next few ops of this part */
                    size_t len = (size_t)(b >> 1) % 16;
                    if (len > pt->n) len = pt->n;
                    g_workers[k].part = (part_t){pt->p, len};
                    atomic_store(&g_workers[k].op, 0);
                    pt->p += len;
                    pt->n -= len;
                    spawn_counted(worker_main, &g_workers[k]);
                }
            }
            break;
        default: op_bad(b); break;
        }
    }
}

/* ------------------------------------------------------------------ a program */

static void world_new(part_t *hdr) {
    memset(&W, 0, sizeof W);
    for (int i = 0; i < NCHAN; i++) {
        int b = take_or(hdr, i);
        W.esize[i] = kSizes[i]; /* one channel of each size */
        W.cap[i] = (size_t)(b % 5);
        W.ch[i] = chan_new(W.esize[i], W.cap[i]);
        CHECK(W.ch[i] != NULL, "chan_new(%zu, %zu)", W.esize[i], W.cap[i]);
        CHECK(chan_cap(W.ch[i]) == (int)W.cap[i], "chan_cap");
        CHECK(chan_elem_size(W.ch[i]) == (int)W.esize[i], "chan_elem_size");
    }
    W.mu[0] = mutex_new();
    W.mu[1] = mutex_new();
    W.rw = rwmutex_new();
    W.wg = wg_new();
    W.once = once_new();
    W.cond = cond_new(W.mu[1]);
    W.timer = go_timer_new(1000000000LL);
    CHECK(W.mu[0] && W.mu[1] && W.rw && W.wg && W.once && W.cond && W.timer, "new");
}

static void world_free(void) {
    for (int i = 0; i < NCHAN; i++) {
        int len = chan_len(W.ch[i]);
        CHECK(len >= 0 && len <= (int)W.cap[i], "chan_len %d of cap %zu", len, W.cap[i]);
        chan_free(W.ch[i]);
    }
    mutex_free(W.mu[0]);
    mutex_free(W.mu[1]);
    rwmutex_free(W.rw);
    wg_free(W.wg);
    once_free(W.once);
    cond_free(W.cond);
    go_timer_free(W.timer);
    CHECK(atomic_load(&W.once_runs) <= 1, "once ran %d times", atomic_load(&W.once_runs));
}

static void cleanup(void) {
    atomic_store(&W.closing, 1);
    for (int i = 0; i < NCHAN; i++) {
        int rc = chan_close_err(W.ch[i]);
        CHECK(rc == 0 || rc == GO_ECLOSED, "chan_close_err %d", rc);
    }
    int64_t start = go_nanotime();
    while (atomic_load(&W.live) > 0) {
        cond_broadcast(W.cond);
        if (atomic_load(&W.wg_broken)) {
            /* After a misuse Go's WaitGroup may keep waiters that nothing
             * releases; a counter that reaches zero again releases them. */
            wg_add_err(W.wg, 1);
            wg_done_err(W.wg);
        }
        go_sleep(200000);
        if (go_nanotime() - start >= 10000000000LL) {
            int n = atomic_load(&g_nworkers);
            if (n > (int)(sizeof g_workers / sizeof g_workers[0]))
                n = (int)(sizeof g_workers / sizeof g_workers[0]);
            for (int k = 0; k < n; k++) {
                int op = atomic_load(&g_workers[k].op);
                if (op >= 0)
                    fprintf(stderr, "fuzz_api: worker %d still in op %d (operand 0x%02x)\n", k,
                            op >> 8, op & 0xff);
            }
            CHECK(0, "hang: %d goroutines still running (wg misused: %d)", atomic_load(&W.live),
                  atomic_load(&W.wg_broken));
        }
    }
    /* wg_wait does not block: every wg_add(1) had its doner, and the
     * doners are done. The counter may sit above zero only after a
     * wg_add_err(-1) failed, which changes nothing. */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if (g_trace < 0) g_trace = getenv("FUZZ_TRACE") != NULL; /* before any goroutine */
    part_t hdr = {data, size < NCHAN + 2 ? size : NCHAN + 2};
    int nwork = take_or(&hdr, 0) % (NWORK + 1);
    int procs = take_or(&hdr, 0) % 5;
    world_new(&hdr);
    if (procs > 0) go_maxprocs(procs);
    const uint8_t *body = data + (hdr.p - data);
    size_t n = size - (size_t)(hdr.p - data);
    size_t share = n / (size_t)(nwork + 1);
    atomic_store(&g_nworkers, nwork);
    for (int k = 0; k < nwork; k++) {
        g_workers[k].part = (part_t){body + share * (size_t)(k + 1), share};
        atomic_store(&g_workers[k].op, 0);
        spawn_counted(worker_main, &g_workers[k]);
    }
    part_t mine = {body, share};
    run_part(&mine, 0, NULL);
    cleanup();
    world_free();
    return 0;
}

#ifndef GORT_FUZZ_LIBFUZZER
/* Replay: run each file named (or each file of a directory named). */
#include <dirent.h>
#include <sys/stat.h>

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    return 0;
}

int main(int argc, char **argv) {
    int files = 0, bad = 0;
    /* GORT_TEST_LIGHT=1 (valgrind): every 8th program of a directory */
    const char *light = getenv("GORT_TEST_LIGHT");
    int stride = light != NULL && light[0] != 0 && strcmp(light, "0") != 0 ? 8 : 1;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) {
            perror(argv[a]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += replay_file(argv[a]);
            files++;
            continue;
        }
        struct dirent **names;
        int k = scandir(argv[a], &names, NULL, alphasort);
        for (int j = 0; j < k; j++) {
            if (names[j]->d_name[0] != '.' && j % stride == 0) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", argv[a], names[j]->d_name);
                bad += replay_file(path);
                files++;
            }
            free(names[j]);
        }
        free(names);
    }
    printf("fuzz_api: replayed %d programs, %d go_exit defers ran\n", files,
           atomic_load(&g_goexit_defers));
    return bad != 0 || files == 0;
}
#endif
