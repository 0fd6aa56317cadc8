//go:build ignore

// http.go - the Go twin of http.c: a tiny HTTP/1.1 server (one goroutine
// per connection, keep-alive, pipelining, a fixed "Hello, World!\n"). A Go
// programmer would use net/http; this twin spells the same small protocol
// out over net.Conn, with the same buffers and limits as the C program, so
// that the two behave the same byte for byte.
//
//	go run http.go [PORT=8080]   serve on 127.0.0.1:PORT (0: a free port)
//	go run http.go -selftest     fetch itself; a deterministic transcript
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	inSize           = 8192 // request line + headers: at most this (431 past it)
	outSize          = 4096 // responses waiting to be written together
	serveIdleTimeout = 60 * time.Second
	lingerTimeout    = 500 * time.Millisecond
	hello            = "Hello, World!\n"
	selftestIdle     = 500 * time.Millisecond
	parallelConns    = 20
	parallelRequests = 10
)

var errLineTooLong = errors.New("line too long")

func fatal(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

// ------------------------------------------------------- a buffered socket

type conn struct {
	c          net.Conn
	start, end int
	eof        bool
	err        error
	in         [inSize]byte
	out        []byte
}

func newConn(c net.Conn) *conn {
	return &conn{c: c, out: make([]byte, 0, outSize)}
}

func (c *conn) flush() bool {
	if len(c.out) == 0 {
		return true
	}
	if _, err := c.c.Write(c.out); err != nil {
		c.err = err
		return false
	}
	c.out = c.out[:0]
	return true
}

// fill: 1 (more arrived), 0 (end of input), -1 (c.err).
func (c *conn) fill() int {
	if !c.flush() {
		return -1
	}
	if c.start > 0 {
		copy(c.in[:], c.in[c.start:c.end])
		c.end -= c.start
		c.start = 0
	}
	if c.end == inSize {
		c.err = errLineTooLong
		return -1
	}
	n, err := c.c.Read(c.in[c.end:])
	c.end += n
	switch {
	case n > 0:
		return 1
	case err == io.EOF:
		c.eof = true
		return 0
	case err != nil:
		c.err = err
		return -1
	}
	return 1 // (a zero-byte read without an error: try again)
}

// readLine: the next line without "\n" or "\r\n", and the input it used.
func (c *conn) readLine() (string, int, bool) {
	for {
		data := c.in[c.start:c.end]
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			c.start += i + 1
			line := data[:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return string(line), i + 1, true
		}
		if c.eof || c.fill() <= 0 {
			return "", 0, false
		}
	}
}

// readBytes consumes n bytes of input (a body to drop, or to keep).
func (c *conn) readBytes(n int64, keep bool) ([]byte, bool) {
	var got []byte
	for n > 0 {
		if c.start == c.end {
			if c.eof || c.fill() <= 0 {
				return got, false
			}
			continue
		}
		k := int64(c.end - c.start)
		if k > n {
			k = n
		}
		if keep {
			got = append(got, c.in[c.start:c.start+int(k)]...)
		}
		c.start += int(k)
		n -= k
	}
	return got, true
}

func (c *conn) queue(s string) bool {
	if len(c.out)+len(s) > outSize && !c.flush() {
		return false
	}
	if len(s) > outSize {
		c.err = errLineTooLong
		return false
	}
	c.out = append(c.out, s...)
	return true
}

func isTchar(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
		strings.IndexByte("!#$%&'*+-.^_`|~", ch) >= 0
}

// --------------------------------------------------------------- the server

type request struct {
	minor     int
	head      bool
	getOrHead bool
	keepAlive bool
	bodyLen   int64
}

const (
	reqEnd      = 1
	reqBad      = 400
	reqTooLarge = 431
	reqNotImpl  = 501
)

func parseConnection(v string) (closeIt, keep bool) {
	for _, tok := range strings.Split(v, ",") {
		tok = strings.Trim(tok, " \t")
		if strings.EqualFold(tok, "close") {
			closeIt = true
		}
		if strings.EqualFold(tok, "keep-alive") {
			keep = true
		}
	}
	return
}

func tokenLen(s string) int {
	n := 0
	for n < len(s) && isTchar(s[n]) {
		n++
	}
	return n
}

func readRequest(c *conn, req *request) int {
	total := 0
	var line string
	for {
		l, n, ok := c.readLine()
		if !ok {
			if c.err == errLineTooLong {
				return reqTooLarge
			}
			return reqEnd
		}
		total += n
		if total > inSize {
			return reqTooLarge
		}
		if l != "" {
			line = l
			break
		}
	}

	mlen := tokenLen(line)
	if mlen == 0 || mlen >= len(line) || line[mlen] != ' ' {
		return reqBad
	}
	target := line[mlen+1:]
	tlen := 0
	for tlen < len(target) && target[tlen] > ' ' && target[tlen] != 0x7f {
		tlen++
	}
	if tlen == 0 || tlen >= len(target) || target[tlen] != ' ' {
		return reqBad
	}
	var minor int
	switch target[tlen+1:] {
	case "HTTP/1.1":
		minor = 1
	case "HTTP/1.0":
		minor = 0
	default:
		return reqBad
	}
	method := line[:mlen]
	req.head = method == "HEAD"
	req.getOrHead = req.head || method == "GET"

	closeIt, keep, host, hasLength, chunked := false, false, false, false, false
	req.bodyLen = 0
	for {
		l, n, ok := c.readLine()
		if !ok {
			if c.err == errLineTooLong {
				return reqTooLarge
			}
			return reqEnd
		}
		total += n
		if total > inSize {
			return reqTooLarge
		}
		if l == "" {
			break
		}
		nlen := tokenLen(l)
		if nlen == 0 || nlen >= len(l) || l[nlen] != ':' {
			return reqBad
		}
		name := l[:nlen]
		value := strings.Trim(l[nlen+1:], " \t")
		switch {
		case strings.EqualFold(name, "Host"):
			host = true
		case strings.EqualFold(name, "Connection"):
			c1, k1 := parseConnection(value)
			closeIt = closeIt || c1
			keep = keep || k1
		case strings.EqualFold(name, "Transfer-Encoding"):
			chunked = true
		case strings.EqualFold(name, "Content-Length"):
			if len(value) == 0 || len(value) > 15 || strings.Trim(value, "0123456789") != "" {
				return reqBad
			}
			v, _ := strconv.ParseInt(value, 10, 64)
			if hasLength && v != req.bodyLen {
				return reqBad
			}
			hasLength = true
			req.bodyLen = v
		}
	}
	if minor == 1 && !host {
		return reqBad
	}
	if chunked {
		return reqNotImpl
	}
	req.minor = minor
	if minor == 1 {
		req.keepAlive = !closeIt
	} else {
		req.keepAlive = keep && !closeIt
	}
	return 0
}

func respond(c *conn, status int, reason, extra, body string, head bool, connection string) bool {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n%s",
		status, reason, len(body), extra)
	if connection != "" {
		fmt.Fprintf(&b, "Connection: %s\r\n", connection)
	}
	b.WriteString("\r\n")
	if !head {
		b.WriteString(body)
	}
	return c.queue(b.String())
}

