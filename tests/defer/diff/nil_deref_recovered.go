//go:build ignore

// nil_deref_recovered.go - a nil pointer dereference is a runtime-error
// panic, recoverable like any other, in main and in another goroutine.
// C twin: nil_deref_recovered.c.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

var nilp *int

func deref(p *int) int { return *p }

func try(who string) {
	defer func() {
		r := recover()
		_, isRuntime := r.(runtime.Error)
		fmt.Println(who, "recovered:", r)
		fmt.Println(who, "runtime error:", isRuntime)
	}()
	fmt.Println(deref(nilp))
}

func main() {
	try("main")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		try("goroutine")
	}()
	wg.Wait()
	fmt.Println("main done")
}
