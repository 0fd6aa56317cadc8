//go:build ignore

// close_range.go - a producer sends and closes; `for v := range ch` gets
// every value sent before the close, then ends.
// C twin: close_range.c.
package main

import "fmt"

func main() {
	ch := make(chan int, 2)
	go func() {
		for i := 1; i <= 6; i++ {
			ch <- i * i
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		fmt.Println("got", v)
		sum += v
	}
	fmt.Println("sum", sum)
	v, ok := <-ch
	fmt.Println("after the range:", v, ok)
}
