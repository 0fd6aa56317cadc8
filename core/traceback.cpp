// traceback.cpp - goroutine stacks (see traceback.hpp).
#include "traceback.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <dlfcn.h>
#include <link.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unwind.h>

#if defined(GORT_HAVE_LIBBACKTRACE)
#include GORT_BACKTRACE_H
#endif

#include "context.hpp"
#include "panic.hpp"
#include "print.hpp"
#include "sched.hpp"
#include "trace.hpp"

#if defined(__x86_64__) && defined(__ELF__)
#define GORT_HAVE_SPLICE 1
extern "C" void gort_unwind_splice(void *fctx, std::uintptr_t caller_sp, void (*fn)(void *),
                                   void *arg);
extern "C" char gort_unwind_splice_ret[];
#endif

namespace gort {

// Read at every switch to a goroutine, written only by dumps: a line of its
// own, shared by nothing that is written often.
alignas(64) std::atomic<int> g_tracing{0};

namespace {

// ------------------------------------------------------------ settings

int g_level = kTbSingle;
bool g_names = false;  // GORTDEBUG=tracebackname=1: the old header with the name

int parse_level(const char *e) {
    if (e == nullptr || *e == 0) return kTbSingle;
    if (std::strcmp(e, "none") == 0 || std::strcmp(e, "0") == 0) return kTbNone;
    if (std::strcmp(e, "single") == 0) return kTbSingle;
    if (std::strcmp(e, "all") == 0 || std::strcmp(e, "1") == 0) return kTbAll;
    if (std::strcmp(e, "system") == 0 || std::strcmp(e, "2") == 0) return kTbSystem;
    if (std::strcmp(e, "crash") == 0) return kTbCrash;
    // Go ignores a value it does not know; so do we, and say so once.
    Out o(2);
    o.str("gort: GORTTRACEBACK=").str(e).str(" is not none, single, all, system or crash; using single\n");
    return kTbSingle;
}

// ------------------------------------------------------------ where code lies

struct Range {
    std::uintptr_t lo, hi;
};
constexpr int kMaxRanges = 8;
Range g_self[kMaxRanges], g_libc[kMaxRanges], g_fctx[kMaxRanges];
int g_nself, g_nlibc, g_nfctx;

bool in_ranges(const Range *r, int n, std::uintptr_t pc) {
    for (int i = 0; i < n; i++)
        if (pc >= r[i].lo && pc < r[i].hi) return true;
    return false;
}
// gort's own code, and the context switch's (Boost.Context: the bottom
// frame of every goroutine).
bool in_self(std::uintptr_t pc) {
    return in_ranges(g_self, g_nself, pc) || in_ranges(g_fctx, g_nfctx, pc);
}
bool in_libc(std::uintptr_t pc) { return in_ranges(g_libc, g_nlibc, pc); }

struct PhdrScan {
    std::uintptr_t self_mark, libc_mark, fctx_mark;
};

int phdr_cb(struct dl_phdr_info *info, std::size_t, void *arg) {
    auto *scan = static_cast<PhdrScan *>(arg);
    Range segs[kMaxRanges];
    int n = 0;
    bool self = false, libc = false, fctx = false;
    for (int i = 0; i < info->dlpi_phnum && n < kMaxRanges; i++) {
        const ElfW(Phdr) &ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
        std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
        segs[n++] = Range{lo, lo + ph.p_memsz};
        self |= scan->self_mark >= lo && scan->self_mark < lo + ph.p_memsz;
        libc |= scan->libc_mark >= lo && scan->libc_mark < lo + ph.p_memsz;
        fctx |= scan->fctx_mark >= lo && scan->fctx_mark < lo + ph.p_memsz;
    }
    if (fctx && !self) {
        std::memcpy(g_fctx, segs, sizeof(Range) * static_cast<std::size_t>(n));
        g_nfctx = n;
    }
    if (self) {
        std::memcpy(g_self, segs, sizeof(Range) * static_cast<std::size_t>(n));
        g_nself = n;
    }
    if (libc) {
        std::memcpy(g_libc, segs, sizeof(Range) * static_cast<std::size_t>(n));
        g_nlibc = n;
    }
    return 0;
}

// ------------------------------------------------------------ symbols

#if defined(GORT_HAVE_LIBBACKTRACE)
backtrace_state *g_bt = nullptr;
void bt_error(void *, const char *, int) {}  // no debug information: we fall back
#endif

struct Sym {
    const char *func;
    const char *file;
    int line;
};

// What one address is: the inlined calls at it, innermost first, the last
// one being the function the code belongs to.
struct Syms {
    Sym s[8];
    int n = 0;
    const char *symname = nullptr;  // the symbol table's name (no debug info needed)
    std::uintptr_t symval = 0;      // its address
    const char *module = nullptr;   // the file the code was loaded from
};

#if defined(GORT_HAVE_LIBBACKTRACE)
int pcinfo_cb(void *data, std::uintptr_t, const char *file, int line, const char *func) {
    auto *y = static_cast<Syms *>(data);
    if (file == nullptr && func == nullptr) return 0;
    if (y->n < 8) y->s[y->n++] = Sym{func, file, line};
    return 0;
}

void syminfo_cb(void *data, std::uintptr_t, const char *name, std::uintptr_t val, std::uintptr_t) {
    auto *y = static_cast<Syms *>(data);
    y->symname = name;
    y->symval = val;
}
#endif

void symbolize(std::uintptr_t pc, Syms &y) {
#if defined(GORT_HAVE_LIBBACKTRACE)
    if (g_bt != nullptr) {
        backtrace_pcinfo(g_bt, pc, pcinfo_cb, bt_error, &y);
        backtrace_syminfo(g_bt, pc, syminfo_cb, bt_error, &y);
    }
#endif
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(pc), &info) != 0) {
        y.module = info.dli_fname;
        if (y.symname == nullptr && info.dli_sname != nullptr) {
            y.symname = info.dli_sname;
            y.symval = reinterpret_cast<std::uintptr_t>(info.dli_saddr);
        }
    }
}

