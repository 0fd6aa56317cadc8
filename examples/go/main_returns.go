//go:build ignore

// main_returns.go - the Go twin of main_returns.c: when main returns, the
// program is over; the goroutines never print.
package main

import (
	"fmt"
	"time"
)

func main() {
	for i := 0; i < 3; i++ {
		go func(i int) {
			time.Sleep(500 * time.Millisecond)
			fmt.Printf("goroutine %d: you will never see this line\n", i)
		}(i)
	}
	fmt.Println("main: returning without waiting; the program ends here")
}
