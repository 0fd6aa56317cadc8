//! gort::net: TCP and Unix sockets whose waits park goroutines (gort/io.h,
//! gort/net.h). Most tests run at GOMAXPROCS=1, where a read, write, accept
//! or connect that blocked its OS thread would stop every other goroutine:
//! they finish only if the waits park. No test waits for a result by
//! sleeping alone: each wait is bounded (10 s) and fails instead of hanging.
//! A goroutine reports what it saw through a channel; the test thread
//! asserts.
mod common;

use common::guard;
use gort::net::{is_closed, TcpListener, TcpStream, UnixListener, UnixStream};
use gort::{Chan, Select, WaitGroup};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv6Addr, Shutdown, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EBADF: i32 = 9;

/// Receive within 10 s, or fail the test instead of hanging.
fn recv<T: Send + 'static>(ch: &Chan<T>, what: &str) -> T {
    let timeout = gort::after(Duration::from_secs(10));
    Select::new()
        .recv(ch, |v| v)
        .recv(&timeout, |_| None)
        .wait()
        .unwrap_or_else(|| panic!("no {} within 10 s", what))
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

/// A connected pair over loopback, made on the calling thread (the kernel
/// completes the handshake before accept).
fn tcp_pair() -> (TcpStream, TcpStream) {
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(ln.local_addr().unwrap()).unwrap();
    let (s, peer) = ln.accept().unwrap();
    assert_eq!(peer, c.local_addr().unwrap());
    (c, s)
}

/// Echo until EOF, then close.
fn echo(c: TcpStream) -> Result<(), String> {
    let mut buf = [0u8; 4096];
    loop {
        match (&c).read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => (&c).write_all(&buf[..n]).map_err(|e| format!("echo write: {}", e))?,
            Err(e) => return Err(format!("echo read: {}", e)),
        }
    }
}

/// The message client `i` sends in round `r`: 1 to ~6000 bytes.
fn message(i: usize, r: usize) -> Vec<u8> {
    let len = 1 + (i * 7919 + r * 104_729) % 6000;
    (0..len).map(|k| (i + r + k) as u8).collect()
}

#[test]
fn echo_with_many_goroutines_at_gomaxprocs_1() {
    let _g = guard();
    let _p = Procs::set(1);
    const CLIENTS: usize = 200;
    const ROUNDS: usize = 10;
    let ln = Arc::new(TcpListener::bind("127.0.0.1:0").unwrap());
    let addr = ln.local_addr().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{}", addr);

    // The server: an accept loop and a goroutine per connection, until the
    // listener is closed.
    let served = Chan::<Result<usize, String>>::new(1);
    let (l, out) = (ln.clone(), served.clone());
    gort::go(move || {
        let wg = WaitGroup::new();
        let errors = Chan::<String>::new(CLIENTS);
        let mut n = 0;
        let end = loop {
            match l.accept() {
                Ok((c, peer)) => {
                    if c.peer_addr().ok() != Some(peer) {
                        break Err(format!("accept's address {} is not peer_addr {:?}", peer, c.peer_addr()));
                    }
                    n += 1;
                    let errs = errors.clone();
                    wg.go(move || {
                        if let Err(e) = echo(c) {
                            errs.send(e);
                        }
                    });
                }
                Err(e) if is_closed(&e) => break Ok(n),
                Err(e) => break Err(format!("accept: {}", e)),
            }
        };
        wg.wait();
        out.send(match errors.try_recv() {
            Ok(e) => Err(e),
            Err(_) => end,
        });
    });

    let results = Chan::<Result<usize, String>>::new(CLIENTS);
    for i in 0..CLIENTS {
        let out = results.clone();
        gort::go(move || {
            let run = || -> Result<usize, String> {
                let mut c = TcpStream::connect(addr).map_err(|e| format!("connect: {}", e))?;
                c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let mut total = 0;
                for r in 0..ROUNDS {
                    let m = message(i, r);
                    c.write_all(&m).map_err(|e| format!("write: {}", e))?;
                    let mut back = vec![0u8; m.len()];
                    c.read_exact(&mut back).map_err(|e| format!("read: {}", e))?;
                    if back != m {
                        return Err(format!("client {} round {}: echoed bytes differ", i, r));
                    }
                    total += m.len();
                }
                c.shutdown(Shutdown::Write).map_err(|e| format!("shutdown: {}", e))?;
                let mut rest = Vec::new();
                c.read_to_end(&mut rest).map_err(|e| format!("read to EOF: {}", e))?;
                if !rest.is_empty() {
                    return Err(format!("{} bytes after the echo", rest.len()));
                }
                Ok(total)
            };
            out.send(run());
        });
    }
    let mut total = 0;
    for _ in 0..CLIENTS {
        total += recv(&results, "client result").unwrap();
    }
    let want: usize = (0..CLIENTS).flat_map(|i| (0..ROUNDS).map(move |r| message(i, r).len())).sum();
    assert_eq!(total, want);
    ln.close().unwrap();
    assert_eq!(recv(&served, "server result").unwrap(), CLIENTS);
}