// Inside a signal handler (a fault's report): no malloc, so no demangler
// (libstdc++'s allocates); names stay mangled there.
bool g_in_handler = false;

// A function's name for a frame line, demangled (C++, Rust's legacy
// mangling) into buf.
const char *display_name(const char *raw, char *buf, std::size_t cap) {
    if (raw == nullptr) return "?";
    // GCC's "f.localalias" (a local alias of f that its own module calls,
    // -fPIC without interposition) is f itself: its symbol-table name is
    // what a build without debug information shows.
    constexpr char kAlias[] = ".localalias";
    constexpr std::size_t kAliasLen = sizeof kAlias - 1;
    std::size_t rn = std::strlen(raw);
    if (rn > kAliasLen && std::strcmp(raw + rn - kAliasLen, kAlias) == 0 && rn - kAliasLen < cap) {
        std::memcpy(buf, raw, rn - kAliasLen);
        buf[rn - kAliasLen] = 0;
        raw = buf;
    }
    if (raw[0] == '_' && raw[1] == 'Z' && !g_in_handler) {
        int status = 0;
        char *d = abi::__cxa_demangle(raw, nullptr, nullptr, &status);
        if (d != nullptr) {
            std::size_t n = std::strlen(d);
            if (n >= cap) n = cap - 1;
            std::memcpy(buf, d, n);
            buf[n] = 0;
            std::free(d);
            return buf;
        }
    }
    return raw;
}

// The C++ and Rust API glue (gort.hpp's trampolines, the gort crate): the
// runtime's, hidden like its own frames.
bool is_glue(const char *name) { return std::strncmp(name, "gort::", 6) == 0; }

// The C library's process start below main, which Go has no frame for.
bool is_start(std::uintptr_t pc, const char *name) {
    return std::strcmp(name, "_start") == 0 ||
           (in_libc(pc) && std::strncmp(name, "__libc_start", 12) == 0);
}

void put_func(Out &o, const char *name) {
    o.str(name);
    // A demangled C++ name carries its parameter types; a C name gets Go's
    // "(...)", the mark of arguments it does not show.
    std::size_t n = std::strlen(name);
    if (n == 0 || name[n - 1] != ')') o.str("(...)");
}

void put_place(Out &o, const Sym *s, const Syms &y) {
    o.ch('\t');
    if (s != nullptr && s->file != nullptr) {
        o.str(s->file).ch(':').num(s->line);
    } else {
        o.str(y.module != nullptr && y.module[0] != 0 ? y.module : "?").str(":0");
    }
}

// ------------------------------------------------------------ unwinding

constexpr int kMaxPrint = 100;  // Go's limit per goroutine
constexpr int kRaw = 256;

