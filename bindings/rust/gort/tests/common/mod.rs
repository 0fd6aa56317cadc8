//! Shared by the integration tests: one test at a time per binary (the
//! runtime and GOMAXPROCS are process-wide), and a leak check: every test
//! leaves no goroutine behind, as tests/gort_test.h's TU_TEST does in C.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

pub struct TestGuard {
    _serial: MutexGuard<'static, ()>,
    baseline: usize,
}

/// Take at the start of each test: serialises the tests of this binary and
/// checks at the end that the goroutine count is back to where it was.
pub fn guard() -> TestGuard {
    let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    TestGuard { _serial: serial, baseline: gort::num_goroutine() }
}

/// A goroutine that called wg.done() may not have returned yet when the
/// waiter wakes: poll (bounded, 10 s) until the count is back to target.
pub fn settle(target: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let n = gort::num_goroutine();
        if n <= target || Instant::now() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl Drop for TestGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let n = settle(self.baseline);
        assert_eq!(n, self.baseline, "goroutine leak: num_goroutine() = {}, baseline {}", n, self.baseline);
    }
}

/// Counts drops of the values it marks, to check that values moved through
/// channels are dropped exactly once.
#[derive(Debug)]
pub struct DropCounter(pub std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

pub fn counter() -> std::sync::Arc<std::sync::atomic::AtomicUsize> {
    std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0))
}

pub fn count(c: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> usize {
    c.load(std::sync::atomic::Ordering::SeqCst)
}
