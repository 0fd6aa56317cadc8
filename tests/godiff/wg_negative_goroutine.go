//go:build ignore

// wg_negative_goroutine.go - a Done on a zero counter, in a goroutine that
// is not main: the panic kills the process (status 2) after that
// goroutine's deferred calls ran; main's do not run.
// C twin: wg_negative_goroutine.c.
package main

import (
	"fmt"
	"sync"
)

func main() {
	defer fmt.Println("main's deferred call: must not run")
	var wg sync.WaitGroup
	block := make(chan int)
	wg.Add(1)
	go func() {
		defer fmt.Println("the goroutine's deferred call runs")
		wg.Done()
		fmt.Println("first Done")
		wg.Done()
	}()
	<-block
}