struct Frames {
    std::uintptr_t pc[kRaw];
    std::uintptr_t entry[kRaw];  // the function's first instruction, 0 if unknown
    bool exact[kRaw];            // pc is the instruction itself, not a return address
    int n;
    bool truncated;
};

enum class Mode { kHere, kSignal, kSplice };

struct Walk {
    Frames *f;
    Mode mode;
    bool started;
    bool next_exact;
};

_Unwind_Reason_Code walk_cb(struct _Unwind_Context *ctx, void *arg) {
    auto *w = static_cast<Walk *>(arg);
    int before = 0;
    auto ip = static_cast<std::uintptr_t>(_Unwind_GetIPInfo(ctx, &before));
    if (ip == 0) return _URC_END_OF_STACK;
    if (!w->started) {
        switch (w->mode) {
        case Mode::kSplice:
#if defined(GORT_HAVE_SPLICE)
            if (ip == reinterpret_cast<std::uintptr_t>(gort_unwind_splice_ret)) w->started = true;
#endif
            return _URC_NO_REASON;
        case Mode::kSignal:
            if (!before) return _URC_NO_REASON;  // the handler's own frames
            break;
        case Mode::kHere:
            break;
        }
        w->started = true;
    }
    Frames &f = *w->f;
    if (f.n == kRaw) {
        f.truncated = true;
        return _URC_END_OF_STACK;
    }
    auto start = static_cast<std::uintptr_t>(_Unwind_GetRegionStart(ctx));
    f.pc[f.n] = ip;
    f.entry[f.n] = start;
    f.exact[f.n] = before != 0 || w->next_exact;
    f.n++;
    // A fault becomes a call of sigpanic from the faulting instruction
    // (signal.cpp): the frame below it stands at the instruction itself.
    w->next_exact = start != 0 && start == reinterpret_cast<std::uintptr_t>(&sigpanic);
    return _URC_NO_REASON;
}

void collect(Frames &f, Mode mode) {
    f.n = 0;
    f.truncated = false;
    Walk w{&f, mode, false, false};
    _Unwind_Backtrace(walk_cb, &w);
    if (mode == Mode::kSignal && f.n == 0) collect(f, Mode::kHere);  // no signal frame found
}

#if defined(GORT_HAVE_SPLICE)
void splice_walk(void *arg) { _Unwind_Backtrace(walk_cb, arg); }
#endif

// The frames of g, which is not running and has run. Read-only. Its status
// says parked or runnable a moment before its context is saved: the switch
// that leaves it stores the context after it (Fiber::fctx). held (the
// caller took g, trace_acquire) means g cannot resume, so a missing context
// is one being saved now: wait for it. Otherwise (the fatal paths, which
// must not wait) show no frames.
GORT_NO_TSAN void collect_parked(G *g, Frames &f, bool held) {
    f.n = 0;
    f.truncated = false;
#if defined(GORT_HAVE_SPLICE)
    void *fctx;
    for (int i = 0; (fctx = __atomic_load_n(&g->fiber.fctx, __ATOMIC_ACQUIRE)) == nullptr; i++) {
        if (!held) return;
        if (i < 64) __builtin_ia32_pause();
        else sched_yield();
    }
    Walk w{&f, Mode::kSplice, false, false};
    gort_unwind_splice(fctx, reinterpret_cast<std::uintptr_t>(fctx) + kResumeSpOffset, splice_walk,
                       &w);
#else
    (void)g;
    (void)held;
#endif
}

// ------------------------------------------------------------ printing

// Whether pc is a frame a trace shows (not gort's, not the process start).
bool shown(std::uintptr_t pc, bool exact, bool system) {
    if (system) return true;
    if (in_self(pc)) return false;
    Syms y;
    symbolize(exact ? pc : pc - 1, y);
    const char *outer = y.n > 0 && y.s[y.n - 1].func != nullptr ? y.s[y.n - 1].func : y.symname;
    char buf[512];
    const char *oname = display_name(outer, buf, sizeof buf);
    return !is_glue(oname) && !is_start(pc, oname);
}

