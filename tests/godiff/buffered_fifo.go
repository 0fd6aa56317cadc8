//go:build ignore

// buffered_fifo.go - a buffered channel is a FIFO: values come out in the
// order they went in; len counts the values waiting, cap is fixed.
// C twin: buffered_fifo.c.
package main

import "fmt"

func main() {
	ch := make(chan int, 3)
	fmt.Println("empty: len", len(ch), "cap", cap(ch))
	ch <- 10
	ch <- 20
	fmt.Println("two sent: len", len(ch), "cap", cap(ch))
	ch <- 30
	fmt.Println("full: len", len(ch), "cap", cap(ch))
	fmt.Println("received", <-ch)
	ch <- 40 // wraps around the ring
	for i := 0; i < 3; i++ {
		v := <-ch
		fmt.Println("received", v, "len now", len(ch))
	}
	var nilch chan int
	fmt.Println("nil channel: len", len(nilch), "cap", cap(nilch))
	unbuf := make(chan int)
	fmt.Println("unbuffered: len", len(unbuf), "cap", cap(unbuf))
}
