//! Sockets that block goroutines, not threads: Go's `net` package over
//! gort's network poller (`gort/io.h`, `gort/net.h`).
//!
//! A goroutine that reads a [`std::net::TcpStream`] blocks its OS thread and
//! every goroutine queued on that thread's processor (unless the read is
//! wrapped in [`blocking`](crate::blocking), which costs a thread per waiting
//! goroutine). The types here wait as Go's do: the socket is non-blocking
//! and registered once with gort's epoll set; a read or write that would
//! block parks the goroutine until the poller sees the socket ready, and
//! its thread runs the other goroutines meanwhile. A read that finds data
//! costs one `read(2)`. Ten thousand idle connections are ten thousand
//! parked goroutines on GOMAXPROCS threads.
//!
//! ```
//! use gort::net::{TcpListener, TcpStream};
//! use std::io::{Read, Write};
//! use std::net::Shutdown;
//! use std::time::Duration;
//!
//! let ln = TcpListener::bind("127.0.0.1:0")?;           // net.Listen("tcp", "127.0.0.1:0")
//! let addr = ln.local_addr()?;
//! gort::go(move || {
//!     for conn in ln.incoming() {                        // Accept parks the goroutine
//!         let conn = match conn {
//!             Ok(c) => c,
//!             Err(_) => return,
//!         };
//!         gort::go(move || {                             // a goroutine per connection
//!             let (mut r, mut w) = (&conn, &conn);
//!             let _ = std::io::copy(&mut r, &mut w);     // echo until EOF
//!         });
//!         return;                                        // (one connection for the example)
//!     }
//! });
//!
//! let mut c = TcpStream::connect(addr)?;                 // net.Dial("tcp", addr)
//! c.set_read_timeout(Some(Duration::from_secs(5)))?;     // each read: at most 5 s
//! c.write_all(b"hello")?;
//! c.shutdown(Shutdown::Write)?;                          // CloseWrite: the server reads EOF
//! let mut echoed = String::new();
//! c.read_to_string(&mut echoed)?;
//! assert_eq!(echoed, "hello");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Where they block
//!
//! In a goroutine, an operation that must wait parks the goroutine (its wait
//! reason is `IO wait`; while any goroutine waits for I/O the deadlock
//! detector stays quiet). On a thread that is not a goroutine (`main` before
//! [`gort::main`](crate::main), a `std::thread`, a test), and in a pinned
//! goroutine ([`go_pinned`](crate::go_pinned)), the same calls are plain
//! blocking calls (a `ppoll(2)` on the socket); closing and deadlines wake
//! them too. So the types work everywhere; they scale only in goroutines.
//!
//! # Errors
//!
//! Every error is a [`std::io::Error`] carrying the system's errno (its
//! [`raw_os_error`](std::io::Error::raw_os_error)), read with `go_errno()`:
//! a call that parked may return on another OS thread, and errno is per
//! thread (`gort/io.h`, ERRNO IN A GOROUTINE). The ones worth knowing:
//!
//! | errno | [`ErrorKind`](std::io::ErrorKind) | when |
//! |---|---|---|
//! | `ETIMEDOUT` | `TimedOut` | a timeout or deadline passed (Go's `os.ErrDeadlineExceeded`); the socket stays usable |
//! | `EBADF` | (uncategorized; test with [`is_closed`]) | the socket was closed by [`TcpStream::close`] or the like, before the call or while it waited (Go's `net.ErrClosed`) |
//! | `ECONNREFUSED`, `ECONNRESET`, `EPIPE` | `ConnectionRefused`, `ConnectionReset`, `BrokenPipe` | as with any socket (writes never raise `SIGPIPE`) |
//! | `ENOENT` | `NotFound` | no such host, or no such Unix socket path |
//! | `EADDRINUSE` | `AddrInUse` | the address is taken |
//! | `EINVAL` | `InvalidInput` | a malformed address (also an interior NUL, or a zero timeout) |
//!
//! End of file is `Ok(0)` from `read`, as always in Rust.
//!
//! # Timeouts and deadlines
//!
//! Go has deadlines: absolute times, one per direction, that apply to every
//! operation until changed. Rust's `std` has per-operation timeouts. Both are
//! here:
//!
//! - [`set_read_timeout`](TcpStream::set_read_timeout) /
//!   [`set_write_timeout`](TcpStream::set_write_timeout): `std`'s meaning.
//!   Each read (write) may wait at most that long: before each call the
//!   direction's deadline is set to now + timeout (one more call into the
//!   runtime per operation). `None` clears the timeout and the deadline.
//!   A zero duration is `InvalidInput`, as in `std`.
//! - [`set_deadline`](TcpStream::set_deadline),
//!   [`set_read_deadline`](TcpStream::set_read_deadline),
//!   [`set_write_deadline`](TcpStream::set_write_deadline): Go's
//!   `SetDeadline` family with a [`std::time::Instant`] (`None`: no
//!   deadline). Setting a deadline clears that direction's timeout. A
//!   deadline in the past fails operations at once; changing it while a
//!   goroutine waits takes effect at once; a deadline that passed leaves
//!   the socket usable: move or clear it and go on.
//!
//! # Closing
//!
//! Dropping a socket closes it. [`TcpStream::close`] (and the listeners'
//! `close`) closes through a shared reference, as Go's `Close`: share a
//! socket with [`Arc`](std::sync::Arc) and close it from another goroutine
//! to stop a reader, a writer or an accept loop; each wakes with `EBADF`
//! ([`is_closed`]). The handle is never reused: a closed socket stays closed,
//! even when its fd number is reused by another socket.
//!
//! # Sharing
//!
//! The types are `Send` and `Sync`, and `Read`/`Write` are implemented for
//! shared references too (as for `std`'s `&TcpStream`): one goroutine may
//! read while another writes. Concurrent readers (writers) of one socket
//! queue in order behind each other, as in Go.
//!
//! # Not here (yet)
//!
//! UDP and other datagram sockets, `set_nodelay` (TCP connections get
//! `TCP_NODELAY`, as in Go), keep-alive and linger options, `peek`,
//! vectored I/O in one system call, and Happy Eyeballs dialing; `gort-sys`
//! has the C API (`go_fd_open`, `go_fd_wait`, `go_poll_fd`) for building
//! more.
use crate::runtime::duration_ns;
use gort_sys as sys;
use std::ffi::CString;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const EBADF: i32 = 9;
const AF_UNIX: u16 = 1;
const AF_INET: u16 = 2;
const AF_INET6: u16 = 10;

