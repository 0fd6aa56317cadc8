// tb.go - the Go twin of tb.c (see there): the same goroutines, the same
// function names, so that the normalised traces compare equal.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Each has one side only: a sender nobody receives from, receivers nobody
// sends to.
var sendq = make(chan int)
var recvq1 = make(chan int)
var recvq2 = make(chan int)
var mainq = make(chan int)

// wait_parked waits until n goroutines other than the caller are parked.
func wait_parked(n int) {
	buf := make([]byte, 1<<20)
	for {
		s := string(buf[:runtime.Stack(buf, true)])
		parked := -1
		for _, h := range strings.Split(s, "goroutine ")[1:] {
			st := h[strings.Index(h, "[")+1:]
			if !strings.HasPrefix(st, "running") && !strings.HasPrefix(st, "runnable") {
				parked++
			} else if strings.HasPrefix(st, "running") && parked == -1 {
				parked = 0
			}
		}
		if parked >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func sender_inner() {
	sendq <- 1
}

func sender() {
	sender_inner()
}

func selecter() {
	select {
	case <-recvq1:
	case <-recvq2:
	}
}

func nilrecv() {
	var c chan int
	<-c
}

func level3() {
	panic("boom")
}

func level2() {
	level3()
}

func level1() {
	wait_parked(2)
	level2()
}

var nilp *int

func deref_nil() {
	*nilp = 1
}

func faulter() {
	wait_parked(1)
	deref_nil()
}

func main() {
	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "deadlock", "dump":
		go sender()
		go selecter()
		go nilrecv()
		if mode == "dump" {
			wait_parked(3)
			buf := make([]byte, 1<<20)
			os.Stdout.Write(buf[:runtime.Stack(buf, true)])
			return
		}
		<-mainq
	case "panic":
		go sender()
		go level1()
		<-mainq
	case "nil":
		go faulter()
		<-mainq
	default:
		fmt.Fprintln(os.Stderr, "usage: tb deadlock|dump|panic|nil")
		os.Exit(64)
	}
}
