// trace.hpp - the execution trace: what ran where and when, as Chrome
// trace-event JSON that Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// The picture is the one `go tool trace` draws: one track per P, a slice
// for every stretch a goroutine ran on it ("G7 worker"), an arrow from the
// go statement to the new goroutine's first run and from a wake-up (a send,
// an unlock, a timer) to the woken goroutine's next run, and counters of
// goroutines and threads. scripts/trace-render.py draws the same file as an
// SVG or PNG timeline without a browser.
//
// Recording. Every event is 32 bytes appended to a buffer owned by the P
// it happens on, by the M that holds that P: no lock, no locked
// instruction, one clock read (CLOCK_MONOTONIC through the vDSO). Events
// of threads that hold no P (a spawn from a plain thread, the timer
// thread's wake-ups, sysmon's counter samples) go to one shared buffer
// under a spin lock. Buffers are chains of 128 KiB chunks, so a trace's
// memory is its events (capped at GORTTRACE_MAX_MB, 256 MiB by default;
// past it events are counted as dropped and the file says so).
//
// Flight recorder. go_trace_flight_start keeps only the last window of
// events: a P that needs a new chunk reuses its oldest one once that one
// is entirely older than the window. go_trace_flight_write writes what is
// kept (recording pauses for the copy); with a fatal path given, a fatal
// error (panic, fatal error, deadlock) writes it there on the way out.
//
// Starting and stopping. Hooks test one word, g_tracing (sched.hpp), which
// the switch path reads anyway for go_dump: tracing off costs nothing more
// there, and one relaxed load of that read-mostly line at a spawn and at a
// wake-up. Stopping clears the bit and waits for every P's "appending"
// mark to go even (an appender sets its mark before it reads the bit, all
// sequentially consistent: Dekker's pattern, a fence per event while
// tracing): after that no M touches a buffer, and the writer reads them
// alone.
//
// Rejected: Go's binary format (go tool trace needs Go's own stack and
// string tables, and Perfetto opens JSON directly); a lock-free shared
// ring (every event a contended RMW); symbolising at record time (the
// writer names each function once).
#pragma once

#include <cstdint>

namespace gort {

struct G;
struct P;

enum class TraceEv : std::uint8_t {
    kStart,    // g starts running on the P (arg: its function)
    kStop,     // g stops running (arg: 0 parked, 1 yielded, 2 ended)
    kCreate,   // g was made (arg: the parent goroutine, 0 for a thread)
    kUnblock,  // g was made runnable (arg: the goroutine that did it, 0 for a thread)
    kCount,    // counters (g: goroutines, arg: threads)
};

// p: the caller's P (it must hold it), or null for the shared buffer.
void trace_emit(P *p, TraceEv type, std::int64_t g, std::int64_t arg);

// The switch hook's traced half (sched.cpp): from stops (why: the M's
// pending After, as an int), next starts. Either may be null.
void trace_switch(P *p, G *from, G *next, int why);

// sysmon: sample the counters (every ms while tracing).
void trace_tick(std::int64_t now);

// GORTTRACE=path at runtime start: trace the whole run, written at exit.
void trace_from_env();

// A fatal error is on its way out: write the flight recorder, if one runs
// with a fatal path (best effort: recording threads are not waited for).
void trace_fatal();

// A forked child records nothing and writes nothing: the trace (its file,
// its buffers) is the parent's.
void trace_reset_after_fork();

// The public API (gort/runtime.h).
int trace_start(const char *path, std::int64_t window_ns, const char *fatal_path);
int trace_stop();
int trace_flight_write(const char *path);

}  // namespace gort