extern "C" {
    // <net/if.h>, in the C library: a zone name ("eth0") to its index.
    fn if_nametoindex(name: *const sys::c_char) -> std::os::raw::c_uint;
}

/// The error the last gort I/O call left, read afresh (`go_errno()`): the
/// goroutine may have moved to another OS thread while the call parked.
fn last_error() -> io::Error {
    // SAFETY: a plain query of the calling thread's errno.
    io::Error::from_raw_os_error(unsafe { sys::go_errno() })
}

fn invalid(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Whether `e` says the socket was closed (`EBADF`: by `close`, before the
/// call or while it waited): Go's `errors.Is(err, net.ErrClosed)`, the usual
/// way an accept or read loop learns it should stop.
///
/// ```
/// let ln = gort::net::TcpListener::bind("127.0.0.1:0")?;
/// ln.close()?;
/// let e = ln.accept().unwrap_err();
/// assert!(gort::net::is_closed(&e));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn is_closed(e: &io::Error) -> bool {
    e.raw_os_error() == Some(EBADF)
}

/// An absolute go_nanotime() value for `t` (GO_NO_DEADLINE for None). Both
/// clocks are CLOCK_MONOTONIC; the difference to now is carried over rather
/// than the value, so nothing depends on Instant's representation.
fn deadline_ns(t: Option<Instant>) -> i64 {
    match t {
        None => sys::GO_NO_DEADLINE,
        Some(t) => {
            let now = Instant::now();
            // SAFETY: no arguments.
            let g = unsafe { sys::go_nanotime() };
            if t >= now {
                g.saturating_add(duration_ns(t - now))
            } else {
                // Any time in the past expires the deadline; 0 is one.
                g.saturating_sub(duration_ns(now - t)).max(0)
            }
        }
    }
}

fn timeout_ns(d: Option<Duration>) -> io::Result<u64> {
    match d {
        None => Ok(0),
        Some(d) if d == Duration::ZERO => Err(invalid("cannot set a 0 duration timeout")),
        Some(d) => Ok((duration_ns(d) as u64).max(1)),
    }
}

fn cstring<S: Into<Vec<u8>>>(s: S) -> io::Result<CString> {
    CString::new(s).map_err(|_| invalid("address contains a NUL byte"))
}

// ------------------------------------------------------------ addresses

/// An address in Go's form, "host:port": what [`TcpListener::bind`] and
/// [`TcpStream::connect`] take (Rust's `ToSocketAddrs`, but resolved by
/// gort: a goroutine resolving a name hands its processor off meanwhile, and
/// IP literals are never resolved).
///
/// Implemented for strings (`"127.0.0.1:8080"`, `"[::1]:0"`,
/// `"localhost:http"`, `":8080"`: see `gort/net.h`, ADDRESSES), for
/// `SocketAddr` and its V4/V6 forms, and for `(host, port)` pairs of an
/// `IpAddr`, `Ipv4Addr`, `Ipv6Addr`, `&str` or `String` with a `u16`.
pub trait Address {
    /// The address as Go's "host:port" string.
    fn address(&self) -> String;
}

fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{}]:{}", host, port)
    } else {
        format!("{}:{}", host, port)
    }
}

