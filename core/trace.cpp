// trace.cpp - the execution trace (see trace.hpp).
#include "trace.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <new>
#include <pthread.h>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include <gort/common.h>

#include "lock.hpp"
#include "print.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort {

namespace {

struct Ev {
    std::int64_t ts;
    std::int64_t g;
    std::int64_t arg;
    std::uint32_t type;
    std::int32_t pid;  // P id, or kNoP
};
constexpr std::int32_t kNoP = -1;
constexpr std::size_t kChunkEvents = 4096;  // 128 KiB

struct Chunk {
    Chunk *next;
    std::size_t n;
    Ev ev[kChunkEvents];
};

struct Buf {
    Chunk *head = nullptr, *tail = nullptr;
};

// One per P id, on a line of its own: written by the P's owner only.
struct alignas(64) PBuf {
    std::atomic<std::uint32_t> busy{0};  // odd while the owner appends
    Buf buf;
};

PBuf g_pbuf[kMaxProcs];
Buf g_shared;  // threads that hold no P
SpinLock g_shared_mu;

enum Mode { kOff, kFull, kFlight };
pthread_mutex_t g_api_mu = PTHREAD_MUTEX_INITIALIZER;
int g_mode = kOff;          // g_api_mu
std::int64_t g_window = 0;  // flight: keep this many ns
char g_path[4096];          // full: where go_trace_stop writes
char g_fatal_path[4096];    // flight: where a fatal error writes
std::int64_t g_t0 = 0;
std::atomic<std::int64_t> g_bytes{0};
std::int64_t g_max_bytes = 256LL << 20;
std::atomic<std::int64_t> g_dropped{0};
bool g_env = false;  // GORTTRACE: stop and write at exit

// seq_cst: the appenders' Dekker pairing with quiesce (see trace_emit);
// tracing is opt-in, so its events may pay a fence.
bool tracing() { return (g_tracing.load(std::memory_order_seq_cst) & kTraceOn) != 0; }

Chunk *new_chunk(Buf &b, std::int64_t now) {
    // Flight: reuse the oldest chunk once all of it is older than the window.
    Chunk *h = b.head;
    if (g_mode == kFlight && h != nullptr && h != b.tail && h->n > 0 &&
        h->ev[h->n - 1].ts < now - g_window) {
        b.head = h->next;
        h->next = nullptr;
        h->n = 0;
        b.tail->next = h;
        b.tail = h;
        return h;
    }
    if (g_bytes.fetch_add(sizeof(Chunk), std::memory_order_relaxed) + static_cast<std::int64_t>(sizeof(Chunk)) >
        g_max_bytes) {
        g_bytes.fetch_sub(sizeof(Chunk), std::memory_order_relaxed);
        return nullptr;
    }
    auto *c = static_cast<Chunk *>(std::malloc(sizeof(Chunk)));
    if (c == nullptr) return nullptr;
    c->next = nullptr;
    c->n = 0;
    if (b.tail != nullptr) b.tail->next = c;
    else b.head = c;
    b.tail = c;
    return c;
}

void append(Buf &b, const Ev &e) {
    Chunk *c = b.tail;
    if (c == nullptr || c->n == kChunkEvents) c = new_chunk(b, e.ts);
    if (c == nullptr) {
        g_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    c->ev[c->n++] = e;
}

void free_buf(Buf &b) {
    for (Chunk *c = b.head; c != nullptr;) {
        Chunk *n = c->next;
        std::free(c);
        c = n;
    }
    b.head = b.tail = nullptr;
}

// Stop recording and wait until no M appends (trace.hpp: "Starting and
// stopping"). Dekker's pattern with trace_emit: the appender marks itself
// busy then reads the bit, quiesce clears the bit then reads the marks
// (all seq_cst): an appender that saw the bit set is seen busy here.
void quiesce() {
    g_tracing.fetch_and(~kTraceOn, std::memory_order_seq_cst);
    for (auto &pb : g_pbuf)
        while (pb.busy.load(std::memory_order_seq_cst) & 1) __builtin_ia32_pause();
    g_shared_mu.lock();
    g_shared_mu.unlock();
}

// ------------------------------------------------------------ the JSON writer

void put_us(Out &o, std::int64_t ns) {
    if (ns < 0) ns = 0;
    o.num(ns / 1000).ch('.');
    char d[4] = {static_cast<char>('0' + ns % 1000 / 100), static_cast<char>('0' + ns % 100 / 10),
                 static_cast<char>('0' + ns % 10), 0};
    o.str(d);
}

void put_json_str(Out &o, const char *s) {
    o.ch('"');
    for (; *s != 0; s++) {
        unsigned char c = static_cast<unsigned char>(*s);
        if (c == '"' || c == '\\') o.ch('\\').ch(static_cast<char>(c));
        else if (c < 0x20) o.str("\\u00").ch("0123456789abcdef"[c >> 4]).ch("0123456789abcdef"[c & 15]);
        else o.ch(static_cast<char>(c));
    }
    o.ch('"');
}

std::int64_t track(const Ev &e) { return e.pid == kNoP ? 10000 : e.pid; }

int write_json(const char *path, std::int64_t from_ts) {
    std::vector<Ev> evs;
    auto take = [&](const Buf &b) {
        for (Chunk *c = b.head; c != nullptr; c = c->next)
            for (std::size_t i = 0; i < c->n; i++)
                if (c->ev[i].ts >= from_ts) evs.push_back(c->ev[i]);
    };
    for (auto &pb : g_pbuf) take(pb.buf);
    take(g_shared);
    std::stable_sort(evs.begin(), evs.end(), [](const Ev &a, const Ev &b) { return a.ts < b.ts; });
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    std::int64_t t0 = evs.empty() ? g_t0 : std::min(g_t0 > from_ts ? g_t0 : from_ts, evs.front().ts);
    // Where each goroutine starts running: the heads of the flow arrows.
    std::unordered_map<std::int64_t, std::vector<const Ev *>> starts;
    std::unordered_map<std::uintptr_t, std::string> names;
    std::vector<bool> used(kMaxProcs, false);
    for (const Ev &e : evs) {
        if (e.type == static_cast<std::uint32_t>(TraceEv::kStart)) starts[e.g].push_back(&e);
        if (e.pid >= 0) used[static_cast<std::size_t>(e.pid)] = true;
    }
    int err = 0;
    {
        Out o(fd);
        o.str("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"gort\",\"dropped_events\":");
        o.num(g_dropped.load(std::memory_order_relaxed)).str("},\"traceEvents\":[\n");
        o.str("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"gort\"}}");
        for (int i = 0; i < kMaxProcs; i++)
            if (used[static_cast<std::size_t>(i)])
                o.str(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":").num(i).str(
                    ",\"args\":{\"name\":\"P").num(i).str("\"}}");
        o.str(",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":10000,\"args\":{\"name\":\"threads without a P\"}}");
        // Slices: a goroutine's run on a P, from its start to its stop (or
        // to the next start on that P, or the end of the trace).
        struct Open {
            const Ev *start = nullptr;
        };
        std::vector<Open> open(kMaxProcs);
        auto name_of = [&](std::uintptr_t fn) -> const std::string & {
            auto it = names.find(fn);
            if (it != names.end()) return it->second;
            char buf[256];
            traceback_func_name(fn, buf, sizeof buf);
            return names.emplace(fn, buf).first->second;
        };
        auto close = [&](int p, std::int64_t end) {
            const Ev *s = open[static_cast<std::size_t>(p)].start;
            if (s == nullptr) return;
            open[static_cast<std::size_t>(p)].start = nullptr;
            std::string nm = "G" + std::to_string(s->g) + " " + name_of(static_cast<std::uintptr_t>(s->arg));
            o.str(",\n{\"name\":");
            put_json_str(o, nm.c_str());
            o.str(",\"cat\":\"goroutine\",\"ph\":\"X\",\"pid\":1,\"tid\":").num(p).str(",\"ts\":");
            put_us(o, s->ts - t0);
            o.str(",\"dur\":");
            put_us(o, end - s->ts);
            o.str(",\"args\":{\"goid\":").num(s->g).str("}}");
        };
        std::int64_t flow = 0;
        std::int64_t last = evs.empty() ? t0 : evs.back().ts;
        for (const Ev &e : evs) {
            auto type = static_cast<TraceEv>(e.type);
            if (type == TraceEv::kStart && e.pid >= 0) {
                close(e.pid, e.ts);
                open[static_cast<std::size_t>(e.pid)].start = &e;
            } else if (type == TraceEv::kStop && e.pid >= 0) {
                const Ev *s = open[static_cast<std::size_t>(e.pid)].start;
                if (s != nullptr && s->g == e.g) close(e.pid, e.ts);
            } else if (type == TraceEv::kCreate || type == TraceEv::kUnblock) {
                // An arrow to the goroutine's next start, when the trace has it.
                auto it = starts.find(e.g);
                if (it == starts.end()) continue;
                const Ev *to = nullptr;
                for (const Ev *s : it->second)
                    if (s->ts >= e.ts) {
                        to = s;
                        break;
                    }
                if (to == nullptr) continue;
                const char *cat = type == TraceEv::kCreate ? "go" : "unblock";
                flow++;
                o.str(",\n{\"name\":\"").str(cat).str("\",\"cat\":\"").str(cat).str("\",\"ph\":\"s\",\"id\":").num(flow);
                o.str(",\"pid\":1,\"tid\":").num(track(e)).str(",\"ts\":");
                put_us(o, e.ts - t0);
                o.str(",\"args\":{\"goid\":").num(e.g).str(",\"by\":").num(e.arg).str("}}");
                o.str(",\n{\"name\":\"").str(cat).str("\",\"cat\":\"").str(cat).str("\",\"ph\":\"f\",\"bp\":\"e\",\"id\":").num(flow);
                o.str(",\"pid\":1,\"tid\":").num(track(*to)).str(",\"ts\":");
                put_us(o, to->ts - t0);
                o.str("}");
            } else if (type == TraceEv::kCount) {
                o.str(",\n{\"name\":\"goroutines\",\"ph\":\"C\",\"pid\":1,\"ts\":");
                put_us(o, e.ts - t0);
                o.str(",\"args\":{\"goroutines\":").num(e.g).str("}}");
                o.str(",\n{\"name\":\"threads\",\"ph\":\"C\",\"pid\":1,\"ts\":");
                put_us(o, e.ts - t0);
                o.str(",\"args\":{\"threads\":").num(e.arg).str("}}");
            }
        }
        for (int p = 0; p < kMaxProcs; p++) close(p, last);
        o.str("\n]}\n");
        o.flush();
        err = o.error();
    }
    if (close(fd) != 0 && err == 0) err = errno;
    return err;
}

void reset_buffers() {
    for (auto &pb : g_pbuf) free_buf(pb.buf);
    free_buf(g_shared);
    g_bytes.store(0, std::memory_order_relaxed);
    g_dropped.store(0, std::memory_order_relaxed);
}

void trace_atexit() {
    if (g_env) trace_stop();
}

}  // namespace

void trace_emit(P *p, TraceEv type, std::int64_t g, std::int64_t arg) {
    Ev e{nanotime(), g, arg, static_cast<std::uint32_t>(type), p != nullptr ? p->id : kNoP};
    if (p != nullptr) {
        PBuf &b = g_pbuf[p->id];
        std::uint32_t v = b.busy.load(std::memory_order_relaxed);
        b.busy.store(v + 1, std::memory_order_seq_cst);  // see quiesce
        if (tracing()) append(b.buf, e);
        b.busy.store(v + 2, std::memory_order_release);
        return;
    }
    g_shared_mu.lock();
    if (tracing()) append(g_shared, e);
    g_shared_mu.unlock();
}

void trace_switch(P *p, G *from, G *next, int why) {
    if (from != nullptr) {
        std::int64_t reason = why == static_cast<int>(After::kExit)   ? 2
                              : why == static_cast<int>(After::kPark) ? 0
                                                                       : 1;
        trace_emit(p, TraceEv::kStop, from->id, reason);
    }
    if (next != nullptr)
        trace_emit(p, TraceEv::kStart, next->id, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(next->fn)));
}

