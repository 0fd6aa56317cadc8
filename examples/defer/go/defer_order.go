//go:build ignore

// defer_order.go - the Go twin of defer_order.c: deferred calls run in
// reverse order when the function returns; a deferred call can defer too.
package main

import "fmt"

func count() {
	fmt.Print("counting: ")
	for i := 0; i < 10; i++ {
		defer fmt.Print(i)
	}
	fmt.Print("done; deferred: ")
}

func nested() {
	defer fmt.Println(" 4")
	defer func() {
		defer fmt.Print(" 3")
		fmt.Print(" 2")
	}()
	fmt.Print("1")
}

func main() {
	count()
	fmt.Println()
	nested()
}
