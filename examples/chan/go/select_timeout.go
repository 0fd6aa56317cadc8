//go:build ignore

// select_timeout.go - the Go twin of select_timeout.c: select with a
// timeout (time.After), a stoppable timer, and a default case.
package main

import (
	"fmt"
	"time"
)

func main() {
	gate := make(chan struct{})
	res := make(chan int, 1)

	// 1. The timeout wins.
	go func() {
		<-gate
		res <- 1
	}()
	select {
	case v := <-res:
		fmt.Printf("slow: result %d\n", v)
	case <-time.After(50 * time.Millisecond):
		fmt.Printf("slow: timed out after 50ms\n")
	}
	close(gate)
	fmt.Printf("slow: finished later with %d\n", <-res)

	// 2. The result wins; the timer is stopped before it fires.
	go func() {
		res <- 42
	}()
	timer := time.NewTimer(10 * time.Second)
	select {
	case v := <-res:
		fmt.Printf("fast: result %d before the timeout\n", v)
	case <-timer.C:
		fmt.Printf("fast: timed out\n")
	}
	fmt.Printf("fast: timer stopped: %t\n", timer.Stop())

	// 3. Nothing is ready: the default case runs at once.
	select {
	case v := <-res:
		fmt.Printf("poll: result %d\n", v)
	default:
		fmt.Printf("poll: nothing ready, default case\n")
	}
}
