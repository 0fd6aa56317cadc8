//go:build ignore

// goroutine_panic.go - the Go twin of goroutine_panic.c: a panic stays in
// its goroutine; recovered there, it changes nothing for the others.
package main

import (
	"fmt"
	"sync"
)

func main() {
	var results [2]string
	var wg, recovered sync.WaitGroup
	wg.Add(2)
	recovered.Add(1)

	go func() { // worker 0: keeps working while worker 1 panics
		defer wg.Done()
		recovered.Wait()
		results[0] = "worker 0 finished normally"
	}()

	go func() { // worker 1: panics and recovers
		defer wg.Done()
		defer recovered.Done()
		defer func() {
			if r := recover(); r != nil {
				results[1] = fmt.Sprint("worker 1 recovered: ", r)
			}
		}()
		panic("worker 1 failed")
	}()

	wg.Wait()
	for _, r := range results {
		fmt.Println(r)
	}
	fmt.Println("main: all workers done")
}
