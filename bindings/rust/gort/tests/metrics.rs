//! gort::metrics with goroutines about: the goroutine-state counts add up
//! to num_goroutine() while goroutines are blocked on a channel, and the
//! created count and the context switches grow with the goroutines run.
//! Waits are bounded: a test fails instead of hanging.
mod common;

use common::guard;
use gort::metrics::{self, Value};
use gort::{Chan, WaitGroup};
use std::time::{Duration, Instant};

const STATES: [&str; 5] = [
    "/sched/goroutines/running:goroutines",
    "/sched/goroutines/runnable:goroutines",
    "/sched/goroutines/waiting:goroutines",
    "/sched/goroutines/not-in-go:goroutines",
    "/sched/goroutines:goroutines",
];

fn states() -> [u64; 5] {
    let m = metrics::read(&STATES);
    let mut out = [0; 5];
    for (o, m) in out.iter_mut().zip(m.iter()) {
        *o = m.value.as_u64().unwrap_or_else(|| panic!("{}: {:?}", m.name, m.value));
    }
    out
}

#[test]
fn states_add_up_with_goroutines_blocked() {
    let _g = guard();
    const N: usize = 50;
    let gate = Chan::<u8>::new(0);
    let wg = WaitGroup::new();
    for _ in 0..N {
        let gate = gate.clone();
        wg.go(move || {
            let _ = gate.recv();
        });
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut s = states();
    while s[2] < N as u64 {
        assert!(Instant::now() < deadline, "the goroutines never blocked: {:?}", s);
        std::thread::sleep(Duration::from_millis(1));
        s = states();
    }
    // Nothing starts or ends now: the four states add up to the total.
    assert_eq!(s[0] + s[1] + s[2] + s[3], s[4], "{:?}", s);
    assert_eq!(s[4] as usize, gort::num_goroutine());
    gate.close();
    wg.wait();
}

#[test]
fn created_and_switches_grow() {
    let _g = guard();
    let created0 = metrics::read_u64("/sched/goroutines-created:goroutines").unwrap();
    let switches0 = metrics::read_u64("/gort/sched/switches:events").unwrap();
    let wg = WaitGroup::new();
    for _ in 0..1000 {
        wg.go(|| {});
    }
    wg.wait();
    let created1 = metrics::read_u64("/sched/goroutines-created:goroutines").unwrap();
    let switches1 = metrics::read_u64("/gort/sched/switches:events").unwrap();
    assert!(created1 - created0 >= 1000, "{} -> {}", created0, created1);
    assert!(switches1 - switches0 >= 1000, "{} -> {}", switches0, switches1);
    match &metrics::read(&["/sched/latencies:seconds"])[0].value {
        Value::Histogram(h) => assert!(h.total > 0, "no latency sample after 1000 spawns"),
        v => panic!("/sched/latencies:seconds: {:?}", v),
    }
}
