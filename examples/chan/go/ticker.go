//go:build ignore

// ticker.go - the Go twin of ticker.c: ticks at a fixed period, Stop and
// Reset, with output that does not depend on the machine's speed.
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	ticker := time.NewTicker(10 * time.Millisecond)

	var t time.Time
	prev := start
	increasing := true
	for i := 1; i <= 5; i++ {
		t = <-ticker.C
		increasing = increasing && t.After(prev)
		prev = t
		fmt.Printf("tick %d\n", i)
	}
	fmt.Printf("5 ticks, in order: %t, the fifth at least 50ms after the start: %t\n",
		increasing, t.Sub(start) >= 50*time.Millisecond)

	ticker.Stop()
	select {
	case <-ticker.C:
	default:
	}
	time.Sleep(30 * time.Millisecond)
	got := false
	select {
	case <-ticker.C:
		got = true
	default:
	}
	fmt.Printf("after Stop, a tick in 30ms: %t\n", got)

	reset := time.Now()
	ticker.Reset(20 * time.Millisecond)
	for i := 1; i <= 3; i++ {
		t = <-ticker.C
		fmt.Printf("tick %d after Reset\n", i)
	}
	fmt.Printf("the third at least 60ms after Reset: %t\n", t.Sub(reset) >= 60*time.Millisecond)
	ticker.Stop()
}
