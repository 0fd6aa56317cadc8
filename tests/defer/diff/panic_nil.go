//go:build ignore

// panic_nil.go - panic(nil) (Go 1.19): recover returns nil, yet the panic
// is recovered: control comes back to the caller. C twin: panic_nil.c.
package main

import "fmt"

func f() {
	defer func() { fmt.Println("recovered:", recover()) }()
	panic(nil)
}

func main() {
	f()
	fmt.Println("control came back")
}
