// panic.cpp - defer, panic, recover, Goexit. The invariants are at the top
// of panic.hpp; docs/panics.md tells the story.
#include "panic.hpp"

#include <cxxabi.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <unistd.h>

#include "fatal.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort {

struct Panic {
    Panic *link;                    // older panic; or the next in a frame's release list
    void *value;
    const go_panic_type_t *type;
    char *message;                  // inline_msg, malloc'd, or null (panic(nil), typed values)
    Frame *defer_frame;             // frame of the deferred call it runs now, or null
    Frame *raised_in;               // gs->frame when raised
    std::uint32_t depth;            // raised_in's depth (0: no frame)
    bool recovered, aborted, goexit, runtime_error, heap_msg, heap_record;
    int sig, sigcode;
    std::uintptr_t sigaddr, sigpc;
    void *jb[5];                    // Goexit: where a bypassed recovery returns
    char inline_msg[64];
};

namespace {

constexpr std::size_t kInlineDeferArgs = sizeof(DeferRec::inline_args);

void panic_release(GState *gs, Panic *p) {
    if (p->type != nullptr && p->type->destroy != nullptr) p->type->destroy(p->value);
    if (p->heap_msg) std::free(p->message);
    if (!p->heap_record) return;  // a Goexit record lives on its goroutine's stack
    if (gs->spare == nullptr) gs->spare = p;
    else std::free(p);
}

void release_list(GState *gs, Panic *p) {
    while (p != nullptr) {
        Panic *next = p->link;
        panic_release(gs, p);
        p = next;
    }
}

// The functions a recovery jumps out of carry GORT_NO_TSAN: TSan would keep
// their frames on its shadow stack forever (it knows longjmp, not
// __builtin_longjmp). User frames skipped by a recovery still leave theirs:
// TSan builds stand some 30,000 recoveries per goroutine.


// The calling goroutine's (or thread's) GState: go_dstate_tls_ once set (it
// is what GO_FRAME's inline parts trust: the running goroutine's, set at
// every switch, or a thread's own after its first frame), else gstate() and
// its out-of-line lookups. For the panic path, which always runs below a
// frame, so that it seldom falls back.
inline GState *gstate_fast() {
#if defined(__x86_64__)
    go_dstate_t *ds;
    __asm__ __volatile__("movq go_dstate_tls_@gottpoff(%%rip), %0\n\t"
                         "movq %%fs:(%0), %0"
                         : "=r"(ds));
    if (__builtin_expect(ds != nullptr, 1)) return reinterpret_cast<GState *>(ds);
#endif
    return gstate();
}

[[noreturn]] void stale_frame();
[[noreturn]] __attribute__((cold, noinline)) void forced_unwind_in_frame();

// Make room for n more records in the array; false when there is no memory.
bool reserve_defers(GState *gs, std::uint32_t n) {
    if (gs->cap - gs->ndefers >= n) return true;
    std::uint32_t cap = gs->cap != 0 ? gs->cap : 8;
    while (cap - gs->ndefers < n) cap *= 2;
    auto *nd = static_cast<DeferRec *>(std::realloc(gs->defers, cap * sizeof(DeferRec)));
    if (nd == nullptr) return false;
    gs->defers = nd;
    gs->cap = cap;
    return true;
}

// Give every frame of gs its depth (the macros do not), and move the slot
// records of every frame into the array, in the order
// they were deferred (panic.hpp, invariant 1): each frame's slots, then its
// array records, frames from the outermost in. Done in place from the top
// down. Each frame's defer_base becomes the start of its records, and a
// GO_FRAME that has records is closed (its next calls go above them).
// False when there is no memory (nothing moved then).
bool spill_slots(GState *gs) {
    std::uint32_t s = 0, depth = 0;
    bool slotted = false;
    for (Frame *f = gs->frame; f != nullptr; f = f->parent) {
        depth++;
        if ((f->flags & kFrameSlots) != 0) {
            slotted = true;
            s += slots_of(f)->n & ~GO_DFRAME_CLOSED;
        }
    }
    if (!slotted) return true;  // frame_enter gave each its depth; nothing to move
    if (s > 0 && !reserve_defers(gs, s)) return false;
    std::uint32_t r = gs->ndefers, w = r + s;
    for (Frame *f = gs->frame; f != nullptr; f = f->parent) {
        f->depth = depth--;
        std::uint32_t end = w;
        while (r > 0 && gs->defers[r - 1].owner == f) {
            --r;
            if (--w != r) gs->defers[w] = gs->defers[r];  // equal: nothing moved yet
        }
        if ((f->flags & kFrameSlots) != 0) {
            go_dframe_t *d = slots_of(f);
            for (std::uint32_t i = d->n & ~GO_DFRAME_CLOSED; i > 0; i--) {
                DeferRec &rec = gs->defers[--w];
                rec.fn = d->slot[i - 1].fn;
                rec.arg = d->slot[i - 1].arg;
                rec.owner = f;
                rec.heap_args = nullptr;
                rec.inline_size = 0;
            }
            d->n = w != end ? GO_DFRAME_CLOSED : 0;
        }
        f->defer_base = w;
    }
    if (r != 0 || w != 0) fatal_error("runtime: a deferred call's frame is not on the frame chain");
    gs->ndefers += s;
    return true;
}

// A frame's stack pointer once its owner's __builtin_setjmp ran (GCC and
// Clang keep it in jb[2] on x86-64); frame_enter stores a lower bound until
// then. Read only from a live frame.
inline std::uintptr_t frame_sp(const Frame *f) { return reinterpret_cast<std::uintptr_t>(f->jb[2]); }

// The innermost frame is stale when it lies below `here`, the caller's own
// frame (a frame lives in its owner's stack frame; only its address is
// read, a stale frame's memory being dead stack): the function that owned
// it has returned, or was left by a longjmp, without ending it. All of a
// GState's frames live on one stack (the goroutine's, or the thread's),
// each in a function that called its children's. A call deeper than the
// stale frame's owner cannot tell.
inline bool frame_is_stale(const GState *gs, const void *here) {
    return gs->frame != nullptr &&
           reinterpret_cast<std::uintptr_t>(gs->frame) < reinterpret_cast<std::uintptr_t>(here);
}

// Make f (live, or null) the innermost frame.
inline void set_frame(GState *gs, Frame *f) { gs->frame = f; }

// A frame's panics to release, recovered into it.
inline Panic *recovered_of(const Frame *f) {
    return (f->flags & kFrameLanded) != 0 ? f->recovered : nullptr;
}

// A GO_FRAME's slots in use, and whether it is closed (panic.hpp).
inline std::uint32_t slot_count(const go_dframe_t *d) { return d->n & ~GO_DFRAME_CLOSED; }
inline bool slots_closed(const go_dframe_t *d) { return (d->n & GO_DFRAME_CLOSED) != 0; }

// UBSan checks the reference a catch binds; glibc's forced unwind (thread
// cancellation, pthread_exit) is a foreign exception whose adjusted pointer
// is null, so that check fails on it: the handler of invoke and the
// functions it inlines into do without it.
#define GORT_NO_UBSAN_NULL __attribute__((no_sanitize("null")))

// Run fn(arg) as frame f's body, turning a C++ exception that escapes it
// into a panic. The panic starts after the catch block is left (Boost 1.74
// keeps no exception state per fiber, so nothing may park inside one).
// Inlined: the try block costs nothing when nothing is thrown, the call did
// (16.1 -> 14.6 ns).
//
// A forced unwind (pthread_exit, pthread_cancel) can go on neither way:
// swallowing it aborts, and every gort entry point is noexcept (go_call
// included: C callers have no unwind tables), so letting it pass terminates
// the process anyway; in a goroutine there is not even a caller to unwind
// into (on an M it would end the M's thread, holding its P). It is a fatal
// error, with a message that says what happened.
GORT_NO_TSAN GORT_NO_UBSAN_NULL inline void invoke(go_fn_t fn, void *arg) {
    char what[256];
    bool threw = false;
    try {
        fn(arg);
    } catch (abi::__forced_unwind &) {
        forced_unwind_in_frame();
    } catch (const std::exception &e) {
        std::snprintf(what, sizeof what, "%s", e.what());
        threw = true;
    } catch (...) {
        std::snprintf(what, sizeof what, "unknown C++ exception");
        threw = true;
    }
    if (threw) panic_start(what, nullptr, nullptr);
}

// Pop the top deferred call and run it in a frame of its own. `by` is the
// panic or Goexit running it, or null at a normal frame end. Returns the
// frame that pushed it. The record is read field by field (not copied
// whole: its fields were just written by narrower stores, and a wide copy
// stalls on store forwarding) and before the call, which may push more
// records and move the array.
GORT_NO_UBSAN_NULL Frame *call_deferred(GState *gs, Panic *by) {
    const DeferRec &d = gs->defers[--gs->ndefers];
    go_defer_fn_t fn = d.fn;
    void *arg = d.arg;
    Frame *owner = d.owner;
    void *volatile heap_args = d.heap_args;
    alignas(16) unsigned char buf[kInlineDeferArgs];
    if (d.inline_size > 0) {
        std::memcpy(buf, d.inline_args, d.inline_size);
        arg = buf;
    }
    Frame df;
    frame_enter(gs, &df);
    df.started_by = by;
    if (by != nullptr) by->defer_frame = &df;
    if (__builtin_setjmp(df.jb) == 0) invoke(fn, arg);
    // Here normally, or after a recovery into this frame (a deferred call of
    // this deferred call recovered a panic it raised).
    Frame *volatile f = &df;
    if (f->started_by != nullptr) f->started_by->defer_frame = nullptr;
    frame_leave(f);
    if (heap_args != nullptr) std::free(heap_args);
    return owner;
}

[[noreturn]] void print_and_die(GState *gs);
void preprint(GState *gs);

// Before a recovery's jump to `target`: the target's pending deferred calls
// whose argument lies in the stack memory the jump discards, [here,
// target's stack pointer) — a C++ scope guard (gort.hpp's gort::defer) in
// a function below the target, or a C call given the address of such a
// function's local — run now, while that memory is alive. Order is kept:
// every pending record from the newest down to the oldest such one runs
// here, the older ones after the landing.
void run_discarded_args(GState *gs, Frame *target, std::uintptr_t here) {
    std::uintptr_t top = frame_sp(target);
    std::uint32_t low = gs->ndefers;
    for (std::uint32_t i = target->defer_base; i < gs->ndefers; i++) {
        auto a = reinterpret_cast<std::uintptr_t>(gs->defers[i].arg);
        if (gs->defers[i].inline_size == 0 && a >= here && a < top) {
            low = i;
            break;
        }
    }
    while (gs->ndefers > low) call_deferred(gs, nullptr);
}

// A deferred call run by p recovered it: jump to the frame that deferred it.
[[noreturn]] GORT_NO_TSAN void recovery(GState *gs, Frame *target) {
    Panic *discarded = nullptr;
    Panic *q = gs->panic;
    while (q != nullptr && q->depth >= target->depth) {
        Panic *next = q->link;
        if (q->goexit) {
            // A recovery must not bypass a Goexit that is running deferred
            // calls further up: return to its loop instead (Go does the same).
            gs->panic = q;
            q->aborted = false;
            release_list(gs, discarded);
            set_frame(gs, q->raised_in);
            __builtin_longjmp(q->jb, 1);
        }
        q->link = discarded;
        discarded = q;
        q = next;
    }
    gs->panic = q;
    if (q != nullptr) q->aborted = false;
    // Released when the target frame ends (the recovered value lives until then).
    if ((target->flags & kFrameLanded) == 0) target->recovered = nullptr;
    // A GO_FRAME ends through dframe_leave now, which releases them: its
    // inline end sees it closed (spill_slots set its defer_base).
    if ((target->flags & kFrameSlots) != 0) slots_of(target)->n |= GO_DFRAME_CLOSED;
    while (discarded != nullptr) {
        Panic *next = discarded->link;
        discarded->link = target->recovered;
        target->recovered = discarded;
        discarded = next;
    }
    set_frame(gs, target);
    run_discarded_args(gs, target, reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)));
    target->flags |= kFrameLanded;
    __builtin_longjmp(target->jb, 1);
}

