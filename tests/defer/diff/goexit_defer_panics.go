//go:build ignore

// goexit_defer_panics.go - a deferred call run by Goexit panics and nothing
// recovers it: the goroutine's remaining deferred calls run, then the
// program dies with the panic. C twin: goexit_defer_panics.c.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var never sync.WaitGroup
	never.Add(1)
	go func() {
		defer fmt.Println("outer deferred call runs")
		defer func() {
			fmt.Println("deferred call panics during Goexit")
			panic("P")
		}()
		runtime.Goexit()
	}()
	never.Wait()
}
