//! Goroutines: spawning closures, go_main, and the scheduler's knobs.
use crate::defer::{drop_payload, raise, Goexit, Payload};
use crate::error::Error;
use crate::hook;
use gort_sys as sys;
use std::ffi::{CStr, CString};
use std::mem::{self, ManuallyDrop};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::time::Duration;

/// A goroutine id: >= 1, handed out in spawn order, never reused.
pub type GoId = i64;

/// Closures up to this size travel inside the goroutine record
/// (go_spawn_copy's inline arguments): no allocation per spawn.
const INLINE_CLOSURE_MAX: usize = 40;

/// A goroutine body ends with a Rust panic: make it a gort panic (Go's
/// "panic: MSG", "goroutine N [running]:", status 2), or let a Goexit end
/// the goroutine. Called by the trampolines after catch_unwind returned;
/// nothing in their frames is left to drop.
fn body_panicked(p: Payload, main: bool) {
    if p.is::<Goexit>() {
        drop_payload(p);
        if main {
            // Go: Goexit from main lets the others run; the runtime ends
            // the process when none is left.
            // SAFETY: called from the main goroutine's trampoline frame,
            // which holds nothing; go_exit never returns in a goroutine.
            unsafe { sys::go_exit() };
        }
        return;
    }
    raise(p)
}

#[inline]
fn run_body<F: FnOnce()>(f: F) {
    if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
        body_panicked(p, false);
    }
}

/// The trampoline of a closure copied into the goroutine (go_spawn_copy).
unsafe extern "C" fn tramp_copy<F: FnOnce() + Send>(arg: *mut sys::c_void) {
    // The runtime's copy may not be aligned for F: read it unaligned.
    // A zero-sized closure arrives as NULL.
    let f: F = if mem::size_of::<F>() == 0 {
        ptr::read(NonNull::<F>::dangling().as_ptr())
    } else {
        ptr::read_unaligned(arg as *const F)
    };
    run_body(f)
}

/// The trampoline of a boxed closure (go_spawn with a Box<F>).
unsafe extern "C" fn tramp_box<F: FnOnce() + Send>(arg: *mut sys::c_void) {
    let f = Box::from_raw(arg as *mut F);
    run_body(move || (*f)())
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Normal,
    Pinned,
}

fn spawn_closure<F: FnOnce() + Send + 'static>(f: F, kind: Kind) -> Result<GoId, Error> {
    // SAFETY: F is 'static: nothing it borrows can end before it runs.
    unsafe { spawn_closure_unchecked(f, kind) }
}

/// spawn_closure without the 'static bound, for the scoped API.
///
/// # Safety
/// Everything `f` borrows must outlive the goroutine's run of `f`: the
/// caller waits for it (crate::scope waits on a WaitGroup the body's guard
/// releases after `f` returned or unwound).
pub(crate) unsafe fn spawn_closure_unchecked<F: FnOnce() + Send>(f: F, kind: Kind) -> Result<GoId, Error> {
    hook::install();
    let size = mem::size_of::<F>();
    if size <= INLINE_CLOSURE_MAX {
        let f = ManuallyDrop::new(f);
        let p = &*f as *const F as *const sys::c_void;
        // SAFETY: the runtime copies `size` bytes of f now; the copy owns
        // the closure from then on (f is not dropped here) and the
        // trampoline reads it exactly once.
        let id = unsafe {
            match kind {
                Kind::Normal => sys::go_spawn_copy(Some(tramp_copy::<F>), p, size),
                Kind::Pinned => sys::go_spawn_pinned_copy(Some(tramp_copy::<F>), p, size),
            }
        };
        if id < 0 {
            // The callback will never be called: the closure is still ours.
            drop(ManuallyDrop::into_inner(f));
            return Err(Error::from_code(id as i32));
        }
        Ok(id)
    } else {
        let b = Box::into_raw(Box::new(f)) as *mut sys::c_void;
        // SAFETY: the trampoline takes the box back exactly once.
        let id = unsafe {
            match kind {
                Kind::Normal => sys::go_spawn(Some(tramp_box::<F>), b),
                Kind::Pinned => sys::go_spawn_pinned(Some(tramp_box::<F>), b),
            }
        };
        if id < 0 {
            // SAFETY: not handed over: the runtime never calls back on error.
            drop(unsafe { Box::from_raw(b as *mut F) });
            return Err(Error::from_code(id as i32));
        }
        Ok(id)
    }
}