[[noreturn]] GORT_NO_TSAN void panic_loop(GState *gs, Panic *p) {
    for (;;) {
        if (gs->ndefers == 0) {
            preprint(gs);
            print_and_die(gs);
        }
        Frame *owner = call_deferred(gs, p);
        if (p->recovered) recovery(gs, owner);
    }
}

Panic *panic_alloc(GState *gs) {
    Panic *p = gs->spare;
    if (p != nullptr) {
        gs->spare = nullptr;
    } else {
        p = static_cast<Panic *>(std::malloc(sizeof(Panic)));
        if (p == nullptr) fatal_error("runtime: out of memory for a panic");
    }
    // Field by field (jb is Goexit's, set before use): a memset here was
    // a tenth of panic_recover's cost (a string store, then a narrow store
    // into what it wrote).
    p->link = nullptr;
    p->value = nullptr;
    p->type = nullptr;
    p->message = nullptr;
    p->defer_frame = nullptr;
    p->raised_in = nullptr;
    p->depth = 0;
    p->recovered = p->aborted = p->goexit = p->runtime_error = p->heap_msg = false;
    p->heap_record = true;
    p->sig = p->sigcode = 0;
    p->sigaddr = p->sigpc = 0;
    return p;
}

void set_message(Panic *p, const char *msg) {
    std::size_t n = std::strlen(msg);
    if (n < sizeof p->inline_msg) {
        std::memcpy(p->inline_msg, msg, n + 1);
        p->message = p->inline_msg;
        return;
    }
    p->message = static_cast<char *>(std::malloc(n + 1));
    if (p->message == nullptr) fatal_error("runtime: out of memory for a panic message");
    std::memcpy(p->message, msg, n + 1);
    p->heap_msg = true;
}

