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
// Use: `meson setup build-chaos -Dchaos=true -Dbuildtype=debugoptimized`,
// then run any test under it, e.g. `GORT_CHAOS=20 meson test -C build-chaos
// goroutines-p2`, or repeat one with scripts/hunt.sh. A test that fails only
// with chaos on has found a real window; make the window a GORT_CHAOS()
// point if it is not one yet, so the next bug there shows quickly too.
#pragma once

#if defined(GORT_CHAOS_BUILD)
namespace gort {
void chaos_point();
}
#define GORT_CHAOS() ::gort::chaos_point()
#else
#define GORT_CHAOS() ((void)0)
#endif
