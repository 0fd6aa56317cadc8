//! Goroutines from Rust: spawning closures, ids, names, stacks, pinned
//! goroutines, GOMAXPROCS, yield and sleep.
mod common;

use common::{count, counter, guard, DropCounter};
use gort::{Chan, WaitGroup};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn waitgroup_over_many_goroutines() {
    let _g = guard();
    const N: i64 = 10_000;
    let wg = WaitGroup::new();
    let sum = Arc::new(AtomicI64::new(0));
    for i in 0..N {
        wg.add(1);
        let (wg, sum) = (wg.clone(), sum.clone());
        gort::go(move || {
            sum.fetch_add(i, Ordering::Relaxed);
            wg.done();
        });
    }
    wg.wait();
    assert_eq!(sum.load(Ordering::Relaxed), N * (N - 1) / 2);
}

#[test]
fn waitgroup_go_helper() {
    let _g = guard();
    let wg = WaitGroup::new();
    let hits = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let h = hits.clone();
        wg.go(move || {
            h.fetch_add(1, Ordering::Relaxed);
        });
    }
    wg.wait();
    assert_eq!(hits.load(Ordering::Relaxed), 100);
}

#[test]
fn ids_grow_and_are_seen_inside() {
    let _g = guard();
    assert_eq!(gort::id(), 0, "a test thread is not a goroutine");
    assert_eq!(gort::name(), None);
    let ch = Chan::<i64>::new(1);
    let tx = ch.clone();
    let a = gort::go(move || tx.send(gort::id()));
    assert!(a >= 1);
    assert_eq!(ch.recv(), Some(a));
    let tx = ch.clone();
    let b = gort::go(move || tx.send(gort::id()));
    assert!(b > a);
    assert_eq!(ch.recv(), Some(b));
}

#[test]
fn closures_of_every_size_run_once_and_drop_once() {
    let _g = guard();
    let drops = counter();
    let ran = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    // Inline (copied into the goroutine record) and boxed (larger than 40 bytes).
    let small = DropCounter(drops.clone());
    let big = (DropCounter(drops.clone()), [7u64; 16]);
    wg.add(3);
    {
        let (wg, ran) = (wg.clone(), ran.clone());
        gort::go(move || {
            let _keep = &small;
            ran.fetch_add(1, Ordering::SeqCst);
            wg.done();
        });
    }
    {
        let (wg, ran) = (wg.clone(), ran.clone());
        gort::go(move || {
            let big = big; // the whole tuple, not only the field used
            assert_eq!(big.1.iter().sum::<u64>(), 7 * 16);
            ran.fetch_add(1, Ordering::SeqCst);
            wg.done();
        });
    }
    // A zero-sized closure.
    static ZST_RAN: AtomicUsize = AtomicUsize::new(0);
    fn zst() {
        ZST_RAN.fetch_add(1, Ordering::SeqCst);
    }
    gort::go(zst);
    {
        let (wg, ran) = (wg.clone(), ran.clone());
        gort::go(move || {
            ran.fetch_add(1, Ordering::SeqCst);
            wg.done();
        });
    }
    wg.wait();
    assert_eq!(ran.load(Ordering::SeqCst), 3);
    common::settle(0);
    assert_eq!(count(&drops), 2);
    assert_eq!(ZST_RAN.load(Ordering::SeqCst), 1);
}

#[test]
fn builder_sets_name_and_stack_size() {
    let _g = guard();
    let ch = Chan::<(String, usize)>::new(1);
    let tx = ch.clone();
    gort::Builder::new()
        .name("deep-worker")
        .stack_size(4 << 20)
        .spawn(move || {
            // Recursion that needs far more than the default 64 KiB.
            fn depth(n: usize) -> usize {
                let pad = [n as u8; 512];
                if n == 0 {
                    pad[0] as usize
                } else {
                    // A volatile read keeps the 512-byte frame real.
                    // SAFETY: a read of an initialised local.
                    let b = unsafe { std::ptr::read_volatile(&pad[n % 512]) };
                    depth(n - 1) + 1 + (b as usize) / 256
                }
            }
            tx.send((gort::name().unwrap(), depth(2000)));
        })
        .unwrap();
    assert_eq!(ch.recv(), Some(("deep-worker".to_string(), 2000)));
    let err = gort::Builder::new().stack_size(2 << 30).spawn(|| {}).unwrap_err();
    assert_eq!(err, gort::Error::Invalid);
}

