//go:build ignore

// close_closed_unrecovered.go - closing a closed channel panics, in a
// goroutine that is not main; status 2.
// C twin: close_closed_unrecovered.c.
package main

import "fmt"

func main() {
	ch := make(chan int)
	close(ch)
	block := make(chan int)
	go func() {
		defer fmt.Println("the goroutine's deferred call runs")
		close(ch)
	}()
	<-block
}
