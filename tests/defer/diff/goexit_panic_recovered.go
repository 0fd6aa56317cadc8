//go:build ignore

// goexit_panic_recovered.go - a panic raised by a deferred call during
// Goexit is recovered by an earlier deferred call; the Goexit goes on: the
// remaining deferred calls run and the goroutine still ends. C twin:
// goexit_panic_recovered.c.
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
		defer fmt.Println("outer deferred call")
		defer func() { fmt.Println("recovered:", recover()) }()
		defer func() { panic("P") }()
		runtime.Goexit()
		fmt.Println("not reached")
	}()
	wg.Wait()
	fmt.Println("main done")
}