// One frame: its inlined calls and itself, a function line and a place
// each. budget: the lines left before "...additional frames elided...";
// returns how many it printed (-1: it hit the budget and said so).
int print_one(Out &o, std::uintptr_t pc, std::uintptr_t entry, bool exact, bool system, int budget) {
    Syms y;
    symbolize(exact ? pc : pc - 1, y);
    char buf[512];
    const char *outer = y.n > 0 && y.s[y.n - 1].func != nullptr ? y.s[y.n - 1].func : y.symname;
    const char *oname = display_name(outer, buf, sizeof buf);
    if (!system && (in_self(pc) || is_glue(oname) || is_start(pc, oname))) return 0;
    if (entry == 0) entry = y.symval;
    int lines = y.n > 0 ? y.n : 1;
    for (int k = 0; k < lines; k++) {
        if (k == budget) {
            o.str("...additional frames elided...\n");
            return -1;
        }
        const Sym *s = y.n > 0 ? &y.s[k] : nullptr;
        bool last = k == lines - 1;
        if (last) {
            put_func(o, oname);
        } else {
            char ibuf[512];
            put_func(o, display_name(s->func, ibuf, sizeof ibuf));
        }
        o.ch('\n');
        put_place(o, s, y);
        if (last && entry != 0 && pc > entry) o.str(" +").hex(pc - entry);
        o.ch('\n');
    }
    return lines;
}

void print_frames(Out &o, const Frames &f, bool system) {
    int printed = 0;
    for (int i = 0; i < f.n; i++) {
        int k = print_one(o, f.pc[i], f.entry[i], f.exact[i], system, kMaxPrint - printed);
        if (k < 0) return;
        printed += k;
    }
    if (f.truncated) o.str("...additional frames elided...\n");
}

// A goroutine that never ran: its function, at its entry.
GORT_NO_TSAN void print_entry(Out &o, G *g) {
    auto pc = reinterpret_cast<std::uintptr_t>(g->fn);
    Syms y;
    symbolize(pc, y);
    char buf[512];
    const char *name = y.n > 0 && y.s[y.n - 1].func != nullptr ? y.s[y.n - 1].func : y.symname;
    put_func(o, display_name(name, buf, sizeof buf));
    o.ch('\n');
    put_place(o, y.n > 0 ? &y.s[y.n - 1] : nullptr, y);
    o.ch('\n');
}

GORT_NO_TSAN void print_created_by(Out &o, G *g, bool system) {
    std::uintptr_t pc = g->gopc;
    if (pc == 0 || g->is_main || (!system && in_self(pc))) return;
    Syms y;
    symbolize(pc - 1, y);
    char buf[512];
    const Sym *outer = y.n > 0 ? &y.s[y.n - 1] : nullptr;
    const char *name = outer != nullptr && outer->func != nullptr ? outer->func : y.symname;
    o.str("created by ").str(display_name(name, buf, sizeof buf)).ch('\n');
    put_place(o, outer, y);
    if (y.symval != 0 && pc > y.symval) o.str(" +").hex(pc - y.symval);
    o.ch('\n');
}

GORT_NO_TSAN const char *state_word(G *g, std::uint32_t st) {
    switch (st) {
    case kGRunning: return "running";
    case kGRunnable: return "runnable";
    case kGSyscall: return "syscall";
    case kGWaiting: return g->waitreason != nullptr && g->waitreason[0] != 0 ? g->waitreason : "waiting";
    default: return "dead";
    }
}

GORT_NO_TSAN void print_header(Out &o, G *g, std::uint32_t st, std::int64_t now) {
    o.str("goroutine ").num(g->id);
    if (g_names && g->name != nullptr && g->name[0] != 0) o.str(" \"").str(g->name).ch('"');
    o.str(" [").str(state_word(g, st));
    std::int64_t since = g->waitsince.load(std::memory_order_relaxed);
    if ((st == kGWaiting || st == kGSyscall) && since != 0 && now > since) {
        std::int64_t minutes = (now - since) / 60000000000LL;
        if (minutes >= 1) o.str(", ").num(minutes).str(" minutes");
    }
    o.str("]:\n");
}

// ------------------------------------------------------------ the handshake

std::atomic<G *> g_trace_g{nullptr};
pthread_mutex_t g_dump_mu = PTHREAD_MUTEX_INITIALIZER;  // one runtime dump at a time
int g_membarrier = -1;  // -1 unknown, 0 unusable, else the command to use

