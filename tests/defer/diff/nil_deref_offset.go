//go:build ignore

// nil_deref_offset.go - a field of a nil struct pointer, away from address
// 0 but within the first page, is a nil dereference too: recoverable.
// C twin: nil_deref_offset.c.
package main

import "fmt"

type big struct {
	pad [100]int64
	x   int64
}

var nilp *big

func main() {
	defer func() { fmt.Println("recovered:", recover()) }()
	fmt.Println(nilp.x)
}
