// panic_recover: the cost of one panic caught by a deferred recover.
//
// gort's own copy of the Go twin of bench/panic_recover.c (the same program
// as shared/peers/go/panic_recover, kept here so that bench/run.sh works
// from any clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: panic_recover [N=1000000]
//
// N times, main calls a (non-inlined) function that defers a closure calling
// recover() and then panics. The panic value is one error made before the
// loop, so the loop allocates nothing for it: what is measured is the
// panic, the unwinding to the deferred closure, and recover.
//
// Stdout: "%.1f ns/panic" (the total time / N). Stderr: one diagnostics
// line. Every panic must have been recovered (exit 1 otherwise). An argument
// must be a decimal integer > 0; a bad one prints `bad argument "..."`,
// exit 2.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
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

// errPanic is the value every panic carries (allocated once, here).
var errPanic = errors.New("boom")

// caught counts the recovers that got a value.
var caught int

//go:noinline
func panicAndRecover() {
	defer func() {
		if v := recover(); v != nil {
			caught++
		}
	}()
	panic(errPanic)
}

func main() {
	n := argInt(1, 1000000)

	t0 := time.Now()
	for i := 0; i < n; i++ {
		panicAndRecover()
	}
	total := time.Since(t0)

	if caught != n {
		fmt.Fprintf(os.Stderr, "panic_recover: recovered=%d want %d\n", caught, n)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "panic_recover: N=%d total=%v\n", n, total)
	fmt.Printf("%.1f ns/panic\n", float64(total.Nanoseconds())/float64(n))
}