// The fast path of a panic (raise): the first panic of gs, raised in an
// open GO_FRAME f (slots in use, none of its calls in the array). Its
// newest records are f's slots, so they run straight from the slots, as
// call_deferred runs an array record, with nothing moved: most panics are
// recovered by such a call (Go's shape: a deferred recover in the function
// that panics). p is linked, and f has its true depth (recovery compares
// depths) and its defer_base (a recovery closes f: its end then looks
// there); no other frame's depth is needed before the general path, whose
// spill_slots gives every frame its own. Returns, with p unrecovered, when
// f has no open slot left (run out, or closed by a call that deferred to f
// from inside a slot's call): the general path goes on from there.
GORT_NO_TSAN void run_open_slots(GState *gs, Panic *p, Frame *f) {
    go_dframe_t *d = slots_of(f);
    std::uint32_t depth = 0;
    for (Frame *q = f; q != nullptr; q = q->parent) depth++;
    f->depth = depth;
    f->defer_base = gs->ndefers;
    p->link = nullptr;
    gs->panic = p;
    p->raised_in = f;
    p->depth = depth;
    while (d->n - 1 < GO_FRAME_SLOTS) {  // 1..8 slots, not closed
        std::uint32_t i = --d->n;
        go_defer_fn_t fn = d->slot[i].fn;
        void *arg = d->slot[i].arg;
        Frame df;
        frame_enter(gs, &df);
        df.started_by = p;
        p->defer_frame = &df;
        if (__builtin_setjmp(df.jb) == 0) invoke(fn, arg);
        // Here normally, or after a recovery into this frame (as in
        // call_deferred).
        Frame *volatile fv = &df;
        if (fv->started_by != nullptr) fv->started_by->defer_frame = nullptr;
        frame_leave(fv);
        if (p->recovered) {
            // recovery(gs, f), for what it finds here when f is still open:
            // p the only panic, f innermost with no record in the array.
            if (gs->panic == p && p->link == nullptr && !slots_closed(d) &&
                gs->ndefers == f->defer_base && gs->frame == f) {
                gs->panic = nullptr;
                f->recovered = p;  // released at f's end (the value lives until then)
                d->n |= GO_DFRAME_CLOSED;  // which goes through dframe_leave
                f->flags |= kFrameLanded;
                __builtin_longjmp(f->jb, 1);
            }
            recovery(gs, f);
        }
    }
}