#[test]
fn idle_connections_park_without_threads() {
    let _g = guard();
    let _p = Procs::set(2);
    const N: usize = 300;
    let before = gort::sched_stats().threads;
    let mut peers = Vec::new();
    let wg = WaitGroup::new();
    let got = Arc::new(AtomicUsize::new(0));
    for _ in 0..N {
        let (c, s) = tcp_pair();
        peers.push(c);
        let g = got.clone();
        wg.go(move || {
            let mut b = [0u8; 1];
            if let Ok(1) = (&s).read(&mut b) {
                g.fetch_add(b[0] as usize, Ordering::SeqCst);
            }
        });
    }
    // Let the readers reach their waits.
    std::thread::sleep(Duration::from_millis(100));
    let threads = gort::sched_stats().threads;
    assert!(
        threads <= before + 8,
        "{} goroutines waiting in reads took threads: {} before, {} now",
        N,
        before,
        threads
    );
    for c in &peers {
        (&*c).write_all(&[1]).unwrap();
    }
    wg.wait();
    assert_eq!(got.load(Ordering::SeqCst), N);
}

#[test]
fn read_timeout_returns_timed_out_and_the_stream_stays_usable() {
    let _g = guard();
    let _p = Procs::set(1);
    let (c, s) = tcp_pair();
    let out = Chan::<Result<(), String>>::new(1);
    let o = out.clone();
    gort::go(move || {
        let run = || -> Result<(), String> {
            let mut s = s;
            assert_eq!(s.read_timeout().unwrap(), None);
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            assert_eq!(s.read_timeout().unwrap(), Some(Duration::from_millis(50)));
            let t = Instant::now();
            let mut b = [0u8; 8];
            let e = s.read(&mut b).err().ok_or("a read with nothing to read returned")?;
            let took = t.elapsed();
            if e.kind() != ErrorKind::TimedOut || e.raw_os_error() != Some(110) {
                return Err(format!("want ETIMEDOUT, got {:?}", e));
            }
            if took < Duration::from_millis(45) || took > Duration::from_secs(5) {
                return Err(format!("the 50 ms timeout took {:?}", took));
            }
            // Still usable: the timeout is re-armed for each read.
            (&c).write_all(b"late").unwrap();
            let n = s.read(&mut b).map_err(|e| format!("read after a timeout: {}", e))?;
            if &b[..n] != b"late" {
                return Err(format!("read {:?}", &b[..n]));
            }
            let e = s.read(&mut b).err().ok_or("the second idle read returned")?;
            if e.kind() != ErrorKind::TimedOut {
                return Err(format!("second timeout: {:?}", e));
            }
            // None clears it: data written later is read.
            s.set_read_timeout(None).unwrap();
            assert_eq!(s.read_timeout().unwrap(), None);
            let w = c;
            gort::go(move || {
                gort::sleep(Duration::from_millis(80));
                (&w).write_all(b"x").unwrap();
            });
            let n = s.read(&mut b).map_err(|e| format!("read without timeout: {}", e))?;
            if n != 1 {
                return Err(format!("read {} bytes", n));
            }
            Ok(())
        };
        o.send(run());
    });
    recv(&out, "result").unwrap();
}

