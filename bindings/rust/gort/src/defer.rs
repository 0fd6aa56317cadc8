//! defer, panic, recover and Goexit, Go-style, on top of Rust unwinding.
//!
//! A Go panic here is a Rust panic. [`call`] runs a closure as one Go
//! function call: it catches the panic (`catch_unwind`), runs the closures
//! deferred with [`Scope::defer`] in reverse order, and lets a deferred
//! closure stop the panic with [`recover`]. A panic nobody recovers goes on
//! unwinding to the caller of [`call`]; one that reaches the top of a
//! goroutine becomes a gort panic there, which prints Go's
//! `panic: MSG` / `goroutine N [running]:` and ends the process with status 2.
//!
//! Deferred closures run after the panicking code was unwound (not on top of
//! it, as in Go), so they may block on channels, WaitGroups and mutexes. A
//! gort panic (a C-level jump) never crosses Rust frames: the safe layer
//! uses the C API's `_err` twins only.
//!
//! # Differences from Go
//! - The deferred closures see what the body left alive: values moved into
//!   them, or borrowed from outside the call (the compiler enforces it).
//! - `recover()` works in a deferred closure run by the panic and in the
//!   plain functions it calls (Go: only directly in the deferred function);
//!   a nested [`call`] hides the panic, as a nested Go call does.
//! - Rust `Drop` code runs while the panic unwinds: it must not block on
//!   gort (a goroutine that parks may resume on another OS thread, and Rust
//!   counts panics per OS thread). Put blocking clean-up in a deferred closure.
//! - While a goroutine or [`call`] unwinds, Rust's panic hook stays silent
//!   (Go prints nothing for a recovered panic): the message is printed once,
//!   by gort when the panic ends the process, or when it leaves the outermost
//!   [`call`] of a thread that is not a goroutine.
use crate::hook;
use gort_sys as sys;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::fmt;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub(crate) type Payload = Box<dyn Any + Send + 'static>;

/// The payload of [`goexit`]: not a panic; `recover` does not see it.
pub(crate) struct Goexit;

/// A panic raised by a deferred closure while an older panic was running:
/// Go prints both ("panic: A" newline, tab, "panic: B"); recover returns
/// the newest.
pub(crate) struct Chained {
    earlier: Vec<String>,
    last: Payload,
}

/// A recovered panic: what [`recover`] returns (Go's `recover()` value).
pub struct Panic {
    payload: Payload,
}

impl Panic {
    /// The panic's text: the message of `panic!("...")`, or
    /// `"Box<dyn Any>"` for a payload that is not a string.
    pub fn message(&self) -> String {
        message(&*self.payload)
    }

    /// The payload, as `std::panic::catch_unwind` would give it.
    pub fn payload(&self) -> &(dyn Any + Send) {
        &*self.payload
    }

    /// The payload, to inspect or to panic again with
    /// `std::panic::resume_unwind`.
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        self.payload
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Panic").field(&self.message()).finish()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// The text Go would print for a panic payload (as `catch_unwind` returns
/// it): the message of `panic!`, the chain "A\n\tpanic: B" of a panic
/// raised by a deferred closure while another ran (such a payload is of a
/// private type), or `"Box<dyn Any>"`.
pub fn panic_message(p: &(dyn Any + Send)) -> String {
    message(p)
}

pub(crate) fn message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else if let Some(c) = p.downcast_ref::<Chained>() {
        let mut s = c.earlier.join("\n\tpanic: ");
        s.push_str("\n\tpanic: ");
        s.push_str(&message(&*c.last));
        s
    } else if let Some(p) = p.downcast_ref::<Panic>() {
        p.message()
    } else if p.is::<Goexit>() {
        "runtime.Goexit".to_string()
    } else {
        "Box<dyn Any>".to_string()
    }
}

/// Drop a payload whose destructor might itself panic.
pub(crate) fn drop_payload(p: Payload) {
    if let Err(inner) = catch_unwind(AssertUnwindSafe(move || drop(p))) {
        std::mem::forget(inner);
    }
}

fn into_c(msg: String) -> *mut sys::c_char {
    let bytes: Vec<u8> = msg.into_bytes().into_iter().map(|b| if b == 0 { b'?' } else { b }).collect();
    CString::new(bytes).map(CString::into_raw).unwrap_or(std::ptr::null_mut())
}

/// Turn a Rust panic that reached the top of a goroutine into a gort panic.
/// The caller's frame and this one hold nothing that needs dropping when
/// panic_raise is called: the payload is dropped and the message is handed
/// over as a raw pointer (leaked: the process is ending).
pub(crate) fn raise(p: Payload) -> ! {
    let msg = into_c(message(&*p));
    drop_payload(p);
    // SAFETY: nothing is left to drop in this frame, and the trampolines
    // that call this hold nothing either (see the module docs).
    unsafe { sys::panic_raise(msg) }
}