[[noreturn]] GORT_NO_TSAN void raise(GState *gs, Panic *p) {
    if (frame_is_stale(gs, __builtin_frame_address(0))) stale_frame();
    Frame *f = gs->frame;
    if (gs->panic == nullptr && f != nullptr && (f->flags & kFrameSlots) != 0 &&
        slots_of(f)->n - 1 < GO_FRAME_SLOTS) {
        run_open_slots(gs, p, f);
        if (!spill_slots(gs)) fatal_error("runtime: out of memory for a panic");
        panic_loop(gs, p);
    }
    if (!spill_slots(gs)) fatal_error("runtime: out of memory for a panic");
    p->link = gs->panic;
    if (gs->panic != nullptr) gs->panic->aborted = true;  // its deferred call panicked
    gs->panic = p;
    p->raised_in = gs->frame;
    p->depth = gs->frame != nullptr ? gs->frame->depth : 0;
    panic_loop(gs, p);
}

// ---------------------------------------------------------------- printing

// A typed value's text without its format callback: Go's "(type) 0xADDR".
// Runs no user code.
// Written by hand: recover runs this on every recovered typed panic, and
// snprintf doubled the cost of panic_recover (bench/run.sh: 75 -> 166 ns).
// Same text as snprintf's "(%s) %p", truncated the same way.
void set_address_message(Panic *p) {
    const char *name = p->type != nullptr && p->type->name != nullptr ? p->type->name : "unknown";
    constexpr std::size_t cap = sizeof p->inline_msg - 1;
    char *m = p->inline_msg;
    m[0] = '(';
    std::size_t n = 1 + strnlen(name, cap - 1);
    std::memcpy(m + 1, name, n - 1);
    // ") 0x" and at most 16 digits, or ") (nil)": written in place when it
    // fits (always, for a name under 40 bytes), else in `tail` and cut.
    char tail[4 + 2 * sizeof(void *)];
    char *t = n + sizeof tail <= cap ? m + n : tail;
    std::size_t tn;
    if (p->value != nullptr) {
        // Two digits a step, from a table: a byte's two hex digits.
        static constexpr char kHex[] = "0123456789abcdef";
        static constexpr auto kPairs = [] {
            struct { char c[512]; } pairs{};
            for (int i = 0; i < 256; i++) {
                pairs.c[2 * i] = kHex[i >> 4];
                pairs.c[2 * i + 1] = kHex[i & 15];
            }
            return pairs;
        }();
        auto v = reinterpret_cast<std::uintptr_t>(p->value);
        std::size_t digits = (64 - static_cast<std::size_t>(__builtin_clzll(v)) + 3) / 4;
        std::memcpy(t, ") 0x", 4);
        char *d = t + 4 + digits;
        for (; v > 0xf; v >>= 8) {
            d -= 2;
            std::memcpy(d, &kPairs.c[2 * (v & 0xff)], 2);
        }
        if (d != t + 4) t[4] = kHex[v];  // an odd digit count: the leading one
        tn = 4 + digits;
    } else {
        std::memcpy(t, ") (nil)", 7);
        tn = 7;
    }
    if (t == tail) {
        if (tn > cap - n) tn = cap - n;
        std::memcpy(m + n, tail, tn);
    }
    m[n + tn] = 0;
    p->message = m;
}

