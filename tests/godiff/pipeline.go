//go:build ignore

// pipeline.go - generator -> square -> sum, each stage a goroutine joined by
// unbuffered channels; each stage closes its output when its input is done.
// C twin: pipeline.c.
package main

import "fmt"

func gen(n int) <-chan int {
	out := make(chan int)
	go func() {
		for i := 1; i <= n; i++ {
			out <- i
		}
		close(out)
	}()
	return out
}

func square(in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		for v := range in {
			out <- v * v
		}
		close(out)
	}()
	return out
}

func main() {
	sum := 0
	for v := range square(square(gen(8))) {
		fmt.Println(v)
		sum += v
	}
	fmt.Println("sum", sum)
}
