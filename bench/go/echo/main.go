// echo: the Go side of the I/O benchmark (bench/io/): a TCP echo server with
// one goroutine per connection, written the way a Go programmer writes it:
// io.ReadFull of SIZE bytes, then Write them back, until the peer goes away.
//
// gort's own copy of the Go twin (the same program as shared/peers/go/echo,
// kept here so that bench/io/run.sh works from any clone): same arguments,
// defaults, output and exit statuses.
//
// Usage: echo [PORT=9527] [SIZE=512]   (set GOMAXPROCS in the environment)
//
// Listens on 127.0.0.1:PORT and prints "listening on 127.0.0.1:PORT" on
// stdout once it accepts connections, then serves until killed. The load
// generator is bench/io/client.c, one binary for every server. An argument
// must be a decimal integer > 0; a bad one prints `bad argument "..."`,
// exit 2. A listen or accept error is printed on stderr, exit 1.
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
)

// argInt returns os.Args[i] as a positive int, or def when it is absent.
func argInt(i, def int) int {
	if i >= len(os.Args) {
		return def
	}
	n, err := strconv.Atoi(os.Args[i])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
		os.Exit(2)
	}
	return n
}

// handle echoes SIZE-byte messages on c until a read or a write fails
// (io.EOF when the client closes).
func handle(c net.Conn, size int) {
	defer c.Close()
	msg := make([]byte, size)
	for {
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
		if _, err := c.Write(msg); err != nil {
			return
		}
	}
}

func main() {
	port := argInt(1, 9527)
	size := argInt(2, 512)

	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening on", ln.Addr())

	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go handle(c, size)
	}
}
