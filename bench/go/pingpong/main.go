// pingpong: the cost of a round trip over two unbuffered channels.
//
// gort's own copy of the Go twin of bench/pingpong.c (the same program as
// shared/peers/go/pingpong, kept here so that bench/run.sh works from any
// clone): same arguments, defaults, output lines and exit statuses.
//
// Usage: pingpong [N=1000000]   (set GOMAXPROCS in the environment)
//
// Main sends a number on ping and receives it back, plus one, on pong, N
// times; an echo goroutine ranges over ping until main closes it. With one
// P a round trip is two rendezvous and two goroutine switches; with two the
// goroutines may run on different threads and a round trip includes waking
// (or spinning for) a parked thread. Only the loop is timed.
//
// Stdout: "%.1f ns/roundtrip" (the loop's time / N). Stderr: one diagnostics
// line. The number must come back as N (exit 1 otherwise). An argument must
// be a decimal integer > 0; a bad one prints `bad argument "..."`, exit 2.
package main

import (
	"fmt"
	"os"
	"runtime"
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

func main() {
	n := argInt(1, 1000000)
	ping, pong := make(chan int), make(chan int)

	// The echo side: started before the clock, ends when ping is closed.
	go func() {
		for x := range ping {
			pong <- x + 1
		}
	}()

	x := 0
	t0 := time.Now()
	for i := 0; i < n; i++ {
		ping <- x
		x = <-pong
	}
	total := time.Since(t0)
	close(ping)

	if x != n {
		fmt.Fprintf(os.Stderr, "pingpong: wrong result %d\n", x)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "pingpong: N=%d GOMAXPROCS=%d total=%v\n", n, runtime.GOMAXPROCS(0), total)
	fmt.Printf("%.1f ns/roundtrip\n", float64(total.Nanoseconds())/float64(n))
}
