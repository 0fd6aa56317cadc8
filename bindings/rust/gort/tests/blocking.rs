//! Blocking system calls from Rust (gort::blocking, gort::blocking_long),
//! preemption points and the scheduler's counters. Most tests run at
//! GOMAXPROCS=1, where a goroutine blocked in the kernel while holding the
//! only processor would stop every other goroutine: each checks an order of
//! events that is possible only if the processor was handed off. No test
//! waits for a result by sleeping: each wait is bounded and fails instead of
//! hanging.
mod common;

use common::guard;
use gort::{Chan, Select};
use std::io::{Read, Write};
use std::os::raw::c_int;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

extern "C" {
    fn __errno_location() -> *mut c_int;
}

fn set_errno(e: i32) {
    // SAFETY: the calling thread's errno.
    unsafe { *__errno_location() = e }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Receive within 10 s, or fail the test instead of hanging.
fn recv<T: Send + 'static>(ch: &Chan<T>, what: &str) -> T {
    let timeout = gort::after(Duration::from_secs(10));
    Select::new()
        .recv(ch, |v| v)
        .recv(&timeout, |_| None)
        .wait()
        .unwrap_or_else(|| panic!("no {} within 10 s: was the processor handed off?", what))
}

/// Spin (on the calling OS thread, not a goroutine's processor) until
/// `flag` is set, at most 10 s. Returns whether it was set.
fn wait_flag(flag: &AtomicBool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !flag.load(Ordering::SeqCst) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_micros(100));
    }
    true
}

/// Some work that calls gort (a scheduling point per step).
fn compute(steps: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        gort::yield_now();
    }
    x
}

struct Procs(usize);

impl Procs {
    fn set(n: i32) -> Procs {
        Procs(gort::gomaxprocs(n))
    }
}

impl Drop for Procs {
    fn drop(&mut self) {
        gort::gomaxprocs(self.0 as i32);
    }
}

#[test]
fn a_read_in_blocking_does_not_stop_the_others_at_gomaxprocs_1() {
    let _g = guard();
    let _p = Procs::set(1);
    let before = gort::sched_stats();
    let (mut rd, mut wr) = UnixStream::pair().unwrap();
    let events = Chan::<&'static str>::new(4);
    let ready = Chan::<()>::new(0);

    let (r, ev) = (ready.clone(), events.clone());
    gort::go(move || {
        r.send(());
        let mut buf = [0u8; 16];
        // Blocks until the other goroutine writes, which it can do only
        // once sysmon has handed this goroutine's processor on.
        let n = gort::blocking(|| rd.read(&mut buf)).unwrap();
        assert_eq!(&buf[..n], b"ping");
        ev.send("read");
    });
    recv(&ready, "reader");

    let ev = events.clone();
    gort::go(move || {
        compute(1000);
        ev.send("computed");
        wr.write_all(b"ping").unwrap();
    });
    assert_eq!(recv(&events, "first event"), "computed");
    assert_eq!(recv(&events, "second event"), "read");

    let after = gort::sched_stats();
    assert!(after.syscalls > before.syscalls, "{:?}", after);
    assert!(after.retakes > before.retakes, "the reader's processor was not retaken: {:?}", after);
}

#[test]
fn a_child_wait_in_blocking_long_hands_off_at_once() {
    let _g = guard();
    let _p = Procs::set(1);
    let before = gort::sched_stats();
    // cat runs until its stdin closes: the computing goroutine closes it
    // when it is done, so the wait cannot end before the computation.
    let mut child = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let events = Chan::<&'static str>::new(4);
    let ready = Chan::<()>::new(0);

    let (r, ev) = (ready.clone(), events.clone());
    gort::go(move || {
        r.send(());
        let status = gort::blocking_long(|| child.wait()).unwrap();
        assert!(status.success());
        ev.send("waited");
    });
    recv(&ready, "waiter");

    let ev = events.clone();
    gort::go(move || {
        compute(1000);
        ev.send("computed");
        drop(stdin);
    });
    assert_eq!(recv(&events, "first event"), "computed");
    assert_eq!(recv(&events, "second event"), "waited");

    let after = gort::sched_stats();
    assert!(after.handoffs > before.handoffs, "no hand-off counted: {:?}", after);
}

#[test]
fn errno_survives_a_queued_exit_on_another_thread() {
    let _g = guard();
    let _p = Procs::set(1);
    let before = gort::sched_stats();
    let hog_running = Arc::new(AtomicBool::new(false));
    let call_done = Arc::new(AtomicBool::new(false));
    let results = Chan::<(bool, i32, bool)>::new(1);
    let hog_ran = Chan::<()>::new(1);
    let ready = Chan::<()>::new(0);

    let (hr, cd, out, r) = (hog_running.clone(), call_done.clone(), results.clone(), ready.clone());
    gort::go(move || {
        r.send(());
        let (inside, saw_hog) = gort::blocking(|| {
            // ENOENT, left in errno by a failing open.
            assert!(std::fs::File::open("/nonexistent/gort-blocking-test").is_err());
            // Return only once the hog runs: this goroutine's processor
            // was retaken, so the exit cannot take it back.
            let saw = wait_flag(&hr);
            (std::thread::current().id(), saw)
        });
        let e = errno();
        let moved = std::thread::current().id() != inside;
        cd.store(true, Ordering::SeqCst);
        out.send((saw_hog, e, moved));
    });
    recv(&ready, "caller");

    let (hr, cd, ran) = (hog_running.clone(), call_done.clone(), hog_ran.clone());
    gort::go(move || {
        hr.store(true, Ordering::SeqCst);
        // Keep the only processor until the other goroutine went on.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !cd.load(Ordering::SeqCst) && Instant::now() < deadline {
            gort::yield_now();
        }
        ran.send(());
    });
    let (saw_hog, e, moved) = recv(&results, "result");
    recv(&hog_ran, "hog");
    assert!(saw_hog, "the hog never ran while the call blocked");
    assert_eq!(e, 2, "errno after gort::blocking: want ENOENT");
    assert!(moved, "the goroutine went on on the thread of its system call");
    let after = gort::sched_stats();
    assert!(after.retakes > before.retakes, "{:?}", after);
    assert!(after.syscall_queued_exits > before.syscall_queued_exits, "{:?}", after);
}