// Go's preprintpanics: before anything is printed, every typed value in the
// chain is turned into its text by its format callback — user code, which
// may panic. A panic there is Go's "fatal error: panic while printing panic
// value: ..." (the value when it is a string, else its type): the callbacks
// run in a frame of their own whose deferred guard sees that panic.
struct PreprintGuard {
    GState *gs;
    Panic *top;
};

[[noreturn]] void die_printing(const Panic *q) {
    begin_dying();
    std::fflush(stdout);
    write_str("fatal error: panic while printing panic value: ");
    if (q->goexit) {
        write_str("runtime.Goexit");
    } else if (q->type != nullptr) {
        write_str("type ");
        write_str(q->type->name != nullptr ? q->type->name : "unknown");
    } else if (q->runtime_error) {
        // Go's values: runtime.Error implementations, never strings.
        write_str(q->sig != 0 || std::strncmp(q->message, "runtime error: ", 15) == 0
                      ? "type runtime.errorString"
                      : "type runtime.plainError");
    } else if (q->message != nullptr) {
        write_str(q->message);
    } else {
        write_str("nil");
    }
    write_str("\n");
    traceback_fatal(FatalKind::kThrow, nullptr);
    _exit(2);
}

void preprint_guard(void *arg) {
    auto *pg = static_cast<PreprintGuard *>(arg);
    Panic *q = pg->gs->panic;
    if (q != pg->top) die_printing(q);  // a format callback panicked
}

void preprint(GState *gs) {
    bool any = false;
    for (const Panic *p = gs->panic; p != nullptr; p = p->link)
        any |= p->type != nullptr && p->type->format != nullptr;
    if (!any) return;
    PreprintGuard pg{gs, gs->panic};
    Frame f;
    frame_enter(gs, &f);
    if (defer_push_impl(preprint_guard, &pg, 0, false) != 0)
        fatal_error("runtime: out of memory for a panic");
    for (Panic *p = gs->panic; p != nullptr; p = p->link) {
        if (p->type == nullptr || p->type->format == nullptr) continue;
        char buf[1024];
        int n = p->type->format(p->value, buf, sizeof buf);
        if (n < 0) n = 0, buf[0] = 0;
        char *m = nullptr;
        if (static_cast<std::size_t>(n) >= sizeof buf &&
            (m = static_cast<char *>(std::malloc(static_cast<std::size_t>(n) + 1))) != nullptr)
            p->type->format(p->value, m, static_cast<std::size_t>(n) + 1);
        else if ((m = static_cast<char *>(std::malloc(std::strlen(buf) + 1))) != nullptr)
            std::memcpy(m, buf, std::strlen(buf) + 1);
        if (m == nullptr) continue;  // printed as its address
        if (p->heap_msg) std::free(p->message);
        p->message = m;
        p->heap_msg = true;
    }
    frame_leave(&f);
}

void write_value(Panic *p) {
    if (p->message == nullptr && (p->type != nullptr || p->value != nullptr))
        set_address_message(p);  // no format callback (preprint gave the others their text)
    write_str(p->message != nullptr ? p->message : "nil");
}

// Go's printpanics: oldest first; a tab before each one after the first
// (unless the previous was a Goexit); Goexits print nothing.
void print_panics(Panic *p) {
    if (p->link != nullptr) {
        print_panics(p->link);
        if (!p->link->goexit) write_str("\t");
    }
    if (p->goexit) return;
    write_str("panic: ");
    write_value(p);
    if (p->recovered) write_str(" [recovered]");
    write_str("\n");
}

const char *signame(int sig) {
    switch (sig) {
    case SIGSEGV: return "SIGSEGV: segmentation violation";
    case SIGBUS: return "SIGBUS: bus error";
    case SIGFPE: return "SIGFPE: floating-point exception";
    default: return "signal";
    }
}

void write_signal_line(const Panic *p) {
    write_str("[signal ");
    write_str(signame(p->sig));
    write_str(" code=");
    write_hex(static_cast<unsigned>(p->sigcode));
    write_str(" addr=");
    write_hex(p->sigaddr);
    write_str(" pc=");
    write_hex(p->sigpc);
    write_str("]\n");
}

