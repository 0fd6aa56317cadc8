//go:build ignore

// triple.go - the Go twin of triple.c: a deferred closure changes the
// function's named result after the return statement set it.
package main

import "fmt"

func Triple(n int) (r int) {
	defer func() {
		r += n
	}()
	return n + n
}

func main() {
	fmt.Println("Triple(5) =", Triple(5))
	fmt.Println("Triple(7) =", Triple(7))
}
