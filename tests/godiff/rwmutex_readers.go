//go:build ignore

// rwmutex_readers.go - RWMutex: several readers hold the read lock at once;
// a writer waits for all of them; while a writer waits, TryRLock fails
// (writer preference).
// C twin: rwmutex_readers.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var rw sync.RWMutex
	in := make(chan int)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rw.RLock()
			in <- 1
			<-release
			rw.RUnlock()
		}()
	}
	n := 0
	for i := 0; i < 3; i++ {
		n += <-in
	}
	fmt.Println("readers holding the read lock at once:", n)
	fmt.Println("TryLock with readers in:", rw.TryLock())
	ok := rw.TryRLock()
	fmt.Println("TryRLock with readers in:", ok)
	rw.RUnlock()

	close(release)
	wg.Wait()
	rw.Lock()
	fmt.Println("writer in")
	fmt.Println("TryRLock with the writer in:", rw.TryRLock())
	value := 42
	rw.Unlock()
	rw.RLock()
	fmt.Println("reader sees", value)
	rw.RUnlock()
}
