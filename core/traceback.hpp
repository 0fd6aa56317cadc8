// traceback.hpp - goroutine stacks in Go's words: the traces of unrecovered
// panics and fatal errors, the deadlock report, go_dump and SIGQUIT.
//
// What Go prints, and so what we print (runtime/traceback.go):
//
//   goroutine 7 [chan receive, 2 minutes]:
//   worker(...)
//           /src/app/worker.c:41 +0x2d
//   run_pool(...)
//           /src/app/pool.c:12 +0x91
//   created by main_fn
//           /src/app/main.c:30 +0x5a
//
// one header per goroutine (its state: running, runnable, syscall, or the
// wait reason; the minutes it has waited once they reach one), then its
// frames innermost first, a function line and a tab-indented file:line with
// the offset of the return address in the function (none for inlined calls,
// which have no address of their own), at most 100 frames and then
// "...additional frames elided...", and "created by F" with the site of the
// go statement. C has no argument list to show: every function is "(...)",
// as Go prints for a call it cannot describe. Without debug information the
// file is the module (binary or library) and the line 0.
//
// How the frames are found. The running goroutine is unwound where it
// stands, with libgcc's DWARF unwinder (_Unwind_Backtrace), which follows
// code compiled without frame pointers (a frame-pointer walk loses every
// -O2 frame that omits them, the usual case for C). A goroutine that is not
// running is a saved Boost.Context fcontext on its own stack: an assembly
// splice (unwind_splice.S) whose call frame information names that context
// as its caller lets the same unwinder walk it from the dumping thread,
// read-only: the goroutine is not resumed, not even briefly, and its stack
// is not written. Functions, files and lines come from libbacktrace (GCC's,
// linked statically and hidden), which reads DWARF of the executable and of
// every loaded library; the function entries come from the unwind tables
// themselves (_Unwind_GetRegionStart), so the +0x offset is right even for
// a stripped binary.
//
// What is hidden. Go hides the runtime's own frames unless GOTRACEBACK says
// system; gort hides its own: every frame in libgort's text, and the C++
// and Rust API glue (functions named gort::...). GORTTRACEBACK, read once:
//   none    no goroutine traces, only the message
//   single  (default) the failing goroutine; a fatal error ("fatal error:",
//           which is Go's throw) prints every goroutine, as Go does
//   all     every goroutine, for panics too
//   system  every goroutine, with gort's own frames
//   crash   as system, then abort() (SIGABRT: a core dump) instead of
//           exit(2)
// and Go's synonyms 0, 1, 2 for none, all, system.
//
// Reading another goroutine's stack while the program runs (go_dump, the
// SIGQUIT dump that continues): the goroutine must not resume while its
// stack is read, and the dump must not stop the world, which C code that
// never reaches a scheduling point would make impossible. So the dumper
// owns one goroutine at a time: it publishes it in g_trace_g, and a switch
// to a goroutine (trace_guard, sched.hpp) that finds a dump under way waits
// while it is the one being read. The dumper makes its flag visible with a
// process-wide barrier (membarrier) so that the switch path pays one plain
// load when no dump runs; see trace_wait for the ordering argument. A
// goroutine running on another thread cannot be read: Go's words for it,
// "goroutine running on other thread; stack unavailable", are printed.
//
// The fatal paths use the same code without the handshake (the process is
// ending; Go's freezetheworld is best effort too), and stay allocation-free
// except inside libbacktrace's own mmap-based allocator and the demangler
// of C++ names.
#pragma once

#include <cstddef>
#include <cstdint>

#include <gort/runtime.h>

namespace gort {

struct G;
class Out;

enum TracebackLevel : int { kTbNone = 0, kTbSingle = 1, kTbAll = 2, kTbSystem = 3, kTbCrash = 4 };

// Read GORTTRACEBACK and note where gort's and libc's code lie (once, at
// runtime start: the fatal paths must not take the loader's lock).
void traceback_init();
int traceback_level();

// What failed: an unrecovered panic (Go prints the failing goroutine), a
// fatal error (Go's throw: every goroutine), or a fault inside gort itself
// (a runtime throw: gort's own frames of the failing goroutine too).
enum class FatalKind { kPanic, kThrow, kRuntimeThrow };

// The goroutine section of a fatal report, after the message lines: a
// blank line, the failing goroutine (or thread), then the others when the
// kind or the level asks for them. uctx: the signal context when called
// from a signal handler (the trace starts at the faulting instruction),
// else null. Ends with abort() at level crash; otherwise returns (the
// caller exits with status 2). Prints nothing at level none.
void traceback_fatal(FatalKind kind, void *uctx);

// The deadlock report's goroutines: every Waiting one with its stack (the
// world is stopped: sched.lock held, every P idle).
void traceback_deadlock(Out &o);

// Every goroutine to fd, the caller first (go_dump; Go's runtime.Stack(buf,
// true)). Returns 0, or the errno of the write that failed.
int traceback_dump_all(int fd);

// go_goroutines (gort/runtime.h): fill buf (entries stride bytes apart)
// and return how many goroutines exist. go_symbolize: one address as a
// trace's lines, into buf; returns the text's whole length.
long traceback_snapshot(go_goroutine_t *buf, std::size_t n, std::size_t stride, bool stacks);
int traceback_symbolize(std::uintptr_t pc, char *buf, std::size_t len);

// A full barrier on every CPU running one of our threads (membarrier, or
// an mprotect IPI without it): earlier stores visible, later loads fresh.
void process_barrier();
// A function's name as a trace line shows it (trace.cpp's slice names).
void traceback_func_name(std::uintptr_t fn, char *buf, std::size_t len);

// sysmon: stamp the wait start of goroutines that wait and have no stamp
// (every 10 s: the minutes in a header are right to 10 s).
void traceback_stamp_waits(std::int64_t now);

// sigquit.cpp (gort/runtime.h go_sigquit): returns 0 or GO_EINVAL.
int sigquit_set(int mode);
void sigquit_from_env();  // GORTDEBUG=sigquit=exit|continue, at runtime start

}  // namespace gort
