//go:build ignore

// hello.go - the Go twin of hello.c: start goroutines and wait for them
// with a WaitGroup; each fills its own slot, main prints them in order.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

const N = 10

func main() {
	var greetings [N]string
	var wg sync.WaitGroup
	for i := 0; i < N; i++ {
		wg.Add(1)
		go func(i int) {
			greetings[i] = fmt.Sprintf("hello from goroutine %d (%d squared is %d)", i, i, i*i)
			wg.Done()
		}(i)
	}
	wg.Wait()
	for i := 0; i < N; i++ {
		fmt.Println(greetings[i])
	}

	// A goroutine that called wg.Done may still be on its way out: let the
	// others finish, then only main is left.
	for runtime.NumGoroutine() > 1 {
		runtime.Gosched()
	}
	fmt.Printf("goroutines left: %d\n", runtime.NumGoroutine())
}
