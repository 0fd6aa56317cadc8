//! Raw bindings to gort's C API (`include/gort.h`): goroutines, WaitGroup,
//! Mutex, RWMutex, Once, Cond, channels and select, timers, defer/panic/recover,
//! pinned goroutines, blocking system calls, runtime metrics (`gort/metrics.h`),
//! and file descriptors and sockets that block goroutines, not threads
//! (`gort/io.h`, `gort/net.h`). Every item mirrors its C
//! namesake; the headers are the documentation. Use the safe `gort` crate
//! unless you need the C API.
//!
//! # A gort panic is a jump, never an unwind
//!
//! A gort panic (`panic_raise`, and every function that "panics with Go's
//! message": `chan_send`, `chan_close`, `go_select`, `wg_add`, `wg_done`,
//! `wg_wait`, `go_ticker_new`, `go_ticker_reset`) does not unwind: deferred
//! calls run on top of the panicking stack and a recovery is a
//! `__builtin_longjmp` to the frame (`go_call`, a goroutine body) that
//! deferred the recovering call. Rust frames that such a jump skips are
//! deallocated without running their destructors, which is undefined
//! behaviour for any frame with a pending destructor. Therefore:
//!
//! - From Rust, call the `_err` twins (`chan_send_err`, `chan_try_send_err`,
//!   `chan_close_err`, `go_select_err`, `wg_add_err`, `wg_done_err`,
//!   `wg_wait_err`, `mutex_unlock_err`, `go_ticker_new_err`,
//!   `go_ticker_reset_err`): they return an error code where their namesakes
//!   panic. The panicking namesakes are declared for completeness; calling
//!   one is sound only where nothing between the call and the frame that
//!   could recover has a destructor pending (or nothing can recover).
//! - Call `panic_raise` / `panic_raise_value` only from a frame that has
//!   nothing left to drop, with no Rust frame between it and the recovering
//!   frame that has anything left to drop (the safe crate calls it only from
//!   its goroutine trampoline, after `catch_unwind` returned and the payload
//!   was dropped, where no recovery is possible).
//! - A Rust panic must never unwind into C: a callback given to gort
//!   (`go_spawn`, `defer_push`, `go_call`, `once_do`...) catches every
//!   panic (`std::panic::catch_unwind`) before it returns.
//! - `go_exit` (Goexit) switches away from the goroutine for good after
//!   its C deferred calls ran: the goroutine's Rust frames are abandoned
//!   without running their destructors. Call it only with no Rust frame
//!   below that has anything to drop (the safe crate implements Goexit as a
//!   Rust unwind and calls `go_exit` only from the main goroutine's
//!   trampoline).
//! - `GO_FRAME` (`go_frame_enter_`, `go_frame_leave_`, `go_frame_landed_`)
//!   relies on `__builtin_setjmp` returning twice inside the caller's frame:
//!   it cannot be used from Rust and is not declared here.
//!
//! # Goroutine stacks and thread-local storage
//!
//! A goroutine runs on a small switched stack (64 KiB by default, see
//! `go_attr_t`) and may resume on another OS thread after any call that
//! blocks. Rust code is fine there, but `thread_local!` data belongs to the
//! OS thread: do not keep a reference to it across a blocking call.
//!
//! # errno after a call that may park
//!
//! The `go_fd_*`, `go_listen`, `go_dial` and `go_poll_fd` functions follow
//! the system-call convention (-1 or NULL, and errno). A call that parks may
//! resume the goroutine on another OS thread; read the error with
//! [`go_errno`], never through an errno address computed before the call
//! (`gort/io.h`, ERRNO IN A GOROUTINE).
#![allow(non_camel_case_types)]

use std::marker::{PhantomData, PhantomPinned};
pub use std::os::raw::{c_char, c_int, c_long, c_void};

