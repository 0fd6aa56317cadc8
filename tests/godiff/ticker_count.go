//go:build ignore

// ticker_count.go - a Ticker sends increasing times; after Stop, no more
// ticks come (one already in the channel may stay, so drain it first).
// C twin: ticker_count.c.
package main

import (
	"fmt"
	"time"
)

func main() {
	start := time.Now()
	tk := time.NewTicker(5 * time.Millisecond)
	prev := start
	increasing := true
	for i := 1; i <= 3; i++ {
		t := <-tk.C
		increasing = increasing && t.After(prev)
		prev = t
		fmt.Println("tick", i)
	}
	tk.Stop()
	fmt.Println("ticks increasing:", increasing)
	fmt.Println("three periods passed:", time.Since(start) >= 15*time.Millisecond)
	select { // a tick sent before Stop may remain
	case <-tk.C:
	default:
	}
	select {
	case <-tk.C:
		fmt.Println("tick after Stop")
	case <-time.After(30 * time.Millisecond):
		fmt.Println("no tick after Stop")
	}
	tk.Reset(time.Millisecond)
	<-tk.C
	fmt.Println("tick after Reset")
	tk.Stop()
}
