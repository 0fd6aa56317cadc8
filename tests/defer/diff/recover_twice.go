//go:build ignore

// recover_twice.go - the first recover stops the panic; a second recover in
// the same deferred call, and recover in a later deferred call, return nil.
// C twin: recover_twice.c.
package main

import "fmt"

func f() {
	defer func() { fmt.Println("later deferred call:", recover()) }()
	defer func() {
		fmt.Println("first recover:", recover())
		fmt.Println("second recover:", recover())
	}()
	panic("A")
}

func main() {
	f()
	fmt.Println("f returned normally")
}
