//! Typed channels: Go's semantics, ownership of the values moved through
//! them, and misuse answered with Go's panic messages or an Err.
mod common;

use common::{count, counter, guard, DropCounter};
use gort::{Chan, CloseError, Error, TryRecvError, TrySendError, WaitGroup};
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_message(r: Result<(), Box<dyn std::any::Any + Send>>) -> String {
    let p = r.expect_err("expected a panic");
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<not a string>".to_string()
    }
}

#[test]
fn unbuffered_rendezvous_in_order() {
    let _g = guard();
    let ch = Chan::<u32>::new(0);
    assert_eq!((ch.len(), ch.cap()), (0, 0));
    let tx = ch.clone();
    gort::go(move || {
        for i in 0..100 {
            tx.send(i);
        }
        tx.close();
    });
    let got: Vec<u32> = ch.iter().collect();
    assert_eq!(got, (0..100).collect::<Vec<_>>());
    assert_eq!(ch.recv(), None, "closed and drained: the zero value, ok = false");
}

#[test]
fn buffered_fifo_len_cap() {
    let _g = guard();
    let ch = Chan::<String>::new(3);
    ch.send("a".into());
    ch.send("b".into());
    assert_eq!((ch.len(), ch.cap()), (2, 3));
    assert!(!ch.is_empty());
    ch.send("c".into());
    assert!(matches!(ch.try_send("d".into()), Err(TrySendError::Full(ref s)) if s == "d"));
    ch.close();
    // Buffered values survive close.
    assert_eq!(ch.recv().as_deref(), Some("a"));
    assert_eq!(ch.try_recv().as_deref(), Ok("b"));
    assert_eq!(ch.recv().as_deref(), Some("c"));
    assert_eq!(ch.recv(), None);
    assert_eq!(ch.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_ops_on_an_open_channel() {
    let _g = guard();
    let ch = Chan::<i32>::new(0);
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty));
    assert!(matches!(ch.try_send(1), Err(TrySendError::Full(1))), "no receiver waiting");
}

#[test]
fn close_twice_panics_with_gos_message() {
    let _g = guard();
    let ch = Chan::<i32>::new(1);
    ch.close();
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| ch.close())));
    assert_eq!(msg, "close of closed channel");
    assert_eq!(ch.try_close(), Err(CloseError::Closed));
}

#[test]
fn close_of_nil_channel_panics() {
    let _g = guard();
    let ch = Chan::<i32>::nil();
    assert!(ch.is_nil());
    assert_eq!((ch.len(), ch.cap()), (0, 0));
    assert_eq!(panic_message(catch_unwind(AssertUnwindSafe(|| ch.close()))), "close of nil channel");
    assert_eq!(ch.try_close(), Err(CloseError::Nil));
    assert_eq!(ch.try_recv(), Err(TryRecvError::Empty), "the nil channel is never ready");
    assert!(matches!(ch.try_send(3), Err(TrySendError::Full(3))));
}

#[test]
fn send_on_closed_channel_panics_and_returns_the_value() {
    let _g = guard();
    let drops = counter();
    let ch = Chan::<DropCounter>::new(1);
    ch.close();
    let r = ch.send_checked(DropCounter(drops.clone()));
    let v = r.expect_err("closed").0;
    assert_eq!(count(&drops), 0, "the value came back, not dropped");
    drop(v);
    assert_eq!(count(&drops), 1);
    assert!(matches!(ch.try_send(DropCounter(drops.clone())), Err(TrySendError::Closed(_))));
    assert_eq!(count(&drops), 2);
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| ch.send(DropCounter(drops.clone())))));
    assert_eq!(msg, "send on closed channel");
    assert_eq!(count(&drops), 3, "the unsent value is dropped once");
}

#[test]
fn close_wakes_a_blocked_sender_with_an_error() {
    let _g = guard();
    let ch = Chan::<i32>::new(0);
    let res = Chan::<Result<(), i32>>::new(1);
    let (tx, r) = (ch.clone(), res.clone());
    let started = WaitGroup::new();
    started.add(1);
    let s = started.clone();
    gort::go(move || {
        s.done();
        r.send(tx.send_checked(42).map_err(|e| e.0));
    });
    started.wait();
    // The sender is (or soon will be) parked; close makes it fail either way.
    ch.close();
    assert_eq!(res.recv(), Some(Err(42)));
}

