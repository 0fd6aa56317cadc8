//! Go's select statement, as a builder.
use crate::chan::{Chan, Packet, Slot};
use crate::error::Error;
use gort_sys as sys;
use std::ptr;

trait Case<R> {
    /// The C case; the pointers stay valid while the box does not drop.
    fn raw(&mut self) -> sys::go_select_case_t;
    /// This case was chosen: `ok` is the C case's ok field.
    fn fire(self: Box<Self>, ok: sys::c_int) -> R;
}

struct RecvCase<'a, T, F> {
    ch: &'a Chan<T>,
    slot: Slot<T>,
    f: F,
}

impl<'a, T, R, F: FnOnce(Option<T>) -> R> Case<R> for RecvCase<'a, T, F> {
    fn raw(&mut self) -> sys::go_select_case_t {
        sys::go_select_case_t { chan: self.ch.as_raw(), dir: sys::GO_SELECT_RECV, ok: 0, value: self.slot.as_mut_ptr() }
    }
    fn fire(self: Box<Self>, ok: sys::c_int) -> R {
        let me = *self;
        // SAFETY: ok == 1: a sent value was stored in the slot.
        let v = if ok == 1 { Some(unsafe { me.slot.assume_init() }) } else { None };
        (me.f)(v)
    }
}

struct SendCase<'a, T, F> {
    ch: &'a Chan<T>,
    packet: Option<Packet<T>>,
    f: Option<F>,
}

impl<'a, T, R, F: FnOnce() -> R> Case<R> for SendCase<'a, T, F> {
    fn raw(&mut self) -> sys::go_select_case_t {
        let value = self.packet.as_ref().map_or(ptr::null(), |p| p.as_ptr()) as *mut sys::c_void;
        sys::go_select_case_t { chan: self.ch.as_raw(), dir: sys::GO_SELECT_SEND, ok: 0, value }
    }
    fn fire(mut self: Box<Self>, _ok: sys::c_int) -> R {
        if let Some(p) = self.packet.take() {
            p.sent();
        }
        let f = self.f.take().expect("select case fired twice");
        f()
    }
}

impl<'a, T, F> Drop for SendCase<'a, T, F> {
    fn drop(&mut self) {
        // Not chosen: the value was not sent and is still ours.
        if let Some(p) = self.packet.take() {
            drop(p.into_inner());
        }
    }
}

/// Go's `select`: cases on channels of any types, each with a closure run
/// when it is chosen; all closures return the same type `R`.
///
/// When several cases are ready one is chosen uniformly at random; with
/// none ready, [`Select::default`] runs if given, else the caller blocks
/// until one is ready (no cases, or only nil channels: forever).
///
/// ```
/// use gort::{Chan, Select};
/// let nums = Chan::<i32>::new(1);
/// let words = Chan::<&str>::new(1);
/// nums.send(7);
/// let got = Select::new()
///     .recv(&nums, |v| format!("number {:?}", v))
///     .recv(&words, |v| format!("word {:?}", v))
///     .wait();
/// assert_eq!(got, "number Some(7)");
/// let got = Select::new()
///     .recv(&nums, |v| format!("number {:?}", v))
///     .default(|| "nothing ready".to_string())
///     .wait();
/// assert_eq!(got, "nothing ready");
/// ```
pub struct Select<'a, R> {
    cases: Vec<Box<dyn Case<R> + 'a>>,
    default: Option<Box<dyn FnOnce() -> R + 'a>>,
}

impl<'a, R> Default for Select<'a, R> {
    fn default() -> Self {
        Select::new()
    }
}

impl<'a, R> Select<'a, R> {
    pub fn new() -> Select<'a, R> {
        Select { cases: Vec::new(), default: None }
    }

    /// `case v, ok := <-ch:` — `f` gets `Some(v)`, or `None` when the
    /// channel is closed and drained.
    pub fn recv<T: 'a, F: FnOnce(Option<T>) -> R + 'a>(mut self, ch: &'a Chan<T>, f: F) -> Self {
        self.cases.push(Box::new(RecvCase { ch, slot: Slot::new(), f }));
        self
    }

    /// `case ch <- v:` — `v` is sent if this case is chosen and dropped
    /// otherwise. Choosing it on a closed channel panics with Go's
    /// "send on closed channel".
    pub fn send<T: 'a, F: FnOnce() -> R + 'a>(mut self, ch: &'a Chan<T>, v: T, f: F) -> Self {
        ch.check_send();
        self.cases.push(Box::new(SendCase { ch, packet: Some(Packet::new(v)), f: Some(f) }));
        self
    }

    /// `default:` — runs when no case is ready. Panics if given twice.
    pub fn default<F: FnOnce() -> R + 'a>(mut self, f: F) -> Self {
        if self.default.is_some() {
            panic!("gort: select with two default cases");
        }
        self.default = Some(Box::new(f));
        self
    }

    /// Run the select: perform one ready case and return its closure's
    /// result.
    pub fn wait(mut self) -> R {
        let mut raw: Vec<sys::go_select_case_t> = self.cases.iter_mut().map(|c| c.raw()).collect();
        if self.default.is_some() {
            raw.push(sys::go_select_case_t {
                chan: ptr::null_mut(),
                dir: sys::GO_SELECT_DEFAULT,
                ok: 0,
                value: ptr::null_mut(),
            });
        }
        if raw.len() > sys::GO_SELECT_MAX as usize {
            panic!("gort: select with more than {} cases", sys::GO_SELECT_MAX);
        }
        // SAFETY: every pointer in raw points into a boxed case of self,
        // alive until the call returns.
        let rc = unsafe { sys::go_select_err(raw.as_mut_ptr(), raw.len() as sys::c_int) };
        if rc >= 0 {
            let i = rc as usize;
            if i == self.cases.len() {
                let d = self.default.take().expect("default case");
                drop(self);
                return d();
            }
            let ok = raw[i].ok;
            let case = self.cases.swap_remove(i);
            // The others were not chosen: their values are dropped now.
            drop(self);
            return case.fire(ok);
        }
        if rc == sys::GO_ECLOSED {
            drop(self);
            panic!("send on closed channel");
        }
        panic!("gort: select: {}", Error::from_code(rc))
    }
}
