// fatal.cpp - Go's fatal errors and unrecoverable panics: print, exit 2.
//
// Go prints "panic: MSG" or "fatal error: MSG", a blank line, then
// "goroutine N [running]:" and a trace (traceback.hpp), and exits with
// status 2 without running anything else. We do the same. Only the first
// thread to fail prints; any other that fails meanwhile waits for the exit.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "sched.hpp"
#include "fatal.hpp"
#include "traceback.hpp"

namespace gort {

namespace {
std::atomic<bool> g_dying{false};
std::atomic<pid_t> g_dying_tid{0};  // the thread printing the fatal report
}

void write_str(const char *s) {
    std::size_t n = std::strlen(s);
    while (n > 0) {
        ssize_t w = write(2, s, n);
        if (w <= 0) return;
        s += w;
        n -= static_cast<std::size_t>(w);
    }
}

void write_int(long long v) {
    char buf[32];
    char *p = buf + sizeof buf;
    *--p = 0;
    bool neg = v < 0;
    unsigned long long u = neg ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    do {
        *--p = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (neg) *--p = '-';
    write_str(p);
}

void write_hex(unsigned long long v) {
    char buf[32];
    char *p = buf + sizeof buf;
    *--p = 0;
    do {
        *--p = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v != 0);
    *--p = 'x';
    *--p = '0';
    write_str(p);
}

bool begin_dying() {
    if (g_dying.exchange(true)) {
        if (g_dying_tid.load() == gettid()) _exit(2);  // failed again while reporting
        for (;;) pause();  // another thread is printing and will exit
    }
    g_dying_tid.store(gettid());
    return true;
}

bool dying_here() { return g_dying.load() && g_dying_tid.load() == gettid(); }


namespace {
// The report of a fatal error, once this thread may print (begin_dying).
[[noreturn]] void die_begun(const char *prefix, const char *msg) {
    // Go's output reaches the terminal unbuffered; a C program's stdout may
    // sit in a buffer: flush it so the output before the failure survives.
    std::fflush(stdout);
    write_str(prefix);
    write_str(msg);
    write_str("\n");
    traceback_fatal(FatalKind::kThrow, nullptr);
    _exit(2);
}
}  // namespace

void fatal_error(const char *msg) {
    begin_dying();
    die_begun("fatal error: ", msg);
}

void fatal_error_begun(const char *msg) { die_begun("fatal error: ", msg); }

void fatal_error_plain(const char *msg) {
    begin_dying();
    std::fflush(stdout);
    write_str("fatal error: ");
    write_str(msg);
    write_str("\n");
    _exit(2);
}

}  // namespace gort
