//! The select builder: ready cases, default, blocking, closed channels,
//! fairness, and the values of send cases that were not chosen.
mod common;

use common::{count, counter, guard, DropCounter};
use gort::{Chan, Select, WaitGroup};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

#[derive(Debug, PartialEq)]
enum Got {
    A(Option<i32>),
    B(Option<String>),
    Sent,
    Default,
}

#[test]
fn default_runs_when_nothing_is_ready() {
    let _g = guard();
    let a = Chan::<i32>::new(0);
    let b = Chan::<String>::new(0);
    let got = Select::new()
        .recv(&a, Got::A)
        .recv(&b, Got::B)
        .default(|| Got::Default)
        .wait();
    assert_eq!(got, Got::Default);
    // Only a default: Go's `select { default: }`.
    assert_eq!(Select::new().default(|| 5).wait(), 5);
}

#[test]
fn the_ready_case_runs() {
    let _g = guard();
    let a = Chan::<i32>::new(1);
    let b = Chan::<String>::new(1);
    b.send("hello".into());
    let got = Select::new().recv(&a, Got::A).recv(&b, Got::B).default(|| Got::Default).wait();
    assert_eq!(got, Got::B(Some("hello".into())));
    // A send case with room in the buffer.
    let got = Select::new().recv(&b, Got::B).send(&a, 7, || Got::Sent).wait();
    assert_eq!(got, Got::Sent);
    assert_eq!(a.recv(), Some(7));
}

#[test]
fn a_closed_channel_is_always_ready_with_none() {
    let _g = guard();
    let a = Chan::<i32>::new(0);
    a.close();
    let got = Select::new().recv(&a, Got::A).default(|| Got::Default).wait();
    assert_eq!(got, Got::A(None));
}

#[test]
fn blocks_until_a_goroutine_sends() {
    let _g = guard();
    let a = Chan::<i32>::new(0);
    let b = Chan::<String>::new(0);
    let tx = b.clone();
    gort::go(move || tx.send("late".into()));
    let got = Select::new().recv(&a, Got::A).recv(&b, Got::B).wait();
    assert_eq!(got, Got::B(Some("late".into())));
    // A blocked send case, taken by a receiving goroutine.
    let out = Chan::<i32>::new(1);
    let (rx, o) = (a.clone(), out.clone());
    gort::go(move || o.send(rx.recv().unwrap()));
    let got = Select::new().send(&a, 99, || Got::Sent).recv(&b, Got::B).wait();
    assert_eq!(got, Got::Sent);
    assert_eq!(out.recv(), Some(99));
}

#[test]
fn nil_channels_are_never_ready() {
    let _g = guard();
    let nil = Chan::<i32>::nil();
    let got = Select::new()
        .recv(&nil, Got::A)
        .send(&nil, 1, || Got::Sent)
        .default(|| Got::Default)
        .wait();
    assert_eq!(got, Got::Default);
    // A nil case next to a real one: the real one runs.
    let a = Chan::<i32>::new(1);
    a.send(3);
    assert_eq!(Select::new().recv(&nil, Got::A).recv(&a, Got::A).wait(), Got::A(Some(3)));
}

#[test]
fn choice_among_ready_cases_is_random() {
    let _g = guard();
    let a = Chan::<i32>::new(1);
    let b = Chan::<i32>::new(1);
    let (mut na, mut nb) = (0, 0);
    for _ in 0..1000 {
        let _ = a.try_send(1);
        let _ = b.try_send(2);
        match Select::new().recv(&a, |v| v).recv(&b, |v| v).wait() {
            Some(1) => na += 1,
            Some(2) => nb += 1,
            other => panic!("unexpected {:?}", other),
        }
    }
    // Uniform: each about 500; a generous bound for a noisy generator.
    assert!(na > 350 && nb > 350, "a {} b {}", na, nb);
}

#[test]
fn unchosen_send_values_are_dropped_once() {
    let _g = guard();
    let drops = counter();
    let full = Chan::<DropCounter>::new(0); // no receiver: never ready
    let ready = Chan::<i32>::new(1);
    ready.send(1);
    let got = Select::new()
        .send(&full, DropCounter(drops.clone()), || 0)
        .send(&full, DropCounter(drops.clone()), || 0)
        .recv(&ready, |v| v.unwrap())
        .wait();
    assert_eq!(got, 1);
    assert_eq!(count(&drops), 2);
    // A chosen send moves its value into the channel.
    let buf = Chan::<DropCounter>::new(1);
    Select::new().send(&buf, DropCounter(drops.clone()), || ()).wait();
    assert_eq!(count(&drops), 2);
    drop(buf.recv());
    assert_eq!(count(&drops), 3);
}

#[test]
fn send_case_on_closed_channel_panics() {
    let _g = guard();
    let drops = counter();
    let ch = Chan::<DropCounter>::new(1);
    ch.close();
    let r = catch_unwind(AssertUnwindSafe(|| {
        Select::new().send(&ch, DropCounter(drops.clone()), || ()).wait();
    }));
    let p = r.unwrap_err();
    assert_eq!(p.downcast_ref::<&str>(), Some(&"send on closed channel"));
    assert_eq!(count(&drops), 1, "the unsent value was dropped");
}

#[test]
fn timeout_with_after() {
    let _g = guard();
    let never = Chan::<i32>::new(0);
    let timeout = gort::after(Duration::from_millis(20));
    let t0 = gort::nanotime();
    let got = Select::new().recv(&never, |_| "value").recv(&timeout, |_| "timeout").wait();
    assert_eq!(got, "timeout");
    assert!(gort::nanotime() - t0 >= 20_000_000);
}

#[test]
fn select_loop_between_workers() {
    let _g = guard();
    // Two producers, a quit channel: the consumer selects until both are done.
    let evens = Chan::<u32>::new(0);
    let odds = Chan::<u32>::new(0);
    let quit = Chan::<()>::new(0);
    let wg = WaitGroup::new();
    for (ch, start) in [(evens.clone(), 0u32), (odds.clone(), 1u32)] {
        wg.go(move || {
            for i in (start..200).step_by(2) {
                ch.send(i);
            }
        });
    }
    let (w, q) = (wg.clone(), quit.clone());
    gort::go(move || {
        w.wait();
        q.close();
    });
    // The arms return what happened (they cannot all borrow `sum` mutably).
    let mut sum = 0;
    loop {
        let got = Select::new()
            .recv(&evens, |v| v)
            .recv(&odds, |v| v)
            .recv(&quit, |_| None)
            .wait();
        match got {
            Some(v) => sum += v,
            None => break,
        }
    }
    assert_eq!(sum, 199 * 200 / 2);
}
