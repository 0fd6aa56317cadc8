//go:build ignore

// select_timeout.go - time.After in a select: the timeout fires when
// nothing else can (a channel nobody sends on), and loses to a case that is
// ready (a value already buffered, the timeout an hour away).
// C twin: select_timeout.c.
package main

import (
	"fmt"
	"time"
)

func main() {
	never := make(chan int)
	select {
	case v := <-never:
		fmt.Println("received", v)
	case <-time.After(10 * time.Millisecond):
		fmt.Println("timeout")
	}

	ready := make(chan int, 1)
	ready <- 5
	select {
	case v := <-ready:
		fmt.Println("ready value", v)
	case <-time.After(time.Hour):
		fmt.Println("an hour passed")
	}

	start := time.Now()
	<-time.After(20 * time.Millisecond)
	fmt.Println("After waited at least 20 ms:", time.Since(start) >= 20*time.Millisecond)

	z := time.After(0)
	<-z
	fmt.Println("After(0) fires")
}
