// schedtrace.cpp - GORTDEBUG=schedtrace (see schedtrace.hpp).
#include "schedtrace.hpp"

#include <cstdlib>
#include <cstring>

#include "context.hpp"
#include "print.hpp"
#include "sched.hpp"

namespace gort {

namespace {
std::int64_t g_start = 0;
bool g_detail = false;

// The value of key=N in a comma-separated GORTDEBUG, or -1.
long debug_value(const char *dbg, const char *key) {
    std::size_t kl = std::strlen(key);
    for (const char *p = dbg; p != nullptr && *p != 0;) {
        if (std::strncmp(p, key, kl) == 0 && p[kl] == '=') {
            char *end = nullptr;
            long v = std::strtol(p + kl + 1, &end, 10);
            if (end != p + kl + 1 && (*end == 0 || *end == ',')) return v;
            return -1;
        }
        p = std::strchr(p, ',');
        if (p != nullptr) p++;
    }
    return -1;
}

// Go's numbering of P and G states.
int go_pstatus(std::uint32_t st) {
    switch (st) {
    case kPIdle: return 0;
    case kPRunning: return 1;
    case kPSyscall: return 2;
    default: return 4;  // kPDead
    }
}

int go_gstatus(std::uint32_t st) {
    switch (st) {
    case kGRunnable: return 1;
    case kGRunning: return 2;
    case kGSyscall: return 3;
    case kGWaiting: return 4;
    default: return 6;  // kGDead
    }
}

// Racy reads (as Go's: fields their owners write without sched.lock); a
// stale value misprints one field, nothing more. Hence no TSan here.
GORT_NO_TSAN void print_g(G *g, void *arg) {
    Out &o = *static_cast<Out *>(arg);
    std::uint32_t st = g->status.load(std::memory_order_acquire);
    // The M running it, if any (Ms never go away: a racy read is safe).
    long mid = -1;
    for (M *m = g_sched->allm; m != nullptr; m = m->alllink)
        if (m->curg == g) mid = m->id;
    o.str("  G").num(g->id).str(": status=").num(go_gstatus(st)).ch('(');
    if (st == kGWaiting && g->waitreason != nullptr) o.str(g->waitreason);
    o.str(") m=").num(mid).str(" lockedm=-1\n");
}
}  // namespace

std::int64_t schedtrace_setup() {
    const char *dbg = std::getenv("GORTDEBUG");
    if (dbg == nullptr) return 0;
    long ms = debug_value(dbg, "schedtrace");
    g_detail = debug_value(dbg, "scheddetail") > 0;
    return ms > 0 ? static_cast<std::int64_t>(ms) * 1000000 : 0;
}

bool schedtrace_detailed() { return g_detail; }

GORT_NO_TSAN void schedtrace_print(int fd, bool detailed) {
    Sched &s = *g_sched;
    std::int64_t now = nanotime();
    if (g_start == 0) g_start = now;
    Out o(fd);
    LockGuard lg(s.lock);
    int idle_ms = 0;
    for (M *m = s.midle; m != nullptr; m = m->link) idle_ms++;
    int procs = s.gomaxprocs.load(std::memory_order_relaxed);
    o.str("SCHED ").num((now - g_start) / 1000000).str("ms: gomaxprocs=").num(procs);
    o.str(" idleprocs=").num(s.npidle.load(std::memory_order_relaxed));
    o.str(" threads=").num(s.nruntime_threads.load(std::memory_order_relaxed));
    o.str(" spinningthreads=").num(s.nmspinning.load(std::memory_order_relaxed));
    o.str(" idlethreads=").num(idle_ms);
    o.str(" runqueue=").num(s.runq_size.load(std::memory_order_relaxed));
    if (detailed) o.str(" gcwaiting=0 nmidlelocked=0 stopwait=0 sysmonwait=")
                      .num(g_sysmon_idle.load(std::memory_order_relaxed) ? 1 : 0)
                      .ch('\n');
    // Go prints every allocated P (allp has gomaxprocs entries).
    for (int i = 0; i < procs; i++) {
        P *p = s.allp[i].load(std::memory_order_acquire);
        std::uint32_t h = p != nullptr ? p->runq_head.load(std::memory_order_acquire) : 0;
        std::uint32_t t = p != nullptr ? p->runq_tail.load(std::memory_order_acquire) : 0;
        if (detailed) {
            if (p == nullptr) continue;
            M *m = p->m.load(std::memory_order_relaxed);
            o.str("  P").num(i).str(": status=").num(go_pstatus(p->status.load(std::memory_order_relaxed)));
            o.str(" schedtick=").unum(p->schedtick.load(std::memory_order_relaxed));
            o.str(" syscalltick=").unum(p->syscalltick.load(std::memory_order_relaxed));
            o.str(" m=").num(m != nullptr ? m->id : -1);
            o.str(" runqsize=").unum(t - h);
            o.str(" gfreecnt=").num(p->ngfree).str(" timerslen=0\n");
        } else {
            o.str(i == 0 ? " [" : " ").unum(t - h);
            if (i == procs - 1) o.str("]\n");
        }
    }
    if (!detailed) return;
    for (M *m = s.allm; m != nullptr; m = m->alllink) {
        bool blocked = false;
        for (M *i = s.midle; i != nullptr; i = i->link)
            if (i == m) blocked = true;
        P *p = m->p;
        G *g = m->curg;
        o.str("  M").num(m->id).str(": p=").num(p != nullptr ? p->id : -1);
        o.str(" curg=").num(g != nullptr ? g->id : -1);
        o.str(" mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=")
            .str(m->spinning ? "true" : "false");
        o.str(" blocked=").str(blocked ? "true" : "false").str(" lockedg=-1\n");
    }
    for_each_g_locked(print_g, &o);
}

}  // namespace gort
