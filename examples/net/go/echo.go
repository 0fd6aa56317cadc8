//go:build ignore

// echo.go - the Go twin of echo.c: a TCP echo server, one goroutine per
// connection (io.ReadFull of SIZE bytes, then Write them back, until EOF).
//
//	go run echo.go [PORT=9527] [SIZE=512]   the benchmark server (as
//	                                        ../shared/peers/go/echo/main.go)
//	go run echo.go -selftest                50 in-process clients, a
//	                                        deterministic summary
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

const (
	selftestClients  = 50
	selftestMessages = 100
	selftestSize     = 512
)

func argInt(i, def int) int {
	if len(os.Args) > i {
		n, err := strconv.Atoi(os.Args[i])
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
			os.Exit(2)
		}
		return n
	}
	return def
}

// serveConn echoes size-byte messages until the client is gone; it
// returns how many it echoed and what ended the connection.
func serveConn(c net.Conn, size int) (int64, error) {
	defer c.Close()
	buf := make([]byte, size)
	var messages int64
	for {
		if _, err := io.ReadFull(c, buf); err != nil {
			return messages, err
		}
		if _, err := c.Write(buf); err != nil {
			return messages, err
		}
		messages++
	}
}

// serve is the benchmark's connection goroutine: go serve(c, size).
func serve(c net.Conn, size int) {
	serveConn(c, size)
}

func serveMain(port, size int) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go serve(c, size)
	}
}

// ---------------------------------------------------------------- self-test

type connResult struct {
	messages int64
	err      error
}

type clientResult struct {
	index int
	ok    bool
	bytes int64
	hash  uint64
}

var (
	stAddr    string
	stConns   = make(chan connResult)
	stAccepts = make(chan error)
	stClients = make(chan clientResult)
)

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			stAccepts <- err // net.ErrClosed: the listener was closed
			return
		}
		go func() {
			n, err := serveConn(c, selftestSize)
			stConns <- connResult{n, err}
		}()
	}
}

func pattern(k, m, i int) byte {
	return byte(k*131 + m*31 + i*7)
}

const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

func dieClient(k int, what string, err error) {
	fmt.Fprintf(os.Stderr, "client %d: %s: %v\n", k, what, err)
	os.Exit(1)
}

func client(k int) {
	r := clientResult{k, true, 0, fnvOffset}
	c, err := net.DialTimeout("tcp", stAddr, 10*time.Second)
	if err != nil {
		dieClient(k, "dial", err)
	}
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		dieClient(k, "set deadline", err)
	}
	msg := make([]byte, selftestSize)
	reply := make([]byte, selftestSize)
	for m := 0; m < selftestMessages; m++ {
		for i := range msg {
			msg[i] = pattern(k, m, i)
		}
		if _, err := c.Write(msg); err != nil {
			dieClient(k, "write", err)
		}
		if _, err := io.ReadFull(c, reply); err != nil {
			dieClient(k, "read", err)
		}
		if string(msg) != string(reply) {
			r.ok = false
		}
		for _, b := range reply {
			r.hash = (r.hash ^ uint64(b)) * fnvPrime
		}
		r.bytes += selftestSize
	}
	if err := c.Close(); err != nil {
		dieClient(k, "close", err)
	}
	stClients <- r
}

func halfClient() {
	k := selftestClients
	c, err := net.DialTimeout("tcp", stAddr, 10*time.Second)
	if err != nil {
		dieClient(k, "dial", err)
	}
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		dieClient(k, "set deadline", err)
	}
	half := make([]byte, selftestSize/2)
	for i := range half {
		half[i] = 'x'
	}
	if _, err := c.Write(half); err != nil {
		dieClient(k, "write", err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		dieClient(k, "shutdown", err)
	}
	buf := make([]byte, selftestSize)
	n, err := c.Read(buf)
	what := "data (wrong!)"
	if n == 0 && err == io.EOF {
		what = "EOF"
	} else if err != nil {
		dieClient(k, "read", err)
	}
	fmt.Printf("a client that hangs up after %d of %d bytes: the server closes, the client reads %s\n",
		len(half), selftestSize, what)
	if err := c.Close(); err != nil {
		dieClient(k, "close", err)
	}
}

func selftestMain() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen: %v\n", err)
		os.Exit(1)
	}
	stAddr = ln.Addr().String()
	fmt.Printf("echo server on 127.0.0.1 (a free port), one goroutine per connection\n")
	go acceptLoop(ln)

	for k := 0; k < selftestClients; k++ {
		go client(k)
	}
	var results [selftestClients]clientResult
	for i := 0; i < selftestClients; i++ {
		r := <-stClients
		results[r.index] = r
	}
	intact := 0
	var bytes int64
	var checksum uint64
	for k, r := range results {
		if r.ok {
			intact++
		}
		bytes += r.bytes
		checksum ^= r.hash * uint64(k+1)
	}
	fmt.Printf("%d clients x %d messages of %d bytes: %d round trips, %d bytes echoed\n",
		selftestClients, selftestMessages, selftestSize, selftestClients*selftestMessages, bytes)
	fmt.Printf("clients whose every message came back intact: %d of %d (checksum %016x)\n",
		intact, selftestClients, checksum)

	halfClient()

	conns, atEOF, midMessage, other := 0, 0, 0, 0
	var echoed int64
	for i := 0; i < selftestClients+1; i++ {
		r := <-stConns
		conns++
		echoed += r.messages
		switch r.err {
		case io.EOF:
			atEOF++
		case io.ErrUnexpectedEOF:
			midMessage++
		default:
			other++
			fmt.Fprintf(os.Stderr, "a connection ended with: %v\n", r.err)
		}
	}
	fmt.Printf("server: %d connections, %d messages echoed; ended by EOF: %d, "+
		"by EOF in the middle of a message: %d, by an error: %d\n",
		conns, echoed, atEOF, midMessage, other)

	if err := ln.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close listener: %v\n", err)
		os.Exit(1)
	}
	err = <-stAccepts
	what := err.Error()
	if errors.Is(err, net.ErrClosed) {
		what = `"use of closed network connection"`
	}
	fmt.Printf("listener closed: accept failed with %s, the accept loop returned\n", what)
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-selftest" {
		selftestMain()
		return
	}
	port := argInt(1, 9527)
	size := argInt(2, 512)
	serveMain(port, size)
}
