// schedtrace.hpp - GORTDEBUG=schedtrace=MS[,scheddetail=1]: the scheduler's
// state on stderr every MS milliseconds, in Go's exact words (GODEBUG's
// schedtrace, runtime/proc.go), printed by sysmon:
//
//   SCHED 1004ms: gomaxprocs=2 idleprocs=1 threads=5 spinningthreads=0 idlethreads=2 runqueue=0 [0 0]
//
// and with scheddetail=1 the same head (plus Go's gcwaiting, nmidlelocked,
// stopwait and sysmonwait fields), then one line per P, per M and per G:
//
//   P0: status=1 schedtick=12 syscalltick=0 m=3 runqsize=0 gfreecnt=2 timerslen=0
//   M3: p=0 curg=7 mallocing=0 throwing=0 preemptoff= locks=0 dying=0 spinning=false blocked=false lockedg=-1
//   G7: status=2() m=3 lockedm=-1
//
// The numbers mean what Go's mean: P status 0 idle, 1 running, 2 in a
// system call, 4 dead; G status 1 runnable, 2 running, 3 in a system call,
// 4 waiting (the wait reason in parentheses), 6 dead. threads counts the
// threads gort made (Ms, sysmon, the timer thread); idlethreads the Ms
// parked for want of work. Fields Go has and gort does not (a garbage
// collector's, per-P timers: gort's timers have a thread of their own) are
// printed as 0 so that tools that parse Go's lines parse these.
//
// Cost: nothing unless the variable asks for it; then one pass under
// sched.lock per period, as Go's.
#pragma once

#include <cstdint>

namespace gort {

// Read GORTDEBUG once (sysmon's start). Returns the period in ns, 0 = off.
std::int64_t schedtrace_setup();
// Print one report (sysmon's thread, or any thread holding no runtime lock).
void schedtrace_print(int fd, bool detailed);
bool schedtrace_detailed();

}  // namespace gort
