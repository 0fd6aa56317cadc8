//! defer / recover / goexit with Go's semantics, on goroutines and on
//! threads that are not goroutines.
mod common;

use common::guard;
use gort::{Chan, WaitGroup};
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};

#[test]
fn deferred_calls_run_in_reverse_order() {
    let _g = guard();
    let out = RefCell::new(String::new());
    let r = gort::call(|s| {
        out.borrow_mut().push_str("counting: ");
        for i in 0..10 {
            let out = &out;
            s.defer(move || out.borrow_mut().push_str(&i.to_string())); // defer fmt.Print(i)
        }
        out.borrow_mut().push_str("done; deferred: ");
        42
    });
    assert_eq!(r, Some(42));
    assert_eq!(*out.borrow(), "counting: done; deferred: 9876543210");
}

#[test]
fn a_deferred_call_can_defer_in_a_call_of_its_own() {
    let _g = guard();
    let out = RefCell::new(Vec::new());
    gort::call(|s| {
        s.defer(|| out.borrow_mut().push(4));
        s.defer(|| {
            gort::call(|s2| {
                s2.defer(|| out.borrow_mut().push(3));
                out.borrow_mut().push(2);
            });
        });
        out.borrow_mut().push(1);
    });
    assert_eq!(*out.borrow(), [1, 2, 3, 4]);
}

#[test]
fn recover_stops_the_panic_after_the_other_deferred_calls() {
    let _g = guard();
    let log = RefCell::new(Vec::<String>::new());
    let r: Option<i32> = gort::call(|s| {
        s.defer(|| log.borrow_mut().push("cleanup".into()));
        s.defer(|| {
            let p = gort::recover().expect("panicking");
            log.borrow_mut().push(format!("recovered: {}", p.message()));
            assert_eq!(p.payload().downcast_ref::<&str>(), Some(&"disk on fire"));
        });
        s.defer(|| log.borrow_mut().push("runs first".into()));
        panic!("disk on fire");
    });
    assert_eq!(r, None);
    assert_eq!(*log.borrow(), ["runs first", "recovered: disk on fire", "cleanup"]);
}

#[test]
fn recover_returns_none_when_not_panicking() {
    let _g = guard();
    assert!(gort::recover().is_none());
    let seen = Cell::new(true);
    let r = gort::call(|s| {
        s.defer(|| seen.set(gort::recover().is_some()));
        assert!(gort::recover().is_none(), "the body is not a deferred call");
        7
    });
    assert_eq!(r, Some(7));
    assert!(!seen.get());
}

#[test]
fn an_unrecovered_panic_goes_on_after_the_deferred_calls() {
    let _g = guard();
    let ran = Cell::new(0);
    let r = catch_unwind(AssertUnwindSafe(|| {
        gort::call(|s| {
            s.defer(|| ran.set(ran.get() + 1));
            s.defer(|| ran.set(ran.get() + 10));
            panic!("boom {}", 1);
        })
    }));
    assert_eq!(ran.get(), 11);
    let p = r.unwrap_err();
    let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
    assert_eq!(msg.as_deref(), Some("boom 1"), "the original payload goes on");
}

#[test]
fn an_outer_call_recovers_what_an_inner_one_did_not() {
    let _g = guard();
    let log = RefCell::new(Vec::<String>::new());
    let r = gort::call(|s| {
        s.defer(|| {
            if let Some(p) = gort::recover() {
                log.borrow_mut().push(format!("outer recovered {}", p));
            }
        });
        gort::call(|s2| {
            s2.defer(|| log.borrow_mut().push("inner deferred".into()));
            panic!("deep");
        });
        log.borrow_mut().push("not reached".into());
    });
    assert_eq!(r, None);
    assert_eq!(*log.borrow(), ["inner deferred", "outer recovered deep"]);
}

#[test]
fn a_nested_call_hides_the_panic_from_recover() {
    let _g = guard();
    let inner_saw = Cell::new(None);
    let r = catch_unwind(AssertUnwindSafe(|| {
        gort::call(|s| {
            s.defer(|| {
                // Go: recover() in a function called by a nested frame of
                // the deferred call returns nil.
                gort::call(|s2| {
                    s2.defer(|| inner_saw.set(Some(gort::recover().is_some())));
                    inner_saw.set(Some(gort::recover().is_some()));
                });
            });
            panic!("hidden");
        })
    }));
    assert_eq!(inner_saw.get(), Some(false));
    assert!(r.is_err(), "nobody recovered");
}

#[test]
fn a_helper_called_by_the_deferred_closure_may_recover() {
    let _g = guard();
    fn helper() -> Option<String> {
        gort::recover().map(|p| p.message())
    }
    let got = RefCell::new(None);
    gort::call(|s| {
        s.defer(|| *got.borrow_mut() = helper());
        panic!("via helper");
    });
    assert_eq!(got.borrow().as_deref(), Some("via helper"));
}