[[noreturn]] void print_and_die(GState *gs) {
    begin_dying();
    std::fflush(stdout);
    print_panics(gs->panic);
    const Panic *sigp = nullptr;
    for (const Panic *q = gs->panic; q != nullptr; q = q->link)
        if (q->sig != 0) sigp = q;  // the oldest one
    // Go prints the signal line for memory faults; its division checks are
    // explicit, so a divide by zero shows none.
    if (sigp != nullptr && sigp->sig != SIGFPE) write_signal_line(sigp);
    traceback_fatal(FatalKind::kPanic, nullptr);
    _exit(2);
}

}  // namespace

// ---------------------------------------------------------------- frames

namespace {

// An escape the runtime did not see: longjmp (or a C++ exception caught
// outside, or a coroutine switch) left a frame's function without ending
// the frame. Its deferred calls can never run in order and a recovery into
// it would jump into a dead stack frame: fatal, as Go's runtime throws on a
// corrupt defer chain.
[[noreturn]] __attribute__((cold, noinline)) void stale_frame() {
    fatal_error("gort: a go_call, GO_FRAME or deferred call was left without ending its frame "
                "(longjmp out of it?)");
}

[[noreturn]] void forced_unwind_in_frame() {
    fatal_error(current_g() != nullptr || pinned_id() != 0
                    ? "gort: pthread_exit or thread cancellation in a goroutine"
                    : "gort: pthread_exit or thread cancellation inside go_call");
}

}  // namespace


void frame_enter(GState *gs, Frame *f) {
    // A frame entered twice is stale (its memory was reused), whatever the
    // stack pointers say.
    if (__builtin_expect(f == gs->frame || frame_is_stale(gs, __builtin_frame_address(0)), 0))
        stale_frame();
    // Until the owner's __builtin_setjmp stores its stack pointer here: a
    // bound below it (this call's frame lies below the owner's).
    f->jb[2] = __builtin_frame_address(0);
    f->parent = gs->frame;
    f->gs = gs;
    f->started_by = nullptr;
    f->recovered = nullptr;
    f->defer_base = gs->ndefers;
    f->depth = gs->frame != nullptr ? gs->frame->depth + 1 : 1;
    f->flags = 0;
    gs->frame = f;
}

void frame_leave(Frame *f) {
    GState *gs = f->gs;
    if (gs->frame != f) fatal_error("gort: frame left out of order (a jump out of a GO_FRAME block?)");
    while (gs->ndefers > f->defer_base) call_deferred(gs, nullptr);
    set_frame(gs, f->parent);
    if (f->recovered != nullptr) {
        release_list(gs, f->recovered);
        f->recovered = nullptr;
    }
}

GORT_NO_UBSAN_NULL int call_frame(GState *gs, go_fn_t fn, void *arg) {
    Frame f;
    frame_enter(gs, &f);
    if (__builtin_setjmp(f.jb) == 0) invoke(fn, arg);
    Frame *volatile fp = &f;
    int rc = (fp->flags & kFrameLanded) != 0 ? GO_RECOVERED : 0;
    frame_leave(fp);
    return rc;
}

namespace {

// Append a record to the array for the innermost frame f (a GO_FRAME
// closes: the record is newer than its slots).
int push_record(GState *gs, Frame *f, go_defer_fn_t fn, const void *arg, std::size_t copy_size,
                bool copy) {
    if (!reserve_defers(gs, 1)) return GO_ENOMEM;
    DeferRec &d = gs->defers[gs->ndefers];
    d.fn = fn;
    d.owner = f;
    d.heap_args = nullptr;
    d.inline_size = 0;
    d.arg = const_cast<void *>(arg);
    if (copy) {
        if (copy_size == 0) {
            d.arg = nullptr;
        } else if (copy_size <= kInlineDeferArgs) {
            std::memcpy(d.inline_args, arg, copy_size);
            d.inline_size = static_cast<std::uint32_t>(copy_size);
        } else {
            d.heap_args = std::malloc(copy_size);
            if (d.heap_args == nullptr) return GO_ENOMEM;
            std::memcpy(d.heap_args, arg, copy_size);
            d.arg = d.heap_args;
        }
    }
    if ((f->flags & kFrameSlots) != 0 && !slots_closed(slots_of(f))) {
        f->defer_base = gs->ndefers;  // its first array record
        slots_of(f)->n |= GO_DFRAME_CLOSED;
    }
    gs->ndefers++;
    return 0;
}

// Run f's newest slot record now, as at the frame's end (defer_run): it
// goes to the top of the array, where call_deferred takes it, in a frame
// of its own.
void run_slot(GState *gs, Frame *f, std::uint32_t i) {
    go_dframe_t *d = slots_of(f);
    go_defer_slot_t rec = d->slot[i];
    std::memmove(&d->slot[i], &d->slot[i + 1], (slot_count(d) - i - 1) * sizeof(go_defer_slot_t));
    d->n--;  // the count, below the closed bit
    if (!reserve_defers(gs, 1)) fatal_error("runtime: out of memory for a deferred call");
    DeferRec &r = gs->defers[gs->ndefers++];
    r.fn = rec.fn;
    r.arg = rec.arg;
    r.owner = f;
    r.heap_args = nullptr;
    r.inline_size = 0;
    call_deferred(gs, nullptr);
}

}  // namespace

