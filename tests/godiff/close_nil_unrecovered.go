//go:build ignore

// close_nil_unrecovered.go - closing the nil channel panics; status 2.
// C twin: close_nil_unrecovered.c.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred call runs")
	var ch chan string
	close(ch)
}