// Make every thread's earlier stores visible and its later loads fresh (a
// full barrier on every CPU that runs a thread of ours).
void process_barrier_impl() {
    int saved = errno;
    if (g_membarrier < 0) {
        g_membarrier = 0;
        if (syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
            g_membarrier = MEMBARRIER_CMD_PRIVATE_EXPEDITED;
        else if (syscall(__NR_membarrier, MEMBARRIER_CMD_QUERY, 0, 0) > 0)
            g_membarrier = MEMBARRIER_CMD_GLOBAL;
    }
    if (g_membarrier == 0 || syscall(__NR_membarrier, g_membarrier, 0, 0) != 0) {
        // No membarrier: changing the protection of a page we touched makes
        // the kernel flush its TLB entry on every CPU running this process,
        // an interrupt that serialises each of them (the trick runtimes
        // without membarrier use).
        static void *page = nullptr;
        if (page == nullptr)
            page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page != MAP_FAILED && page != nullptr) {
            static_cast<volatile char *>(page)[0] = 1;
            mprotect(page, 4096, PROT_READ);
            mprotect(page, 4096, PROT_READ | PROT_WRITE);
        }
    }
    errno = saved;
}

// The dumper takes g: true when g is not running and cannot resume until
// trace_release. The argument, with the switch side (trace_wait):
//   switch: status = Running; [load g_tracing];
//           status.exchange(Running); load g_trace_g
//   dumper: g_tracing = 1; barrier; ...
//           g_trace_g.exchange(g); load status
// A switch whose load of g_tracing read 0 ran before the barrier, so the
// dumper then reads its Running. Otherwise both sides do a seq_cst
// read-modify-write before their seq_cst load (Dekker's pattern, with no
// fence, which TSan cannot model): either the dumper reads Running (and
// skips g), or the switch reads g_trace_g == g (and waits).
bool trace_acquire(G *g, std::uint32_t &st) {
    g_trace_g.exchange(g, std::memory_order_seq_cst);
    st = g->status.load(std::memory_order_seq_cst);
    if (st == kGRunnable || st == kGWaiting) return true;
    g_trace_g.store(nullptr, std::memory_order_release);
    return false;
}

void trace_release() { g_trace_g.store(nullptr, std::memory_order_release); }

// ------------------------------------------------------------ goroutine lists

struct Others {
    Out *o;
    G *self;
    bool system;
    bool handshake;  // the program runs: take each goroutine first
    bool waiting_only;
    bool first;      // no blank line before the first one
    std::int64_t now;
    Frames *frames;
};

GORT_NO_TSAN void print_other(G *g, void *arg) {
    auto &c = *static_cast<Others *>(arg);
    if (g == c.self) return;
    std::uint32_t st = g->status.load(std::memory_order_acquire);
    if (st == kGDead || (c.waiting_only && st != kGWaiting)) return;
    Out &o = *c.o;
    bool held = false;
    if (c.handshake && (st == kGRunnable || st == kGWaiting)) {
        held = trace_acquire(g, st);
        if (st == kGDead) return;
    }
    if (!c.first) o.ch('\n');
    c.first = false;
    print_header(o, g, st, c.now);
    if (st == kGRunning || st == kGSyscall || (c.handshake && !held)) {
        o.str("\tgoroutine running on other thread; stack unavailable\n");
    } else if (!g->ran) {
        print_entry(o, g);
    } else {
        collect_parked(g, *c.frames, held);
        if (held) trace_release();
        held = false;
        print_frames(o, *c.frames, c.system);
    }
    if (held) trace_release();
    print_created_by(o, g, c.system);
}

// The failing (or dumping) thread's own goroutine, unwound where it stands.
void print_current(Out &o, void *uctx, bool system, Frames &f) {
    G *g = current_g();
    collect(f, uctx != nullptr ? Mode::kSignal : Mode::kHere);
    if (g != nullptr) {
        print_header(o, g, kGRunning, 0);
    } else if (std::int64_t id = pinned_id()) {
        o.str("goroutine ").num(id).str(" [running, locked to thread]:\n");
    } else {
        o.str("goroutine 0 [running]:\n\t(not a goroutine: a thread outside the scheduler)\n");
    }
    print_frames(o, f, system);
    if (g != nullptr) print_created_by(o, g, system);
}

Frames g_fatal_frames;  // the fatal paths' (one thread prints: begin_dying)

}  // namespace

void process_barrier() { process_barrier_impl(); }

void traceback_func_name(std::uintptr_t fn, char *buf, std::size_t len) {
    Syms y;
    symbolize(fn, y);
    char dbuf[512];
    const char *name = y.n > 0 && y.s[y.n - 1].func != nullptr ? y.s[y.n - 1].func : y.symname;
    const char *d = display_name(name, dbuf, sizeof dbuf);
    std::size_t n = std::strlen(d);
    if (len == 0) return;
    if (n >= len) n = len - 1;
    std::memcpy(buf, d, n);
    buf[n] = 0;
}