void trace_tick(std::int64_t now) {
    static std::int64_t last = 0;
    if (!tracing() || now - last < 1000000) return;
    last = now;
    trace_emit(nullptr, TraceEv::kCount, num_goroutine(),
               g_sched->nruntime_threads.load(std::memory_order_relaxed));
}

int trace_start(const char *path, std::int64_t window_ns, const char *fatal_path) {
    pthread_mutex_lock(&g_api_mu);
    if (g_mode != kOff) {
        pthread_mutex_unlock(&g_api_mu);
        return GO_EALREADY;
    }
    reset_buffers();
    if (path != nullptr) {
        std::strncpy(g_path, path, sizeof g_path - 1);
        g_mode = kFull;
    } else {
        g_window = window_ns;
        g_fatal_path[0] = 0;
        if (fatal_path != nullptr) std::strncpy(g_fatal_path, fatal_path, sizeof g_fatal_path - 1);
        g_mode = kFlight;
    }
    if (const char *m = std::getenv("GORTTRACE_MAX_MB"); m != nullptr && std::atoll(m) > 0)
        g_max_bytes = std::atoll(m) << 20;
    g_t0 = nanotime();
    g_tracing.fetch_or(kTraceOn, std::memory_order_seq_cst);
    sysmon_wake();  // counters need sysmon awake
    pthread_mutex_unlock(&g_api_mu);
    return 0;
}

