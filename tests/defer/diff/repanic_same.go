//go:build ignore

// repanic_same.go - recover a panic and panic again with the same value.
// C twin: repanic_same.c.
package main

import "fmt"

func main() {
	defer func() {
		r := recover()
		fmt.Println("recovered:", r, "- panicking again")
		panic(r)
	}()
	panic("A")
}
