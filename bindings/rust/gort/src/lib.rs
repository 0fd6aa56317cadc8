//! Go's goroutine model for Rust, on gort's runtime (M:P:G scheduler,
//! switched stacks): goroutines, WaitGroup, typed channels and select,
//! Mutex/RwMutex/Once, defer/panic/recover, timers, blocking system calls,
//! and TCP/Unix sockets that park goroutines instead of blocking threads
//! ([`net`]).
//!
//! ```
//! use gort::{Chan, WaitGroup};
//! let results = Chan::<u64>::new(0);
//! let wg = WaitGroup::new();
//! for i in 0..10u64 {
//!     let out = results.clone();
//!     wg.go(move || out.send(i * i));          // go func() { out <- i*i }()
//! }
//! let closer = results.clone();
//! let w = wg.clone();
//! gort::go(move || { w.wait(); closer.close(); });
//! let sum: u64 = results.iter().sum();
//! assert_eq!(sum, 285);
//! ```
//!
//! # Panics are Go's
//! A Rust panic in a goroutine that nothing recovers ends the process as in
//! Go: `panic: MSG`, `goroutine N [running]:`, exit status 2. [`call`] gives a
//! closure a defer stack; a deferred closure may [`recover`]. Misuse that Go
//! answers with a panic (closing a closed channel, a negative WaitGroup
//! counter) panics here with Go's message; `try_`/`_checked` variants return
//! a `Result` instead. A gort panic (a C-level jump) never crosses Rust
//! frames: this crate calls the C API's error-returning twins only.
//!
//! # Goroutines move between OS threads
//! A goroutine that blocks (channel, WaitGroup, Mutex, sleep, yield, the end
//! of a [`blocking`] call) may resume on another OS thread: `thread_local!`
//! data belongs to the thread, not the goroutine. Never block on gort inside
//! `LocalKey::with` or while holding a reference into thread-local data (the
//! reference would point into the previous thread's data, which another
//! goroutine may be using: the one hole the type system cannot close for M:N
//! threads in Rust), nor while holding a `std::sync` lock or the stdout lock
//! (use [`Mutex`]). Do not block on gort inside a `Drop` that runs during a
//! panic (Rust counts panics per OS thread): use a deferred closure for that.
//! Goroutine stacks are 64 KiB by default ([`Builder::stack_size`]); an
//! overflow is Go's `fatal error: stack overflow`.
//!
//! # Blocking calls and CPU-bound loops
//! The scheduler is cooperative. A goroutine that blocks in the kernel (a
//! file, pipe or socket read, `Child::wait`, a `std::sync` lock) keeps its
//! processor unless the call runs inside [`blocking`] (or
//! [`blocking_long`]), which does what Go does around every system call:
//! the other goroutines go on while it waits. The closure must not call
//! gort. A loop that computes for long without calling gort keeps its
//! processor too: call [`preempt_point`] in it. [`sched_stats`] counts
//! system calls, hand-offs and preemptions; [`metrics`] reads the runtime's
//! metrics by name (Go's `runtime/metrics`: goroutines by state, context
//! switches, the scheduling latency histogram...).
//!
//! # Sockets
//! [`net::TcpListener`], [`net::TcpStream`], [`net::UnixListener`] and
//! [`net::UnixStream`] are Go's `net` package over gort's network poller:
//! an accept, connect, read or write that must wait parks the goroutine
//! (one epoll set, as Go's netpoller), so no [`blocking`] wrapper and no
//! thread per connection is needed. They implement `std::io::Read` and
//! `Write`, take `std`-style timeouts and Go-style deadlines, and report
//! errors as `std::io::Error` (`ETIMEDOUT` is `ErrorKind::TimedOut`; a
//! closed socket is `EBADF`, see [`net::is_closed`]). On a thread that is
//! not a goroutine they are plain blocking calls.
pub use gort_sys as sys;

mod chan;
mod defer;
mod error;
mod hook;
pub mod metrics;
pub mod net;
mod runtime;
mod scope;
mod select;
mod sync;
mod syscall;
mod time;

pub use chan::{Chan, CloseError, Iter, SendError, TryRecvError, TrySendError};
pub use defer::{call, goexit, panic_message, recover, Panic, Scope};
pub use error::Error;
pub use runtime::{
    dump, go, go_pinned, gomaxprocs, goroutines, id, is_pinned, main, name, num_cpu, num_goroutine,
    sigquit_dump, sigquit_off, sleep, trace_flight_start, trace_flight_write, trace_start,
    trace_stop, try_go, try_main, version, yield_now, Builder, GoId, GoState, GoroutineInfo,
};
pub use scope::{scope, GoScope};
pub use select::Select;
pub use sync::{Mutex, MutexGuard, Once, ReadGuard, RwMutex, WaitGroup, WriteGuard};
pub use syscall::{blocking, blocking_long, preempt_point, sched_stats, SchedStats};
pub use time::{after, nanotime, Ticker, Timer};
