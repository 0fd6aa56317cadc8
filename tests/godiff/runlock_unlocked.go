//go:build ignore

// runlock_unlocked.go - RUnlock of an RWMutex nobody read-locked is a fatal
// error: "sync: RUnlock of unlocked RWMutex", status 2.
// C twin: runlock_unlocked.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer fmt.Println("deferred call: must not run")
	var rw sync.RWMutex
	rw.RLock()
	rw.RUnlock()
	fmt.Println("read-locked and unlocked once")
	rw.RUnlock()
}
