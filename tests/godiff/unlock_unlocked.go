//go:build ignore

// unlock_unlocked.go - unlocking an unlocked Mutex is a fatal error, not a
// panic: deferred calls do not run, recover cannot stop it; status 2.
// C twin: unlock_unlocked.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer func() { fmt.Println("deferred recover: must not run", recover()) }()
	var mu sync.Mutex
	mu.Lock()
	mu.Unlock()
	fmt.Println("locked and unlocked once")
	mu.Unlock()
	fmt.Println("not reached")
}
