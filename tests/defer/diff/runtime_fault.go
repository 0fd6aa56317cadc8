//go:build ignore

// runtime_fault.go - a fault in runtime code (here: while the goroutine
// holds the runtime's m.locks, as procPin does) is Go's fatal "unexpected
// signal during runtime execution": no deferred call runs, recover cannot
// stop it. C twin: runtime_fault.c (chan_send copies from a bad pointer
// while it holds the channel's lock).
package main

import (
	"fmt"
	_ "unsafe"
)

//go:linkname procPin runtime.procPin
func procPin() int

type T struct{ x, y int }

func main() {
	fmt.Println("before")
	defer func() { fmt.Println("recovered:", recover()) }()
	var p *T
	procPin()
	p.y = 1
	fmt.Println("not reached")
}
