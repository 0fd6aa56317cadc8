//! Go's sync package: WaitGroup, Mutex, RwMutex, Once. Blocking parks the
//! calling goroutine (or blocks the calling thread when it is not one).
use crate::defer::Payload;
use crate::error::Error;
use gort_sys as sys;
use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

fn new_handle<T>(p: *mut T, what: &str) -> *mut T {
    if p.is_null() {
        panic!("gort: {}: {}", what, Error::NoMemory);
    }
    p
}

// ------------------------------------------------------------ WaitGroup

struct Wg(*mut sys::go_wg_t);

// SAFETY: gort's WaitGroup may be used from any thread.
unsafe impl Send for Wg {}
unsafe impl Sync for Wg {}

impl Drop for Wg {
    fn drop(&mut self) {
        // The last handle: no one can be waiting (a waiter holds a handle).
        // SAFETY: live, and freed once.
        unsafe { sys::wg_free(self.0) }
    }
}

/// Go's `sync.WaitGroup`. Cloning gives another handle to the same
/// WaitGroup (it is freed with the last one), so it can move into goroutines.
///
/// ```
/// let wg = gort::WaitGroup::new();
/// let sum = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
/// for i in 1..=100 {
///     wg.add(1);
///     let (wg, sum) = (wg.clone(), sum.clone());
///     gort::go(move || {
///         sum.fetch_add(i, std::sync::atomic::Ordering::Relaxed);
///         wg.done();
///     });
/// }
/// wg.wait();
/// assert_eq!(sum.load(std::sync::atomic::Ordering::Relaxed), 5050);
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    wg: Arc<Wg>,
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitGroup").finish()
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup::new()
    }
}

fn wg_panic(e: Error, waiting: bool) -> ! {
    match e {
        Error::NegativeCounter => panic!("sync: negative WaitGroup counter"),
        Error::Misuse if waiting => panic!("sync: WaitGroup is reused before previous Wait has returned"),
        Error::Misuse => panic!("sync: WaitGroup misuse: Add called concurrently with Wait"),
        e => panic!("gort: WaitGroup: {}", e),
    }
}

impl WaitGroup {
    /// A WaitGroup with counter 0.
    pub fn new() -> WaitGroup {
        // SAFETY: no arguments.
        let p = new_handle(unsafe { sys::wg_new() }, "wg_new");
        WaitGroup { wg: Arc::new(Wg(p)) }
    }

    /// `wg.Add(delta)`. Panics with Go's "sync: negative WaitGroup counter"
    /// or "sync: WaitGroup misuse: Add called concurrently with Wait" (see
    /// [`WaitGroup::try_add`]).
    pub fn add(&self, delta: i64) {
        if let Err(e) = self.try_add(delta) {
            wg_panic(e, false)
        }
    }

    /// `wg.Add(delta)`, returning `Error::NegativeCounter` (the counter is
    /// unchanged), `Error::Misuse` or `Error::Overflow` instead of panicking.
    pub fn try_add(&self, delta: i64) -> Result<(), Error> {
        // SAFETY: a live WaitGroup; the _err twin never panics.
        Error::check(unsafe { sys::wg_add_err(self.wg.0, delta) } as i64).map(|_| ())
    }

    /// `wg.Done()`: panics as [`WaitGroup::add`].
    pub fn done(&self) {
        self.add(-1)
    }

    /// `wg.Wait()`: block until the counter is zero. Panics with Go's "sync:
    /// WaitGroup is reused before previous Wait has returned" on that misuse.
    pub fn wait(&self) {
        // SAFETY: a live WaitGroup; the _err twin never panics.
        if let Err(e) = Error::check(unsafe { sys::wg_wait_err(self.wg.0) } as i64) {
            wg_panic(e, true)
        }
    }

    /// Go's `wg.Add(1); go func() { defer wg.Done(); f() }()`.
    pub fn go<F: FnOnce() + Send + 'static>(&self, f: F) -> crate::GoId {
        self.add(1);
        let wg = self.clone();
        crate::go(move || {
            f();
            wg.done();
        })
    }
}

// ------------------------------------------------------------ Mutex

/// Go's `sync.Mutex` around the data it protects: [`Mutex::lock`] parks the
/// goroutine until the mutex is free and returns a guard that unlocks on
/// drop. Go's algorithm (starvation mode after 1 ms). There is no
/// poisoning: a panic while locked just unlocks (as Go's `defer mu.Unlock()`).
/// The guard may move to another goroutine (a Go mutex is not tied to one).
pub struct Mutex<T> {
    raw: *mut sys::go_mutex_t,
    data: UnsafeCell<T>,
}

