//go:build ignore

// goexit_ends_panic.go - a deferred call that calls runtime.Goexit while
// the goroutine panics ends the panic (it is never printed) and the
// goroutine; the remaining deferred calls run, the program goes on and
// exits with status 0. C twin: goexit_ends_panic.c.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer fmt.Println("outer deferred call runs")
		defer runtime.Goexit()
		panic("lost")
	}()
	wg.Wait()
	fmt.Println("main done")
}
