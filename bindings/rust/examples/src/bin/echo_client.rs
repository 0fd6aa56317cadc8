//! The cross-language network example: Rust goroutines (gort::net) talk to
//! the C echo server (examples/net/echo.c: `echo [PORT] [SIZE]`, one C
//! goroutine per connection over gort/net.h), in another process.
//!
//!     echo_client [SERVER]            start SERVER on a free port, then test it
//!     echo_client --addr HOST:PORT    test a server that is already running
//!
//! SERVER is the path of the C `echo` binary; without it, $GORT_ECHO_SERVER,
//! then `<gort build dir>/examples/net/echo` (the meson build gort-sys was
//! built against). The server is started as `echo PORT 512`; its first line,
//! "listening on 127.0.0.1:PORT", says where it listens; it is killed at the
//! end. Then 50 client goroutines each dial it, send 100 messages of 512
//! bytes and check every echoed byte, as the C self-test's clients do (same
//! bytes, same FNV-1a checksum: the output equals lines of
//! examples/net/expected/echo.txt); a 51st client hangs up in the middle of
//! a message and must read EOF. Exit status 0 when all of it held.
use gort::net::TcpStream;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CLIENTS: usize = 50;
const MESSAGES: usize = 100;
const SIZE: usize = 512;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Byte i of message m of client k (examples/net/echo.c's pattern()).
fn pattern(k: usize, m: usize, i: usize) -> u8 {
    (k * 131 + m * 31 + i * 7) as u8
}

struct ClientResult {
    index: usize,
    intact: bool,
    bytes: usize,
    hash: u64,
}

fn client(k: usize, addr: &str) -> Result<ClientResult, String> {
    let mut c = TcpStream::connect_timeout(addr, Duration::from_secs(10)).map_err(|e| format!("dial: {}", e))?;
    // A server that stops answering fails the run instead of hanging it.
    c.set_deadline(Some(Instant::now() + Duration::from_secs(10))).map_err(|e| e.to_string())?;
    let mut r = ClientResult { index: k, intact: true, bytes: 0, hash: FNV_OFFSET };
    let (mut msg, mut reply) = ([0u8; SIZE], [0u8; SIZE]);
    for m in 0..MESSAGES {
        for (i, b) in msg.iter_mut().enumerate() {
            *b = pattern(k, m, i);
        }
        c.write_all(&msg).map_err(|e| format!("write: {}", e))?;
        c.read_exact(&mut reply).map_err(|e| format!("read: {}", e))?;
        r.intact &= msg == reply;
        for &b in reply.iter() {
            r.hash = (r.hash ^ b as u64).wrapping_mul(FNV_PRIME);
        }
        r.bytes += SIZE;
    }
    Ok(r)
}

/// Half a message, then CloseWrite: the server's ReadFull sees EOF in the
/// middle and closes the connection unanswered.
fn half_client(addr: &str) -> Result<bool, String> {
    let mut c = TcpStream::connect_timeout(addr, Duration::from_secs(10)).map_err(|e| format!("dial: {}", e))?;
    c.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    c.write_all(&[b'x'; SIZE / 2]).map_err(|e| format!("write: {}", e))?;
    c.shutdown(Shutdown::Write).map_err(|e| format!("shutdown: {}", e))?;
    let mut buf = [0u8; SIZE];
    match c.read(&mut buf) {
        Ok(n) => Ok(n == 0),
        // A server that closes with our bytes unread may reset instead.
        Err(e) if e.kind() == ErrorKind::ConnectionReset => Ok(true),
        Err(e) => Err(format!("read: {}", e)),
    }
}

fn run_clients(addr: String) -> Result<(), String> {
    let results = gort::Chan::<Result<ClientResult, String>>::new(CLIENTS);
    for k in 0..CLIENTS {
        let (out, a) = (results.clone(), addr.clone());
        gort::go(move || out.send(client(k, &a)));
    }
    let mut all: Vec<ClientResult> = Vec::with_capacity(CLIENTS);
    for _ in 0..CLIENTS {
        match results.recv() {
            Some(Ok(r)) => all.push(r),
            Some(Err(e)) => return Err(e),
            None => return Err("results closed".to_string()),
        }
    }
    all.sort_by_key(|r| r.index);
    let intact = all.iter().filter(|r| r.intact).count();
    let bytes: usize = all.iter().map(|r| r.bytes).sum();
    let checksum = all.iter().fold(0u64, |x, r| x ^ r.hash.wrapping_mul(r.index as u64 + 1));
    println!(
        "{} clients x {} messages of {} bytes: {} round trips, {} bytes echoed",
        CLIENTS,
        MESSAGES,
        SIZE,
        CLIENTS * MESSAGES,
        bytes
    );
    println!("clients whose every message came back intact: {} of {} (checksum {:016x})", intact, CLIENTS, checksum);
    let eof = half_client(&addr)?;
    println!(
        "a client that hangs up after {} of {} bytes: the server closes, the client reads {}",
        SIZE / 2,
        SIZE,
        if eof { "EOF" } else { "data (wrong!)" }
    );
    if intact != CLIENTS || !eof {
        return Err("the echo was wrong".to_string());
    }
    Ok(())
}

/// Kills the server when dropped (also when the clients failed). Keeps the
/// read end of its stdout open meanwhile.
struct Server(Child, Option<BufReader<std::process::ChildStdout>>);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start the C server on a free port; returns it and the address it printed.
fn start_server(path: &str) -> Result<(Server, String), String> {
    let mut last = String::new();
    // A port found free may be taken before the server binds it: retry.
    for _ in 0..5 {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
            probe.local_addr().map_err(|e| e.to_string())?.port()
        };
        let child = Command::new(path)
            .arg(port.to_string())
            .arg(SIZE.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the echo server {}: {}", path, e))?;
        let mut server = Server(child, None);
        let mut line = String::new();
        let mut stdout = BufReader::new(server.0.stdout.take().expect("piped stdout"));
        // Blocks this thread (not a goroutine: gort::main has not started).
        let _ = stdout.read_line(&mut line);
        server.1 = Some(stdout);
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            return Ok((server, addr.to_string()));
        }
        last = format!("the echo server printed {:?} (exit status {:?})", line, server.0.wait().ok());
    }
    Err(last)
}

