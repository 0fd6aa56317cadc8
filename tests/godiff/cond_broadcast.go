//go:build ignore

// cond_broadcast.go - sync.Cond: Signal wakes one waiter, Broadcast all of
// them; waiters wait in a loop on their condition.
// C twin: cond_broadcast.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)    // waiters wait here for tokens
	changed := sync.NewCond(&mu) // main waits here for the counters
	waiting, tokens, woken := 0, 0, 0
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			waiting++
			changed.Broadcast()
			for tokens == 0 {
				cond.Wait()
			}
			tokens--
			woken++
			changed.Broadcast()
			mu.Unlock()
		}()
	}
	mu.Lock()
	for waiting < 3 {
		changed.Wait()
	}
	fmt.Println("waiting", waiting)
	tokens = 1
	cond.Signal()
	for woken < 1 {
		changed.Wait()
	}
	fmt.Println("after Signal: woken", woken, "tokens", tokens)
	tokens = 2
	cond.Broadcast()
	for woken < 3 {
		changed.Wait()
	}
	fmt.Println("after Broadcast: woken", woken, "tokens", tokens)
	mu.Unlock()
	wg.Wait()
}