impl Address for str {
    fn address(&self) -> String {
        self.to_string()
    }
}
impl Address for String {
    fn address(&self) -> String {
        self.clone()
    }
}
impl Address for SocketAddrV4 {
    fn address(&self) -> String {
        format!("{}:{}", self.ip(), self.port())
    }
}
impl Address for SocketAddrV6 {
    fn address(&self) -> String {
        if self.scope_id() != 0 {
            format!("[{}%{}]:{}", self.ip(), self.scope_id(), self.port())
        } else {
            format!("[{}]:{}", self.ip(), self.port())
        }
    }
}
impl Address for SocketAddr {
    fn address(&self) -> String {
        match self {
            SocketAddr::V4(a) => a.address(),
            SocketAddr::V6(a) => a.address(),
        }
    }
}
impl Address for (IpAddr, u16) {
    fn address(&self) -> String {
        SocketAddr::new(self.0, self.1).address()
    }
}
impl Address for (Ipv4Addr, u16) {
    fn address(&self) -> String {
        SocketAddrV4::new(self.0, self.1).address()
    }
}
impl Address for (Ipv6Addr, u16) {
    fn address(&self) -> String {
        SocketAddrV6::new(self.0, self.1, 0, 0).address()
    }
}
impl Address for (&str, u16) {
    fn address(&self) -> String {
        join_host_port(self.0, self.1)
    }
}
impl Address for (String, u16) {
    fn address(&self) -> String {
        join_host_port(&self.0, self.1)
    }
}
impl<T: Address + ?Sized> Address for &T {
    fn address(&self) -> String {
        (**self).address()
    }
}

/// An IPv4-mapped IPv6 address as IPv4 (Go prints them so; gort's address
/// strings do too).
fn unmap(ip: Ipv6Addr, port: u16, flowinfo: u32, scope: u32) -> SocketAddr {
    match ip.segments() {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] => {
            SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8), port))
        }
        _ => SocketAddr::V6(SocketAddrV6::new(ip, port, flowinfo, scope)),
    }
}

/// Parse gort's address string: "1.2.3.4:80", "[::1]:80", "[fe80::1%eth0]:22".
fn parse_inet(s: &str) -> io::Result<SocketAddr> {
    if let Ok(a) = s.parse::<SocketAddr>() {
        return Ok(a);
    }
    let bad = || io::Error::new(io::ErrorKind::InvalidData, format!("gort: unexpected socket address {:?}", s));
    // "[ip%zone]:port": a zone that is a name, or a std that takes none.
    let rest = s.strip_prefix('[').ok_or_else(bad)?;
    let (host, port) = rest.rsplit_once("]:").ok_or_else(bad)?;
    let (ip, zone) = host.split_once('%').ok_or_else(bad)?;
    let ip: Ipv6Addr = ip.parse().map_err(|_| bad())?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    let scope = match zone.parse::<u32>() {
        Ok(n) => n,
        Err(_) => {
            let z = CString::new(zone).map_err(|_| bad())?;
            // SAFETY: a NUL-terminated string.
            unsafe { if_nametoindex(z.as_ptr()) }
        }
    };
    Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope)))
}

/// Room for any socket address (struct sockaddr_storage: 128 bytes,
/// aligned to 8), for go_fd_accept.
struct SockaddrBuf {
    ss: [u64; 16],
    len: sys::socklen_t,
}

impl SockaddrBuf {
    fn new() -> SockaddrBuf {
        SockaddrBuf { ss: [0; 16], len: sys::SOCKADDR_STORAGE_SIZE as sys::socklen_t }
    }

    fn as_mut_ptr(&mut self) -> *mut sys::sockaddr {
        self.ss.as_mut_ptr() as *mut sys::sockaddr
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: 128 initialised bytes.
        let all = unsafe { std::slice::from_raw_parts(self.ss.as_ptr() as *const u8, sys::SOCKADDR_STORAGE_SIZE) };
        &all[..(self.len as usize).min(sys::SOCKADDR_STORAGE_SIZE)]
    }

    fn family(&self) -> u16 {
        let b = self.bytes();
        if b.len() < 2 {
            0
        } else {
            u16::from_ne_bytes([b[0], b[1]])
        }
    }

    /// A sockaddr_in or sockaddr_in6 as a SocketAddr.
    fn inet(&self) -> io::Result<SocketAddr> {
        let b = self.bytes();
        let ne32 = |i: usize| u32::from_ne_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        match self.family() {
            AF_INET if b.len() >= 8 => {
                let port = u16::from_be_bytes([b[2], b[3]]);
                Ok(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b[4], b[5], b[6], b[7]), port)))
            }
            AF_INET6 if b.len() >= 28 => {
                let port = u16::from_be_bytes([b[2], b[3]]);
                let mut ip = [0u8; 16];
                ip.copy_from_slice(&b[8..24]);
                Ok(unmap(Ipv6Addr::from(ip), port, ne32(4), ne32(24)))
            }
            f => Err(io::Error::new(io::ErrorKind::InvalidData, format!("gort: unexpected address family {}", f))),
        }
    }

    /// A sockaddr_un as Go's string: the path, "@name" (abstract), "" (unnamed).
    fn unix(&self) -> String {
        let b = self.bytes();
        if self.family() != AF_UNIX || b.len() <= 2 {
            return String::new();
        }
        let path = &b[2..];
        if path[0] == 0 {
            let mut s = String::from("@");
            s.push_str(&String::from_utf8_lossy(&path[1..]));
            s
        } else {
            let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
            String::from_utf8_lossy(&path[..end]).into_owned()
        }
    }
}