/// Go's `go f()`: run `f` as a new goroutine on gort's scheduler (a switched
/// stack of 64 KiB, on any of GOMAXPROCS threads) and return its id.
///
/// A Rust panic that escapes `f` is Go's unrecovered panic: the process
/// prints `panic: MSG` and `goroutine N [running]:` and exits with status 2.
/// Panics (in the caller) when the goroutine cannot be started: see
/// [`try_go`].
pub fn go<F: FnOnce() + Send + 'static>(f: F) -> GoId {
    match try_go(f) {
        Ok(id) => id,
        Err(e) => panic!("gort::go: {}", e),
    }
}

/// [`go`], returning the error instead of panicking: `Error::NoMemory`,
/// `Error::Again` (no stack could be reserved) or `Error::Shutdown` (the
/// main goroutine of [`main`] returned).
pub fn try_go<F: FnOnce() + Send + 'static>(f: F) -> Result<GoId, Error> {
    spawn_closure(f, Kind::Normal)
}

/// Run `f` as a pinned goroutine: a goroutine whose body runs on a pooled
/// native thread's own stack (gort/pinned.h), for code that must not run
/// on a switched stack or must stay on one OS thread. Blocking calls block
/// its thread. Panics as [`go`].
pub fn go_pinned<F: FnOnce() + Send + 'static>(f: F) -> GoId {
    match spawn_closure(f, Kind::Pinned) {
        Ok(id) => id,
        Err(e) => panic!("gort::go_pinned: {}", e),
    }
}

/// Spawn attributes: a goroutine's name (shown in diagnostics) and stack size.
///
/// ```
/// let wg = gort::WaitGroup::new();
/// wg.add(1);
/// let w = wg.clone();
/// gort::Builder::new()
///     .name("worker")
///     .stack_size(1 << 20)
///     .spawn(move || {
///         assert_eq!(gort::name().as_deref(), Some("worker"));
///         w.done();
///     })
///     .unwrap();
/// wg.wait();
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<CString>,
    stack_size: usize,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The goroutine's name (at most 31 bytes are kept; a NUL ends it).
    pub fn name(mut self, name: &str) -> Builder {
        let end = name.find('\0').unwrap_or(name.len());
        self.name = CString::new(&name[..end]).ok();
        self
    }

    /// The stack size in bytes: rounded up to a power of two, at least
    /// 16 KiB; 0 is the default (64 KiB); more than 1 GiB is `Error::Invalid`.
    pub fn stack_size(mut self, bytes: usize) -> Builder {
        self.stack_size = bytes;
        self
    }

    /// Start the goroutine.
    pub fn spawn<F: FnOnce() + Send + 'static>(self, f: F) -> Result<GoId, Error> {
        hook::install();
        // SAFETY: go_attr_t is plain data; go_attr_init fills it.
        let mut attr: sys::go_attr_t = unsafe { mem::zeroed() };
        unsafe { sys::go_attr_init(&mut attr) };
        attr.stack_size = self.stack_size;
        attr.name = self.name.as_ref().map_or(ptr::null(), |n| n.as_ptr());
        let f = ManuallyDrop::new(f);
        let size = mem::size_of::<F>();
        attr.arg_size = size;
        // A zero-sized closure: no copy (the trampoline makes one up).
        let arg = if size == 0 { ptr::null_mut() } else { &*f as *const F as *mut sys::c_void };
        // SAFETY: as in spawn_closure: the runtime copies the closure's bytes
        // (and the name) now, and the copy owns the closure.
        let id = unsafe { sys::go_spawn_attr(&attr, Some(tramp_copy::<F>), arg) };
        if id < 0 {
            drop(ManuallyDrop::into_inner(f));
            return Err(Error::from_code(id as i32));
        }
        Ok(id)
    }
}

struct MainCtx<F, R> {
    f: Option<F>,
    r: Option<R>,
}

