//go:build ignore

// rwunlock_unlocked.go - Unlock of an RWMutex that is not write-locked is a
// fatal error: "sync: Unlock of unlocked RWMutex", status 2.
// C twin: rwunlock_unlocked.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer fmt.Println("deferred call: must not run")
	var rw sync.RWMutex
	rw.Lock()
	rw.Unlock()
	fmt.Println("write-locked and unlocked once")
	rw.Unlock()
}
