//go:build ignore

// worker_pool.go - three workers take jobs from one channel and send
// results on another; the totals do not depend on who did what.
// C twin: worker_pool.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	jobs := make(chan int, 5)
	results := make(chan int, 5)
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- j * j
			}
		}()
	}
	go func() {
		for j := 1; j <= 50; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	n, sum := 0, 0
	for r := range results {
		n++
		sum += r
	}
	fmt.Println("results", n, "sum", sum)
}