// ------------------------------------------------------------ the handle

/// An adopted socket: a go_fd_t handle (never NULL), closed on drop, plus
/// std-style per-operation timeouts (ns, 0 = none).
struct Fd {
    h: NonNull<sys::go_fd_t>,
    read_timeout: AtomicU64,
    write_timeout: AtomicU64,
}

// SAFETY: every go_fd_* function may be called from any thread,
// concurrently; the handle is an opaque number, never dereferenced.
unsafe impl Send for Fd {}
unsafe impl Sync for Fd {}

impl Drop for Fd {
    fn drop(&mut self) {
        // Nothing else can be using the handle (we own it), so the close
        // never waits; after an explicit close() this is an EBADF no-op.
        // SAFETY: a handle gort returned.
        unsafe { sys::go_fd_close(self.h.as_ptr()) };
    }
}

impl Fd {
    /// Wrap what go_listen/go_dial/go_fd_accept/go_fd_open returned; NULL
    /// is the error in errno.
    fn new(p: *mut sys::go_fd_t) -> io::Result<Fd> {
        match NonNull::new(p) {
            Some(h) => Ok(Fd { h, read_timeout: AtomicU64::new(0), write_timeout: AtomicU64::new(0) }),
            None => Err(last_error()),
        }
    }

    fn raw(&self) -> *mut sys::go_fd_t {
        self.h.as_ptr()
    }

    fn check(rc: sys::c_int) -> io::Result<()> {
        if rc < 0 {
            Err(last_error())
        } else {
            Ok(())
        }
    }

    fn listen(network: &str, address: &[u8]) -> io::Result<Fd> {
        let (n, a) = (cstring(network)?, cstring(address)?);
        // SAFETY: two NUL-terminated strings.
        Fd::new(unsafe { sys::go_listen(n.as_ptr(), a.as_ptr()) })
    }

    fn dial(network: &str, address: &[u8], deadline: Option<Instant>) -> io::Result<Fd> {
        let (n, a) = (cstring(network)?, cstring(address)?);
        let d = deadline_ns(deadline);
        // SAFETY: two NUL-terminated strings; d is GO_NO_DEADLINE or >= 0.
        Fd::new(unsafe { sys::go_dial(n.as_ptr(), a.as_ptr(), d) })
    }

    /// Adopt an fd we own (from a std socket); on failure it is closed.
    fn adopt(fd: RawFd) -> io::Result<Fd> {
        // SAFETY: fd is open and ours; on failure gort leaves it as it was.
        let p = unsafe { sys::go_fd_open(fd) };
        Fd::new(p).map_err(|e| {
            // SAFETY: still ours (go_fd_open failed): close it.
            drop(unsafe { std::net::TcpStream::from_raw_fd(fd) });
            e
        })
    }

    /// Give the fd back: unregistered, in blocking mode, ours to close.
    fn release(self) -> io::Result<RawFd> {
        // SAFETY: our handle; after go_fd_release it is invalid, and the
        // drop that follows only gets EBADF back.
        let fd = unsafe { sys::go_fd_release(self.raw()) };
        if fd < 0 {
            Err(last_error())
        } else {
            Ok(fd)
        }
    }

    fn accept(&self, sa: &mut SockaddrBuf) -> io::Result<Fd> {
        // SAFETY: sa is a 128-byte, 8-aligned buffer and its length.
        Fd::new(unsafe { sys::go_fd_accept(self.raw(), sa.as_mut_ptr(), &mut sa.len) })
    }

