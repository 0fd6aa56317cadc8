// spawn_join: the whole life of a goroutine that does nothing: go statement,
// scheduling, run, exit, plus the WaitGroup bookkeeping around it.
//
// gort's own copy of the Go twin of bench/spawn_join.c (the same program as
// shared/peers/go/spawn_join, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: spawn_join [N=1000000]   (set GOMAXPROCS in the environment)
//
// Main adds 1 to a WaitGroup and starts a goroutine whose only work is
// wg.Done(), N times, then waits once. At GOMAXPROCS=1 this is the single-P
// fast path; with more Ps it also pays for waking other threads and for the
// shared WaitGroup counter moving between caches.
//
// Stdout: "%.1f ns/goroutine" (the total time / N). Stderr: one diagnostics
// line. An argument must be a decimal integer > 0; a bad one prints
// `bad argument "..."`, exit 2.
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
	n := argInt(1, 1000000)

	var wg sync.WaitGroup
	t0 := time.Now() // carries a monotonic reading: time.Since is immune to clock steps
	for i := 0; i < n; i++ {
		wg.Add(1)
		// A closure, as a Go programmer writes it (not `go wg.Done()`).
		go func() { wg.Done() }()
	}
	wg.Wait()
	total := time.Since(t0)

	fmt.Fprintf(os.Stderr, "spawn_join: N=%d GOMAXPROCS=%d total=%v\n", n, runtime.GOMAXPROCS(0), total)
	fmt.Printf("%.1f ns/goroutine\n", float64(total.Nanoseconds())/float64(n))
}