unsafe extern "C" fn tramp_main<F: FnOnce() -> R + Send, R: Send>(arg: *mut sys::c_void) {
    let ctx = &mut *(arg as *mut MainCtx<F, R>);
    let f = match ctx.f.take() {
        Some(f) => f,
        None => return,
    };
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => ctx.r = Some(r),
        Err(p) => body_panicked(p, true),
    }
}

/// Go's program model: run `f` as the main goroutine (goroutine 1, on an
/// 8 MiB stack) and return its result when it returns. As in Go, when main
/// returns the program is over: the other goroutines never run again. When
/// every goroutine is blocked on gort, the process ends with Go's
/// `fatal error: all goroutines are asleep - deadlock!` (status 2).
/// A panic escaping `f` is Go's unrecovered panic (status 2).
///
/// Panics when called twice in a process or from a goroutine (see
/// [`try_main`]). The runtime starts on first use anyway: `main` is optional.
pub fn main<F: FnOnce() -> R + Send, R: Send>(f: F) -> R {
    match try_main(f) {
        Ok(r) => r,
        Err(e) => panic!("gort::main: {}", e),
    }
}

/// [`main`], returning `Error::Already` (called before) or
/// `Error::Permission` (called from a goroutine) instead of panicking.
pub fn try_main<F: FnOnce() -> R + Send, R: Send>(f: F) -> Result<R, Error> {
    hook::install();
    let mut ctx = MainCtx { f: Some(f), r: None };
    // SAFETY: go_main returns only after the main goroutine's body (the
    // trampoline) returned, so ctx outlives every use of the pointer.
    let rc = unsafe { sys::go_main(Some(tramp_main::<F, R>), &mut ctx as *mut MainCtx<F, R> as *mut sys::c_void) };
    Error::check(rc as i64)?;
    Ok(ctx.r.take().expect("gort::main: the main goroutine did not return a value"))
}

/// Go's `runtime.Gosched`: let other goroutines run.
pub fn yield_now() {
    // SAFETY: no arguments.
    unsafe { sys::go_yield() }
}

pub(crate) fn duration_ns(d: Duration) -> i64 {
    d.as_nanos().min(i64::MAX as u128) as i64
}

/// Go's `time.Sleep`: park the calling goroutine (or block the calling
/// thread, when it is not a goroutine) for at least `d`.
pub fn sleep(d: Duration) {
    // SAFETY: no pointers.
    unsafe { sys::go_sleep(duration_ns(d)) }
}

/// The calling goroutine's id, or 0 when the caller is not a goroutine.
pub fn id() -> GoId {
    // SAFETY: a plain query.
    unsafe { sys::go_id() }
}

