//! A panic hook that stays silent while gort owns the panic.
//!
//! Go prints nothing for a panic that a deferred call recovers, and prints
//! `panic: MSG` once for one that ends the program. Rust's default hook
//! prints at the panic site, before anyone could recover. So gort installs
//! (once, chained to the hook installed before it) a hook that stays quiet
//! when the panic happens in a goroutine (its top is gort's trampoline,
//! which hands it to the runtime: Go's text and status 2) or inside a
//! [`crate::call`] on a thread that is not a goroutine (the outermost call
//! prints it, in Rust's format, if it escapes). Everywhere else the previous
//! hook runs as usual.
use gort_sys as sys;
use std::cell::{Cell, RefCell};
use std::sync::Once;

static INSTALL: Once = Once::new();

thread_local! {
    // Only for threads that are not goroutines (they never migrate).
    static FOREIGN_DEPTH: Cell<usize> = const { Cell::new(0) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub(crate) fn install() {
    // With panic = "abort" nothing can be caught or recovered: Rust's own
    // hook prints the message before the abort, so leave it alone.
    if cfg!(panic = "abort") || INSTALL.is_completed() {
        return;
    }
    // take_hook panics on a panicking thread; install later then.
    if std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // SAFETY: a plain query.
            if unsafe { sys::go_id() } != 0 {
                return;
            }
            if FOREIGN_DEPTH.with(|d| d.get()) > 0 {
                let loc = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                LAST_LOCATION.with(|l| *l.borrow_mut() = loc);
                return;
            }
            prev(info)
        }));
    });
}

pub(crate) fn enter_foreign() {
    FOREIGN_DEPTH.with(|d| d.set(d.get() + 1));
}

/// Returns true when the outermost call() of this thread was left.
pub(crate) fn leave_foreign() -> bool {
    FOREIGN_DEPTH.with(|d| {
        d.set(d.get() - 1);
        d.get() == 0
    })
}

/// A panic leaves the outermost call() of a thread that is not a goroutine:
/// print what the default hook would have printed at the panic site.
pub(crate) fn report_foreign(msg: &str) {
    let loc = LAST_LOCATION.with(|l| l.borrow_mut().take());
    let t = std::thread::current();
    let name = t.name().unwrap_or("<unnamed>");
    match loc {
        Some(loc) => eprintln!("thread '{}' panicked at {}:\n{}", name, loc, msg),
        None => eprintln!("thread '{}' panicked:\n{}", name, msg),
    }
}
