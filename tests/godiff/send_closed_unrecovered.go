//go:build ignore

// send_closed_unrecovered.go - a send on a closed channel panics; the
// deferred calls of the goroutine run, then the process dies with status 2.
// C twin: send_closed_unrecovered.c.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred call runs")
	ch := make(chan int, 1)
	close(ch)
	fmt.Println("closed")
	ch <- 1
	fmt.Println("not reached")
}
