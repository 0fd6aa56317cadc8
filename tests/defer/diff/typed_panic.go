//go:build ignore

// typed_panic.go - a panic with an error value prints the value's Error()
// text. C twin: typed_panic.c (panic_raise_value with a format callback).
package main

import "fmt"

type MyErr struct{ code int }

func (e *MyErr) Error() string { return fmt.Sprintf("my error %d", e.code) }

func main() {
	defer fmt.Println("deferred call runs")
	panic(&MyErr{42})
}
