//go:build ignore

// deadlock_chan_recv.go - main receives from a channel nobody sends on and
// no other goroutine exists: Go's deadlock fatal error, status 2. What was
// printed before reaches stdout; deferred calls do not run.
// C twin: deadlock_chan_recv.c.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred call: must not run")
	ch := make(chan int)
	fmt.Println("about to block")
	<-ch
}
