//go:build ignore

// deadlock_select_empty.go - `select {}` blocks forever: once the other
// goroutines have finished, Go reports the deadlock ("select (no cases)").
// C twin: deadlock_select_empty.c.
package main

import "fmt"

func main() {
	// a chain: goroutine i prints after goroutine i-1, so the order is fixed
	prev := make(chan struct{})
	close(prev)
	for i := 0; i < 3; i++ {
		next := make(chan struct{})
		go func(i int, prev <-chan struct{}, next chan<- struct{}) {
			<-prev
			fmt.Println("goroutine", i, "finishes")
			close(next)
		}(i, prev, next)
		prev = next
	}
	select {}
}
