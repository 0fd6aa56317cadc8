//go:build ignore

// ticker_nonpositive.go - NewTicker and Ticker.Reset panic on a period that
// is not positive; the panics are recoverable.
// C twin: ticker_nonpositive.c.
package main

import (
	"fmt"
	"time"
)

func newTicker(d time.Duration) {
	defer func() { fmt.Println("recovered:", recover()) }()
	time.NewTicker(d)
	fmt.Println("not reached")
}

func reset(tk *time.Ticker, d time.Duration) {
	defer func() { fmt.Println("recovered:", recover()) }()
	tk.Reset(d)
	fmt.Println("not reached")
}

func main() {
	newTicker(0)
	newTicker(-time.Second)
	tk := time.NewTicker(time.Hour)
	reset(tk, 0)
	tk.Stop()
	fmt.Println("done")
}
