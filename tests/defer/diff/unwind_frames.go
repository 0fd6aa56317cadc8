//go:build ignore

// unwind_frames.go - a panic runs the deferred calls of every frame,
// innermost first, up to the frame whose deferred call recovers; that frame
// returns normally, the frames inside it never return. C twin:
// unwind_frames.c (f1 is go_call'ed, f2 has a GO_FRAME, f3 is go_call'ed).
package main

import "fmt"

func f3(depth int) {
	defer fmt.Println("f3 deferred call, depth", depth)
	if depth > 0 {
		f3(depth - 1)
		fmt.Println("f3: not reached")
	}
	panic(fmt.Sprint("deep panic"))
}

func f2() {
	defer fmt.Println("f2 deferred call")
	f3(2)
	fmt.Println("f2: not reached")
}

func f1() (result string) {
	result = "f1 not recovered"
	defer fmt.Println("f1 first deferred call (runs last)")
	defer func() {
		if r := recover(); r != nil {
			result = fmt.Sprint("f1 recovered: ", r)
		}
	}()
	defer fmt.Println("f1 last deferred call (runs first)")
	f2()
	fmt.Println("f1: not reached")
	return
}

func main() {
	fmt.Println(f1())
	fmt.Println("main goes on")
}
