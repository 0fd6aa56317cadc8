//go:build ignore

// goexit_recover_nil.go - Goexit is not a panic: recover in a deferred call
// run by Goexit returns nil and does not stop it. C twin:
// goexit_recover_nil.c.
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
		defer func() { fmt.Println("recover during Goexit:", recover()) }()
		runtime.Goexit()
	}()
	wg.Wait()
	fmt.Println("main done")
}
