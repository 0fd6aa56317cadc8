//! Death tests: each scenario runs in a child process (this binary again,
//! with GORT_DEATH_SCENARIO set) and the parent checks its exit status,
//! stderr and stdout, as tests/testutil.h's tu_run_child does in C.
//! Unrecovered panics must print Go's text and exit with status 2.
//!
//! harness = false: prints libtest's lines ("test NAME ... ok" and the
//! "test result:" summary) itself.
use gort::{Chan, WaitGroup};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Expect {
    status: i32,
    /// stderr must start with this...
    stderr_prefix: &'static str,
    /// ...then (after the prefix) contain these, in order.
    stderr_then: &'static [&'static str],
    stdout: &'static str,
}

fn scenarios() -> Vec<(&'static str, fn(), Expect)> {
    vec![
        (
            "goroutine_panic_is_gos_unrecovered_panic",
            || {
                let wg = WaitGroup::new();
                wg.add(1);
                gort::go(|| panic!("boom"));
                wg.wait(); // never released: the panic ends the process
            },
            Expect { status: 2, stderr_prefix: "panic: boom\n\ngoroutine ", stderr_then: &[" [running]:\n"], stdout: "" },
        ),
        (
            "main_goroutine_panic",
            || {
                gort::main(|| {
                    println!("before");
                    panic!("boom in main");
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: boom in main\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "before\n",
            },
        ),
        (
            "formatted_message",
            || {
                gort::main(|| {
                    let v: Vec<i32> = Vec::new();
                    let i = 3;
                    let _ = v[i];
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: index out of bounds: the len is 0 but the index is 3\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "panic_in_deferred_call_chains",
            || {
                gort::main(|| {
                    gort::call(|s| {
                        s.defer(|| panic!("B"));
                        panic!("A");
                    });
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: A\n\tpanic: B\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "panic_after_recover_in_same_deferred_call",
            || {
                gort::main(|| {
                    gort::call(|s| {
                        s.defer(|| {
                            gort::recover();
                            panic!("C");
                        });
                        panic!("A");
                    });
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: A [recovered]\n\tpanic: C\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "three_chained_panics",
            || {
                gort::main(|| {
                    gort::call(|s| {
                        s.defer(|| panic!("D"));
                        s.defer(|| panic!("C"));
                        panic!("A");
                    });
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: A\n\tpanic: C\n\tpanic: D\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "send_on_closed_channel_in_a_goroutine",
            || {
                gort::main(|| {
                    let ch = Chan::<i32>::new(1);
                    ch.close();
                    let wg = WaitGroup::new();
                    let w = wg.clone();
                    wg.add(1);
                    gort::go(move || {
                        ch.send(1);
                        w.done();
                    });
                    wg.wait();
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: send on closed channel\n\ngoroutine ",
                stderr_then: &[" [running]:\n"],
                stdout: "",
            },
        ),
        (
            "deadlock_is_gos_fatal_error",
            || {
                gort::main(|| {
                    let ch = Chan::<i32>::new(0);
                    ch.recv();
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "deadlock_lists_blocked_goroutines",
            || {
                gort::main(|| {
                    let mu = std::sync::Arc::new(gort::Mutex::new(0));
                    let g = mu.lock();
                    let m = mu.clone();
                    gort::go(move || {
                        let _ = m.lock();
                    });
                    gort::sleep(Duration::from_millis(20));
                    let wg = WaitGroup::new();
                    wg.add(1);
                    wg.wait();
                    drop(g);
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\n",
                stderr_then: &["\ngoroutine ", " [semacquire]:\n"],
                stdout: "",
            },
        ),
        (
            "a_recovered_panic_prints_nothing",
            || {
                gort::main(|| {
                    let r = gort::call(|s| {
                        s.defer(|| {
                            gort::recover();
                        });
                        panic!("quiet");
                    });
                    println!("recovered: {}", r.is_none());
                    let wg = WaitGroup::new();
                    wg.go(|| {
                        gort::call(|s| {
                            s.defer(|| {
                                gort::recover();
                            });
                            panic!("quiet in a goroutine");
                        });
                    });
                    wg.wait();
                });
            },
            Expect { status: 0, stderr_prefix: "", stderr_then: &[], stdout: "recovered: true\n" },
        ),
        (
            "main_returns_its_value_and_ends_the_program",
            || {
                let v = gort::main(|| {
                    // A goroutine still blocked when main returns: the
                    // program is over all the same.
                    let ch = Chan::<i32>::new(0);
                    let c = ch.clone();
                    gort::go(move || {
                        c.recv();
                    });
                    41
                });
                println!("{}", v + 1);
                println!("{:?}", gort::try_main(|| 0).err());
                println!("{:?}", gort::try_go(|| {}).err());
            },
            Expect { status: 0, stderr_prefix: "", stderr_then: &[], stdout: "42\nSome(Already)\nSome(Shutdown)\n" },
        ),
        (
            "goexit_from_main_lets_the_others_finish",
            || {
                gort::main(|| {
                    gort::go(|| {
                        gort::sleep(Duration::from_millis(10));
                        println!("other goroutine finished");
                    });
                    gort::call(|s| {
                        s.defer(|| println!("main's deferred call ran"));
                        gort::goexit();
                    });
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n",
                stderr_then: &[],
                stdout: "main's deferred call ran\nother goroutine finished\n",
            },
        ),
        (
            "stack_overflow_is_fatal",
            || {
                gort::main(|| {
                    #[allow(unconditional_recursion)]
                    fn recurse(n: u64) -> u64 {
                        let pad = [n; 64];
                        recurse(n + 1) + pad[(n % 64) as usize]
                    }
                    let wg = WaitGroup::new();
                    wg.go(|| {
                        println!("{}", recurse(0));
                    });
                    wg.wait();
                });
            },
            // Go's text: "runtime: goroutine stack exceeds 65536-byte limit" first,
            // then "runtime: sp=0x... stack=[0x..., 0x...]", then the trace.
            Expect {
                status: 2,
                stderr_prefix: "runtime: goroutine stack exceeds 65536-byte limit\nruntime: sp=0x",
                stderr_then: &[" stack=[0x", "fatal error: stack overflow\n\ngoroutine ", " [running]:\n", "recurse"],
                stdout: "",
            },
        ),
        (
            "unrecovered_call_on_a_plain_thread_is_a_rust_panic",
            || {
                gort::call(|s| {
                    s.defer(|| eprintln!("deferred ran"));
                    panic!("escaped");
                });
            },
            Expect {
                status: 101,
                stderr_prefix: "deferred ran\nthread 'main' panicked at ",
                stderr_then: &["death.rs:", "\nescaped\n"],
                stdout: "",
            },
        ),
        (
            "pinned_goroutine_panic",
            || {
                gort::main(|| {
                    let wg = WaitGroup::new();
                    wg.go(|| {});
                    wg.wait();
                    let w = wg.clone();
                    wg.add(1);
                    gort::go_pinned(move || {
                        let _w = w;
                        panic!("pinned boom");
                    });
                    wg.wait();
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: pinned boom\n\ngoroutine ",
                // Go's text for a goroutine locked to its thread.
                stderr_then: &[" [running, locked to thread]:\n"],
                stdout: "",
            },
        ),
        (
            "panic_in_blocking_is_gos_unrecovered_panic",
            || {
                gort::main(|| gort::blocking(|| panic!("in a system call")));
            },
            Expect {
                status: 2,
                stderr_prefix: "panic: in a system call\n\ngoroutine 1 [running]:\n",
                stderr_then: &[],
                stdout: "",
            },
        ),
        (
            "blocking_on_gort_inside_blocking_is_a_fatal_error",
            || {
                gort::main(|| {
                    println!("before");
                    gort::blocking(|| gort::sleep(Duration::from_millis(1)));
                    println!("not reached");
                });
            },
            Expect {
                status: 2,
                stderr_prefix: "fatal error: ",
                stderr_then: &["go_syscall_enter"],
                stdout: "before\n",
            },
        ),
        (
            "non_string_payload",
            || {
                gort::main(|| std::panic::panic_any(42i32));
            },
            Expect { status: 2, stderr_prefix: "panic: Box<dyn Any>\n\ngoroutine 1 [running]:\n", stderr_then: &[], stdout: "" },
        ),
    ]
}

fn check(name: &str, e: &Expect) -> Result<(), String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("GORT_DEATH_SCENARIO", name)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("timed out after 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let status = out.status.code().unwrap_or(-1);
    let show = || format!("status {}\n--- stderr\n{}--- stdout\n{}---", status, stderr, stdout);
    if status != e.status {
        return Err(format!("want status {}, got {}", e.status, show()));
    }
    if !stderr.starts_with(e.stderr_prefix) || (e.stderr_prefix.is_empty() && !stderr.is_empty()) {
        return Err(format!("want stderr starting {:?}, got {}", e.stderr_prefix, show()));
    }
    let mut rest = &stderr[e.stderr_prefix.len()..];
    for want in e.stderr_then {
        match rest.find(want) {
            Some(i) => rest = &rest[i + want.len()..],
            None => return Err(format!("want stderr to contain {:?} (in order), got {}", want, show())),
        }
    }
    if stdout != e.stdout {
        return Err(format!("want stdout {:?}, got {}", e.stdout, show()));
    }
    Ok(())
}

fn main() {
    let all = scenarios();
    if let Ok(name) = std::env::var("GORT_DEATH_SCENARIO") {
        let s = all.iter().find(|s| s.0 == name).expect("unknown scenario");
        (s.1)();
        std::process::exit(0);
    }
    // `cargo test NAME`: a plain argument filters by substring.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let chosen: Vec<_> = all.iter().filter(|s| filter.as_ref().map_or(true, |f| s.0.contains(f.as_str()))).collect();
    println!("\nrunning {} tests", chosen.len());
    let (mut passed, mut failed) = (0, 0);
    let mut failures = Vec::new();
    for (name, _, e) in chosen {
        match check(name, e) {
            Ok(()) => {
                println!("test {} ... ok", name);
                passed += 1;
            }
            Err(why) => {
                println!("test {} ... FAILED", name);
                failures.push((name, why));
                failed += 1;
            }
        }
    }
    for (name, why) in &failures {
        println!("\n---- {} ----\n{}", name, why);
    }
    let filtered = all.len() - passed - failed;
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed == 0 { "ok" } else { "FAILED" },
        passed,
        failed,
        filtered
    );
    std::process::exit(if failed == 0 { 0 } else { 101 });
}
