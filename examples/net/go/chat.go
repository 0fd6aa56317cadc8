//go:build ignore

// chat.go - the Go twin of chat.c: a line-based chat server (the
// broadcaster of The Go Programming Language, section 8.10: entering,
// leaving and messages channels, one goroutine owning the set of clients,
// a writer goroutine per client).
//
//	go run chat.go -serve ADDR   serve on ADDR (use nc)
//	go run chat.go -selftest     four scripted clients, a deterministic transcript
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

const (
	maxToken   = 512
	nameMaxLen = 32
	outCap     = 16
	prompt     = "Welcome! What is your name?\n"
)

func fatal(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

func newScanner(r io.Reader) *bufio.Scanner {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, maxToken), maxToken)
	return s
}

// ------------------------------------------------------------------ server

type client chan string // an outgoing message channel

var (
	entering = make(chan client)
	leaving  = make(chan client)
	messages = make(chan string)
)

func broadcaster() {
	clients := make(map[client]bool)
	for {
		select {
		case msg := <-messages:
			for cli := range clients {
				cli <- msg
			}
		case cli := <-entering:
			clients[cli] = true
		case cli := <-leaving:
			delete(clients, cli)
			close(cli) // its writer sends what is queued, then closes the connection
		}
	}
}

func clientWriter(conn net.Conn, out <-chan string) {
	var err error
	for msg := range out {
		if err != nil {
			continue // the client is gone: drain, so the broadcaster never waits
		}
		_, err = io.WriteString(conn, msg+"\n")
	}
	if err := conn.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close: %v\n", err)
	}
}

func handleConn(conn net.Conn) {
	input := newScanner(conn)
	_, err := io.WriteString(conn, prompt)
	if err != nil || !input.Scan() { // gone before it said its name
		if err := conn.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "close: %v\n", err)
		}
		return
	}
	who := strings.Trim(input.Text(), " \t")
	if len(who) > nameMaxLen {
		who = who[:nameMaxLen]
	}
	if who == "" {
		who = "anonymous"
	}

	out := make(client, outCap)
	go clientWriter(conn, out)

	out <- "You are " + who
	messages <- who + " has arrived"
	entering <- out

	for input.Scan() {
		messages <- who + ": " + input.Text()
	}
	if err := input.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: read: %v\n", who, err)
	}

	leaving <- out
	messages <- who + " has left"
}

func acceptLoop(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			fatal("accept", err)
		}
		go handleConn(conn)
	}
}

func startServer(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go broadcaster()
	return ln
}

func serveMain(addr string) {
	ln := startServer(addr)
	fmt.Printf("listening on %s\n", ln.Addr())
	acceptLoop(ln) // until killed
}

// --------------------------------------------------------------- self-test

const maxLines = 32

type scripted struct {
	name       string
	conn       net.Conn
	lines      chan string
	gone       bool
	transcript []string
}

var serverAddr string

func clientReader(c *scripted) {
	in := newScanner(c.conn)
	for in.Scan() {
		c.lines <- in.Text()
	}
	if err := in.Err(); err != nil {
		fatal(c.name+": read", err)
	}
	close(c.lines)
}

func expect(c *scripted, want string, untilEOF bool) {
	for {
		l, ok := <-c.lines
		if !ok {
			if untilEOF {
				c.gone = true
				return
			}
			fmt.Fprintf(os.Stderr, "%s: the connection ended before %q\n", c.name, want)
			os.Exit(1)
		}
		if len(c.transcript) == maxLines {
			fmt.Fprintf(os.Stderr, "%s: too many lines\n", c.name)
			os.Exit(1)
		}
		c.transcript = append(c.transcript, l)
		if !untilEOF && l == want {
			return
		}
	}
}

func sayEOL(c *scripted, text, eol string) {
	fmt.Printf("%s says %s\n", c.name, text)
	if _, err := io.WriteString(c.conn, text+eol); err != nil {
		fatal("write", err)
	}
	expect(c, c.name+": "+text, false)
}

func say(c *scripted, text string) { sayEOL(c, text, "\n") }

func joinEOL(c *scripted, eol string) {
	note := ""
	if eol != "\n" {
		note = " (its lines end with \\r\\n)"
	}
	fmt.Printf("%s joins%s\n", c.name, note)
	conn, err := net.DialTimeout("tcp", serverAddr, 10*time.Second)
	if err != nil {
		fatal("dial", err)
	}
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		fatal("set deadline", err)
	}
	c.conn = conn
	c.lines = make(chan string, maxLines)
	go clientReader(c)
	if _, err := io.WriteString(conn, c.name+eol); err != nil {
		fatal("write", err)
	}
	expect(c, "You are "+c.name, false)
}

func join(c *scripted) { joinEOL(c, "\n") }

func leave(c, witness *scripted) {
	fmt.Printf("%s leaves\n", c.name)
	if err := c.conn.(*net.TCPConn).CloseWrite(); err != nil {
		fatal("shutdown", err)
	}
	expect(c, "", true)
	if witness != nil {
		expect(witness, c.name+" has left", false)
	}
	if err := c.conn.Close(); err != nil {
		fatal("close", err)
	}
}

func selftestMain() {
	ln := startServer("127.0.0.1:0")
	serverAddr = ln.Addr().String()
	go acceptLoop(ln)
	clients := []*scripted{{name: "alice"}, {name: "bob"}, {name: "carol"}, {name: "dave"}}
	fmt.Printf("chat server on 127.0.0.1 (a free port); %d scripted clients act one at a time\n",
		len(clients))

	alice, bob, carol, dave := clients[0], clients[1], clients[2], clients[3]
	join(alice)
	say(alice, "hi, anyone here?")
	join(bob)
	say(bob, "hello alice")
	say(alice, "hi bob!")
	join(carol)
	say(carol, "hey all")
	leave(bob, alice)
	joinEOL(dave, "\r\n")
	sayEOL(dave, "is bob gone?", "\r\n")
	say(carol, "yes, he left")
	leave(alice, carol)
	say(dave, "bye carol")
	leave(dave, carol)
	leave(carol, nil)

	if err := ln.Close(); err != nil {
		fatal("close listener", err)
	}

	for _, c := range clients {
		fmt.Printf("\n%s saw:\n", c.name)
		for _, l := range c.transcript {
			fmt.Printf("  %s\n", l)
		}
		if c.gone {
			fmt.Printf("  (then the server closed the connection)\n")
		}
	}
}

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "-selftest":
		selftestMain()
	case len(os.Args) == 3 && os.Args[1] == "-serve":
		serveMain(os.Args[2])
	default:
		fmt.Fprintf(os.Stderr, "usage: chat -serve ADDR    (e.g. chat -serve 127.0.0.1:6000)\n"+
			"       chat -selftest\n")
		os.Exit(2)
	}
}