    fn arm(&self, which: sys::c_int, timeout: &AtomicU64) -> io::Result<()> {
        let t = timeout.load(Ordering::Relaxed);
        if t == 0 {
            return Ok(());
        }
        // SAFETY: no arguments.
        let d = unsafe { sys::go_nanotime() }.saturating_add(t.min(i64::MAX as u64) as i64);
        // SAFETY: our handle; d >= 0.
        Fd::check(unsafe { sys::go_fd_set_deadline(self.raw(), which, d) })
    }

    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.arm(sys::GO_DEADLINE_READ, &self.read_timeout)?;
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { sys::go_fd_read(self.raw(), buf.as_mut_ptr() as *mut sys::c_void, buf.len()) };
        if n < 0 {
            Err(last_error())
        } else {
            Ok(n as usize)
        }
    }

    /// go_fd_write writes everything or stops at an error: a short count
    /// comes with errno set. write() reports the count (the error comes
    /// again with the next call), write_all() the error.
    fn write(&self, buf: &[u8]) -> (usize, Option<io::Error>) {
        if let Err(e) = self.arm(sys::GO_DEADLINE_WRITE, &self.write_timeout) {
            return (0, Some(e));
        }
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { sys::go_fd_write(self.raw(), buf.as_ptr() as *const sys::c_void, buf.len()) };
        if n < 0 {
            (0, Some(last_error()))
        } else if (n as usize) < buf.len() {
            (n as usize, Some(last_error()))
        } else {
            (n as usize, None)
        }
    }

    fn set_deadline(&self, which: sys::c_int, t: Option<Instant>) -> io::Result<()> {
        if which & sys::GO_DEADLINE_READ != 0 {
            self.read_timeout.store(0, Ordering::Relaxed);
        }
        if which & sys::GO_DEADLINE_WRITE != 0 {
            self.write_timeout.store(0, Ordering::Relaxed);
        }
        // SAFETY: our handle; a valid deadline.
        Fd::check(unsafe { sys::go_fd_set_deadline(self.raw(), which, deadline_ns(t)) })
    }

    fn set_timeout(&self, which: sys::c_int, d: Option<Duration>) -> io::Result<()> {
        let ns = timeout_ns(d)?;
        let slot = if which == sys::GO_DEADLINE_READ { &self.read_timeout } else { &self.write_timeout };
        if ns == 0 {
            // SAFETY: our handle.
            Fd::check(unsafe { sys::go_fd_set_deadline(self.raw(), which, sys::GO_NO_DEADLINE) })?;
        }
        slot.store(ns, Ordering::Relaxed);
        Ok(())
    }

    fn timeout(slot: &AtomicU64) -> Option<Duration> {
        match slot.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => sys::SHUT_RD,
            Shutdown::Write => sys::SHUT_WR,
            Shutdown::Both => sys::SHUT_RDWR,
        };
        // SAFETY: our handle.
        Fd::check(unsafe { sys::go_fd_shutdown(self.raw(), how) })
    }

    fn close(&self) -> io::Result<()> {
        // SAFETY: our handle; a second close is EBADF, never another fd's.
        Fd::check(unsafe { sys::go_fd_close(self.raw()) })
    }

    fn addr_string(&self, peer: bool) -> io::Result<String> {
        let mut buf = [0 as sys::c_char; sys::GO_ADDR_STRLEN];
        // SAFETY: buf holds GO_ADDR_STRLEN bytes, always enough.
        let n = unsafe {
            if peer {
                sys::go_fd_peer_addr(self.raw(), buf.as_mut_ptr(), buf.len())
            } else {
                sys::go_fd_local_addr(self.raw(), buf.as_mut_ptr(), buf.len())
            }
        };
        if n < 0 {
            return Err(last_error());
        }
        let bytes: Vec<u8> = buf[..n as usize].iter().map(|&c| c as u8).collect();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn fileno(&self) -> RawFd {
        // SAFETY: our handle; -1 once closed.
        unsafe { sys::go_fd_fileno(self.raw()) }
    }
}

// ------------------------------------------------------------ streams

