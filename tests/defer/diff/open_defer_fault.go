//go:build ignore

// open_defer_fault.go - open-coded defers (a defer at function scope, which
// the compiler records in the function's own frame) meet runtime panics: a
// nil dereference right after the defer statements, a divide by zero in a
// nested function, and an unrecovered fault whose deferred calls still run.
// The recovering call sets the named result. C twin: open_defer_fault.c.
package main

import (
	"fmt"
	"os"
)

var nilp *int
var zero int

func deref(who string) (r int) {
	defer func() {
		if e := recover(); e != nil {
			fmt.Println(who, "recovered:", e)
			r = -1
		}
	}()
	defer fmt.Println(who, "deferred 2")
	defer fmt.Println(who, "deferred 3")
	return *nilp
}

func inner() int {
	defer fmt.Println("inner deferred")
	return 10 / zero
}

func outer() (r int) {
	defer func() {
		if e := recover(); e != nil {
			fmt.Println("outer recovered:", e)
			r = -2
		}
	}()
	defer fmt.Println("outer deferred")
	return inner() + 1
}

func unrecovered() {
	defer fmt.Println("unrecovered deferred")
	fmt.Println(*nilp)
}

func main() {
	fmt.Println("deref returned", deref("main"))
	done := make(chan int)
	go func() {
		done <- deref("goroutine")
	}()
	fmt.Println("deref in a goroutine returned", <-done)
	fmt.Println("outer returned", outer())
	os.Stdout.Sync()
	unrecovered()
}