#[test]
fn close_wakes_every_blocked_receiver() {
    let _g = guard();
    let ch = Chan::<i32>::new(0);
    let out = Chan::<Option<i32>>::new(10);
    let wg = WaitGroup::new();
    for _ in 0..10 {
        let (ch, out) = (ch.clone(), out.clone());
        wg.go(move || out.send(ch.recv()));
    }
    ch.close();
    wg.wait();
    for _ in 0..10 {
        assert_eq!(out.recv(), Some(None));
    }
}

#[test]
fn buffered_values_are_dropped_with_the_channel() {
    let _g = guard();
    let drops = counter();
    let ch = Chan::<DropCounter>::new(5);
    for _ in 0..3 {
        ch.send(DropCounter(drops.clone()));
    }
    let got = ch.recv().unwrap();
    assert_eq!(count(&drops), 0);
    drop(got);
    assert_eq!(count(&drops), 1);
    let other = ch.clone();
    drop(ch);
    assert_eq!(count(&drops), 1, "a handle remains: nothing dropped");
    drop(other);
    assert_eq!(count(&drops), 3, "the last handle drops the two buffered values");
    // And after close too.
    let ch = Chan::<DropCounter>::new(2);
    ch.send(DropCounter(drops.clone()));
    ch.close();
    drop(ch);
    assert_eq!(count(&drops), 4);
}

#[test]
fn large_values_travel_boxed() {
    let _g = guard();
    // Larger than GO_CHAN_ELEM_MAX: moved as a Box<T>.
    #[derive(Clone)]
    struct Big([u8; 70_000]);
    let ch = Chan::<Box<Big>>::new(1);
    let mut b = Box::new(Big([0; 70_000]));
    b.0[69_999] = 9;
    ch.send(b);
    assert_eq!(ch.recv().unwrap().0[69_999], 9);
    let ch = Chan::<Big>::new(2);
    ch.send(Big([1; 70_000]));
    ch.send(Big([2; 70_000]));
    assert_eq!(ch.recv().unwrap().0[123], 1);
    drop(ch); // one boxed value still buffered: freed
}

#[test]
fn zero_sized_values() {
    let _g = guard();
    let done = Chan::<()>::new(0);
    let d = done.clone();
    gort::go(move || d.send(()));
    assert_eq!(done.recv(), Some(()));
    done.close();
    assert_eq!(done.recv(), None);
}

#[test]
fn many_producers_many_consumers() {
    let _g = guard();
    const P: u64 = 8;
    const PER: u64 = 2_000;
    let ch = Chan::<u64>::new(16);
    let sums = Chan::<u64>::new(4);
    let producers = WaitGroup::new();
    for p in 0..P {
        let ch = ch.clone();
        producers.go(move || {
            for i in 0..PER {
                ch.send(p * PER + i);
            }
        });
    }
    for _ in 0..4 {
        let (ch, sums) = (ch.clone(), sums.clone());
        gort::go(move || sums.send(ch.iter().sum()));
    }
    producers.wait();
    ch.close();
    let total: u64 = (0..4).map(|_| sums.recv().unwrap()).sum();
    let n = P * PER;
    assert_eq!(total, n * (n - 1) / 2);
}

#[test]
fn from_raw_checks_the_element_size() {
    let _g = guard();
    // SAFETY: a channel made here and handed over once.
    unsafe {
        let p = gort::sys::chan_new(8, 1);
        assert_eq!(Chan::<u32>::from_raw(p).unwrap_err(), Error::Invalid);
        let ch = Chan::<i64>::from_raw(p).unwrap();
        assert_eq!(ch.as_raw(), p);
        ch.send(-5);
        assert_eq!(ch.recv(), Some(-5));
        assert!(Chan::<i64>::from_raw(std::ptr::null_mut()).unwrap().is_nil());
    }
}

#[test]
fn makechan_size_out_of_range() {
    let _g = guard();
    assert_eq!(Chan::<u64>::try_new(usize::MAX).unwrap_err(), Error::Invalid);
    let r = catch_unwind(|| {
        Chan::<u64>::new(usize::MAX);
    });
    assert_eq!(panic_message(r), "makechan: size out of range");
}

#[test]
fn a_timers_channel_is_receive_only() {
    let _g = guard();
    let t = gort::Timer::new(std::time::Duration::from_secs(3600));
    assert_eq!(t.c().try_close(), Err(CloseError::ReceiveOnly));
    let r = catch_unwind(AssertUnwindSafe(|| t.c().send(1)));
    assert!(panic_message(r).contains("receive-only"));
    assert!(t.stop());
}