// ------------------------------------------------------------ the registry
//
// recover() must find the panic of the deferred closure running on the
// calling goroutine. Thread-local storage cannot hold it (a goroutine moves
// between OS threads), so a small global registry maps a goroutine (its id,
// or a per-thread key for threads that are not goroutines) to a stack of
// entries: Panicking while a deferred closure runs for a panic, Hidden for
// a call() entered since (a nested frame hides the panic, as in Go). The
// registry is touched only while some goroutine is running a panic's
// deferred closures (ACTIVE > 0), so call() costs one atomic load otherwise.

struct PanicState {
    payload: Option<Payload>,
    /// The message of a panic recovered during the running deferred
    /// closure: Go prints it as "A [recovered]" if the closure panics again.
    recovered: Option<String>,
}

enum Entry {
    Hidden,
    Panicking(*mut PanicState),
}

struct Registry(Vec<(i64, Vec<Entry>)>);

// SAFETY: a Panicking pointer is only dereferenced by the goroutine (or
// thread) that registered it, while the frame that owns it is suspended in
// the deferred closure; the registry only carries it.
unsafe impl Send for Registry {}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry(Vec::new()));
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static NEXT_THREAD_KEY: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    // Keys for threads that are not goroutines (they never migrate, so
    // thread-local storage is theirs): negative, never a goroutine id.
    static THREAD_KEY: Cell<i64> = const { Cell::new(0) };
}

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// The calling goroutine's key, and whether it is a thread that is not a
/// goroutine.
fn current_key() -> (i64, bool) {
    // SAFETY: a plain query.
    let id = unsafe { sys::go_id() };
    if id != 0 {
        return (id, false);
    }
    let k = THREAD_KEY.with(|k| {
        if k.get() == 0 {
            k.set(-(NEXT_THREAD_KEY.fetch_add(1, Ordering::Relaxed) as i64));
        }
        k.get()
    });
    (k, true)
}

impl Registry {
    fn stack(&mut self, key: i64) -> Option<&mut Vec<Entry>> {
        self.0.iter_mut().find(|(k, _)| *k == key).map(|(_, s)| s)
    }

    fn push(&mut self, key: i64, e: Entry) {
        if let Some(s) = self.stack(key) {
            s.push(e);
            return;
        }
        self.0.push((key, vec![e]));
        ACTIVE.fetch_add(1, Ordering::SeqCst);
    }

    fn pop(&mut self, key: i64) {
        let i = match self.0.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => return,
        };
        self.0[i].1.pop();
        if self.0[i].1.is_empty() {
            self.0.swap_remove(i);
            ACTIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Go's `recover()`: inside a closure deferred with [`Scope::defer`] that
/// runs because of a panic, stop the panic and return its value; otherwise
/// (no panic, or called from a nested [`call`]) return `None`.
/// A panic stopped this way makes its [`call`] return `None` once the
/// remaining deferred closures ran. [`goexit`] cannot be recovered.
pub fn recover() -> Option<Panic> {
    if ACTIVE.load(Ordering::SeqCst) == 0 {
        return None;
    }
    let (key, _) = current_key();
    let mut reg = registry();
    let st = match reg.stack(key).and_then(|s| s.last()) {
        Some(Entry::Panicking(st)) => *st,
        _ => return None,
    };
    // SAFETY: registered by this goroutine's own call(), which is suspended
    // in the deferred closure that (directly or not) called us.
    let st = unsafe { &mut *st };
    match st.payload.take() {
        Some(p) if p.is::<Goexit>() => {
            st.payload = Some(p);
            None
        }
        Some(p) => {
            let p = match p.downcast::<Chained>() {
                Ok(c) => c.last,
                Err(p) => p,
            };
            st.recovered = Some(message(&*p));
            Some(Panic { payload: p })
        }
        None => None,
    }
}

/// Go's `runtime.Goexit`: end the calling goroutine after running the
/// deferred closures of every [`call`] it is in. Not a panic: `recover`
/// returns `None` during it. Implemented as an unwind, so Rust destructors
/// run too (a `catch_unwind` of your own would stop it: do not use one
/// around code that may call goexit). Panics when the caller is not a
/// goroutine.
pub fn goexit() -> ! {
    // SAFETY: a plain query.
    if unsafe { sys::go_id() } == 0 {
        panic!("gort::goexit: not called from a goroutine");
    }
    hook::install();
    resume_unwind(Box::new(Goexit))
}

/// The deferred closures of one [`call`].
pub struct Scope<'env> {
    defers: RefCell<Vec<Box<dyn FnOnce() + 'env>>>,
    // Invariant in 'env, as std::thread::Scope: a deferred closure cannot
    // borrow anything that dies before the call ends.
    _env: PhantomData<&'env mut &'env ()>,
}

impl<'env> Scope<'env> {
    /// Go's `defer f()`: run `f` when the call ends, after the body returned
    /// or panicked, in reverse order of deferring. `f` may block, spawn, and
    /// call [`recover`].
    pub fn defer<F: FnOnce() + 'env>(&self, f: F) {
        self.defers.borrow_mut().push(Box::new(f));
    }
}