int defer_push_impl(go_defer_fn_t fn, const void *arg, std::size_t copy_size, bool copy) {
    GState *gs = gstate();
    Frame *f = gs->frame;
    if (f == nullptr) return GO_EPERM;
    if (__builtin_expect(frame_is_stale(gs, __builtin_frame_address(0)), 0)) stale_frame();
    // Into a GO_FRAME too (closing its slots): the frame then ends through
    // dframe_leave, which turns a C++ exception that escapes the call into
    // a panic, as defer_push promises.
    return push_record(gs, f, fn, arg, copy_size, copy);
}

int defer_run_impl(go_defer_fn_t fn, void *arg) {
    GState *gs = gstate();
    Frame *f = gs->frame;
    if (f == nullptr) return 0;
    if (__builtin_expect(frame_is_stale(gs, __builtin_frame_address(0)), 0)) stale_frame();
    // An open GO_FRAME has no array records (and no defer_base yet).
    bool array = (f->flags & kFrameSlots) == 0 || slots_closed(slots_of(f));
    for (std::uint32_t i = gs->ndefers; array && i > f->defer_base; --i) {
        DeferRec &d = gs->defers[i - 1];
        if (d.fn != fn || d.arg != arg || d.inline_size != 0 || d.heap_args != nullptr) continue;
        if (i != gs->ndefers) {
            // Calls deferred after it stay pending, in their order: move it
            // to the top, where call_deferred takes it.
            DeferRec r = d;
            std::memmove(static_cast<void *>(&gs->defers[i - 1]), &gs->defers[i],
                         (gs->ndefers - i) * sizeof(DeferRec));
            gs->defers[gs->ndefers - 1] = r;
        }
        call_deferred(gs, nullptr);
        return 1;
    }
    if ((f->flags & kFrameSlots) != 0) {
        go_dframe_t *d = slots_of(f);
        for (std::uint32_t i = slot_count(d); i > 0; --i) {
            if (d->slot[i - 1].fn != fn || d->slot[i - 1].arg != arg) continue;
            run_slot(gs, f, i - 1);
            return 1;
        }
    }
    return 0;
}

void dframe_enter(GState *gs, go_dframe_t *d) {
    frame_enter(gs, reinterpret_cast<Frame *>(d));
    reinterpret_cast<Frame *>(d)->flags = kFrameSlots;
    d->n = 0;
}

// The end of a GO_FRAME: its array records (the newer ones), then its
// slots, newest first (the inline end in gort/defer.h does the same for an
// open frame). A slot's call runs in this frame, with no frame of its own:
// at a frame's normal end nothing can tell (recover finds no panic either
// way, and what it defers is this frame's newest record, run next). A call
// deferred meanwhile to the array runs before the next slot.
GORT_NO_UBSAN_NULL void dframe_leave(go_dframe_t *d) {
    Frame *f = reinterpret_cast<Frame *>(d);
    GState *gs = f->gs;
    if (gs->frame != f) fatal_error("gort: frame left out of order (a jump out of a GO_FRAME block?)");
    for (;;) {
        if (slots_closed(d) && gs->ndefers > f->defer_base) {
            call_deferred(gs, nullptr);
        } else if (slot_count(d) > 0) {
            d->n--;
            std::uint32_t i = slot_count(d);
            invoke(d->slot[i].fn, d->slot[i].arg);
        } else {
            break;
        }
    }
    set_frame(gs, f->parent);
    if (Panic *r = recovered_of(f)) {
        release_list(gs, r);
        f->recovered = nullptr;
    }
}

// GO_DEFER when the slots are closed or full, or fn is NULL.
int dframe_defer(go_dframe_t *d, go_defer_fn_t fn, void *arg) {
    if (fn == nullptr) return GO_EINVAL;
    Frame *f = reinterpret_cast<Frame *>(d);
    GState *gs = f->gs;
    if (__builtin_expect(frame_is_stale(gs, __builtin_frame_address(0)), 0)) stale_frame();
    if (gs->frame == f) return push_record(gs, f, fn, arg, 0, false);
    // An outer frame (its slots are full): its record goes below its inner
    // frames' records, as if deferred at their start.
    if (!spill_slots(gs) || !reserve_defers(gs, 1)) return GO_ENOMEM;
    Frame *child = gs->frame;
    while (child != nullptr && child->parent != f) child = child->parent;
    if (child == nullptr) fatal_error("gort: GO_DEFER names a frame that is not open");
    std::uint32_t at = child->defer_base;
    std::memmove(static_cast<void *>(&gs->defers[at + 1]), &gs->defers[at],
                 (gs->ndefers - at) * sizeof(DeferRec));
    DeferRec &r = gs->defers[at];
    r.fn = fn;
    r.arg = arg;
    r.owner = f;
    r.heap_args = nullptr;
    r.inline_size = 0;
    gs->ndefers++;
    for (Frame *g = gs->frame; g != f; g = g->parent) g->defer_base++;
    d->n |= GO_DFRAME_CLOSED;  // its defer_base: set by spill_slots
    return 0;
}

