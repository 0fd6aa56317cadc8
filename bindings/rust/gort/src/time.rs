//! Go's time package: the monotonic clock, time.After, Timer and Ticker.
//! A timer's or ticker's channel carries `go_nanotime()` readings (i64 ns).
use crate::chan::Chan;
use crate::error::Error;
use crate::runtime::duration_ns;
use gort_sys as sys;
use std::fmt;
use std::time::Duration;

/// The monotonic clock in nanoseconds (only differences mean anything).
pub fn nanotime() -> i64 {
    // SAFETY: no arguments.
    unsafe { sys::go_nanotime() }
}

/// Go's `time.After(d)`: a channel that receives the clock's reading once,
/// `d` from now. Dropping every handle before it fired cancels the timer.
pub fn after(d: Duration) -> Chan<i64> {
    // SAFETY: plain value.
    let p = unsafe { sys::go_after(duration_ns(d)) };
    if p.is_null() {
        panic!("gort: go_after: {}", Error::NoMemory);
    }
    Chan::from_owned_ptr(p)
}

/// Go's `time.Timer`. Its channel ([`Timer::c`]) is receive-only; the timer
/// is freed with the last handle to it (the Timer or a clone of its channel).
pub struct Timer {
    ch: Chan<i64>,
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer").finish()
    }
}

impl Timer {
    /// `time.NewTimer(d)`.
    pub fn new(d: Duration) -> Timer {
        // SAFETY: plain value.
        let t = unsafe { sys::go_timer_new(duration_ns(d)) };
        if t.is_null() {
            panic!("gort: go_timer_new: {}", Error::NoMemory);
        }
        Timer { ch: Chan::from_timer(t) }
    }

    /// `t.C`.
    pub fn c(&self) -> &Chan<i64> {
        &self.ch
    }

    fn raw(&self) -> *mut sys::go_timer_t {
        self.ch.timer_ptr().expect("a timer's channel")
    }

    /// `t.Stop()`: true when this call stopped the timer, false when it had
    /// fired or been stopped already. The channel is not drained.
    pub fn stop(&self) -> bool {
        // SAFETY: live while self is.
        unsafe { sys::go_timer_stop(self.raw()) == 1 }
    }

    /// `t.Reset(d)`: true when the timer had been pending. As with Go 1.19,
    /// reset a timer only once it is stopped or fired and drained.
    pub fn reset(&self, d: Duration) -> bool {
        // SAFETY: live while self is.
        unsafe { sys::go_timer_reset(self.raw(), duration_ns(d)) == 1 }
    }
}

/// Go's `time.Ticker`: its channel receives a tick every period; ticks that
/// find the channel full are dropped.
pub struct Ticker {
    ch: Chan<i64>,
}

impl fmt::Debug for Ticker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticker").finish()
    }
}

impl Ticker {
    /// `time.NewTicker(d)`: panics with Go's "non-positive interval for
    /// NewTicker" when `d` is zero (see [`Ticker::try_new`]).
    pub fn new(period: Duration) -> Ticker {
        match Ticker::try_new(period) {
            Ok(t) => t,
            Err(Error::Invalid) => panic!("non-positive interval for NewTicker"),
            Err(e) => panic!("gort: go_ticker_new: {}", e),
        }
    }

    /// [`Ticker::new`], returning `Error::Invalid` for a zero period.
    pub fn try_new(period: Duration) -> Result<Ticker, Error> {
        // SAFETY: the _err twin never panics.
        let t = unsafe { sys::go_ticker_new_err(duration_ns(period)) };
        if t.is_null() {
            let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(22);
            return Err(Error::from_code(-e));
        }
        Ok(Ticker { ch: Chan::from_ticker(t) })
    }

    /// `t.C`.
    pub fn c(&self) -> &Chan<i64> {
        &self.ch
    }

    fn raw(&self) -> *mut sys::go_ticker_t {
        self.ch.ticker_ptr().expect("a ticker's channel")
    }

    /// `t.Stop()`: no more ticks (one already in the channel stays).
    pub fn stop(&self) {
        // SAFETY: live while self is.
        unsafe { sys::go_ticker_stop(self.raw()) };
    }

    /// `t.Reset(d)`: panics with Go's "non-positive interval for
    /// Ticker.Reset" when `d` is zero.
    pub fn reset(&self, period: Duration) {
        // SAFETY: live while self is; the _err twin never panics.
        if unsafe { sys::go_ticker_reset_err(self.raw(), duration_ns(period)) } != 0 {
            panic!("non-positive interval for Ticker.Reset");
        }
    }
}