/// The frame of one call(): whether it pushed a Hidden entry, and the
/// depth of call()s on a thread that is not a goroutine (for the hook).
struct Frame {
    key: i64,
    foreign: bool,
    hidden: bool,
}

impl Frame {
    fn enter() -> Frame {
        let (key, foreign) = current_key();
        if foreign {
            hook::enter_foreign();
        }
        let mut hidden = false;
        if ACTIVE.load(Ordering::SeqCst) > 0 {
            let mut reg = registry();
            if let Some(s) = reg.stack(key) {
                s.push(Entry::Hidden);
                hidden = true;
            }
        }
        Frame { key, foreign, hidden }
    }

    /// Leave the frame; returns true when it was the outermost call() of a
    /// thread that is not a goroutine.
    fn leave(&self) -> bool {
        if self.hidden {
            registry().pop(self.key);
        }
        self.foreign && hook::leave_foreign()
    }
}

/// Run one deferred closure; `panic` is the panic running now (if any).
/// Returns the panic running afterwards.
fn run_deferred(key: i64, d: Box<dyn FnOnce() + '_>, panic: Option<Payload>) -> Option<Payload> {
    if panic.is_none() {
        return catch_unwind(AssertUnwindSafe(d)).err();
    }
    let mut st = PanicState { payload: panic, recovered: None };
    let stp: *mut PanicState = &mut st;
    registry().push(key, Entry::Panicking(stp));
    let r = catch_unwind(AssertUnwindSafe(d));
    registry().pop(key);
    // The pointer is gone from the registry: st is ours again.
    let p2 = match r {
        Ok(()) => return st.payload,
        Err(p2) => p2,
    };
    if p2.is::<Goexit>() {
        // Goexit during a panic ends the panic (Go does not print it).
        if let Some(old) = st.payload {
            drop_payload(old);
        }
        return Some(p2);
    }
    let mut earlier = Vec::new();
    match st.payload.take() {
        Some(old) if !old.is::<Goexit>() => match old.downcast::<Chained>() {
            Ok(c) => {
                let c = *c;
                earlier = c.earlier;
                earlier.push(message(&*c.last));
                drop_payload(c.last);
            }
            Err(old) => {
                earlier.push(message(&*old));
                drop_payload(old);
            }
        },
        Some(old) => drop_payload(old),
        None => {
            if let Some(m) = st.recovered.take() {
                earlier.push(format!("{} [recovered]", m));
            }
        }
    }
    if earlier.is_empty() {
        return Some(p2);
    }
    let last = match p2.downcast::<Chained>() {
        Ok(c) => {
            let c = *c;
            earlier.extend(c.earlier);
            c.last
        }
        Err(p2) => p2,
    };
    Some(Box::new(Chained { earlier, last }))
}

/// Run `f` as one Go function call with a defer stack.
///
/// Returns `Some(result)` when `f` returned, and `None` when `f` panicked
/// and a deferred closure recovered the panic. A panic that no deferred
/// closure recovers goes on to the caller after every deferred closure ran,
/// with its original payload (or, when a deferred closure panicked during
/// the panic, a chain whose text [`panic_message`] gives).
///
/// ```
/// let log = std::cell::RefCell::new(Vec::new());
/// let r = gort::call(|s| {
///     s.defer(|| log.borrow_mut().push("first deferred, runs last".to_string()));
///     s.defer(|| {
///         if let Some(p) = gort::recover() {
///             log.borrow_mut().push(format!("recovered: {}", p));
///         }
///     });
///     panic!("disk on fire");
/// });
/// assert!(r.is_none());
/// assert_eq!(*log.borrow(), ["recovered: disk on fire", "first deferred, runs last"]);
/// ```
///
/// A deferred closure cannot borrow the body's locals (they are gone when
/// it runs), as with go_call in C:
///
/// ```compile_fail
/// gort::call(|s| {
///     let local = String::from("gone");
///     s.defer(|| println!("{}", local));
/// });
/// ```
pub fn call<'env, R, F>(f: F) -> Option<R>
where
    F: FnOnce(&Scope<'env>) -> R,
{
    hook::install();
    let frame = Frame::enter();
    let scope = Scope { defers: RefCell::new(Vec::new()), _env: PhantomData };
    let (out, mut panic) = match catch_unwind(AssertUnwindSafe(|| f(&scope))) {
        Ok(r) => (Some(r), None),
        Err(p) => (None, Some(p)),
    };
    loop {
        // The borrow ends before the closure runs (it cannot reach the
        // scope, but stay clear of RefCell re-entrance all the same).
        let d = scope.defers.borrow_mut().pop();
        match d {
            Some(d) => panic = run_deferred(frame.key, d, panic),
            None => break,
        }
    }
    let outermost_foreign = frame.leave();
    match panic {
        None => out,
        Some(p) => {
            if outermost_foreign && !p.is::<Goexit>() {
                hook::report_foreign(&message(&*p));
            }
            resume_unwind(p)
        }
    }
}