#[test]
fn errno_is_kept_on_the_fast_path() {
    let _g = guard();
    let out = Chan::<i32>::new(1);
    let tx = out.clone();
    gort::go(move || {
        gort::blocking(|| set_errno(77));
        tx.send(errno());
    });
    assert_eq!(recv(&out, "errno"), 77);
}

#[test]
fn outside_a_goroutine_it_just_runs_the_closure() {
    let _g = guard();
    let before = gort::sched_stats();
    assert_eq!(gort::id(), 0);
    let v = gort::blocking(|| {
        set_errno(5);
        42
    });
    assert_eq!(v, 42);
    assert_eq!(errno(), 5);
    assert_eq!(gort::blocking_long(|| "long"), "long");
    gort::preempt_point();

    // A pinned goroutine owns its thread: nothing to hand off either.
    let out = Chan::<u64>::new(1);
    let tx = out.clone();
    gort::go_pinned(move || tx.send(gort::blocking(|| 7) + gort::blocking_long(|| 8)));
    assert_eq!(recv(&out, "pinned result"), 15);

    let after = gort::sched_stats();
    assert_eq!(after.syscalls, before.syscalls, "{:?}", after);
    assert_eq!(after.in_syscall, 0);
}

#[test]
fn nested_calls_count_once() {
    let _g = guard();
    let before = gort::sched_stats();
    let out = Chan::<u32>::new(1);
    let tx = out.clone();
    gort::go(move || {
        let v = gort::blocking(|| gort::blocking_long(|| gort::blocking(|| 7)) + 1);
        tx.send(v); // a gort call: the outer call has ended
    });
    assert_eq!(recv(&out, "result"), 8);
    let after = gort::sched_stats();
    assert_eq!(after.syscalls - before.syscalls, 1, "{:?}", after);
}

#[test]
fn a_panic_in_the_closure_ends_the_call_and_goes_on() {
    let _g = guard();
    let out = Chan::<(bool, String)>::new(1);
    let tx = out.clone();
    gort::go(move || {
        let msg = Arc::new(std::sync::Mutex::new(String::new()));
        let m = msg.clone();
        let r = gort::call(|s| {
            s.defer(move || {
                if let Some(p) = gort::recover() {
                    *m.lock().unwrap() = p.message();
                }
            });
            gort::blocking(|| -> u32 { panic!("inside a system call") })
        });
        // gort calls work again: the system call was ended by the panic.
        gort::yield_now();
        let text = msg.lock().unwrap().clone();
        tx.send((r.is_none(), text));
    });
    assert_eq!(recv(&out, "result"), (true, "inside a system call".to_string()));
    assert_eq!(gort::sched_stats().in_syscall, 0);
}

#[test]
fn preempt_point_yields_when_sysmon_asks_at_gomaxprocs_1() {
    let _g = guard();
    let _p = Procs::set(1);
    let before = gort::sched_stats();
    let out = Chan::<bool>::new(1);
    let tx = out.clone();
    gort::go(move || {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        // Runnable, but the only processor is this goroutine's: it runs
        // only when the loop below yields.
        gort::go(move || f.store(true, Ordering::SeqCst));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
            gort::preempt_point();
        }
        tx.send(flag.load(Ordering::SeqCst));
    });
    assert!(recv(&out, "result"), "the spinning goroutine was never asked to yield");
    let after = gort::sched_stats();
    assert!(after.preempt_requests > before.preempt_requests, "{:?}", after);
    assert!(after.preempt_yields > before.preempt_yields, "{:?}", after);
}

#[test]
fn stats_count_goroutines_in_system_calls() {
    let _g = guard();
    let st = gort::sched_stats();
    assert!(st.threads >= 1, "{:?}", st);
    if std::env::var_os("GORT_MAXTHREADS").is_none() {
        assert_eq!(st.threads_max, 10_000);
    }
    let base = st.in_syscall;

    let (mut rd, mut wr) = UnixStream::pair().unwrap();
    let entered = Arc::new(AtomicU64::new(0));
    let done = Chan::<()>::new(1);
    let (e, tx) = (entered.clone(), done.clone());
    gort::go(move || {
        let mut b = [0u8; 1];
        gort::blocking_long(|| {
            e.store(1, Ordering::SeqCst);
            rd.read_exact(&mut b)
        })
        .unwrap();
        tx.send(());
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while (entered.load(Ordering::SeqCst) == 0 || gort::sched_stats().in_syscall <= base) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(gort::sched_stats().in_syscall, base + 1);
    wr.write_all(b"x").unwrap();
    recv(&done, "reader");
    assert_eq!(gort::sched_stats().in_syscall, base);
}

#[test]
fn sched_stats_struct_has_the_c_size() {
    // size_t size; ten uint64_t counters; four int32_t (LP64). The C side
    // writes only st->size bytes, so a short Rust struct would lose fields
    // silently, and a long one would read zeros.
    assert_eq!(std::mem::size_of::<gort::sys::go_sched_stats_t>(), 8 + 10 * 8 + 4 * 4);
}
