// sigquit.cpp - the opt-in SIGQUIT dump (gort/runtime.h: go_sigquit).
//
// Go answers SIGQUIT (Ctrl-\) with every goroutine's stack and exit status
// 2; users of Go ask constantly for the same dump without the exit. gort
// does either, on request only: a JVM or the CLR that hosts gort uses
// SIGQUIT for its own thread dump.
//
// The handler does nothing a handler may not: it notes where the signal
// landed (Go's "PC=0x... m=N sigcode=N" line) and posts a semaphore. A
// thread of gort's own, started with the first go_sigquit, waits on it and
// writes the dump (traceback.hpp) with the program running: symbolising
// reads files and may allocate, which no handler may do.
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>

#include <gort/runtime.h>

#include "fatal.hpp"
#include "print.hpp"
#include "sched.hpp"
#include "traceback.hpp"

namespace gort {

namespace {

pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;  // go_sigquit calls
std::atomic<int> g_mode{GO_SIGQUIT_OFF};
bool g_installed = false;
bool g_thread = false;
struct sigaction g_old;
sem_t g_sem;
// Where the last SIGQUIT landed (written by the handler, read after the
// semaphore, which orders them).
std::uintptr_t g_pc;
long g_mid;
int g_code;

void handler(int, siginfo_t *si, void *uctx) {
    int saved = errno;
#if defined(__x86_64__)
    g_pc = static_cast<std::uintptr_t>(static_cast<ucontext_t *>(uctx)->uc_mcontext.gregs[REG_RIP]);
#else
    (void)uctx;
    g_pc = 0;
#endif
    M *m = current_m_entry();
    g_mid = m != nullptr ? m->id : 0;
    g_code = si != nullptr ? si->si_code : 0;
    // Inside gort until the dump is written, like a foreign thread: the
    // deadlock check must not report (and print over) a program whose
    // dump is on its way. An atomic add is async-signal-safe.
    g_sched->nforeign.fetch_add(1, std::memory_order_seq_cst);
    sem_post(&g_sem);
    errno = saved;
}

void *dumper(void *) {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, nullptr);
    for (;;) {
        while (sem_wait(&g_sem) != 0) {
        }
        int mode = g_mode.load();
        if (mode == GO_SIGQUIT_OFF) {  // raced with go_sigquit(OFF)
            foreign_leave();
            continue;
        }
        if (mode == GO_SIGQUIT_EXIT) {
            begin_dying();
            std::fflush(stdout);
        }
        {
            Out o(2);
            o.str("SIGQUIT: quit\nPC=").hex(g_pc).str(" m=").num(g_mid).str(" sigcode=").num(g_code);
            o.str("\n\n");
        }
        traceback_dump_all(2);
        if (mode == GO_SIGQUIT_EXIT) _exit(2);
        foreign_leave();  // the last one out runs the deadlock check
    }
    return nullptr;
}

}  // namespace

int sigquit_set(int mode) {
    if (mode != GO_SIGQUIT_OFF && mode != GO_SIGQUIT_EXIT && mode != GO_SIGQUIT_CONTINUE)
        return GO_EINVAL;
    pthread_mutex_lock(&g_mu);
    if (mode != GO_SIGQUIT_OFF && !g_thread) {
        sem_init(&g_sem, 0, 0);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 256u << 10);
        pthread_t th;
        // One of gort's own threads: the deadlock check counts it so.
        g_sched->nruntime_threads.fetch_add(1, std::memory_order_relaxed);
        int rc = pthread_create(&th, &attr, dumper, nullptr);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            g_sched->nruntime_threads.fetch_sub(1, std::memory_order_relaxed);
            pthread_mutex_unlock(&g_mu);
            return -rc;
        }
        g_thread = true;
    }
    g_mode.store(mode);
    if (mode != GO_SIGQUIT_OFF && !g_installed) {
        struct sigaction sa;
        std::memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGQUIT, &sa, &g_old);
        g_installed = true;
    } else if (mode == GO_SIGQUIT_OFF && g_installed) {
        sigaction(SIGQUIT, &g_old, nullptr);
        g_installed = false;
    }
    pthread_mutex_unlock(&g_mu);
    return 0;
}

void sigquit_from_env() {
    const char *dbg = std::getenv("GORTDEBUG");
    if (dbg == nullptr) return;
    if (std::strstr(dbg, "sigquit=exit") != nullptr) sigquit_set(GO_SIGQUIT_EXIT);
    else if (std::strstr(dbg, "sigquit=continue") != nullptr) sigquit_set(GO_SIGQUIT_CONTINUE);
}

}  // namespace gort
