//go:build ignore

// divzero_unrecovered.go - an unrecovered integer division by zero.
// C twin: divzero_unrecovered.c.
package main

import "fmt"

func div(a, b int) int { return a / b }

var zero = 0

func main() {
	defer fmt.Println("deferred call runs")
	fmt.Println(div(7, zero))
}
