//go:build ignore

// deadlock_chan_send.go - main sends on an unbuffered channel nobody
// receives from: "goroutine 1 [chan send]:".
// C twin: deadlock_chan_send.c.
package main

import "fmt"

func main() {
	ch := make(chan int, 1)
	ch <- 1
	fmt.Println("the buffer holds", len(ch))
	ch <- 2
}
