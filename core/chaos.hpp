// chaos.hpp - schedule fuzzing: random delays at the scheduler's racy points.
//
// A lost wake-up or an ordering bug in the scheduler lives in a window a few
// instructions wide, between two atomic operations of one thread, that
// another thread must hit. On an idle machine the windows are nanoseconds and
// such a bug shows once in hours of stress; under load (a thread descheduled
// by the kernel in the middle of the window) it shows in minutes. This
// widens every window on purpose: a build configured with -Dchaos=true
// places GORT_CHAOS() at the points where the scheduler's invariants hold
// only between two steps (core/sched.hpp, invariant 5), and when the
// environment says GORT_CHAOS=N, each point sleeps, with probability 1/N,
// for a random time up to 200 us (or yields the CPU). The same tests then
// run under a schedule that no ordinary run would produce. Without the
// option the macro is empty: release and sanitizer builds carry nothing.
//
// scripts/chaos.sh builds and runs it (tests/chaos/*.c); docs/stress.md says
// when to use it.
#pragma once

#if defined(GORT_CHAOS_BUILD)
namespace gort {
void chaos_point();
}
#define GORT_CHAOS() ::gort::chaos_point()
#else
#define GORT_CHAOS() ((void)0)
#endif
