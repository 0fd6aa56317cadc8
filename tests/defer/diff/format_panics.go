//go:build ignore

// format_panics.go - the value of an unrecovered panic is printed with its
// Error method; when that panics, Go prints no "panic: " line but "fatal
// error: panic while printing panic value: MSG". C twin: format_panics.c.
package main

import "fmt"

type E struct{}

func (E) Error() string { panic("boom in Error") }

func main() {
	fmt.Println("before")
	panic(E{})
}
