//! The seed example, in Rust: a WaitGroup over many goroutines, deferred
//! calls running in reverse order, a panic recovered in a deferred call,
//! and a panic in one goroutine not reaching another. The output is
//! deterministic (expected/seed.txt).
use gort::{Chan, WaitGroup};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A WaitGroup over 10,000 goroutines, each adding its number.
fn many_goroutines() {
    let wg = WaitGroup::new();
    let sum = Arc::new(AtomicU64::new(0));
    for i in 0..10_000u64 {
        wg.add(1);
        let (wg, sum) = (wg.clone(), sum.clone());
        gort::go(move || {
            sum.fetch_add(i, Ordering::Relaxed);
            wg.done();
        });
    }
    wg.wait();
    println!("10000 goroutines done, sum {}", sum.load(Ordering::Relaxed));
}

/// for i := 0; i < 10; i++ { defer fmt.Print(i) }
fn defer_order() {
    print!("counting: ");
    gort::call(|s| {
        for i in 0..10 {
            s.defer(move || print!("{}", i));
        }
        print!("done; deferred: ");
    });
    println!();
}

/// A panic stopped by a deferred call: the other deferred call still runs,
/// and the function returns normally to its caller.
fn recovered_panic() {
    let log = RefCell::new(Vec::new());
    let r = gort::call(|s| {
        s.defer(|| log.borrow_mut().push("closing file".to_string()));
        s.defer(|| {
            if let Some(p) = gort::recover() {
                log.borrow_mut().push(format!("recovered: {}", p));
            }
        });
        log.borrow_mut().push("writing".to_string());
        panic!("disk on fire");
    });
    for line in log.borrow().iter() {
        println!("{}", line);
    }
    println!("risky returned normally (result {:?})", r);
}

/// Worker 1 panics and recovers in its own deferred call; worker 0, which
/// waits until then, finishes normally, and so does main.
fn panic_stays_in_its_goroutine() {
    let results = Chan::<(usize, String)>::new(2);
    let wg = WaitGroup::new();
    let recovered = WaitGroup::new();
    recovered.add(1);
    {
        let (results, recovered) = (results.clone(), recovered.clone());
        wg.go(move || {
            recovered.wait();
            results.send((0, "worker 0 finished normally".to_string()));
        });
    }
    {
        let (results, recovered) = (results.clone(), recovered.clone());
        wg.go(move || {
            gort::call(|s| {
                s.defer(move || recovered.done());
                s.defer(move || {
                    if let Some(p) = gort::recover() {
                        results.send((1, format!("worker 1 recovered: {}", p)));
                    }
                });
                panic!("worker 1 failed");
            });
        });
    }
    wg.wait();
    let mut lines = vec![results.recv().unwrap(), results.recv().unwrap()];
    lines.sort();
    for (_, l) in lines {
        println!("{}", l);
    }
    println!("main: all workers done");
}

fn main() {
    gort::main(|| {
        many_goroutines();
        defer_order();
        recovered_panic();
        panic_stays_in_its_goroutine();
    });
}