void traceback_init() {
    g_level = parse_level(std::getenv("GORTTRACEBACK"));
    const char *dbg = std::getenv("GORTDEBUG");
    g_names = dbg != nullptr && std::strstr(dbg, "tracebackname=1") != nullptr;
    PhdrScan scan{reinterpret_cast<std::uintptr_t>(&traceback_init),
                  reinterpret_cast<std::uintptr_t>(&::abort),
                  reinterpret_cast<std::uintptr_t>(fiber_code_mark())};
    dl_iterate_phdr(phdr_cb, &scan);
#if defined(GORT_HAVE_LIBBACKTRACE)
    // Threaded: any thread may symbolise. Debug information is read on the
    // first lookup, not now.
    g_bt = backtrace_create_state(nullptr, 1, bt_error, nullptr);
#endif
    // libgcc's unwinder registers and caches on first use: do it now.
    collect(g_fatal_frames, Mode::kHere);
}

int traceback_level() { return g_level; }

void traceback_fatal(FatalKind kind, void *uctx) {
    trace_fatal();  // the execution trace or its flight recorder, if one runs
    int level = g_level;
    if (level == kTbNone) return;
    bool system = level >= kTbSystem;
    g_in_handler = uctx != nullptr;
    {
        Out o(2);
        o.ch('\n');
        // A fault inside gort shows gort's frames of the failing goroutine
        // (Go's runtime throws show the runtime's).
        print_current(o, uctx, system || kind == FatalKind::kRuntimeThrow, g_fatal_frames);
        if ((kind != FatalKind::kPanic || level >= kTbAll) && g_sched != nullptr) {
            Others c{&o, current_g(), system, false, false, false, nanotime(), &g_fatal_frames};
            for_each_g_snapshot(print_other, &c, false);
        }
        if (level == kTbCrash) pinned_write_blocked();
    }
    if (level == kTbCrash) {
        signal(SIGABRT, SIG_DFL);
        abort();
    }
}

void traceback_deadlock(Out &o) {
    if (g_level == kTbNone) return;
    Others c{&o, nullptr, g_level >= kTbSystem, false, true, false, nanotime(), &g_fatal_frames};
    for_each_g_snapshot(print_other, &c, false);  // the caller holds sched.lock
}

int traceback_dump_all(int fd) {
    static Frames frames;  // guarded by g_dump_mu (too big for a small goroutine stack)
    pthread_mutex_lock(&g_dump_mu);
    int err;
    {
        Out o(fd);
        bool system = g_level >= kTbSystem;
        G *self = current_g();
        bool first = true;
        if (self != nullptr || pinned_id() != 0) {
            print_current(o, nullptr, system, frames);
            first = false;
        }
        g_tracing.fetch_add(1, std::memory_order_seq_cst);
        process_barrier();
        Others c{&o, self, system, true, false, first, nanotime(), &frames};
        for_each_g_snapshot(print_other, &c, true);
        g_tracing.fetch_sub(1, std::memory_order_seq_cst);
        pinned_write_all(o, c.first);
        o.flush();
        err = o.error();
    }
    pthread_mutex_unlock(&g_dump_mu);
    return err;
}

void trace_wait(G *g) {
    g->status.exchange(kGRunning, std::memory_order_seq_cst);  // see trace_acquire
    for (int i = 0; g_trace_g.load(std::memory_order_acquire) == g; i++) {
        if (i < 64) __builtin_ia32_pause();
        else sched_yield();
    }
}

