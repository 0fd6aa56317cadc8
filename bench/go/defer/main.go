// defer: what one deferred call costs, for each kind of defer the Go
// compiler can emit.
//
// gort's own copy of the Go twin of bench/defer.c (the same program as
// shared/peers/go/defer, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: defer [N=100000000] [open|loop|none]
//
// N times, main calls a function whose deferred call increments a counter:
//
//	open  one defer statement at function scope. Since Go 1.14 the compiler
//	      open-codes it (inline at the function's exits, no defer record).
//	loop  the same defer inside a loop (that runs once per call). A defer in
//	      a loop cannot be open-coded or stack-allocated: it takes a
//	      heap-allocated record through runtime.deferproc, the slow path.
//	none  the baseline: the same function calling the increment directly.
//
// Every function involved is go:noinline so that the compiler can neither
// fold the calls into main's loop nor see through the loop count.
// `go build -gcflags=-d=defer ./defer` reports which kind each defer became.
//
// Stdout: "%.2f ns/call" (the total time / N). Stderr: one diagnostics line.
// The counter must come out at N (exit 1 otherwise). An unknown variant
// prints `unknown variant "..."`, exit 2; a bad N prints
// `bad argument "..."`, exit 2.
package main

import (
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

// calls counts the deferred (or, for "none", direct) calls that ran.
var calls int

//go:noinline
func bump() { calls++ }

// withOpenDefer: the open-coded kind.
//
//go:noinline
func withOpenDefer() {
	defer bump()
}

// withLoopDefer: the heap-allocated kind. Called with times=1; the count
// is a parameter so that the loop survives compilation.
//
//go:noinline
func withLoopDefer(times int) {
	for i := 0; i < times; i++ {
		defer bump()
	}
}

// withoutDefer: the baseline.
//
//go:noinline
func withoutDefer() {
	bump()
}

func main() {
	n := argInt(1, 100000000)
	variant := "open"
	if len(os.Args) > 2 {
		variant = os.Args[2]
	}

	// One loop per variant, each timed on its own: no indirect call or
	// switch inside the measured loop.
	var t0 time.Time
	switch variant {
	case "open":
		t0 = time.Now()
		for i := 0; i < n; i++ {
			withOpenDefer()
		}
	case "loop":
		t0 = time.Now()
		for i := 0; i < n; i++ {
			withLoopDefer(1)
		}
	case "none":
		t0 = time.Now()
		for i := 0; i < n; i++ {
			withoutDefer()
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown variant %q\n", variant)
		os.Exit(2)
	}
	total := time.Since(t0)

	if calls != n {
		fmt.Fprintf(os.Stderr, "defer: counter=%d want %d\n", calls, n)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "defer: N=%d variant=%s total=%v\n", n, variant, total)
	fmt.Printf("%.2f ns/call\n", float64(total.Nanoseconds())/float64(n))
}
