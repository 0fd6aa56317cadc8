//! Scoped goroutines: [`scope`] and [`GoScope`], whose goroutines may
//! borrow from the caller's stack, as `std::thread::scope` lets threads do.
//!
//! `gort::go` needs `'static` closures, so sharing data means an `Arc`
//! (and a WaitGroup handle, itself an `Arc`) per goroutine. A scope owns one
//! WaitGroup and waits on it before it returns: every goroutine it started
//! has finished by then, so they may borrow anything that outlives the
//! scope, and a spawn costs what `go_spawn_copy` costs in C (the closure,
//! with the scope's WaitGroup pointer, travels inside the goroutine record
//! when it is small: no allocation, no reference count).
use crate::error::Error;
use crate::runtime::{spawn_closure_unchecked, GoId, Kind};
use gort_sys as sys;
use std::marker::PhantomData;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// The handle [`scope`] passes to its closure: [`GoScope::go`] starts
/// goroutines that may borrow for `'env`. Goroutines of the scope may
/// spawn more through the same `&GoScope`.
pub struct GoScope<'scope, 'env: 'scope> {
    wg: *mut sys::go_wg_t,
    // Invariant in both lifetimes, as std::thread::Scope: 'scope must not
    // shrink (a goroutine could outlive what it borrows) nor 'env grow.
    _scope: PhantomData<&'scope mut &'scope ()>,
    _env: PhantomData<&'env mut &'env ()>,
}

// SAFETY: the WaitGroup is gort's, safe to use from any thread; the scope
// hands out nothing else.
unsafe impl Sync for GoScope<'_, '_> {}
unsafe impl Send for GoScope<'_, '_> {}

/// The scope's WaitGroup, sent into each goroutine.
struct WgPtr(*mut sys::go_wg_t);
// SAFETY: as GoScope's.
unsafe impl Send for WgPtr {}

/// Marks the goroutine done when its closure returns or unwinds (a Rust
/// panic about to become Go's unrecovered panic, or a Goexit).
struct Done(WgPtr);
impl Drop for Done {
    fn drop(&mut self) {
        // SAFETY: the scope's WaitGroup lives until its wait returned, which
        // needs this very done. The _err twin never panics; the counter
        // cannot go negative (one add per goroutine).
        unsafe { sys::wg_add_err((self.0).0, -1) };
    }
}

/// Run `f` with a [`GoScope`], then wait for every goroutine started in
/// the scope, and return `f`'s result. Like `std::thread::scope`:
///
/// ```
/// let mut counts = vec![0u64; 4];
/// let words = ["go", "gort", "goroutine"];
/// gort::scope(|s| {
///     for (i, c) in counts.iter_mut().enumerate() {
///         s.go(move || *c = words.iter().filter(|w| w.len() > i).count() as u64);
///     }
/// });
/// assert_eq!(counts, [3, 3, 2, 2]);
/// ```
///
/// A Rust panic in `f` is passed on after the scope's goroutines finished;
/// one in a scoped goroutine is Go's unrecovered panic (as with
/// [`go`](crate::go)): the process ends with status 2.
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope GoScope<'scope, 'env>) -> T,
{
    // SAFETY: no arguments.
    let wg = unsafe { sys::wg_new() };
    if wg.is_null() {
        panic!("gort::scope: {}", Error::NoMemory);
    }
    let s = GoScope { wg, _scope: PhantomData, _env: PhantomData };
    let r = catch_unwind(AssertUnwindSafe(|| f(&s)));
    // Whatever f did, nothing may outlive the borrows: wait for all.
    // SAFETY: a live WaitGroup; the _err twin never panics (its only
    // errors are misuse this module cannot commit).
    unsafe { sys::wg_wait_err(wg) };
    // SAFETY: no goroutine of the scope uses it any more (each one's last
    // gort call on it was the done that released the wait).
    unsafe { sys::wg_free(wg) };
    match r {
        Ok(v) => v,
        Err(p) => resume_unwind(p),
    }
}

impl<'scope, 'env> GoScope<'scope, 'env> {
    /// Go's `go f()` for a closure that may borrow what outlives the scope;
    /// returns the goroutine's id. Panics when the goroutine cannot be
    /// started (see [`GoScope::try_go`]).
    pub fn go<F: FnOnce() + Send + 'scope>(&'scope self, f: F) -> GoId {
        match self.try_go(f) {
            Ok(id) => id,
            Err(e) => panic!("gort::scope: go: {}", e),
        }
    }

    /// [`GoScope::go`], returning the error instead of panicking
    /// (`Error::NoMemory`, `Error::Again`, `Error::Shutdown`).
    pub fn try_go<F: FnOnce() + Send + 'scope>(&'scope self, f: F) -> Result<GoId, Error> {
        // SAFETY: a live WaitGroup; the _err twin never panics.
        Error::check(unsafe { sys::wg_add_err(self.wg, 1) } as i64)?;
        let done = Done(WgPtr(self.wg));
        let body = move || {
            let _done = done;
            f()
        };
        // SAFETY: the scope waits for this goroutine's done (run by the
        // body's guard after f returned or unwound) before 'scope ends, so
        // everything f borrows outlives its run.
        unsafe { spawn_closure_unchecked(body, Kind::Normal) }
        // On an error the closure was dropped unrun: its guard's done took
        // the add back.
    }
}
