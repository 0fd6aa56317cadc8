//go:build ignore

// mutex_counter.go - a counter protected by a Mutex: no increment is lost;
// TryLock fails while the mutex is held and succeeds once it is free.
// C twin: mutex_counter.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("counter", counter)

	mu.Lock()
	fmt.Println("TryLock while held:", mu.TryLock())
	held := make(chan bool)
	go func() {
		mu.Lock() // waits for main's Unlock
		mu.Unlock()
		held <- true
	}()
	mu.Unlock()
	fmt.Println("the other goroutine got it:", <-held)
	ok := mu.TryLock()
	fmt.Println("TryLock when free:", ok)
	mu.Unlock()
}
