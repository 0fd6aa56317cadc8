//! Typed channels over gort's C channels.
//!
//! A value is moved through the C channel by copying its bytes (what a
//! Rust move is) and forgetting the original: the receiver owns it. A type
//! larger than the C limit (65,535 bytes) travels as a `Box<T>` pointer.
//! Values still buffered when the last handle is dropped are received and
//! dropped then, so nothing leaks.
use crate::error::Error;
use gort_sys as sys;
use std::fmt;
use std::marker::PhantomData;
use std::mem::{self, ManuallyDrop, MaybeUninit};
use std::ptr;
use std::sync::Arc;

/// Whether a T travels by value (its bytes) or as a Box<T> pointer.
pub(crate) fn inline<T>() -> bool {
    mem::size_of::<T>() <= sys::GO_CHAN_ELEM_MAX
}

fn elem_size<T>() -> usize {
    if inline::<T>() {
        mem::size_of::<T>()
    } else {
        mem::size_of::<*mut T>()
    }
}

/// A value on its way into a channel: the bytes the C side copies.
pub(crate) enum Packet<T> {
    Inline(ManuallyDrop<T>),
    Boxed(*mut T),
}

impl<T> Packet<T> {
    pub(crate) fn new(v: T) -> Packet<T> {
        if inline::<T>() {
            Packet::Inline(ManuallyDrop::new(v))
        } else {
            Packet::Boxed(Box::into_raw(Box::new(v)))
        }
    }

    /// What to give the C side (valid while self does not move).
    pub(crate) fn as_ptr(&self) -> *const sys::c_void {
        match self {
            Packet::Inline(v) => &**v as *const T as *const sys::c_void,
            Packet::Boxed(p) => p as *const *mut T as *const sys::c_void,
        }
    }

    /// The channel took the value: its bytes now belong to the receiver.
    /// (Nothing to do: a Packet never drops or frees what it holds.)
    pub(crate) fn sent(self) {}

    /// The value was not sent: take it back.
    pub(crate) fn into_inner(self) -> T {
        match self {
            Packet::Inline(v) => ManuallyDrop::into_inner(v),
            // SAFETY: made by Box::into_raw in new() and not sent.
            Packet::Boxed(p) => *unsafe { Box::from_raw(p) },
        }
    }
}

/// Room for a value coming out of a channel.
pub(crate) enum Slot<T> {
    Inline(MaybeUninit<T>),
    Boxed(MaybeUninit<*mut T>),
}

