//go:build ignore

// recover_in_helper.go - recover in a function called by the deferred
// function is not a direct call: it returns nil and the panic goes on.
// C twin: recover_in_helper.c (the helper is run as its own frame with
// go_call: a plain C helper would count as direct under gort's rule).
package main

import "fmt"

func helper() {
	fmt.Println("helper:", recover())
}

func main() {
	defer func() { fmt.Println("outer deferred call recovers:", recover()) }()
	defer func() {
		helper()
		fmt.Println("deferred call goes on")
	}()
	panic("A")
}
