//go:build ignore

// wg_negative_recovered.go - WaitGroup misuse (a negative counter) panics
// with Go's message, and the panic is recoverable: the program goes on.
// C twin: wg_negative_recovered.c.
package main

import (
	"fmt"
	"sync"
)

func misuse(wg *sync.WaitGroup) {
	defer func() { fmt.Println("recovered:", recover()) }()
	wg.Done()
	fmt.Println("not reached")
}

func main() {
	var wg sync.WaitGroup
	misuse(&wg)
	var wg2 sync.WaitGroup
	wg2.Add(1)
	go func() {
		defer wg2.Done()
		misuse(new(sync.WaitGroup))
	}()
	wg2.Wait()
	fmt.Println("main goes on")
}