void gstate_reset(GState *gs) {
    gs->frame = nullptr;
    gs->panic = nullptr;
    gs->ndefers = 0;
}

// ---------------------------------------------------------------- panics

GORT_NO_TSAN void panic_start(const char *msg, void *value, const go_panic_type_t *type) {
    GState *gs = gstate_fast();
    Panic *p = panic_alloc(gs);
    p->value = value;
    p->type = type;
    if (msg != nullptr) set_message(p, msg);
    raise(gs, p);
}

GORT_NO_TSAN void panic_plain_runtime_error(const char *msg) {
    GState *gs = gstate();
    Panic *p = panic_alloc(gs);
    p->runtime_error = true;
    set_message(p, msg);
    raise(gs, p);
}

GORT_NO_TSAN void sigpanic() {
    FaultInfo f = take_fault();
    GState *gs = gstate();
    Panic *p = panic_alloc(gs);
    p->runtime_error = true;
    p->sig = f.sig;
    p->sigcode = f.code;
    p->sigaddr = f.addr;
    p->sigpc = f.pc;
    if ((p->sig == SIGSEGV || p->sig == SIGBUS) && p->sigaddr >= 0x1000) {
        // Go panics only for faults near address 0 (a nil pointer plus an
        // offset); any other fault is its fatal "unexpected fault address".
        begin_dying();
        std::fflush(stdout);
        write_str("unexpected fault address ");
        write_hex(p->sigaddr);
        write_str("\nfatal error: fault\n");
        write_signal_line(p);
        traceback_fatal(FatalKind::kThrow, nullptr);
        _exit(2);
    }
    if (p->sig == SIGFPE && (p->sigcode == FPE_INTDIV || p->sigcode == FPE_INTOVF))
        set_message(p, p->sigcode == FPE_INTDIV ? "runtime error: integer divide by zero"
                                                 : "runtime error: integer overflow");
    else if (p->sig == SIGFPE)
        set_message(p, "runtime error: floating-point exception");
    else
        set_message(p, "runtime error: invalid memory address or nil pointer dereference");
    raise(gs, p);
}

int recover_impl(go_recovered_t *out) {
    GState *gs = gstate_fast();
    Panic *p = gs->panic;
    if (p == nullptr || p->goexit || p->recovered || p->defer_frame == nullptr ||
        gs->frame != p->defer_frame)
        return 0;
    p->recovered = true;
    // Go's recover runs no user code: a typed value's text is its address
    // here (its format callback runs only when an unrecovered chain prints).
    if (p->message == nullptr && p->type != nullptr) set_address_message(p);
    if (out != nullptr) {
        out->value = p->value;
        out->type = p->type;
        out->message = p->message;
        out->is_runtime_error = p->runtime_error ? 1 : 0;
    }
    return 1;
}

void goexit_with_defers() {
    G *g = current_g();
    GState *gs = &g->ds;
    Panic gp;
    std::memset(&gp, 0, sizeof gp);
    gp.goexit = true;
    gp.link = gs->panic;
    if (gs->panic != nullptr) gs->panic->aborted = true;
    gs->panic = &gp;
    if (!spill_slots(gs)) fatal_error("runtime: out of memory for Goexit");
    gp.raised_in = gs->frame;
    gp.depth = gs->frame != nullptr ? gs->frame->depth : 0;
    // A recovery that would bypass this Goexit comes back here (panic.hpp, 4).
    __builtin_setjmp(gp.jb);
    Panic *volatile p = &gp;
    GState *volatile vgs = gs;
    while (vgs->ndefers > 0) call_deferred(vgs, p);
    // Panics aborted by this Goexit are over: they are never printed. The
    // frames still open on this stack never end normally: release what
    // they hold for recovered panics.
    GState *s = vgs;
    Panic *q = p->link;
    s->panic = nullptr;
    release_list(s, q);
    for (Frame *f = s->frame; f != nullptr; f = f->parent) {
        release_list(s, recovered_of(f));
        f->recovered = nullptr;
    }
    goroutine_exit(true);
}

}  // namespace gort