impl<T> Slot<T> {
    pub(crate) fn new() -> Slot<T> {
        if inline::<T>() {
            Slot::Inline(MaybeUninit::uninit())
        } else {
            Slot::Boxed(MaybeUninit::uninit())
        }
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut sys::c_void {
        match self {
            Slot::Inline(v) => v.as_mut_ptr() as *mut sys::c_void,
            Slot::Boxed(p) => p.as_mut_ptr() as *mut sys::c_void,
        }
    }

    /// # Safety
    /// The C side stored a value sent by a Packet<T> (ok == 1).
    pub(crate) unsafe fn assume_init(self) -> T {
        match self {
            Slot::Inline(v) => v.assume_init(),
            Slot::Boxed(p) => *Box::from_raw(p.assume_init()),
        }
    }
}

/// Who releases the C channel when the last handle goes.
enum Owner {
    /// A channel of ours (chan_new, go_after, from_raw): chan_free.
    Chan,
    /// The channel of a timer: go_timer_free. Receive-only.
    Timer(*mut sys::go_timer_t),
    /// The channel of a ticker: go_ticker_free. Receive-only.
    Ticker(*mut sys::go_ticker_t),
    /// The nil channel.
    Nil,
}

struct Inner<T> {
    ptr: *mut sys::go_chan_t,
    owner: Owner,
    _t: PhantomData<T>,
}

impl<T> Drop for Inner<T> {
    fn drop(&mut self) {
        // No goroutine can be blocked on the channel: each would hold a
        // handle. Values still buffered are ours to drop (chan_free would
        // only release their bytes).
        // SAFETY: the last handle; the pointers are live.
        unsafe {
            match self.owner {
                Owner::Chan => {
                    if mem::needs_drop::<T>() || !inline::<T>() {
                        loop {
                            let mut s = Slot::<T>::new();
                            let mut ok: sys::c_int = 0;
                            if sys::chan_try_recv(self.ptr, s.as_mut_ptr(), &mut ok) != 1 || ok != 1 {
                                break;
                            }
                            drop(s.assume_init());
                        }
                    }
                    sys::chan_free(self.ptr)
                }
                Owner::Timer(t) => sys::go_timer_free(t),
                Owner::Ticker(t) => sys::go_ticker_free(t),
                Owner::Nil => {}
            }
        }
    }
}

/// Go's `chan T`: a typed channel, unbuffered or buffered, shared by cloning
/// the handle (a reference count: the channel is freed with its last handle).
///
/// ```
/// let ch = gort::Chan::<String>::new(0);            // make(chan string)
/// let tx = ch.clone();
/// gort::go(move || {
///     for w in ["a", "b", "c"] {
///         tx.send(w.to_string());                    // tx <- w
///     }
///     tx.close();                                    // close(tx)
/// });
/// let got: Vec<String> = ch.iter().collect();        // for v := range ch
/// assert_eq!(got, ["a", "b", "c"]);
/// ```
pub struct Chan<T> {
    inner: Arc<Inner<T>>,
}

// SAFETY: the C channel is thread-safe; values of T move between the
// goroutines that send and receive, hence T: Send.
unsafe impl<T: Send> Send for Chan<T> {}
unsafe impl<T: Send> Sync for Chan<T> {}
unsafe impl<T: Send> Send for Inner<T> {}
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan { inner: self.inner.clone() }
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan").field("ptr", &self.inner.ptr).field("len", &self.len()).field("cap", &self.cap()).finish()
    }
}

/// The error of [`Chan::send_checked`]: the channel is closed; the value
/// comes back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}
impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("send on closed channel")
    }
}
impl<T> std::error::Error for SendError<T> {}

/// The error of [`Chan::try_send`]; the value comes back.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The send would block (no receiver waiting, or the buffer is full).
    Full(T),
    /// The channel is closed.
    Closed(T),
}

impl<T> TrySendError<T> {
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(v) | TrySendError::Closed(v) => v,
        }
    }
}
impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}
impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("send would block"),
            TrySendError::Closed(_) => f.write_str("send on closed channel"),
        }
    }
}
impl<T> std::error::Error for TrySendError<T> {}

/// The error of [`Chan::try_recv`].
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing to receive now.
    Empty,
    /// The channel is closed and drained.
    Closed,
}
impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("receive would block"),
            TryRecvError::Closed => f.write_str("receive from closed channel"),
        }
    }
}
impl std::error::Error for TryRecvError {}

/// The error of [`Chan::try_close`].
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum CloseError {
    /// "close of closed channel"
    Closed,
    /// "close of nil channel"
    Nil,
    /// The channel of a timer or ticker is receive-only.
    ReceiveOnly,
}
impl fmt::Display for CloseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CloseError::Closed => f.write_str("close of closed channel"),
            CloseError::Nil => f.write_str("close of nil channel"),
            CloseError::ReceiveOnly => f.write_str("close of receive-only channel"),
        }
    }
}
impl std::error::Error for CloseError {}

fn unexpected(op: &str, rc: sys::c_int) -> ! {
    panic!("gort: {}: {}", op, Error::from_code(rc))
}

impl<T> Chan<T> {
    /// Go's `make(chan T, cap)`: 0 is unbuffered. Panics with Go's
    /// "makechan: size out of range" when cap is too large (see [`Chan::try_new`]).
    pub fn new(cap: usize) -> Chan<T> {
        match Chan::try_new(cap) {
            Ok(c) => c,
            Err(Error::Invalid) => panic!("makechan: size out of range"),
            Err(e) => panic!("makechan: {}", e),
        }
    }

