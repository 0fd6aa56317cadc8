#!/usr/bin/env python3
"""serve_test.py - the network examples in serve mode, driven from outside.

usage: serve_test.py echo|chat|http BINARY

  echo  the benchmark server's contract (bench/io/README.md): bad arguments
        exit 2 with `bad argument "..."`; `echo PORT SIZE` prints
        "listening on 127.0.0.1:PORT" and echoes SIZE-byte messages on
        several connections at once; a client hanging up mid-message is
        dropped; SIGTERM ends it.
  chat  `chat -serve 127.0.0.1:0`: two line-based clients (as nc would be)
        join, talk and leave.
  http  `http 0`: fetched with curl (exit 77, meson's "skipped", when curl
        is not installed): keep-alive over one connection, HEAD,
        Connection: close, HTTP/1.0, a 405; then a garbage request by hand.

Every step has a timeout; exit status 0 means every check passed.
"""
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


class InUse(Exception):
    pass


class Server:
    """Start ARGV, wait for its "listening on ADDR" line."""

    def __init__(self, argv, retry_in_use=False):
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self._line()
        if not line.startswith("listening on "):
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            err = self.proc.stderr.read().decode(errors="replace")
            if retry_in_use and "address already in use" in err.lower():
                raise InUse()
            fail(f"{argv}: expected 'listening on ADDR', got {line!r}; stderr: {err!r}")
        self.addr = line[len("listening on "):]
        host, port = self.addr.rsplit(":", 1)
        self.host, self.port = host, int(port)

    def _line(self):
        deadline = time.monotonic() + TIMEOUT
        buf = b""
        fd = self.proc.stdout.fileno()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return buf.decode(errors="replace")
            chunk = os.read(fd, 1)
            if not chunk:
                break
            buf += chunk
        return buf.decode(errors="replace").rstrip("\n")

    def stop(self):
        """SIGTERM: the server must die of it (not exit, not crash otherwise)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            fail(f"{self.argv}: still running {TIMEOUT} s after SIGTERM")
        err = self.proc.stderr.read().decode(errors="replace")
        if rc != -signal.SIGTERM:
            fail(f"{self.argv}: ended with status {rc} (expected death by SIGTERM); stderr: {err!r}")
        if err:
            fail(f"{self.argv}: wrote to stderr: {err!r}")

    def connect(self):
        s = socket.create_connection((self.host, self.port), timeout=TIMEOUT)
        s.settimeout(TIMEOUT)
        # no Nagle: a message sent in two pieces must not wait for the
        # server's delayed ACK (40 ms) of the first one
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s


def recv_exactly(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            fail(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def recv_all(s):
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk


# -------------------------------------------------------------------- echo

def test_echo(binary):
    for args, msg in [(["abc"], 'bad argument "abc"'), (["0"], 'bad argument "0"'),
                      (["9527", "-1"], 'bad argument "-1"'), (["12x"], 'bad argument "12x"')]:
        p = subprocess.run([binary] + args, capture_output=True, timeout=TIMEOUT)
        if p.returncode != 2 or p.stderr.decode().strip() != msg or p.stdout:
            fail(f"echo {args}: status {p.returncode}, stderr {p.stderr!r} (expected 2, {msg!r})")
    print("ok: bad arguments exit 2 with Go's message")

    # A free port (below the ephemeral range, as bench/io/run.sh picks), retried when taken.
    for attempt in range(20):
        port = random.randint(20000, 30000)
        try:
            srv = Server([binary, str(port), "16"], retry_in_use=True)
            break
        except InUse:
            if attempt == 19:
                fail("no free port found")
    if srv.addr != f"127.0.0.1:{port}":
        fail(f"echo printed {srv.addr!r}, expected 127.0.0.1:{port}")
    print(f"ok: {' '.join(srv.argv)} printed 'listening on {srv.addr}'")
    try:
        conns = [srv.connect() for _ in range(5)]
        for m in range(20):
            for i, s in enumerate(conns):
                msg = bytes((i * 31 + m * 7 + j) & 0xFF for j in range(16))
                # in two pieces: the server must wait for the whole message
                s.sendall(msg[:5])
                s.sendall(msg[5:])
                got = recv_exactly(s, 16)
                if got != msg:
                    fail(f"connection {i} message {m}: got {got!r}")
        print("ok: 5 connections x 20 messages of 16 bytes echoed")
        half = srv.connect()
        half.sendall(b"x" * 8)
        half.shutdown(socket.SHUT_WR)
        if recv_all(half) != b"":
            fail("a half message was answered")
        half.close()
        print("ok: a client that hangs up mid-message gets EOF")
        for s in conns:
            s.close()
    finally:
        srv.stop()
    print("ok: SIGTERM ends it")


# -------------------------------------------------------------------- chat

class LineClient:
    def __init__(self, srv):
        self.s = srv.connect()
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                fail(f"EOF while waiting for a line (have {self.buf!r})")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def expect(self, want):
        got = self.line()
        if got != want:
            fail(f"expected {want!r}, got {got!r}")

    def send(self, text):
        self.s.sendall(text.encode())


def test_chat(binary):
    srv = Server([binary, "-serve", "127.0.0.1:0"])
    print(f"ok: chat -serve printed 'listening on {srv.addr}'")
    try:
        ann = LineClient(srv)
        ann.expect("Welcome! What is your name?")
        ann.send("ann\n")
        ann.expect("You are ann")
        ann.send("hello?\n")
        ann.expect("ann: hello?")  # entered: the next arrival reaches ann
        ben = LineClient(srv)
        ben.expect("Welcome! What is your name?")
        ben.send("  ben \r\n")  # spaces trimmed, \r dropped
        ben.expect("You are ben")
        ann.expect("ben has arrived")
        ben.send("hi ann\n")
        ben.expect("ben: hi ann")
        ann.expect("ben: hi ann")
        ann.s.shutdown(socket.SHUT_WR)
        if recv_all(ann.s) != b"" or ann.buf:
            fail("ann got more after leaving")
        ann.s.close()
        ben.expect("ann has left")
        ben.s.close()
        print("ok: two clients joined, talked and left")
    finally:
        srv.stop()
    print("ok: SIGTERM ends it")


# -------------------------------------------------------------------- http

def curl(*args):
    p = subprocess.run(["curl", "-sS", "--max-time", "10"] + list(args),
                       capture_output=True, timeout=30)
    if p.returncode != 0:
        fail(f"curl {' '.join(args)}: status {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout.decode(errors="replace")


def test_http(binary):
    if shutil.which("curl") is None:
        print("skipped: curl not found")
        sys.exit(77)
    srv = Server([binary, "0"])
    url = f"http://{srv.addr}"
    print(f"ok: http 0 printed 'listening on {srv.addr}'")
    try:
        # Two URLs in one curl: the second reuses the connection
        # (num_connects 0) if the server kept it alive.
        out = curl("-w", "|%{http_code}|%{num_connects}\n", f"{url}/", f"{url}/again")
        want = "Hello, World!\n|200|1\nHello, World!\n|200|0\n"
        if out != want:
            fail(f"keep-alive: got {out!r}, expected {want!r}")
        print("ok: two GETs over one kept-alive connection")

        out = curl("-I", f"{url}/")
        if not out.startswith("HTTP/1.1 200 OK\r\n") or "Content-Length: 14\r\n" not in out:
            fail(f"HEAD: got {out!r}")
        print("ok: HEAD")

        out = curl("-i", "-H", "Connection: close", f"{url}/")
        if "Connection: close\r\n" not in out or not out.endswith("\r\n\r\nHello, World!\n"):
            fail(f"Connection: close: got {out!r}")
        print("ok: Connection: close")

        out = curl("--http1.0", "-w", "|%{http_code}", f"{url}/")
        if out != "Hello, World!\n|200":
            fail(f"HTTP/1.0: got {out!r}")
        print("ok: HTTP/1.0")

        out = curl("-d", "name=gort", "-w", "|%{http_code}", f"{url}/form")
        if out != "method not allowed\n|405":
            fail(f"POST: got {out!r}")
        print("ok: POST answered 405")

        s = srv.connect()
        s.sendall(b"HELLO\r\n\r\n")
        out = recv_all(s).decode(errors="replace")
        s.close()
        if not out.startswith("HTTP/1.1 400 Bad Request\r\n") or not out.endswith("bad request\n"):
            fail(f"garbage: got {out!r}")
        print("ok: garbage answered 400, then closed")
    finally:
        srv.stop()
    print("ok: SIGTERM ends it")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("echo", "chat", "http"):
        print(__doc__, file=sys.stderr)
        return 2
    {"echo": test_echo, "chat": test_chat, "http": test_http}[sys.argv[1]](sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
