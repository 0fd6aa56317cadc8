//go:build ignore

// recovered_returns_normally.go - after a deferred call recovers, the
// function's remaining deferred calls run and it returns normally to its
// caller (with its zero result). C twin: recovered_returns_normally.c does
// it twice: with go_call, and with GO_FRAME.
package main

import "fmt"

func f(label string) int {
	defer fmt.Println(label, "deferred 1 (runs last)")
	defer func() { fmt.Println(label, "deferred 2 recovers:", recover()) }()
	defer fmt.Println(label, "deferred 3 (runs first)")
	fmt.Println(label, "panics")
	panic("X")
}

func main() {
	r := f("call:")
	fmt.Println("f returned", r)
	r = f("frame:")
	fmt.Println("f returned", r)
}