// SAFETY: as std::sync::Mutex: the lock hands out &mut T to one holder.
unsafe impl<T: Send> Send for Mutex<T> {}
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_lock() {
            Some(g) => f.debug_struct("Mutex").field("data", &&*g).finish(),
            None => f.debug_struct("Mutex").field("data", &"<locked>").finish(),
        }
    }
}

impl<T> Mutex<T> {
    pub fn new(v: T) -> Mutex<T> {
        // SAFETY: no arguments.
        let raw = new_handle(unsafe { sys::mutex_new() }, "mutex_new");
        Mutex { raw, data: UnsafeCell::new(v) }
    }

    /// `mu.Lock()`.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // SAFETY: a live mutex.
        let rc = unsafe { sys::mutex_lock(self.raw) };
        if rc != 0 {
            panic!("gort: mutex_lock: {}", Error::from_code(rc));
        }
        MutexGuard { mu: self }
    }

    /// `mu.TryLock()`.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // SAFETY: a live mutex.
        match unsafe { sys::mutex_trylock(self.raw) } {
            1 => Some(MutexGuard { mu: self }),
            _ => None,
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    pub fn into_inner(self) -> T {
        let me = std::mem::ManuallyDrop::new(self);
        // SAFETY: me is never used again; its Drop does not run.
        unsafe {
            free_mutex(me.raw);
            std::ptr::read(me.data.get())
        }
    }
}

/// Free a mutex that no one can reach any more. If a guard was forgotten
/// (mem::forget) it is still locked: leak it rather than hit the runtime's
/// fatal error for freeing a locked mutex.
unsafe fn free_mutex(raw: *mut sys::go_mutex_t) {
    if sys::mutex_trylock(raw) == 1 {
        sys::mutex_unlock_err(raw);
        sys::mutex_free(raw);
    }
}

impl<T> Drop for Mutex<T> {
    fn drop(&mut self) {
        // SAFETY: &mut self: no guard and no waiter exists.
        unsafe { free_mutex(self.raw) }
    }
}

/// The lock of a [`Mutex`]: unlocks when dropped.
pub struct MutexGuard<'a, T> {
    mu: &'a Mutex<T>,
}

// SAFETY: a gort mutex may be unlocked by any goroutine or thread.
unsafe impl<'a, T: Send> Send for MutexGuard<'a, T> {}
unsafe impl<'a, T: Sync> Sync for MutexGuard<'a, T> {}

impl<'a, T> Deref for MutexGuard<'a, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held.
        unsafe { &*self.mu.data.get() }
    }
}

impl<'a, T> DerefMut for MutexGuard<'a, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held, and this guard is borrowed mutably.
        unsafe { &mut *self.mu.data.get() }
    }
}

impl<'a, T> Drop for MutexGuard<'a, T> {
    fn drop(&mut self) {
        // SAFETY: held by this guard; mutex_unlock_err never hits the fatal
        // error (and cannot fail here).
        unsafe { sys::mutex_unlock_err(self.mu.raw) };
    }
}

impl<'a, T: fmt::Debug> fmt::Debug for MutexGuard<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

// ------------------------------------------------------------ RwMutex

/// Go's `sync.RWMutex` around its data: any number of readers or one
/// writer, with Go's writer preference (a reader must not lock it again
/// while it holds a read lock: a waiting writer would deadlock them).
pub struct RwMutex<T> {
    raw: *mut sys::go_rwmutex_t,
    data: UnsafeCell<T>,
}

// SAFETY: as std::sync::RwLock.
unsafe impl<T: Send> Send for RwMutex<T> {}
unsafe impl<T: Send + Sync> Sync for RwMutex<T> {}

impl<T: Default> Default for RwMutex<T> {
    fn default() -> Self {
        RwMutex::new(T::default())
    }
}

impl<T> RwMutex<T> {
    pub fn new(v: T) -> RwMutex<T> {
        // SAFETY: no arguments.
        let raw = new_handle(unsafe { sys::rwmutex_new() }, "rwmutex_new");
        RwMutex { raw, data: UnsafeCell::new(v) }
    }