macro_rules! opaque {
    ($($(#[$m:meta])* $name:ident;)*) => {$(
        $(#[$m])*
        #[repr(C)]
        pub struct $name {
            _data: [u8; 0],
            _marker: PhantomData<(*mut u8, PhantomPinned)>,
        }
    )*};
}

opaque! {
    /// `go_wg_t`: a WaitGroup.
    go_wg_t;
    /// `go_mutex_t`: a sync.Mutex.
    go_mutex_t;
    /// `go_rwmutex_t`: a sync.RWMutex.
    go_rwmutex_t;
    /// `go_once_t`: a sync.Once.
    go_once_t;
    /// `go_cond_t`: a sync.Cond.
    go_cond_t;
    /// `go_chan_t`: a channel; NULL is Go's nil channel.
    go_chan_t;
    /// `go_timer_t`: a time.Timer.
    go_timer_t;
    /// `go_ticker_t`: a time.Ticker.
    go_ticker_t;
    /// `go_fd_t`: an adopted file descriptor (Go's internal/poll.FD). The
    /// handle is opaque, not a pointer to memory: never dereference it. Once
    /// closed or released it stays invalid (EBADF) for good.
    go_fd_t;
}

// ------------------------------------------------------------ common.h

/// Linux errno values, negated as gort returns them.
pub const GO_EINVAL: c_int = -22;
pub const GO_ENOMEM: c_int = -12;
pub const GO_EAGAIN: c_int = -11;
pub const GO_EOVERFLOW: c_int = -75;
pub const GO_ESHUTDOWN: c_int = -108;
pub const GO_EPERM: c_int = -1;
pub const GO_EALREADY: c_int = -114;
/// `-EPIPE`: "send on closed channel" / "close of closed channel" from an `_err` twin.
pub const GO_ECLOSED: c_int = -32;
/// `-ERANGE`: "sync: negative WaitGroup counter" from an `_err` twin.
pub const GO_ERANGE: c_int = -34;
/// `-EBUSY`: "sync: WaitGroup misuse" from an `_err` twin.
pub const GO_EBUSY: c_int = -16;

// ------------------------------------------------------------ version.h

pub const GORT_VERSION_MAJOR: c_int = 0;
pub const GORT_VERSION_MINOR: c_int = 7;
pub const GORT_VERSION_PATCH: c_int = 0;
pub const GO_SIGQUIT_OFF: c_int = 0;
pub const GO_SIGQUIT_EXIT: c_int = 1;
pub const GO_SIGQUIT_CONTINUE: c_int = 2;
pub const GORT_VERSION_STRING: &str = "0.7.0";
pub const GORT_VERSION_NUMBER: c_int =
    GORT_VERSION_MAJOR * 10000 + GORT_VERSION_MINOR * 100 + GORT_VERSION_PATCH;

// ------------------------------------------------------------ runtime.h

/// A goroutine body (`go_fn_t`); `None` is C's NULL.
pub type go_fn_t = Option<unsafe extern "C" fn(arg: *mut c_void)>;
/// A goroutine id: >= 1; 0 is "not a goroutine"; negative is an error.
pub type go_id_t = i64;

pub const GO_STACK_SIZE_DEFAULT: usize = 64 * 1024;
pub const GO_MAIN_STACK_SIZE: usize = 8 * 1024 * 1024;
pub const GO_STACK_SIZE_MIN: usize = 16 * 1024;
pub const GO_STACK_SIZE_MAX: usize = 1024 * 1024 * 1024;

/// `go_attr_t`: spawn attributes; initialise with `go_attr_init`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_attr_t {
    pub size: usize,
    pub stack_size: usize,
    pub name: *const c_char,
    pub arg_size: usize,
}

// ------------------------------------------------------------ chan.h

pub const GO_CHAN_ELEM_MAX: usize = 65535;
pub const GO_SELECT_RECV: c_int = 1;
pub const GO_SELECT_SEND: c_int = 2;
pub const GO_SELECT_DEFAULT: c_int = 3;
pub const GO_SELECT_MAX: c_int = 65536;

/// `go_select_case_t`: one case of `go_select`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_select_case_t {
    pub chan: *mut go_chan_t,
    pub dir: c_int,
    pub ok: c_int,
    pub value: *mut c_void,
}

