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

// Run fn(arg), turning a C++ exception that escapes it into a panic. The
// panic starts after the catch block is left (Boost 1.74 keeps no exception
// state per fiber, so nothing may park inside one). Inlined: the try block
// costs nothing when nothing is thrown, the call did (16.1 -> 14.6 ns).
GORT_NO_TSAN inline void invoke(go_fn_t fn, void *arg) {
    char what[256];
    bool threw = false;
    try {
        fn(arg);
    } catch (abi::__forced_unwind &) {
        throw;  // thread cancellation: must go on (swallowing it aborts)
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
Frame *call_deferred(GState *gs, Panic *by) {
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
            gs->frame = q->raised_in;
            __builtin_longjmp(q->jb, 1);
        }
        q->link = discarded;
        discarded = q;
        q = next;
    }
    gs->panic = q;
    if (q != nullptr) q->aborted = false;
    // Released when the target frame ends (the recovered value lives until then).
    while (discarded != nullptr) {
        Panic *next = discarded->link;
        discarded->link = target->recovered;
        target->recovered = discarded;
        discarded = next;
    }
    gs->frame = target;
    target->flags |= kFrameLanded;
    __builtin_longjmp(target->jb, 1);
}

[[noreturn]] GORT_NO_TSAN void panic_loop(GState *gs, Panic *p) {
    for (;;) {
        if (gs->ndefers == 0) print_and_die(gs);
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
    std::memset(p, 0, offsetof(Panic, inline_msg));
    p->heap_record = true;
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

[[noreturn]] GORT_NO_TSAN void raise(GState *gs, Panic *p) {
    p->link = gs->panic;
    if (gs->panic != nullptr) gs->panic->aborted = true;  // its deferred call panicked
    gs->panic = p;
    p->raised_in = gs->frame;
    p->depth = gs->frame != nullptr ? gs->frame->depth : 0;
    panic_loop(gs, p);
}

// ---------------------------------------------------------------- printing

// A typed value's text: its format callback's, or Go's "(type) 0xADDR".
int format_value(const Panic *p, char *buf, std::size_t len) {
    if (p->type != nullptr && p->type->format != nullptr) {
        int n = p->type->format(p->value, buf, len);
        if (n < 0 && len > 0) buf[0] = 0;
        return n < 0 ? 0 : n;
    }
    return std::snprintf(buf, len, "(%s) %p",
                         p->type != nullptr && p->type->name != nullptr ? p->type->name : "unknown",
                         p->value);
}

// Give a typed value its message (at recover: go_recovered_t.message).
void set_typed_message(Panic *p) {
    int n = format_value(p, p->inline_msg, sizeof p->inline_msg);
    if (static_cast<std::size_t>(n) < sizeof p->inline_msg) {
        p->message = p->inline_msg;
        return;
    }
    char *m = static_cast<char *>(std::malloc(static_cast<std::size_t>(n) + 1));
    if (m == nullptr) {  // keep the truncated text rather than fail a recover
        p->message = p->inline_msg;
        return;
    }
    format_value(p, m, static_cast<std::size_t>(n) + 1);
    p->message = m;
    p->heap_msg = true;
}

void write_value(const Panic *p) {
    if (p->message != nullptr) {
        write_str(p->message);
    } else if (p->type == nullptr && p->value == nullptr) {
        write_str("nil");
    } else {
        char buf[1024];
        format_value(p, buf, sizeof buf);
        write_str(buf);
    }
}

// Go's printpanics: oldest first; a tab before each one after the first
// (unless the previous was a Goexit); Goexits print nothing.
void print_panics(const Panic *p) {
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
    write_str("\n");
    write_goroutine_header(current_g());
    write_trace();
    _exit(2);
}

}  // namespace

// ---------------------------------------------------------------- frames


void frame_enter(GState *gs, Frame *f) {
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
    gs->frame = f->parent;
    if (f->recovered != nullptr) {
        release_list(gs, f->recovered);
        f->recovered = nullptr;
    }
}

int call_frame(GState *gs, go_fn_t fn, void *arg) {
    Frame f;
    frame_enter(gs, &f);
    if (__builtin_setjmp(f.jb) == 0) invoke(fn, arg);
    Frame *volatile fp = &f;
    int rc = (fp->flags & kFrameLanded) != 0 ? GO_RECOVERED : 0;
    frame_leave(fp);
    return rc;
}

int defer_push_impl(go_defer_fn_t fn, const void *arg, std::size_t copy_size, bool copy) {
    GState *gs = gstate();
    if (gs->frame == nullptr) return GO_EPERM;
    if (gs->ndefers == gs->cap) {
        std::uint32_t cap = gs->cap != 0 ? gs->cap * 2 : 8;
        auto *nd = static_cast<DeferRec *>(std::realloc(gs->defers, cap * sizeof(DeferRec)));
        if (nd == nullptr) return GO_ENOMEM;
        gs->defers = nd;
        gs->cap = cap;
    }
    DeferRec &d = gs->defers[gs->ndefers];
    d.fn = fn;
    d.owner = gs->frame;
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
    gs->ndefers++;
    return 0;
}

void gstate_reset(GState *gs) {
    gs->frame = nullptr;
    gs->panic = nullptr;
    gs->ndefers = 0;
}

// ---------------------------------------------------------------- panics

GORT_NO_TSAN void panic_start(const char *msg, void *value, const go_panic_type_t *type) {
    GState *gs = gstate();
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
    M *m = current_m();
    GState *gs = gstate();
    Panic *p = panic_alloc(gs);
    p->runtime_error = true;
    p->sig = m->sig;
    p->sigcode = m->sigcode;
    p->sigaddr = m->sigaddr;
    p->sigpc = m->sigpc;
    m->sig = 0;
    if ((p->sig == SIGSEGV || p->sig == SIGBUS) && p->sigaddr >= 0x1000) {
        // Go panics only for faults near address 0 (a nil pointer plus an
        // offset); any other fault is its fatal "unexpected fault address".
        begin_dying();
        std::fflush(stdout);
        write_str("unexpected fault address ");
        write_hex(p->sigaddr);
        write_str("\nfatal error: fault\n");
        write_signal_line(p);
        write_str("\n");
        write_goroutine_header(current_g());
        write_trace();
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
    G *g = current_g();
    GState *gs = g != nullptr ? &g->ds : thread_gstate();
    Panic *p = gs->panic;
    if (p == nullptr || p->goexit || p->recovered || p->defer_frame == nullptr ||
        gs->frame != p->defer_frame)
        return 0;
    p->recovered = true;
    if (p->message == nullptr && p->type != nullptr) set_typed_message(p);
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
        release_list(s, f->recovered);
        f->recovered = nullptr;
    }
    goroutine_exit(true);
}

}  // namespace gort
