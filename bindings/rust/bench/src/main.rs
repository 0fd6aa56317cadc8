//! The Rust side of the spawn+join benchmark (spawn_join.c is the C side).
//!
//! Usage: spawn_join [N=100000] [ROUNDS=5] [clone|static|scope]
//! In the main goroutine, ROUNDS times: spawn N goroutines from Rust
//! closures that each call `done` on a WaitGroup, then wait. Prints
//! "rust spawn_join N=... rounds=... median_ns=... best_ns=..." (per
//! goroutine), the C program's format.
//!   clone  (default) the idiomatic form: each goroutine owns a handle,
//!          `wg.add(1); let w = wg.clone(); gort::go(move || w.done())`
//!          (a reference count: two atomic operations more per goroutine);
//!   static the C program's form: the closure captures a reference to a
//!          WaitGroup that is never freed (spawn_join.c leaks its go_wg_t
//!          the same way).
//!   scope  gort::scope(|s| s.go(|| {})): the closures borrow, the scope's
//!          one WaitGroup is released by each goroutine (no handle each).
use gort::WaitGroup;

fn arg(i: usize, default: u64) -> u64 {
    match std::env::args().nth(i) {
        Some(s) => match s.parse::<u64>() {
            Ok(v) if v > 0 => v,
            _ => {
                eprintln!("bad argument {:?}", s);
                std::process::exit(2);
            }
        },
        None => default,
    }
}

fn main() {
    let n = arg(1, 100_000);
    let rounds = arg(2, 5) as usize;
    let mode = std::env::args().nth(3).unwrap_or_else(|| "clone".to_string());
    let (leak, scoped) = match mode.as_str() {
        "clone" => (false, false),
        "static" => (true, false),
        "scope" => (false, true),
        _ => {
            eprintln!("bad argument {:?}", mode);
            std::process::exit(2);
        }
    };
    let mut t = gort::main(move || {
        let mut t = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let start;
            if scoped {
                // gort::scope: the scope's one WaitGroup, no handle per goroutine
                start = gort::nanotime();
                gort::scope(|s| {
                    for _ in 0..n {
                        s.go(|| {});
                    }
                });
            } else if leak {
                let wg: &'static WaitGroup = Box::leak(Box::new(WaitGroup::new()));
                start = gort::nanotime();
                for _ in 0..n {
                    wg.add(1);
                    gort::go(move || wg.done());
                }
                wg.wait();
            } else {
                let wg = WaitGroup::new();
                start = gort::nanotime();
                for _ in 0..n {
                    wg.add(1);
                    let w = wg.clone();
                    gort::go(move || w.done());
                }
                wg.wait();
            }
            t.push((gort::nanotime() - start) as f64 / n as f64);
        }
        t
    });
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("rust spawn_join N={} rounds={} mode={} median_ns={:.1} best_ns={:.1}", n, rounds, mode, t[rounds / 2], t[0]);
}
