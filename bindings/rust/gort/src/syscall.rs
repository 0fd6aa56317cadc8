//! Blocking system calls, cooperative preemption points and the scheduler's
//! counters (gort/syscall.h).
//!
//! A goroutine that waits in the kernel (a file or socket read, a child's
//! wait, a lock of `std::sync`, a database client) still holds its logical
//! processor (P): at GOMAXPROCS=1 every other goroutine stops until the call
//! returns. [`blocking`] does what Go's runtime does around every system
//! call (entersyscall / exitsyscall): the P is marked "in a system call",
//! sysmon hands it to another thread when the call lasts, and the goroutine
//! takes a P back when the call returns, possibly on another OS thread.
use gort_sys as sys;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

fn in_syscall<R, F: FnOnce() -> R>(f: F, hand_off_now: bool) -> R {
    // SAFETY: no arguments; a no-op outside a goroutine, in a pinned one
    // and when already inside a system call.
    unsafe {
        if hand_off_now {
            sys::go_syscall_enter_block()
        } else {
            sys::go_syscall_enter()
        }
    }
    // The call must be ended before the goroutine can use gort again, also
    // when f panics: the panic goes on once go_syscall_exit returned (the
    // payload is only carried over, so unwind safety is not observable).
    let r = catch_unwind(AssertUnwindSafe(f));
    // SAFETY: pairs the enter above; it keeps errno as f left it, also when
    // the goroutine goes on on another OS thread.
    unsafe { sys::go_syscall_exit() };
    match r {
        Ok(v) => v,
        Err(p) => resume_unwind(p),
    }
}

/// Run `f`, which may block in the kernel, as Go runs a system call: the
/// other goroutines keep running while it waits, even at GOMAXPROCS=1.
/// Returns what `f` returns.
///
/// ```
/// use std::io::Read;
/// # let path = std::env::current_exe().unwrap();
/// # gort::main(move || {
/// let mut head = [0u8; 4];
/// let n = gort::blocking(|| std::fs::File::open(&path)?.read(&mut head))?;
/// # assert_eq!(&head[..n], b"\x7fELF");
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
///
/// The goroutine gives its processor up only if the call lasts: sysmon
/// retakes it after two of its ticks (20 µs each while the program is
/// busy, longer after it idled), so a call that returns at once costs two
/// atomic operations. For a call known to block long, [`blocking_long`]
/// hands the processor off at once.
///
/// **`f` must not call gort**: no channel, [`WaitGroup`](crate::WaitGroup),
/// [`Mutex`](crate::Mutex), [`sleep`](crate::sleep), [`go`](crate::go),
/// [`yield_now`](crate::yield_now), [`call`](crate::call) or deferred
/// closure. While `f` runs the goroutine has no processor, as Go code
/// cannot run between entersyscall and exitsyscall; a gort call that would
/// block there ends the process with a fatal error. `f` runs on one OS
/// thread from start to end, so thread-local data is safe inside it.
///
/// `errno` is preserved: `std::io::Error::last_os_error()` after `blocking`
/// returns reads what `f` left, even when the goroutine goes on on another
/// OS thread (its processor was taken and none was free). Do not return a
/// value tied to the OS thread (a `std::sync::MutexGuard`, a reference into
/// `thread_local!` data). A panic in `f` ends the system call and goes on
/// unwinding from `blocking`. Calls may nest (the inner one does nothing).
/// Outside a goroutine, or in a pinned goroutine (its body owns its
/// thread), `blocking` just calls `f`, so library code may use it without
/// knowing its caller.
pub fn blocking<R, F: FnOnce() -> R>(f: F) -> R {
    in_syscall(f, false)
}

/// [`blocking`], for a call known to block long (waiting for a child
/// process that runs, accepting on an idle socket, reading a pipe nobody
/// has written to yet): the processor is handed to another thread at once
/// (Go's entersyscallblock) instead of after sysmon's ticks. The same rules
/// hold: `f` must not call gort.
///
/// ```
/// # gort::main(|| {
/// let mut child = std::process::Command::new("true").spawn()?;
/// let status = gort::blocking_long(|| child.wait())?;
/// # assert!(status.success());
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
pub fn blocking_long<R, F: FnOnce() -> R>(f: F) -> R {
    in_syscall(f, true)
}

/// A scheduling point for CPU-bound loops: yields (as [`yield_now`]) when
/// sysmon asked the calling goroutine to, because it ran 10 ms without a
/// scheduling point; otherwise returns at once (one load). gort cannot
/// preempt Rust or C code asynchronously as Go 1.14+ does; a loop that
/// never calls into gort keeps its processor unless it calls this.
/// Outside a goroutine it does nothing.
///
/// [`yield_now`]: crate::yield_now
pub fn preempt_point() {
    // SAFETY: no arguments.
    unsafe { sys::go_preempt_point() }
}

/// The scheduler's counters since the runtime started ([`sched_stats`]);
/// the counters only grow, the last three fields are readings of now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchedStats {
    /// System calls entered by goroutines ([`blocking`], [`blocking_long`],
    /// the C API's `go_syscall_enter*`), nested ones excluded.
    pub syscalls: u64,
    /// Calls that ended by taking the same processor back.
    pub syscall_fast_exits: u64,
    /// Calls that ended by taking another, idle processor.
    pub syscall_idle_exits: u64,
    /// Calls that ended with no processor free: the goroutine was queued.
    pub syscall_queued_exits: u64,
    /// Processors handed off at once ([`blocking_long`]).
    pub handoffs: u64,
    /// Processors sysmon took from goroutines in system calls.
    pub retakes: u64,
    /// Processors taken from goroutines blocked outside any system call
    /// (only with `GORT_RETAKE=1`).
    pub blind_retakes: u64,
    /// Goroutines asked to yield after 10 ms without a scheduling point.
    pub preempt_requests: u64,
    /// [`preempt_point`] calls that yielded.
    pub preempt_yields: u64,
    /// Idle processors sysmon started because runnable goroutines waited.
    pub sysmon_wakeups: u64,
    /// OS threads gort runs goroutines on, now.
    pub threads: usize,
    /// The cap on those threads (`GORT_MAXTHREADS`, default 10,000).
    pub threads_max: usize,
    /// Goroutines inside a system call now.
    pub in_syscall: usize,
}

/// The scheduler's counters: system calls and how they ended, hand-offs,
/// retakes, preemption requests, threads. Starts the runtime if needed.
pub fn sched_stats() -> SchedStats {
    let mut st = sys::go_sched_stats_t { size: std::mem::size_of::<sys::go_sched_stats_t>(), ..Default::default() };
    // SAFETY: st is a valid go_sched_stats_t whose size field says so.
    let rc = unsafe { sys::go_sched_stats(&mut st) };
    if rc != 0 {
        panic!("gort: go_sched_stats: {}", crate::Error::from_code(rc));
    }
    SchedStats {
        syscalls: st.syscalls,
        syscall_fast_exits: st.syscall_fast_exits,
        syscall_idle_exits: st.syscall_idle_exits,
        syscall_queued_exits: st.syscall_queued_exits,
        handoffs: st.handoffs,
        retakes: st.retakes,
        blind_retakes: st.blind_retakes,
        preempt_requests: st.preempt_requests,
        preempt_yields: st.preempt_yields,
        sysmon_wakeups: st.sysmon_wakeups,
        threads: st.threads.max(0) as usize,
        threads_max: st.threads_max.max(0) as usize,
        in_syscall: st.in_syscall.max(0) as usize,
    }
}