#[test]
fn zero_timeouts_are_invalid_as_in_std() {
    let _g = guard();
    let (c, _s) = tcp_pair();
    assert_eq!(c.set_read_timeout(Some(Duration::ZERO)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(c.set_write_timeout(Some(Duration::ZERO)).unwrap_err().kind(), ErrorKind::InvalidInput);
    let e = TcpStream::connect_timeout(c.peer_addr().unwrap(), Duration::ZERO).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn deadlines_past_moved_and_cleared() {
    let _g = guard();
    let _p = Procs::set(1);
    let (c, s) = tcp_pair();
    let (c, s) = (Arc::new(c), Arc::new(s));
    (&*c).write_all(b"data").unwrap();
    // A deadline in the past fails at once, even with data waiting (Go
    // checks the deadline before the system call).
    s.set_read_deadline(Some(Instant::now() - Duration::from_secs(1))).unwrap();
    let mut b = [0u8; 4];
    assert_eq!((&*s).read(&mut b).unwrap_err().kind(), ErrorKind::TimedOut);
    s.set_read_deadline(None).unwrap();
    assert_eq!((&*s).read(&mut b).unwrap(), 4);

    // Moving the deadline into the past wakes a waiting reader at once.
    let out = Chan::<(Result<usize, ErrorKind>, Duration)>::new(1);
    let (r, o) = (s.clone(), out.clone());
    gort::go(move || {
        let t = Instant::now();
        let mut b = [0u8; 4];
        let res = (&*r).read(&mut b).map_err(|e| e.kind());
        o.send((res, t.elapsed()));
    });
    gort::sleep(Duration::from_millis(20));
    s.set_read_deadline(Some(Instant::now())).unwrap();
    let (res, _) = recv(&out, "woken reader");
    assert_eq!(res, Err(ErrorKind::TimedOut));

    // Moving it later while a reader waits lets the reader wait longer.
    s.set_read_deadline(Some(Instant::now() + Duration::from_millis(300))).unwrap();
    let (r, o) = (s.clone(), out.clone());
    // timed from here, not from when the goroutine got to run (a late
    // start would shorten the wait it measures below 550 ms)
    let t = Instant::now();
    gort::go(move || {
        let mut b = [0u8; 4];
        let res = (&*r).read(&mut b).map_err(|e| e.kind());
        o.send((res, t.elapsed()));
    });
    gort::sleep(Duration::from_millis(10));
    s.set_deadline(Some(Instant::now() + Duration::from_secs(10))).unwrap();
    gort::sleep(Duration::from_millis(600));
    (&*c).write_all(b"ok").unwrap();
    let (res, took) = recv(&out, "reader with a moved deadline");
    assert_eq!(res, Ok(2), "after {:?}", took);
    assert!(took >= Duration::from_millis(550), "{:?}", took);

    // set_deadline covers writes too; a write deadline clears the write timeout.
    c.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
    c.set_write_deadline(Some(Instant::now() - Duration::from_millis(1))).unwrap();
    assert_eq!(c.write_timeout().unwrap(), None);
    assert_eq!((&*c).write(b"x").unwrap_err().kind(), ErrorKind::TimedOut);
    c.set_deadline(None).unwrap();
    (&*c).write_all(b"x").unwrap();
}

#[test]
fn write_timeout_against_a_reader_that_never_reads() {
    let _g = guard();
    let _p = Procs::set(1);
    let (c, s) = tcp_pair();
    let out = Chan::<Result<(), String>>::new(1);
    let o = out.clone();
    gort::go(move || {
        let run = || -> Result<(), String> {
            let mut c = c;
            c.set_write_timeout(Some(Duration::from_millis(100))).unwrap();
            let big = vec![7u8; 64 << 20];
            let t = Instant::now();
            let e = c.write_all(&big).err().ok_or("64 MiB fit in the socket buffers")?;
            if e.kind() != ErrorKind::TimedOut {
                return Err(format!("want TimedOut, got {:?}", e));
            }
            if t.elapsed() > Duration::from_secs(5) {
                return Err(format!("took {:?}", t.elapsed()));
            }
            // write() reports the bytes that went out before the deadline.
            let n = (&c).write(&big);
            match n {
                Ok(n) if n < big.len() => {}
                Err(ref e) if e.kind() == ErrorKind::TimedOut => {}
                other => return Err(format!("write after the timeout: {:?}", other)),
            }
            Ok(())
        };
        o.send(run());
        drop(s);
    });
    recv(&out, "writer").unwrap();
}

#[test]
fn accept_deadline() {
    let _g = guard();
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let out = Chan::<Result<Duration, ErrorKind>>::new(1);
    let o = out.clone();
    gort::go(move || {
        ln.set_deadline(Some(Instant::now() + Duration::from_millis(50))).unwrap();
        let t = Instant::now();
        o.send(match ln.accept() {
            Ok(_) => Ok(Duration::ZERO),
            Err(e) if e.kind() == ErrorKind::TimedOut => Ok(t.elapsed()),
            Err(e) => Err(e.kind()),
        });
    });
    let took = recv(&out, "accept").unwrap();
    assert!(took >= Duration::from_millis(45), "{:?}", took);
}

#[test]
fn close_wakes_a_parked_reader_writer_and_acceptor() {
    let _g = guard();
    let _p = Procs::set(1);
    // Two connections: s is read (its peer never writes), c is written
    // (its peer never reads).
    let (_quiet_writer, s) = tcp_pair();
    let (c, _quiet_reader) = tcp_pair();
    let (c, s) = (Arc::new(c), Arc::new(s));
    let ln = Arc::new(TcpListener::bind("127.0.0.1:0").unwrap());
    let out = Chan::<(&'static str, Option<i32>)>::new(3);
    let started = Chan::<()>::new(3);

    let (r, o, st) = (s.clone(), out.clone(), started.clone());
    gort::go(move || {
        st.send(());
        let mut b = [0u8; 16];
        o.send(("reader", (&*r).read(&mut b).err().and_then(|e| e.raw_os_error())));
    });
    let (w, o, st) = (c.clone(), out.clone(), started.clone());
    gort::go(move || {
        st.send(());
        // Nobody reads s: this fills the buffers and waits.
        let big = vec![0u8; 64 << 20];
        o.send(("writer", (&*w).write_all(&big).err().and_then(|e| e.raw_os_error())));
    });
    let (l, o, st) = (ln.clone(), out.clone(), started.clone());
    gort::go(move || {
        st.send(());
        o.send(("acceptor", l.accept().err().and_then(|e| e.raw_os_error())));
    });
    for _ in 0..3 {
        recv(&started, "start");
    }
    gort::sleep(Duration::from_millis(50)); // let them park
    s.close().unwrap();
    c.close().unwrap();
    ln.close().unwrap();
    let mut seen: Vec<_> = (0..3).map(|_| recv(&out, "woken goroutine")).collect();
    seen.sort();
    assert_eq!(seen, [("acceptor", Some(EBADF)), ("reader", Some(EBADF)), ("writer", Some(EBADF))]);
    // Closed for good: later calls and a second close are EBADF too.
    let e = s.close().unwrap_err();
    assert!(is_closed(&e), "{:?}", e);
    let mut b = [0u8; 1];
    assert!(is_closed(&(&*s).read(&mut b).unwrap_err()));
    assert!(is_closed(&(&*c).write(b"x").unwrap_err()));
    assert!(is_closed(&ln.accept().unwrap_err()));
    assert!(s.peer_addr().is_err());
}

#[test]
fn close_from_a_goroutine_wakes_a_thread_blocked_in_read() {
    let _g = guard();
    let (c, s) = tcp_pair();
    let s = Arc::new(s);
    let r = s.clone();
    // A plain thread (not a goroutine): the read is a blocking ppoll.
    let th = std::thread::spawn(move || {
        let mut b = [0u8; 1];
        (&*r).read(&mut b).map_err(|e| e.raw_os_error())
    });
    let done = Chan::<()>::new(1);
    let d = done.clone();
    gort::go(move || {
        gort::sleep(Duration::from_millis(50));
        s.close().unwrap();
        d.send(());
    });
    recv(&done, "closer");
    assert_eq!(th.join().unwrap(), Err(Some(EBADF)));
    drop(c);
}

#[test]
fn eof_after_shutdown_and_drop() {
    let _g = guard();
    let _p = Procs::set(1);
    let (c, s) = tcp_pair();
    let out = Chan::<Result<Vec<u8>, String>>::new(1);
    let o = out.clone();
    gort::go(move || {
        // The server reads to EOF, then can still answer.
        let mut s = s;
        let mut got = Vec::new();
        let r = s.read_to_end(&mut got).map_err(|e| e.to_string());
        let r = r.and_then(|_| s.write_all(b"ack").map_err(|e| e.to_string()));
        o.send(r.map(|_| got));
        // Dropping s closes it: the client reads EOF next.
    });
    let mut c = c;
    c.write_all(b"bye").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    assert_eq!(recv(&out, "server").unwrap(), b"bye");
    let mut b = [0u8; 8];
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let n = c.read(&mut b).unwrap();
    assert_eq!(&b[..n], b"ack");
    assert_eq!(c.read(&mut b).unwrap(), 0, "EOF after the peer dropped its stream");
    assert_eq!(c.read(&mut b).unwrap(), 0, "EOF again");
    // Writing to a peer that closed fails (EPIPE or ECONNRESET), no SIGPIPE.
    let mut failed = false;
    for _ in 0..100 {
        if c.write_all(&[0u8; 1024]).is_err() {
            failed = true;
            break;
        }
        gort::sleep(Duration::from_millis(1));
    }
    assert!(failed, "writes to a closed peer kept succeeding");
}

#[test]
fn large_write_through_a_slow_reader_at_gomaxprocs_1() {
    let _g = guard();
    let _p = Procs::set(1);
    const SIZE: usize = 16 << 20;
    let (c, s) = tcp_pair();
    let ticks = Arc::new(AtomicUsize::new(0));
    let out = Chan::<Result<(&'static str, usize), String>>::new(2);

    let o = out.clone();
    gort::go(move || {
        let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
        // One call: it returns only when everything is written.
        let r = (&c).write(&data).map_err(|e| format!("write: {}", e));
        o.send(r.map(|n| ("writer", n)));
    });
    let (o, t) = (out.clone(), ticks.clone());
    gort::go(move || {
        let mut buf = vec![0u8; 4096];
        let (mut total, mut reads) = (0usize, 0usize);
        let res = loop {
            match (&s).read(&mut buf) {
                Ok(0) => break Ok(("reader", total)),
                Ok(n) => {
                    if let Some(k) = (0..n).find(|&k| buf[k] != ((total + k) % 251) as u8) {
                        break Err(format!("byte {} differs", total + k));
                    }
                    total += n;
                    reads += 1;
                    if reads % 64 == 0 {
                        gort::sleep(Duration::from_millis(1)); // slow
                        t.fetch_add(1, Ordering::SeqCst);
                    }
                    if total == SIZE {
                        break Ok(("reader", total));
                    }
                }
                Err(e) => break Err(format!("read: {}", e)),
            }
        };
        o.send(res);
    });
    let mut got = vec![recv(&out, "first").unwrap(), recv(&out, "second").unwrap()];
    got.sort();
    assert_eq!(got, [("reader", SIZE), ("writer", SIZE)]);
    assert!(ticks.load(Ordering::SeqCst) > 10, "the reader hardly paused");
}

#[test]
fn ipv6_loopback_if_available() {
    let _g = guard();
    let ln = match TcpListener::bind("[::1]:0") {
        Ok(l) => l,
        Err(e) => {
            eprintln!("skipped: no IPv6 loopback ({})", e);
            return;
        }
    };
    let addr = ln.local_addr().unwrap();
    assert!(matches!(addr, SocketAddr::V6(a) if *a.ip() == Ipv6Addr::LOCALHOST), "{}", addr);
    let out = Chan::<Result<Vec<u8>, String>>::new(1);
    let o = out.clone();
    gort::go(move || {
        let (c, peer) = match ln.accept() {
            Ok(p) => p,
            Err(e) => return o.send(Err(e.to_string())),
        };
        let same = Some(peer) == c.peer_addr().ok() && peer.is_ipv6();
        let mut got = Vec::new();
        let r = (&c).read_to_end(&mut got);
        o.send(match (r, same) {
            (Ok(_), true) => Ok(got),
            (r, _) => Err(format!("{:?}, peer {} vs {:?}", r, peer, c.peer_addr())),
        });
    });
    let mut c = TcpStream::connect((Ipv6Addr::LOCALHOST, addr.port())).unwrap();
    assert_eq!(c.peer_addr().unwrap(), addr);
    assert!(c.local_addr().unwrap().is_ipv6());
    c.write_all(b"over v6").unwrap();
    drop(c);
    assert_eq!(recv(&out, "v6 server").unwrap(), b"over v6");
}

#[test]
fn plain_threads_block_and_time_out() {
    let _g = guard();
    // No goroutine anywhere: every call is a plain blocking call.
    let ln = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let addr = ln.local_addr().unwrap();
    let th = std::thread::spawn(move || {
        let (mut c, _) = ln.accept().unwrap();
        let mut b = [0u8; 5];
        c.read_exact(&mut b).unwrap();
        c.write_all(&b).unwrap();
        (b, c)
    });
    let mut c = TcpStream::connect_timeout(addr, Duration::from_secs(5)).unwrap();
    c.write_all(b"plain").unwrap();
    let mut b = [0u8; 5];
    c.read_exact(&mut b).unwrap();
    assert_eq!(&b, b"plain");
    let (got, _server_side) = th.join().unwrap();
    assert_eq!(&got, b"plain");
    c.set_read_timeout(Some(Duration::from_millis(30))).unwrap();
    let t = Instant::now();
    assert_eq!(c.read(&mut b).unwrap_err().kind(), ErrorKind::TimedOut);
    assert!(t.elapsed() >= Duration::from_millis(25));
}

#[test]
fn connect_errors_map_to_error_kinds() {
    let _g = guard();
    let port = {
        let ln = TcpListener::bind("127.0.0.1:0").unwrap();
        ln.local_addr().unwrap().port()
    };
    let out = Chan::<Vec<(ErrorKind, Option<i32>)>>::new(1);
    let o = out.clone();
    gort::go(move || {
        let k = |r: std::io::Result<TcpStream>| {
            let e = r.unwrap_err();
            (e.kind(), e.raw_os_error())
        };
        o.send(vec![
            k(TcpStream::connect(("127.0.0.1", port))),
            k(TcpStream::connect("127.0.0.1")),
            k(TcpStream::connect("127.0.0.1:99999")),
            k(TcpStream::connect("127.0.0.1:1\0")),
            k(TcpStream::dial("udp", "127.0.0.1:1", None)),
        ]);
    });
    let got = recv(&out, "errors");
    assert_eq!(got[0], (ErrorKind::ConnectionRefused, Some(111)));
    assert_eq!(got[1], (ErrorKind::InvalidInput, Some(22)), "no port");
    assert_eq!(got[2], (ErrorKind::InvalidInput, Some(22)), "port out of range");
    assert_eq!(got[3].0, ErrorKind::InvalidInput, "NUL");
    assert_eq!(got[4].0, ErrorKind::InvalidInput, "udp");
    let e = TcpListener::bind(("127.0.0.1", port)).and_then(|a| TcpListener::bind(a.local_addr()?).map(|_| ()));
    assert_eq!(e.unwrap_err().kind(), ErrorKind::AddrInUse);
}

#[test]
fn names_resolve_and_tuples_work() {
    let _g = guard();
    let ln = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = ln.local_addr().unwrap().port();
    let out = Chan::<Result<SocketAddr, String>>::new(1);
    let o = out.clone();
    gort::go(move || {
        // "localhost" may resolve to ::1 first: go_dial tries each address.
        o.send(TcpStream::connect(format!("localhost:{}", port)).and_then(|c| c.peer_addr()).map_err(|e| e.to_string()));
    });
    let got = recv(&out, "dial by name").unwrap();
    assert_eq!(got, ln.local_addr().unwrap());
    drop(ln.accept().unwrap());
    let c = TcpStream::connect((std::net::Ipv4Addr::LOCALHOST, port)).unwrap();
    assert_eq!(c.peer_addr().unwrap().port(), port);
}

#[test]
fn std_sockets_are_adopted_and_given_back() {
    let _g = guard();
    let std_ln = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_ln.local_addr().unwrap();
    let ln = TcpListener::from_std(std_ln).unwrap();
    let std_c = std::net::TcpStream::connect(addr).unwrap();
    let c = TcpStream::from_std(std_c).unwrap();
    let (s, _) = ln.accept().unwrap();
    let out = Chan::<usize>::new(1);
    let o = out.clone();
    gort::go(move || {
        let mut b = [0u8; 3];
        (&s).read_exact(&mut b).unwrap();
        (&s).write_all(&b).unwrap();
        o.send(b.len());
    });
    (&c).write_all(b"abc").unwrap();
    assert_eq!(recv(&out, "echo"), 3);
    let mut std_c = c.into_std().unwrap();
    std_c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut b = [0u8; 3];
    std_c.read_exact(&mut b).unwrap(); // a blocking std read again
    assert_eq!(&b, b"abc");
    let std_ln = ln.into_std().unwrap();
    assert_eq!(std_ln.local_addr().unwrap(), addr);
}

#[test]
fn unix_sockets_echo_and_remove_their_file() {
    let _g = guard();
    let _p = Procs::set(1);
    let dir = std::env::temp_dir().join(format!("gort-net-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("echo.sock");
    let _ = std::fs::remove_file(&path);
    let ln = Arc::new(UnixListener::bind(&path).unwrap());
    assert_eq!(ln.local_addr().unwrap(), path.to_str().unwrap());
    assert!(path.exists());
    let out = Chan::<Result<usize, String>>::new(1);
    let (l, o) = (ln.clone(), out.clone());
    gort::go(move || {
        let wg = WaitGroup::new();
        let mut n = 0;
        for conn in l.incoming() {
            match conn {
                Ok(c) => {
                    n += 1;
                    wg.go(move || {
                        let (mut r, mut w) = (&c, &c);
                        let _ = std::io::copy(&mut r, &mut w);
                    });
                }
                Err(e) if is_closed(&e) => break,
                Err(e) => return o.send(Err(e.to_string())),
            }
        }
        wg.wait();
        o.send(Ok(n));
    });
    let results = Chan::<Result<(), String>>::new(20);
    for i in 0..20u8 {
        let (p, res) = (path.clone(), results.clone());
        gort::go(move || {
            let run = || -> std::io::Result<()> {
                let mut c = UnixStream::connect(&p)?;
                c.write_all(&[i; 100])?;
                c.shutdown(Shutdown::Write)?;
                let mut got = Vec::new();
                c.read_to_end(&mut got)?;
                assert_eq!(got, [i; 100]);
                Ok(())
            };
            res.send(run().map_err(|e| e.to_string()));
        });
    }
    for _ in 0..20 {
        recv(&results, "unix client").unwrap();
    }
    ln.close().unwrap();
    assert_eq!(recv(&out, "unix server").unwrap(), 20);
    assert!(!path.exists(), "closing the listener removes its socket file");
    assert_eq!(UnixStream::connect(&path).unwrap_err().kind(), ErrorKind::NotFound);
    let _ = std::fs::remove_dir(&dir);
}

#[test]
fn unix_abstract_names_and_pairs() {
    let _g = guard();
    let name = format!("@gort-net-test-{}", std::process::id());
    let ln = UnixListener::bind(&name).unwrap();
    assert_eq!(ln.local_addr().unwrap(), name);
    let c = UnixStream::connect(&name).unwrap();
    let (s, peer) = ln.accept().unwrap();
    assert_eq!(peer, "", "the client is unnamed");
    assert_eq!(c.peer_addr().unwrap(), name);
    assert_eq!(s.local_addr().unwrap(), name);
    (&c).write_all(b"hi").unwrap();
    let mut b = [0u8; 2];
    (&s).read_exact(&mut b).unwrap();
    assert_eq!(&b, b"hi");

    let (a, b2) = UnixStream::pair().unwrap();
    let out = Chan::<Vec<u8>>::new(1);
    let o = out.clone();
    gort::go(move || {
        let mut v = Vec::new();
        (&b2).read_to_end(&mut v).unwrap();
        o.send(v);
    });
    (&a).write_all(b"pair").unwrap();
    drop(a);
    assert_eq!(recv(&out, "pair reader"), b"pair");
}