fn server_path(arg: Option<String>) -> Option<String> {
    arg.or_else(|| std::env::var("GORT_ECHO_SERVER").ok().filter(|s| !s.is_empty())).or_else(|| {
        option_env!("GORT_MESON_BUILD_DIR")
            .filter(|d| !d.is_empty())
            .map(|d| format!("{}/examples/net/echo", d))
            .filter(|p| std::path::Path::new(p).exists())
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (server, addr) = if args.len() == 2 && args[0] == "--addr" {
        (None, args[1].clone())
    } else if args.len() <= 1 {
        let path = match server_path(args.first().cloned()) {
            Some(p) => p,
            None => {
                eprintln!(
                    "usage: echo_client [SERVER] | --addr HOST:PORT\n\
                     (SERVER: the C echo server, <meson build>/examples/net/echo, or set GORT_ECHO_SERVER)"
                );
                std::process::exit(2);
            }
        };
        match start_server(&path) {
            Ok((s, a)) => (Some(s), a),
            Err(e) => {
                eprintln!("echo_client: {}", e);
                std::process::exit(1);
            }
        }
    } else {
        eprintln!("usage: echo_client [SERVER] | --addr HOST:PORT");
        std::process::exit(2);
    };
    println!("rust clients (gort::net) against the C echo server (gort/net.h), one goroutine per connection on each side");
    let result = gort::main(move || run_clients(addr));
    drop(server);
    if let Err(e) = result {
        eprintln!("echo_client: {}", e);
        std::process::exit(1);
    }
}
