//go:build ignore

// deadlock_wg_wait.go - main waits on a WaitGroup whose counter never
// reaches zero: "goroutine 1 [semacquire]:".
// C twin: deadlock_wg_wait.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		fmt.Println("one worker is done")
	}()
	wg.Wait()
}
