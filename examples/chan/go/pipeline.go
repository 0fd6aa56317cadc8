//go:build ignore

// pipeline.go - the Go twin of pipeline.c: stages connected by channels,
// closed with close and drained with range; fan-out and fan-in.
package main

import (
	"fmt"
	"sync"
)

func gen(from, to int) <-chan int {
	out := make(chan int)
	go func() {
		for n := from; n <= to; n++ {
			out <- n
		}
		close(out)
	}()
	return out
}

func sq(in <-chan int) <-chan int {
	out := make(chan int)
	go func() {
		for n := range in {
			out <- n * n
		}
		close(out)
	}()
	return out
}

func merge(cs ...<-chan int) <-chan int {
	var wg sync.WaitGroup
	out := make(chan int)
	wg.Add(len(cs))
	for _, c := range cs {
		go func(c <-chan int) {
			for n := range c {
				out <- n
			}
			wg.Done()
		}(c)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

func main() {
	fmt.Print("squares of 1..10:")
	for v := range sq(gen(1, 10)) {
		fmt.Printf(" %d", v)
	}
	fmt.Println()

	fmt.Print("fourth powers of 1..5:")
	for v := range sq(sq(gen(1, 5))) {
		fmt.Printf(" %d", v)
	}
	fmt.Println()

	in := gen(1, 100)
	merged := merge(sq(in), sq(in))
	sum, count := 0, 0
	for v := range merged {
		sum += v
		count++
	}
	fmt.Printf("sum of the squares of 1..100, two workers: %d (%d values)\n", sum, count)
}