    /// `rw.RLock()`.
    pub fn read(&self) -> ReadGuard<'_, T> {
        // SAFETY: a live RWMutex.
        let rc = unsafe { sys::rwmutex_rlock(self.raw) };
        if rc != 0 {
            panic!("gort: rwmutex_rlock: {}", Error::from_code(rc));
        }
        ReadGuard { rw: self }
    }

    /// `rw.TryRLock()`.
    pub fn try_read(&self) -> Option<ReadGuard<'_, T>> {
        // SAFETY: a live RWMutex.
        match unsafe { sys::rwmutex_tryrlock(self.raw) } {
            1 => Some(ReadGuard { rw: self }),
            _ => None,
        }
    }

    /// `rw.Lock()`.
    pub fn write(&self) -> WriteGuard<'_, T> {
        // SAFETY: a live RWMutex.
        let rc = unsafe { sys::rwmutex_lock(self.raw) };
        if rc != 0 {
            panic!("gort: rwmutex_lock: {}", Error::from_code(rc));
        }
        WriteGuard { rw: self }
    }

    /// `rw.TryLock()`.
    pub fn try_write(&self) -> Option<WriteGuard<'_, T>> {
        // SAFETY: a live RWMutex.
        match unsafe { sys::rwmutex_trylock(self.raw) } {
            1 => Some(WriteGuard { rw: self }),
            _ => None,
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> Drop for RwMutex<T> {
    fn drop(&mut self) {
        // SAFETY: &mut self: no guard and no waiter; a forgotten guard
        // leaves it locked: leak it then (freeing it would be fatal).
        unsafe {
            if sys::rwmutex_trylock(self.raw) == 1 {
                sys::rwmutex_unlock(self.raw);
                sys::rwmutex_free(self.raw);
            }
        }
    }
}

/// A read lock of a [`RwMutex`].
pub struct ReadGuard<'a, T> {
    rw: &'a RwMutex<T>,
}

unsafe impl<'a, T: Sync> Send for ReadGuard<'a, T> {}
unsafe impl<'a, T: Sync> Sync for ReadGuard<'a, T> {}

impl<'a, T> Deref for ReadGuard<'a, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read lock is held: no writer.
        unsafe { &*self.rw.data.get() }
    }
}

impl<'a, T> Drop for ReadGuard<'a, T> {
    fn drop(&mut self) {
        // SAFETY: this guard holds one read lock.
        unsafe { sys::rwmutex_runlock(self.rw.raw) };
    }
}

/// The write lock of a [`RwMutex`].
pub struct WriteGuard<'a, T> {
    rw: &'a RwMutex<T>,
}

unsafe impl<'a, T: Send> Send for WriteGuard<'a, T> {}
unsafe impl<'a, T: Sync> Sync for WriteGuard<'a, T> {}

impl<'a, T> Deref for WriteGuard<'a, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write lock is held.
        unsafe { &*self.rw.data.get() }
    }
}

impl<'a, T> DerefMut for WriteGuard<'a, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write lock is held.
        unsafe { &mut *self.rw.data.get() }
    }
}

impl<'a, T> Drop for WriteGuard<'a, T> {
    fn drop(&mut self) {
        // SAFETY: this guard holds the write lock.
        unsafe { sys::rwmutex_unlock(self.rw.raw) };
    }
}

// ------------------------------------------------------------ Once

/// Go's `sync.Once`: [`Once::call_once`] runs its closure exactly once;
/// concurrent callers park until that run has finished. If the closure
/// panics, the Once counts as done (as in Go) and the panic goes on in
/// the caller that ran it.
pub struct Once {
    raw: *mut sys::go_once_t,
}

// SAFETY: gort's Once may be used from any thread.
unsafe impl Send for Once {}
unsafe impl Sync for Once {}

impl Default for Once {
    fn default() -> Self {
        Once::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once").finish()
    }
}

struct OnceCtx<F> {
    f: Option<F>,
    panic: Option<Payload>,
}

unsafe extern "C" fn once_tramp<F: FnOnce()>(arg: *mut sys::c_void) {
    let ctx = &mut *(arg as *mut OnceCtx<F>);
    if let Some(f) = ctx.f.take() {
        // A Rust panic must not unwind into once_do: carry it over.
        if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
            ctx.panic = Some(p);
        }
    }
}

impl Once {
    pub fn new() -> Once {
        // SAFETY: no arguments.
        Once { raw: new_handle(unsafe { sys::once_new() }, "once_new") }
    }

    /// `once.Do(f)`.
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        let mut ctx = OnceCtx { f: Some(f), panic: None };
        // SAFETY: once_do calls the trampoline at most once, before it returns.
        let rc = unsafe {
            sys::once_do(self.raw, Some(once_tramp::<F>), &mut ctx as *mut OnceCtx<F> as *mut sys::c_void)
        };
        if rc != 0 {
            panic!("gort: once_do: {}", Error::from_code(rc));
        }
        if let Some(p) = ctx.panic.take() {
            resume_unwind(p);
        }
    }
}

impl Drop for Once {
    fn drop(&mut self) {
        // SAFETY: &mut self: no caller is inside call_once.
        unsafe { sys::once_free(self.raw) }
    }
}