// ------------------------------------------------------------ defer.h

/// `go_call`'s result when a deferred call of its frame recovered a panic.
pub const GO_RECOVERED: c_int = 1;

/// A deferred call (`go_defer_fn_t`).
pub type go_defer_fn_t = Option<unsafe extern "C" fn(arg: *mut c_void)>;

/// `go_panic_type_t`: how the runtime prints and releases a panic value.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_panic_type_t {
    pub size: usize,
    pub name: *const c_char,
    pub format: Option<unsafe extern "C" fn(value: *const c_void, buf: *mut c_char, len: usize) -> c_int>,
    pub destroy: Option<unsafe extern "C" fn(value: *mut c_void)>,
}

/// `go_recovered_t`: what `panic_recover` hands back.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_recovered_t {
    pub value: *mut c_void,
    pub type_: *const go_panic_type_t,
    pub message: *const c_char,
    pub is_runtime_error: c_int,
}

// ------------------------------------------------------------ pinned.h

pub const GO_PINNED_IDLE_MAX: c_int = 64;

/// `go_pinned_hooks_t`: the pinned pool's thread hooks.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_pinned_hooks_t {
    pub size: usize,
    pub thread_start: Option<unsafe extern "C" fn(ctx: *mut c_void)>,
    pub thread_exit: Option<unsafe extern "C" fn(ctx: *mut c_void)>,
    pub ctx: *mut c_void,
}

// ------------------------------------------------------------ syscall.h

/// `go_blocking_fn_t`: a blocking function for `go_blocking`; its result
/// is what `go_blocking` returns.
pub type go_blocking_fn_t = Option<unsafe extern "C" fn(arg: *mut c_void) -> isize>;

/// `go_sched_stats_t`: scheduler counters; set `size` before
/// `go_sched_stats` (fields past `size` are not written).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct go_sched_stats_t {
    pub size: usize,
    pub syscalls: u64,
    pub syscall_fast_exits: u64,
    pub syscall_idle_exits: u64,
    pub syscall_queued_exits: u64,
    pub handoffs: u64,
    pub retakes: u64,
    pub blind_retakes: u64,
    pub preempt_requests: u64,
    pub preempt_yields: u64,
    pub sysmon_wakeups: u64,
    pub threads: i32,
    pub threads_max: i32,
    pub in_syscall: i32,
    pub reserved_: i32,
}

/// `go_goroutine_t` (since 0.6.0): one goroutine in a `go_goroutines`
/// snapshot. Set `size` in the first element before the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_goroutine_t {
    pub size: usize,
    pub id: go_id_t,
    pub parent: go_id_t,
    pub state: c_int,
    pub locked: c_int,
    pub wait_reason: *const c_char,
    pub wait_ns: i64,
    pub entry: usize,
    pub created_at: usize,
    pub name: [c_char; 32],
    pub nframes: c_int,
    pub frames: [usize; GO_GSTACK_MAX],
}

pub const GO_GSTATE_RUNNING: c_int = 1;
pub const GO_GSTATE_RUNNABLE: c_int = 2;
pub const GO_GSTATE_WAITING: c_int = 3;
pub const GO_GSTATE_SYSCALL: c_int = 4;
pub const GO_GSTACK_MAX: usize = 32;
pub const GO_SNAPSHOT_STACKS: c_int = 1;

// ------------------------------------------------------------ metrics.h

/// Metric kinds (`go_metric_desc_t::kind`, `go_metric_sample_t::kind`);
/// since 0.6.0.
pub const GO_METRIC_BAD: c_int = 0;
pub const GO_METRIC_UINT64: c_int = 1;
pub const GO_METRIC_FLOAT64: c_int = 2;
pub const GO_METRIC_HISTOGRAM: c_int = 3;
/// Enough counts for any histogram metric of this version.
pub const GO_METRIC_HIST_MAX: usize = 256;

