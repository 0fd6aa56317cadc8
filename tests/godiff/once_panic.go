//go:build ignore

// once_panic.go - sync.Once: fn runs once however many goroutines call Do;
// a panicking fn counts as done (the panic goes on, and is recovered here),
// later calls do not run their fn.
// C twin: once_panic.c.
package main

import (
	"fmt"
	"sync"
)

func try(o *sync.Once, name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println(name, "recovered:", r)
		}
	}()
	o.Do(f)
	fmt.Println(name, "returned")
}

func main() {
	var once sync.Once
	try(&once, "first", func() { panic("once boom") })
	try(&once, "second", func() { fmt.Println("second fn: must not run") })

	var once2 sync.Once
	var wg sync.WaitGroup
	calls := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once2.Do(func() { calls++ })
			// Do returns only after fn finished: calls is 1 here
			if calls != 1 {
				fmt.Println("Do returned before fn finished")
			}
		}()
	}
	wg.Wait()
	fmt.Println("calls", calls)
}
