//go:build ignore

// goroutine_panic_unrecovered.go - a panic that nothing recovers runs the
// panicking goroutine's deferred calls, never another goroutine's, then
// ends the program with status 2. C twin: goroutine_panic_unrecovered.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer fmt.Println("main's deferred call: must not run")
	var never sync.WaitGroup
	never.Add(1)
	go func() {
		defer fmt.Println("the panicking goroutine's deferred call runs")
		panic("boom")
	}()
	never.Wait()
}