int trace_stop() {
    pthread_mutex_lock(&g_api_mu);
    if (g_mode == kOff) {
        pthread_mutex_unlock(&g_api_mu);
        return GO_EINVAL;
    }
    quiesce();
    int err = 0;
    if (g_mode == kFull) err = write_json(g_path, 0);
    reset_buffers();
    g_mode = kOff;
    pthread_mutex_unlock(&g_api_mu);
    return err == 0 ? 0 : -err;
}

int trace_flight_write(const char *path) {
    pthread_mutex_lock(&g_api_mu);
    if (g_mode != kFlight) {
        pthread_mutex_unlock(&g_api_mu);
        return GO_EINVAL;
    }
    quiesce();
    int err = write_json(path, nanotime() - g_window);
    g_tracing.fetch_or(kTraceOn, std::memory_order_seq_cst);
    pthread_mutex_unlock(&g_api_mu);
    return err == 0 ? 0 : -err;
}

void trace_from_env() {
    const char *p = std::getenv("GORTTRACE");
    if (p == nullptr || *p == 0) return;
    if (trace_start(p, 0, nullptr) == 0) {
        g_env = true;
        std::atexit(trace_atexit);
    }
}

void trace_reset_after_fork() {
    g_tracing.fetch_and(~kTraceOn, std::memory_order_seq_cst);
    g_mode = kOff;
    g_env = false;  // the atexit handler stays registered and does nothing
    new (&g_api_mu) pthread_mutex_t(PTHREAD_MUTEX_INITIALIZER);
    new (&g_shared_mu) SpinLock();
    // The buffers' memory is the parent's copy: left as it is.
    for (auto &pb : g_pbuf) {
        pb.busy.store(0, std::memory_order_relaxed);
        pb.buf = Buf{};
    }
    g_shared = Buf{};
    g_bytes.store(0, std::memory_order_relaxed);
}

void trace_fatal() {
    // The process is ending: no lock (the failing thread may hold any), no
    // wait for recording Ms beyond clearing the bit.
    if (!tracing()) return;
    g_tracing.fetch_and(~kTraceOn, std::memory_order_seq_cst);
    if (g_mode == kFull) write_json(g_path, 0);
    else if (g_mode == kFlight && g_fatal_path[0] != 0) write_json(g_fatal_path, nanotime() - g_window);
}

}  // namespace gort