/// The calling goroutine's name (`Some("")` when it has none), or `None`
/// when the caller is not a goroutine.
pub fn name() -> Option<String> {
    // SAFETY: the string is valid until the goroutine ends; copied now.
    unsafe {
        let p = sys::go_name();
        if p.is_null() {
            None
        } else {
            Some(CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }
}

/// Whether the caller is a pinned goroutine.
pub fn is_pinned() -> bool {
    // SAFETY: a plain query.
    unsafe { sys::go_is_pinned() == 1 }
}

/// Every goroutine's stack, in Go's format (`runtime.Stack(buf, true)`):
/// the caller first when it is a goroutine, then the others; a goroutine
/// running on another thread shows Go's "goroutine running on other
/// thread; stack unavailable". The program keeps running.
pub fn dump() -> String {
    use std::io::{Read, Seek, SeekFrom};
    use std::os::fd::{AsRawFd, FromRawFd};
    // An anonymous in-memory file: go_dump writes to a file descriptor.
    // SAFETY: memfd_create with a NUL-terminated name; the fd is owned by
    // the File from here on.
    let fd = unsafe { libc_memfd_create(b"gort-dump\0".as_ptr().cast(), 1) };
    if fd < 0 {
        return String::new();
    }
    let mut file = unsafe { std::fs::File::from_raw_fd(fd) };
    // SAFETY: a valid fd, open for writing.
    if unsafe { sys::go_dump(file.as_raw_fd()) } != 0 {
        return String::new();
    }
    let mut text = String::new();
    if file.seek(SeekFrom::Start(0)).is_ok() {
        let mut bytes = Vec::new();
        let _ = file.read_to_end(&mut bytes);
        text = String::from_utf8_lossy(&bytes).into_owned();
    }
    text
}

fn c_path(path: &std::path::Path) -> Result<std::ffi::CString, Error> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(path.as_os_str().as_bytes()).map_err(|_| Error::Invalid)
}

// 0, or the C code: GO_EALREADY, GO_EINVAL, or -errno of a failed write
// (Error::Other).
fn trace_result(rc: std::os::raw::c_int) -> Result<(), Error> {
    Error::check(i64::from(rc)).map(|_| ())
}

/// Start the execution trace: what ran where and when, written as Chrome
/// trace-event JSON (Perfetto, chrome://tracing) to `path` by
/// [`trace_stop`]. `Error::Already` while a trace or flight recording runs.
pub fn trace_start<P: AsRef<std::path::Path>>(path: P) -> Result<(), Error> {
    let p = c_path(path.as_ref())?;
    // SAFETY: a NUL-terminated path.
    trace_result(unsafe { sys::go_trace_start(p.as_ptr()) })
}

/// Stop the trace (writing it) or the flight recorder (discarding it).
pub fn trace_stop() -> Result<(), Error> {
    // SAFETY: no argument.
    trace_result(unsafe { sys::go_trace_stop() })
}

/// The flight recorder: keep the last `window` of the execution trace in
/// memory; with `fatal_path`, a fatal error writes it there.
pub fn trace_flight_start<P: AsRef<std::path::Path>>(
    window: std::time::Duration,
    fatal_path: Option<P>,
) -> Result<(), Error> {
    let fp = match fatal_path {
        Some(p) => Some(c_path(p.as_ref())?),
        None => None,
    };
    let ns = i64::try_from(window.as_nanos()).unwrap_or(i64::MAX);
    // SAFETY: a NUL-terminated path or null.
    trace_result(unsafe {
        sys::go_trace_flight_start(ns, fp.as_ref().map_or(std::ptr::null(), |p| p.as_ptr()))
    })
}

/// Write the flight recorder's last window to `path`.
pub fn trace_flight_write<P: AsRef<std::path::Path>>(path: P) -> Result<(), Error> {
    let p = c_path(path.as_ref())?;
    // SAFETY: a NUL-terminated path.
    trace_result(unsafe { sys::go_trace_flight_write(p.as_ptr()) })
}

/// A goroutine's state in a [`goroutines`] snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoState {
    /// Executing on a thread.
    Running,
    /// Ready, waiting for a processor.
    Runnable,
    /// Blocked in gort: `wait_reason` says on what.
    Waiting,
    /// Inside a system call (counts as running, as in Go).
    Syscall,
}

/// One goroutine of a [`goroutines`] snapshot.
#[derive(Debug, Clone)]
pub struct GoroutineInfo {
    pub id: GoId,
    /// The goroutine whose spawn made it (0: a plain thread, or none).
    pub parent: GoId,
    pub state: GoState,
    /// A pinned goroutine, on a thread of its own.
    pub locked: bool,
    /// Go's wait reason ("chan receive", "select", ...) while waiting.
    pub wait_reason: Option<&'static str>,
    /// How long it has waited (known to 10 s), while waiting.
    pub waited: Option<std::time::Duration>,
    pub name: String,
    /// Its stack as trace lines ("function(...)\n\tfile:line +0xOFF"),
    /// innermost first, gort's own frames left out.
    pub frames: Vec<String>,
    /// Where it was created, as a trace's lines (None for the main one).
    pub created_at: Option<String>,
}