    /// [`Chan::new`], returning `Error::Invalid` (cap out of range) or
    /// `Error::NoMemory`.
    pub fn try_new(cap: usize) -> Result<Chan<T>, Error> {
        // SAFETY: sizes are checked by the C side.
        let ptr = unsafe { sys::chan_new(elem_size::<T>(), cap) };
        if ptr.is_null() {
            let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(12);
            return Err(Error::from_code(-e));
        }
        Ok(Chan::wrap(ptr, Owner::Chan))
    }

    /// Go's nil channel: sending or receiving blocks forever, it is never
    /// ready in a select, closing it panics.
    pub fn nil() -> Chan<T> {
        Chan::wrap(ptr::null_mut(), Owner::Nil)
    }

    fn wrap(ptr: *mut sys::go_chan_t, owner: Owner) -> Chan<T> {
        Chan { inner: Arc::new(Inner { ptr, owner, _t: PhantomData }) }
    }

    pub(crate) fn from_timer(t: *mut sys::go_timer_t) -> Chan<T> {
        // SAFETY: a live timer; its channel belongs to it.
        let ptr = unsafe { sys::go_timer_chan(t) };
        Chan::wrap(ptr, Owner::Timer(t))
    }

    pub(crate) fn from_ticker(t: *mut sys::go_ticker_t) -> Chan<T> {
        // SAFETY: a live ticker; its channel belongs to it.
        let ptr = unsafe { sys::go_ticker_chan(t) };
        Chan::wrap(ptr, Owner::Ticker(t))
    }

    pub(crate) fn from_owned_ptr(ptr: *mut sys::go_chan_t) -> Chan<T> {
        Chan::wrap(ptr, Owner::Chan)
    }

