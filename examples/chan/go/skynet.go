//go:build ignore

// skynet.go - the Go twin of skynet.c: a tree of goroutines (10 children per
// node) that sums its leaves 0 .. N-1 over unbuffered channels.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func skynet(c chan int, num, size, div int) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int)
	for i := 0; i < div; i++ {
		go skynet(rc, num+i*(size/div), size/div, div)
	}
	sum := 0
	for i := 0; i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "usage: skynet [N]  (N a power of 10)")
			os.Exit(2)
		}
		n = v
	}
	c := make(chan int)
	start := time.Now()
	go skynet(c, 0, n, 10)
	result := <-c
	took := time.Since(start)

	fmt.Printf("Result: %d\n", result)
	fmt.Fprintf(os.Stderr, "Took %.3f ms\n", float64(took.Nanoseconds())/1e6)
}