fn symbolize(pc: usize) -> String {
    let mut buf = vec![0u8; 512];
    // SAFETY: buf is writable for its length.
    let n = unsafe { sys::go_symbolize(pc, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return String::new();
    }
    if n as usize >= buf.len() {
        buf = vec![0u8; n as usize + 1];
        // SAFETY: as above.
        unsafe { sys::go_symbolize(pc, buf.as_mut_ptr().cast(), buf.len()) };
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// Every goroutine that exists now (gort's `go_goroutines`), with its
/// stack: Go's running/blocked distinction as data. Not one instant: each
/// goroutine is read in turn.
pub fn goroutines() -> Vec<GoroutineInfo> {
    let mut cap = 64usize;
    loop {
        // SAFETY: a zeroed go_goroutine_t is a valid value (integers, null
        // pointer, arrays); size is set in the first element as the C API asks.
        let mut buf: Vec<sys::go_goroutine_t> = vec![unsafe { std::mem::zeroed() }; cap];
        buf[0].size = std::mem::size_of::<sys::go_goroutine_t>();
        // SAFETY: buf holds cap entries.
        let n = unsafe { sys::go_goroutines(buf.as_mut_ptr(), cap, sys::GO_SNAPSHOT_STACKS) };
        if n < 0 {
            return Vec::new();
        }
        let n = n as usize;
        if n > cap {
            cap = n + n / 4 + 8;
            continue;
        }
        return buf[..n]
            .iter()
            .map(|e| {
                let state = match e.state {
                    sys::GO_GSTATE_RUNNING => GoState::Running,
                    sys::GO_GSTATE_RUNNABLE => GoState::Runnable,
                    sys::GO_GSTATE_WAITING => GoState::Waiting,
                    _ => GoState::Syscall,
                };
                let wait_reason = if e.wait_reason.is_null() {
                    None
                } else {
                    // SAFETY: gort's wait reasons are static NUL-terminated strings.
                    unsafe { std::ffi::CStr::from_ptr(e.wait_reason) }.to_str().ok()
                };
                let name_bytes: Vec<u8> =
                    e.name.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
                GoroutineInfo {
                    id: e.id,
                    parent: e.parent,
                    state,
                    locked: e.locked != 0,
                    wait_reason,
                    waited: if e.wait_ns >= 0 {
                        Some(std::time::Duration::from_nanos(e.wait_ns as u64))
                    } else {
                        None
                    },
                    name: String::from_utf8_lossy(&name_bytes).into_owned(),
                    frames: e.frames[..(e.nframes.max(0) as usize).min(sys::GO_GSTACK_MAX)]
                        .iter()
                        .map(|&pc| symbolize(pc))
                        .collect(),
                    created_at: if e.created_at != 0 { Some(symbolize(e.created_at)) } else { None },
                }
            })
            .collect();
    }
}

/// Dump every goroutine's stack to stderr (Go's SIGQUIT text) when the
/// process gets SIGQUIT: then exit with status 2 (`exit = true`, Go's
/// behaviour) or go on. Off by default: `sigquit_off()` restores it.
pub fn sigquit_dump(exit: bool) {
    let mode = if exit { sys::GO_SIGQUIT_EXIT } else { sys::GO_SIGQUIT_CONTINUE };
    // SAFETY: a valid mode.
    unsafe { sys::go_sigquit(mode) };
}

/// SIGQUIT back to what it was before `sigquit_dump`.
pub fn sigquit_off() {
    // SAFETY: a valid mode.
    unsafe { sys::go_sigquit(sys::GO_SIGQUIT_OFF) };
}

extern "C" {
    #[link_name = "memfd_create"]
    fn libc_memfd_create(name: *const std::os::raw::c_char, flags: std::os::raw::c_uint) -> std::os::raw::c_int;
}

/// Go's `runtime.NumGoroutine`: goroutines that exist now.
pub fn num_goroutine() -> usize {
    // SAFETY: a plain query.
    unsafe { sys::go_num_goroutine() }.max(0) as usize
}

/// Go's `runtime.NumCPU`.
pub fn num_cpu() -> usize {
    // SAFETY: a plain query.
    unsafe { sys::go_num_cpu() }.max(1) as usize
}

/// Go's `runtime.GOMAXPROCS(n)`: `n < 1` queries; otherwise sets the number
/// of logical processors (capped at 256). Returns the previous value.
pub fn gomaxprocs(n: i32) -> usize {
    // SAFETY: any value is accepted.
    unsafe { sys::go_maxprocs(n) }.max(1) as usize
}

/// The loaded library's version string ("0.7.0").
pub fn version() -> &'static str {
    // SAFETY: a static string.
    unsafe { CStr::from_ptr(sys::go_version()) }.to_str().unwrap_or("?")
}
