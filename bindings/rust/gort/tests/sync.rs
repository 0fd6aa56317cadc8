//! WaitGroup misuse, Mutex, RwMutex and Once from goroutines.
mod common;

use common::guard;
use gort::{Chan, Error, Mutex, Once, RwMutex, WaitGroup};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn panic_message(r: Result<(), Box<dyn std::any::Any + Send>>) -> String {
    let p = r.expect_err("expected a panic");
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap()
}

#[test]
fn negative_waitgroup_counter_panics_with_gos_message() {
    let _g = guard();
    let wg = WaitGroup::new();
    assert_eq!(wg.try_add(-1), Err(Error::NegativeCounter));
    let r = catch_unwind(AssertUnwindSafe(|| wg.done()));
    assert_eq!(panic_message(r), "sync: negative WaitGroup counter");
    // The counter was left unchanged: the WaitGroup still works.
    wg.add(2);
    wg.done();
    wg.done();
    wg.wait();
    assert_eq!(wg.try_add(i64::MAX), Err(Error::Overflow));
}

#[test]
fn a_panic_in_a_goroutine_defer_can_still_release_the_waitgroup() {
    let _g = guard();
    let wg = WaitGroup::new();
    let w = wg.clone();
    wg.add(1);
    gort::go(move || {
        gort::call(|s| {
            s.defer(move || w.done()); // defer wg.Done()
            s.defer(|| {
                gort::recover();
            });
            panic!("worker failed");
        });
    });
    wg.wait();
}

#[test]
fn mutex_serialises_increments() {
    let _g = guard();
    let m = Arc::new(Mutex::new(0u64));
    let wg = WaitGroup::new();
    for _ in 0..50 {
        let m = m.clone();
        wg.go(move || {
            for _ in 0..200 {
                let mut g = m.lock();
                let v = *g;
                gort::yield_now(); // give others a chance to break it
                *g = v + 1;
            }
        });
    }
    wg.wait();
    assert_eq!(*m.lock(), 50 * 200);
    let m = Arc::try_unwrap(m).unwrap();
    assert_eq!(m.into_inner(), 10_000);
}

#[test]
fn try_lock_and_a_guard_unlocked_by_another_goroutine() {
    let _g = guard();
    let m = Arc::new(Mutex::new(String::from("x")));
    let g = m.try_lock().expect("free");
    assert!(m.try_lock().is_none());
    // Go lets another goroutine unlock: move the guard away. It borrows m,
    // so the goroutine gets the Arc and locks it itself after we unlock.
    drop(g);
    let (m2, done) = (m.clone(), Chan::<()>::new(0));
    let d = done.clone();
    let held = m.lock();
    gort::go(move || {
        let mut g = m2.lock(); // parks until the main thread unlocks
        g.push('y');
        d.send(());
    });
    drop(held);
    done.recv();
    assert_eq!(*m.lock(), "xy");
    assert!(format!("{:?}", m).contains("xy"));
}

#[test]
fn forgotten_guard_does_not_crash_the_drop() {
    let _g = guard();
    let m = Mutex::new(1);
    std::mem::forget(m.lock());
    drop(m); // leaks the locked C mutex instead of a fatal error
}

#[test]
fn rwmutex_readers_share_writers_exclude() {
    let _g = guard();
    let rw = Arc::new(RwMutex::new(vec![1, 2, 3]));
    let r1 = rw.read();
    let r2 = rw.try_read().expect("readers share");
    assert!(rw.try_write().is_none());
    assert_eq!(r1.len() + r2.len(), 6);
    drop((r1, r2));
    let wg = WaitGroup::new();
    for i in 0..20 {
        let rw = rw.clone();
        wg.go(move || {
            if i % 4 == 0 {
                rw.write().push(i);
            } else {
                let r = rw.read();
                assert!(r.len() >= 3);
            }
        });
    }
    wg.wait();
    assert_eq!(rw.read().len(), 3 + 5);
    let w = rw.try_write().expect("free");
    assert!(rw.try_read().is_none());
    drop(w);
}

#[test]
fn once_runs_once_for_many_goroutines() {
    let _g = guard();
    let once = Arc::new(Once::new());
    let runs = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    let seen = Chan::<usize>::new(100);
    for _ in 0..100 {
        let (once, runs, seen) = (once.clone(), runs.clone(), seen.clone());
        wg.go(move || {
            once.call_once(|| {
                gort::sleep(std::time::Duration::from_millis(5));
                runs.fetch_add(1, Ordering::SeqCst);
            });
            // Every caller returns after the one run finished.
            seen.send(runs.load(Ordering::SeqCst));
        });
    }
    wg.wait();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    for _ in 0..100 {
        assert_eq!(seen.recv(), Some(1));
    }
}

#[test]
fn once_that_panics_counts_as_done() {
    let _g = guard();
    let once = Once::new();
    let r = catch_unwind(AssertUnwindSafe(|| once.call_once(|| panic!("init failed"))));
    assert_eq!(panic_message(r), "init failed");
    let mut ran = false;
    once.call_once(|| ran = true);
    assert!(!ran);
}