/// `go_metric_desc_t`: one metric of the library (static storage; may grow
/// at the end in later versions: only ever use it through a pointer).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_metric_desc_t {
    pub name: *const c_char,
    pub description: *const c_char,
    pub kind: c_int,
    pub cumulative: c_int,
}

/// `go_metric_hist_t`: a histogram's value; `counts`/`ncounts` are the
/// caller's, the rest is written by `go_metrics_read`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct go_metric_hist_t {
    pub counts: *mut u64,
    pub ncounts: usize,
    pub nbuckets: usize,
    pub bounds: *const f64,
    pub total: u64,
}

/// The value union of `go_metric_sample_t` (the C type is anonymous).
#[repr(C)]
#[derive(Clone, Copy)]
pub union go_metric_value_t {
    pub u64: u64,
    pub f64: f64,
    pub hist: go_metric_hist_t,
    pub pad_: [u64; 8],
}

/// `go_metric_sample_t`: a value to read by name.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct go_metric_sample_t {
    pub name: *const c_char,
    pub kind: c_int,
    pub reserved_: c_int,
    pub value: go_metric_value_t,
}

// ------------------------------------------------------------ io.h

/// Readiness events (`go_fd_wait`, `go_poll_fd`): Linux's POLLIN, POLLOUT,
/// POLLERR, POLLHUP.
pub const GO_POLL_IN: c_int = 0x001;
pub const GO_POLL_OUT: c_int = 0x004;
pub const GO_POLL_ERR: c_int = 0x008;
pub const GO_POLL_HUP: c_int = 0x010;

/// Deadline directions (`go_fd_set_deadline`).
pub const GO_DEADLINE_READ: c_int = 1;
pub const GO_DEADLINE_WRITE: c_int = 2;
pub const GO_DEADLINE_BOTH: c_int = 3;

/// No deadline.
pub const GO_NO_DEADLINE: i64 = -1;

/// `socklen_t` (`<sys/socket.h>`).
pub type socklen_t = u32;

/// `struct sockaddr` (`<sys/socket.h>`, Linux): the generic socket address
/// that `go_fd_accept` and `go_fd_connect` take. A real address is longer
/// (`sockaddr_in6`, `sockaddr_un`): pass a buffer of `SOCKADDR_STORAGE_SIZE`
/// bytes, aligned to 8, cast to `*mut sockaddr`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sockaddr {
    pub sa_family: u16,
    pub sa_data: [c_char; 14],
}

/// `sizeof(struct sockaddr_storage)` on Linux: room for any socket address.
pub const SOCKADDR_STORAGE_SIZE: usize = 128;

/// `go_fd_shutdown`'s `how` (`<sys/socket.h>`'s SHUT_RD, SHUT_WR, SHUT_RDWR).
pub const SHUT_RD: c_int = 0;
pub const SHUT_WR: c_int = 1;
pub const SHUT_RDWR: c_int = 2;

// ------------------------------------------------------------ net.h

/// Room for any address `go_fd_local_addr` / `go_fd_peer_addr` format,
/// with its terminating NUL.
pub const GO_ADDR_STRLEN: usize = 128;