/// What TcpStream and UnixStream share: Read/Write (also for &Self),
/// timeouts, deadlines, shutdown, close, AsRawFd. Write::write_all is one
/// go_fd_write (it writes everything or stops at an error).
macro_rules! stream_common {
    ($t:ident) => {
        impl $t {
            /// Shut down the reading side, the writing side or both
            /// (Go's `CloseRead`/`CloseWrite`): after `Shutdown::Write` the
            /// peer reads EOF while this side can still read.
            pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
                self.fd.shutdown(how)
            }

            /// `std`'s read timeout: each read waits at most `d` (it arms the
            /// read deadline at now + `d` before each call). `None` clears
            /// the timeout and the read deadline. `Some(Duration::ZERO)` is
            /// `InvalidInput`. A read that times out fails with
            /// `ErrorKind::TimedOut`.
            pub fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
                self.fd.set_timeout(sys::GO_DEADLINE_READ, d)
            }

            /// `std`'s write timeout: each write waits at most `d` in all
            /// (a write returns only when everything is written). As
            /// [`set_read_timeout`](Self::set_read_timeout).
            pub fn set_write_timeout(&self, d: Option<Duration>) -> io::Result<()> {
                self.fd.set_timeout(sys::GO_DEADLINE_WRITE, d)
            }

            /// The read timeout set by [`set_read_timeout`](Self::set_read_timeout).
            pub fn read_timeout(&self) -> io::Result<Option<Duration>> {
                Ok(Fd::timeout(&self.fd.read_timeout))
            }

            /// The write timeout set by [`set_write_timeout`](Self::set_write_timeout).
            pub fn write_timeout(&self) -> io::Result<Option<Duration>> {
                Ok(Fd::timeout(&self.fd.write_timeout))
            }

            /// Go's `SetDeadline`: reads and writes fail with `TimedOut`
            /// once `t` has passed (`None`: never). Applies to every later
            /// operation, and to the ones waiting now, until changed;
            /// clears both timeouts. A deadline that passed leaves the
            /// socket usable.
            pub fn set_deadline(&self, t: Option<Instant>) -> io::Result<()> {
                self.fd.set_deadline(sys::GO_DEADLINE_BOTH, t)
            }

            /// Go's `SetReadDeadline` (clears the read timeout).
            pub fn set_read_deadline(&self, t: Option<Instant>) -> io::Result<()> {
                self.fd.set_deadline(sys::GO_DEADLINE_READ, t)
            }

            /// Go's `SetWriteDeadline` (clears the write timeout).
            pub fn set_write_deadline(&self, t: Option<Instant>) -> io::Result<()> {
                self.fd.set_deadline(sys::GO_DEADLINE_WRITE, t)
            }

            /// Go's `Close`, through a shared reference: every goroutine or
            /// thread reading or writing the socket now wakes with `EBADF`
            /// ([`is_closed`]), and so does every later call. Returns once
            /// the fd is closed. Dropping closes too; closing twice is
            /// `EBADF`.
            pub fn close(&self) -> io::Result<()> {
                self.fd.close()
            }
        }

        impl Read for $t {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.fd.read(buf)
            }
        }

        impl<'a> Read for &'a $t {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.fd.read(buf)
            }
        }

        impl Write for $t {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                (&*self).write(buf)
            }
            fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
                match self.fd.write(buf) {
                    (_, None) => Ok(()),
                    (_, Some(e)) => Err(e),
                }
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        impl<'a> Write for &'a $t {
            // Writes all of buf unless an error stops it: a short count
            // means the error comes with the next call.
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                match self.fd.write(buf) {
                    (n, None) => Ok(n),
                    (0, Some(e)) => Err(e),
                    (n, Some(_)) => Ok(n),
                }
            }
            fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
                match self.fd.write(buf) {
                    (_, None) => Ok(()),
                    (_, Some(e)) => Err(e),
                }
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }

        impl AsRawFd for $t {
            /// The fd, still owned by the socket (never close it; -1 once
            /// the socket is closed). Use it for system calls gort does
            /// not wrap (`setsockopt`); waiting on it is `gort-sys`'s
            /// `go_fd_wait`.
            fn as_raw_fd(&self) -> RawFd {
                self.fd.fileno()
            }
        }
    };
}

/// A TCP connection (Go's `net.TCPConn`) whose reads, writes and connect
/// park the goroutine, not its thread. See the [module docs](self).
pub struct TcpStream {
    fd: Fd,
}

impl TcpStream {
    /// Connect to `addr` (Go's `net.Dial("tcp", addr)`): a name is resolved
    /// and tried address after address; the wait parks the goroutine. No
    /// limit but the kernel's own connect timeout: see
    /// [`connect_timeout`](Self::connect_timeout).
    pub fn connect<A: Address>(addr: A) -> io::Result<TcpStream> {
        TcpStream::dial("tcp", addr, None)
    }

    /// [`connect`](Self::connect) within `timeout` (Go's `DialTimeout`),
    /// else `TimedOut`. A zero timeout is `InvalidInput`, as in `std`.
    pub fn connect_timeout<A: Address>(addr: A, timeout: Duration) -> io::Result<TcpStream> {
        timeout_ns(Some(timeout))?;
        TcpStream::dial("tcp", addr, Some(Instant::now() + timeout))
    }

    /// Go's `Dialer.Dial` with a deadline: `network` is `"tcp"`, `"tcp4"`
    /// or `"tcp6"`; `deadline` bounds every attempt (`None`: the kernel's
    /// timeout). The connection has no deadline afterwards.
    pub fn dial<A: Address>(network: &str, addr: A, deadline: Option<Instant>) -> io::Result<TcpStream> {
        if !matches!(network, "tcp" | "tcp4" | "tcp6") {
            return Err(invalid("TcpStream::dial: network must be tcp, tcp4 or tcp6"));
        }
        Ok(TcpStream { fd: Fd::dial(network, addr.address().as_bytes(), deadline)? })
    }

    /// This end's address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        parse_inet(&self.fd.addr_string(false)?)
    }

    /// The peer's address (`ENOTCONN` when not connected).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        parse_inet(&self.fd.addr_string(true)?)
    }

    /// Adopt a connected `std` stream: its fd becomes non-blocking and is
    /// registered with gort's poller. On failure the stream is closed.
    pub fn from_std(s: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream { fd: Fd::adopt(s.into_raw_fd())? })
    }

    /// Give the socket back as a blocking `std` stream (Go's `File`):
    /// unregistered from the poller, `EBADF` if it was closed.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        let fd = self.fd.release()?;
        // SAFETY: go_fd_release handed the open fd over to us.
        Ok(unsafe { std::net::TcpStream::from_raw_fd(fd) })
    }
}

