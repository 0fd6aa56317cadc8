//go:build ignore

// timer_stop.go - Timer.Stop and Reset report whether the timer was
// pending; AfterFunc runs its function in a goroutine of its own.
// C twin: timer_stop.c.
package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.NewTimer(time.Hour)
	fmt.Println("Stop pending:", t.Stop())
	fmt.Println("Stop again:", t.Stop())
	fmt.Println("Reset stopped:", t.Reset(time.Millisecond))
	<-t.C
	fmt.Println("fired after Reset")
	fmt.Println("Stop fired:", t.Stop())
	fmt.Println("Reset fired and drained:", t.Reset(time.Hour))
	fmt.Println("Reset pending:", t.Reset(2*time.Millisecond))
	<-t.C
	fmt.Println("fired after the second Reset")

	// fired but not drained: Stop says false and the value stays
	t2 := time.NewTimer(time.Millisecond)
	for len(t2.C) == 0 { // until it fired, however slow the machine
		time.Sleep(time.Millisecond)
	}
	fmt.Println("Stop after firing:", t2.Stop())
	select {
	case <-t2.C:
		fmt.Println("the value is still in the channel")
	default:
		fmt.Println("channel empty")
	}

	ran := make(chan string)
	f := time.AfterFunc(time.Hour, func() { ran <- "must not run" })
	fmt.Println("Stop AfterFunc pending:", f.Stop())
	g := time.AfterFunc(time.Millisecond, func() { ran <- "AfterFunc ran" })
	fmt.Println(<-ran)
	fmt.Println("Stop AfterFunc that ran:", g.Stop())
}
