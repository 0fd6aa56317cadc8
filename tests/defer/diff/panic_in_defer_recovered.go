//go:build ignore

// panic_in_defer_recovered.go - a deferred call panics (B) while panic A
// runs it; an outer deferred call recovers B, which ends A as well: the
// function returns normally. C twin: panic_in_defer_recovered.c.
package main

import "fmt"

func f() {
	defer func() { fmt.Println("outer recovered:", recover()) }()
	defer func() {
		fmt.Println("inner deferred call panics")
		panic("B")
	}()
	panic("A")
}

func main() {
	f()
	fmt.Println("f returned normally")
	fmt.Println("recover after the panics:", recover())
}
