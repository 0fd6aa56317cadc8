// stack.hpp - goroutine stacks: guarded, pooled, reused warm.
//
// Invariants (see docs/stacks.md for the why):
//  - A stack lives in a slot of a large MAP_NORESERVE chunk: the lowest
//    guard_bytes of the slot are a guard region, then the usable stack, then
//    this Stack header at the very top (the page every goroutine touches
//    anyway, so the header costs no extra resident page).
//  - Guards are MADV_GUARD_INSTALL regions (Linux 6.13+) that do not split
//    the chunk's mapping, so a million guarded stacks cost a handful of
//    /proc/self/maps lines. On older kernels the guard is an mprotect'ed
//    page while a budget derived from vm.max_map_count lasts; past it a stack
//    is unguarded and carries a canary checked at every switch (overflow is
//    then reported after the fact, not prevented).
//  - capacity[c] >= live[c] + cache_held[c] for every class c: a goroutine
//    reserves its stack's capacity when it is spawned (so spawn can report
//    GO_EAGAIN) and takes the stack itself only when it first runs (so a
//    million queued, never-run goroutines cost no stack memory); a P's cache
//    of default-class stacks holds reservations of its own (kCacheMax), so
//    stacks idle in other Ps' caches never leave a first run without one.
//    capacity counts every mapped slot, carved or not (stack.cpp).
//  - Freed stacks are kept warm (LIFO) up to a bound, then their pages are
//    returned with MADV_DONTNEED: resident memory follows what goroutines
//    actually touch. The scavenger works in small batches, so that a burst
//    of goroutines that follows a burst finds its stacks in the pool instead
//    of carving new slots.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace gort {

struct P;

constexpr int kStackClasses = 17;  // 16 KiB << 0 ... 16 KiB << 16 (1 GiB)
constexpr std::size_t kStackHeader = 64;

struct Stack {
    Stack *next;             // pool link; guarded by the pool's lock or the P's cache
    char *lo;                // slot start (guard first)
    std::size_t slot_size;   // guard + usable + header
    std::uint32_t guard;     // guard bytes at lo (0: unguarded, canary at usable_lo())
    std::uint8_t cls;
    bool warm;               // pages possibly resident
    unsigned vg_id;          // valgrind stack id

    char *usable_lo() const { return lo + guard; }
    std::size_t usable_size() const { return slot_size - guard - kStackHeader; }
};

// The class of a requested stack size (0 = default); -1 when out of range.
int stack_class_for(std::size_t requested);
std::size_t stack_class_size(int cls);

// Reserve capacity for one more goroutine of class cls; false when no
// address space or mapping is left (the caller reports GO_EAGAIN).
bool stack_reserve(int cls);
// Give back a reservation (the goroutine ended or its spawn failed).
void stack_unreserve(int cls);
// The same for n at once (per-P batches of the default class).
bool stack_reserve_n(int cls, long n);
void stack_unreserve_n(int cls, long n);
// Goroutines holding a reservation, all classes.
long stack_live_total();

// Take a stack of class cls for a goroutine that holds a reservation. Never
// fails. p may be null (no per-P cache then).
Stack *stack_get(P *p, int cls);
// Return a stack. p may be null.
void stack_put(P *p, Stack *s);
// Move a P's cached stacks to the global pool (the P is being retired).
void stack_flush_cache(P *p);
// Give back the memory of the stacks freed past the warm pool's size (the
// scavenger): called by an M about to sleep for want of work. Cheap when
// there is nothing to do. Any thread.
void stack_scavenge();

// Canary for unguarded stacks: the lowest kCanaryBytes of the usable area.
// Every call pushes a return address, so a frame smaller than the canary
// that crosses it leaves a mark; checking costs some 30 ns per switch, paid
// only by unguarded stacks.
constexpr std::size_t kCanaryBytes = 1024;
void stack_arm_canary(Stack *s);
bool stack_canary_ok(const Stack *s);

// Reset all pool state (fork child). Leaks the old chunks deliberately.
void stack_reset_after_fork();

}  // namespace gort
