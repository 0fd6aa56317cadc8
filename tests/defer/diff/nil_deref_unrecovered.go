//go:build ignore

// nil_deref_unrecovered.go - an unrecovered nil pointer dereference: Go's
// runtime-error panic with its [signal SIGSEGV ...] line, status 2; the
// deferred calls ran first. C twin: nil_deref_unrecovered.c.
package main

import "fmt"

var nilp *int

func store(p *int) { *p = 1 }

func main() {
	defer fmt.Println("deferred call runs")
	store(nilp)
}