stream_common!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.fd.fileno()).finish()
    }
}

/// A TCP listening socket (Go's `net.TCPListener`) whose accepts park the
/// goroutine, not its thread.
pub struct TcpListener {
    fd: Fd,
}

impl TcpListener {
    /// Listen on `addr` (Go's `net.Listen("tcp", addr)`): port 0 picks a
    /// free port ([`local_addr`](Self::local_addr) tells which); no host
    /// (`":8080"`) listens on every address, IPv4 and IPv6. The socket gets
    /// `SO_REUSEADDR` and the system's largest backlog.
    pub fn bind<A: Address>(addr: A) -> io::Result<TcpListener> {
        TcpListener::listen("tcp", addr)
    }

    /// Go's `net.Listen(network, addr)` with `network` `"tcp"`, `"tcp4"`
    /// or `"tcp6"`.
    pub fn listen<A: Address>(network: &str, addr: A) -> io::Result<TcpListener> {
        if !matches!(network, "tcp" | "tcp4" | "tcp6") {
            return Err(invalid("TcpListener::listen: network must be tcp, tcp4 or tcp6"));
        }
        Ok(TcpListener { fd: Fd::listen(network, addr.address().as_bytes())? })
    }

    /// Accept a connection (parks until one arrives) and its peer's
    /// address. A connection reset while queued is skipped, as in Go.
    /// After [`close`](Self::close): `EBADF` ([`is_closed`]).
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let mut sa = SockaddrBuf::new();
        let fd = self.fd.accept(&mut sa)?;
        Ok((TcpStream { fd }, sa.inet()?))
    }

    /// The connections as they arrive, as `std`'s `incoming`: it never
    /// ends by itself; stop at an error (after `close`, every item is
    /// `EBADF`).
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { ln: self }
    }

    /// The address listened on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        parse_inet(&self.fd.addr_string(false)?)
    }

    /// Go's `TCPListener.SetDeadline`: `accept` fails with `TimedOut` once
    /// `t` has passed (`None`: never).
    pub fn set_deadline(&self, t: Option<Instant>) -> io::Result<()> {
        self.fd.set_deadline(sys::GO_DEADLINE_READ, t)
    }

    /// Go's `Close` through a shared reference: a goroutine in `accept`
    /// wakes with `EBADF`, as does every later `accept`.
    pub fn close(&self) -> io::Result<()> {
        self.fd.close()
    }

    /// Adopt a `std` listener (non-blocking, registered with the poller);
    /// on failure it is closed. Its connections do not get `TCP_NODELAY`.
    pub fn from_std(l: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener { fd: Fd::adopt(l.into_raw_fd())? })
    }

    /// Give the socket back as a blocking `std` listener.
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        let fd = self.fd.release()?;
        // SAFETY: go_fd_release handed the open fd over to us.
        Ok(unsafe { std::net::TcpListener::from_raw_fd(fd) })
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.fileno()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.fd.fileno()).finish()
    }
}

/// The iterator of [`TcpListener::incoming`]: `accept` in a loop, never
/// `None`.
#[derive(Debug)]
pub struct Incoming<'a> {
    ln: &'a TcpListener,
}

impl<'a> Iterator for Incoming<'a> {
    type Item = io::Result<TcpStream>;
    fn next(&mut self) -> Option<io::Result<TcpStream>> {
        Some(self.ln.accept().map(|(s, _)| s))
    }
}

/// The iterator of [`UnixListener::incoming`]: `accept` in a loop, never
/// `None`.
#[derive(Debug)]
pub struct UnixIncoming<'a> {
    ln: &'a UnixListener,
}

impl<'a> Iterator for UnixIncoming<'a> {
    type Item = io::Result<UnixStream>;
    fn next(&mut self) -> Option<io::Result<UnixStream>> {
        Some(self.ln.accept().map(|(s, _)| s))
    }
}

// ------------------------------------------------------------ Unix sockets

/// A path as go_listen/go_dial take it: its bytes (a C string).
fn unix_path(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

/// A Unix stream socket connection (Go's `net.UnixConn`) whose reads and
/// writes park the goroutine. Addresses are Go's strings: the path,
/// `"@name"` for a Linux abstract name, `""` for an unnamed socket.
pub struct UnixStream {
    fd: Fd,
}

impl UnixStream {
    /// Connect to the socket at `path` (`"@name"`: an abstract name).
    /// `ENOENT`: nobody listens there; `EAGAIN` (`WouldBlock`): the
    /// listener's backlog is full (as Go reports it).
    pub fn connect<P: AsRef<Path>>(path: P) -> io::Result<UnixStream> {
        Ok(UnixStream { fd: Fd::dial("unix", unix_path(path.as_ref()), None)? })
    }

    /// [`connect`](Self::connect) within `timeout`, else `TimedOut`.
    pub fn connect_timeout<P: AsRef<Path>>(path: P, timeout: Duration) -> io::Result<UnixStream> {
        timeout_ns(Some(timeout))?;
        Ok(UnixStream { fd: Fd::dial("unix", unix_path(path.as_ref()), Some(Instant::now() + timeout))? })
    }

    /// This end's address (usually `""`: unnamed).
    pub fn local_addr(&self) -> io::Result<String> {
        self.fd.addr_string(false)
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<String> {
        self.fd.addr_string(true)
    }

    /// Adopt a connected `std` Unix stream (non-blocking, registered); on
    /// failure it is closed.
    pub fn from_std(s: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream { fd: Fd::adopt(s.into_raw_fd())? })
    }

    /// Give the socket back as a blocking `std` Unix stream.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        let fd = self.fd.release()?;
        // SAFETY: go_fd_release handed the open fd over to us.
        Ok(unsafe { std::os::unix::net::UnixStream::from_raw_fd(fd) })
    }

    /// A connected pair (`socketpair(2)`), both adopted.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        let a = UnixStream::from_std(a)?;
        Ok((a, UnixStream::from_std(b)?))
    }
}

