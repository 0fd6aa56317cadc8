//go:build ignore

// goexit_runs_defers.go - runtime.Goexit runs the deferred calls of every
// frame of the goroutine (innermost first) and ends it; nothing after the
// call runs, and the other goroutines go on. C twin: goexit_runs_defers.c.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func inner() {
	defer fmt.Println("inner deferred call")
	runtime.Goexit()
	fmt.Println("inner: not reached")
}

func worker(wg *sync.WaitGroup) {
	defer wg.Done()
	defer fmt.Println("worker deferred call")
	inner()
	fmt.Println("worker: not reached")
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go worker(&wg)
	wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		fmt.Println("another goroutine runs normally")
	}()
	wg.Wait()
	fmt.Println("main continues")
}
