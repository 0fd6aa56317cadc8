//go:build ignore

// deadlock_many.go - every goroutine blocked, each on something else: Go
// lists them all, in the order they were started, with their wait reasons.
// C twin: deadlock_many.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var started, never sync.WaitGroup
	never.Add(1)
	var mu sync.Mutex
	mu.Lock()
	sendch := make(chan int)
	selch := make(chan int)
	var nilch chan int

	started.Add(5)
	go func() { // chan send
		started.Done()
		sendch <- 1
	}()
	go func() { // chan receive (nil chan)
		started.Done()
		<-nilch
	}()
	go func() { // select
		started.Done()
		select {
		case <-selch:
		case <-nilch:
		}
	}()
	go func() { // semacquire
		started.Done()
		mu.Lock()
	}()
	go func() { // sync.Cond.Wait
		started.Done()
		var m2 sync.Mutex
		c2 := sync.NewCond(&m2)
		m2.Lock()
		c2.Wait()
	}()
	started.Wait()
	fmt.Println("all started")
	never.Wait() // semacquire
}