stream_common!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UnixStream");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        if let Ok(a) = self.peer_addr() {
            d.field("peer", &a);
        }
        d.field("fd", &self.fd.fileno()).finish()
    }
}

/// A Unix stream listening socket (Go's `net.UnixListener`).
pub struct UnixListener {
    fd: Fd,
}

impl UnixListener {
    /// Listen at `path` (`"@name"`: a Linux abstract name). The socket file
    /// must not exist (`EADDRINUSE`); closing (or dropping) the listener
    /// removes it, as in Go.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        Ok(UnixListener { fd: Fd::listen("unix", unix_path(path.as_ref()))? })
    }

    /// Accept a connection (parks until one arrives) and its peer's address
    /// (usually `""`: unnamed).
    pub fn accept(&self) -> io::Result<(UnixStream, String)> {
        let mut sa = SockaddrBuf::new();
        let fd = self.fd.accept(&mut sa)?;
        Ok((UnixStream { fd }, sa.unix()))
    }

    /// The connections as they arrive (never ends; stop at an error).
    pub fn incoming(&self) -> UnixIncoming<'_> {
        UnixIncoming { ln: self }
    }

    /// The path (or `"@name"`) listened at.
    pub fn local_addr(&self) -> io::Result<String> {
        self.fd.addr_string(false)
    }

    /// `accept` fails with `TimedOut` once `t` has passed (`None`: never).
    pub fn set_deadline(&self, t: Option<Instant>) -> io::Result<()> {
        self.fd.set_deadline(sys::GO_DEADLINE_READ, t)
    }

    /// Close through a shared reference (a goroutine in `accept` wakes with
    /// `EBADF`); removes the socket file.
    pub fn close(&self) -> io::Result<()> {
        self.fd.close()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.fileno()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("UnixListener");
        if let Ok(a) = self.local_addr() {
            d.field("addr", &a);
        }
        d.field("fd", &self.fd.fileno()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_format_as_go_strings() {
        assert_eq!("127.0.0.1:80".address(), "127.0.0.1:80");
        assert_eq!(("::1", 80).address(), "[::1]:80");
        assert_eq!(("localhost", 80).address(), "localhost:80");
        assert_eq!((Ipv6Addr::LOCALHOST, 8).address(), "[::1]:8");
        let v6: SocketAddr = "[fe80::1%3]:22".parse().unwrap();
        assert_eq!(v6.address(), "[fe80::1%3]:22");
    }

    #[test]
    fn gort_address_strings_parse() {
        assert_eq!(parse_inet("127.0.0.1:8080").unwrap(), "127.0.0.1:8080".parse::<SocketAddr>().unwrap());
        assert_eq!(parse_inet("[::1]:1").unwrap(), "[::1]:1".parse::<SocketAddr>().unwrap());
        match parse_inet("[fe80::1%lo]:22").unwrap() {
            SocketAddr::V6(a) => {
                assert_eq!(a.port(), 22);
                assert_eq!(a.scope_id(), 1, "lo is interface 1");
            }
            a => panic!("{}", a),
        }
        assert!(parse_inet("/tmp/sock").is_err());
    }

    #[test]
    fn mapped_addresses_are_ipv4() {
        let ip: Ipv6Addr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(unmap(ip, 5, 0, 0), "10.1.2.3:5".parse::<SocketAddr>().unwrap());
    }

    #[test]
    fn deadlines_convert_to_the_runtime_clock() {
        assert_eq!(deadline_ns(None), -1);
        // SAFETY: no arguments.
        let now = unsafe { sys::go_nanotime() };
        let d = deadline_ns(Some(Instant::now() + Duration::from_secs(1)));
        assert!(d >= now + 999_000_000 && d <= now + 1_100_000_000, "{} vs {}", d, now);
        assert!(deadline_ns(Some(Instant::now() - Duration::from_millis(1))) <= now);
        assert!(timeout_ns(Some(Duration::ZERO)).is_err());
    }
}