func lingerClose(c *conn) {
	if c.flush() && c.c.(*net.TCPConn).CloseWrite() == nil &&
		c.c.SetReadDeadline(time.Now().Add(lingerTimeout)) == nil {
		buf := c.in[:]
		for {
			if n, err := c.c.Read(buf); n == 0 || err != nil {
				break
			}
		}
	}
	if err := c.c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close: %v\n", err)
	}
}

func serveConn(fd net.Conn, idleTimeout time.Duration) {
	c := newConn(fd)
	for {
		if c.start == c.end {
			if err := c.c.SetReadDeadline(time.Now().Add(idleTimeout)); err != nil {
				fmt.Fprintf(os.Stderr, "set deadline: %v\n", err)
				break
			}
		}
		var req request
		st := readRequest(c, &req)
		if st == reqEnd {
			break
		}
		switch st {
		case reqBad:
			respond(c, 400, "Bad Request", "", "bad request\n", false, "close")
			lingerClose(c)
			return
		case reqTooLarge:
			respond(c, 431, "Request Header Fields Too Large", "", "request header too large\n", false, "close")
			lingerClose(c)
			return
		case reqNotImpl:
			respond(c, 501, "Not Implemented", "", "transfer encodings are not supported\n", false, "close")
			lingerClose(c)
			return
		}
		if _, ok := c.readBytes(req.bodyLen, false); !ok {
			break
		}
		connection := ""
		if !req.keepAlive {
			connection = "close"
		} else if req.minor == 0 {
			connection = "keep-alive"
		}
		var ok bool
		if req.getOrHead {
			ok = respond(c, 200, "OK", "", hello, req.head, connection)
		} else {
			ok = respond(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed\n", false, connection)
		}
		if !ok {
			break
		}
		if !req.keepAlive {
			lingerClose(c)
			return
		}
	}
	c.flush()
	if err := c.c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close: %v\n", err)
	}
}