#[test]
fn pinned_goroutines_run_on_their_own_thread() {
    let _g = guard();
    let ch = Chan::<(bool, i64, bool)>::new(0);
    let tx = ch.clone();
    let id = gort::go_pinned(move || tx.send((gort::is_pinned(), gort::id(), gort::id() != 0)));
    let got = ch.recv().unwrap();
    assert_eq!(got, (true, id, true));
    let tx = ch.clone();
    gort::go(move || tx.send((gort::is_pinned(), 0, true)));
    assert!(!ch.recv().unwrap().0);
}

#[test]
fn gomaxprocs_sets_and_restores() {
    let _g = guard();
    assert!(gort::num_cpu() >= 1);
    let before = gort::gomaxprocs(0);
    assert!(before >= 1);
    assert_eq!(gort::gomaxprocs(3), before);
    assert_eq!(gort::gomaxprocs(0), 3);
    // Work still completes with one processor.
    gort::gomaxprocs(1);
    let wg = WaitGroup::new();
    let n = Arc::new(AtomicUsize::new(0));
    for _ in 0..1000 {
        let n = n.clone();
        wg.go(move || {
            gort::yield_now();
            n.fetch_add(1, Ordering::Relaxed);
        });
    }
    wg.wait();
    assert_eq!(n.load(Ordering::Relaxed), 1000);
    assert_eq!(gort::gomaxprocs(before as i32), 1);
}

#[test]
fn num_goroutine_counts_blocked_goroutines() {
    let _g = guard();
    let base = gort::num_goroutine();
    let gate = Chan::<()>::new(0);
    let wg = WaitGroup::new();
    for _ in 0..10 {
        let gate = gate.clone();
        wg.go(move || {
            gate.recv();
        });
    }
    assert_eq!(gort::num_goroutine(), base + 10);
    gate.close();
    wg.wait();
}

#[test]
fn sleep_parks_for_at_least_the_duration() {
    let _g = guard();
    let ch = Chan::<Duration>::new(1);
    let tx = ch.clone();
    gort::go(move || {
        let t = Instant::now();
        gort::sleep(Duration::from_millis(30));
        tx.send(t.elapsed());
    });
    let d = ch.recv().unwrap();
    assert!(d >= Duration::from_millis(30), "slept {:?}", d);
    assert!(d < Duration::from_secs(5), "slept {:?}", d);
    // From a thread that is not a goroutine: blocks the thread.
    let t = Instant::now();
    gort::sleep(Duration::from_millis(10));
    assert!(t.elapsed() >= Duration::from_millis(10));
}

#[test]
fn version_is_the_crates() {
    assert_eq!(gort::version(), gort::sys::GORT_VERSION_STRING);
}

#[test]
fn goroutines_spawn_goroutines() {
    let _g = guard();
    // A tree: each goroutine spawns two children down to depth 10 and sends
    // its leaf count up, as skynet does.
    fn node(depth: u32, out: Chan<u64>) {
        if depth == 0 {
            out.send(1);
            return;
        }
        let ch = Chan::<u64>::new(2);
        for _ in 0..2 {
            let ch = ch.clone();
            gort::go(move || node(depth - 1, ch));
        }
        out.send(ch.recv().unwrap() + ch.recv().unwrap());
    }
    let out = Chan::<u64>::new(0);
    let o = out.clone();
    gort::go(move || node(10, o));
    assert_eq!(out.recv(), Some(1024));
}

// ------------------------------------------------------------ gort::scope

#[test]
fn scope_goroutines_borrow_the_callers_data() {
    let _g = guard();
    let mut slots = vec![0u64; 1000];
    let base = 7u64; // borrowed by every goroutine, no Arc
    let total = AtomicI64::new(0);
    let r = gort::scope(|s| {
        for (i, slot) in slots.iter_mut().enumerate() {
            let total = &total;
            s.go(move || {
                *slot = base + i as u64;
                total.fetch_add(1, Ordering::Relaxed);
            });
        }
        "scope result"
    });
    // every goroutine finished before scope returned
    assert_eq!(r, "scope result");
    assert_eq!(total.load(Ordering::Relaxed), 1000);
    assert!(slots.iter().enumerate().all(|(i, &v)| v == base + i as u64));
}