namespace {

struct Snap {
    go_goroutine_t *buf;
    std::size_t n, stride;
    long count;
    bool stacks;
    G *self;
    std::int64_t now;
    Frames *frames;
};

go_goroutine_t *snap_slot(Snap &c) {
    if (static_cast<std::size_t>(c.count) >= c.n) return nullptr;
    auto *e = reinterpret_cast<go_goroutine_t *>(reinterpret_cast<char *>(c.buf) +
                                                 static_cast<std::size_t>(c.count) * c.stride);
    std::memset(e, 0, sizeof *e);
    e->size = sizeof *e;
    return e;
}

// The frames a trace would show, as return addresses.
void snap_frames(go_goroutine_t *e, const Frames &f) {
    for (int i = 0; i < f.n && e->nframes < GO_GSTACK_MAX; i++)
        if (shown(f.pc[i], f.exact[i], false)) e->frames[e->nframes++] = f.pc[i];
}

GORT_NO_TSAN void snap_g(G *g, void *arg) {
    auto &c = *static_cast<Snap *>(arg);
    std::uint32_t st = g->status.load(std::memory_order_acquire);
    if (st == kGDead) return;
    bool held = false;
    if (g != c.self && (st == kGRunnable || st == kGWaiting)) {
        held = trace_acquire(g, st);
        if (st == kGDead) return;
    }
    go_goroutine_t *e = snap_slot(c);
    c.count++;
    if (e != nullptr) {
        e->id = g->id;
        e->parent = g->parent;
        e->state = st == kGRunning ? GO_GSTATE_RUNNING
                   : st == kGRunnable ? GO_GSTATE_RUNNABLE
                   : st == kGWaiting ? GO_GSTATE_WAITING
                                     : GO_GSTATE_SYSCALL;
        e->wait_ns = -1;
        if (st == kGWaiting) {
            e->wait_reason = g->waitreason;
            std::int64_t since = g->waitsince.load(std::memory_order_relaxed);
            e->wait_ns = since != 0 && c.now > since ? c.now - since : 0;
        }
        e->entry = reinterpret_cast<std::uintptr_t>(g->fn);
        e->created_at = g->is_main ? 0 : g->gopc;
        // The name is freed when its goroutine ends: read it only from a
        // goroutine that cannot end meanwhile (held, or the caller).
        if ((held || g == c.self) && g->name != nullptr) {
            std::strncpy(e->name, g->name, sizeof e->name - 1);
        }
        if (c.stacks && g == c.self) {
            collect(*c.frames, Mode::kHere);
            snap_frames(e, *c.frames);
        } else if (c.stacks && held && g->ran) {
            collect_parked(g, *c.frames, held);
            snap_frames(e, *c.frames);
        }
    }
    if (held) trace_release();
}

void snap_pinned(std::int64_t id, bool blocked, const char *why, void *fn, void *arg) {
    auto &c = *static_cast<Snap *>(arg);
    go_goroutine_t *e = snap_slot(c);
    c.count++;
    if (e == nullptr) return;
    e->id = id;
    e->locked = 1;
    e->state = blocked ? GO_GSTATE_WAITING : GO_GSTATE_RUNNING;
    e->wait_reason = blocked ? why : nullptr;
    e->wait_ns = blocked ? 0 : -1;
    e->entry = reinterpret_cast<std::uintptr_t>(fn);
}

}  // namespace

long traceback_snapshot(go_goroutine_t *buf, std::size_t n, std::size_t stride, bool stacks) {
    static Frames frames;  // guarded by g_dump_mu
    pthread_mutex_lock(&g_dump_mu);
    Snap c{buf, n, stride, 0, stacks, current_g(), nanotime(), &frames};
    g_tracing.fetch_add(1, std::memory_order_seq_cst);
    process_barrier_impl();
    for_each_g_snapshot(snap_g, &c, true);
    g_tracing.fetch_sub(1, std::memory_order_seq_cst);
    pinned_for_each(snap_pinned, &c);
    pthread_mutex_unlock(&g_dump_mu);
    return c.count;
}

int traceback_symbolize(std::uintptr_t pc, char *buf, std::size_t len) {
    Out o(buf, len);
    print_one(o, pc, 0, false, true, kMaxPrint);  // ends with a newline; the API's text does not
    std::size_t total = o.total();
    if (buf != nullptr && len > 0 && total > 0 && total <= len - 1 && buf[total - 1] == '\n')
        buf[total - 1] = 0;
    return static_cast<int>(total > 0 ? total - 1 : 0);
}

namespace {
struct Stamp {
    std::int64_t now;
};
GORT_NO_TSAN void stamp_one(G *g, void *arg) {
    if (g->status.load(std::memory_order_relaxed) == kGWaiting &&
        g->waitsince.load(std::memory_order_relaxed) == 0)
        g->waitsince.store(static_cast<Stamp *>(arg)->now, std::memory_order_relaxed);
}
}  // namespace

void traceback_stamp_waits(std::int64_t now) {
    Stamp s{now};
    for_each_g_snapshot(stamp_one, &s, true);
}

}  // namespace gort
