//go:build ignore

// repanic_chain.go - a deferred call that recovered a panic panics again:
// the recovered panic is printed with " [recovered]", each later one on its
// own line after a tab. C twin: repanic_chain.c.
package main

import "fmt"

func main() {
	defer func() {
		r := recover()
		fmt.Println("second recover:", r)
		panic("C")
	}()
	defer func() {
		r := recover()
		fmt.Println("first recover:", r)
		panic(fmt.Sprint("B after ", r))
	}()
	fmt.Println("main panics")
	panic("A")
}