#[test]
fn scope_goroutines_spawn_more_and_block() {
    let _g = guard();
    let ch: Chan<u64> = Chan::new(0);
    let sum = AtomicI64::new(0);
    gort::scope(|s| {
        // a receiver that lives as long as the senders, all borrowing
        s.go(|| {
            for v in ch.iter() {
                sum.fetch_add(v as i64, Ordering::Relaxed);
            }
        });
        for i in 0..10u64 {
            let ch = &ch;
            // each spawns a nested goroutine of the same scope
            s.go(move || s.go(move || ch.send(i)).ignore());
        }
        // close once the receiver has summed the ten values (0 + ... + 9)
        s.go(|| {
            while sum.load(Ordering::Relaxed) < 45 {
                gort::sleep(Duration::from_millis(1));
            }
            ch.close();
        });
    });
    assert_eq!(sum.load(Ordering::Relaxed), 45);
}

trait Ignore {
    fn ignore(self);
}
impl Ignore for gort::GoId {
    fn ignore(self) {}
}

#[test]
fn scope_drops_each_closure_once_and_waits_before_a_panic_passes() {
    let _g = guard();
    let drops = counter();
    let ran = AtomicUsize::new(0);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        gort::scope(|s| {
            for _ in 0..100 {
                let d = DropCounter(drops.clone());
                let ran = &ran;
                s.go(move || {
                    gort::sleep(Duration::from_millis(2));
                    let _d = d;
                    ran.fetch_add(1, Ordering::SeqCst);
                });
            }
            panic!("in the scope's closure");
        })
    }));
    assert!(r.is_err(), "the closure's panic is passed on");
    // ... but only after every goroutine of the scope finished
    assert_eq!(ran.load(Ordering::SeqCst), 100);
    assert_eq!(count(&drops), 100);
}

#[test]
fn dump_shows_a_parked_goroutine_with_its_frames() {
    let _g = guard();
    let ch: Chan<i32> = Chan::new(0);
    let rx = ch.clone();
    let id = gort::go(move || {
        let _ = rx.recv();
    });
    let header = format!("goroutine {} [chan receive]:\n", id);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut text = gort::dump();
    while !text.contains(&header) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
        text = gort::dump();
    }
    let at = text.find(&header).unwrap_or_else(|| panic!("no {:?} in:\n{}", header, text));
    let trace = &text[at + header.len()..];
    // The closure, named after this test, with a place; then who made it.
    assert!(trace.contains("dump_shows_a_parked_goroutine_with_its_frames"), "{}", text);
    assert!(trace.contains("\n\t"), "{}", text);
    assert!(trace.contains("created by "), "{}", text);
    ch.close();
}

#[test]
fn goroutines_snapshot_shows_a_waiting_goroutine() {
    let _g = guard();
    let ch: Chan<i32> = Chan::new(0);
    let rx = ch.clone();
    let id = gort::go(move || {
        let _ = rx.recv();
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    let info = loop {
        let all = gort::goroutines();
        if let Some(g) = all.iter().find(|g| g.id == id && g.state == gort::GoState::Waiting) {
            break g.clone();
        }
        assert!(Instant::now() < deadline, "goroutine {} never showed as waiting", id);
        std::thread::sleep(Duration::from_millis(1));
    };
    assert_eq!(info.wait_reason, Some("chan receive"));
    assert!(info.waited.is_some());
    assert!(!info.locked);
    assert_eq!(info.parent, 0);
    assert!(
        info.frames.iter().any(|f| f.contains("goroutines_snapshot_shows_a_waiting_goroutine")),
        "{:?}",
        info.frames
    );
    assert!(info.frames.iter().all(|f| f.contains("\n\t")), "{:?}", info.frames);
    assert!(info.created_at.is_some());
    ch.close();
}

#[test]
fn trace_start_stop_writes_chrome_json() {
    let _g = guard();
    let path = std::env::temp_dir().join(format!("gort-rust-trace-{}.json", std::process::id()));
    gort::trace_start(&path).expect("trace_start");
    assert_eq!(gort::trace_start(&path), Err(gort::Error::Already));
    let wg = WaitGroup::new();
    for _ in 0..20 {
        wg.go(|| {
            gort::yield_now();
        });
    }
    wg.wait();
    gort::trace_stop().expect("trace_stop");
    assert_eq!(gort::trace_stop(), Err(gort::Error::Invalid));
    let text = std::fs::read_to_string(&path).expect("the trace file");
    let _ = std::fs::remove_file(&path);
    assert!(text.contains("\"traceEvents\":["), "{}", &text[..text.len().min(400)]);
    assert!(text.contains("\"ph\":\"X\""), "no slice in the trace");
}
