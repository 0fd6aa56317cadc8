//go:build ignore

// goexit_main_deadlock.go - Goexit in the main goroutine runs its deferred
// calls and lets the other goroutines finish; then no goroutine is left:
// "fatal error: no goroutines (main called runtime.Goexit) - deadlock!",
// status 2. C twin: goexit_main_deadlock.c.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func main() {
	var gate sync.WaitGroup
	gate.Add(1)
	go func() {
		gate.Wait() // opened by main's deferred call
		fmt.Println("the other goroutine finishes")
	}()
	defer gate.Done()
	defer fmt.Println("main's deferred call")
	runtime.Goexit()
	fmt.Println("main: not reached")
}