func acceptLoop(ln net.Listener, idleTimeout time.Duration) {
	for {
		fd, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			fatal("accept", err)
		}
		go serveConn(fd, idleTimeout)
	}
}

func listenOn(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return ln
}

func serveMain(port int) {
	ln := listenOn(fmt.Sprintf("127.0.0.1:%d", port))
	fmt.Printf("listening on %s\n", ln.Addr())
	acceptLoop(ln, serveIdleTimeout)
}

// ---------------------------------------------------------------- self-test

var serverAddr, idleAddr string

func dial(addr string) *conn {
	fd, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		fatal("dial", err)
	}
	if err := fd.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		fatal("set deadline", err)
	}
	return newConn(fd)
}

func (c *conn) hangUp() {
	if err := c.c.Close(); err != nil {
		fatal("close", err)
	}
}

func (c *conn) send(s string) {
	if _, err := c.c.Write([]byte(s)); err != nil {
		fatal("write", err)
	}
}

type response struct {
	status, connection, allow string
	length                    int64
	body                      string
}

func clientFail(c *conn, what string) {
	why := "the server closed the connection"
	if !c.eof {
		why = c.err.Error()
	}
	fmt.Fprintf(os.Stderr, "client: %s: %s\n", what, why)
	os.Exit(1)
}

func readResponse(c *conn, head bool) response {
	var r response
	line, _, ok := c.readLine()
	if !ok {
		clientFail(c, "reading the status line")
	}
	r.status = line
	r.length = -1
	for {
		if line, _, ok = c.readLine(); !ok {
			clientFail(c, "reading a header")
		}
		if line == "" {
			break
		}
		i := strings.IndexByte(line, ':')
		if i < 0 {
			clientFail(c, "a header without a colon")
		}
		name, value := line[:i], strings.TrimLeft(line[i+1:], " ")
		switch {
		case strings.EqualFold(name, "Connection"):
			r.connection = value
		case strings.EqualFold(name, "Allow"):
			r.allow = value
		case strings.EqualFold(name, "Content-Length"):
			r.length, _ = strconv.ParseInt(value, 10, 64)
		}
	}
	if head {
		return r
	}
	if r.length < 0 || r.length > 128 {
		clientFail(c, "a response without a usable Content-Length")
	}
	body, ok := c.readBytes(r.length, true)
	if !ok {
		clientFail(c, "reading the body")
	}
	r.body = string(body)
	return r
}

func printResponse(r response, head bool) {
	fmt.Printf("  -> %s", r.status)
	if r.connection != "" {
		fmt.Printf("; Connection: %s", r.connection)
	}
	if r.allow != "" {
		fmt.Printf("; Allow: %s", r.allow)
	}
	if head {
		fmt.Printf("; Content-Length: %d; no body\n", r.length)
	} else {
		fmt.Printf("; body %q\n", r.body)
	}
}

func receive(c *conn, head bool) {
	printResponse(readResponse(c, head), head)
}

func expectEOF(c *conn) {
	if _, _, ok := c.readLine(); ok || !c.eof {
		clientFail(c, "waiting for the server to close")
	}
	fmt.Printf("  -> the server closed the connection\n")
}

func badRequest(desc, req string) {
	c := dial(serverAddr)
	if desc != "" {
		fmt.Printf("%s\n", desc)
	} else {
		fmt.Printf("%q\n", req)
	}
	c.send(req)
	receive(c, false)
	expectEOF(c)
	c.hangUp()
}

type parallelResult struct {
	ok   int
	body int64
}

func parallelClient(results chan<- parallelResult) {
	var res parallelResult
	c := dial(serverAddr)
	for i := 0; i < parallelRequests; i++ {
		c.send("GET / HTTP/1.1\r\nHost: example\r\n\r\n")
		r := readResponse(c, false)
		if r.status == "HTTP/1.1 200 OK" && r.body == hello {
			res.ok++
		}
		res.body += int64(len(r.body))
	}
	c.hangUp()
	results <- res
}

