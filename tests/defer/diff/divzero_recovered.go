//go:build ignore

// divzero_recovered.go - an integer division by zero is a runtime-error
// panic, recoverable. C twin: divzero_recovered.c.
package main

import (
	"fmt"
	"runtime"
)

func div(a, b int) int { return a / b }

var zero = 0

func main() {
	func() {
		defer func() {
			r := recover()
			_, isRuntime := r.(runtime.Error)
			fmt.Println("recovered:", r)
			fmt.Println("runtime error:", isRuntime)
		}()
		fmt.Println(div(1, zero))
	}()
	fmt.Println("main done")
}
