//go:build ignore

// panic_in_defer.go - a deferred call panics while a panic runs it: both are
// printed ("panic: A", then a tab and "panic: B"); the deferred calls still
// pending run for the new panic. C twin: panic_in_defer.c.
package main

import "fmt"

func main() {
	defer fmt.Println("outer deferred call runs")
	defer func() {
		fmt.Println("deferred call panics")
		panic("B")
	}()
	panic("A")
}
