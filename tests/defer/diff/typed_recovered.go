//go:build ignore

// typed_recovered.go - recover hands back the error value itself; panicking
// again with it prints "[recovered]" and the text twice. C twin:
// typed_recovered.c.
package main

import "fmt"

type MyErr struct{ code int }

func (e *MyErr) Error() string { return fmt.Sprintf("my error %d", e.code) }

func main() {
	func() {
		defer func() {
			r := recover()
			e := r.(*MyErr)
			fmt.Printf("recovered %T: %v (code %d)\n", r, e, e.code)
		}()
		panic(&MyErr{7})
	}()
	defer func() {
		r := recover()
		fmt.Println("recovered again:", r)
		panic(r)
	}()
	panic(&MyErr{42})
}
