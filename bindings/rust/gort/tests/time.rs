//! Timers, time.After and tickers (generous bounds: the machine is noisy).
mod common;

use common::guard;
use gort::{Error, Ticker, Timer};
use std::panic::catch_unwind;
use std::time::Duration;

const MS: i64 = 1_000_000;

#[test]
fn nanotime_is_monotonic() {
    let a = gort::nanotime();
    let b = gort::nanotime();
    assert!(b >= a);
}

#[test]
fn after_fires_once_after_the_duration() {
    let _g = guard();
    let t0 = gort::nanotime();
    let ch = gort::after(Duration::from_millis(20));
    assert_eq!((ch.cap(), ch.len()), (1, 0));
    let fired = ch.recv().unwrap();
    assert!(fired - t0 >= 20 * MS, "fired after {} ns", fired - t0);
    assert!(fired - t0 < 5_000 * MS);
    assert!(ch.try_recv().is_err(), "once only");
    // Dropped before it fires: cancelled.
    drop(gort::after(Duration::from_secs(3600)));
}

#[test]
fn timer_stop_and_reset() {
    let _g = guard();
    let t = Timer::new(Duration::from_secs(3600));
    assert!(t.stop(), "stopped while pending");
    assert!(!t.stop(), "already stopped");
    assert!(t.c().try_recv().is_err());
    let t0 = gort::nanotime();
    assert!(!t.reset(Duration::from_millis(10)), "was not pending");
    let fired = t.c().recv().unwrap();
    assert!(fired - t0 >= 10 * MS);
    assert!(!t.stop(), "already fired");
    // The channel outlives the Timer handle while a clone exists.
    let c = t.c().clone();
    drop(t);
    assert!(c.try_recv().is_err());
}

#[test]
fn ticker_ticks_until_stopped() {
    let _g = guard();
    let tk = Ticker::new(Duration::from_millis(5));
    let t0 = gort::nanotime();
    let mut last = t0;
    for _ in 0..3 {
        let v = tk.c().recv().unwrap();
        assert!(v > last);
        last = v;
    }
    // Three ticks, 5 ms apart; t0 was read just after the ticker started.
    assert!(last - t0 >= 10 * MS);
    tk.reset(Duration::from_millis(1));
    tk.c().recv().unwrap();
    tk.stop();
    let _ = tk.c().try_recv(); // at most one tick left in the channel
    assert!(tk.c().try_recv().is_err());
}

#[test]
fn zero_ticker_period_is_an_error() {
    let _g = guard();
    assert_eq!(Ticker::try_new(Duration::ZERO).unwrap_err(), Error::Invalid);
    let p = catch_unwind(|| {
        Ticker::new(Duration::ZERO);
    })
    .unwrap_err();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"non-positive interval for NewTicker"));
    let tk = Ticker::new(Duration::from_secs(1));
    let p = catch_unwind(std::panic::AssertUnwindSafe(|| tk.reset(Duration::ZERO))).unwrap_err();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"non-positive interval for Ticker.Reset"));
}

#[test]
fn sleeping_goroutines_wake_in_order() {
    let _g = guard();
    let out = gort::Chan::<u64>::new(4);
    for ms in [300u64, 100, 200, 0] {
        let out = out.clone();
        gort::go(move || {
            gort::sleep(Duration::from_millis(ms));
            out.send(ms);
        });
    }
    let got: Vec<u64> = (0..4).map(|_| out.recv().unwrap()).collect();
    assert_eq!(got, [0, 100, 200, 300]);
}
