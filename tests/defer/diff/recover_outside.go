//go:build ignore

// recover_outside.go - recover returns nil (and does nothing) outside a
// deferred call run by a panic: in ordinary code, in a deferred call run by
// a normal return, and in a function called normally while nothing panics.
// C twin: recover_outside.c.
package main

import "fmt"

func normal() {
	defer func() { fmt.Println("deferred call at a normal return:", recover()) }()
	fmt.Println("in normal():", recover())
}

func main() {
	fmt.Println("in main:", recover())
	normal()
	fmt.Println("main goes on")
}
