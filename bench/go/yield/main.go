// yield: the cost of one goroutine switch, through runtime.Gosched.
//
// gort's own copy of the Go twin of bench/yield.c (the same program as
// shared/peers/go/yield, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: yield [N=10000000]   (run it with GOMAXPROCS=1)
//
// Two goroutines call runtime.Gosched() N/2 times each; main waits for both
// on a WaitGroup. With one P every Gosched hands the P to the other
// goroutine, so each call is one switch. Total / (N/2*2) is reported; an N
// of 1 leaves each goroutine nothing to do and divides by zero (+Inf).
//
// Stdout: "%.1f ns/switch". Stderr: one diagnostics line. An argument must
// be a decimal integer > 0; a bad one prints `bad argument "..."`, exit 2.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// argInt returns os.Args[i] as a positive int, or def when it is absent.
func argInt(i, def int) int {
	if i >= len(os.Args) {
		return def
	}
	n, err := strconv.Atoi(os.Args[i])
	if err != nil || n <= 0 {
		fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
		os.Exit(2)
	}
	return n
}

func main() {
	half := argInt(1, 10000000) / 2 // yields per goroutine
	switches := 2 * half

	var wg sync.WaitGroup
	wg.Add(2)
	t0 := time.Now()
	for k := 0; k < 2; k++ {
		go func() {
			for i := 0; i < half; i++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	total := time.Since(t0)

	fmt.Fprintf(os.Stderr, "yield: N=%d GOMAXPROCS=%d total=%v\n", switches, runtime.GOMAXPROCS(0), total)
	fmt.Printf("%.1f ns/switch\n", float64(total.Nanoseconds())/float64(switches))
}
