//go:build ignore

// recover_nested_defer.go - a deferred function's own deferred call is not
// called directly by the panic: its recover returns nil, the panic goes on
// and the next deferred call recovers it. C twin: recover_nested_defer.c.
package main

import "fmt"

func main() {
	defer func() { fmt.Println("outer deferred call recovers:", recover()) }()
	defer func() {
		defer func() { fmt.Println("nested deferred call:", recover()) }()
		fmt.Println("deferred call runs")
	}()
	panic("A")
}