    pub(crate) fn timer_ptr(&self) -> Option<*mut sys::go_timer_t> {
        match self.inner.owner {
            Owner::Timer(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn ticker_ptr(&self) -> Option<*mut sys::go_ticker_t> {
        match self.inner.owner {
            Owner::Ticker(t) => Some(t),
            _ => None,
        }
    }

    /// Take ownership of a channel made by C code (a library built on gort):
    /// it is freed with `chan_free` when the last handle is dropped.
    ///
    /// Returns `Error::Invalid` when `ptr` is not a live channel or its
    /// element size is not the size of `T` (`GO_CHAN_ELEM_MAX` at most).
    ///
    /// # Safety
    /// `ptr` must be a live channel (or NULL for the nil channel) that no one
    /// else frees, and every value sent on it by C code must be a valid `T`
    /// whose ownership passes to the receiver (plain data such as `i64`).
    pub unsafe fn from_raw(ptr: *mut sys::go_chan_t) -> Result<Chan<T>, Error> {
        if ptr.is_null() {
            return Ok(Chan::nil());
        }
        let es = sys::chan_elem_size(ptr);
        Error::check(es as i64)?;
        if !inline::<T>() || es as usize != mem::size_of::<T>() {
            return Err(Error::Invalid);
        }
        Ok(Chan::wrap(ptr, Owner::Chan))
    }

    /// The C handle (NULL for the nil channel), valid while a handle lives.
    pub fn as_raw(&self) -> *mut sys::go_chan_t {
        self.inner.ptr
    }

    /// Whether this is the nil channel.
    pub fn is_nil(&self) -> bool {
        self.inner.ptr.is_null()
    }

    fn receive_only(&self) -> bool {
        matches!(self.inner.owner, Owner::Timer(_) | Owner::Ticker(_))
    }

    pub(crate) fn check_send(&self) {
        if self.receive_only() {
            panic!("gort: send on the receive-only channel of a timer or ticker");
        }
    }

    /// Go's `ch <- v`: block until a receiver takes `v` (unbuffered) or the
    /// buffer has room. Panics with Go's "send on closed channel" when the
    /// channel is closed, before or while waiting (see [`Chan::send_checked`]).
    pub fn send(&self, v: T) {
        if let Err(SendError(v)) = self.send_checked(v) {
            drop(v);
            panic!("send on closed channel");
        }
    }

    /// [`Chan::send`], returning the value in `Err` when the channel is closed.
    pub fn send_checked(&self, v: T) -> Result<(), SendError<T>> {
        self.check_send();
        let pk = Packet::new(v);
        // SAFETY: pk stays put until the call returns; C copies its bytes.
        let rc = unsafe { sys::chan_send_err(self.inner.ptr, pk.as_ptr()) };
        match rc {
            0 => {
                pk.sent();
                Ok(())
            }
            sys::GO_ECLOSED => Err(SendError(pk.into_inner())),
            rc => {
                drop(pk.into_inner());
                unexpected("chan_send", rc)
            }
        }
    }

    /// Go's `select { case ch <- v: default: }`: send without blocking.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        self.check_send();
        let pk = Packet::new(v);
        // SAFETY: as in send_checked.
        let rc = unsafe { sys::chan_try_send_err(self.inner.ptr, pk.as_ptr()) };
        match rc {
            1 => {
                pk.sent();
                Ok(())
            }
            0 => Err(TrySendError::Full(pk.into_inner())),
            sys::GO_ECLOSED => Err(TrySendError::Closed(pk.into_inner())),
            rc => {
                drop(pk.into_inner());
                unexpected("chan_try_send", rc)
            }
        }
    }

    /// Go's `v, ok := <-ch`: block until a value arrives (`Some`) or the
    /// channel is closed and drained (`None`).
    pub fn recv(&self) -> Option<T> {
        let mut s = Slot::<T>::new();
        // SAFETY: s has room for one element.
        let rc = unsafe { sys::chan_recv(self.inner.ptr, s.as_mut_ptr()) };
        match rc {
            // SAFETY: a sent value was stored.
            1 => Some(unsafe { s.assume_init() }),
            0 => None,
            rc => unexpected("chan_recv", rc),
        }
    }

    /// Go's `select { case v, ok := <-ch: default: }`: receive without blocking.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut s = Slot::<T>::new();
        let mut ok: sys::c_int = 0;
        // SAFETY: s has room for one element.
        let rc = unsafe { sys::chan_try_recv(self.inner.ptr, s.as_mut_ptr(), &mut ok) };
        match (rc, ok) {
            // SAFETY: a sent value was stored.
            (1, 1) => Ok(unsafe { s.assume_init() }),
            (1, _) => Err(TryRecvError::Closed),
            (0, _) => Err(TryRecvError::Empty),
            (rc, _) => unexpected("chan_try_recv", rc),
        }
    }

    /// Go's `close(ch)`: receivers get the buffered values, then `None`;
    /// blocked senders panic. Panics with Go's "close of closed channel" or
    /// "close of nil channel" (see [`Chan::try_close`]).
    pub fn close(&self) {
        if let Err(e) = self.try_close() {
            match e {
                CloseError::Closed => panic!("close of closed channel"),
                CloseError::Nil => panic!("close of nil channel"),
                CloseError::ReceiveOnly => panic!("gort: close of the receive-only channel of a timer or ticker"),
            }
        }
    }

    /// [`Chan::close`], returning the error instead of panicking.
    pub fn try_close(&self) -> Result<(), CloseError> {
        if self.receive_only() {
            return Err(CloseError::ReceiveOnly);
        }
        if self.inner.ptr.is_null() {
            return Err(CloseError::Nil);
        }
        // SAFETY: a live channel of ours.
        match unsafe { sys::chan_close_err(self.inner.ptr) } {
            0 => Ok(()),
            sys::GO_ECLOSED => Err(CloseError::Closed),
            rc => unexpected("chan_close", rc),
        }
    }

    /// Go's `len(ch)`: values buffered now.
    pub fn len(&self) -> usize {
        // SAFETY: a live channel or NULL.
        unsafe { sys::chan_len(self.inner.ptr) }.max(0) as usize
    }

    /// Whether no value is buffered now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Go's `cap(ch)`.
    pub fn cap(&self) -> usize {
        // SAFETY: a live channel or NULL.
        unsafe { sys::chan_cap(self.inner.ptr) }.max(0) as usize
    }

    /// Go's `for v := range ch`: receive until the channel is closed and drained.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { ch: self }
    }
}

/// The iterator of [`Chan::iter`].
pub struct Iter<'a, T> {
    ch: &'a Chan<T>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.ch.recv()
    }
}

impl<'a, T> IntoIterator for &'a Chan<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
