//go:build ignore

// lines.go - the Go twin of lines.c: main's deferred calls run after its
// last statement, last deferred first.
package main

import "fmt"

func main() {
	defer fmt.Println("third line")
	defer fmt.Println("second line")
	fmt.Println("first line")
}
