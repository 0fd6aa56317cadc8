//go:build ignore

// panic_nil_unrecovered.go - panic(nil) that nothing recovers (Go 1.19):
// "panic: nil". C twin: panic_nil_unrecovered.c.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred call runs")
	panic(nil)
}