extern "C" {
    // common.h
    pub fn go_strerror(err: c_int) -> *const c_char;

    // runtime.h
    pub fn go_attr_init(attr: *mut go_attr_t);
    pub fn go_spawn(fn_: go_fn_t, arg: *mut c_void) -> go_id_t;
    pub fn go_spawn_copy(fn_: go_fn_t, args: *const c_void, size: usize) -> go_id_t;
    pub fn go_spawn_attr(attr: *const go_attr_t, fn_: go_fn_t, arg: *mut c_void) -> go_id_t;
    pub fn go_main(fn_: go_fn_t, arg: *mut c_void) -> c_int;
    pub fn go_yield();
    pub fn go_sleep(ns: i64);
    pub fn go_id() -> go_id_t;
    pub fn go_name() -> *const c_char;
    pub fn go_num_goroutine() -> c_int;
    pub fn go_num_cpu() -> c_int;
    pub fn go_maxprocs(n: c_int) -> c_int;
    pub fn go_version() -> *const c_char;
    pub fn go_version_number() -> c_int;

    // sync.h: WaitGroup. wg_add / wg_done / wg_wait panic (see the crate
    // docs); Rust uses the _err twins.
    pub fn wg_new() -> *mut go_wg_t;
    pub fn wg_free(wg: *mut go_wg_t);
    pub fn wg_add(wg: *mut go_wg_t, delta: i64) -> c_int;
    pub fn wg_done(wg: *mut go_wg_t) -> c_int;
    pub fn wg_wait(wg: *mut go_wg_t) -> c_int;
    pub fn wg_add_err(wg: *mut go_wg_t, delta: i64) -> c_int;
    pub fn wg_done_err(wg: *mut go_wg_t) -> c_int;
    pub fn wg_wait_err(wg: *mut go_wg_t) -> c_int;

    // sync.h: Mutex (mutex_unlock's misuse is a fatal error, not a panic).
    pub fn mutex_new() -> *mut go_mutex_t;
    pub fn mutex_free(mu: *mut go_mutex_t);
    pub fn mutex_lock(mu: *mut go_mutex_t) -> c_int;
    pub fn mutex_trylock(mu: *mut go_mutex_t) -> c_int;
    pub fn mutex_unlock(mu: *mut go_mutex_t) -> c_int;
    pub fn mutex_unlock_err(mu: *mut go_mutex_t) -> c_int;

    // sync.h: RWMutex
    pub fn rwmutex_new() -> *mut go_rwmutex_t;
    pub fn rwmutex_free(rw: *mut go_rwmutex_t);
    pub fn rwmutex_rlock(rw: *mut go_rwmutex_t) -> c_int;
    pub fn rwmutex_tryrlock(rw: *mut go_rwmutex_t) -> c_int;
    pub fn rwmutex_runlock(rw: *mut go_rwmutex_t) -> c_int;
    pub fn rwmutex_lock(rw: *mut go_rwmutex_t) -> c_int;
    pub fn rwmutex_trylock(rw: *mut go_rwmutex_t) -> c_int;
    pub fn rwmutex_unlock(rw: *mut go_rwmutex_t) -> c_int;

    // sync.h: Once (fn must not unwind into C: catch Rust panics in it)
    pub fn once_new() -> *mut go_once_t;
    pub fn once_free(o: *mut go_once_t);
    pub fn once_do(o: *mut go_once_t, fn_: go_fn_t, arg: *mut c_void) -> c_int;

    // sync.h: Cond
    pub fn cond_new(mu: *mut go_mutex_t) -> *mut go_cond_t;
    pub fn cond_free(c: *mut go_cond_t);
    pub fn cond_wait(c: *mut go_cond_t) -> c_int;
    pub fn cond_signal(c: *mut go_cond_t) -> c_int;
    pub fn cond_broadcast(c: *mut go_cond_t) -> c_int;

    // chan.h. chan_send, chan_try_send, chan_close and go_select panic;
    // Rust uses the _err twins.
    pub fn chan_new(elem_size: usize, cap: usize) -> *mut go_chan_t;
    pub fn chan_free(ch: *mut go_chan_t);
    pub fn chan_send(ch: *mut go_chan_t, value: *const c_void) -> c_int;
    pub fn chan_recv(ch: *mut go_chan_t, out: *mut c_void) -> c_int;
    pub fn chan_try_send(ch: *mut go_chan_t, value: *const c_void) -> c_int;
    pub fn chan_try_recv(ch: *mut go_chan_t, out: *mut c_void, ok: *mut c_int) -> c_int;
    pub fn chan_close(ch: *mut go_chan_t) -> c_int;
    pub fn chan_len(ch: *mut go_chan_t) -> c_int;
    pub fn chan_cap(ch: *mut go_chan_t) -> c_int;
    pub fn chan_elem_size(ch: *mut go_chan_t) -> c_int;
    pub fn chan_send_err(ch: *mut go_chan_t, value: *const c_void) -> c_int;
    pub fn chan_try_send_err(ch: *mut go_chan_t, value: *const c_void) -> c_int;
    pub fn chan_close_err(ch: *mut go_chan_t) -> c_int;
    pub fn go_select(cases: *mut go_select_case_t, ncases: c_int) -> c_int;
    pub fn go_select_err(cases: *mut go_select_case_t, ncases: c_int) -> c_int;

    // time.h. go_ticker_new and go_ticker_reset panic on a non-positive
    // period; Rust uses the _err twins.
    pub fn go_nanotime() -> i64;
    pub fn go_after(ns: i64) -> *mut go_chan_t;
    pub fn go_timer_new(ns: i64) -> *mut go_timer_t;
    pub fn go_timer_func(ns: i64, fn_: go_fn_t, arg: *mut c_void) -> *mut go_timer_t;
    pub fn go_timer_chan(t: *mut go_timer_t) -> *mut go_chan_t;
    pub fn go_timer_stop(t: *mut go_timer_t) -> c_int;
    pub fn go_timer_reset(t: *mut go_timer_t, ns: i64) -> c_int;
    pub fn go_timer_free(t: *mut go_timer_t);
    pub fn go_ticker_new(period: i64) -> *mut go_ticker_t;
    pub fn go_ticker_new_err(period: i64) -> *mut go_ticker_t;
    pub fn go_ticker_chan(t: *mut go_ticker_t) -> *mut go_chan_t;
    pub fn go_ticker_stop(t: *mut go_ticker_t) -> c_int;
    pub fn go_ticker_reset(t: *mut go_ticker_t, period: i64) -> c_int;
    pub fn go_ticker_reset_err(t: *mut go_ticker_t, period: i64) -> c_int;
    pub fn go_ticker_free(t: *mut go_ticker_t);

    // pinned.h
    pub fn go_pinned_hooks_init(hooks: *mut go_pinned_hooks_t);
    pub fn go_pinned_set_hooks(hooks: *const go_pinned_hooks_t) -> c_int;
    pub fn go_spawn_pinned(fn_: go_fn_t, arg: *mut c_void) -> go_id_t;
    pub fn go_spawn_pinned_copy(fn_: go_fn_t, args: *const c_void, size: usize) -> go_id_t;
    pub fn go_is_pinned() -> c_int;

    // syscall.h. Between go_syscall_enter* and go_syscall_exit (and inside
    // a go_blocking function) the goroutine has no P: no gort call there.
    // A Rust panic must not unwind out of a go_blocking function.
    pub fn go_syscall_enter();
    pub fn go_syscall_enter_block();
    pub fn go_syscall_exit();
    pub fn go_blocking(fn_: go_blocking_fn_t, arg: *mut c_void) -> isize;
    pub fn go_preempt_point();
    pub fn go_sched_stats(st: *mut go_sched_stats_t) -> c_int;
    /// Since 0.6.0: every goroutine's stack to `fd`, in Go's format.
    pub fn go_dump(fd: c_int) -> c_int;
    /// Since 0.6.0: the SIGQUIT dump (`GO_SIGQUIT_OFF`, `_EXIT`, `_CONTINUE`).
    pub fn go_sigquit(mode: c_int) -> c_int;
    /// Since 0.6.0: the execution trace (Chrome trace-event JSON).
    pub fn go_trace_start(path: *const c_char) -> c_int;
    pub fn go_trace_stop() -> c_int;
    pub fn go_trace_flight_start(window_ns: i64, fatal_path: *const c_char) -> c_int;
    pub fn go_trace_flight_write(path: *const c_char) -> c_int;
    /// Since 0.6.0: every goroutine as data; returns how many exist.
    pub fn go_goroutines(buf: *mut go_goroutine_t, n: usize, flags: c_int) -> c_long;
    /// Since 0.6.0: one address as a trace's two lines; returns the whole length.
    pub fn go_symbolize(pc: usize, buf: *mut c_char, len: usize) -> c_int;

    // metrics.h (since 0.6.0). Any thread; go_metrics_read never parks.
    pub fn go_metrics_count() -> usize;
    pub fn go_metrics_desc(i: usize) -> *const go_metric_desc_t;
    pub fn go_metrics_read(samples: *mut go_metric_sample_t, n: usize) -> c_int;

    // defer.h. See the crate docs: panic_raise jumps, it never unwinds.
    pub fn defer_push(fn_: go_defer_fn_t, arg: *mut c_void) -> c_int;
    pub fn defer_push_copy(fn_: go_defer_fn_t, args: *const c_void, size: usize) -> c_int;
    /// Since 0.5.0: run now, and remove, the innermost frame's newest
    /// pending call fn(arg) pushed by defer_push (a scope guard's end).
    pub fn defer_run(fn_: go_defer_fn_t, arg: *mut c_void) -> c_int;
    pub fn go_call(fn_: go_fn_t, arg: *mut c_void) -> c_int;
    /// Start a gort panic; never returns. Only from a frame with nothing
    /// left to drop (see the crate docs).
    pub fn panic_raise(msg: *const c_char) -> !;
    pub fn panic_raise_value(value: *mut c_void, type_: *const go_panic_type_t) -> !;
    pub fn panic_recover(out: *mut go_recovered_t) -> c_int;
    pub fn go_exit() -> c_int;

    // io.h. -1 (NULL) and errno, not gort's negative codes; read errno with
    // go_errno() after a call that may park (see the crate docs).
    pub fn go_errno() -> c_int;
    pub fn go_fd_open(fd: c_int) -> *mut go_fd_t;
    pub fn go_fd_read(fd: *mut go_fd_t, buf: *mut c_void, len: usize) -> isize;
    pub fn go_fd_write(fd: *mut go_fd_t, buf: *const c_void, len: usize) -> isize;
    pub fn go_fd_accept(fd: *mut go_fd_t, addr: *mut sockaddr, addrlen: *mut socklen_t) -> *mut go_fd_t;
    pub fn go_fd_connect(fd: *mut go_fd_t, addr: *const sockaddr, addrlen: socklen_t) -> c_int;
    pub fn go_fd_wait(fd: *mut go_fd_t, events: c_int) -> c_int;
    pub fn go_fd_set_deadline(fd: *mut go_fd_t, which: c_int, deadline: i64) -> c_int;
    pub fn go_fd_shutdown(fd: *mut go_fd_t, how: c_int) -> c_int;
    pub fn go_fd_close(fd: *mut go_fd_t) -> c_int;
    pub fn go_fd_release(fd: *mut go_fd_t) -> c_int;
    pub fn go_fd_fileno(fd: *mut go_fd_t) -> c_int;
    pub fn go_poll_fd(fd: c_int, events: c_int, deadline: i64) -> c_int;

    // net.h
    pub fn go_listen(network: *const c_char, address: *const c_char) -> *mut go_fd_t;
    pub fn go_dial(network: *const c_char, address: *const c_char, deadline: i64) -> *mut go_fd_t;
    pub fn go_fd_local_addr(fd: *mut go_fd_t, buf: *mut c_char, size: usize) -> c_int;
    pub fn go_fd_peer_addr(fd: *mut go_fd_t, buf: *mut c_char, size: usize) -> c_int;
}
