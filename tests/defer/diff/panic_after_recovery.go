//go:build ignore

// panic_after_recovery.go - once a panic is recovered it is over: a later
// deferred call of the same function that panics starts a new, unrelated
// panic (printed alone, without the recovered one). C twin:
// panic_after_recovery.c.
package main

import "fmt"

func main() {
	defer func() {
		fmt.Println("deferred call panics after the recovery")
		panic("B")
	}()
	defer func() { fmt.Println("recovered:", recover()) }()
	panic("A")
}
