//go:build ignore

// args.go - the Go twin of args.c: a go statement evaluates its arguments
// at once; the goroutine reads captured variables when it runs.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var assigned, done sync.WaitGroup
	assigned.Add(1)
	done.Add(1)

	a := 123
	go func(x int) {
		assigned.Wait()
		fmt.Println(x, a)
		done.Done()
	}(a)
	a = 789
	assigned.Done()

	done.Wait()
}