#[test]
fn a_panic_in_a_deferred_call_replaces_the_running_one() {
    let _g = guard();
    let got = RefCell::new(Vec::new());
    let r = gort::call(|s| {
        s.defer(|| got.borrow_mut().push(gort::recover().map(|p| p.message())));
        s.defer(|| panic!("B"));
        panic!("A");
    });
    assert_eq!(r, None);
    // recover returns the newest panic (A was aborted by B).
    assert_eq!(*got.borrow(), [Some("B".to_string())]);
    // Unrecovered, both are printed (Go's chain): the payload's message.
    let r = catch_unwind(AssertUnwindSafe(|| {
        gort::call(|s| {
            s.defer(|| panic!("B"));
            panic!("A");
        })
    }));
    let p = r.unwrap_err();
    assert_eq!(gort::panic_message(&*p), "A\n\tpanic: B");
}

#[test]
fn deferred_call_may_set_the_result() {
    let _g = guard();
    // Go's named result: func f() (r int) { defer func() { if recover() != nil { r = -1 } }() ... }
    let r = Cell::new(0);
    gort::call(|s| {
        s.defer(|| {
            if gort::recover().is_some() {
                r.set(-1);
            }
        });
        r.set(10);
        panic!("fail");
    });
    assert_eq!(r.get(), -1);
}

#[test]
fn a_panic_in_one_goroutine_does_not_reach_another() {
    let _g = guard();
    let results = Chan::<String>::new(2);
    let recovered = WaitGroup::new();
    recovered.add(1);
    let wg = WaitGroup::new();
    {
        let (results, recovered) = (results.clone(), recovered.clone());
        wg.go(move || {
            recovered.wait();
            results.send("worker 0 finished normally".into());
        });
    }
    {
        let (results, recovered) = (results.clone(), recovered.clone());
        wg.go(move || {
            gort::call(|s| {
                s.defer(move || recovered.done());
                s.defer(move || {
                    if let Some(p) = gort::recover() {
                        results.send(format!("worker 1 recovered: {}", p));
                    }
                });
                panic!("worker 1 failed");
            });
        });
    }
    wg.wait();
    let mut got = vec![results.recv().unwrap(), results.recv().unwrap()];
    got.sort();
    assert_eq!(got, ["worker 0 finished normally", "worker 1 recovered: worker 1 failed"]);
}

#[test]
fn deferred_calls_may_block_during_a_panic() {
    let _g = guard();
    // The deferred closure parks on a channel while the panic is pending:
    // the goroutine may resume on another thread; the panic is still
    // recovered there.
    let ch = Chan::<i32>::new(0);
    let out = Chan::<String>::new(1);
    let (rx, o) = (ch.clone(), out.clone());
    gort::go(move || {
        gort::call(|s| {
            s.defer(move || {
                let v = rx.recv().unwrap(); // blocks until the test thread sends
                let p = gort::recover().expect("still panicking");
                o.send(format!("{} after {}", p, v));
            });
            panic!("pending");
        });
    });
    ch.send(5);
    assert_eq!(out.recv().as_deref(), Some("pending after 5"));
}

#[test]
fn many_goroutines_recover_concurrently() {
    let _g = guard();
    let wg = WaitGroup::new();
    let out = Chan::<usize>::new(1000);
    for i in 0..1000usize {
        let out = out.clone();
        wg.go(move || {
            let r = gort::call(|s| {
                let out = out.clone();
                s.defer(move || {
                    let p = gort::recover().expect("panicking");
                    gort::yield_now();
                    out.send(p.message().parse().unwrap());
                });
                gort::yield_now();
                panic!("{}", i);
            });
            assert!(r.is_none());
        });
    }
    wg.wait();
    let mut got: Vec<usize> = (0..1000).map(|_| out.recv().unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[test]
fn goexit_runs_deferred_calls_and_cannot_be_recovered() {
    let _g = guard();
    let out = Chan::<String>::new(3);
    let o = out.clone();
    let done = WaitGroup::new();
    let d = done.clone();
    done.add(1);
    gort::go(move || {
        gort::call(|s| {
            let o1 = o.clone();
            s.defer(move || d.done());
            s.defer(move || o1.send(format!("recover saw {:?}", gort::recover().map(|p| p.message()))));
            gort::call(|s2| {
                let o2 = o.clone();
                s2.defer(move || o2.send("inner deferred".into()));
                gort::goexit();
            });
            o.send("not reached".into());
        });
        unreachable!("goexit ended the goroutine");
    });
    done.wait();
    assert_eq!(out.recv().as_deref(), Some("inner deferred"));
    assert_eq!(out.recv().as_deref(), Some("recover saw None"));
    assert_eq!(out.try_recv().ok(), None);
}

#[test]
fn goexit_outside_a_goroutine_is_a_rust_panic() {
    let _g = guard();
    let r = catch_unwind(|| {
        gort::goexit();
    });
    let p = r.unwrap_err();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"gort::goexit: not called from a goroutine"));
}

#[test]
fn recover_works_on_plain_threads_too() {
    let _g = guard();
    let h = std::thread::spawn(|| {
        let msg = RefCell::new(String::new());
        let r = gort::call(|s| {
            s.defer(|| *msg.borrow_mut() = gort::recover().unwrap().message());
            panic!("on a thread");
        });
        (r.is_none(), msg.into_inner())
    });
    assert_eq!(h.join().unwrap(), (true, "on a thread".to_string()));
}