func selftestMain() {
	mainLn := listenOn("127.0.0.1:0")
	idleLn := listenOn("127.0.0.1:0")
	serverAddr, idleAddr = mainLn.Addr().String(), idleLn.Addr().String()
	go acceptLoop(mainLn, 10*time.Second)
	go acceptLoop(idleLn, selftestIdle)
	fmt.Printf("http server on 127.0.0.1 (a free port), a goroutine per connection\n")

	fmt.Printf("\none connection, four requests in turn:\n")
	c := dial(serverAddr)
	fmt.Printf("GET / HTTP/1.1\n")
	c.send("GET / HTTP/1.1\r\nHost: example\r\n\r\n")
	receive(c, false)
	fmt.Printf("HEAD /index.html HTTP/1.1\n")
	c.send("HEAD /index.html HTTP/1.1\r\nHost: example\r\n\r\n")
	receive(c, true)
	fmt.Printf("POST /form HTTP/1.1 with a 9-byte body\n")
	c.send("POST /form HTTP/1.1\r\nHost: example\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\n\r\n" +
		"name=gort")
	receive(c, false)
	fmt.Printf("GET / HTTP/1.1 with Connection: close\n")
	c.send("GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
	receive(c, false)
	expectEOF(c)
	c.hangUp()

	fmt.Printf("\nthree pipelined requests in one write (the second with bare \\n line ends, " +
		"the third with Connection: close):\n")
	c = dial(serverAddr)
	c.send("GET /a HTTP/1.1\r\nHost: example\r\n\r\n" +
		"GET /b HTTP/1.1\nHost: example\n\n" +
		"GET /c HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
	for i := 0; i < 3; i++ {
		receive(c, false)
	}
	expectEOF(c)
	c.hangUp()

	fmt.Printf("\nHTTP/1.0 on one connection:\n")
	c = dial(serverAddr)
	fmt.Printf("GET / HTTP/1.0 with Connection: keep-alive\n")
	c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	receive(c, false)
	fmt.Printf("GET / HTTP/1.0\n")
	c.send("GET / HTTP/1.0\r\n\r\n")
	receive(c, false)
	expectEOF(c)
	c.hangUp()

	fmt.Printf("\nbad requests, each on a new connection:\n")
	for _, req := range []string{
		"HELLO\r\n\r\n",
		"GET / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: example\r\nContent-Length: ten\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: example\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: example\r\n folded: header\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n",
	} {
		badRequest("", req)
	}
	big := "GET / HTTP/1.1\r\nHost: example\r\nX-Big: " + strings.Repeat("a", 10000) + "\r\n\r\n"
	badRequest("GET / HTTP/1.1 with a 10000-byte header", big)

	fmt.Printf("\na connection left idle (the server's idle timeout here: %d ms):\n",
		selftestIdle/time.Millisecond)
	c = dial(idleAddr)
	start := time.Now()
	fmt.Printf("GET / HTTP/1.1, then nothing\n")
	c.send("GET / HTTP/1.1\r\nHost: example\r\n\r\n")
	receive(c, false)
	expectEOF(c)
	fmt.Printf("  -> closed after the idle timeout or later: %t\n", time.Since(start) >= selftestIdle)
	c.hangUp()

	results := make(chan parallelResult)
	for i := 0; i < parallelConns; i++ {
		go parallelClient(results)
	}
	var total parallelResult
	for i := 0; i < parallelConns; i++ {
		r := <-results
		total.ok += r.ok
		total.body += r.body
	}
	fmt.Printf("\n%d connections at once, %d keep-alive requests each: %d of %d responses "+
		"\"200 OK\" with the page, %d body bytes\n",
		parallelConns, parallelRequests, total.ok, parallelConns*parallelRequests, total.body)

	if err := mainLn.Close(); err != nil {
		fatal("close listener", err)
	}
	if err := idleLn.Close(); err != nil {
		fatal("close listener", err)
	}
}

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "-selftest":
		selftestMain()
	case len(os.Args) <= 2:
		port := 8080
		if len(os.Args) == 2 {
			p, err := strconv.Atoi(os.Args[1])
			if err != nil || os.Args[1][0] < '0' || os.Args[1][0] > '9' || p > 65535 {
				fmt.Fprintf(os.Stderr, "bad argument \"%s\" (usage: http [PORT=8080] | http -selftest)\n", os.Args[1])
				os.Exit(2)
			}
			port = p
		}
		serveMain(port)
	default:
		fmt.Fprintf(os.Stderr, "usage: http [PORT=8080] | http -selftest\n")
		os.Exit(2)
	}
}
