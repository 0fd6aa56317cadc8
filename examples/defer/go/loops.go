//go:build ignore

// loops.go - the Go twin of loops.c: deferring in a loop. A deferred
// call's arguments are evaluated at the defer; a closure reads the
// variable when it runs (Go 1.19: one i for the whole loop).
package main

import "fmt"

func a() {
	fmt.Print("a:")
	for i := 0; i < 3; i++ {
		defer fmt.Print(" ", i) // i evaluated now
	}
}

func b() {
	fmt.Print("b:")
	for i := 0; i < 3; i++ {
		defer func() { fmt.Print(" ", i) }() // reads i when it runs: 3
	}
}

func c() {
	fmt.Print("c:")
	for i := 0; i < 3; i++ {
		defer func(i int) { fmt.Print(" ", i) }(i) // fix 1: pass i
	}
}

func d() {
	fmt.Print("d:")
	for i := 0; i < 3; i++ {
		i := i // fix 2: a new variable per iteration
		defer func() { fmt.Print(" ", i) }()
	}
}

func main() {
	a()
	fmt.Println()
	b()
	fmt.Println()
	c()
	fmt.Println()
	d()
	fmt.Println()
}
